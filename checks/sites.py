"""Site targets shared by the tls and https families: one per (site, address).

A site's pinned addresses stand in for DNS; otherwise every A/AAAA address is checked,
because a site served from several addresses is only as good as its worst one.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.exception
import dns.resolver

from auditor.config import AuditConfig, SiteConfig
from auditor.family import AuditContext


@dataclass(frozen=True)
class SiteTarget:
    site: SiteConfig
    address: str | None  # None when the name did not resolve
    resolve_error: str | None = None
    several: bool = False  # the site has more than one address: the label names this one

    @property
    def label(self) -> str:
        if self.several and self.address:
            return f"{self.site.label}@{self.address}"
        return self.site.label


def resolver(config: AuditConfig) -> dns.resolver.Resolver:
    res = dns.resolver.Resolver(configure=not config.dns.nameservers)
    if config.dns.nameservers:
        res.nameservers = list(config.dns.nameservers)
        res.port = config.dns.port
    res.lifetime = config.limits.connect_timeout
    return res


def resolve_addresses(host: str, config: AuditConfig) -> tuple[list[str], str | None]:
    """A and AAAA addresses of `host`, or the reason there are none."""
    res = resolver(config)
    addresses: list[str] = []
    problems: list[str] = []
    for rdtype in ("A", "AAAA"):
        try:
            answer = res.resolve(host, rdtype)
        except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN) as exc:
            if isinstance(exc, dns.resolver.NXDOMAIN):
                return [], f"{host} does not exist in DNS (NXDOMAIN)"
            continue
        except dns.exception.Timeout:
            problems.append(f"DNS {rdtype} lookup timed out")
            continue
        except dns.exception.DNSException as exc:
            problems.append(f"DNS {rdtype} lookup failed: {exc}")
            continue
        addresses += [rr.to_text() for rr in answer]
    if addresses:
        return addresses, None
    return [], "; ".join(problems) or f"{host} has no A or AAAA record"


def site_targets(ctx: AuditContext) -> list[SiteTarget]:
    targets: list[SiteTarget] = []
    for site in ctx.config.sites:
        addresses = list(site.addresses)
        error = None
        if not addresses:
            addresses, error = resolve_addresses(site.host, ctx.config)
        if not addresses:
            targets.append(SiteTarget(site, None, error))
            continue
        several = len(addresses) > 1
        targets += [SiteTarget(site, address, None, several) for address in addresses]
    return targets
