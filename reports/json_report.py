"""The JSON report (`auditor.report/2`): the model serialised, nothing added or dropped."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from auditor.core.report import Report
from auditor.core.text import speaks_utf8

if TYPE_CHECKING:
    from rich.console import Console


def dumps(report: Report, ascii_only: bool = False) -> str:
    document = report.to_dict()
    return json.dumps(document, indent=2, ensure_ascii=ascii_only, sort_keys=False) + "\n"


def render(report: Report, view: str, console: Console) -> None:
    """Every view prints the whole report: a script wants one shape to parse."""
    # Where the locale cannot spell "ø", JSON's own escapes keep the document whole.
    console.file.write(dumps(report, ascii_only=not speaks_utf8(console.file)))
    console.file.flush()
