"""The fifth promise (mail through Google Workspace) on both pages, in report.json and in
the metrics; the public page explains the mail checks in plain Danish."""

from __future__ import annotations

import re
from html import unescape

from auditor.core.messages import N_
from auditor.core.model import ClaimId, Finding, Status
from auditor.core.report import CLAIM_TEXT, Report
from checks import catalog
from checks.mail.family import CHECKS
from reports import metrics
from reports.html import render_page
from tests.support.reports import sample_report, with_findings

PROMISE = "Al mailkommunikation foregår gennem Google Workspace."


DOMAIN = "alternativet.dk"
OTHER_MX = "mx.webhotel.example"


def _mx(status: Status) -> Finding:
    if status is Status.PASS:
        message = N_("Every MX of {domain} is Google's.", domain=DOMAIN)
    else:
        message = N_(
            "Mail for {domain} is delivered to servers that are not Google's: {servers}.",
            domain=DOMAIN,
            servers=OTHER_MX,
        )
    return CHECKS.spec("mail.mx").finding(DOMAIN, status, message)


def _with_mail(mx: Status) -> Report:
    report = sample_report()
    quarantine = N_("The DMARC policy is quarantine: forged mail goes to spam.")
    mail = [_mx(mx), CHECKS.spec("mail.dmarc").finding(DOMAIN, Status.WARN, quarantine)]
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
    assert OTHER_MX not in page  # a server's name is not for the public page
    # What is wrong, in words a visitor understands, and what it means.
    assert "Mail til et af vores domæner går til servere, der ikke er Googles" in page
    assert "Mail til eller fra os går måske ikke kun gennem Google Workspace" in page


def test_the_internal_page_shows_the_mail_messages_in_danish() -> None:
    html = render_page(_with_mail(Status.FAIL), "adgang", catalog())
    page = unescape(re.sub(r"<[^>]+>", "", html))  # the text, without the names' wrap points
    assert f"Mail til {DOMAIN} leveres til servere, der ikke er Googles: {OTHER_MX}." in page
    assert "DMARC-politikken er quarantine: forfalsket mail havner i spam." in page
    assert "delivered to servers" not in page


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


def test_the_public_page_says_why_a_mail_check_could_not_run_without_the_error() -> None:
    report = sample_report()
    lookup = N_(
        "the {rdtype} lookup of {name} failed: {error}", rdtype="MX", name=DOMAIN, error="x9"
    )
    message = N_("Could not read the MX records: {reason}.", reason=lookup)
    error = CHECKS.spec("mail.mx").finding(DOMAIN, Status.ERROR, message)
    page = render_page(with_findings(report, (*report.findings, error)), "certifikater", catalog())
    assert "Et af vores maildomæner kunne ikke slås op i DNS." in page
    assert "x9" not in page
