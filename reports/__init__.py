"""Renderers: they take a finished Report and never probe.

`FORMATS` names what every command's `--format` option offers; `render` prints in one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.core.report import Report
from reports import json_report

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = ("json", "table")


def render(report: Report, fmt: str, view: str, console: Console) -> None:
    """Print `view` of the report in `fmt` ("table" or "json")."""
    if fmt == "json":
        json_report.render(report, view, console)
        return
    # Rich's tables are loaded only when one is printed: a quiet cron run never pays the
    # ~20 ms they add to start-up.
    from reports import terminal  # noqa: PLC0415

    terminal.render(report, view, console)
