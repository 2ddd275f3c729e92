"""The `dns` family: is every site hosted on the account's own resources in Amsterdam?

Claim `hosting`. A site hosted elsewhere (another provider, a droplet in New York, an
address that belongs to no resource of the account) breaks the promise even when every
droplet is in Amsterdam. It runs after the digitalocean family, over its inventory; a
site's pinned addresses stand in for DNS (tests, or sites behind a known address). How a
site on App Platform, behind a front, or run by a data processor is judged: checks/hosting.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from auditor.core.config import SiteConfig
from auditor.core.family import AuditContext, Check, CheckTable, Family, Outcome, Verdict, specs_of
from auditor.core.inventory import CloudResource, Inventory
from auditor.core.messages import N_
from auditor.core.model import CheckSpec, ClaimId, Severity, Status
from checks.hosting import HostingFacts, judge_bypass, judge_hosting
from checks.sites import all_sites


@dataclass(frozen=True)
class DnsTarget:
    site: SiteConfig
    cloud: tuple[CloudResource, ...] = ()
    cloud_read: bool = False

    @property
    def label(self) -> str:
        return self.site.label


# A check of one site: what its hosting is judged on (addresses, the account, its origins).
Judge = Callable[[HostingFacts], Verdict]
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
                "reserved IP in Amsterdam (or serve it from an app or a CDN origin there); "
                "for a fronted site, serve it from origins in Amsterdam.",
            ),
            judge_hosting,
        ),
        Check(
            CheckSpec(
                "dns.front.bypass",
                title="A fronted site's origin does not answer anyone directly",
                title_da="Oprindelsesserveren kan ikke nås uden om fronten",
                claim=ClaimId.HOSTING,
                severity=Severity.LOW,
                remediation="Let only the front's addresses (and the auditor's) reach the "
                "origin's web ports, in its cloud firewall.",
            ),
            judge_bypass,
        ),
    )
)
SPECS = specs_of(CHECKS)


def _targets(ctx: AuditContext, inventory: Inventory) -> list[DnsTarget]:
    read = inventory.cloud_account is not None
    return [DnsTarget(site, inventory.cloud, read) for site in all_sites(ctx, inventory)]


def _audit(target: DnsTarget, ctx: AuditContext) -> Outcome:
    site = target.site
    allowed = ctx.config.digitalocean.allowed_regions
    if not target.cloud_read and site.processor is None:
        reason = N_(
            "Not checked: the DigitalOcean inventory was not read (no token, or API error)."
        )
        return FAMILY.skipped(site.label, reason, {})
    addresses = list(site.addresses)
    problem = None
    if not addresses:
        answer = ctx.addresses.lookup(site.host)  # the tls family's own answer
        addresses, problem = list(answer.addresses), answer.error
        # A processor's site is judged without its addresses: they only tell a stale config.
        if not addresses and site.processor is None:
            message = N_("Could not resolve {host}: {error}.", host=site.host, error=str(problem))
            return FAMILY.errored(site.label, message, {"reason": "dns"})
    front = None
    if site.front is not None and addresses:
        # Imported here: the origin probe loads cryptography, which no other site needs yet.
        from checks.origin import probe_front  # noqa: PLC0415

        front = probe_front(site.host, site.port, addresses[0], site.origin_addresses, ctx)
    facts = HostingFacts(site, tuple(addresses), target.cloud, allowed, front)
    findings = []
    for check in CHECKS:
        verdict = check.judge(facts)
        # A fronted site is judged on its origins: where the rest of its name points is
        # the front's business, not the promise's.
        if check.judge is judge_hosting and site.front is None:
            verdict = _unsure(verdict, site.host, problem)
        findings.append(check.finding(site.label, verdict))
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
    name="dns", after=("digitalocean", "discovery"), specs=SPECS, targets=_targets, audit=_audit
)
