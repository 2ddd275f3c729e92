"""The words of discovery: where a name was found, what it turned out to be, and coverage.

The records themselves (`DiscoveredName`, `CtCertificate`, `CtLog`) are in the inventory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from auditor.core.inventory import CtCertificate, DiscoveredName

# How far back the CT certificates are listed and their issuers judged.
CT_DAYS = 90


class Source(StrEnum):
    """Where a name was found."""

    CONFIG = "config"
    DNS_ZONE = "dns-zone"  # the DigitalOcean account's DNS zones
    CT = "crt.sh"  # a certificate logged in Certificate Transparency


class Kind(StrEnum):
    """What a discovered name turned out to be."""

    SITE = "site"  # answers TLS or HTTP: audited like a configured site
    SERVER = "server"  # answers SSH only
    SILENT = "silent"  # has addresses, but nothing answers
    # Only IPv6 addresses, which the run may not connect to (dns.probe_ipv6 = false): whether
    # it serves a site is unknown, which the coverage check says.
    NOT_ASKED = "not-asked"
    NO_ADDRESS = "no-address"
    WILDCARD = "wildcard"  # noted, never expanded
    EXCLUDED = "excluded"  # [discovery] exclude names it, with a reason


@dataclass(frozen=True)
class Coverage:
    """The coverage line: names found, names checked, names excluded with a reason."""

    found: int
    checked: int
    excluded: int
    live: int
    unconfigured: int


def coverage(names: Sequence[DiscoveredName]) -> Coverage | None:
    """None when nothing was discovered (no [discovery] in the run)."""
    if not names:
        return None
    return Coverage(
        found=len(names),
        checked=sum(n.kind not in (Kind.WILDCARD, Kind.EXCLUDED, Kind.NOT_ASKED) for n in names),
        excluded=sum(n.kind == Kind.EXCLUDED for n in names),
        live=sum(n.live for n in names),
        unconfigured=sum(n.live and not n.configured for n in names),
    )


def ct_target(certificate: CtCertificate) -> str:
    """The finding's target for one CT certificate: crt.sh's id names it."""
    return f"ct:{certificate.id}"


def recent(certificates: Iterable[CtCertificate], now: datetime) -> list[CtCertificate]:
    """Those logged (or valid from) within the last CT_DAYS days, newest first."""
    since = (now - timedelta(days=CT_DAYS)).replace(tzinfo=None).isoformat()
    kept = [c for c in certificates if max(c.logged_at, c.not_before) >= since]
    return sorted(kept, key=lambda c: (c.logged_at or c.not_before, c.id), reverse=True)


def issuer_parts(issuer: str) -> dict[str, str]:
    """An issuer's attributes from crt.sh's "C=US, O=Let's Encrypt, CN=R3" (or RFC 4514)."""
    parts: dict[str, str] = {}
    for piece in issuer.replace(",", "\n").split("\n"):
        key, sep, value = piece.strip().partition("=")
        if sep and key.strip().upper() not in parts:
            parts[key.strip().upper()] = value.strip().strip('"')
    return parts


def issuer_name(issuer: str) -> str:
    """How an issuer is compared and shown: its organisation, else its common name."""
    parts = issuer_parts(issuer)
    return parts.get("O") or parts.get("CN") or issuer
