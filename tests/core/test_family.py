"""A check table's entries: a judge's verdict becomes its check's finding, found by its id."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from auditor.core.family import Check, CheckTable, Need, Unmet, Verdict
from auditor.core.messages import Message
from auditor.core.model import CheckSpec, ClaimId, Severity, Status

Judge = Callable[[int], Verdict]


def _spec(check_id: str) -> CheckSpec:
    return CheckSpec(check_id, "Test", "Test", ClaimId.HTTPS, Severity.HIGH, "Fix it.")


def _even(number: int) -> Verdict:
    status = Status.PASS if number % 2 == 0 else Status.FAIL
    return Verdict(status, Message(f"{number} is {'even' if status is Status.PASS else 'odd'}."))


def test_a_verdict_becomes_the_checks_finding_on_the_target() -> None:
    check: Check[Judge] = Check(_spec("test.even"), _even)
    finding = check.finding("web", Verdict(Status.WARN, Message("Hm."), {"n": 3}))
    assert finding.check == "test.even"
    assert finding.target == "web"
    assert (finding.status, finding.message, finding.evidence) == (Status.WARN, "Hm.", {"n": 3})
    assert finding.severity is Severity.HIGH  # the spec's own, when the verdict names none


def test_a_verdict_may_be_graver_than_its_check() -> None:
    check: Check[Judge] = Check(_spec("test.even"), _even)
    grave = Verdict(Status.FAIL, Message("Anyone gets in."), severity=Severity.CRITICAL)
    assert check.finding("web", grave).severity is Severity.CRITICAL


def test_an_unmet_need_still_skips_or_fails_without_the_judge() -> None:
    gaps = {Need.CONNECTION: Unmet(Message("refused"), Message("Nothing answered."))}
    skipped: Check[Judge] = Check(_spec("test.a"), _even, Need.CONNECTION)
    failed: Check[Judge] = Check(_spec("test.b"), _even, Need.CONNECTION, fails_without=True)
    assert skipped.unmet("web", gaps) == _spec("test.a").finding(
        "web", Status.SKIPPED, Message("Not checked: refused.")
    )
    assert failed.unmet("web", gaps) == _spec("test.b").finding(
        "web", Status.FAIL, Message("Nothing answered.")
    )
    assert Check(_spec("test.c"), _even).unmet("web", gaps) is None


def test_a_table_finds_a_check_by_its_id_and_refuses_an_unknown_or_repeated_one() -> None:
    table: CheckTable[Judge] = CheckTable(
        (Check(_spec("test.a"), _even), Check(_spec("test.b"), _even))
    )
    assert table.check("test.b").spec.id == "test.b"
    assert table.spec("test.a") == _spec("test.a")
    assert [check.spec.id for check in table] == ["test.a", "test.b"]  # still a tuple, in order
    with pytest.raises(KeyError, match=r"test\.c"):
        table.check("test.c")
    with pytest.raises(ValueError, match=r"test\.a"):
        CheckTable((Check(_spec("test.a"), _even), Check(_spec("test.a"), _even)))
