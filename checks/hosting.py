"""Where a site is hosted, judged for the `hosting` promise: the dns family's judges.

Four ways a site can be built, each judged on what shows where it really runs:
- on the account's droplets, load balancers or reserved IPs: its A/AAAA addresses are theirs;
- on App Platform or behind a Spaces CDN endpoint: its addresses are DigitalOcean's shared
  edge, in no inventory list; the app (by its domains) or the endpoint (by its names) that
  serves the name is, and its region (the CDN's: its origin's) is what counts;
- behind a front (a CDN or proxy such as Cloudflare): its addresses are the front's; each
  configured origin address must be an Amsterdam resource of the account, and must really
  serve the site (the same certificate key as the public address, or a certificate for the
  site's name and an HTTP answer for it);
- run by a data processor: not "our server". It is neither a pass nor a failure: `skipped`,
  which never makes the promise hold by itself (a promise whose findings are all skipped
  reads "Ikke kontrolleret") and never breaks it. When such a site resolves into the
  account after all, the configuration is stale: its own resources are judged, and a pass
  becomes a warning that says so.

Every verdict's evidence carries `hosting`: how the site is hosted, in words the pages turn
into Danish without quoting an address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.core.config import SiteConfig
from auditor.core.family import Verdict
from auditor.core.inventory import CloudResource
from auditor.core.messages import N_, Fact, Message, joined
from auditor.core.model import Status
from checks.digitalocean.inventory import region_allowed

if TYPE_CHECKING:  # the probe (and cryptography with it) loads only for a fronted site
    from checks.origin import FrontProbe, TlsAnswer

# An HTTP answer that says "not this site here": a misdirected request, or a server error.
NOT_THE_SITE = frozenset({421})
EDGE_KINDS = ("app", "cdn_endpoint")
KIND_WORDS = {
    "droplet": N_("droplet"),
    "load_balancer": N_("load balancer"),
    "reserved_ip": N_("reserved IP"),
    "app": N_("App Platform app"),
    "cdn_endpoint": N_("CDN endpoint"),
}


@dataclass(frozen=True)
class HostingFacts:
    """What a site's hosting is judged on: its public addresses, the account, the origins."""

    site: SiteConfig
    addresses: tuple[str, ...]  # the public A/AAAA addresses (or the pinned ones)
    cloud: tuple[CloudResource, ...]
    allowed: tuple[str, ...]
    front: FrontProbe | None = None  # a fronted site's probe of its origins


def _canonical(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address


def owner_of(address: str, cloud: Sequence[CloudResource]) -> CloudResource | None:
    """The account's resource holding this address; a reserved IP wins over its droplet."""
    wanted = _canonical(address)
    owners = [r for r in cloud if wanted in {_canonical(a) for a in r.ipv4 + r.ipv6}]
    owners.sort(key=lambda r: r.kind != "reserved_ip")
    return owners[0] if owners else None


def _kind(resource: CloudResource) -> Fact | Message:
    return KIND_WORDS.get(resource.kind, resource.kind)


def _region(resource: CloudResource) -> Fact | Message:
    return resource.region or N_("no region")


def _where(resource: CloudResource) -> Message:
    return N_(
        "{kind} {name} in {region}",
        kind=_kind(resource),
        name=resource.name,
        region=_region(resource),
    )


@dataclass(frozen=True)
class Placement:
    """Where some addresses are: each one's resource, the regions, and what is wrong."""

    pointing: list[dict[str, Any]]
    problems: list[Message]  # one phrase per address that is not the account's in Amsterdam
    regions: list[str]
    elsewhere: list[Message]  # the problems of addresses that are the account's, elsewhere


def place_addresses(
    addresses: Sequence[str], cloud: Sequence[CloudResource], allowed: Sequence[str]
) -> Placement:
    pointing = []
    problems: list[Message] = []
    elsewhere: list[Message] = []
    for address in addresses:
        owner = owner_of(address, cloud)
        if owner is None:
            pointing.append({"address": address, "resource": None, "region": None})
            problems.append(N_("{address} belongs to no resource of the account", address=address))
            continue
        pointing.append(
            {"address": address, "resource": f"{owner.kind}:{owner.name}", "region": owner.region}
        )
        if not region_allowed(owner.region, allowed):
            elsewhere.append(
                N_(
                    "{address} is {kind} {name} in {region}",
                    address=address,
                    kind=_kind(owner),
                    name=owner.name,
                    region=_region(owner),
                )
            )
            problems.append(elsewhere[-1])
    regions = sorted({str(p["region"]) for p in pointing if p["region"]})
    return Placement(pointing, problems, regions, elsewhere)


def check_points_to_inventory(
    label: str, addresses: Sequence[str], cloud: Sequence[CloudResource], allowed: Sequence[str]
) -> Verdict:
    """Every address is a resource of the account in an allowed region."""
    placed = place_addresses(addresses, cloud, allowed)
    evidence = {
        "addresses": placed.pointing,
        "allowed": list(allowed),
        "hosting": {"via": "account", "regions": placed.regions},
    }
    if placed.problems:
        problems = joined(placed.problems, "; ")
        message = N_("{site} points elsewhere: {problems}.", site=label, problems=problems)
        return Verdict(Status.FAIL, message, evidence)
    regions = ", ".join(placed.regions)
    message = N_(
        "{site} points at the account's resources in {regions}.", site=label, regions=regions
    )
    return Verdict(Status.PASS, message, evidence)


def _edge_resource(host: str, cloud: Sequence[CloudResource]) -> CloudResource | None:
    """The app or CDN endpoint that serves this name; an app before an endpoint."""
    serving = [r for r in cloud if r.kind in EDGE_KINDS and host in r.domains]
    serving.sort(key=lambda r: EDGE_KINDS.index(r.kind))
    return serving[0] if serving else None


def _check_edge(facts: HostingFacts, resource: CloudResource) -> Verdict:
    """A name served by an app or a CDN endpoint: hosted where the app, or the origin, is.

    Its addresses that are not the account's are taken for the edge's; any that are the
    account's must still be in an allowed region.
    """
    label = facts.site.label
    via = "app" if resource.kind == "app" else "cdn"
    placed = place_addresses(facts.addresses, facts.cloud, facts.allowed)
    evidence: dict[str, Any] = {
        "addresses": placed.pointing,
        "allowed": list(facts.allowed),
        "resource": f"{resource.kind}:{resource.name}",
        "hosting": {"via": via, "regions": [resource.region] if resource.region else []},
    }
    if resource.origin:
        evidence["origin"] = resource.origin
    what = _where(resource)
    if resource.kind == "cdn_endpoint":
        what = N_(
            "CDN endpoint {name}, whose origin {origin} is in {region}",
            name=resource.name,
            origin=resource.origin,
            region=resource.region or N_("no known region"),
        )
    if not resource.region:
        message = N_(
            "{site} is served by {what}: where it is hosted is not known.", site=label, what=what
        )
        return Verdict(Status.ERROR, message, evidence)
    if not region_allowed(resource.region, facts.allowed):
        return Verdict(
            Status.FAIL, N_("{site} is served by {what}.", site=label, what=what), evidence
        )
    # The addresses that belong to no resource are the edge's; the account's own must fit.
    strays = placed.elsewhere
    if strays:
        return Verdict(
            Status.FAIL,
            N_(
                "{site} is served by {what}, but also points elsewhere: {problems}.",
                site=label,
                what=what,
                problems=joined(strays, "; "),
            ),
            evidence,
        )
    return Verdict(
        Status.PASS,
        N_(
            "{site} is served by {what} (its addresses are DigitalOcean's shared edge, in no "
            "inventory list).",
            site=label,
            what=what,
        ),
        evidence,
    )


def judge_direct(facts: HostingFacts) -> Verdict:
    """A site the account hosts itself: its addresses, or the app or CDN endpoint serving it."""
    label = facts.site.label
    owned = all(owner_of(a, facts.cloud) for a in facts.addresses)
    edge = _edge_resource(facts.site.host, facts.cloud)
    if edge is not None and not owned:
        return _check_edge(facts, edge)
    return check_points_to_inventory(label, facts.addresses, facts.cloud, facts.allowed)


def _serves_site(origin: TlsAnswer, public: TlsAnswer) -> Message | None:
    """How the origin shows it serves the site, or None when it does not."""
    if public.answered and origin.key_sha256 == public.key_sha256:
        return N_("the same certificate key as the public address")
    status = origin.http_status
    if origin.covers_site and status is not None and status < 500 and status not in NOT_THE_SITE:
        return N_(
            "a certificate for the site's name and an HTTP {status} answer for it", status=status
        )
    return None


@dataclass(frozen=True)
class OriginAnswers:
    """What the origins' answers say: failures, what could not be checked, how the origins
    that do serve the site show it, and the evidence."""

    failures: list[Message]
    unknown: list[Message]
    ways: list[Message]
    shown: list[dict[str, Any]]


def _origin_problems(facts: HostingFacts, probe: FrontProbe) -> OriginAnswers:
    """What the origins' answers say (`OriginAnswers`)."""
    failures: list[Message] = []
    unknown: list[Message] = []
    ways: dict[str, Message] = {}  # by their text: each way once
    shown: list[dict[str, Any]] = []
    for answer in probe.origins:
        how = _serves_site(answer, probe.public) if answer.answered else None
        if how is not None:
            ways.setdefault(str(how), how)
        shown.append(
            {
                "address": answer.address,
                "answered": answer.answered,
                "error": answer.error,
                "names": list(answer.names),
                "same_key": probe.public.answered and answer.key_sha256 == probe.public.key_sha256,
                "http_status": answer.http_status,
                "serves_site": str(how) if how is not None else None,
            }
        )
        if not answer.answered:
            unknown.append(
                N_(
                    "origin {address} did not answer the auditor ({error})",
                    address=answer.address,
                    error=answer.error or "",
                )
            )
        elif how is None:
            failures.append(
                N_(
                    "origin {address} serves another certificate (for {names}) and no "
                    "answer for {host}",
                    address=answer.address,
                    names=", ".join(answer.names) or N_("no name"),
                    host=facts.site.host,
                )
            )
    return OriginAnswers(failures, unknown, [ways[text] for text in sorted(ways)], shown)


def judge_fronted(facts: HostingFacts) -> Verdict:
    """A site behind a front: its origins are Amsterdam resources and really serve it."""
    site = facts.site
    front = site.front or "a front"  # judge_hosting gives it only sites with a front
    origins = place_addresses(site.origin_addresses, facts.cloud, facts.allowed)
    regions = origins.regions
    evidence: dict[str, Any] = {
        "front": front,
        "public_addresses": list(facts.addresses),
        "origins": origins.pointing,
        "allowed": list(facts.allowed),
        "hosting": {"via": "front", "front": front, "regions": regions},
    }
    if origins.problems:
        evidence["hosting"]["problem"] = "origin_elsewhere"
        return Verdict(
            Status.FAIL,
            N_(
                "{site} is behind {front}; its origin is elsewhere: {problems}.",
                site=site.label,
                front=front,
                problems=joined(origins.problems, "; "),
            ),
            evidence,
        )
    probe = facts.front
    if probe is None:
        evidence["hosting"]["problem"] = "origin_unreachable"
        message = N_("{site}: its origins were not asked.", site=site.label)
        return Verdict(Status.ERROR, message, evidence)
    answers = _origin_problems(facts, probe)
    evidence["answers"] = answers.shown
    evidence["public_answer"] = {"address": probe.public.address, "error": probe.public.error}
    if answers.failures:
        evidence["hosting"]["problem"] = "origin_not_serving"
        return Verdict(
            Status.FAIL,
            N_(
                "{site} is behind {front}, but it is not served from its configured origin: "
                "{problems}.",
                site=site.label,
                front=front,
                problems=joined(answers.failures, "; "),
            ),
            evidence,
        )
    if answers.unknown:
        evidence["hosting"]["problem"] = "origin_unreachable"
        return Verdict(
            Status.ERROR,
            N_(
                "Could not confirm that {site} is served from its origin: {problems}. "
                "Let the auditor's address through to the origin, or check by hand.",
                site=site.label,
                problems=joined(answers.unknown, "; "),
            ),
            evidence,
        )
    return Verdict(
        Status.PASS,
        N_(
            "{site} is behind {front}; its origin is the account's resources in {regions} "
            "and serves the site ({ways}).",
            site=site.label,
            front=front,
            regions=", ".join(regions),
            ways=joined(answers.ways, "; "),
        ),
        evidence,
    )


def judge_processor(facts: HostingFacts) -> Verdict:
    """A processor's site: neither pass nor fail, unless it resolves into the account."""
    site = facts.site
    name = site.processor or "a processor"  # judge_hosting gives it only processors' sites
    evidence: dict[str, Any] = {
        "hosting": {"via": "processor", "processor": name, "reason": site.reason or ""},
        "addresses": list(facts.addresses),
    }
    ours = [a for a in facts.addresses if owner_of(a, facts.cloud) is not None]
    if not ours:
        reason = (site.reason or "").rstrip(".")
        return Verdict(
            Status.SKIPPED,
            N_(
                "{site} is hosted by the data processor {name}, not on the party's own "
                "servers: {reason}.",
                site=site.label,
                name=name,
                reason=reason,
            ),
            evidence,
        )
    # The config is stale: the resources the name resolves to are the party's own, and the
    # promise speaks for them.
    placed = place_addresses(ours, facts.cloud, facts.allowed)
    stale = {
        "addresses": placed.pointing,
        "allowed": list(facts.allowed),
        "hosting": {**evidence["hosting"], "stale": True, "regions": placed.regions},
    }
    if placed.problems:
        return Verdict(
            Status.FAIL,
            N_(
                "{site} is configured as the data processor {name}'s, but it resolves into "
                "the party's own DigitalOcean account, outside the allowed regions: "
                "{problems}.",
                site=site.label,
                name=name,
                problems=joined(placed.problems, "; "),
            ),
            stale,
        )
    return Verdict(
        Status.WARN,
        N_(
            "{site} is configured as the data processor {name}'s, but it resolves into the "
            "party's own DigitalOcean account: the configuration is stale.",
            site=site.label,
            name=name,
        ),
        stale,
    )


def judge_hosting(facts: HostingFacts) -> Verdict:
    """dns.points_to_inventory: the site is hosted in Amsterdam, however it is built."""
    if facts.site.processor is not None:
        return judge_processor(facts)
    if facts.site.front is not None:
        return judge_fronted(facts)
    return judge_direct(facts)


def judge_bypass(facts: HostingFacts) -> Verdict:
    """dns.front.bypass: whether the origin answers anyone directly, around the front.

    Seen from the auditor's own address only: an origin that answered the auditor is open to
    it, which is all a test from one place can show. A firewall that lets only the front's
    addresses and the auditor's through gives the same answer; one that refuses everyone
    but the front also refuses the auditor (and the hosting check then cannot confirm the
    origin). The warning says so instead of claiming more.
    """
    site = facts.site
    if site.front is None or facts.front is None:
        reason = N_("{site} is not behind a front", site=site.label)
        return Verdict(Status.SKIPPED, N_("Not checked: {reason}.", reason=reason))
    answered = [a.address for a in facts.front.origins if a.answered]
    evidence = {
        "front": site.front,
        "answered_auditor": answered,
        "vantage": "the auditor's own address",
    }
    if not answered:
        return Verdict(
            Status.PASS,
            N_(
                "No origin of {site} answered the auditor directly: only {front} seems to "
                "reach it.",
                site=site.label,
                front=site.front,
            ),
            evidence,
        )
    return Verdict(
        Status.WARN,
        N_(
            "The origin of {site} ({addresses}) answered the auditor directly, not through "
            "{front}. Unless its firewall lets only {front} and the auditor through, anyone "
            "can reach the site around the front.",
            site=site.label,
            addresses=", ".join(answered),
            front=site.front,
        ),
        evidence,
    )
