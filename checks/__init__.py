"""The explicit registry of probe families, in the order their findings are reported.

Adding a check: one entry in its family's check table (`CHECKS`), where its findings are to
come in the report: `Check(CheckSpec(id, title=, title_da=, claim=, severity=,
remediation=), judge, needs)`. The judge is a pure function with the family's signature that
returns a `Verdict` (status, message, evidence), or the family's list of them per subject;
the table entry turns it into findings. The family's specs, the pages' titles (`catalog()`)
and every path (judged; not connected, no certificate, no credentials: the `Need` a path
lacks skips the check, or fails it with `fails_without`; errored, skipped) come from that
table. Test the judge; tests/checks/test_check_tables.py checks the rest.
Adding a family: one line here, and its paths in test_check_tables.py."""

from __future__ import annotations

from typing import Any

from auditor.core.family import Family
from auditor.core.model import CheckSpec
from checks import access, dns
from checks.digitalocean import family as digitalocean
from checks.discovery import ct
from checks.discovery import family as discovery
from checks.https import family as https
from checks.mail import family as mail
from checks.ssh import family as ssh
from checks.tls import family as tls

FAMILIES: tuple[Family[Any], ...] = (
    discovery.FAMILY,
    tls.FAMILY,
    https.FAMILY,
    digitalocean.FAMILY,
    ssh.FAMILY,
    dns.FAMILY,
    access.FAMILY,
    mail.FAMILY,
    ct.FAMILY,
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
