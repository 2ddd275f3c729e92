"""What the public "certifikater" page may show, built field by field from a report.

An allow-list by construction: the template gets only these dataclasses, and each field is
copied here from a public fact (a certificate anyone can fetch, a header anyone can read,
a promise's status). Server addresses, key holders, key comments, error messages and
traces are never copied, so no template change can leak them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from auditor.core.config import Limits, PagesSettings
from auditor.core.hosts import HTTPS_PORT, target_label
from auditor.core.inventory import CertificateRecord, HttpsRecord
from auditor.core.model import CheckSpec, ClaimId, Finding, Status, worst_status
from auditor.core.report import Claim, Report
from reports import danish, public_words
from reports.discovery_view import discovered_hosts
from reports.hosting_view import SiteHosting, processor_sites, site_hosting


@dataclass(frozen=True)
class PublicClaim:
    text: str
    status: str  # "pass" | "fail" | "error" | "skipped": the CSS class
    label: str  # Holder / Holder ikke / Kunne ikke kontrolleres / Ikke kontrolleret
    why: tuple[str, ...]  # a claim that does not hold or was not checked: one sentence a cause
    means: str  # what that means for a visitor ("" for a claim that holds)
    notes: tuple[str, ...]  # what could be better beside a claim that holds, one a sentence


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
    problems: tuple[str, ...]  # what is wrong, or why it could not be checked: plain sentences
    certificates: tuple[PublicCertificate, ...]  # one per distinct certificate served
    tls_versions: str
    hsts: str
    redirect: str
    # Where the site is hosted, and why that verdict (in Danish words, never an address);
    # None when no hosting verdict was given (an old report, or no hosting check run).
    hosting: SiteHosting | None = None
    discovered: bool = False  # found by discovery, not listed in the config


@dataclass(frozen=True)
class PublicMailCheck:
    title: str  # the check's Danish title
    status: str  # the finding's status: the CSS class
    label: str  # OK / Bemærkning / Fejl / ...


@dataclass(frozen=True)
class PublicMailDomain:
    """A mail domain's checks: what its public DNS records say, never a message text."""

    domain: str
    status: str
    label: str
    checks: tuple[PublicMailCheck, ...]


@dataclass(frozen=True)
class PublicPage:
    checked_at: str
    claims: tuple[PublicClaim, ...]
    sites: tuple[PublicSite, ...]
    privacy_policy_url: str | None
    contact: str | None
    contact_href: str | None  # mailto: for an e-mail address
    processors: tuple[SiteHosting, ...] = ()  # sites a data processor runs, with the reason
    mail: tuple[PublicMailDomain, ...] = ()


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


def _hsts(record: HttpsRecord | None) -> str:
    if record is None or record.https_status is None:
        return "Kunne ikke kontrolleres"
    if not record.hsts_max_age:  # none, an invalid header, or max-age=0: HSTS is off
        return "Nej"
    extras = [
        text
        for flag, text in (
            (record.hsts_include_subdomains, "også underdomæner"),
            (record.hsts_preload, "preload"),
        )
        if flag
    ]
    shown = f"Ja, i {danish.days(record.hsts_max_age // 86400)}"
    return shown + (f" ({', '.join(extras)})" if extras else "")


def _redirect(record: HttpsRecord | None) -> str:
    if record is None or record.http_served is None:
        return "Kunne ikke kontrolleres"
    if record.redirects_to_https:
        return "Ja"
    if not record.http_served:
        return "http:// besvares ikke"
    return "Nej"


@dataclass(frozen=True)
class _Site:
    """One configured site: its records at every address, and the findings on them."""

    host: str
    port: int
    platform: str
    tls: tuple[CertificateRecord, ...]
    https: tuple[HttpsRecord, ...]


def _site(
    site: _Site,
    claim: Claim,
    warning_days: int,
    catalog: Mapping[str, CheckSpec],
    hosting: Mapping[str, SiteHosting],
) -> PublicSite:
    targets = {r.target for r in site.tls} | {r.target for r in site.https}
    findings = [f for f in claim.findings if f.target in targets]
    status = worst_status([f.status for f in findings]) if findings else Status.SKIPPED
    status = Status.PASS if status is Status.WARN else status
    if status is Status.FAIL:
        wrong = [f for f in findings if f.status is Status.FAIL]
        problems = [
            public_words.problem(f, danish.check_title(catalog, f.check)) + "." for f in wrong
        ]
    else:
        problems = [public_words.cause(f) for f in findings if f.status is Status.ERROR]
    records = [r for r in site.tls if r.reached]
    distinct = {r.sha256: r for r in records}
    versions = sorted({v for r in records for v in r.tls_versions})
    # Of a site's addresses, the first whose HTTPS answered speaks for it.
    https = next((r for r in site.https if r.https_status is not None), None)
    answered = next((r for r in site.https if r.http_served is not None), None)
    return PublicSite(
        host=site.host,
        platform=site.platform,
        status=status.value,
        label=danish.CLAIM_STATUS[status],
        problems=tuple(dict.fromkeys(problems)),
        certificates=tuple(_certificate(r, warning_days) for r in distinct.values()),
        tls_versions=", ".join(versions) or "ukendt",
        hsts=_hsts(https),
        redirect=_redirect(answered),
        hosting=hosting.get(target_label(site.host, site.port, HTTPS_PORT)),
    )


def _sites(
    report: Report, warning_days: int, catalog: Mapping[str, CheckSpec]
) -> tuple[PublicSite, ...]:
    inventory = report.inventory
    # The tls family has a record of every site it was given, answered or not.
    names = [(r.site, r.port) for r in inventory.certificates]
    sites = []
    for host, port in dict.fromkeys(names):
        tls = tuple(r for r in inventory.certificates if (r.site, r.port) == (host, port))
        platform = next((r.platform for r in tls if r.platform), "")
        https = tuple(r for r in inventory.https if (r.site, r.port) == (host, port))
        sites.append(_Site(host, port, platform, tls, https))
    claim = report.claim(ClaimId.HTTPS)
    hosting = site_hosting(report)
    discovered = discovered_hosts(report)
    return tuple(
        replace(
            _site(site, claim, warning_days, catalog, hosting),
            discovered=site.host in discovered,
        )
        for site in sorted(sites, key=lambda s: (s.platform, s.host, s.port))
    )


def _mail(report: Report, catalog: Mapping[str, CheckSpec]) -> tuple[PublicMailDomain, ...]:
    """Each mail domain with its checks; none for a report from before the mail promise."""
    claim = next((c for c in report.claims if c.id is ClaimId.MAIL), None)
    if claim is None:
        return ()
    domains = []
    for domain in dict.fromkeys(f.target for f in claim.findings):
        findings = [f for f in claim.findings if f.target == domain]
        status = worst_status([f.status for f in findings])
        checks = tuple(
            PublicMailCheck(
                danish.check_title(catalog, f.check),
                f.status.value,
                danish.FINDING_STATUS[f.status],
            )
            for f in findings
        )
        domains.append(PublicMailDomain(domain, status.value, danish.CLAIM_STATUS[status], checks))
    return tuple(sorted(domains, key=lambda d: d.domain))


def _site_names(report: Report) -> dict[str, str]:
    """A finding's target -> the public name of the site it is about (never its address)."""
    names: dict[str, str] = {}
    records = [(r.target, r.site) for r in report.inventory.certificates]
    records += [(r.target, r.site) for r in report.inventory.https]
    for target, site in records:
        label = target.split("@", 1)[0]  # site@address: one of a site's addresses
        names[target] = names[label] = site
    return names


def _sentences(
    findings: list[Finding], phrase: Callable[[Finding], str], sites: Mapping[str, str]
) -> tuple[str, ...]:
    """One sentence per distinct phrase, naming the sites it is about (or how many places)."""
    where: dict[str, list[str]] = {}
    for finding in findings:
        places = where.setdefault(phrase(finding), [])
        place = sites.get(finding.target, f"#{finding.target}")  # "#": not public, counted
        if place not in places:
            places.append(place)
    sentences = []
    for words, places in where.items():
        named = [p for p in places if not p.startswith("#")]
        suffix = ""
        if named:
            suffix = f" ({', '.join(named)})"
        elif len(places) > 1:
            suffix = f" ({len(places)} tilfælde)"
        sentences.append(words.rstrip(".") + suffix + ".")
    return tuple(sentences)


def _claim(claim: Claim, catalog: Mapping[str, CheckSpec], sites: Mapping[str, str]) -> PublicClaim:
    def problem(finding: Finding) -> str:
        return public_words.problem(finding, danish.check_title(catalog, finding.check))

    status = claim.status
    why: tuple[str, ...] = ()
    means = ""
    if status is Status.FAIL:
        failing = [f for f in claim.findings if f.status is Status.FAIL]
        why, means = _sentences(failing, problem, sites), public_words.MEANS_FAIL[claim.id]
    elif status in (Status.ERROR, Status.SKIPPED):
        unchecked = [f for f in claim.findings if f.status is status]
        why = _sentences(unchecked, public_words.cause, {}) or (danish.NOTHING_CONFIGURED,)
        means = public_words.MEANS[status]
    notes = _sentences(list(claim.warnings), problem, sites) if status is Status.PASS else ()
    return PublicClaim(
        text=claim.text,
        status=Status.PASS.value if status is Status.WARN else status.value,
        label=danish.CLAIM_STATUS[status],
        why=why,
        means=means,
        notes=notes,
    )


def public_page(
    report: Report,
    catalog: Mapping[str, CheckSpec],
    warning_days: int = Limits.expiry_warning_days,
    pages: PagesSettings | None = None,
) -> PublicPage:
    """The public page's view; `catalog` (every check by its id) names the failed checks,
    `pages` (the configuration's `[pages]`) what the page links to."""
    pages = pages or PagesSettings()
    sites = _site_names(report)
    contact = pages.contact
    href = contact if contact is None or contact.startswith("https://") else f"mailto:{contact}"
    return PublicPage(
        checked_at=danish.date_time(report.run.finished_at),
        claims=tuple(_claim(c, catalog, sites) for c in report.claims),
        sites=_sites(report, warning_days, catalog),
        processors=processor_sites(report),
        mail=_mail(report, catalog),
        privacy_policy_url=pages.privacy_policy_url,
        contact=contact,
        contact_href=href,
    )
