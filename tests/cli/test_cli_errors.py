"""The CLI's one exit path: an expected failure is one line on stderr and exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.app.history import History
from tests.support.cli import run, run_auditor
from tests.support.reports import sample_report


def _auditor(*args: str) -> subprocess.CompletedProcess[str]:
    """`auditor ARGS`, which fails before it reads any server: a minute is plenty."""
    return run_auditor(*args, timeout=60)


def test_a_malformed_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "auditor.toml"
    config.write_text('[[sites]]\nhost = "a"\nport = 99999\n')
    result = _auditor("run", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"auditor: {config}: sites[0].port: must be between 1 and 65535, got 99999"
    ]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_missing_config_is_exit_2(tmp_path: Path) -> None:
    result = _auditor("run", "--config", str(tmp_path / "none.toml"))
    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_host_spec_is_exit_2() -> None:
    result = _auditor("tls", "example.org:notaport")
    assert result.returncode == 2
    assert "not a port number" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_address_option_takes_an_ip_address_only() -> None:
    # A name here would be handed to the system's resolver: refused before any lookup.
    for command in ("tls", "ssh"):
        result = _auditor(command, "host.test:1", "--address", "notanip")
        assert result.returncode == 2, command
        assert "not an IP address: 'notanip'" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("user", "problem"),
    [("", "not a user name: ''"), (" ", "not a user name: ' '"), ("\udcff", "not UTF-8")],
)
def test_a_user_option_takes_a_user_name_only(user: str, problem: str) -> None:
    # Asked for anyway, a blank name read "Offers password login to ."; bytes that are not
    # UTF-8 turned every ssh check into an error with a UnicodeEncodeError.
    result = _auditor("ssh", "host.test:1", "--address", "127.0.74.21", "--user", user)
    assert result.returncode == 2
    assert problem in result.stderr
    assert "Traceback" not in result.stderr


def test_a_timeout_that_is_not_a_number_is_exit_2() -> None:
    result = _auditor("tls", "127.0.0.1:1", "--timeout", "nan")
    assert result.returncode == 2
    assert "not a number of seconds" in result.stderr


def test_a_host_with_control_characters_is_exit_2() -> None:
    result = _auditor("https", "a\x1b[31mred.test")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "auditor: not a host name (only letters, digits and hyphens between the dots): "
        "'a\\x1b[31mred.test'"
    ]


def test_an_unknown_option_is_a_usage_error_exit_2() -> None:
    result = _auditor("run", "--no-such-option")
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_a_saved_report_nested_too_deeply_is_one_line_and_exit_2(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("[" * 200_000 + "]" * 200_000)
    result = _auditor("render", str(report), "--page", "certifikater")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [f"auditor: {report}: not JSON: nested too deeply"]


def _edited(document: dict[str, Any], path: tuple[str | int, ...], value: object) -> None:
    for step in path[:-1]:
        document = document[step]  # type: ignore[index]
    document[path[-1]] = value  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "value", "page"),
    [
        (("inventory",), None, "certifikater"),
        (("inventory", "key_holders"), "x", "adgang"),
        (("inventory", "certificates", 0, "site"), None, "metrics"),
        (("inventory", "certificates", 0, "platform"), None, "certifikater"),
        (("inventory", "certificates", 0, "days_left"), 10**40, "metrics"),
        (("inventory", "certificates", 0, "sha256"), [1, 2], "certifikater"),
        (("inventory", "cloud", 0, "region"), 1.5, "adgang"),
        (("inventory", "ssh_servers", 0, "methods"), "x", "adgang"),
        (("inventory", "key_holders", 0, "person"), 7, "adgang"),
        (("run", "duration_seconds"), 10**400, "metrics"),
    ],
)
def test_a_saved_report_with_a_wrong_type_is_one_line_and_exit_2(
    tmp_path: Path, path: tuple[str | int, ...], value: object, page: str
) -> None:
    document = sample_report(hostile=True).to_dict()
    _edited(document, path, value)
    report = tmp_path / "report.json"
    report.write_text(json.dumps(document))
    result = _auditor("render", str(report), "--page", page)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"auditor: {report}: malformed auditor.report/2 document: ")


def test_a_saved_report_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    os.mkfifo(report)  # no writer will ever come
    result = _auditor("render", str(report), "--page", "metrics")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [f"auditor: {report}: not a file"]


def test_a_run_number_too_large_for_the_history_is_a_usage_error(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite3")
    history.record(sample_report(), 1)
    history.record(sample_report(), 1)
    result = _auditor("diff", "1", str(2**63), "--out", str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{2**63} is not in the range 1<=x<=" in result.stderr


def test_a_config_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    config = tmp_path / "auditor.toml"
    os.mkfifo(config)  # no writer will ever come
    result = _auditor("keys", "--config", str(config))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [f"auditor: {config}: not a file"]


def test_a_ca_file_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    os.mkfifo(ca_file)
    result = _auditor("tls", "--ca-file", str(ca_file), "--address", "127.0.76.1", "a.test")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: Invalid value for '--ca-file': {ca_file} is not a file"
    )


def test_render_with_stdout_closed_is_one_line_and_exit_2(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(sample_report().to_dict()))
    shell = 'exec "$0" -m auditor render "$1" --page metrics >&-'
    result = run(["sh", "-c", shell, sys.executable, str(report)], timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == ["auditor: standard output is closed: give --out FILE"]
