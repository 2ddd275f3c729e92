"""auditor.report/2 round-trips; a saved /1 report still loads, renders and diffs as before.

The /1 fixtures (tests/fixtures/README.md) were written, and their pages and terminal
views rendered, by the code before /2: the upgraded report must show the same.
"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from auditor.app.diff import diff
from auditor.app.history import History
from auditor.core.changes import ChangeKind
from auditor.core.config import SiteConfig
from auditor.core.family import Family, Outcome
from auditor.core.inventory import CertificateRecord, HttpsRecord
from auditor.core.messages import Message
from auditor.core.model import Status
from auditor.core.report import SCHEMA, Report, ReportFormatError
from checks import catalog
from checks.https import family as https
from checks.sites import SiteTarget
from checks.tls import family as tls
from reports import html
from reports.terminal import render
from tests.support.reports import sample_report

FIXTURES = Path(__file__).parent.parent / "fixtures"
NAMES = ("demo", "sites")
VIEWS = ("tls", "https", "ssh", "keys", "droplets", "summary")


def _document(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"report-v1-{name}.json").read_text())
    return document


def _v1(name: str) -> Report:
    return Report.from_dict(_document(name))


def _records(report: Report, target: str) -> tuple[CertificateRecord, HttpsRecord]:
    tls = next(r for r in report.inventory.certificates if r.target == target)
    https = next(r for r in report.inventory.https if r.target == target)
    return tls, https


def test_the_schema_is_2_and_every_record_round_trips() -> None:
    assert SCHEMA == "auditor.report/2"
    for report in (sample_report(hostile=True), _v1("demo"), _v1("sites")):
        document = json.loads(json.dumps(report.to_dict()))
        assert document["schema"] == "auditor.report/2"
        assert Report.from_dict(document) == report
    sites = _v1("sites").to_dict()["inventory"]
    assert "hsts" not in sites["certificates"][0]  # no field that is always null
    assert sites["https"][0]["hsts_preload"] is True


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("page", html.PAGES)
def test_a_v1_report_renders_the_pages_it_rendered_then(name: str, page: str) -> None:
    expected = (FIXTURES / f"report-v1-{name}.{page}.html").read_text()
    assert html.render_page(_v1(name), page, catalog()) == expected


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("view", VIEWS)
def test_a_v1_report_shows_the_terminal_views_it_showed_then(name: str, view: str) -> None:
    screen = io.StringIO()
    render(_v1(name), view, Console(file=screen, width=140, force_terminal=False))
    assert screen.getvalue() == (FIXTURES / f"report-v1-{name}.{view}.txt").read_text()


def test_auditor_render_reads_a_v1_file() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "render",
            str(FIXTURES / "report-v1-demo.json"),
            "--page",
            "certifikater",
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected = (FIXTURES / "report-v1-demo.certifikater.html").read_text()
    assert result.stdout.decode("utf-8") == expected


def test_the_upgrade_reads_the_sites_facts_from_v1_evidence() -> None:
    report = _v1("sites")
    site, answers = _records(report, "alternativet.dk")
    assert (site.site, site.port, site.address, site.platform) == (
        "alternativet.dk",
        443,
        "192.0.2.10",
        "Alternativet.dk",
    )
    assert site.accepted_suites == {
        "TLS 1.3": ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"),
        "TLS 1.2": ("ECDHE-ECDSA-AES128-GCM-SHA256",),
    }
    assert site.unlisted_suites == {"TLS 1.1": "sslyze's scan failed: timeout"}
    assert (answers.http_served, answers.redirect_status, answers.redirects_to_https) == (
        True,
        301,
        True,
    )
    assert (answers.hsts_max_age, answers.hsts_include_subdomains, answers.hsts_preload) == (
        63072000,
        True,
        True,
    )
    # Two addresses: each its own records, the address typed, not parsed off the target.
    site, answers = _records(report, "alleos.dk@192.0.2.20")
    assert site.weak_suites == {"TLS 1.0": ("DES-CBC3-SHA",)}
    assert site.accepted_suites is None  # not --deep
    assert (answers.http_served, answers.hsts_max_age) == (False, 86400)
    site, answers = _records(report, "alleos.dk@2001:db8::20")
    assert (site.site, site.address) == ("alleos.dk", "2001:db8::20")
    assert (answers.redirect_location, answers.hsts_header, answers.hsts_max_age) == (
        "https://alleos.dk/start",
        "max-age=abc",
        None,
    )
    # A name that did not resolve: /1 had only findings; now a record without a certificate.
    site, answers = _records(report, "dialog.alternativet.dk:8443")
    assert (site.site, site.port, site.address, site.reached) == (
        "dialog.alternativet.dk",
        8443,
        None,
        False,
    )
    assert (answers.http_served, answers.https_status) == (None, None)


def test_the_upgrade_sets_the_key_and_cloud_verdicts_from_v1_findings() -> None:
    report = _v1("demo")
    verdicts = {r.name: r.verdict for r in report.inventory.cloud}
    assert verdicts["legacy-nyc3"] is Status.FAIL
    assert verdicts["web-ams3"] is Status.PASS
    assert verdicts["lb-ams3"] is Status.PASS
    assert not any(k.unknown or k.weak for k in report.inventory.key_holders)
    sites = _v1("sites")
    unknown = [k for k in sites.inventory.key_holders if k.unknown]
    assert [k.person for k in unknown] == [None]


def test_a_v1_document_that_is_malformed_is_a_format_error() -> None:
    document = _document("demo")
    document["inventory"]["certificates"][0]["days_left"] = "soon"
    with pytest.raises(ReportFormatError, match=r"malformed auditor\.report/1 document"):
        Report.from_dict(document)
    document = _document("demo")
    document["findings"][0]["evidence"]["weak_accepted"] = "x"
    Report.from_dict(document)  # not a tls.ciphers finding: its evidence is not read
    ciphers = next(
        f for f in document["findings"] if f["check"] == "tls.ciphers"
    )  # the check whose evidence /1 kept the suites in
    ciphers["evidence"]["weak_accepted"] = "x"
    with pytest.raises(ReportFormatError):
        Report.from_dict(document)
    with pytest.raises(ReportFormatError, match=r"not an auditor\.report/2 \(or /1\) document"):
        Report.from_dict({**_document("demo"), "schema": "auditor.report/0"})


def test_an_old_history_row_still_diffs(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    old = _v1("demo")
    newer = history.record(old, 1)  # creates the file and its tables
    # A row written by the code before /2: its report is the /1 document as it was saved.
    with sqlite3.connect(tmp_path / "h.sqlite3") as db:
        db.execute(
            "UPDATE runs SET report = ? WHERE id = ?",
            (json.dumps(_document("demo")), newer),
        )
    saved = history.report(newer)
    assert saved == old
    renewed = replace(
        old.inventory.certificates[0], sha256="11:" * 31 + "11", not_after="2027-06-01T00:00:00"
    )
    now = replace(
        old,
        inventory=replace(old.inventory, certificates=(renewed, *old.inventory.certificates[1:])),
    )
    latest = history.latest(before=history.record(now, 1))
    assert latest is not None
    changes = diff(latest, now)
    assert [(c.kind, c.subject) for c in changes] == [(ChangeKind.CERT_RENEWED, "www.demo.test")]


def test_a_site_whose_audit_crashed_keeps_its_record() -> None:
    target = SiteTarget(SiteConfig("alleos.dk", "AlleOs", port=8443), "192.0.2.20")
    for family in (tls.FAMILY, https.FAMILY):
        outcome = family.gave_up(target, Message("could not check: no answer within 30 s"), {})
        assert {f.status for f in outcome.findings} == {Status.ERROR}
        records: list[CertificateRecord | HttpsRecord] = [
            *outcome.inventory.certificates,
            *outcome.inventory.https,
        ]
        assert [(r.target, r.site, r.port, r.address) for r in records] == [
            ("alleos.dk:8443", "alleos.dk", 8443, "192.0.2.20")
        ]
    plain: Family[SiteTarget] = replace(tls.FAMILY, known=None)
    assert plain.gave_up(target, Message("x"), {}).inventory == Outcome().inventory
