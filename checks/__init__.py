"""The explicit registry of probe families, in the order their findings are reported.

Adding a check: declare its CheckSpec and function in its family's module, add the spec to
that family's `specs`, and test it. Adding a family: one line here.
"""

from __future__ import annotations

from typing import Any

from auditor.core.family import Family
from auditor.core.model import CheckSpec
from checks import access, dns
from checks.digitalocean import family as digitalocean
from checks.https import family as https
from checks.ssh import family as ssh
from checks.tls import family as tls

FAMILIES: tuple[Family[Any], ...] = (
    tls.FAMILY,
    https.FAMILY,
    digitalocean.FAMILY,
    ssh.FAMILY,
    dns.FAMILY,
    access.FAMILY,
)


def catalog() -> dict[str, CheckSpec]:
    """Every registered check by its id: how the pages title a finding."""
    return {spec.id: spec for family in FAMILIES for spec in family.specs}


def families(*names: str) -> tuple[Family[Any], ...]:
    """The registered families with these names (all of them when none is named)."""
    if not names:
        return FAMILIES
    unknown = set(names) - {f.name for f in FAMILIES}
    if unknown:
        raise KeyError(f"no such family: {sorted(unknown)[0]}")
    return tuple(f for f in FAMILIES if f.name in names)
