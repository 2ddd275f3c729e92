"""The `discovery` family: every name the promises cover, not only those the config lists.

Claim `https`. It gathers names (the config, the account's DNS zones, Certificate
Transparency), resolves each once and asks its addresses whether anything answers. A name
that answers TLS or HTTP becomes a site the tls, https and dns families audit like a
configured one; an address answering SSH that is no droplet joins the ssh family's servers.
Those families come after this one and read what it found from the inventory.

`sites.coverage` warns for each live site the config does not list, so that the config gets
reviewed; a source that could not be read makes it `error`: never a pass on a partial list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from auditor.core.discovered import Kind
from auditor.core.family import (
    AuditContext,
    Check,
    CheckTable,
    Family,
    Outcome,
    SimpleTarget,
    Verdict,
    specs_of,
)
from auditor.core.inventory import DiscoveredName, Inventory
from auditor.core.messages import N_, joined
from auditor.core.model import CheckSpec, ClaimId, Severity, Status
from checks.discovery.classify import classify
from checks.discovery.sources import gather

TARGET = "discovery"


@dataclass(frozen=True)
class Found:
    """What the family judges: every name and what it is, and the sources that failed."""

    names: tuple[DiscoveredName, ...]
    problems: tuple[str, ...] = ()  # in a run, each a `Message` (translated in turn)


def check_unconfigured(name: DiscoveredName) -> Verdict:
    return Verdict(
        Status.WARN,
        N_(
            "{name} answers on the web but is not in the config. It is audited as a discovered "
            "site; add it to [[sites]], or to [discovery] exclude with a reason.",
            name=name.name,
        ),
        {"sources": list(name.sources), "serves": list(name.serves), "platform": name.platform},
    )


def check_not_asked(name: DiscoveredName) -> Verdict:
    return Verdict(
        Status.ERROR,
        N_(
            "Could not check whether {name} serves a site: its only addresses are IPv6, and "
            "dns.probe_ipv6 is false.",
            name=name.name,
        ),
        {"addresses": list(name.addresses), "reason": "ipv6"},
    )


def judge_coverage(found: Found) -> list[tuple[str, Verdict]]:
    verdicts = [(n.name, check_unconfigured(n)) for n in found.names if n.live and not n.configured]
    verdicts += [(n.name, check_not_asked(n)) for n in found.names if n.kind == Kind.NOT_ASKED]
    if found.problems:
        message = N_(
            "Could not check this week that every site is found: {problems}.",
            problems=joined(found.problems, "; "),
        )
        evidence = {"problems": [str(p) for p in found.problems]}  # the English sentences
        verdicts.append((TARGET, Verdict(Status.ERROR, message, evidence)))
    elif not verdicts:
        live = sum(n.live for n in found.names)
        message = N_(
            "Every live site found ({live} of {count} names) is in the config.",
            live=live,
            count=len(found.names),
        )
        verdicts.append((TARGET, Verdict(Status.PASS, message, {"names": len(found.names)})))
    return verdicts


Judge = Callable[[Found], list[tuple[str, Verdict]]]
# Every discovery check, in report order.
CHECKS: CheckTable[Judge] = CheckTable(
    (
        Check(
            CheckSpec(
                "sites.coverage",
                title="Every live site found in DNS zones and CT is in the config",
                title_da="Alle fundne hjemmesider er med i kontrollen",
                claim=ClaimId.HTTPS,
                severity=Severity.MEDIUM,
                remediation="Add the site to [[sites]] with its platform, or list it under "
                "[discovery] exclude with the reason it is left out.",
            ),
            judge_coverage,
        ),
    )
)
SPECS = specs_of(CHECKS)


def findings_of(found: Found) -> Outcome:
    findings = tuple(
        check.finding(target, verdict) for check in CHECKS for target, verdict in check.judge(found)
    )
    return Outcome(findings=findings)


def _targets(ctx: AuditContext, inventory: Inventory) -> Sequence[SimpleTarget]:
    return [SimpleTarget(TARGET)] if ctx.config.discovery is not None else []


def _audit(target: SimpleTarget, ctx: AuditContext) -> Outcome:
    settings = ctx.config.discovery
    assert settings is not None  # there is no target without [discovery]
    gathered = gather(ctx, settings)
    names = classify(ctx, gathered.names, settings)
    outcome = findings_of(Found(names, tuple(gathered.problems)))
    inventory = Inventory(
        discovered=names, ct_certificates=gathered.ct_certificates, ct_log=gathered.ct_log
    )
    return Outcome(findings=outcome.findings, inventory=inventory)


FAMILY: Family[SimpleTarget] = Family(
    name="discovery", after=(), specs=SPECS, targets=_targets, audit=_audit
)
