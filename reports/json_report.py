"""The JSON report (`auditor.report/1`): the model serialised, nothing added or dropped."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from auditor.report import Report

if TYPE_CHECKING:
    from rich.console import Console


def dumps(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def render(report: Report, view: str, console: Console) -> None:
    """Every view prints the whole report: a script wants one shape to parse."""
    console.file.write(dumps(report))
    console.file.flush()
