"""The https family's record of a site at one address: its redirect and HSTS as facts."""

from __future__ import annotations

from dataclasses import replace

from auditor.core.inventory import HttpsRecord, Inventory
from auditor.core.model import Finding, Status
from checks.https.hsts import HstsError, parse_hsts
from checks.https.probe import HttpsScan
from checks.sites import SiteTarget


def site_record(target: SiteTarget) -> HttpsRecord:
    """The site at this address with nothing asked yet: every answer unknown."""
    return HttpsRecord(
        target=target.label, site=target.site.host, port=target.site.port, address=target.address
    )


def known(target: SiteTarget) -> Inventory:
    """What is kept of a site whose audit crashed or ran out of time."""
    return Inventory(https=(site_record(target),))


def scanned_record(target: SiteTarget, scan: HttpsScan, redirect: Finding) -> HttpsRecord:
    """The answers of a finished scan; `redirect` is the scan's https.redirect verdict."""
    record = replace(site_record(target), redirects_to_https=redirect.status is Status.PASS)
    trace = scan.redirects
    if trace.error is None and trace.hops:
        first = trace.hops[0]
        record = replace(
            record,
            http_served=True,
            redirect_status=first.status,
            redirect_location=first.location,
            redirect_final=trace.final,
        )
    elif redirect.status is Status.WARN:  # refused: nothing listens on plain HTTP
        record = replace(record, http_served=False)
    if scan.headers is None:
        return record
    values = scan.headers.sts
    record = replace(
        record,
        https_url=scan.headers.url,
        https_status=scan.headers.status,
        hsts_header=values[0] if values else None,
    )
    if not values:
        return record
    try:
        # RFC 6797 8.1: only the first header field counts, as the check reads it.
        policy = parse_hsts(values[0])
    except HstsError:
        return record
    return replace(
        record,
        hsts_max_age=policy.max_age,
        hsts_include_subdomains=policy.include_subdomains,
        hsts_preload=policy.preload,
    )
