"""Where each site's name points: A and AAAA lookups, made once per run and shared.

The tls, https and dns families all need a site's addresses. Resolving in each would ask
the same questions three times, one site after another, before any probe could start;
the address book asks each name once, all names at once, and every family reads the answer.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.core.config import AuditConfig

if TYPE_CHECKING:
    import dns.resolver

_PARALLEL_LOOKUPS = 8


@dataclass(frozen=True)
class Resolution:
    addresses: tuple[str, ...] = ()
    # Why there are no addresses (NXDOMAIN, timeout, no record), or, beside addresses, why
    # some may be missing (the A answered, the AAAA lookup failed): not the whole answer.
    error: str | None = None
    cname: str | None = None  # where the name's CNAME chain ends, when it has one


def is_ipv6(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).version == 6
    except ValueError:
        return False


def resolver(config: AuditConfig) -> dns.resolver.Resolver:
    import dns.resolver  # noqa: PLC0415 (see resolve)

    res = dns.resolver.Resolver(configure=not config.dns.nameservers)
    if config.dns.nameservers:
        res.nameservers = list(config.dns.nameservers)
        res.port = config.dns.port
    res.lifetime = config.limits.connect_timeout
    return res


def resolve(host: str, config: AuditConfig) -> Resolution:
    """A and AAAA addresses of `host`, or the reason there are none."""
    try:  # an address given as the host is its own answer, not a name to look up
        return Resolution((str(ipaddress.ip_address(host.strip("[]"))),))
    except ValueError:
        pass
    # dnspython is loaded by the first name that needs it: ~25 ms of start-up that a run
    # whose hosts are addresses, and every command that does not probe, never pays.
    import dns.exception  # noqa: PLC0415
    import dns.resolver  # noqa: PLC0415

    res = resolver(config)
    addresses: list[str] = []
    problems: list[str] = []
    cname: str | None = None
    for rdtype in ("A", "AAAA"):
        try:
            answer = res.resolve(host, rdtype)
        except dns.resolver.NXDOMAIN:
            return Resolution(error=f"{host} does not exist in DNS (NXDOMAIN)")
        except dns.resolver.NoAnswer:
            continue
        except dns.exception.Timeout:
            problems.append(f"DNS {rdtype} lookup timed out")
            continue
        except dns.exception.DNSException as exc:
            problems.append(f"DNS {rdtype} lookup failed: {exc}")
            continue
        addresses += [rr.to_text() for rr in answer]
        if answer.canonical_name != answer.qname:  # the resolver followed a CNAME
            cname = answer.canonical_name.to_text(omit_final_dot=True)
    if addresses:
        return Resolution(tuple(addresses), "; ".join(problems) or None, cname)
    return Resolution(error="; ".join(problems) or f"{host} has no A or AAAA record", cname=cname)


class AddressBook:
    """Each name resolved once per run, whoever asks first; later askers wait for that answer."""

    def __init__(self, config: AuditConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._answers: dict[str, Future[Resolution]] = {}

    def lookup(self, host: str) -> Resolution:
        with self._lock:
            answer = self._answers.get(host)
            asks = answer is None
            if answer is None:
                answer = self._answers[host] = Future()
        if asks:
            try:
                answer.set_result(resolve(host, self.config))
            except Exception as exc:  # handed to every asker, as its own result would be
                answer.set_exception(exc)
        return answer.result()

    def lookup_all(self, hosts: Iterable[str]) -> dict[str, Resolution]:
        """Several names at once: a run with ten sites waits for one lookup, not ten."""
        names = list(dict.fromkeys(hosts))
        if len(names) <= 1:
            return {name: self.lookup(name) for name in names}
        with ThreadPoolExecutor(max_workers=min(_PARALLEL_LOOKUPS, len(names))) as pool:
            return dict(zip(names, pool.map(self.lookup, names), strict=True))
