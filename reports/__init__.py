"""Renderers: they take a finished Report and never probe.

`FORMATS` is the registry behind every command's `--format` option.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from auditor.report import Report
from reports import json_report, terminal

Renderer = Callable[[Report, str, Console], None]

FORMATS: dict[str, Renderer] = {
    "table": terminal.render,
    "json": json_report.render,
}
