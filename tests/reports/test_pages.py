"""The pages rendered from hand-built reports: Danish, escaped, and the public one private-free."""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import replace

import jinja2
import pytest

from auditor.core.changes import Change, ChangeKind
from auditor.core.inventory import CertificateRecord
from auditor.core.model import ClaimId, Finding, Severity, Status
from auditor.core.report import Report
from checks import catalog
from reports import html
from reports.public_view import public_page
from tests.support.reports import (
    ERROR_MESSAGE,
    FP_UNKNOWN,
    HOLDER,
    HOSTILE,
    KEY_COMMENT,
    SERVER_ADDRESS,
    TRACE,
    hosting_findings,
    sample_report,
    with_discovery,
    with_findings,
)

IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
CATALOG = catalog()


def text(page: str) -> str:
    """What a reader sees of a page: its text without the markup (an identifier's <wbr>s)."""
    return htmllib.unescape(re.sub(r"<[^>]*>", "", page))


def test_the_report_round_trips_through_json() -> None:
    report = sample_report(hostile=True)
    again = Report.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report


def test_public_page_has_the_certificate_details_in_danish() -> None:
    page = html.render_page(sample_report(), "certifikater", CATALOG)
    assert '<html lang="da">' in page
    shown = text(page)
    assert "25. november 2026 kl. 05:30 (dansk tid)" in shown  # 04:30 UTC, Copenhagen's time
    for words in (
        "Let's Encrypt",
        "1. oktober 2026",
        "30. december 2026",
        "35 dage",
        "AA:AA:AA",
        "EC 256 bit",
        "ecdsa-with-SHA384",
        "TLS 1.2, TLS 1.3",
        "Ja, i 365 dage (også underdomæner)",
    ):
        assert words in shown, words
    assert "Holder ikke" in page  # ssh-keys: a password server


def test_public_page_statuses_per_claim() -> None:
    view = public_page(sample_report(), CATALOG)
    statuses = {c.text.split()[0]: c.label for c in view.claims}
    assert statuses["Alle"] == "Holder"  # https
    assert statuses["Adgang"] == "Holder ikke"  # ssh-keys fails
    assert statuses["Kun"] == "Holder ikke"  # few-holders: an unknown key


def test_public_page_carries_no_private_fact() -> None:
    page = html.render_page(sample_report(), "certifikater", CATALOG)
    assert IPV4.findall(page) == []
    assert SERVER_ADDRESS not in page
    assert "2001:db8" not in page
    for private in (
        HOLDER,
        KEY_COMMENT,
        TRACE,
        ERROR_MESSAGE,
        FP_UNKNOWN,
        "web-1",
        "fw-web",
        "/root/.ssh",
        "OpenSSH",
        "/etc/auditor.toml",
    ):
        assert private not in page, private


def test_public_page_escapes_hostile_certificate_fields() -> None:
    page = html.render_page(sample_report(hostile=True), "certifikater", CATALOG)
    assert "<script>" not in page
    assert 'onmouseover="' not in page
    assert "&lt;script&gt;window." in page
    assert "<script>window.__pwned=1</script>" in text(page)  # shown whole, as text
    assert "<script" not in page.lower()


def test_internal_page_lists_holders_unknown_first_with_their_places() -> None:
    page = text(html.render_page(sample_report(), "adgang", CATALOG))
    unknown, known = page.index("UKENDT"), page.index(HOLDER)
    assert unknown < known
    assert KEY_COMMENT in page
    assert "/root/.ssh/authorized_keys:3" in page
    assert "root: publickey, password" in page
    assert "ams3" in page
    assert ERROR_MESSAGE in page  # the internal page keeps every finding's message


def test_internal_page_marks_a_service_and_shows_a_comments_name_only_as_a_hint() -> None:
    report = sample_report()
    holders = tuple(
        replace(h, service=True) if h.person == HOLDER else replace(h, named_in_line="a@x.dk")
        for h in report.inventory.key_holders
    )
    page = html.render_page(
        replace(report, inventory=replace(report.inventory, key_holders=holders)), "adgang", CATALOG
    )
    assert f"<div>{HOLDER} (tjeneste)</div>" in page
    assert "<div>UKENDT (kommentaren nævner a@x.dk)</div>" in page


def test_internal_page_marks_a_ca_key() -> None:
    """A CA key (TrustedUserCAKeys, a cert-authority line) lets in whoever it certifies."""
    report = sample_report()
    holders = tuple(
        replace(h, cert_authority=h.person == HOLDER) for h in report.inventory.key_holders
    )
    page = html.render_page(
        replace(report, inventory=replace(report.inventory, key_holders=holders)), "adgang", CATALOG
    )
    assert page.count("(CA-nøgle: alle med et certifikat, den har underskrevet)") == 1


def test_internal_page_escapes_everything_too() -> None:
    report = sample_report(hostile=True)
    holders = tuple(replace(h, person=HOSTILE) for h in report.inventory.key_holders)
    report = replace(report, inventory=replace(report.inventory, key_holders=holders))
    page = html.render_page(report, "adgang", CATALOG)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_control_characters_from_the_audited_systems_are_shown_not_written() -> None:
    # A certificate's organisation and names, a key holder's name: ESC and BEL reach a page
    # as escapes, in plain text and in what `join` makes of a list alike.
    hostile = "<b>x</b>\x1b[31mRED\x07"
    report = sample_report()
    certificates = tuple(
        replace(c, organization=hostile, sans=(*c.sans, f"evil{hostile}.test"))
        for c in report.inventory.certificates
    )
    holders = tuple(replace(h, person=hostile) for h in report.inventory.key_holders)
    inventory = replace(report.inventory, certificates=certificates, key_holders=holders)
    report = replace(report, inventory=inventory)
    for page_name in html.PAGES:
        page = html.render_page(report, page_name, CATALOG)
        assert "\x1b" not in page, page_name
        assert "\x07" not in page, page_name
        assert "&lt;b&gt;x&lt;" in page, page_name
        assert "<b>x</b>\\x1b[31mRED\\x07" in text(page), page_name
    public = html.render_page(report, "certifikater", CATALOG)
    assert "evil<b>x</b>\\x1b[31mRED\\x07.test" in text(public)


def test_internal_page_shows_what_changed() -> None:
    report = sample_report()
    first = html.render_page(report, "adgang", CATALOG, None)
    assert "Ingen tidligere kørsel" in first
    same = html.render_page(report, "adgang", CATALOG, [])
    assert "Intet har ændret sig" in same
    changes = [
        Change(ChangeKind.KEY_ADDED, "web-1", "", f"{FP_UNKNOWN} (unknown holder)"),
        Change(ChangeKind.CERT_REPLACED, "alternativet.dk", "old issuer", "new issuer"),
    ]
    page = html.render_page(report, "adgang", CATALOG, changes)
    assert "Nøgle tilføjet" in page
    assert "Certifikat udskiftet" in page
    assert "new issuer" in page


def test_a_missing_field_is_an_error_not_an_empty_cell() -> None:
    template = html.environment().from_string("{{ page.nothing }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render(page=public_page(sample_report(), CATALOG))


def test_unknown_page_is_refused() -> None:
    with pytest.raises(ValueError, match="no page"):
        html.render_page(sample_report(), "secrets", CATALOG)


def test_a_site_that_never_answered_is_listed_as_not_checked() -> None:
    report = sample_report()
    broken = [
        replace(f, target="dialog.alternativet.dk", status=Status.ERROR)
        for f in report.findings
        if f.check.startswith("tls.")
    ]
    report = with_findings(report, report.findings + tuple(broken))
    # The tls family's record of a site it could not reach: no certificate.
    unreached = CertificateRecord("dialog.alternativet.dk", "dialog.alternativet.dk", 443, "")
    inventory = replace(report.inventory, certificates=(*report.inventory.certificates, unreached))
    report = replace(report, inventory=inventory)
    view = public_page(report, CATALOG)
    dialog = next(s for s in view.sites if s.host == "dialog.alternativet.dk")
    assert dialog.label == "Kunne ikke kontrolleres"
    assert dialog.certificates == ()


def test_internal_page_names_severities_in_danish() -> None:
    page = html.render_page(sample_report(), "adgang", CATALOG, None)
    assert "alvor høj" in text(page)
    assert "high" not in text(page)


def test_internal_page_marks_the_checks_english_messages_as_english() -> None:
    """The page is Danish (lang="da"); a message the catalog cannot translate (a report from
    before the catalog: no template) is shown in English, and said so.

    A screen reader reads text in the language it is marked with: unmarked, an English
    message would be read with Danish pronunciation (WCAG 3.1.2, language of parts).
    """
    report = sample_report()
    changes = [
        Change(ChangeKind.NEW_FAILURE, "ssh.connect on db-1", "OK", f"Fejl: {ERROR_MESSAGE}"),
        Change(ChangeKind.FIXED, "tls.cert.expiry on www", "Fejl: expired", "OK"),
    ]
    page = html.render_page(report, "adgang", CATALOG, changes)
    # A finding's message, and the unknown key's verdict.
    assert f'<span class="message" lang="en">{ERROR_MESSAGE}</span>' in page
    assert '<td data-label="Begrundelse" lang="en"><div>Key on web-1 belongs to nobody' in page
    # Danish words stay Danish: a key that passes is "Godkendt", unmarked.
    assert '<td data-label="Begrundelse"><div>Godkendt</div></td>' in page
    assert f"Fejl: {ERROR_MESSAGE}" in text(page)


def test_the_pages_title_checks_from_the_catalog_and_an_unknown_one_by_its_id() -> None:
    report = sample_report()
    retired = Finding("tls.retired", "alternativet.dk", Status.FAIL, Severity.HIGH, "Old check.")
    expired = replace(
        next(f for f in report.findings if f.check == "tls.cert.expiry"), status=Status.FAIL
    )
    report = with_findings(report, (*report.findings, expired))
    # A report from an auditor with another check: its finding stands behind the https claim.
    claims = tuple(
        replace(c, findings=(*c.findings, retired)) if c.id is ClaimId.HTTPS else c
        for c in report.claims
    )
    report = replace(report, claims=claims, findings=(*report.findings, retired))
    page = html.render_page(report, "adgang", CATALOG)
    assert f"<strong>{CATALOG['access.key.unknown'].title_da}</strong>" in page
    assert "<strong>tls.retired</strong>" in page  # a report from an auditor with another check
    site = next(s for s in public_page(report, CATALOG).sites if s.host == "alternativet.dk")
    # Said by what is wrong, not by the check's title (which says what should be true).
    assert site.problems == (
        "Hjemmesidens certifikat er udløbet eller endnu ikke gyldigt.",
        "Kontrollen «tls.retired» bestod ikke.",
    )


def test_each_sites_hosting_is_worded_on_both_pages_without_an_address() -> None:
    base = sample_report()
    report = with_findings(base, [*base.findings, *hosting_findings("alternativet.dk")])
    public = html.render_page(report, "certifikater", CATALOG)
    assert "bag cloudflare; oprindelsesserver i Amsterdam" in public
    assert '<h2 id="databehandlere">Hostet af databehandler</h2>' in public
    assert "hostet af databehandler Acme. Begrundelse: the members&#39; system." in public
    assert SERVER_ADDRESS not in public
    assert IPV4.findall(public) == []
    internal = text(html.render_page(report, "adgang", CATALOG))
    assert "bag cloudflare; oprindelsesserver i Amsterdam" in internal
    # The verdicts' own words beside them, translated (the CLI and report.json: English).
    assert (
        "alternativet.dk står bag cloudflare; dens oprindelsesserver er kontoens ressourcer i "
        "ams3 og leverer siden (samme certifikatnøgle som den offentlige adresse)."
    ) in internal
    assert "medlem.alternativet.dk hostes af databehandleren Acme, ikke på partiets" in internal
    assert "is behind cloudflare" not in internal


def test_a_processors_site_makes_the_hosting_promise_neither_hold_nor_fail() -> None:
    base = sample_report()
    processor = hosting_findings("alternativet.dk")[1:]
    alone = with_findings(base, [f for f in base.findings if f.check != "do.droplet.region"])
    alone = with_findings(alone, [*alone.findings, *processor])
    assert alone.claim(ClaimId.HOSTING).status is Status.SKIPPED
    page = public_page(alone, CATALOG)
    hosting = next(c for c in page.claims if c.text == alone.claim(ClaimId.HOSTING).text)
    assert hosting.label == "Ikke kontrolleret"
    # Why, in the visitor's words: not the generic "not run", never the processor's reason.
    assert hosting.why == (
        "En hjemmeside drives af en databehandler og står ikke på vores egne servere.",
    )


def test_the_processors_name_and_reason_are_escaped() -> None:
    base = sample_report()
    report = with_findings(
        base, [*base.findings, *hosting_findings("alternativet.dk", hostile=True)]
    )
    public = html.render_page(report, "certifikater", CATALOG)
    assert "<script>window.__pwned" not in public
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in public


def test_the_discovery_sections_coverage_and_ct_source_on_both_pages() -> None:
    report = with_discovery(sample_report())
    public_html = html.render_page(report, "certifikater", CATALOG)
    internal_html = html.render_page(report, "adgang", CATALOG)
    # As a reader sees them: an identifier's <wbr>s must not hide a name from these checks.
    public, internal = text(public_html), text(internal_html)
    line = "5 navne fundet, 3 kontrolleret, 1 udeladt med begrundelse"
    assert line in public
    assert line in internal
    assert "Certificate Transparency via crt.sh, hentet 25. november 2026" in public
    assert "Certificate Transparency via https://crt.sh/, hentet" in internal
    # The public page: counts, the discovered site's own card, and nothing private.
    assert "gammel.alternativet.dk" not in public  # it has no certificate record here
    for private in ("ops.alternativet.dk", "test.alternativet.dk", HOSTILE, SERVER_ADDRESS):
        assert private not in public, private
    assert IPV4.findall(public) == []
    assert "<script>window.__pwned" not in public_html
    # The internal page: every name, the exclusion's reason, the CT certificates, escaped.
    assert "ops.alternativet.dk" in internal
    assert "<script>window.__pwned=1</script>" in internal  # shown as text
    assert "<script>window.__pwned" not in internal_html  # never as markup
    assert "Uventet udsteder" not in internal  # no ct.issuer finding in this report
    assert "login.alternativet.dk" in internal


def test_without_discovery_the_pages_say_nothing_of_it() -> None:
    for name in ("certifikater", "adgang"):
        page = html.render_page(sample_report(), name, CATALOG)
        assert "navne fundet" not in page
        assert "Certificate Transparency" not in page
