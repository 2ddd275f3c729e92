"""What a fronted site's origin answers when asked directly, beside what its public address serves.

A site behind a CDN or proxy (Cloudflare) shows the world the front's addresses; the promise
is about the origin behind it. The origin is asked over TLS with the site's name (SNI and
Host), from the auditor's own address: the certificate it serves (its public key and names)
and the first line of its HTTP answer are compared, by the judge, with the public answer.
Certificates are read, never trusted here: trust is the tls family's verdict on the site.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from auditor.core.deadlines import DEADLINES, shut_down
from auditor.core.family import AuditContext
from auditor.core.messages import N_
from checks.tls.certificate import dns_names, hostname_matches

MAX_STATUS_LINE = 8192


@dataclass(frozen=True)
class TlsAnswer:
    """One address's answer for the site's name: its certificate's key and names, and the
    status of `GET /`; or why there is none."""

    address: str
    key_sha256: str = ""  # SHA-256 of the certificate's SubjectPublicKeyInfo, hex
    names: tuple[str, ...] = ()
    covers_site: bool = False  # the certificate is valid for the site's name
    http_status: int | None = None
    error: str | None = None  # a phrase of ours (a Message) or the network's own words

    @property
    def answered(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class FrontProbe:
    """The public address's answer and each origin address's answer."""

    public: TlsAnswer
    origins: tuple[TlsAnswer, ...]


def _public_key_sha256(cert: x509.Certificate) -> str:
    spki = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


def _status(line: bytes) -> int | None:
    parts = line.split()
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
        return int(parts[1])
    return None


def _host_header(host: str, port: int) -> str:
    return host if port == 443 else f"{host}:{port}"


def ask(host: str, port: int, address: str, timeout: float) -> TlsAnswer:
    """Connect to `address` with `host` as SNI, read the certificate, send `GET /` for `host`.

    The handshake and the answer's first line together get twice `timeout` (a request's
    bound, as for the https family): a peer that trickles bytes is cut off, not waited on.
    """
    try:
        raw = socket.create_connection((address, port), timeout=timeout)
    except OSError as exc:  # refused, unreachable, timed out
        return TlsAnswer(address, error=_error(exc))
    # wrap_socket detaches `raw`: the deadline shuts down whichever socket holds the fd now.
    live = [raw]
    too_slow = N_("no complete answer within {seconds} s", seconds=f"{2 * timeout:g}")
    with raw, DEADLINES.limit(2 * timeout, lambda: shut_down(live[-1])) as cutoff:
        try:
            cert, line = _exchange(live, host, port)
        except TimeoutError:  # a silent peer meets the socket timeout first: the same words
            return TlsAnswer(address, error=too_slow)
        except (OSError, ValueError) as exc:  # TLS alert, reset, unreadable certificate
            return TlsAnswer(address, error=too_slow if cutoff.expired else _error(exc))
        if cutoff.expired:  # what was read before the cut is no whole answer
            return TlsAnswer(address, error=too_slow)
    if cert is None:
        return TlsAnswer(address, error=N_("no certificate"))
    return TlsAnswer(
        address,
        key_sha256=_public_key_sha256(cert),
        names=dns_names(cert),
        covers_site=hostname_matches(cert, host),
        http_status=_status(line),
    )


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}".strip(": ")


def _exchange(
    live: list[socket.socket], host: str, port: int
) -> tuple[x509.Certificate | None, bytes]:
    """The certificate the peer serves for `host`, and the first line of its answer; the
    TLS socket is put in `live` as soon as it exists."""
    context = ssl.create_default_context()
    context.check_hostname = False  # the name is compared by the judge; trust is not ours
    context.verify_mode = ssl.CERT_NONE
    tls = context.wrap_socket(live[0], server_hostname=host, do_handshake_on_connect=False)
    live.append(tls)
    with tls:
        tls.do_handshake()
        der = tls.getpeercert(binary_form=True)
        # Read here, so that a certificate that cannot be read is this peer's error.
        cert = x509.load_der_x509_certificate(der) if der else None
        request = (
            f"GET / HTTP/1.1\r\nHost: {_host_header(host, port)}\r\n"
            "User-Agent: auditor\r\nConnection: close\r\n\r\n"
        )
        tls.sendall(request.encode("ascii"))
        line = tls.makefile("rb").readline(MAX_STATUS_LINE)
    return cert, line


def probe_front(
    host: str, port: int, public: str, origins: tuple[str, ...], ctx: AuditContext
) -> FrontProbe:
    """The public address's answer and every origin's, each through the run's connection slots."""
    timeout = ctx.config.limits.connect_timeout

    def one(address: str) -> TlsAnswer:
        with ctx.gate(address)():
            return ask(host, port, address, timeout)

    return FrontProbe(public=one(public), origins=tuple(one(a) for a in origins))
