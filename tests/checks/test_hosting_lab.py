"""Issue 21's "done when": each way a site can be hosted, judged against real servers.

Real nginx on 127.0.35.0/24 plays the fronts, the origins and the App Platform edge; the
fake DigitalOcean API serves the account (two droplets in ams3, apps in ams and nyc). The
verdicts, and why, must show on both pages.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from auditor.core.config import load_config
from auditor.core.family import AuditContext
from auditor.core.model import ClaimId, Finding, Status
from auditor.core.report import Report
from auditor.core.runner import run_audit
from checks import catalog, families
from reports.catalog import translate
from reports.html import render_page
from tests.support.hosting_lab import (
    BAD_ORIGIN,
    CLOSED_ORIGIN,
    GOOD_ORIGIN,
    PROCESSOR,
    REASON,
    HostingLab,
    hosting_lab,  # noqa: F401 - the module's fixture
)

HOSTING = "dns.points_to_inventory"


def audit(lab: HostingLab, tmp_path: Path) -> Report:
    path = tmp_path / "auditor.toml"
    path.write_text(lab.config_text())
    ctx = AuditContext(config=load_config(path), env=lab.env)
    return run_audit(families("tls", "digitalocean", "dns"), ctx)


def finding(report: Report, check: str, target: str) -> Finding:
    return next(f for f in report.findings if f.check == check and f.target == target)


def page_text(report: Report, page: str) -> str:
    """What a reader sees of a page: its text without the markup (an identifier's <wbr>s)."""
    return html.unescape(re.sub(r"<[^>]*>", "", render_page(report, page, catalog())))


def test_each_way_of_hosting_is_judged_with_its_reason(
    hosting_lab: HostingLab,  # noqa: F811
    tmp_path: Path,
) -> None:
    lab = hosting_lab
    report = audit(lab, tmp_path)
    verdict = {case: finding(report, HOSTING, lab.label(case)) for case in (
        "app-ams", "app-nyc", "front-good", "front-bad", "processor"
    )}  # fmt: skip
    assert {case: f.status for case, f in verdict.items()} == {
        "app-ams": Status.PASS,
        "app-nyc": Status.FAIL,
        "front-good": Status.PASS,
        "front-bad": Status.FAIL,
        "processor": Status.SKIPPED,  # neither pass nor fail
    }
    assert "App Platform app lab-ams in ams" in verdict["app-ams"].message
    assert "App Platform app lab-nyc in nyc" in verdict["app-nyc"].message
    good = verdict["front-good"]
    assert "behind cloudflare" in good.message
    assert "the same certificate key as the public address" in good.message
    assert good.evidence["origins"][0]["resource"] == "droplet:web-ams3"
    bad = verdict["front-bad"]
    assert f"origin {BAD_ORIGIN} serves another certificate (for other.hosting.test)" in (
        bad.message
    )
    assert PROCESSOR in verdict["processor"].message
    # Both origins answer the auditor directly: evidence, never a broken promise.
    bypass = finding(report, "dns.front.bypass", lab.label("front-good"))
    assert bypass.status is Status.WARN
    assert GOOD_ORIGIN in bypass.message
    assert "answered the auditor directly" in bypass.message
    # The apps are in the inventory, judged by region like every resource of the account.
    assert finding(report, "do.droplet.region", "app:lab-ams").status is Status.PASS
    assert finding(report, "do.droplet.region", "app:lab-nyc").status is Status.FAIL
    # The processor's site is still audited for TLS: the https promise covers every site.
    assert finding(report, "tls.cert.hostname", lab.label("processor")).status is Status.PASS

    public = page_text(report, "certifikater")
    assert "App Platform i Amsterdam (ams)" in public
    assert "App Platform i New York (nyc)" in public
    assert "bag cloudflare; oprindelsesserver i Amsterdam" in public
    assert "bag cloudflare; den angivne oprindelsesserver leverer ikke siden" in public
    assert f"hostet af databehandler {PROCESSOR} ({REASON})" in public
    assert "Hostet af databehandler" in public  # the heading the processor's sites stand under
    assert GOOD_ORIGIN not in public  # no server address
    assert BAD_ORIGIN not in public

    internal = page_text(report, "adgang")
    for judged in verdict.values():  # each verdict's own words, in Danish (English: the CLI's)
        danish = translate(judged)
        assert danish.danish, judged.message
        assert danish.text in internal
        assert judged.message not in internal
    assert f"oprindelsesserveren {BAD_ORIGIN} viser et andet certifikat" in internal
    assert f"hostet af databehandler {PROCESSOR} ({REASON})" in internal


def test_a_processors_site_alone_neither_holds_nor_breaks_the_hosting_promise(
    hosting_lab: HostingLab,  # noqa: F811
    tmp_path: Path,
) -> None:
    lab = hosting_lab
    text = lab.config_text()
    # Keep only the processor's site, without the DigitalOcean token.
    cut = text.index("[[sites]]")
    sites = text[cut:].split("[[sites]]")
    processor = next(s for s in sites if "processor =" in s)
    path = tmp_path / "auditor.toml"
    path.write_text(text[:cut] + "[[sites]]" + processor)
    report = run_audit(families("dns"), AuditContext(config=load_config(path), env={}))
    claim = report.claim(ClaimId.HOSTING)
    assert claim.status is Status.SKIPPED
    assert [f.status for f in claim.findings if f.check == HOSTING] == [Status.SKIPPED]


def test_a_front_with_its_own_certificate_passes_on_the_origins_answer_for_the_name(
    hosting_lab: HostingLab,  # noqa: F811
    tmp_path: Path,
) -> None:
    # Cloudflare's edge serves its own certificate: the keys differ, and the origin shows it
    # serves the site by a certificate for the site's name and an HTTP answer for it.
    report = audit(hosting_lab, tmp_path)
    edge = finding(report, HOSTING, hosting_lab.label("front-edge"))
    assert edge.status is Status.PASS
    assert "a certificate for the site's name and an HTTP 200 answer for it" in edge.message
    assert edge.evidence["origins"][0]["resource"].startswith("reserved_ip:")


def test_an_origin_that_lets_nobody_in_cannot_be_confirmed_and_is_not_bypassed(
    hosting_lab: HostingLab,  # noqa: F811
    tmp_path: Path,
) -> None:
    report = audit(hosting_lab, tmp_path)
    closed = finding(report, HOSTING, hosting_lab.label("front-closed"))
    assert closed.status is Status.ERROR  # never a pass on an origin nobody saw
    assert f"origin {CLOSED_ORIGIN} did not answer the auditor" in closed.message
    bypass = finding(report, "dns.front.bypass", hosting_lab.label("front-closed"))
    assert bypass.status is Status.PASS
    public = page_text(report, "certifikater")
    assert "bag cloudflare; det kunne ikke bekræftes, at oprindelsesserveren leverer siden" in (
        public
    )
