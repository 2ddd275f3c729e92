"""What each discovered name is: resolved once, its addresses asked whether anything answers.

Names are resolved through the run's address book, so the tls, https and dns families read
the same answer later instead of asking again. Many names share an address (a load balancer
behind twenty names): each (address, port) is asked once, however many names lead to it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

from auditor.core.addresses import Resolution, is_ipv6
from auditor.core.config import DiscoverySettings
from auditor.core.discovered import Kind
from auditor.core.family import AuditContext
from auditor.core.inventory import DiscoveredName

# Names are looked up, and addresses asked, this many at a time: 500 names at 50 ms each
# must add seconds to a run, not minutes.
PARALLEL = 128
_BANNER_BYTES = 256


@dataclass(frozen=True)
class Port:
    service: str  # "https", "http", "ssh"
    number: int


def ports(settings: DiscoverySettings) -> tuple[Port, ...]:
    return (
        Port("https", settings.https_port),
        Port("http", settings.http_port),
        Port("ssh", settings.ssh_port),
    )


def answers(address: str, port: Port, timeout: float) -> bool:
    """Whether anything accepts a connection there; for SSH, whether it greets as SSH does."""
    try:
        with socket.create_connection((address, port.number), timeout=timeout) as sock:
            if port.service != "ssh":
                return True
            sock.settimeout(timeout)
            return sock.recv(_BANNER_BYTES).startswith(b"SSH-")
    except OSError:
        return False


def _probe(ctx: AuditContext, address: str, port: Port) -> bool:
    with ctx.gate(address)():  # the per-server connection limit holds here too
        return answers(address, port, ctx.config.limits.connect_timeout)


class _Asker:
    """Resolves a name, then asks its addresses; each (address, port) once, whichever name
    leads there first (later ones wait for that answer). Names are handled side by side, so
    one name's probes overlap the next names' lookups."""

    def __init__(self, ctx: AuditContext, settings: DiscoverySettings) -> None:
        self.ctx = ctx
        self.ports = ports(settings)
        self._lock = threading.Lock()
        self._asked: dict[tuple[str, str], Future[bool]] = {}
        self.answered: dict[tuple[str, str], bool] = {}

    def name(self, name: str) -> Resolution:
        answer = self.ctx.addresses.lookup(name)
        for address in answer.addresses:
            if _probed(self.ctx, address):
                for port in self.ports:
                    self._ask(address, port)
        return answer

    def _ask(self, address: str, port: Port) -> None:
        key = (address, port.service)
        with self._lock:
            answer = self._asked.get(key)
            mine = answer is None
            if answer is None:
                answer = self._asked[key] = Future()
        if mine:
            try:
                answer.set_result(_probe(self.ctx, address, port))
            except Exception as exc:  # handed to every name that leads here, as its own
                answer.set_exception(exc)
        ok = answer.result()
        with self._lock:
            self.answered[key] = ok


def classify(
    ctx: AuditContext, found: Mapping[str, Sequence[str]], settings: DiscoverySettings
) -> tuple[DiscoveredName, ...]:
    """Every found name (-> its sources) resolved, asked and sorted into a `Kind`."""
    asked = [n for n in found if not n.startswith("*.") and settings.excluded(n) is None]
    asker = _Asker(ctx, settings)
    resolved: dict[str, Resolution] = {}
    if asked:
        with ThreadPoolExecutor(max_workers=min(PARALLEL, len(asked))) as pool:
            resolved = dict(zip(asked, pool.map(asker.name, asked), strict=True))
    return tuple(
        _named(ctx, name, tuple(found[name]), resolved.get(name), asker.answered, settings)
        for name in sorted(found)
    )


def _probed(ctx: AuditContext, address: str) -> bool:
    """IPv6 addresses are asked only where the run may connect to them (dns.probe_ipv6)."""
    return ctx.config.dns.probe_ipv6 or not is_ipv6(address)


def _named(
    ctx: AuditContext,
    name: str,
    sources: tuple[str, ...],
    answer: Resolution | None,
    answered: Mapping[tuple[str, str], bool],
    settings: DiscoverySettings,
) -> DiscoveredName:
    configured = ctx.config.configured(name)
    base = DiscoveredName(name, sources, Kind.NO_ADDRESS, configured=configured)
    exclusion = settings.excluded(name)
    if exclusion is not None:
        return replace(base, kind=Kind.EXCLUDED, excluded_reason=exclusion.reason)
    if name.startswith("*."):
        return replace(base, kind=Kind.WILDCARD)
    assert answer is not None  # every name but these was looked up
    serves = tuple(
        service
        for service in ("https", "http", "ssh")
        if any(answered.get((a, service)) for a in answer.addresses)
    )
    ssh = tuple(a for a in answer.addresses if answered.get((a, "ssh")))
    kind = Kind.NO_ADDRESS if not answer.addresses else Kind.SILENT
    if answer.addresses and not any(_probed(ctx, a) for a in answer.addresses):
        kind = Kind.NOT_ASKED
    if "ssh" in serves:
        kind = Kind.SERVER
    if "https" in serves or "http" in serves:
        kind = Kind.SITE
    return DiscoveredName(
        name=name,
        sources=sources,
        kind=kind,
        addresses=answer.addresses,
        cname=answer.cname,
        resolve_error=answer.error,
        serves=serves,
        ssh_addresses=ssh,
        platform=settings.platform_of(name),
        configured=configured,
    )
