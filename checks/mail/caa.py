"""CAA (RFC 8659): may the CAs that issued the sites' certificates issue the next ones?

A site's relevant CAA set is the first one found climbing from its name towards the mail
domain (§3). A CA is named in CAA by its own identity (`letsencrypt.org`), not by the
organisation in the certificates it issues: the table below maps one to the other for
the public CAs sites commonly use, and `[mail] caa_identities` adds others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from checks.mail.lookup import Answer

# Issuer organisation (as in the certificate's issuer O=) -> CAA identities that allow it,
# from each CA's own CAA documentation (its CP/CPS, §4.2 "CAA").
KNOWN_IDENTITIES: Mapping[str, tuple[str, ...]] = {
    "Let's Encrypt": ("letsencrypt.org",),
    "Google Trust Services": ("pki.goog",),
    "Google Trust Services LLC": ("pki.goog",),
    "DigiCert Inc": ("digicert.com", "www.digicert.com"),
    "Sectigo Limited": ("sectigo.com", "comodoca.com"),
    "ZeroSSL": ("sectigo.com",),
    "GlobalSign nv-sa": ("globalsign.com",),
    "Amazon": ("amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"),
    "Buypass AS-983163327": ("buypass.com", "buypass.no"),
    "GoDaddy.com, Inc.": ("godaddy.com",),
    "Microsoft Corporation": ("microsoft.com",),
    "SSL Corporation": ("ssl.com",),
}

Ask = Callable[[str, str], Answer]


@dataclass(frozen=True)
class Relevant:
    """A name's relevant CAA set: where it was found (None: nowhere up to the domain)."""

    name: str
    found_at: str | None
    answer: Answer | None  # the answer that decided: records, or a failed lookup


def relevant(name: str, domain: str, ask: Ask) -> Relevant:
    """Climb from `name` to `domain` (both lower case), stopping at the first CAA set."""
    current = name
    while True:
        answer = ask(current, "CAA")
        if answer.failed or answer.records:
            return Relevant(name, current, answer)
        if current == domain or "." not in current:
            return Relevant(name, None, None)
        current = current.split(".", 1)[1]


def issuers(records: tuple[str, ...], wildcard: bool) -> tuple[str, ...] | None:
    """The identities the set allows to issue (None: no issue property, any CA may)."""
    parsed = [_property(r) for r in records]
    tag = "issuewild" if wildcard and any(t == "issuewild" for t, _ in parsed) else "issue"
    values = [v for t, v in parsed if t == tag]
    if not values:
        return None
    allowed = (v.split(";", 1)[0].strip().lower() for v in values)
    return tuple(a for a in allowed if a)


def _property(record: str) -> tuple[str, str]:
    """(tag, value) of a CAA record as dnspython writes it: `0 issue "letsencrypt.org"`."""
    parts = record.split(" ", 2)
    if len(parts) < 3:
        return ("", "")
    value = parts[2]
    if value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    return parts[1].lower(), value


def identities(organisation: str, extra: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    return extra.get(organisation) or KNOWN_IDENTITIES.get(organisation, ())
