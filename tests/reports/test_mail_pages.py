"""The fifth promise (mail through Google Workspace) on both pages, in report.json and in
the metrics; the public page explains the mail checks in plain Danish."""

from __future__ import annotations

from auditor.core.model import ClaimId, Finding, Severity, Status
from auditor.core.report import CLAIM_TEXT, Report
from checks import catalog
from reports import metrics
from reports.html import render_page
from tests.support.reports import sample_report, with_findings

PROMISE = "Al mailkommunikation foregår gennem Google Workspace."


def _with_mail(mx: Status) -> Report:
    report = sample_report()
    mail = [
        Finding("mail.mx", "alternativet.dk", mx, Severity.HIGH, "m", {}),
        Finding("mail.dmarc", "alternativet.dk", Status.WARN, Severity.HIGH, "q", {}),
    ]
    return with_findings(report, (*report.findings, *mail))


def test_the_promise_is_the_policys_sentence_verbatim() -> None:
    assert CLAIM_TEXT[ClaimId.MAIL] == PROMISE


def test_the_public_page_shows_the_fifth_promise_and_explains_the_mail_checks() -> None:
    page = render_page(_with_mail(Status.FAIL), "certifikater", catalog())
    assert PROMISE in page
    assert "Mail fra Alternativet" in page
    assert "DMARC" in page
    assert "afvise" in page
    # Each domain's checks by their Danish titles; the message texts stay off the page.
    assert "Mail modtages af Google Workspace" in page
    assert "DMARC afviser forfalsket mail" in page


def test_the_public_page_of_a_report_without_mail_findings_has_no_mail_section() -> None:
    page = render_page(sample_report(), "certifikater", catalog())
    assert PROMISE in page  # the promise is listed, not checked
    assert "Mail fra Alternativet" not in page


def test_the_internal_page_lists_the_fifth_promise() -> None:
    page = render_page(_with_mail(Status.PASS), "adgang", catalog())
    assert PROMISE in page


def test_report_json_and_the_metrics_carry_the_mail_claim() -> None:
    report = _with_mail(Status.FAIL)
    claim = next(c for c in report.to_dict()["claims"] if c["id"] == "mail")
    assert claim["text"] == PROMISE
    assert claim["status"] == "fail"
    assert Report.from_dict(report.to_dict()).claim(ClaimId.MAIL).status is Status.FAIL
    text = metrics.render(report)
    assert 'auditor_claim_holds{claim="mail"} 0' in text
    assert 'auditor_claim_status{claim="mail",status="fail"} 1' in text
    held = metrics.render(_with_mail(Status.PASS))
    assert 'auditor_claim_holds{claim="mail"} 1' in held
