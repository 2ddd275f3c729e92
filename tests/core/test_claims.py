"""Claims from findings, and the exit code from claims."""

from __future__ import annotations

from auditor.core.inventory import Inventory
from auditor.core.model import ClaimId, Finding, Severity, Status, worst_status
from auditor.core.report import NOTHING_CONFIGURED, Report, RunInfo, evaluate_claims

CLAIM_OF = {"tls.connect": ClaimId.HTTPS, "ssh.auth.password": ClaimId.SSH_KEYS}
RUN = RunInfo("2026-11-25T04:00:00+00:00", "2026-11-25T04:01:00+00:00", 60.0, "0", "test")


def _finding(check: str, status: Status) -> Finding:
    return Finding(check, "t", status, Severity.HIGH, "m")


def _report(*findings: Finding) -> Report:
    return Report(RUN, evaluate_claims(findings, CLAIM_OF), tuple(findings), Inventory())


def test_worst_status_fail_beats_error_beats_warn() -> None:
    assert worst_status([Status.PASS, Status.ERROR, Status.FAIL]) is Status.FAIL
    assert worst_status([Status.PASS, Status.ERROR, Status.WARN]) is Status.ERROR
    assert worst_status([Status.PASS, Status.WARN]) is Status.PASS
    assert worst_status([Status.PASS, Status.SKIPPED]) is Status.PASS
    assert worst_status([Status.SKIPPED]) is Status.SKIPPED
    assert worst_status([]) is Status.SKIPPED


def test_a_claim_holds_with_warnings_shown_beside_it() -> None:
    report = _report(_finding("tls.connect", Status.PASS), _finding("tls.connect", Status.WARN))
    claim = report.claim(ClaimId.HTTPS)
    assert claim.status is Status.PASS
    assert len(claim.warnings) == 1
    assert report.exit_code() == 0
    assert report.exit_code(strict=True) == 1


def test_exit_codes_follow_the_design() -> None:
    assert _report(_finding("tls.connect", Status.FAIL)).exit_code() == 1
    assert _report(_finding("tls.connect", Status.ERROR)).exit_code() == 3
    both = _report(
        _finding("tls.connect", Status.ERROR), _finding("ssh.auth.password", Status.FAIL)
    )
    assert both.exit_code() == 1


def test_a_run_that_checked_nothing_is_not_a_silent_success() -> None:
    # Every claim skipped (an empty configuration, no token, no server): nothing holds.
    assert _report().exit_code() == 3
    assert _report(_finding("tls.connect", Status.SKIPPED)).exit_code() == 3
    # One promise checked and holding, the others not looked at: that one is the answer.
    assert _report(_finding("tls.connect", Status.PASS)).exit_code() == 0


def test_findings_go_to_their_own_claim_only() -> None:
    report = _report(_finding("ssh.auth.password", Status.FAIL))
    assert report.claim(ClaimId.SSH_KEYS).status is Status.FAIL
    assert report.claim(ClaimId.HTTPS).status is Status.SKIPPED
    assert report.claim(ClaimId.HTTPS).text.startswith("Alle forbindelser")


def test_a_claim_left_unchecked_says_why_once_per_distinct_reason() -> None:
    no_token = Finding("ssh.auth.password", "a", Status.SKIPPED, Severity.HIGH, "No token.")
    again = Finding("ssh.auth.password", "b", Status.SKIPPED, Severity.HIGH, "No token.")
    dead = Finding("tls.connect", "x", Status.ERROR, Severity.HIGH, "Connection refused.")
    report = _report(no_token, again, dead, _finding("tls.connect", Status.PASS))
    assert report.claim(ClaimId.SSH_KEYS).reasons == ("No token.",)
    assert report.claim(ClaimId.HTTPS).reasons == ("Connection refused.",)
    assert report.to_dict()["claims"][2]["reasons"] == ["No token."]


def test_a_claim_no_check_spoke_to_says_nothing_was_configured() -> None:
    report = _report(_finding("tls.connect", Status.PASS))
    assert report.claim(ClaimId.HOSTING).reasons == (NOTHING_CONFIGURED,)
    assert report.claim(ClaimId.HTTPS).reasons == ()
