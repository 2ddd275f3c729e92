"""DNSSEC: is a mail domain signed, and does its chain validate from a trust anchor?

dnspython 2.9 validates signatures only with cryptography 50 or newer, and sslyze pins
cryptography below 47; so the checks here are written on `cryptography` directly, for the
algorithms in use today (RSA/SHA-256 and SHA-512, ECDSA P-256 and P-384, Ed25519; any
other is "unsupported", which RFC 4035 §5.2 treats as unsigned).

The walk (RFC 4035 §5): from the anchor's zone down to the domain, label by label. A DS
for the next name, signed by the zone above, makes it a secure zone once one of its
DNSKEYs matches the DS and signs the DNSKEY set; a name with an SOA but no DS is an
unsigned delegation; a name with neither is inside the zone above. Last, the domain's
zone's SOA must carry a valid signature. The DS's absence is taken from the answer, not
proven with NSEC: an attacker on the path could make a signed domain look unsigned (a
warning), never make a broken one look signed.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

import dns.dnssec
import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from auditor.core.messages import N_, Message, joined
from checks.mail.chain import Chain, ChainStatus
from checks.mail.lookup import Answer

Ask = Callable[[str, str], Answer]


class _Stop(Exception):
    def __init__(self, status: ChainStatus, reason: Message) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


_HASHES: dict[int, type[hashes.HashAlgorithm]] = {8: hashes.SHA256, 10: hashes.SHA512}
_CURVES: dict[int, tuple[ec.EllipticCurve, type[hashes.HashAlgorithm], int]] = {
    13: (ec.SECP256R1(), hashes.SHA256, 32),
    14: (ec.SECP384R1(), hashes.SHA384, 48),
}
SUPPORTED = frozenset({8, 10, 13, 14, 15})
_DIGESTS = {1: "SHA1", 2: "SHA256", 4: "SHA384"}


def signed_data(rrset: dns.rrset.RRset, rrsig: dns.rdata.Rdata) -> bytes:
    """What an RRSIG signs (RFC 4034 §3.1.8.1): its own fields, then the set in canonical
    form and order (§6.2, §6.3), the owner as the wildcard it was expanded from."""
    head = struct.pack(
        "!HBBIIIH",
        rrsig.type_covered,  # type: ignore[attr-defined]
        rrsig.algorithm,  # type: ignore[attr-defined]
        rrsig.labels,  # type: ignore[attr-defined]
        rrsig.original_ttl,  # type: ignore[attr-defined]
        rrsig.expiration,  # type: ignore[attr-defined]
        rrsig.inception,  # type: ignore[attr-defined]
        rrsig.key_tag,  # type: ignore[attr-defined]
    )
    head += rrsig.signer.canonicalize().to_wire()  # type: ignore[attr-defined]
    owner = rrset.name
    labels = owner.labels
    if rrsig.labels < len(labels) - 1:  # type: ignore[attr-defined]
        owner = dns.name.Name((b"*", *labels[-(rrsig.labels + 1) :]))  # type: ignore[attr-defined]
    prefix = owner.canonicalize().to_wire() or b""
    fixed = struct.pack("!HHI", rrset.rdtype, rrset.rdclass, rrsig.original_ttl)  # type: ignore[attr-defined]
    bodies = sorted({rd.to_digestable() for rd in rrset})
    records = (prefix + fixed + struct.pack("!H", len(b)) + b for b in bodies)
    return bytes(head) + b"".join(records)


def verify(signature: bytes, data: bytes, key: dns.rdata.Rdata) -> None:
    """Raise InvalidSignature unless `key` (a DNSKEY) made `signature` over `data`."""
    algorithm, raw = int(key.algorithm), bytes(key.key)  # type: ignore[attr-defined]
    if algorithm in _HASHES:
        public = _rsa_key(raw)
        public.verify(signature, data, padding.PKCS1v15(), _HASHES[algorithm]())
    elif algorithm in _CURVES:
        curve, digest, size = _CURVES[algorithm]
        point = ec.EllipticCurvePublicKey.from_encoded_point(curve, b"\x04" + raw)
        r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        point.verify(encode_dss_signature(r, s), data, ec.ECDSA(digest()))
    elif algorithm == 15:
        ed25519.Ed25519PublicKey.from_public_bytes(raw).verify(signature, data)
    else:
        raise InvalidSignature(f"algorithm {algorithm} is not supported")


def _rsa_key(raw: bytes) -> rsa.RSAPublicKey:
    """RFC 3110: the exponent's length (one byte, or 0 and two), exponent, modulus."""
    if raw[0] == 0:
        size, start = int.from_bytes(raw[1:3], "big"), 3
    else:
        size, start = raw[0], 1
    exponent = int.from_bytes(raw[start : start + size], "big")
    modulus = int.from_bytes(raw[start + size :], "big")
    return rsa.RSAPublicNumbers(exponent, modulus).public_key()


def _rrsets(answer: Answer) -> tuple[dns.rrset.RRset | None, list[dns.rdata.Rdata]]:
    """The answer's set of the asked type, and the RRSIGs over it."""
    if answer.response is None:
        return None, []
    name = dns.name.from_text(answer.name)
    rdtype = dns.rdatatype.from_text(answer.rdtype)
    found = None
    sigs: list[dns.rdata.Rdata] = []
    for rrset in answer.response.answer:
        if rrset.name != name:
            continue
        if rrset.rdtype == rdtype:
            found = rrset
        elif rrset.rdtype == dns.rdatatype.RRSIG:
            sigs += [s for s in rrset if s.type_covered == rdtype]
    return found, sigs


def validate_rrset(
    answer: Answer, keys: Sequence[dns.rdata.Rdata], signer: str, now: float
) -> dns.rrset.RRset:
    """The answer's set, when one of its RRSIGs by `signer` verifies with one of `keys`
    and is current; raises _Stop(BOGUS) otherwise."""
    rrset, sigs = _rrsets(answer)
    if rrset is None:
        reason = N_(
            "{name} {rdtype} has no records to validate", name=answer.name, rdtype=answer.rdtype
        )
        raise _Stop(ChainStatus.BOGUS, reason)
    problems: list[Message] = []
    signer_name = dns.name.from_text(signer)
    for sig in sigs:
        if sig.signer != signer_name:  # type: ignore[attr-defined]
            continue
        if not sig.inception <= now <= sig.expiration:  # type: ignore[attr-defined]
            problems.append(N_("its signature is expired or not yet valid"))
            continue
        for key in keys:
            if dns.dnssec.key_id(key) != sig.key_tag:  # type: ignore[arg-type, attr-defined]
                continue
            try:
                verify(sig.signature, signed_data(rrset, sig), key)  # type: ignore[attr-defined]
                return rrset
            except (InvalidSignature, ValueError):
                problems.append(N_("its signature does not verify"))
    distinct = list(dict.fromkeys(problems))
    why = joined(distinct, "; ") if distinct else N_("it carries no signature by a known key")
    reason = N_("{name} {rdtype}: {why}", name=answer.name, rdtype=answer.rdtype, why=why)
    raise _Stop(ChainStatus.BOGUS, reason)


def _matches(ds: dns.rdata.Rdata, zone: str, key: dns.rdata.Rdata) -> bool:
    digest = _DIGESTS.get(int(ds.digest_type))  # type: ignore[attr-defined]
    if digest is None or int(ds.algorithm) != int(key.algorithm):  # type: ignore[attr-defined]
        return False
    if dns.dnssec.key_id(key) != ds.key_tag:  # type: ignore[arg-type, attr-defined]
        return False
    made = dns.dnssec.make_ds(zone if zone.endswith(".") else zone + ".", key, digest)
    return bool(made.digest == ds.digest)  # type: ignore[attr-defined]


def _ask(ask: Ask, name: str, rdtype: str) -> Answer:
    answer = ask(name, rdtype)
    if answer.failed:
        raise _Stop(ChainStatus.INDETERMINATE, answer.why())
    return answer


def _zone_keys(
    zone: str, ds_set: Sequence[dns.rdata.Rdata], ask: Ask, now: float
) -> list[dns.rdata.Rdata]:
    """The zone's DNSKEYs, once one that a DS names signs the set."""
    answer = _ask(ask, zone, "DNSKEY")
    keys = list(_rrsets(answer)[0] or [])
    if not keys:
        raise _Stop(ChainStatus.BOGUS, N_("{zone} has a DS at its parent but no DNSKEY", zone=zone))
    usable = [d for d in ds_set if int(d.algorithm) in SUPPORTED]  # type: ignore[attr-defined]
    if not usable:
        reason = N_("the DS of {zone} uses no algorithm the auditor knows", zone=zone)
        raise _Stop(ChainStatus.INSECURE, reason)
    entry = [k for k in keys if any(_matches(d, zone, k) for d in usable)]
    if not entry:
        raise _Stop(ChainStatus.BOGUS, N_("no DNSKEY of {zone} matches its DS", zone=zone))
    validate_rrset(answer, entry, zone, now)
    return keys


def _anchor(domain: str, anchors: Sequence[str]) -> tuple[str, list[dns.rdata.Rdata]]:
    """The anchor closest above `domain`, and its DS records."""
    parsed: dict[str, list[dns.rdata.Rdata]] = {}
    for text in anchors:
        zone, rest = text.split(None, 1)
        name = zone.rstrip(".").lower() or "."
        rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, rest)
        parsed.setdefault(name, []).append(rdata)
    above = [z for z in parsed if z in (".", domain) or domain.endswith("." + z)]
    if not above:
        raise _Stop(ChainStatus.INSECURE, N_("no trust anchor is above {domain}", domain=domain))
    zone = max(above, key=lambda z: 0 if z == "." else z.count(".") + 1)
    return zone, parsed[zone]


def _below(zone: str, domain: str) -> list[str]:
    """The names from just below `zone` down to `domain`."""
    labels = domain.split(".")
    depth = 0 if zone == "." else zone.count(".") + 1
    return [".".join(labels[i:]) for i in range(len(labels) - depth - 1, -1, -1)]


def validate_chain(domain: str, anchors: Sequence[str], ask: Ask, now: float) -> Chain:
    chain = Chain(domain)
    try:
        zone, ds_set = _anchor(domain, anchors)
        if not _rrsets(_ask(ask, zone, "DNSKEY"))[1]:
            # The anchor's keys without signatures: the resolver does not pass DNSSEC
            # records on (some home routers); nothing below can be judged.
            reason = N_("the resolver returned the keys of {zone} without signatures", zone=zone)
            raise _Stop(ChainStatus.INDETERMINATE, reason)
        keys = _zone_keys(zone, ds_set, ask, now)
        chain.links.append({"zone": zone, "status": "secure", "trust_anchor": True})
        for name in _below(zone, domain):
            ds_answer = _ask(ask, name, "DS")
            if ds_answer.records:
                ds_rrset = validate_rrset(ds_answer, keys, zone, now)
                keys, zone = _zone_keys(name, list(ds_rrset), ask, now), name
                chain.links.append(
                    {"zone": zone, "status": "secure", "ds": list(ds_answer.records)}
                )
                continue
            if _ask(ask, name, "SOA").records:  # a zone of its own, with no DS above it
                chain.links.append({"zone": name, "status": "insecure", "ds": []})
                reason = N_("{name} is not signed: its parent has no DS for it", name=name)
                raise _Stop(ChainStatus.INSECURE, reason)
        validate_rrset(_ask(ask, zone, "SOA"), keys, zone, now)
    except _Stop as stop:
        chain.status, chain.reason = stop.status, stop.reason
        return chain
    chain.status = ChainStatus.SECURE
    chain.reason = N_("signed and validated from the trust anchor down to {zone}", zone=zone)
    return chain
