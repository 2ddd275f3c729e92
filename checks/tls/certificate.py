"""Pure judgements over a certificate chain: details, trust, completeness, name, key, signature.

No network here: the chain comes from the probe, the trust anchors from sslyze's bundled
Mozilla store plus a site's extra CA file, the time from the context's clock.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import math
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from auditor.core.messages import N_, Message
from auditor.core.text import excerpt

WEAK_SIGNATURE_HASHES = ("sha1", "md5", "md2", "md4")
_ROOTS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Anchors:
    """A set of trust anchors, with what the checks need of it worked out once.

    Reading a root's subject builds a Name from its DER (about 15 us each, 145 roots), and
    the verifier wants a Store: done once per root set, not for every site.
    """

    roots: tuple[x509.Certificate, ...]
    subjects: frozenset[x509.Name]
    store: Store

    @classmethod
    def of(cls, roots: Sequence[x509.Certificate]) -> Anchors:
        return cls(tuple(roots), frozenset(r.subject for r in roots), Store(list(roots)))


def trust_anchors(extra: tuple[x509.Certificate, ...] = ()) -> Anchors:
    """Mozilla's roots plus a site's own, made once per process for each extra set.

    Under the lock: the workers of a run all ask at once, and should not each read the store.
    """
    with _ROOTS_LOCK:
        return _anchors(extra)


@lru_cache(maxsize=16)
def _anchors(extra: tuple[x509.Certificate, ...]) -> Anchors:
    return Anchors.of(_mozilla_roots() + extra)


def mozilla_roots() -> tuple[x509.Certificate, ...]:
    return trust_anchors().roots


@lru_cache(maxsize=1)
def _mozilla_roots() -> tuple[x509.Certificate, ...]:
    """Mozilla's NSS root store as sslyze ships it (read once per process: it is data)."""
    # Found without importing sslyze: its package __init__ loads every plugin (~150 ms).
    spec = importlib.util.find_spec("sslyze")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("sslyze is not installed: its copy of Mozilla's root store is needed")
    store = Path(spec.submodule_search_locations[0]) / "plugins/certificate_info/trust_stores"
    pem = (store / "pem_files/mozilla_nss.pem").read_bytes()
    # One root in the store has a negative serial, which cryptography warns about. The
    # warning filters are process-wide: the caller holds _ROOTS_LOCK, so no other thread
    # loading at the same time can undo them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return tuple(x509.load_pem_x509_certificates(pem))


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def dns_names(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    names = [n.lower() for n in san.get_values_for_type(x509.DNSName)]
    names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    return tuple(names)


def key_description(cert: x509.Certificate) -> tuple[str, int | None]:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456
    return type(key).__name__, None


def signature_algorithm(cert: x509.Certificate) -> str:
    oid = cert.signature_algorithm_oid
    return oid._name if oid._name != "Unknown OID" else oid.dotted_string


def signature_hash(cert: x509.Certificate) -> str | None:
    """The hash under the signature, lower case (`sha256`), or None (Ed25519, unknown)."""
    try:
        algorithm = cert.signature_hash_algorithm
    except Exception:  # cryptography raises UnsupportedAlgorithm for hashes it does not know
        name = signature_algorithm(cert).lower()
        return next((h for h in WEAK_SIGNATURE_HASHES if h in name), None)
    return algorithm.name if algorithm is not None else None


def fingerprint_sha256(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def days_left(cert: x509.Certificate, now: datetime) -> int:
    return math.floor((cert.not_valid_after_utc - now) / timedelta(days=1))


@dataclass(frozen=True)
class CertificateDetails:
    """What the public page shows about a certificate."""

    subject: str
    common_name: str | None
    organization: str | None
    sans: tuple[str, ...]
    issuer: str
    issuer_organization: str | None
    serial: str
    not_before: str
    not_after: str
    days_left: int
    sha256: str
    key_type: str
    key_size: int | None
    signature_algorithm: str


def describe(cert: x509.Certificate, now: datetime) -> CertificateDetails:
    key_type, key_size = key_description(cert)
    return CertificateDetails(
        subject=cert.subject.rfc4514_string(),
        common_name=_attribute(cert.subject, NameOID.COMMON_NAME),
        organization=_attribute(cert.subject, NameOID.ORGANIZATION_NAME),
        sans=dns_names(cert),
        issuer=cert.issuer.rfc4514_string(),
        issuer_organization=_attribute(cert.issuer, NameOID.ORGANIZATION_NAME),
        serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc.isoformat(),
        not_after=cert.not_valid_after_utc.isoformat(),
        days_left=days_left(cert, now),
        sha256=fingerprint_sha256(cert),
        key_type=key_type,
        key_size=key_size,
        signature_algorithm=signature_algorithm(cert),
    )


def hostname_matches(cert: x509.Certificate, host: str) -> bool:
    """RFC 6125: SAN entries only (no CN fallback); a wildcard covers one leftmost label."""
    host = host.lower().rstrip(".")
    try:
        wanted_ip = ipaddress.ip_address(host)
    except ValueError:
        wanted_ip = None
    for name in dns_names(cert):
        if wanted_ip is not None:
            if name == str(wanted_ip):
                return True
            continue
        if name == host:
            return True
        if name.startswith("*.") and "." in host:
            label, rest = host.split(".", 1)
            if label and rest == name[2:] and rest.count(".") >= 1:
                return True
    return False


def is_self_issued(cert: x509.Certificate) -> bool:
    return cert.issuer == cert.subject


def chain_complete(chain: Sequence[x509.Certificate], anchors: Anchors) -> tuple[bool, Message]:
    """Whether the server sent every intermediate between its leaf and a trust anchor.

    Walks issuer names from the leaf through what the server sent; complete when the walk
    reaches a certificate whose issuer is a known root (or a self-issued one). Browsers may
    paper over a gap by fetching the missing intermediate; other clients fail, hence a check.
    """
    if not chain:
        return False, N_("the server sent no certificate")
    sent = list(chain[1:])
    current = chain[0]
    for _ in range(len(chain) + 1):
        if is_self_issued(current):
            return True, N_("the chain ends in a self-issued certificate")
        if current.issuer in anchors.subjects:
            return True, N_("the chain reaches a trusted root")
        issuer = next((c for c in sent if c.subject == current.issuer), None)
        if issuer is None:
            named = excerpt(current.subject.rfc4514_string())  # the server's text
            return False, N_("the server did not send the issuer of {subject}", subject=named)
        current = issuer
    return False, N_("the chain loops")


def _verification_reason(detail: str) -> Message:
    """cryptography's verifier speaks Rust; say the same in one plain clause."""
    lowered = detail.lower()
    if "forbidden signature algorithm" in lowered:
        return N_("does not validate: signed with an algorithm no browser accepts")
    if "not valid at validation time" in lowered:
        return N_("does not validate: a certificate in its chain has expired or is not valid yet")
    if "forbidden public key algorithm" in lowered:
        return N_("does not validate: its chain holds a key type no browser accepts")
    if "missing required extension" in lowered:
        return N_("does not chain to a trusted root (or lacks a required extension)")
    if "candidates exhausted" in lowered:
        return N_("does not chain to a trusted root")
    shown = excerpt(detail.split("(encountered", maxsplit=1)[0].strip(), 160)
    return N_("does not validate: {detail}", detail=shown)


@dataclass(frozen=True)
class Trust:
    """What path validation concluded, and the path it found when the chain validates."""

    ok: bool
    reason: Message
    path: tuple[x509.Certificate, ...] = ()  # leaf first, the trust anchor last; () if not ok


def verify_trust(
    chain: Sequence[x509.Certificate], anchors: Anchors, now: datetime, host: str | None = None
) -> Trust:
    """Path validation to a trust anchor, with the leaf's own name so only trust is judged.

    The name is the site's `host` when the leaf covers it, else the leaf's first: a first
    name the verifier cannot take (`_dmarc.example.dk`) must not make a good chain untrusted.
    The validation time is clamped into the leaf's validity so that an expired certificate
    is reported once, by the expiry check, not a second time here.
    """
    if not chain:
        return Trust(False, N_("the server sent no certificate"))
    leaf = chain[0]
    if is_self_issued(leaf) and leaf not in anchors.roots:
        return Trust(False, N_("is self-signed and not in a trusted root store"))
    names = dns_names(leaf)
    if not names:
        return Trust(False, N_("names no host (no subjectAltName)"))
    name = names[0]
    if host is not None and hostname_matches(leaf, host):
        name = host.lower().rstrip(".")
    moment = min(max(now, leaf.not_valid_before_utc), leaf.not_valid_after_utc)
    try:
        subject: x509.GeneralName
        try:
            subject = x509.IPAddress(ipaddress.ip_address(name))
        except ValueError:
            subject = x509.DNSName(name.replace("*.", "wildcard.", 1))
        verifier = PolicyBuilder().store(anchors.store).time(moment).build_server_verifier(subject)
        path = verifier.verify(leaf, list(chain[1:]))
    except VerificationError as exc:
        return Trust(False, _verification_reason(str(exc)))
    except ValueError as exc:
        return Trust(False, N_("cannot be validated: {error}", error=excerpt(str(exc))))
    return Trust(True, N_("validates to a trusted root"), tuple(path))
