"""--deep's bookkeeping around sslyze: a failure, a lack of time or a failed version is said."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from sslyze.scanner.models import ServerScanStatusEnum

from checks.tls import deep as tls_deep
from checks.tls.deep import _suites, enumerate_suites
from checks.tls.probe import Endpoint, TlsVersion

ENDPOINT = Endpoint("deep.test", "192.0.2.10", 443, 5.0)


class _FailingScanner:
    def __init__(self, **_: Any) -> None:
        pass

    def queue_scans(self, requests: list[Any]) -> None:
        pass

    def get_results(self) -> Any:
        raise RuntimeError("boom")


def test_an_sslyze_failure_is_said_at_once_not_waited_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tls_deep, "Scanner", _FailingScanner)
    # A deadline an hour away: only an answer from the scan's thread ends the wait.
    deep = enumerate_suites(ENDPOINT, 5, time.monotonic() + 3600)
    assert deep.errors == {"scan": "sslyze failed: RuntimeError: boom"}
    assert deep.accepted == {}


def test_no_time_left_asks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tls_deep, "Scanner", None)  # any use would be a TypeError
    deep = enumerate_suites(ENDPOINT, 5, time.monotonic() - 1)
    assert deep.errors == {"scan": "no time was left for the enumeration"}


def _attempt(suites: list[str] | None) -> SimpleNamespace:
    if suites is None:
        return SimpleNamespace(
            result=None, error_trace=None, error_reason="CLIENT_ERROR", status="ERROR"
        )
    accepted = [SimpleNamespace(cipher_suite=SimpleNamespace(openssl_name=s)) for s in suites]
    return SimpleNamespace(result=SimpleNamespace(accepted_cipher_suites=accepted))


def test_a_version_sslyze_could_not_scan_is_unlisted_not_empty() -> None:
    attempts = {attribute: _attempt([]) for attribute in tls_deep._ATTRIBUTES.values()}
    attempts["tls_1_2_cipher_suites"] = _attempt(["ECDHE-RSA-AES128-GCM-SHA256"])
    attempts["tls_1_0_cipher_suites"] = _attempt(None)
    result = SimpleNamespace(
        scan_status=ServerScanStatusEnum.COMPLETED, scan_result=SimpleNamespace(**attempts)
    )
    deep = _suites([result])  # type: ignore[list-item]
    assert deep.accepted[TlsVersion.TLS_1_2] == ("ECDHE-RSA-AES128-GCM-SHA256",)
    assert TlsVersion.TLS_1_0 not in deep.accepted
    assert deep.errors == {"TLS 1.0": "sslyze's scan failed: CLIENT_ERROR"}
