"""What `auditor run` leaves behind: the report, both pages and the metrics, each atomic.

Every file is written to a temporary name in the same folder and renamed over the old one,
so a crash, a kill or a full disk leaves last week's files whole. The history is recorded
before the files are written: the next run can always compare against this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.atomic import write_atomic
from auditor.diff import Change, diff
from auditor.errors import AuditorError
from auditor.history import History
from auditor.report import Report
from reports import danish, metrics
from reports.html import render_page
from reports.json_report import dumps

REPORT_FILE = "report.json"
PUBLIC_PAGE = "certifikater.html"
ACCESS_PAGE = "adgang.html"
METRICS_FILE = "auditor.prom"  # node_exporter's textfile collector reads *.prom


class PublishError(AuditorError):
    """The output folder cannot take the files (missing, read-only, full)."""


@dataclass(frozen=True)
class Published:
    run_id: int
    files: tuple[Path, ...]
    changes: tuple[Change, ...] | None  # None: no earlier run to compare with


def publish(
    report: Report,
    out_dir: Path,
    history: History,
    exit_code: int,
    warning_days: int = 21,
) -> Published:
    previous = history.latest()
    changes = diff(previous, report) if previous is not None else None
    # The internal page tells the same changes in Danish.
    told = diff(previous, report, danish.WORDING) if previous is not None else None
    run_id = history.record(report, exit_code)
    files = _write_files(report, out_dir, told, warning_days)
    return Published(run_id, files, changes)


def _write_files(
    report: Report, out_dir: Path, changes: Sequence[Change] | None, warning_days: int
) -> tuple[Path, ...]:
    contents = {
        REPORT_FILE: dumps(report),
        PUBLIC_PAGE: render_page(report, "certifikater", warning_days=warning_days),
        ACCESS_PAGE: render_page(report, "adgang", changes),
        METRICS_FILE: metrics.render(report),
    }
    # Rendered first, written after: a template error leaves every old file in place.
    written = []
    for name, text in contents.items():
        # The internal page and the full report name holders and addresses: owner only.
        mode = 0o644 if name in (PUBLIC_PAGE, METRICS_FILE) else 0o600
        try:
            write_atomic(out_dir / name, text, mode)
        except OSError as exc:
            raise PublishError(f"cannot write {out_dir / name}: {exc.strerror or exc}") from None
        written.append(out_dir / name)
    return tuple(written)
