"""`auditor render`: re-render a page or the metrics from a saved report.json."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from auditor.app.publish import PublishError
from auditor.core.atomic import write_atomic
from auditor.core.documents import NotAFile, file_bytes, json_value
from auditor.core.errors import UsageError
from auditor.core.report import Report, ReportFormatError
from checks import catalog
from reports import metrics
from reports.html import render_page


def read_report(path: Path) -> Report:
    try:
        data = json_value(file_bytes(path).decode("utf-8"))
    except NotAFile:
        raise UsageError(f"{path}: not a file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path}: not JSON: {exc}") from None
    try:
        return Report.from_dict(data)
    except ReportFormatError as exc:
        raise UsageError(f"{path}: {exc}") from None


@click.command("render")
@click.argument(
    "report_path", type=click.Path(dir_okay=False, path_type=Path), metavar="REPORT.json"
)
@click.option(
    "--page",
    type=click.Choice(["certifikater", "adgang", "metrics"]),
    required=True,
    help="The public page, the internal page, or the Prometheus textfile.",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here (atomically) instead of to standard output.",
)
def render_command(report_path: Path, page: str, out_file: Path | None) -> int:
    """Re-render a page from a saved report (no probing)."""
    report = read_report(report_path)
    text = metrics.render(report) if page == "metrics" else render_page(report, page, catalog())
    if out_file is None:
        if sys.stdout is None:  # started with it closed (`>&-`): nowhere to write the page
            raise UsageError("standard output is closed: give --out FILE")
        # The page says it is UTF-8 (as is a textfile): the same bytes as --out writes,
        # whatever the locale's encoding (LC_ALL=C cannot spell "ø").
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
    else:
        try:
            write_atomic(out_file, text, 0o600 if page == "adgang" else 0o644)
        except OSError as exc:
            raise PublishError(f"cannot write {out_file}: {exc.strerror or exc}") from None
    return 0
