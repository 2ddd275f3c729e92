"""What the public "certifikater" page may show, built field by field from a report.

An allow-list by construction: the template gets only these dataclasses, and each field is
copied here from a public fact (a certificate anyone can fetch, a header anyone can read,
a promise's status). Server addresses, key holders, key comments, error messages and
traces are never copied, so no template change can leak them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from auditor.core.inventory import CertificateRecord
from auditor.core.model import CheckSpec, Finding, Status, worst_status
from auditor.core.report import Report
from reports import danish

SITE_CHECKS = ("tls.", "https.")


@dataclass(frozen=True)
class PublicClaim:
    text: str
    status: str  # "pass" | "fail" | "error" | "skipped": the CSS class
    label: str  # Holder / Holder ikke / Kunne ikke kontrolleres / Ikke kontrolleret
    notes: int  # warnings beside a claim that holds


@dataclass(frozen=True)
class PublicCertificate:
    subject: str
    issuer: str
    valid_from: str
    valid_to: str
    days_left: str
    expiring: bool
    sha256: str
    key: str
    signature: str
    sans: tuple[str, ...]


@dataclass(frozen=True)
class PublicSite:
    host: str
    platform: str
    status: str
    label: str
    problems: tuple[str, ...]  # Danish titles of the checks that fail or could not run
    certificates: tuple[PublicCertificate, ...]  # one per distinct certificate served
    tls_versions: str
    hsts: str
    redirect: str


@dataclass(frozen=True)
class PublicPage:
    checked_at: str
    claims: tuple[PublicClaim, ...]
    sites: tuple[PublicSite, ...]


def _belongs(finding: Finding, site_label: str) -> bool:
    return finding.target == site_label or finding.target.startswith(site_label + "@")


def _key(record: CertificateRecord) -> str:
    if not record.key_type:
        return "ukendt"
    return f"{record.key_type} {record.key_size} bit" if record.key_size else record.key_type


def _certificate(record: CertificateRecord, warning_days: int) -> PublicCertificate:
    return PublicCertificate(
        subject=record.common_name or record.subject or "ukendt",
        issuer=record.issuer_organization or record.issuer or "ukendt",
        valid_from=danish.date(record.not_before),
        valid_to=danish.date(record.not_after),
        days_left=danish.days(record.days_left),
        expiring=record.days_left is not None and record.days_left < warning_days,
        sha256=record.sha256,
        key=_key(record),
        signature=record.signature_algorithm or "ukendt",
        sans=record.sans,
    )


def _hsts(findings: Sequence[Finding]) -> str:
    hsts = next((f for f in findings if f.check == "https.hsts"), None)
    if hsts is None or hsts.status is Status.ERROR:
        return "Kunne ikke kontrolleres"
    max_age = hsts.evidence.get("max_age")
    if not isinstance(max_age, int) or hsts.status is Status.FAIL:
        return "Nej"
    extras = [
        text
        for key, text in (("include_subdomains", "også underdomæner"), ("preload", "preload"))
        if hsts.evidence.get(key)
    ]
    shown = f"Ja, i {danish.days(max_age // 86400)}"
    return shown + (f" ({', '.join(extras)})" if extras else "")


def _redirect(findings: Sequence[Finding]) -> str:
    redirect = next((f for f in findings if f.check == "https.redirect"), None)
    if redirect is None or redirect.status is Status.ERROR:
        return "Kunne ikke kontrolleres"
    if redirect.status is Status.PASS:
        return "Ja"
    if redirect.status is Status.WARN:
        return "http:// besvares ikke"
    return "Nej"


def _site(
    report: Report,
    host: str,
    port: int,
    label: str,
    platform: str,
    warning_days: int,
    catalog: Mapping[str, CheckSpec],
) -> PublicSite:
    findings = [
        f for f in report.findings if f.check.startswith(SITE_CHECKS) and _belongs(f, label)
    ]
    status = worst_status([f.status for f in findings]) if findings else Status.SKIPPED
    status = Status.PASS if status is Status.WARN else status
    problems = sorted(
        {
            danish.check_title(catalog, f.check)
            for f in findings
            if f.status in (Status.FAIL, Status.ERROR)
        }
    )
    records = [
        c for c in report.inventory.certificates if (c.site, c.port) == (host, port) and c.sha256
    ]
    distinct = {r.sha256: r for r in records}
    versions = sorted({v for r in records for v in r.tls_versions})
    return PublicSite(
        host=host,
        platform=platform,
        status=status.value,
        label=danish.CLAIM_STATUS[status],
        problems=tuple(problems),
        certificates=tuple(_certificate(r, warning_days) for r in distinct.values()),
        tls_versions=", ".join(versions) or "ukendt",
        hsts=_hsts(findings),
        redirect=_redirect(findings),
    )


def _sites(
    report: Report, warning_days: int, catalog: Mapping[str, CheckSpec]
) -> tuple[PublicSite, ...]:
    seen: dict[str, tuple[str, str, int]] = {}
    for record in report.inventory.certificates:
        label = record.site if record.port == 443 else f"{record.site}:{record.port}"
        seen.setdefault(label, (record.site, record.platform, record.port))
    for finding in report.findings_for("tls.connect"):
        # A site that never answered has no certificate record, but must still be listed.
        label = finding.target.split("@", 1)[0]
        host, _, port = label.partition(":")
        seen.setdefault(label, (host, "", int(port) if port.isdigit() else 443))
    return tuple(
        _site(report, host, port, label, platform, warning_days, catalog)
        for label, (host, platform, port) in sorted(seen.items(), key=lambda i: (i[1][1], i[0]))
    )


def public_page(
    report: Report, catalog: Mapping[str, CheckSpec], warning_days: int = 21
) -> PublicPage:
    """The public page's view; `catalog` (every check by its id) names the failed checks."""
    claims = []
    for claim in report.claims:
        claims.append(
            PublicClaim(
                text=claim.text,
                status=Status.PASS.value if claim.status is Status.WARN else claim.status.value,
                label=danish.CLAIM_STATUS[claim.status],
                notes=len(claim.warnings) if claim.status is Status.PASS else 0,
            )
        )
    return PublicPage(
        checked_at=danish.date_time(report.run.finished_at),
        claims=tuple(claims),
        sites=_sites(report, warning_days, catalog),
    )
