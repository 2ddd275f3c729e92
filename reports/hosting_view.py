"""Where each site is hosted, in Danish, from the `hosting` verdict's structured evidence.

The dns family's verdict on a site carries `hosting`: how the site is built (on the
account's own resources, an App Platform app, a CDN endpoint, behind a front, or run by a
data processor), the regions, the front's or processor's name and, where the verdict is not
a pass, what went wrong. Only those words reach the public page: never an address, and
never the English message (the internal page quotes that beside them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.core.model import ClaimId, Finding, Status
from auditor.core.report import Report
from reports import danish

HOSTING_CHECK = "dns.points_to_inventory"
PROCESSOR_LABEL = "Databehandler"  # neither "OK" nor "Fejl": not our server
CITIES = {
    "ams": "Amsterdam",
    "atl": "Atlanta",
    "blr": "Bangalore",
    "fra": "Frankfurt",
    "lon": "London",
    "nyc": "New York",
    "sfo": "San Francisco",
    "sgp": "Singapore",
    "syd": "Sydney",
    "tor": "Toronto",
}
# What went wrong, by the verdict's `problem`, for a reader of the public page.
PROBLEMS = {
    "origin_elsewhere": "oprindelsesserveren er ikke en af vores servere i Amsterdam",
    "origin_not_serving": "den angivne oprindelsesserver leverer ikke siden (den viser et "
    "andet certifikat)",
    "origin_unreachable": "det kunne ikke bekræftes, at oprindelsesserveren leverer siden",
}


@dataclass(frozen=True)
class SiteHosting:
    """One site's hosting verdict, worded for the pages."""

    target: str
    status: str  # the CSS class
    label: str  # the Danish status, or "Hostet af databehandler"
    text: str  # how and where, in Danish
    processor: str | None = None
    reason: str | None = None


def place(regions: Sequence[str]) -> str:
    """'ams3' -> 'Amsterdam (ams3)'; several regions joined; an unknown city as its slug."""
    words = []
    for region in regions:
        city = CITIES.get(region.rstrip("0123456789"))
        words.append(f"{city} ({region})" if city else region)
    return ", ".join(words) or "ukendt region"


def _city(regions: Sequence[str]) -> str:
    cities = {CITIES.get(r.rstrip("0123456789"), r) for r in regions}
    return ", ".join(sorted(cities)) or "ukendt region"


def _text(hosting: Mapping[str, Any], status: Status) -> str:
    via = hosting.get("via")
    regions = [str(r) for r in hosting.get("regions") or []]
    if via == "processor":
        text = f"hostet af databehandler {hosting.get('processor')}"
        if hosting.get("stale"):
            text += ", men peger på vores egne servere hos DigitalOcean"
        return text
    if via == "front":
        front = hosting.get("front")
        problem = PROBLEMS.get(str(hosting.get("problem")))
        if problem:
            return f"bag {front}; {problem}"
        return f"bag {front}; oprindelsesserver i {_city(regions)}"
    if via == "app":
        return f"DigitalOcean App Platform i {place(regions)}"
    if via == "cdn":
        return f"DigitalOcean CDN; oprindelsen (Spaces) i {place(regions)}"
    if status is Status.FAIL and not regions:
        return "peger ikke på vores servere hos DigitalOcean"
    return f"vores servere hos DigitalOcean i {place(regions)}"


def _hosting(finding: Finding) -> SiteHosting:
    hosting: Mapping[str, Any] = finding.evidence["hosting"]
    processor = hosting.get("processor") if hosting.get("via") == "processor" else None
    if processor is not None and finding.status is Status.SKIPPED:
        label = PROCESSOR_LABEL
    else:
        label = danish.FINDING_STATUS[finding.status]
    return SiteHosting(
        target=finding.target,
        status=finding.status.value,
        label=label,
        text=_text(hosting, finding.status),
        processor=str(processor) if processor is not None else None,
        reason=str(hosting.get("reason") or "") or None,
    )


def site_hosting(report: Report) -> dict[str, SiteHosting]:
    """Every site's hosting verdict, by the findings' target (the site's label).

    A verdict without `hosting` evidence (a report from before it was given, or a site the
    family could not judge) is left out: its words would have to be guessed.
    """
    claim = report.claim(ClaimId.HOSTING)
    return {
        f.target: _hosting(f)
        for f in claim.findings
        if f.check == HOSTING_CHECK and isinstance(f.evidence.get("hosting"), dict)
    }


def processor_sites(report: Report) -> tuple[SiteHosting, ...]:
    """The sites a data processor runs, for their own heading on the pages."""
    found = [h for h in site_hosting(report).values() if h.processor is not None]
    return tuple(sorted(found, key=lambda h: h.target))
