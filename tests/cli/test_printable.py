"""Untrusted text printed to a terminal or a cron mail: control characters shown, not obeyed."""

from __future__ import annotations

import logging
from dataclasses import replace

from auditor.cli.logs import PrintableFormatter
from auditor.cli.run import _quiet_lines
from auditor.core.model import Status
from auditor.core.text import printable
from tests.support.reports import sample_report


def test_control_characters_are_escaped_and_everything_else_kept() -> None:
    assert printable("Ærø København, 443/tcp") == "Ærø København, 443/tcp"
    hostile = "ok\x1b]0;pwned\x07\x1b[2J\rfake\x85line\u202e"
    assert printable(hostile) == "ok\\x1b]0;pwned\\x07\\x1b[2J\\rfake\\x85line\\u202e"
    assert printable(hostile).isprintable()


def test_a_quiet_run_mails_a_hostile_message_escaped() -> None:
    report = sample_report()
    hostile = replace(
        report.findings[0], status=Status.FAIL, message="CN=\x1b[32mall good\x1b[0m\r"
    )
    report = replace(report, findings=(hostile,))
    lines = _quiet_lines(report, 1, strict=False, changes=None)
    assert any("CN=\\x1b[32mall good\\x1b[0m\\r" in line for line in lines)
    assert all(line.isprintable() for line in lines)


def test_log_lines_escape_what_servers_sent() -> None:
    # paramiko logs the remote identification string at debug level (-vv).
    formatter = PrintableFormatter("%(name)s: %(message)s")
    record = logging.LogRecord(
        "paramiko.transport",
        logging.DEBUG,
        __file__,
        1,
        "Remote version/idstring: %s",
        ("SSH-2.0-\x1b[31mRED\x07\nINFO forged: line",),
        None,
    )
    assert formatter.format(record) == (
        "paramiko.transport: Remote version/idstring: SSH-2.0-\\x1b[31mRED\\x07\\nINFO forged: line"
    )
