"""The `dns` family: does every site point at the account's own resources in Amsterdam?

Claim `hosting`. A site hosted elsewhere (another provider, a droplet in New York, an
address that belongs to no resource of the account) breaks the promise even when every
droplet is in Amsterdam. It runs after the digitalocean family, over its inventory; a
site's pinned addresses stand in for DNS (tests, or sites behind a known address).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from auditor.core.config import SiteConfig
from auditor.core.family import AuditContext, Check, CheckTable, Family, Outcome, Verdict, specs_of
from auditor.core.inventory import CloudResource, Inventory
from auditor.core.messages import N_, Message, joined
from auditor.core.model import CheckSpec, ClaimId, Severity, Status


@dataclass(frozen=True)
class DnsTarget:
    site: SiteConfig
    cloud: tuple[CloudResource, ...] = ()
    cloud_read: bool = False

    @property
    def label(self) -> str:
        return self.site.label


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


# A resource's kind inside a sentence.
KINDS = {
    "droplet": N_("droplet"),
    "load_balancer": N_("load balancer"),
    "reserved_ip": N_("reserved IP"),
}


def check_points_to_inventory(
    label: str,
    addresses: Sequence[str],
    cloud: Sequence[CloudResource],
    allowed: Sequence[str],
) -> Verdict:
    pointing = []
    problems: list[Message] = []
    for address in addresses:
        owner = owner_of(address, cloud)
        if owner is None:
            pointing.append({"address": address, "resource": None, "region": None})
            problems.append(N_("{address} belongs to no resource of the account", address=address))
            continue
        pointing.append(
            {"address": address, "resource": f"{owner.kind}:{owner.name}", "region": owner.region}
        )
        if owner.region not in allowed:
            problems.append(
                N_(
                    "{address} is {kind} {name} in {region}",
                    address=address,
                    kind=KINDS.get(owner.kind, owner.kind),
                    name=owner.name,
                    region=owner.region or N_("no region"),
                )
            )
    evidence = {"addresses": pointing, "allowed": list(allowed)}
    if problems:
        message = N_(
            "{site} points elsewhere: {problems}.", site=label, problems=joined(problems, "; ")
        )
        return Verdict(Status.FAIL, message, evidence)
    regions = ", ".join(sorted({str(p["region"]) for p in pointing}))
    message = N_(
        "{site} points at the account's resources in {regions}.", site=label, regions=regions
    )
    return Verdict(Status.PASS, message, evidence)


# A check of one site: its label (for the message), its addresses, the account's resources,
# the allowed regions.
Judge = Callable[[str, Sequence[str], Sequence[CloudResource], Sequence[str]], Verdict]
# Every dns check, in report order.
CHECKS: CheckTable[Judge] = CheckTable(
    (
        Check(
            CheckSpec(
                "dns.points_to_inventory",
                title="Every site points at the account's resources in an allowed region",
                title_da="Peger på vores servere i Amsterdam",
                claim=ClaimId.HOSTING,
                severity=Severity.HIGH,
                remediation="Point the site's A/AAAA records at a droplet, load balancer or "
                "reserved IP in Amsterdam.",
            ),
            check_points_to_inventory,
        ),
    )
)
SPECS = specs_of(CHECKS)


def _targets(ctx: AuditContext, inventory: Inventory) -> list[DnsTarget]:
    read = inventory.cloud_account is not None
    return [DnsTarget(site, inventory.cloud, read) for site in ctx.config.sites]


def _audit(target: DnsTarget, ctx: AuditContext) -> Outcome:
    label = target.site.label
    if not target.cloud_read:
        reason = N_(
            "Not checked: the DigitalOcean inventory was not read (no token, or API error)."
        )
        return FAMILY.skipped(label, reason, {})
    addresses = list(target.site.addresses)
    problem = None
    if not addresses:
        answer = ctx.addresses.lookup(target.site.host)  # the tls family's own answer
        addresses, problem = list(answer.addresses), answer.error
        if not addresses:
            message = N_(
                "Could not resolve {host}: {error}.", host=target.site.host, error=str(problem)
            )
            return FAMILY.errored(label, message, {"reason": "dns"})
    allowed = ctx.config.digitalocean.allowed_regions
    findings = []
    for check in CHECKS:
        verdict = check.judge(label, addresses, target.cloud, allowed)
        findings.append(check.finding(label, _unsure(verdict, target.site.host, problem)))
    return Outcome(findings=tuple(findings))


def _unsure(verdict: Verdict, host: str, problem: str | None) -> Verdict:
    """A pass that rests on a partial answer is an error.

    The addresses found are the account's, but a record type could not be read: where the
    rest of the name points is unknown, which is not a promise kept.
    """
    if not problem or verdict.status is not Status.PASS:
        return verdict
    return replace(
        verdict,
        status=Status.ERROR,
        message=N_("Could not resolve every address of {host}: {error}.", host=host, error=problem),
        evidence={**verdict.evidence, "reason": "dns"},
    )


FAMILY: Family[DnsTarget] = Family(
    name="dns", after=("digitalocean",), specs=SPECS, targets=_targets, audit=_audit
)
