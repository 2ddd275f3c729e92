"""The finding messages' Danish catalog: every message the checks can word has a translation.

The messages are found as `pybabel extract` finds them (Babel's extractor, the `N_` marker,
the source folders of babel.cfg), so a check that marks a new message fails here until the
catalog translates it (docs/architecture.md, "How to add a check").
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from auditor.core.messages import N_, Message, is_wording, joined
from auditor.core.model import CheckSpec, ClaimId, Finding, Severity, Status
from reports.catalog import Translated, translate, translations, untranslated
from tests.support.demo import demo_report, run_demo

ROOT = Path(__file__).resolve().parents[2]
SPEC = CheckSpec("tls.example", "Example", "Eksempel", ClaimId.HTTPS, Severity.LOW, "Fix.")


def marked() -> dict[str, list[str]]:
    """Every template marked with N_ in the source, and where."""
    found: dict[str, list[str]] = {}
    for folder in ("auditor", "checks"):
        for filename, line, message, _comments, _context in extract_from_dir(
            ROOT / folder, [("**.py", "python")], keywords={"N_": None}
        ):
            assert isinstance(message, str), (filename, line, message)
            found.setdefault(message, []).append(f"{folder}/{filename}:{line}")
    return found


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_marked_message_has_a_danish_translation_with_the_same_fields() -> None:
    found = marked()
    assert len(found) > 100  # the extractor really found the checks' messages
    danish = translations()
    missing = {m: where for m, where in found.items() if is_wording(m) and m not in danish}
    assert missing == {}, "translate these in reports/locale/da/LC_MESSAGES/auditor.po"
    for template, translation in danish.items():
        assert fields(translation) == fields(template), template


def test_the_compiled_catalog_says_exactly_what_the_po_file_says() -> None:
    # The pages read the committed .mo; after an edit to the .po, `pybabel compile` it.
    with (ROOT / "reports/locale/da/LC_MESSAGES/auditor.po").open("rb") as handle:
        po = read_po(handle, locale="da", domain="auditor")
    finished = {
        str(entry.id): str(entry.string)
        for entry in po
        if entry.id and isinstance(entry.id, str) and entry.string and not entry.fuzzy
    }
    assert translations() == finished, "run: pybabel compile -d reports/locale -D auditor -l da"


def test_the_catalog_holds_no_message_the_checks_no_longer_word() -> None:
    assert set(translations()) - set(marked()) == set()


def test_a_message_is_its_english_sentence_and_keeps_its_template() -> None:
    reason = N_("the chain loops")
    message = N_("Incomplete chain: {reason}.", reason=reason)
    assert message == "Incomplete chain: the chain loops."
    assert (message.template, message.args["reason"]) == ("Incomplete chain: {reason}.", reason)
    again = Message.from_dict(json.loads(json.dumps(message.to_dict())))
    assert again == message
    assert again.args["reason"].template == "the chain loops"  # type: ignore[union-attr]


def test_a_finding_translates_with_its_arguments_nested_messages_too() -> None:
    finding = SPEC.finding(
        "www.example.dk",
        Status.FAIL,
        N_("Incomplete chain: {reason}.", reason=N_("the chain loops")),
    )
    assert finding.message == "Incomplete chain: the chain loops."  # the CLI's, the JSON's
    assert translate(finding).text == "Ufuldstændig kæde: kæden går i ring."
    assert translate(finding).danish


def test_joined_phrases_are_each_translated() -> None:
    both = joined([N_("with"), N_("without")], "; ")
    assert not is_wording(both.template)
    finding = SPEC.finding("x", Status.PASS, N_("Accepts weak suites: {suites}.", suites=both))
    assert translate(finding).text == "Accepterer svage krypteringsmetoder: med; uden."


def test_a_finding_from_an_older_report_or_an_untranslated_message_stays_english() -> None:
    old = Finding("tls.example", "x", Status.FAIL, Severity.LOW, "Old words.")
    assert translate(old) == Translated("Old words.", danish=False)
    new = SPEC.finding("x", Status.FAIL, N_("A message no translator has seen."))
    assert untranslated(new.wording) == ["A message no translator has seen."]  # type: ignore[arg-type]
    assert not translate(new).danish
    assert translate(new).text == "A message no translator has seen."


def test_the_template_and_arguments_are_stored_beside_the_english_message() -> None:
    finding = SPEC.finding("x", Status.WARN, N_("The certificate expires in {days} days.", days=9))
    document = finding.to_dict()
    assert document["message"] == "The certificate expires in 9 days."
    assert document["template"] == "The certificate expires in {days} days."
    assert document["args"] == {"days": 9}
    assert Finding.from_dict(document) == finding
    del document["template"], document["args"]  # a report written before the catalog
    assert Finding.from_dict(document).wording is None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_demo(tmp_path_factory.mktemp("demo"))


def test_every_message_of_the_demo_is_danish_on_its_pages(demo: Path) -> None:
    report = demo_report(demo)
    assert len(report.findings) > 40
    for finding in report.findings:
        assert finding.wording is not None, finding.message
        assert untranslated(finding.wording) == [], finding.message
        assert translate(finding).danish, finding.message
    page = (demo / "adgang.html").read_text(encoding="utf-8")
    assert 'lang="en"' not in page
    assert "Certifikatet er gyldigt i" in page  # a translated message, with its argument
