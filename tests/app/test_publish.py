"""The publish step: runs publishing into one folder take turns, under a bounded wait."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from auditor.app.history import History
from auditor.app.publish import (
    ACCESS_PAGE,
    LOCK_FILE,
    METRICS_FILE,
    PUBLIC_PAGE,
    REPORT_FILE,
    PublishError,
    publish,
)
from reports import danish
from tests.support.reports import sample_report

# Holds an exclusive flock on argv[1] for argv[2] seconds, as another auditor process would.
HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _finished(minute: int) -> str:
    return f"2026-11-25T05:{minute:02d}:00+00:00"


def _minutes_in_the_folder(out: Path) -> set[int]:
    """Which run (by its minute) each of the four files comes from."""
    report = json.loads((out / REPORT_FILE).read_text())
    minutes = {int(report["run"]["finished_at"][14:16])}
    for page in (PUBLIC_PAGE, ACCESS_PAGE):
        text = (out / page).read_text()
        minutes |= {m for m in range(60) if danish.date_time(_finished(m)) in text}
    metrics = (out / METRICS_FILE).read_text()
    stamp = next(
        float(line.split()[-1])
        for line in metrics.splitlines()
        if line.startswith("auditor_last_run_timestamp_seconds ")
    )
    minutes.add(time.gmtime(stamp).tm_min)
    return minutes


def _publish_at_once(out: Path, history: History, minutes: range) -> list[BaseException]:
    """One run per minute, all publishing into `out` at the same moment; what they raised."""
    start = threading.Barrier(len(minutes))
    errors: list[BaseException] = []

    def one(minute: int) -> None:
        try:
            start.wait()
            publish(sample_report(finished=_finished(minute)), out, history, 1, 30)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(minute,)) for minute in minutes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_runs_publishing_into_one_folder_at_once_leave_the_files_of_one(tmp_path: Path) -> None:
    # Their history a folder, unusable: the files are still written, and no run waits for
    # another on the history's own lock, so nothing but the folder's lock keeps them apart.
    (tmp_path / "not-a-history").mkdir()
    history = History(tmp_path / "not-a-history")
    out = tmp_path / "out"
    runs = 4
    for round_ in range(10):
        assert _publish_at_once(out, history, range(round_ * runs, (round_ + 1) * runs)) == []
        assert len(_minutes_in_the_folder(out)) == 1, f"round {round_}: files of several runs"


def test_runs_publishing_at_once_are_all_recorded_in_a_shared_history(tmp_path: Path) -> None:
    out = tmp_path / "out"
    history = History(out / "history.sqlite3")
    runs, rounds = 4, 3
    for round_ in range(rounds):
        assert _publish_at_once(out, history, range(round_ * runs, (round_ + 1) * runs)) == []
        assert len(_minutes_in_the_folder(out)) == 1, f"round {round_}: files of several runs"
    assert len(history.runs()) == rounds * runs


@contextmanager
def _held(lock: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the folder's lock for `seconds` (or until the block ends)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_a_run_waits_for_another_process_publishing_then_publishes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with _held(out / LOCK_FILE, 1.5):
        started = time.monotonic()
        published = publish(sample_report(), out, History(out / "history.sqlite3"), 1, 30)
        waited = time.monotonic() - started
    assert waited >= 1.0  # it did wait for the other run
    assert published.run_id == 1
    assert all((out / name).exists() for name in (REPORT_FILE, PUBLIC_PAGE, ACCESS_PAGE))


def test_a_folder_locked_beyond_the_wait_is_busy_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    history = History(out / "history.sqlite3")
    with _held(out / LOCK_FILE, 60), pytest.raises(PublishError) as caught:
        publish(sample_report(), out, history, 1, 30, wait=0.5)
    assert str(caught.value) == (
        f"{out} is busy: another run was still publishing there after 0.5 s "
        f"(it holds {out / LOCK_FILE})"
    )
    assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]  # nothing written, not recorded


def test_the_lock_file_is_owner_only_and_no_link_is_followed(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        out = tmp_path / "out"
        publish(sample_report(), out, History(out / "history.sqlite3"), 1, 30)
        assert stat.S_IMODE((out / LOCK_FILE).stat().st_mode) == 0o600
        elsewhere = tmp_path / "elsewhere"
        linked = tmp_path / "linked"
        linked.mkdir()
        (linked / LOCK_FILE).symlink_to(elsewhere)
        with pytest.raises(PublishError, match="cannot lock"):
            publish(sample_report(), linked, History(linked / "history.sqlite3"), 1, 30)
        assert not elsewhere.exists()
    finally:
        os.umask(before)
