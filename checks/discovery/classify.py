"""What each discovered name is: resolved once, its addresses asked whether anything answers.

Names are resolved through the run's address book, so the tls, https and dns families read
the same answer later instead of asking again. Many names share an address (a load balancer
behind twenty names): each (address, port) is asked once, however many names lead to it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from auditor.core.addresses import Resolution, is_ipv6
from auditor.core.config import DiscoverySettings
from auditor.core.discovered import Kind
from auditor.core.family import AuditContext
from auditor.core.inventory import DiscoveredName

# Names are looked up, and addresses asked, this many at a time: 500 names at 50 ms each
# must add seconds to a run, not minutes.
PARALLEL = 64
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


def probe_all(
    ctx: AuditContext, addresses: Iterable[str], settings: DiscoverySettings
) -> dict[tuple[str, str], bool]:
    """(address, service) -> whether it answered; each asked once."""
    asks = [(address, port) for address in dict.fromkeys(addresses) for port in ports(settings)]
    if not asks:
        return {}
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(asks))) as pool:
        results = pool.map(lambda ask: _probe(ctx, *ask), asks)
        return {
            (address, port.service): ok for (address, port), ok in zip(asks, results, strict=True)
        }


def classify(
    ctx: AuditContext, found: Mapping[str, Sequence[str]], settings: DiscoverySettings
) -> tuple[DiscoveredName, ...]:
    """Every found name (-> its sources) resolved, asked and sorted into a `Kind`."""
    asked = [n for n in found if not n.startswith("*.") and settings.excluded(n) is None]
    resolved = ctx.addresses.lookup_all(asked, parallel=PARALLEL)
    answered = probe_all(
        ctx, (a for r in resolved.values() for a in r.addresses if _probed(ctx, a)), settings
    )
    return tuple(
        _named(ctx, name, tuple(found[name]), resolved.get(name), answered, settings)
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
