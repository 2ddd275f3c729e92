"""A certificate's change says what changed; the issuer only when it did."""

from __future__ import annotations

from dataclasses import replace

from auditor.app.diff import diff
from auditor.core.changes import ChangeKind
from auditor.core.report import Report
from reports import danish
from tests.support.reports import certificate, sample_report

SITE = "alternativet.dk"


def _with_certificate(report: Report, **changes: object) -> Report:
    record = certificate(SITE, False, **changes)
    return replace(report, inventory=replace(report.inventory, certificates=(record,)))


def test_a_renewal_shows_expiry_serial_and_fingerprint_not_the_unchanged_issuer() -> None:
    old = _with_certificate(sample_report())
    new = _with_certificate(
        sample_report(),
        sha256="BB:" * 31 + "BB",
        serial="05:EF:01",
        not_after="2027-03-01T00:00:00+00:00",
    )
    (change,) = diff(old, new)
    assert change.kind is ChangeKind.CERT_RENEWED
    assert change.before == (
        "valid to 2026-12-30T00:00:00+00:00; serial 04:AB:CD; SHA-256 AA:AA:AA:AA:AA:AA:AA:AA"
    )
    assert change.after == (
        "valid to 2027-03-01T00:00:00+00:00; serial 05:EF:01; SHA-256 BB:BB:BB:BB:BB:BB:BB:BB"
    )
    assert "R11" not in change.before + change.after
    (danish_change,) = diff(old, new, danish.WORDING)
    assert "serienummer 05:EF:01" in danish_change.after
    assert "udsteder" not in danish_change.after


def test_a_new_issuer_is_shown_and_an_unchanged_serial_is_not() -> None:
    old = _with_certificate(sample_report())
    new = _with_certificate(
        sample_report(),
        sha256="CC:" * 31 + "CC",
        issuer="CN=E6,O=Let's Encrypt,C=US",
        not_after="2027-03-01T00:00:00+00:00",
    )
    (change,) = diff(old, new)
    assert change.kind is ChangeKind.CERT_REPLACED
    assert change.before.startswith("issuer CN=R11,O=Let's Encrypt,C=US; valid to ")
    assert change.after.startswith("issuer CN=E6,O=Let's Encrypt,C=US; valid to ")
    assert "serial" not in change.before + change.after
