"""The `https` family: http:// must redirect to https://, and HSTS must pin it (claim `https`)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from http.client import HTTPResponse
from urllib.parse import urlsplit

from auditor.core.family import AuditContext, Check, CheckTable, Family, Outcome, Verdict, specs_of
from auditor.core.inventory import Inventory
from auditor.core.model import CheckSpec, ClaimId, Finding, Status
from auditor.core.model import Severity as Sev
from auditor.core.text import excerpt
from checks.https import record
from checks.https.hsts import HstsError, parse_hsts
from checks.https.probe import (
    HttpsScan,
    HttpUnreachable,
    follow_redirects,
    https_headers,
    request,
    same_resource,
)
from checks.sites import SiteTarget, site_targets

ONE_YEAR = 31_536_000


def _url(scheme: str, host: str, port: int) -> str:
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}/" if port == default else f"{scheme}://{host}:{port}/"


Judge = Callable[[HttpsScan, SiteTarget], Verdict]


def check_redirect(scan: HttpsScan, target: SiteTarget) -> Verdict:
    host, https_port = target.site.host, target.site.port
    trace = scan.redirects
    evidence: dict[str, object] = {
        "hops": [{"url": h.url, "status": h.status, "location": h.location} for h in trace.hops],
        "stopped": trace.stopped,
    }
    if trace.error is not None:
        # Nothing listens on plain HTTP: no cleartext page, but a visitor typing the bare
        # name gets an error instead of the site.
        if "refused" in trace.error:
            return Verdict(Status.WARN, f"http:// is not served at all ({trace.error}).", evidence)
        return Verdict(Status.ERROR, f"Could not check: {trace.error}.", evidence)
    first = trace.hops[0]
    evidence["location"] = first.location
    shown = excerpt(first.location or "")  # the server's, in full in the evidence
    if first.location is None:
        # Stopped at the first answer: a 3xx whose Location no browser can follow.
        why = f", but {trace.stopped}" if trace.stopped else " without redirecting"
        return Verdict(Status.FAIL, f"http:// answers {first.status}{why}.", evidence)
    to = urlsplit(first.location)
    to_port = to.port or (443 if to.scheme == "https" else 80)
    if to.scheme != "https":
        return Verdict(Status.FAIL, f"http:// redirects to {shown}, not to https://.", evidence)
    if to.hostname != host or to_port != https_port:
        return Verdict(Status.FAIL, f"http:// redirects to another host: {shown}.", evidence)
    if trace.loop:
        return Verdict(Status.FAIL, "The redirects loop.", evidence)
    if trace.too_many:
        return Verdict(Status.FAIL, f"Too many redirects ({trace.stopped}).", evidence)
    return Verdict(Status.PASS, f"http:// redirects ({first.status}) to {shown}.", evidence)


def check_hsts(scan: HttpsScan, target: SiteTarget) -> Verdict:
    if scan.headers is None:
        return Verdict(Status.ERROR, f"Could not check: {scan.headers_error}.")
    values = scan.headers.sts
    evidence: dict[str, object] = {
        "status": scan.headers.status,
        "header": values[0] if values else None,
    }
    if not values:
        return Verdict(Status.FAIL, "No Strict-Transport-Security header.", evidence)
    try:
        # RFC 6797 8.1: only the first header field counts when there are several.
        policy = parse_hsts(values[0])
    except HstsError as exc:
        return Verdict(
            Status.FAIL,
            f"Invalid Strict-Transport-Security header: {excerpt(str(exc))}.",
            evidence,
        )
    evidence |= {
        "max_age": policy.max_age,
        "include_subdomains": policy.include_subdomains,
        "preload": policy.preload,
    }
    days = policy.max_age // 86400
    span = "1 day" if days == 1 else f"{days} days"
    if policy.max_age >= ONE_YEAR:
        return Verdict(Status.PASS, f"HSTS for {span}.", evidence)
    if policy.max_age == 0:
        return Verdict(Status.FAIL, "HSTS with max-age=0 switches HSTS off.", evidence)
    return Verdict(Status.WARN, f"HSTS for only {span} (less than a year).", evidence)


# Every https check, in report order; each judges a failed request itself.
CHECKS: CheckTable[Judge] = CheckTable(
    (
        Check(
            CheckSpec(
                "https.redirect",
                title="http:// redirects to https:// on the same host",
                title_da="http:// sender videre til https://",
                claim=ClaimId.HTTPS,
                severity=Sev.HIGH,
                remediation="Answer every http:// request with a 301 to the same URL on https:// "
                "and the same host.",
            ),
            check_redirect,
        ),
        Check(
            CheckSpec(
                "https.hsts",
                title="HSTS tells browsers to use https:// for at least a year",
                title_da="HSTS (browseren husker at bruge https://)",
                claim=ClaimId.HTTPS,
                severity=Sev.MEDIUM,
                remediation='Send "Strict-Transport-Security: max-age=63072000; '
                'includeSubDomains" on every HTTPS answer.',
            ),
            check_hsts,
        ),
    )
)
SPECS = specs_of(CHECKS)
# The redirect's verdict also says, in the site's record, whether http:// leads to https://.
REDIRECT = CHECKS.check("https.redirect")


def evaluate(scan: HttpsScan, target: SiteTarget) -> list[Finding]:
    """Every https finding for one site address, one per check."""
    return [check.finding(target.label, check.judge(scan, target)) for check in CHECKS]


def _targets(ctx: AuditContext, inventory: Inventory) -> list[SiteTarget]:
    return site_targets(ctx)


def _audit(target: SiteTarget, ctx: AuditContext) -> Outcome:
    if target.not_probed:
        evidence = {"address": target.address, "reason": "not_probed"}
        outcome = FAMILY.skipped(target.label, target.not_probed, evidence)
        return replace(outcome, inventory=record.known(target))
    if target.address is None:
        reason = target.resolve_error or "no address"
        outcome = FAMILY.errored(target.label, f"Could not check: {reason}.", {"reason": "dns"})
        return replace(outcome, inventory=record.known(target))
    site = target.site
    timeout = ctx.config.limits.connect_timeout
    http_url = _url("http", site.host, site.http_port)
    https_url = _url("https", site.host, site.port)
    address = target.address
    gate = ctx.gate(address)

    def fetch(url: str) -> HTTPResponse:
        # The redirect usually lands on the page fetched for its headers: one request, not two.
        if same_resource(url, https_url):
            return https_page.result()
        return request(url, address, timeout, gate)

    with ThreadPoolExecutor(max_workers=1) as pool:
        https_page = pool.submit(request, https_url, address, timeout, gate)
        redirects = follow_redirects(http_url, fetch)
        headers, error = None, None
        try:
            headers = https_headers(https_page.result())
        except HttpUnreachable as exc:
            error = str(exc)
    scan = HttpsScan(http_url, https_url, redirects, headers, error)
    findings = evaluate(scan, target)
    redirect = next(f for f in findings if f.check == REDIRECT.spec.id)
    answers = record.scanned_record(target, scan, redirect)
    return Outcome(findings=tuple(findings), inventory=Inventory(https=(answers,)))


FAMILY: Family[SiteTarget] = Family(
    name="https", after=(), specs=SPECS, targets=_targets, audit=_audit, known=record.known
)
