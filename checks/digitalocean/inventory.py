"""DigitalOcean's JSON objects read into the audit's own records, defensively.

The API's objects are read as plain JSON (never as python-digitalocean's objects, which
lose fields such as a rule's empty `sources`): every field may be missing or of the wrong
type in a malformed answer, and a missing fact stays missing instead of raising.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from auditor.core.inventory import DIGITALOCEAN_ACCOUNT, CloudResource, FoundKey, KeyLocation
from auditor.core.sshkeys import KeyFormatError, parse_public_key_line

UNREADABLE_KEY = "UNREADABLE"
SSH_PORT = 22


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in _list(value) if isinstance(v, str | int) and str(v))


def _region(obj: Mapping[str, Any]) -> str:
    """The region's slug, compared as the config's are: lower case ("ams3", never "AMS3")."""
    region = obj.get("region")
    if isinstance(region, dict):
        region = region.get("slug")
    return str(region or "").strip().lower()


def _public(networks: Any) -> list[str]:
    return [
        str(net["ip_address"])
        for net in _list(networks)
        if isinstance(net, dict) and net.get("type") == "public" and net.get("ip_address")
    ]


@dataclass(frozen=True)
class FirewallRule:
    protocol: str
    ports: str
    addresses: tuple[str, ...]  # source addresses and networks; tags and LBs are not the internet

    def covers_ssh(self) -> bool:
        return self.protocol in ("tcp", "all", "") and port_in_range(SSH_PORT, self.ports)

    def whole_internet(self) -> list[str]:
        return [a for a in self.addresses if _is_everything(a)]


@dataclass(frozen=True)
class Firewall:
    id: str
    name: str
    droplet_ids: tuple[str, ...]
    tags: tuple[str, ...]
    inbound: tuple[FirewallRule, ...]

    def applies_to(self, droplet: CloudResource) -> bool:
        return droplet.id in self.droplet_ids or bool(set(droplet.tags) & set(self.tags))


@dataclass(frozen=True)
class ManagedCertificate:
    """A certificate DigitalOcean keeps for a load balancer or CDN (custom or Let's Encrypt)."""

    id: str
    name: str
    not_after: datetime | None
    not_after_text: str
    dns_names: tuple[str, ...]
    kind: str
    state: str


def port_in_range(port: int, ports: str) -> bool:
    """DigitalOcean writes ports as "22", "8000-9000", or "0"/"all"/"" for every port."""
    text = ports.strip().lower()
    if text in ("", "0", "all"):
        return True
    low, _, high = text.partition("-")
    try:
        first, last = int(low), int(high or low)
    except ValueError:
        return False
    return first <= port <= last


def cover_everything(sources: Sequence[str]) -> bool:
    """Whether the sources together are every IPv4 or every IPv6 address.

    0.0.0.0/1 and 128.0.0.0/1 (the VPN "def1" idiom) are the whole internet as surely as
    0.0.0.0/0 is, in one rule or in two.
    """
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for source in sources:
        try:
            networks.append(ipaddress.ip_network(source, strict=False))
        except ValueError:
            continue  # a tag or an id is not an address
    for version in (4, 6):
        same = [n for n in networks if n.version == version]
        if any(n.prefixlen == 0 for n in ipaddress.collapse_addresses(same)):  # type: ignore[type-var]
            return True
    return False


def _is_everything(source: str) -> bool:
    try:
        return ipaddress.ip_network(source, strict=False).prefixlen == 0
    except ValueError:
        return False


def firewall(data: Mapping[str, Any]) -> Firewall:
    rules = []
    for item in _list(data.get("inbound_rules")):
        rule = _dict(item)
        # A rule whose `sources` is `{}` (or missing) admits nothing from anywhere.
        sources = _dict(rule.get("sources"))
        rules.append(
            FirewallRule(
                protocol=str(rule.get("protocol") or "").lower(),
                ports=str(rule.get("ports") if rule.get("ports") is not None else ""),
                addresses=_strings(sources.get("addresses")),
            )
        )
    return Firewall(
        id=str(data.get("id") or ""),
        name=str(data.get("name") or data.get("id") or "unnamed firewall"),
        droplet_ids=_strings(data.get("droplet_ids")),
        tags=_strings(data.get("tags")),
        inbound=tuple(rules),
    )


def droplet(data: Mapping[str, Any], firewalls: Sequence[Firewall]) -> CloudResource:
    networks = _dict(data.get("networks"))
    resource = CloudResource(
        kind="droplet",
        id=str(data.get("id") or ""),
        name=str(data.get("name") or data.get("id") or "unnamed droplet"),
        region=_region(data),
        ipv4=tuple(_public(networks.get("v4"))),
        ipv6=tuple(_public(networks.get("v6"))),
        tags=_strings(data.get("tags")),
        features=_strings(data.get("features")),
        status=str(data.get("status") or ""),
    )
    applying = tuple(fw.name for fw in firewalls if fw.applies_to(resource))
    return replace(resource, firewalls=applying)


def load_balancer(data: Mapping[str, Any]) -> CloudResource:
    ipv6 = data.get("ipv6")
    return CloudResource(
        kind="load_balancer",
        id=str(data.get("id") or ""),
        name=str(data.get("name") or data.get("id") or "unnamed load balancer"),
        region=_region(data),
        ipv4=(str(data["ip"]),) if data.get("ip") else (),
        ipv6=(str(ipv6),) if isinstance(ipv6, str) and ipv6 else (),
        tags=(str(data["tag"]),) if data.get("tag") else (),
        status=str(data.get("status") or ""),
    )


def reserved_ip(data: Mapping[str, Any]) -> CloudResource:
    address = str(data.get("ip") or "")
    assigned = _dict(data.get("droplet"))
    return CloudResource(
        kind="reserved_ip",
        id=address,
        name=f"{address} -> {assigned.get('name') or assigned.get('id')}" if assigned else address,
        region=_region(data),
        ipv4=(address,) if address else (),
        status="assigned" if assigned else "unassigned",
    )


def certificate(data: Mapping[str, Any]) -> ManagedCertificate:
    text = str(data.get("not_after") or "")
    try:
        not_after: datetime | None = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        not_after = None
    if not_after is not None and not_after.tzinfo is None:
        not_after = None  # a time without a zone cannot be compared honestly
    return ManagedCertificate(
        id=str(data.get("id") or ""),
        name=str(data.get("name") or data.get("id") or "unnamed certificate"),
        not_after=not_after,
        not_after_text=text,
        dns_names=tuple(n for n in _strings(data.get("dns_names")) if n),
        kind=str(data.get("type") or ""),
        state=str(data.get("state") or ""),
    )


def account_key(data: Mapping[str, Any]) -> FoundKey:
    """An SSH key of the account: DigitalOcean puts it on every droplet created with it."""
    location = KeyLocation(server=DIGITALOCEAN_ACCOUNT, comment=str(data.get("name") or "") or None)
    try:
        key = parse_public_key_line(str(data.get("public_key") or ""))
    except KeyFormatError:
        # The key cannot be read, so it cannot be matched or measured: keep DigitalOcean's
        # own (MD5) fingerprint so that a person can still find it in the control panel.
        return FoundKey(
            fingerprint=f"MD5:{data.get('fingerprint') or data.get('id')}",
            key_type=UNREADABLE_KEY,
            bits=None,
            location=location,
        )
    return FoundKey(
        fingerprint=key.fingerprint, key_type=key.kind, bits=key.bits, location=location
    )


SPACES_SUFFIX = ".digitaloceanspaces.com"


def region_allowed(region: str, allowed: Sequence[str]) -> bool:
    """Whether a region is one of the allowed ones.

    App Platform names a region by its city alone ("ams"), not by a data centre ("ams3"):
    such a region counts when an allowed data centre is in that city.
    """
    if region in allowed:
        return True
    return region.isalpha() and any(a.rstrip("0123456789") == region for a in allowed)


def _host(value: Any) -> str:
    """A domain as names are compared: lower case, no trailing dot, no scheme or path."""
    text = str(value or "").strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1]
    return text.split("/", 1)[0].rstrip(".")


def _app_domains(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The names the app serves: its live domain, and its custom domains that DigitalOcean
    reports ACTIVE. A domain still configuring (or left in the spec after the name moved
    elsewhere) is not shown to be served by the app; only an answer without the domains'
    state falls back to the spec's list."""
    states = [_dict(d) for d in _list(data.get("domains"))]
    if states:
        names = [
            _dict(d.get("spec")).get("domain")
            for d in states
            if str(d.get("phase") or "").upper() == "ACTIVE"
        ]
    else:
        names = [_dict(d).get("domain") for d in _list(_dict(data.get("spec")).get("domains"))]
    names.append(data.get("live_domain"))
    return tuple(dict.fromkeys(h for h in map(_host, names) if h))


def app(data: Mapping[str, Any]) -> CloudResource:
    """An App Platform app: its region (a city, "ams"), its domains, its dedicated IPs."""
    spec = _dict(data.get("spec"))
    region = _region(data) or str(spec.get("region") or "").strip().lower()
    dedicated = [_dict(d).get("ip") for d in _list(data.get("dedicated_ips"))]
    addresses = [str(a) for a in dedicated if isinstance(a, str) and a]
    return CloudResource(
        kind="app",
        id=str(data.get("id") or ""),
        name=str(spec.get("name") or data.get("id") or "unnamed app"),
        region=region,
        ipv4=tuple(a for a in addresses if ":" not in a),
        ipv6=tuple(a for a in addresses if ":" in a),
        domains=_app_domains(data),
        status=str(_dict(data.get("active_deployment")).get("phase") or ""),
    )


def spaces_region(origin: str) -> str:
    """The region of a Spaces origin ("bucket.ams3.digitaloceanspaces.com" -> "ams3"); "" for
    any other origin, whose place DigitalOcean's API does not tell."""
    host = _host(origin)
    if not host.endswith(SPACES_SUFFIX):
        return ""
    labels = host.removesuffix(SPACES_SUFFIX).split(".")
    region = labels[-1]
    return region if region[:1].isalpha() and region.isalnum() else ""


def cdn_endpoint(data: Mapping[str, Any]) -> CloudResource:
    """A CDN endpoint: it caches its origin at the edge, so it is hosted where the origin is."""
    origin = _host(data.get("origin"))
    endpoint = _host(data.get("endpoint"))
    return CloudResource(
        kind="cdn_endpoint",
        id=str(data.get("id") or ""),
        name=endpoint or origin or str(data.get("id") or "unnamed CDN endpoint"),
        region=spaces_region(origin),
        domains=tuple(dict.fromkeys(h for h in (endpoint, _host(data.get("custom_domain"))) if h)),
        origin=origin,
    )
