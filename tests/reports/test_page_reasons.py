"""Why a promise does not hold or was not checked, told to a visitor and to the secretariat."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import replace

from auditor.app.diff import diff
from auditor.core.changes import ChangeKind
from auditor.core.config import PagesSettings
from auditor.core.messages import N_
from auditor.core.model import Status
from checks import catalog
from checks.digitalocean.family import SPECS as DO_SPECS
from checks.https.family import CHECKS as HTTPS_CHECKS
from checks.tls.family import CHECKS as TLS_CHECKS
from reports import danish, html
from reports.public_view import public_page
from tests.support.reports import SERVER_ADDRESS, sample_report, with_findings

CATALOG = catalog()
SITE = "alternativet.dk"


def text(page: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]*>", "", page))


def test_a_broken_promise_says_what_is_wrong_in_plain_words_and_what_it_means() -> None:
    report = sample_report()
    redirect = HTTPS_CHECKS.spec("https.redirect")
    broken = redirect.finding(
        SITE, Status.FAIL, N_("http:// answers {status} without redirecting.", status=200)
    )
    report = with_findings(report, (*report.findings, broken))
    https = next(c for c in public_page(report, CATALOG).claims if "TLS" in c.text)
    assert https.label == "Holder ikke"
    # Not the check's title ("http:// sender videre til https://"), which says the opposite.
    assert https.why == (
        f"Hjemmesiden sender ikke besøgende fra http:// videre til https:// ({SITE}).",
    )
    assert "ikke helt op til løftet" in https.means


def test_a_promise_that_could_not_be_checked_says_why_without_quoting_the_error() -> None:
    report = sample_report()
    unchecked = [
        spec.finding(
            "account",
            Status.SKIPPED,
            N_("Not checked: no DigitalOcean token ({variable} is not set).", variable="TOKEN"),
        )
        for spec in DO_SPECS
    ]
    refused = TLS_CHECKS.spec("tls.connect").finding(
        SITE, Status.ERROR, N_("Could not connect: {error}.", error=f"refused by {SERVER_ADDRESS}")
    )
    findings = [f for f in report.findings if not f.check.startswith(("do.", "dns.", "tls."))]
    report = with_findings(report, [*findings, *unchecked, refused])
    page = public_page(report, CATALOG)
    hosting = next(c for c in page.claims if "Amsterdam" in c.text)
    assert hosting.label == "Ikke kontrolleret"
    assert hosting.why == ("Værktøjet havde ikke adgang til at læse vores konto hos DigitalOcean.",)
    assert "kan derfor ikke vise" in hosting.means
    https = next(c for c in page.claims if "TLS" in c.text)
    assert https.label == "Kunne ikke kontrolleres"
    assert https.why == ("En server eller hjemmeside svarede ikke.",)
    site = next(s for s in page.sites if s.host == SITE)
    assert site.problems == ("En server eller hjemmeside svarede ikke.",)
    shown = html.render_page(report, "certifikater", CATALOG)
    assert SERVER_ADDRESS not in shown  # the error's own words stay off the public page
    assert "Kunne ikke kontrolleres:" in text(shown)
    assert "Fejl:" not in text(shown)  # a run that could not check calls nothing a failure
    # The internal page gives the skipped promise's reasons in Danish, with the details.
    internal = text(html.render_page(report, "adgang", CATALOG))
    assert "Ikke kontrolleret: ingen DigitalOcean-token (TOKEN er ikke sat)." in internal
    assert f"Kunne ikke oprette forbindelse: refused by {SERVER_ADDRESS}." in internal


def test_the_improvements_beside_a_promise_that_holds_are_named() -> None:
    report = sample_report()
    expiry = TLS_CHECKS.spec("tls.cert.expiry")
    soon = expiry.finding(SITE, Status.WARN, N_("The certificate expires in {days} days.", days=9))
    findings = [f for f in report.findings if f.check != "tls.cert.expiry"]
    report = with_findings(report, [*findings, soon])
    https = next(c for c in public_page(report, CATALOG).claims if "TLS" in c.text)
    assert https.label == "Holder"
    assert https.notes == (f"Hjemmesidens certifikat udløber snart og skal fornyes ({SITE}).",)
    assert "Løftet holder, men 1 forhold kan forbedres:" in text(
        html.render_page(report, "certifikater", CATALOG)
    )


def test_the_legend_explains_every_status_the_page_can_show() -> None:
    shown = text(html.render_page(sample_report(), "certifikater", CATALOG))
    for label in ("Holder", "Holder ikke", "Kunne ikke kontrolleres", "Ikke kontrolleret"):
        assert f"{label} " in shown[shown.index("Alle kontroller bag") - 10 :], label


def test_the_public_page_links_the_privacy_policy_and_a_contact_when_configured() -> None:
    report = sample_report()
    plain = html.render_page(report, "certifikater", CATALOG)
    assert "mailto:" not in plain
    pages = PagesSettings("https://example.org/privatliv", "sikkerhed@example.org")
    page = html.render_page(report, "certifikater", CATALOG, pages=pages)
    assert '<a href="https://example.org/privatliv">' in page
    assert '<a href="mailto:sikkerhed@example.org">sikkerhed@example.org</a>' in page
    web = replace(pages, contact="https://example.org/kontakt")
    assert '<a href="https://example.org/kontakt">' in html.render_page(
        report, "certifikater", CATALOG, pages=web
    )


def test_times_are_copenhagens() -> None:
    summer = sample_report(finished="2026-07-01T22:30:00+00:00")
    assert "2. juli 2026 kl. 00:30" in text(html.render_page(summer, "certifikater", CATALOG))
    winter = sample_report(finished="2026-12-01T22:30:00+00:00")
    assert "1. december 2026 kl. 23:30" in text(html.render_page(winter, "adgang", CATALOG))


def test_a_new_failure_on_the_internal_page_quotes_its_message_in_danish() -> None:
    before = sample_report()
    expiry = TLS_CHECKS.spec("tls.cert.expiry")
    expired = expiry.finding(
        SITE, Status.FAIL, N_("The certificate expired on {date}.", date="2026-11-20")
    )
    findings = [f for f in before.findings if f.check != "tls.cert.expiry"]
    after = with_findings(before, [*findings, expired])
    changes = diff(before, after, danish.WORDING)
    new = next(c for c in changes if c.kind is ChangeKind.NEW_FAILURE)
    assert new.after == "Fejl: Certifikatet udløb den 2026-11-20."
    assert diff(before, after)[-1].after == "fail: The certificate expired on 2026-11-20."
