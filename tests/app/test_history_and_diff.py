"""History in SQLite (atomic runs, migrations, refusal of unusable files, owner-only files)
and the diff."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.app.diff import diff
from auditor.app.history import MIGRATIONS, SCHEMA_VERSION, History, HistoryError
from auditor.core.changes import ChangeKind
from auditor.core.inventory import CloudResource, FoundKey, KeyLocation
from auditor.core.model import Status
from auditor.core.report import Report
from reports import danish
from tests.support.reports import certificate, sample_report


def test_runs_are_recorded_listed_and_read_back(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    first = sample_report(finished="2026-11-18T04:30:00+00:00")
    second = sample_report(finished="2026-11-25T04:30:00+00:00")
    assert history.latest() is None
    one = history.record(first, 1)
    two = history.record(second, 1)
    runs = history.runs()
    assert [r.id for r in runs] == [two, one]
    assert (runs[0].failed, runs[0].errored, runs[0].exit_code) == (2, 1, 1)
    assert history.report(one) == first
    assert history.latest() == second
    assert history.latest(before=two) == first


def test_an_old_schema_is_migrated_and_backfilled(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    report = sample_report()
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute(
            "INSERT INTO runs (started_at, finished_at, command, exit_code, report) "
            "VALUES ('a', 'b', 'run', 1, ?)",
            (json.dumps(report.to_dict()),),
        )
        db.execute("PRAGMA user_version = 1")
    history = History(path)
    assert history.runs()[0].failed == 2  # counted from the backfilled findings table
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_run_that_waited_while_another_migrated_the_file_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)  # another run, first to a new file
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("BEGIN IMMEDIATE")
    for migration in MIGRATIONS:
        for statement in migration.split(";"):
            if statement.strip():
                other.execute(statement)
    other.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    outcome: list[object] = []

    def record() -> None:  # reads schema 0 (the other run has not committed), then waits
        try:
            outcome.append(History(path).record(sample_report(), 1))
        except HistoryError as exc:
            outcome.append(exc)

    waiting = threading.Thread(target=record)
    waiting.start()
    time.sleep(0.5)  # let it read the schema version and queue for the write lock
    other.execute("COMMIT")
    other.close()
    waiting.join(timeout=30)
    assert outcome == [1]


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(HistoryError, match="newer than this auditor"):
        History(path).runs()


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HistoryError, match="unusable"):
        History(path).record(sample_report(), 0)


def test_a_missing_history_is_named(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="no history"):
        History(tmp_path / "none.sqlite3").runs()


def test_a_failed_record_leaves_no_half_run(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    history.record(sample_report(), 0)
    broken = sample_report()
    broken = replace(broken, run=replace(broken.run, started_at=None))  # type: ignore[arg-type]
    with pytest.raises(HistoryError, match="NOT NULL constraint failed"):
        history.record(broken, 0)
    assert len(history.runs()) == 1
    with sqlite3.connect(tmp_path / "h.sqlite3") as db:
        assert db.execute("SELECT COUNT(DISTINCT run_id) FROM findings").fetchone()[0] == 1


def _a_week_of_changes() -> tuple[Report, Report]:
    """A key added and one removed, a certificate renewed, a droplet moved and one added,
    a new failure and a fix."""
    old = sample_report()
    inv = old.inventory
    location = KeyLocation("web-1", "root", "/root/.ssh/authorized_keys", 9)
    new_key = FoundKey("SHA256:" + "N" * 43, "ED25519", 256, location)
    renewed = certificate(
        "alternativet.dk", sha256="BB:" * 31 + "BB", not_after="2027-03-01T00:00:00+00:00"
    )
    moved = replace(inv.cloud[0], region="nyc3")
    added = CloudResource("droplet", "102", "db-1", "ams3")
    new_findings = tuple(
        replace(f, status=Status.PASS)
        if f.check == "ssh.auth.password"
        else replace(f, status=Status.FAIL)
        if f.check == "tls.cert.expiry"
        else f
        for f in old.findings
    )
    new = replace(
        old,
        findings=new_findings,
        inventory=replace(
            inv,
            found_keys=(*inv.found_keys[:1], new_key),
            certificates=(renewed,),
            cloud=(moved, added),
        ),
    )
    return old, new


def test_diff_names_keys_certificates_findings_and_droplets() -> None:
    old, new = _a_week_of_changes()
    changes = {(c.kind, c.subject) for c in diff(old, new)}
    assert changes == {
        (ChangeKind.KEY_ADDED, "web-1"),
        (ChangeKind.KEY_REMOVED, "web-1"),
        (ChangeKind.CERT_RENEWED, "alternativet.dk"),
        (ChangeKind.DROPLET_MOVED, "droplet:web-1"),
        (ChangeKind.DROPLET_ADDED, "droplet:db-1"),
        (ChangeKind.NEW_FAILURE, "tls.cert.expiry on alternativet.dk"),
        (ChangeKind.FIXED, "ssh.auth.password on web-1"),
    }
    removed = next(c for c in diff(old, new) if c.kind is ChangeKind.KEY_REMOVED)
    assert removed.before == "SHA256:" + "U" * 43 + " (unknown holder)"


def test_the_internal_page_is_told_the_changes_in_danish() -> None:
    old, new = _a_week_of_changes()
    # A claim the sample does not check (mail) stays unchecked.
    turn = {Status.PASS: Status.FAIL, Status.FAIL: Status.PASS}
    flipped = tuple(replace(c, status=turn.get(c.status, c.status)) for c in old.claims)
    new = replace(new, claims=flipped)
    told = {c.kind: c for c in diff(old, new, danish.WORDING)}
    assert told[ChangeKind.KEY_REMOVED].before == "SHA256:" + "U" * 43 + " (ukendt indehaver)"
    assert "gyldigt til 1. marts 2027" in told[ChangeKind.CERT_RENEWED].after
    fixed = told[ChangeKind.FIXED]
    assert fixed.subject == "ssh.auth.password på web-1"
    assert fixed.before.startswith("Fejl: ")
    assert fixed.after == "OK"
    assert told[ChangeKind.NEW_FAILURE].after.startswith("Fejl: ")
    claim = told[ChangeKind.CLAIM]
    assert claim.subject in danish.CLAIM_NAMES.values()
    assert {claim.before, claim.after} == {"Holder", "Holder ikke"}
    # The English telling is unchanged for the terminal and `auditor diff --format json`.
    english = {c.kind: c for c in diff(old, new)}
    assert english[ChangeKind.FIXED].after == "pass"


def test_diff_of_a_run_with_itself_is_empty() -> None:
    report = sample_report()
    assert diff(report, report) == ()


def test_keys_of_a_server_read_only_once_are_not_reported_as_removed() -> None:
    old = sample_report()
    unread = tuple(replace(s, keys_read=False) for s in old.inventory.ssh_servers)
    new = replace(old, inventory=replace(old.inventory, ssh_servers=unread, found_keys=()))
    assert [c for c in diff(old, new) if c.kind is ChangeKind.KEY_REMOVED] == []


def test_a_replaced_certificate_is_not_a_renewal() -> None:
    old = sample_report()
    other = certificate("alternativet.dk", sha256="CC:" * 31 + "CC", issuer="CN=Other CA")
    new = replace(old, inventory=replace(old.inventory, certificates=(other,)))
    kinds = [c.kind for c in diff(old, new)]
    assert kinds == [ChangeKind.CERT_REPLACED]


def _writing(path: Path) -> sqlite3.Connection:
    """Another run in the middle of creating the file: its write lock held, not committed."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE other_run (x)")
    return holder


def test_a_run_waits_while_another_run_creates_the_history(tmp_path: Path) -> None:
    # Switching a new file to WAL meets the other run's lock with "database is locked" at
    # once, without the busy timeout: the run used to call the history unusable.
    path = tmp_path / "history.sqlite3"
    holder = _writing(path)

    def finish() -> None:
        holder.execute("ROLLBACK")
        holder.close()

    release = threading.Timer(0.2, finish)
    release.start()
    try:
        run_id = History(path).record(sample_report(), 0)
    finally:
        release.join()
    assert [run.id for run in History(path).runs()] == [run_id]


def test_a_history_held_beyond_the_timeout_is_called_busy_not_unusable(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    holder = _writing(path)
    try:
        with pytest.raises(HistoryError, match="was busy") as caught:
            History(path, timeout=0.3).record(sample_report(), 0)
    finally:
        holder.close()
    assert "unusable" not in str(caught.value)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, under which a file is created readable by everyone (0644)."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def _modes(path: Path) -> dict[str, str]:
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files}


@pytest.mark.usefixtures("umask_022")
def test_the_history_and_its_wal_files_are_created_owner_only(tmp_path: Path) -> None:
    # The runs name key holders and their servers, as report.json and adgang.html do.
    path = tmp_path / "history.sqlite3"
    History(path).record(sample_report(), 1)
    # A reader keeps the -wal and -shm files in place (the last connection removes them).
    reader = sqlite3.connect(path)
    try:
        reader.execute("SELECT count(*) FROM runs").fetchone()
        History(path).record(sample_report(), 1)
        assert _modes(path) == {
            "history.sqlite3": "0o600",
            "history.sqlite3-wal": "0o600",
            "history.sqlite3-shm": "0o600",
        }
    finally:
        reader.close()


@pytest.mark.usefixtures("umask_022")
def test_a_history_readable_by_others_is_narrowed_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "history.sqlite3"
    History(path).record(sample_report(), 1)
    reader = sqlite3.connect(path)  # as an older auditor left it: every file 0644
    try:
        reader.execute("SELECT count(*) FROM runs").fetchone()
        for name in _modes(path):
            (tmp_path / name).chmod(0o644)
        with caplog.at_level(logging.WARNING, logger="auditor.app.history"):
            assert [run.id for run in History(path).runs()] == [1]
        assert set(_modes(path).values()) == {"0o600"}
    finally:
        reader.close()
    assert sorted(caplog.messages) == sorted(
        f"{tmp_path / name} was readable by others (mode 0644): now 0600"
        for name in ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm")
    )


def test_a_history_made_read_only_stays_read_only(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    History(path).record(sample_report(), 1)
    path.chmod(0o444)
    with contextlib.suppress(HistoryError):  # as another user than root, it may not open
        History(path).runs()
    assert stat.S_IMODE(path.stat().st_mode) == 0o400  # the others' bits taken, no more
