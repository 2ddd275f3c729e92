"""OpenSSH public keys and authorized_keys lines, fingerprinted exactly as `ssh-keygen -lf` does.

The format is sshd(8)'s "AUTHORIZED_KEYS FILE FORMAT": `[options] keytype base64 [comment]`,
where options are comma-separated and may contain spaces and commas inside double quotes.
No maintained Python library parses the option prefix and every key type (security keys,
certificates) and fingerprints them like ssh-keygen, so it is done here, strictly.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass

# key type -> (ssh-keygen's name, how the blob continues after the type string)
_PLAIN_TYPES: dict[str, tuple[str, str]] = {
    "ssh-rsa": ("RSA", "rsa"),
    "ssh-dss": ("DSA", "dsa"),
    "ecdsa-sha2-nistp256": ("ECDSA", "ecdsa"),
    "ecdsa-sha2-nistp384": ("ECDSA", "ecdsa"),
    "ecdsa-sha2-nistp521": ("ECDSA", "ecdsa"),
    "ssh-ed25519": ("ED25519", "ed25519"),
    "sk-ecdsa-sha2-nistp256@openssh.com": ("ECDSA-SK", "sk-ecdsa"),
    "sk-ssh-ed25519@openssh.com": ("ED25519-SK", "sk-ed25519"),
}
_CERT_SUFFIX = "-cert-v01@openssh.com"
_CURVE_BITS = {"nistp256": 256, "nistp384": 384, "nistp521": 521}


class KeyFormatError(ValueError):
    """Not an OpenSSH public key; the message says what is wrong."""


def key_types() -> tuple[str, ...]:
    plain = tuple(_PLAIN_TYPES)
    certs = tuple(_cert_type(t) for t in plain)
    return plain + certs


def _cert_type(plain: str) -> str:
    if plain.endswith("@openssh.com"):
        return plain.replace("@openssh.com", _CERT_SUFFIX)
    return plain + _CERT_SUFFIX


_CERT_TO_PLAIN = {_cert_type(t): t for t in _PLAIN_TYPES}


class _Reader:
    def __init__(self, blob: bytes) -> None:
        self.blob = blob
        self.pos = 0

    def string(self) -> bytes:
        if self.pos + 4 > len(self.blob):
            raise KeyFormatError("the key blob is truncated")
        (length,) = struct.unpack(">I", self.blob[self.pos : self.pos + 4])
        start = self.pos + 4
        if start + length > len(self.blob):
            raise KeyFormatError("the key blob is truncated")
        self.pos = start + length
        return self.blob[start : self.pos]


@dataclass(frozen=True)
class PublicKey:
    key_type: str  # as written: "ssh-ed25519", "ssh-rsa-cert-v01@openssh.com", ...
    blob: bytes
    kind: str  # as ssh-keygen names it: "ED25519", "RSA", "ED25519-SK", "RSA-CERT", ...
    bits: int
    fingerprint: str  # "SHA256:..." over the plain key (a certificate's certified key)

    @property
    def is_certificate(self) -> bool:
        return self.key_type.endswith(_CERT_SUFFIX)


def _fields(reader: _Reader, shape: str) -> tuple[list[bytes], int]:
    """The key's own fields after its type string, and its size in bits."""
    if shape == "rsa":
        e, n = reader.string(), reader.string()
        return [e, n], int.from_bytes(n, "big").bit_length()
    if shape == "dsa":
        p, q, g, y = (reader.string() for _ in range(4))
        return [p, q, g, y], int.from_bytes(p, "big").bit_length()
    if shape in ("ecdsa", "sk-ecdsa"):
        curve, point = reader.string(), reader.string()
        fields = [curve, point]
        if shape == "sk-ecdsa":
            fields.append(reader.string())  # application
        bits = _CURVE_BITS.get(curve.decode("ascii", "replace"))
        if bits is None:
            raise KeyFormatError(f"unknown curve {curve!r}")
        return fields, bits
    public = reader.string()
    if len(public) != 32:
        raise KeyFormatError("an Ed25519 key must be 32 bytes")
    fields = [public]
    if shape == "sk-ed25519":
        fields.append(reader.string())
    return fields, 256


def _pack(*parts: bytes) -> bytes:
    return b"".join(struct.pack(">I", len(p)) + p for p in parts)


def parse_public_key(key_type: str, b64: str) -> PublicKey:
    try:
        blob = base64.b64decode(b64.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise KeyFormatError("the key is not valid base64") from None
    reader = _Reader(blob)
    inner = reader.string().decode("ascii", "replace")
    if inner != key_type:
        raise KeyFormatError(f"the key says it is {inner!r}, the line says {key_type!r}")
    plain = _CERT_TO_PLAIN.get(key_type, key_type)
    if plain not in _PLAIN_TYPES:
        raise KeyFormatError(f"unknown key type {key_type!r}")
    name, shape = _PLAIN_TYPES[plain]
    if key_type != plain:
        reader.string()  # the certificate's nonce
    fields, bits = _fields(reader, shape)
    plain_blob = blob if key_type == plain else _pack(plain.encode(), *fields)
    digest = base64.b64encode(hashlib.sha256(plain_blob).digest()).decode().rstrip("=")
    kind = name + ("-CERT" if key_type != plain else "")
    return PublicKey(key_type, blob, kind, bits, f"SHA256:{digest}")


@dataclass(frozen=True)
class AuthorizedKey:
    line: int
    options: str | None  # the option prefix, verbatim
    key: PublicKey
    comment: str | None

    @property
    def cert_authority(self) -> bool:
        return any(o.strip().lower() == "cert-authority" for o in split_options(self.options or ""))


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


def _tokens(text: str) -> Iterator[tuple[int, str, bool]]:
    """Each character (or an escaped quote, two characters) with its index and whether a
    quoted value is open after it, read as sshd's sshkey_advance_past_options reads: a
    backslash before a quote makes the pair plain text, inside quotes or not, and escapes
    nothing else (not another backslash)."""
    quoted, index = False, 0
    while index < len(text):
        if text.startswith('\\"', index):
            yield index, '\\"', quoted
            index += 2
            continue
        if text[index] == '"':
            quoted = not quoted
        yield index, text[index], quoted
        index += 1


def split_options(options: str) -> list[str]:
    """Split on commas outside double quotes, as sshd does."""
    parts: list[str] = []
    current: list[str] = []
    for _, piece, quoted in _tokens(options):
        if piece == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(piece)
    parts.append("".join(current))
    return parts


def _take_options(text: str) -> tuple[str, str]:
    """The option prefix and the rest: the prefix ends at the first blank outside quotes.

    Where sshd sees the key start is where the key that grants access is.
    """
    quoted = False
    for index, piece, quoted in _tokens(text):
        if piece in " \t" and not quoted:
            return text[:index], text[index:].lstrip(" \t")
    if quoted:
        raise KeyFormatError("an option's quoted value is not closed")
    return text, ""


def parse_line(text: str, number: int) -> AuthorizedKey | BadLine | None:
    """One authorized_keys line: a key, a bad line with its reason, or None (blank/comment)."""
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return None
    known = set(key_types())
    options: str | None = None
    rest = stripped
    first = stripped.split(None, 1)[0]
    try:
        if first not in known:
            options, rest = _take_options(stripped)
            if not rest:
                return BadLine(
                    number, f"no key after the options (unknown key type {first[:40]!r}?)"
                )
        parts = rest.split(None, 2)
        if len(parts) < 2:
            return BadLine(number, "a key type without a key")
        key_type, b64 = parts[0], parts[1]
        if key_type not in known:
            return BadLine(number, f"unknown key type {key_type[:40]!r}")
        key = parse_public_key(key_type, b64)
    except KeyFormatError as exc:
        return BadLine(number, str(exc))
    comment = parts[2].strip() if len(parts) > 2 else None
    return AuthorizedKey(number, options, key, comment or None)


def parse_authorized_keys(text: str) -> tuple[list[AuthorizedKey], list[BadLine]]:
    keys: list[AuthorizedKey] = []
    bad: list[BadLine] = []
    # sshd ends a line at "\n" only; splitlines() would also cut at \f, \x1c, \x85, U+2028...
    # inside an option's value, and lose the key after it.
    for number, line in enumerate(text.split("\n"), start=1):
        parsed = parse_line(line, number)
        if isinstance(parsed, AuthorizedKey):
            keys.append(parsed)
        elif isinstance(parsed, BadLine):
            bad.append(parsed)
    return keys, bad


def parse_public_key_line(text: str) -> PublicKey:
    """`keytype base64 [comment]`, as in a .pub file or the roster."""
    parts = text.strip().split(None, 2)
    if len(parts) < 2:
        raise KeyFormatError("expected 'keytype base64 [comment]'")
    return parse_public_key(parts[0], parts[1])
