"""`auditor demo` run as a user runs it: its report and both pages, in a folder."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.core.report import Report
from tests.support.cli import auditor_command, run


def run_demo(folder: Path) -> Path:
    """The demo's output folder (report.json, certifikater.html, adgang.html)."""
    result = run(auditor_command("demo", "--out", str(folder)))
    assert (folder / "adgang.html").exists(), result.stdout + result.stderr
    return folder


def demo_report(folder: Path) -> Report:
    return Report.from_dict(json.loads((folder / "report.json").read_text(encoding="utf-8")))
