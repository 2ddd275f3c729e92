"""Parsers of the mail records that are lists of tags: DMARC (RFC 7489), DKIM keys
(RFC 6376 §3.6.1), MTA-STS (RFC 8461) and TLS-RPT (RFC 8460), and the MTA-STS policy file.

Each parser takes text as DNS or the policy host gave it and returns what it means, or
raises RecordError with one sentence saying why no receiver would use it.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from auditor.core.messages import N_, Message


class RecordError(ValueError):
    """A record no receiver would use; `message` says why, as a phrase for a finding."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


def tags(record: str, what: str) -> dict[str, str]:
    """`tag=value; tag=value` (RFC 6376 §3.2, which DMARC and the others share)."""
    if any(ord(c) > 126 for c in record):
        raise RecordError(N_("the {what} record holds characters outside ASCII", what=what))
    found: dict[str, str] = {}
    for raw in record.split(";"):
        part = raw.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise RecordError(
                N_("the {what} record has a malformed tag: {tag}", what=what, tag=repr(part[:60]))
            )
        if name in found:
            raise RecordError(N_("the {what} record repeats the tag {tag}", what=what, tag=name))
        found[name] = value.strip()
    return found


def starts_with(record: str, version: str) -> bool:
    """The record's first tag is `v=<version>` (whitespace around `=` allowed)."""
    first = record.split(";", 1)[0].replace(" ", "").replace("\t", "")
    return first.lower() == f"v={version}".lower()


# -- DMARC


@dataclass(frozen=True)
class Dmarc:
    record: str
    policy: str  # none | quarantine | reject
    subdomain_policy: str | None
    pct: int
    rua: tuple[str, ...]  # mailto: addresses (the address part, lower case)

    def policy_for(self, subdomain: bool) -> str:
        return (self.subdomain_policy or self.policy) if subdomain else self.policy


_POLICIES = ("none", "quarantine", "reject")


def dmarc(record: str) -> Dmarc:
    found = tags(record, "DMARC")
    if found.get("v") != "DMARC1" or next(iter(found)) != "v":
        raise RecordError(N_("the DMARC record does not start with v=DMARC1"))
    policy = found.get("p", "").lower()
    if policy not in _POLICIES:
        raise RecordError(
            N_("the DMARC record's policy p={value} is not valid", value=repr(found.get("p", "")))
        )
    sub = found.get("sp")
    if sub is not None and sub.lower() not in _POLICIES:
        raise RecordError(N_("the DMARC record's sp={value} is not a policy", value=repr(sub)))
    pct_text = found.get("pct", "100")
    if not pct_text.isdigit() or not 0 <= int(pct_text) <= 100:
        raise RecordError(
            N_("the DMARC record's pct={value} is not 0 to 100", value=repr(pct_text))
        )
    return Dmarc(
        record=record,
        policy=policy,
        subdomain_policy=None if sub is None else sub.lower(),
        pct=int(pct_text),
        rua=_mailtos(found.get("rua", "")),
    )


def _mailtos(value: str) -> tuple[str, ...]:
    """The mailto: addresses of a rua= list, each without its size limit (`!10m`)."""
    addresses = []
    for raw in value.split(","):
        uri = raw.strip()
        if uri.lower().startswith("mailto:"):
            address = uri[len("mailto:") :].split("!", 1)[0].strip().lower()
            if "@" in address:
                addresses.append(address)
    return tuple(addresses)


# -- DKIM


@dataclass(frozen=True)
class DkimKey:
    key_type: str  # "RSA", "Ed25519"
    bits: int | None  # RSA's modulus size
    revoked: bool = False


def dkim_key(record: str) -> DkimKey:
    found = tags(record, "DKIM")
    if "v" in found and found["v"] != "DKIM1":
        raise RecordError(
            N_("the DKIM record's version v={value} is not DKIM1", value=repr(found["v"]))
        )
    if "p" not in found:
        raise RecordError(N_("the DKIM record has no public key (p=)"))
    data = re.sub(r"\s+", "", found["p"])
    kind = found.get("k", "rsa").lower()
    if not data:
        return DkimKey(kind.upper() if kind == "rsa" else kind, None, revoked=True)
    try:
        der = base64.b64decode(data, validate=True)
        if kind == "ed25519":
            ed25519.Ed25519PublicKey.from_public_bytes(der)
            return DkimKey("Ed25519", None)
        key = load_der_public_key(der)
    except (binascii.Error, ValueError) as exc:
        raise RecordError(
            N_("the DKIM key is not a valid {kind} key: {error}", kind=kind, error=str(exc))
        ) from None
    if kind != "rsa" or not isinstance(key, rsa.RSAPublicKey):
        raise RecordError(
            N_("the DKIM record's key type k={kind} is not one receivers verify", kind=kind)
        )
    return DkimKey("RSA", key.key_size)


# -- MTA-STS and TLS-RPT


def mta_sts_id(record: str) -> str:
    found = tags(record, "MTA-STS")
    if next(iter(found), None) != "v" or found["v"] != "STSv1":
        raise RecordError(N_("the MTA-STS record does not start with v=STSv1"))
    if not re.fullmatch(r"[A-Za-z0-9]{1,32}", found.get("id", "")):
        raise RecordError(N_("the MTA-STS record has no valid id= (1 to 32 letters and digits)"))
    return found["id"]


def tls_rpt(record: str) -> tuple[str, ...]:
    """The report destinations (rua=) of a TLS-RPT record."""
    found = tags(record, "TLS-RPT")
    if next(iter(found), None) != "v" or found["v"] != "TLSRPTv1":
        raise RecordError(N_("the TLS-RPT record does not start with v=TLSRPTv1"))
    destinations = tuple(u.strip() for u in found.get("rua", "").split(",") if u.strip())
    if not destinations:
        raise RecordError(N_("the TLS-RPT record names no report destination (rua=)"))
    for uri in destinations:
        if not uri.lower().startswith(("mailto:", "https:")):
            raise RecordError(
                N_("the TLS-RPT destination {uri} is not mailto: or https:", uri=repr(uri[:60]))
            )
    return destinations


@dataclass(frozen=True)
class StsPolicy:
    mode: str  # enforce | testing | none
    mx: tuple[str, ...]
    max_age: int


MAX_POLICY_AGE = 31557600  # RFC 8461 §3.2: at most a year


def sts_policy(text: str) -> StsPolicy:
    """The policy file (RFC 8461 §3.2): `key: value` lines; `mx` may repeat."""
    values: dict[str, list[str]] = {}
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise RecordError(
                N_("the MTA-STS policy has a line that is no key: {line}", line=repr(line[:60]))
            )
        values.setdefault(key.strip().lower(), []).append(value.strip())
    if values.get("version") != ["STSv1"]:
        raise RecordError(N_("the MTA-STS policy has no version: STSv1"))
    mode = values.get("mode", [""])[0].lower()
    if mode not in ("enforce", "testing", "none"):
        raise RecordError(
            N_(
                "the MTA-STS policy's mode {mode} is not enforce, testing or none",
                mode=repr(mode),
            )
        )
    age = values.get("max_age", [""])[0]
    if not age.isdigit() or int(age) > MAX_POLICY_AGE:
        raise RecordError(
            N_(
                "the MTA-STS policy's max_age {age} is not 0 to {limit}",
                age=repr(age),
                limit=MAX_POLICY_AGE,
            )
        )
    mx = tuple(m.lower().rstrip(".") for m in values.get("mx", []))
    if mode != "none" and not mx:
        raise RecordError(N_("the MTA-STS policy names no mx"))
    return StsPolicy(mode, mx, int(age))


def mx_matches(pattern: str, host: str) -> bool:
    """RFC 8461 §4.1: an exact name, or `*.` standing for exactly one leftmost label."""
    host = host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return host == pattern
