"""The `ct` family: the certificates Certificate Transparency logged for the party's domains.

Claim `https`. A certificate for one of the party's names from an issuer the party does not
use is a look-alike or a misissued certificate: someone may be able to pose as the site.
The expected issuers are `[discovery] expected_issuers`, else those of the certificates the
sites serve; it runs after the tls family for that reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from auditor.core.discovered import CT_DAYS, ct_target, issuer_name, issuer_parts, recent
from auditor.core.family import (
    AuditContext,
    Check,
    CheckTable,
    Family,
    Outcome,
    Verdict,
    specs_of,
)
from auditor.core.inventory import CtCertificate, Inventory
from auditor.core.messages import N_, Fact, Message
from auditor.core.model import CheckSpec, ClaimId, Severity, Status

TARGET = "ct"


@dataclass(frozen=True)
class CtTarget:
    certificates: tuple[CtCertificate, ...]  # those of the last CT_DAYS days
    expected: tuple[str, ...]  # issuer names (organisation, else common name)
    # Why this run's list could not be read (the last run's shown): in a run, a `Message`.
    stale: str | None = None

    @property
    def label(self) -> str:
        return TARGET


def expected_issuer(certificate: CtCertificate, expected: Sequence[str]) -> bool:
    """The issuer's organisation, common name or whole name is one of `expected`."""
    parts = issuer_parts(certificate.issuer)
    known = {e.strip().lower() for e in expected}
    names = (parts.get("O"), parts.get("CN"), certificate.issuer)
    return any(n is not None and n.strip().lower() in known for n in names)


def check_issuer(certificate: CtCertificate, expected: Sequence[str]) -> Verdict:
    issuer = issuer_name(certificate.issuer)
    evidence = {
        "crt_sh_id": certificate.id,
        "issuer": certificate.issuer,
        "names": list(certificate.names),
        "logged_at": certificate.logged_at,
        "expected": list(expected),
    }
    if expected_issuer(certificate, expected):
        return Verdict(Status.PASS, N_("{issuer} is an expected issuer.", issuer=issuer), evidence)
    names: Fact | Message = ", ".join(certificate.names) or N_("the domain")
    return Verdict(
        Status.WARN,
        N_(
            "A certificate for {names} was issued by {issuer}, which is not an expected issuer: "
            "it may be a look-alike or misissued certificate.",
            names=names,
            issuer=issuer,
        ),
        evidence,
    )


def judge_issuers(target: CtTarget) -> list[tuple[str, Verdict]]:
    if not target.expected:
        reason = N_(
            "Not checked: no expected issuer is known (no site served a certificate, and "
            "[discovery] expected_issuers is empty)."
        )
        return [(TARGET, Verdict(Status.SKIPPED, reason))]
    verdicts = [
        (ct_target(c), verdict)
        for c in target.certificates
        if (verdict := check_issuer(c, target.expected)).status is not Status.PASS
    ]
    if verdicts:
        return verdicts
    count = len(target.certificates)
    if target.stale is not None:
        message = N_(
            "Could not check this week: {reason}. The last list read showed no certificate "
            "from an unexpected issuer.",
            reason=target.stale,
        )
        return [(TARGET, Verdict(Status.ERROR, message, {"reason": "crt.sh"}))]
    message = N_(
        "Every certificate logged in the last {days} days ({count}) comes from an expected issuer.",
        days=CT_DAYS,
        count=count,
    )
    return [(TARGET, Verdict(Status.PASS, message, {"expected": list(target.expected)}))]


Judge = Callable[[CtTarget], list[tuple[str, Verdict]]]
# Every ct check, in report order.
CHECKS: CheckTable[Judge] = CheckTable(
    (
        Check(
            CheckSpec(
                "ct.issuer",
                title="Every certificate logged for the domains comes from an expected issuer",
                title_da="Certifikater i CT-logge kommer fra de forventede udstedere",
                claim=ClaimId.HTTPS,
                severity=Severity.MEDIUM,
                remediation="Find out who asked for the certificate; revoke it if it is not "
                "yours, or add its issuer to [discovery] expected_issuers.",
            ),
            judge_issuers,
        ),
    )
)
SPECS = specs_of(CHECKS)


def evaluate(target: CtTarget) -> Outcome:
    return Outcome(
        findings=tuple(
            check.finding(label, verdict)
            for check in CHECKS
            for label, verdict in check.judge(target)
        )
    )


def _expected(ctx: AuditContext, inventory: Inventory) -> tuple[str, ...]:
    settings = ctx.config.discovery
    if settings is not None and settings.expected_issuers:
        return settings.expected_issuers
    served = (issuer_name(c.issuer) for c in inventory.certificates if c.reached)
    return tuple(sorted(set(served)))


def _targets(ctx: AuditContext, inventory: Inventory) -> list[CtTarget]:
    log = inventory.ct_log
    if log is None:
        return []
    certificates = tuple(recent(inventory.ct_certificates, ctx.now()))
    # The error is this run's message (see checks/discovery/sources.py), translated in turn.
    error = log.error or ""
    stale = N_("crt.sh could not be read ({error})", error=error) if log.stale else None
    return [CtTarget(certificates, _expected(ctx, inventory), stale)]


def _audit(target: CtTarget, ctx: AuditContext) -> Outcome:
    return evaluate(target)


FAMILY: Family[CtTarget] = Family(
    name="ct", after=("discovery", "tls"), specs=SPECS, targets=_targets, audit=_audit
)
