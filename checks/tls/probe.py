"""The TLS probe: a site's chain, protocol versions and suites in a dozen or two handshakes.

sslyze's default scan enumerates every cipher suite of every protocol, one connection per
suite (about 590 per site). The verdicts need far less: one handshake per protocol version
says which versions are accepted, and offering every weak suite of a version in one
ClientHello says whether any is accepted; an accepted one is dropped and the rest offered
again, so a clean server costs one connection per version. The suites Mozilla's intermediate
profile leaves out (checks/tls/policy.py) are found the same way, within a fixed budget of
handshakes per site. Handshakes use nassl, sslyze's own OpenSSL binding: its legacy build
still speaks SSL 2/3 and the weak suites that a modern OpenSSL no longer compiles in, which
is what it takes to notice a server that does.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography import x509
from nassl._nassl import OpenSSLError
from nassl.legacy_ssl_client import LegacySslClient
from nassl.ssl_client import (
    ClientCertificateRequested,
    OpenSslVerifyEnum,
    OpenSslVersionEnum,
    SslClient,
)

from auditor.core.deadlines import DEADLINES, Cutoff, shut_down
from auditor.core.slots import Gate, no_gate
from checks.tls.suites import (
    EVERYTHING,
    OUTSIDE_INTERMEDIATE_STRING,
    STRONG_CIPHER_STRING,
    WEAK_CIPHER_STRING,
)


class TlsVersion(StrEnum):
    SSL_2_0 = "SSL 2.0"
    SSL_3_0 = "SSL 3.0"
    TLS_1_0 = "TLS 1.0"
    TLS_1_1 = "TLS 1.1"
    TLS_1_2 = "TLS 1.2"
    TLS_1_3 = "TLS 1.3"


_NASSL_VERSION: dict[TlsVersion, OpenSslVersionEnum] = {
    TlsVersion.SSL_2_0: OpenSslVersionEnum.SSLV2,
    TlsVersion.SSL_3_0: OpenSslVersionEnum.SSLV3,
    TlsVersion.TLS_1_0: OpenSslVersionEnum.TLSV1,
    TlsVersion.TLS_1_1: OpenSslVersionEnum.TLSV1_1,
    TlsVersion.TLS_1_2: OpenSslVersionEnum.TLSV1_2,
    TlsVersion.TLS_1_3: OpenSslVersionEnum.TLSV1_3,
}

# Only the legacy build (OpenSSL 1.0.2) has these versions.
_LEGACY_ONLY = (TlsVersion.SSL_2_0, TlsVersion.SSL_3_0, TlsVersion.TLS_1_0, TlsVersion.TLS_1_1)
# Versions whose weak suites are looked for; SSL 2.0 fails on its own, TLS 1.3 has none.
WEAK_SUITE_VERSIONS = (
    TlsVersion.SSL_3_0,
    TlsVersion.TLS_1_0,
    TlsVersion.TLS_1_1,
    TlsVersion.TLS_1_2,
)
_MAX_WEAK_ROUNDS = 64  # a bound, in case a server keeps accepting what we drop
# Handshakes per site for the suites outside Mozilla intermediate, every version together:
# with the versions' and weak suites' own, a site stays within 30 connections (the target).
OUTSIDE_ROUNDS = 12


class HandshakeRefused(Exception):
    """The server answered and refused this handshake (alert or close)."""


class Unreachable(Exception):
    """No TCP connection, or no TLS answer within the timeout."""


@dataclass(frozen=True)
class Endpoint:
    host: str  # the name sent as SNI and checked against the certificate
    address: str
    port: int
    timeout: float
    gate: Gate = no_gate  # a slot per connection, shared with the run's other probes


@dataclass(frozen=True)
class Handshake:
    cipher: str
    chain_pem: tuple[str, ...] = ()
    ocsp_stapled: bool | None = None


@dataclass
class Rounds:
    """A budget of handshakes shared by several searches (threads) of one site."""

    left: int
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


@dataclass
class ConnectionCounter:
    """Counts the TCP connections a probe opens (the performance target is per site)."""

    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self) -> None:
        with self.lock:
            self.count += 1


@dataclass(frozen=True)
class DeepSuites:
    """`--deep`'s exhaustive list: the accepted suites per version, and why any are missing."""

    accepted: dict[TlsVersion, tuple[str, ...]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # a version, or "scan" -> why not listed


@dataclass(frozen=True)
class TlsScan:
    """Everything the tls checks judge, collected once per (site, address)."""

    endpoint: Endpoint
    connect_error: str | None = None
    chain: tuple[x509.Certificate, ...] = ()
    ocsp_stapled: bool | None = None
    versions: dict[TlsVersion, bool | None] = field(default_factory=dict)  # None: inconclusive
    version_errors: dict[TlsVersion, str] = field(default_factory=dict)
    weak_suites: tuple[tuple[TlsVersion, str], ...] = ()
    weak_errors: dict[TlsVersion, str] = field(default_factory=dict)
    # Strong suites outside Mozilla intermediate (each a warning), and why any list is unsure.
    outside_suites: tuple[tuple[TlsVersion, str], ...] = ()
    outside_errors: dict[TlsVersion, str] = field(default_factory=dict)
    deep_suites: DeepSuites | None = None
    connections: int = 0

    @property
    def accepted_versions(self) -> tuple[TlsVersion, ...]:
        return tuple(v for v in TlsVersion if self.versions.get(v))


def _connect(endpoint: Endpoint, counter: ConnectionCounter) -> socket.socket:
    counter.add()
    try:
        sock = socket.create_connection((endpoint.address, endpoint.port), timeout=endpoint.timeout)
    except TimeoutError:
        raise Unreachable(f"no TCP connection within {endpoint.timeout:g} s") from None
    except ConnectionRefusedError:
        raise Unreachable("connection refused") from None
    except OSError as exc:
        raise Unreachable(f"cannot connect: {exc.strerror or exc}") from None
    sock.settimeout(endpoint.timeout)
    return sock


def handshake(
    endpoint: Endpoint,
    counter: ConnectionCounter,
    version: TlsVersion | None = None,
    ciphers: str | None = None,
    legacy: bool = False,
    want_details: bool = False,
) -> Handshake:
    """One TLS handshake; `version=None` lets the server pick the highest it speaks."""
    with endpoint.gate():
        return _handshake(endpoint, counter, version, ciphers, legacy, want_details)


def _handshake(
    endpoint: Endpoint,
    counter: ConnectionCounter,
    version: TlsVersion | None,
    ciphers: str | None,
    legacy: bool,
    want_details: bool,
) -> Handshake:
    sock = _connect(endpoint, counter)
    # The whole handshake gets `timeout`, not each read: see auditor.core.deadlines.
    with DEADLINES.limit(endpoint.timeout, lambda: shut_down(sock)) as cutoff:
        try:
            return _negotiate(sock, endpoint, version, ciphers, legacy, want_details, cutoff)
        finally:
            sock.close()


def _negotiate(
    sock: socket.socket,
    endpoint: Endpoint,
    version: TlsVersion | None,
    ciphers: str | None,
    legacy: bool,
    want_details: bool,
    cutoff: Cutoff,
) -> Handshake:
    ssl_version = _NASSL_VERSION[version] if version else OpenSslVersionEnum.SSLV23
    client: SslClient | LegacySslClient
    if legacy:
        client = LegacySslClient(
            underlying_socket=sock, ssl_version=ssl_version, ssl_verify=OpenSslVerifyEnum.NONE
        )
        if version is not TlsVersion.SSL_2_0:  # SSL 2.0 has no extensions, no SNI
            client.set_tlsext_host_name(endpoint.host)
    else:
        client = SslClient(
            underlying_socket=sock,
            ssl_version=ssl_version,
            ssl_verify=OpenSslVerifyEnum.NONE,
            server_name_indication=endpoint.host,
        )
    if ciphers is not None:
        client.set_cipher_list(ciphers)
    if want_details:
        client.set_tlsext_status_ocsp()
    # A silent peer meets the socket timeout, a trickling one the deadline, whichever
    # comes first when both are due together: the same words for both.
    too_slow = f"no complete TLS answer within {endpoint.timeout:g} s"
    try:
        client.do_handshake()
    except TimeoutError:
        raise Unreachable(too_slow) from None
    except ClientCertificateRequested:  # the auditor has none to give: refused, not a crash
        raise HandshakeRefused("the server asks for a client certificate") from None
    except (OpenSSLError, OSError) as exc:  # OSError: nassl's "peer did not send data back"
        if cutoff.expired:  # the deadline shut the socket: slow, not refused
            raise Unreachable(too_slow) from None
        raise HandshakeRefused(_first_line(exc)) from None
    details = Handshake(cipher=client.get_current_cipher_name())
    if want_details:
        try:
            chain_pem = tuple(client.get_received_chain())
        except ValueError:  # nassl: an anonymous suite, the server sent no certificate
            chain_pem = ()
        details = Handshake(
            cipher=details.cipher,
            chain_pem=chain_pem,
            ocsp_stapled=client.get_tlsext_status_ocsp_resp() is not None,
        )
    return details


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _version_accepted(
    endpoint: Endpoint, counter: ConnectionCounter, version: TlsVersion
) -> tuple[bool | None, str | None]:
    legacy = version in _LEGACY_ONLY
    # Offer every suite the build knows, so a version is judged by itself, not by suites.
    ciphers = EVERYTHING if legacy else None
    try:
        handshake(endpoint, counter, version, ciphers=ciphers, legacy=legacy)
    except HandshakeRefused:
        return False, None
    except Unreachable as exc:
        return None, str(exc)
    return True, None


def _weak_suites(
    endpoint: Endpoint, counter: ConnectionCounter, version: TlsVersion
) -> tuple[list[str], str | None]:
    """Offer every weak suite at once; drop what the server picks; again until it refuses."""
    return _accepted_of(
        endpoint, counter, version, WEAK_CIPHER_STRING, True, Rounds(_MAX_WEAK_ROUNDS)
    )


def _outside_suites(
    endpoint: Endpoint, counter: ConnectionCounter, version: TlsVersion, rounds: Rounds
) -> tuple[list[str], str | None]:
    """The same for the suites outside Mozilla intermediate, within the site's budget.

    TLS 1.2 is offered by the modern build, which knows ChaCha20, CCM and ARIA; the older
    versions only by the legacy one.
    """
    legacy = version in _LEGACY_ONLY
    return _accepted_of(endpoint, counter, version, OUTSIDE_INTERMEDIATE_STRING, legacy, rounds)


def _accepted_of(
    endpoint: Endpoint,
    counter: ConnectionCounter,
    version: TlsVersion,
    offered: str,
    legacy: bool,
    rounds: Rounds,
) -> tuple[list[str], str | None]:
    """Offer a class of suites at once; drop what the server picks; again until it refuses."""
    accepted: list[str] = []
    while rounds.take():
        excluded = "".join(f":!{suite}" for suite in accepted)
        try:
            result = handshake(
                endpoint, counter, version, ciphers=offered + excluded, legacy=legacy
            )
        except HandshakeRefused:
            return accepted, None
        except Unreachable as exc:
            return accepted, str(exc)
        except ValueError:  # nassl: the cipher string matches nothing left to offer
            return accepted, None
        if result.cipher in accepted:  # the server ignored our exclusion: stop, don't loop
            return accepted, None
        accepted.append(result.cipher)
    return accepted, "the handshake budget ran out: the list may be incomplete"


def first_handshake(endpoint: Endpoint, counter: ConnectionCounter) -> Handshake:
    """The handshake that fetches the chain: a modern client first, the legacy one as fallback."""
    try:
        return handshake(endpoint, counter, ciphers=STRONG_CIPHER_STRING, want_details=True)
    except HandshakeRefused as modern_refusal:
        try:
            return handshake(endpoint, counter, ciphers=EVERYTHING, legacy=True, want_details=True)
        except HandshakeRefused:
            raise modern_refusal from None


# The modern versions' probes also fetch the chain; the legacy ones wait for their answer.
_MODERN = (TlsVersion.TLS_1_3, TlsVersion.TLS_1_2)
_LEGACY_ORDER = (TlsVersion.TLS_1_1, TlsVersion.TLS_1_0, TlsVersion.SSL_3_0, TlsVersion.SSL_2_0)


def _modern_probe(
    endpoint: Endpoint, counter: ConnectionCounter, version: TlsVersion
) -> Handshake | Exception:
    try:
        return handshake(
            endpoint, counter, version, ciphers=STRONG_CIPHER_STRING, want_details=True
        )
    except (HandshakeRefused, Unreachable) as exc:
        return exc


@dataclass
class _Collected:
    versions: dict[TlsVersion, bool | None] = field(default_factory=dict)  # None: inconclusive
    version_errors: dict[TlsVersion, str] = field(default_factory=dict)
    weak: dict[TlsVersion, list[str]] = field(default_factory=dict)
    weak_errors: dict[TlsVersion, str] = field(default_factory=dict)
    outside: dict[TlsVersion, list[str]] = field(default_factory=dict)
    outside_errors: dict[TlsVersion, str] = field(default_factory=dict)

    def add_weak(self, version: TlsVersion, found: tuple[list[str], str | None]) -> None:
        _keep(version, found, self.weak, self.weak_errors)

    def add_outside(self, version: TlsVersion, found: tuple[list[str], str | None]) -> None:
        _keep(version, found, self.outside, self.outside_errors)

    def listed(self, found: dict[TlsVersion, list[str]]) -> tuple[tuple[TlsVersion, str], ...]:
        return tuple((v, suite) for v in WEAK_SUITE_VERSIONS for suite in found.get(v, []))


def _keep(
    version: TlsVersion,
    found: tuple[list[str], str | None],
    suites: dict[TlsVersion, list[str]],
    errors: dict[TlsVersion, str],
) -> None:
    suites[version], error = found
    if error:
        errors[version] = error


def probe(
    endpoint: Endpoint,
    max_connections: int,
    deep: Callable[[Endpoint], DeepSuites] | None = None,
) -> TlsScan:
    """Collect a TlsScan with at most `max_connections` connections open to the server.

    First wave: TLS 1.3 and TLS 1.2 (each also fetching the chain) and TLS 1.2's weak suites,
    which nearly every server speaks. Only when the server has answered does the second
    wave ask for the legacy versions, and each accepted one for its weak suites: a dead host
    costs at most three connection attempts, and a healthy one two rounds of handshakes, not four.
    """
    counter = ConnectionCounter()
    got = _Collected()
    with ThreadPoolExecutor(max_workers=max(1, max_connections)) as pool:
        modern = {v: pool.submit(_modern_probe, endpoint, counter, v) for v in _MODERN}
        weak_12 = pool.submit(_weak_suites, endpoint, counter, TlsVersion.TLS_1_2)
        answers = {v: job.result() for v, job in modern.items()}
        unreachable = [a for a in answers.values() if isinstance(a, Unreachable)]
        if len(unreachable) == len(answers):
            weak_12.cancel()
            return TlsScan(
                endpoint, connect_error=f"unreachable: {unreachable[0]}", connections=counter.count
            )
        for version, answer in answers.items():
            if isinstance(answer, Unreachable):
                got.versions[version] = None
                got.version_errors[version] = str(answer)
            else:
                got.versions[version] = isinstance(answer, Handshake)
        legacy = {v: pool.submit(_version_accepted, endpoint, counter, v) for v in _LEGACY_ORDER}
        rounds = Rounds(OUTSIDE_ROUNDS)
        outside_jobs = {}
        if got.versions[TlsVersion.TLS_1_2] is not False:
            outside_jobs[TlsVersion.TLS_1_2] = pool.submit(
                _outside_suites, endpoint, counter, TlsVersion.TLS_1_2, rounds
            )
        got.add_weak(TlsVersion.TLS_1_2, weak_12.result())
        if got.weak[TlsVersion.TLS_1_2]:  # a suite the modern client does not offer: spoken
            got.versions[TlsVersion.TLS_1_2] = True
            got.version_errors.pop(TlsVersion.TLS_1_2, None)
        # The chain as a client that lets the server choose gets it: the highest version's.
        first = next((a for a in answers.values() if isinstance(a, Handshake)), None)
        weak_jobs = {}
        for version, job in legacy.items():
            accepted, error = job.result()
            got.versions[version] = accepted
            if error:
                got.version_errors[version] = error
            if accepted is not False and version in WEAK_SUITE_VERSIONS:
                weak_jobs[version] = pool.submit(_weak_suites, endpoint, counter, version)
                outside_jobs[version] = pool.submit(
                    _outside_suites, endpoint, counter, version, rounds
                )
        for version, weak_job in weak_jobs.items():
            got.add_weak(version, weak_job.result())
        for version, outside_job in outside_jobs.items():
            got.add_outside(version, outside_job.result())
    if first is None:  # a legacy-only or version-intolerant server: let it choose
        try:
            first = first_handshake(endpoint, counter)
        except (Unreachable, HandshakeRefused) as exc:
            kind = "TLS handshake failed" if isinstance(exc, HandshakeRefused) else "unreachable"
            return TlsScan(endpoint, connect_error=f"{kind}: {exc}", connections=counter.count)
    chain = tuple(x509.load_pem_x509_certificate(pem.encode("ascii")) for pem in first.chain_pem)
    return TlsScan(
        endpoint=endpoint,
        chain=chain,
        ocsp_stapled=first.ocsp_stapled,
        versions={v: got.versions.get(v) for v in TlsVersion},
        version_errors=got.version_errors,
        weak_suites=got.listed(got.weak),
        weak_errors=got.weak_errors,
        outside_suites=got.listed(got.outside),
        outside_errors=got.outside_errors,
        deep_suites=deep(endpoint) if deep else None,
        connections=counter.count,
    )
