"""Output under a locale that cannot spell Danish (cron's LC_ALL=C): no traceback, no lost text."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

from auditor.app.history import History
from auditor.core.model import Finding, Severity, Status
from tests.support.cli import auditor_command, run
from tests.support.reports import sample_report

MESSAGE = "Navnet passer ikke: blåbær.test → søren…"


def _auditor_in_c_locale(*args: str) -> subprocess.CompletedProcess[bytes]:
    return run(
        auditor_command(*args),
        timeout=60,
        env={"LC_ALL": "C", "PYTHONUTF8": "0"},  # stdout's encoding is then ASCII
        unset=("LC_", "LANG", "PYTHONIO"),
        text=False,
    )


def _history_with_a_danish_failure(folder: Path) -> None:
    old = sample_report()
    failure = Finding("tls.cert.hostname", "blåbær.test", Status.FAIL, Severity.HIGH, MESSAGE)
    history = History(folder / "history.sqlite3")
    history.record(old, 1)
    history.record(replace(old, findings=(*old.findings, failure)), 1)


def test_diff_as_json_is_whole_json_in_an_ascii_locale(tmp_path: Path) -> None:
    _history_with_a_danish_failure(tmp_path)
    result = _auditor_in_c_locale("diff", "--out", str(tmp_path), "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    [change] = json.loads(result.stdout)["changes"]
    assert change["after"] == f"fail: {MESSAGE}"


def test_diff_as_a_table_escapes_what_an_ascii_locale_cannot_spell(tmp_path: Path) -> None:
    _history_with_a_danish_failure(tmp_path)
    result = _auditor_in_c_locale("diff", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    assert b"bl\\xe5b\\xe6r.test" in result.stdout


def test_a_report_as_json_is_whole_json_in_an_ascii_locale() -> None:
    # Every report carries the claims' Danish text ("asymmetriske n\xf8gler").
    result = _auditor_in_c_locale("ssh", "127.0.79.1:9", "--timeout", "1", "--format", "json")
    assert result.returncode == 3, result.stderr.decode()
    claims = {c["id"]: c["text"] for c in json.loads(result.stdout)["claims"]}
    assert claims["ssh-keys"] == "Adgang sker via asymmetriske nøgler."


def test_render_writes_the_pages_utf8_bytes_whatever_the_locale(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(sample_report().to_dict()), encoding="utf-8")
    page = tmp_path / "page.html"
    written = _auditor_in_c_locale(
        "render", str(report), "--page", "certifikater", "--out", str(page)
    )
    assert written.returncode == 0, written.stderr.decode()
    result = _auditor_in_c_locale("render", str(report), "--page", "certifikater")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == page.read_bytes()
    assert "nøgler".encode() in result.stdout
