"""A throwaway certificate authority for tests and `auditor demo`: root -> intermediate -> leaf.

Extensions follow RFC 5280 (cryptography's own verifier rejects a CA without keyUsage), and
every broken case a site can present is one keyword away: expired, not yet valid, wrong
name, self-signed, weak key, hostile subject fields.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = (
    rsa.RSAPrivateKey
    | ec.EllipticCurvePrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key."""

    cert: x509.Certificate
    key: PrivateKey

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class LeafFiles:
    """PEM files a web server needs: the chain it sends, and its key."""

    fullchain: Path  # leaf + intermediate (what a correct server sends)
    leaf_only: Path  # leaf alone (a server that forgets its intermediate)
    key: Path


def new_key(kind: str = "rsa2048") -> PrivateKey:
    """`rsa1024`, `rsa2048`, `rsa3072`, `rsa4096`, `ec256`, `ec384`, `ed25519`, `ed448`."""
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ed448":
        return ed448.Ed448PrivateKey.generate()
    curves: dict[str, ec.EllipticCurve] = {"ec256": ec.SECP256R1(), "ec384": ec.SECP384R1()}
    return ec.generate_private_key(curves[kind])


def _name(common_name: str, organization: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization is not None:
        attributes.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_usage(key: PrivateKey) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=isinstance(key, rsa.RSAPrivateKey),
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _san(names: list[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _digest_for(signer: PrivateKey) -> hashes.SHA256 | None:
    """EdDSA hashes inside its own algorithm: cryptography wants no digest for it."""
    if isinstance(signer, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        return None
    return hashes.SHA256()


class TestCA:
    """A root and an intermediate, made fresh; issues leaves for any case."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, name: str = "Auditor Test", now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)
        root_key = new_key("ec256")
        root_name = _name(f"{name} Root CA", name)
        root = (
            self._builder(root_name, root_name, root_key.public_key(), days=3650)
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(_ca_usage(), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
            )
            .sign(root_key, hashes.SHA256())
        )
        self.root = Issued(root, root_key)
        inter_key = new_key("ec256")
        inter_name = _name(f"{name} Intermediate CA", name)
        inter = (
            self._builder(inter_name, root_name, inter_key.public_key(), days=1825)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_usage(), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(inter_key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                critical=False,
            )
            .sign(root_key, hashes.SHA256())
        )
        self.intermediate = Issued(inter, inter_key)

    def _builder(
        self,
        subject: x509.Name,
        issuer: x509.Name,
        public_key: object,
        days: int,
        not_before: datetime | None = None,
    ) -> x509.CertificateBuilder:
        start = not_before or self.now - timedelta(days=1)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)  # type: ignore[arg-type]
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=days))
        )

    def issue(
        self,
        names: list[str],
        *,
        key: str = "ec256",
        valid_days: int = 90,
        not_before: datetime | None = None,
        common_name: str | None = None,
        organization: str | None = None,
        self_signed: bool = False,
    ) -> Issued:
        """A server certificate for `names` (DNS names or IP addresses).

        `not_before` in the past with a short `valid_days` makes an expired certificate.
        (cryptography refuses to sign with SHA-1: the lab makes that case with openssl.)
        """
        leaf_key = new_key(key)
        subject = _name(common_name or names[0], organization)
        signer: PrivateKey = self.intermediate.key
        issuer = self.intermediate.cert.subject
        if self_signed:
            signer, issuer = leaf_key, subject
        start = not_before or datetime.now(UTC) - timedelta(days=1)
        builder = (
            self._builder(subject, issuer, leaf_key.public_key(), valid_days, start)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_leaf_usage(leaf_key), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(_san(names), critical=False)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False
            )
        )
        if not self_signed:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.intermediate.key.public_key()
                ),
                critical=False,
            )
        cert = builder.sign(signer, _digest_for(signer))
        return Issued(cert, leaf_key)

    def write_root(self, path: Path) -> Path:
        path.write_bytes(self.root.cert_pem)
        return path

    def write_leaf(self, leaf: Issued, folder: Path, stem: str) -> LeafFiles:
        folder.mkdir(parents=True, exist_ok=True)
        files = LeafFiles(
            fullchain=folder / f"{stem}.fullchain.pem",
            leaf_only=folder / f"{stem}.leaf.pem",
            key=folder / f"{stem}.key.pem",
        )
        self_signed = leaf.cert.issuer == leaf.cert.subject
        chain = leaf.cert_pem if self_signed else leaf.cert_pem + self.intermediate.cert_pem
        files.fullchain.write_bytes(chain)
        files.leaf_only.write_bytes(leaf.cert_pem)
        files.key.write_bytes(leaf.key_pem)
        files.key.chmod(0o600)
        return files
