"""Site targets shared by the tls and https families: one per (site, address).

A site's pinned addresses stand in for DNS; otherwise every A/AAAA address is checked,
because a site served from several addresses is only as good as its worst one.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.core.addresses import is_ipv6
from auditor.core.config import SiteConfig
from auditor.core.family import AuditContext
from auditor.core.inventory import Inventory
from auditor.core.messages import N_, Message


@dataclass(frozen=True)
class SiteTarget:
    site: SiteConfig
    address: str | None  # None when the name did not resolve
    resolve_error: str | None = None
    several: bool = False  # the site has more than one address: the label names this one
    not_probed: Message | None = None  # why this address is deliberately left alone

    @property
    def label(self) -> str:
        if self.several and self.address:
            return f"{self.site.label}@{self.address}"
        return self.site.label


# What a run says of an IPv6 address it was told not to connect to.
NO_IPV6 = N_("Not probed: an IPv6 address, and dns.probe_ipv6 is false; its IPv4 twin is checked.")


def discovered_sites(ctx: AuditContext, inventory: Inventory) -> list[SiteConfig]:
    """The live sites discovery found that the config does not list, as sites to audit:
    on the ports discovery asked, with the platform its rules give."""
    settings = ctx.config.discovery
    if settings is None:
        return []
    return [
        SiteConfig(
            host=name.name,
            platform=name.platform,
            port=settings.https_port,
            http_port=settings.http_port,
        )
        for name in inventory.discovered
        if name.live and not name.configured
    ]


def all_sites(ctx: AuditContext, inventory: Inventory) -> list[SiteConfig]:
    """The configured sites, then those discovered: every site is audited alike."""
    return [*ctx.config.sites, *discovered_sites(ctx, inventory)]


def site_targets(ctx: AuditContext, inventory: Inventory) -> list[SiteTarget]:
    """One target per (site, address): pinned addresses, or every A/AAAA record."""
    sites = all_sites(ctx, inventory)
    resolved = ctx.addresses.lookup_all(s.host for s in sites if not s.addresses)
    targets: list[SiteTarget] = []
    for site in sites:
        addresses = list(site.addresses)
        error = None
        if not addresses:
            answer = resolved[site.host]
            addresses, error = list(answer.addresses), answer.error
        if not addresses:
            targets.append(SiteTarget(site, None, error))
            continue
        several = len(addresses) > 1
        # Only beside an IPv4 address: a site is never left wholly unchecked by this switch.
        skip_ipv6 = not ctx.config.dns.probe_ipv6 and any(not is_ipv6(a) for a in addresses)
        for address in addresses:
            skip = NO_IPV6 if skip_ipv6 and is_ipv6(address) else None
            targets.append(SiteTarget(site, address, None, several, skip))
    return targets
