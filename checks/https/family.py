"""The `https` family: http:// must redirect to https://, and HSTS must pin it (claim `https`)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from urllib.parse import urlsplit

from auditor.core.addresses import is_ipv6
from auditor.core.family import AuditContext, Check, CheckTable, Family, Outcome, Verdict, specs_of
from auditor.core.inventory import Inventory
from auditor.core.messages import N_, Message
from auditor.core.model import CheckSpec, ClaimId, Finding, Status
from auditor.core.model import Severity as Sev
from auditor.core.text import excerpt
from checks.https import record
from checks.https.hsts import HstsError, parse_hsts
from checks.https.probe import (
    REDIRECT_STATUSES,
    HttpsScan,
    HttpUnreachable,
    Pages,
    RedirectTrace,
    follow_redirects,
    landing,
    reaches,
    within,
)
from checks.sites import SiteTarget, site_targets

ONE_YEAR = 31_536_000


def site_url(scheme: str, host: str, port: int) -> str:
    default = 443 if scheme == "https" else 80
    name = f"[{host}]" if ":" in host else host  # an IPv6 address, as URLs write it
    return f"{scheme}://{name}/" if port == default else f"{scheme}://{name}:{port}/"


Judge = Callable[[HttpsScan, SiteTarget], Verdict]


def check_redirect(scan: HttpsScan, target: SiteTarget) -> Verdict:
    trace = scan.redirects
    evidence: dict[str, object] = {
        "hops": [{"url": h.url, "status": h.status, "location": h.location} for h in trace.hops],
        "stopped": trace.stopped,
    }
    if trace.error is not None:
        # Nothing listens on plain HTTP: no cleartext page, but a visitor typing the bare
        # name gets an error instead of the site.
        if "refused" in trace.error:
            message = N_("http:// is not served at all ({error}).", error=trace.error)
            return Verdict(Status.WARN, message, evidence)
        return Verdict(Status.ERROR, N_("Could not check: {error}.", error=trace.error), evidence)
    first = trace.hops[0]
    evidence |= {"location": first.location, "final": trace.final}
    if first.location is None:
        # Stopped at the first answer: a 3xx whose Location no browser can follow.
        if trace.stopped:
            message = N_(
                "http:// answers {status}, but {reason}.", status=first.status, reason=trace.stopped
            )
        else:
            message = N_("http:// answers {status} without redirecting.", status=first.status)
        return Verdict(Status.FAIL, message, evidence)
    problem = _broken_hop(trace, target)
    if problem is not None:
        return Verdict(Status.FAIL, problem, evidence)
    if trace.loop:
        return Verdict(Status.FAIL, N_("The redirects loop."), evidence)
    if trace.too_many:
        message = N_("Too many redirects ({reason}).", reason=trace.stopped or "")
        return Verdict(Status.FAIL, message, evidence)
    shown = N_(
        "http:// redirects ({status}) to {location}",
        status=first.status,
        location=excerpt(first.location),
    )
    redirects = sum(1 for hop in trace.hops if hop.location is not None)
    if redirects > 1:
        shown = N_(
            "{redirect}, and on through {more} more to {final}",
            redirect=shown,
            more=redirects - 1,
            final=excerpt(trace.final or ""),
        )
    if any(urlsplit(h.location or "").fragment for h in trace.hops):
        # Kept by the browser and never sent to a server (RFC 9110 10.2.2): it moves nobody
        # to another page or to cleartext, so it does not break the promise; but a redirect
        # rule rarely means to add one, so it is shown for review.
        evidence["fragment"] = True
        message = N_("{redirect}; a redirect carries a #fragment.", redirect=shown)
        return Verdict(Status.WARN, message, evidence)
    return Verdict(Status.PASS, N_("{redirect}.", redirect=shown), evidence)


def _broken_hop(trace: RedirectTrace, target: SiteTarget) -> Message | None:
    """Why the chain from http:// does not take a visitor to https:// on the site and keep
    them on https://, or None.

    Every Location must be https:// without a user name in it, and the first must be on
    the site (its host or a name under it, on the site's port): from there the visitor may
    be sent on anywhere, over https://.
    """
    site = target.site
    for index, hop in enumerate(trace.hops):
        source = "http://" if index == 0 else excerpt(hop.url)
        if hop.location is None:
            if hop.status in REDIRECT_STATUSES:  # a later 3xx no browser can follow
                if trace.stopped:
                    return N_(
                        "{url} answers {status}, but {reason}.",
                        url=source,
                        status=hop.status,
                        reason=trace.stopped,
                    )
                return N_(
                    "{url} answers {status} without a Location.", url=source, status=hop.status
                )
            return None  # the page the chain ends on
        shown, to = excerpt(hop.location), urlsplit(hop.location)
        if to.username is not None:  # https://evil@host/: browsers warn of a phishing link
            return N_(
                "{url} redirects to a URL with a user name in it: {location}.",
                url=source,
                location=shown,
            )
        if to.scheme != "https":
            if index == 0:
                return N_("http:// redirects to {location}, not to https://.", location=shown)
            return N_(
                "{url} redirects back to {scheme}://: {location}.",
                url=source,
                scheme=to.scheme,
                location=shown,
            )
        on_site = within(to.hostname, site.host) and (to.port or 443) == site.port
        if index == 0 and not on_site:
            return N_("http:// redirects to another host: {location}.", location=shown)
    return None


def check_hsts(scan: HttpsScan, target: SiteTarget) -> Verdict:
    if scan.headers is None:
        return Verdict(Status.ERROR, N_("Could not check: {error}.", error=str(scan.headers_error)))
    values = scan.headers.sts
    evidence: dict[str, object] = {
        "url": scan.headers.url,  # the final https:// answer on the site's host
        "status": scan.headers.status,
        "header": values[0] if values else None,
    }
    if not values:
        return Verdict(Status.FAIL, N_("No Strict-Transport-Security header."), evidence)
    try:
        # RFC 6797 8.1: only the first header field counts when there are several.
        policy = parse_hsts(values[0])
    except HstsError as exc:
        return Verdict(
            Status.FAIL,
            N_("Invalid Strict-Transport-Security header: {error}.", error=excerpt(str(exc))),
            evidence,
        )
    evidence |= {
        "max_age": policy.max_age,
        "include_subdomains": policy.include_subdomains,
        "preload": policy.preload,
    }
    days = policy.max_age // 86400
    span = N_("1 day") if days == 1 else N_("{days} days", days=days)
    if policy.max_age >= ONE_YEAR:
        return Verdict(Status.PASS, N_("HSTS for {span}.", span=span), evidence)
    if policy.max_age == 0:
        return Verdict(Status.FAIL, N_("HSTS with max-age=0 switches HSTS off."), evidence)
    message = N_("HSTS for only {span} (less than a year).", span=span)
    return Verdict(Status.WARN, message, evidence)


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
    return site_targets(ctx, inventory)


def _address_of(target: SiteTarget, ctx: AuditContext) -> Callable[[str], str]:
    """Where each host of the site is asked: the site's own name at this target's address,
    a name under it at its pinned address if it is a configured site too, else at the first
    address the run's resolver gives it."""
    pinned = {s.host: s.addresses[0] for s in ctx.config.sites if s.addresses}

    def address_of(host: str) -> str:
        if host == target.site.host and target.address is not None:
            return target.address
        if host in pinned:
            return pinned[host]
        answer = ctx.addresses.lookup(host)
        addresses = list(answer.addresses)
        if not ctx.config.dns.probe_ipv6:
            addresses.sort(key=is_ipv6)  # IPv4 first, as the site's own targets prefer it
        if not addresses:
            raise HttpUnreachable(f"{host} has no address: {answer.error or 'none'}")
        return addresses[0]

    return address_of


def _audit(target: SiteTarget, ctx: AuditContext) -> Outcome:
    if target.not_probed:
        evidence = {"address": target.address, "reason": "not_probed"}
        outcome = FAMILY.skipped(target.label, target.not_probed, evidence)
        return replace(outcome, inventory=record.known(target))
    if target.address is None:
        reason: str = target.resolve_error or N_("no address")
        message = N_("Could not check: {error}.", error=reason)
        outcome = FAMILY.errored(target.label, message, {"reason": "dns"})
        return replace(outcome, inventory=record.known(target))
    site = target.site
    http_url = site_url("http", site.host, site.http_port)
    https_url = site_url("https", site.host, site.port)
    pages = Pages(_address_of(target, ctx), ctx.config.limits.connect_timeout, ctx.gate)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pages.prefetch(https_url, pool)  # asked for while http:// is still answering
        redirects = follow_redirects(http_url, pages.fetch)
        # HSTS is judged where a visitor typing the bare name ends up on the site's own
        # https://; if http:// never gets them there, where https:// itself leads.
        secure = redirects if reaches(redirects, https_url) else None
        headers, error = landing(secure or follow_redirects(https_url, pages.fetch), https_url)
    scan = HttpsScan(http_url, https_url, redirects, headers, error)
    findings = evaluate(scan, target)
    redirect = next(f for f in findings if f.check == REDIRECT.spec.id)
    answers = record.scanned_record(target, scan, redirect)
    return Outcome(findings=tuple(findings), inventory=Inventory(https=(answers,)))


FAMILY: Family[SiteTarget] = Family(
    name="https",
    after=("discovery",),
    specs=SPECS,
    targets=_targets,
    audit=_audit,
    known=record.known,
)
