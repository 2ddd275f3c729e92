"""What `auditor run` leaves behind: the report, both pages and the metrics, each atomic.

Every file is written to a temporary name in the same folder and renamed over the old one,
so a crash, a kill or a full disk leaves last week's files whole. The history is recorded
before the files are written: the next run can always compare against this one. A history
that cannot take the run is reported (`Published.history_error`); the files are still written.

Two runs publishing into one folder at the same moment would leave a mix of both: the whole
step (the comparison with the last run, its record, every file) holds an advisory lock on
`.auditor.lock` in the folder. A second run waits for it, for a bounded time, then says
the folder is busy.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from auditor.app.diff import diff
from auditor.app.history import History, HistoryError
from auditor.core.atomic import write_atomic
from auditor.core.changes import Change
from auditor.core.config import PagesSettings
from auditor.core.errors import AuditorError
from auditor.core.report import Report
from checks import catalog
from reports import danish, metrics
from reports.html import render_page
from reports.json_report import dumps

REPORT_FILE = "report.json"
PUBLIC_PAGE = "certifikater.html"
ACCESS_PAGE = "adgang.html"
METRICS_FILE = "auditor.prom"  # node_exporter's textfile collector reads *.prom
LOCK_FILE = ".auditor.lock"
# A publish takes a second or two; a run still waiting after this is stuck behind a hung one.
PUBLISH_WAIT = 60.0
LOCK_POLL = 0.05


class PublishError(AuditorError):
    """The output folder cannot take the files (missing, read-only, full)."""


@dataclass(frozen=True)
class Published:
    run_id: int | None  # None: the history could not take this run (history_error says why)
    files: tuple[Path, ...]
    changes: tuple[Change, ...] | None  # None: no earlier run to compare with
    history_error: str | None = None


def publish(
    report: Report,
    out_dir: Path,
    history: History,
    exit_code: int,
    warning_days: int,  # the configuration's limits.expiry_warning_days
    wait: float = PUBLISH_WAIT,  # seconds to wait for another run publishing into out_dir
    pages: PagesSettings | None = None,  # the configuration's [pages]: the public page's links
) -> Published:
    with _folder_lock(out_dir, wait):
        return _publish(report, out_dir, history, exit_code, warning_days, pages)


def _publish(
    report: Report,
    out_dir: Path,
    history: History,
    exit_code: int,
    warning_days: int,
    pages: PagesSettings | None = None,
) -> Published:
    changes = told = None
    run_id = history_error = None
    # The week's report and pages matter more than its place in the history: a history that
    # cannot be read or written (corrupt, read-only, from a newer auditor) does not stop them.
    try:
        previous = history.latest()
        if previous is not None:
            changes = diff(previous, report)
            told = diff(previous, report, danish.WORDING)  # the internal page's, in Danish
        run_id = history.record(report, exit_code)
    except HistoryError as exc:
        history_error = str(exc)
    files = _write_files(report, out_dir, told, warning_days, pages)
    return Published(run_id, files, changes, history_error)


@contextmanager
def _folder_lock(out_dir: Path, wait: float) -> Iterator[None]:
    """Hold `out_dir/.auditor.lock` (created owner-only); released when the step ends, and
    by the kernel if the process dies, so a killed run never leaves the folder locked."""
    lock = out_dir / LOCK_FILE
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise PublishError(f"cannot lock {lock}: {exc.strerror or exc}") from None
    try:
        _take(fd, lock, wait)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def _take(fd: int, lock: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise PublishError(
                    f"{lock.parent} is busy: another run was still publishing there after "
                    f"{wait:g} s (it holds {lock})"
                ) from None
        except OSError as exc:  # e.g. a file system without locks
            raise PublishError(f"cannot lock {lock}: {exc.strerror or exc}") from None
        time.sleep(LOCK_POLL)


def _write_files(
    report: Report,
    out_dir: Path,
    changes: Sequence[Change] | None,
    warning_days: int,
    pages: PagesSettings | None = None,
) -> tuple[Path, ...]:
    checks = catalog()
    public = render_page(report, "certifikater", checks, warning_days=warning_days, pages=pages)
    contents = {
        REPORT_FILE: dumps(report),
        PUBLIC_PAGE: public,
        ACCESS_PAGE: render_page(report, "adgang", checks, changes),
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
