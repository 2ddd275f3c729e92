"""Every run's report, kept in an embedded SQLite database so that weeks can be compared.

Each run is stored in one transaction (the full report as JSON, and its findings as rows
for queries), in WAL mode with full synchronisation: a process killed at any moment leaves
either the whole run or none of it, and never touches an earlier one. The schema carries
its version in `PRAGMA user_version` and is migrated forward on open, never backward.

The runs name key holders and their servers: the file is created readable by its owner
only, before SQLite opens it (SQLite gives the `-wal` and `-shm` files the main file's
mode), and a looser mode found on any of the three is narrowed, with a warning.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from auditor.core.documents import json_value
from auditor.core.errors import AuditorError
from auditor.core.report import Report, ReportFormatError

LOG = logging.getLogger(__name__)


class HistoryError(AuditorError):
    """The history database cannot be used (unreadable, newer than this auditor, ...)."""


# Each entry moves the schema one version forward; applied in order inside one transaction.
MIGRATIONS: Sequence[str] = (
    # 1: one row per run, with the whole report.
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        command TEXT NOT NULL,
        exit_code INTEGER NOT NULL,
        report TEXT NOT NULL
    );
    """,
    # 2: findings as rows, so that "since when has this failed" is a query; backfilled.
    """
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        target TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE INDEX findings_by_check ON findings (check_id, target, run_id);
    INSERT INTO findings (run_id, check_id, target, status, severity, message)
        SELECT runs.id, json_extract(f.value, '$.check'), json_extract(f.value, '$.target'),
               json_extract(f.value, '$.status'), json_extract(f.value, '$.severity'),
               json_extract(f.value, '$.message')
        FROM runs, json_each(runs.report, '$.findings') AS f;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
PRIVATE = 0o600
SIDE_FILES = ("-wal", "-shm")  # SQLite's companions in WAL mode, named after the main file
WAL_TRIES = 10  # pauses of 20 ms doubling each time: about 20 s in all, within the timeout


@dataclass(frozen=True)
class RunSummary:
    id: int
    started_at: str
    finished_at: str
    command: str
    exit_code: int
    failed: int
    warned: int
    errored: int


class History:
    """The database at `path`, opened (and migrated) per use: no connection outlives a call."""

    def __init__(self, path: Path, timeout: float = 30.0) -> None:
        self.path = path
        self.timeout = timeout

    @contextmanager
    def _connect(self, create: bool = True) -> Iterator[sqlite3.Connection]:
        if not create and not self.path.exists():
            raise HistoryError(f"no history at {self.path} (run `auditor run` first)")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _keep_private(self.path)
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except OSError as exc:
            raise HistoryError(
                f"cannot create the history at {self.path}: {exc.strerror}"
            ) from None
        except sqlite3.Error as exc:
            raise HistoryError(f"cannot open the history at {self.path}: {exc}") from None
        with closing(connection):
            try:
                self._use_wal(connection)
                connection.execute("PRAGMA synchronous=FULL")
                connection.execute("PRAGMA foreign_keys=ON")
                self._migrate(connection)
                yield connection
            except sqlite3.DatabaseError as exc:
                if _busy(exc):
                    raise HistoryError(
                        f"the history at {self.path} was busy (another run held it "
                        f"for {self.timeout:g} s): {exc}"
                    ) from None
                raise HistoryError(f"the history at {self.path} is unusable: {exc}") from None

    def _use_wal(self, connection: sqlite3.Connection) -> None:
        """Switch to WAL, waiting (bounded) while another run holds a new file's write lock.

        SQLite answers that switch with "database is locked" at once, without the busy
        timeout, when another connection is writing (two runs creating the file together).
        """
        deadline = time.monotonic() + self.timeout
        pause = 0.02
        for _ in range(WAL_TRIES):
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause *= 2
        connection.execute("PRAGMA journal_mode=WAL")  # the last try: its error is the answer

    def _migrate(self, connection: sqlite3.Connection) -> None:
        if self._version(connection) == SCHEMA_VERSION:
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the lock: a run started at the same moment may have migrated
            # the file while this one waited, and its tables must not be created twice.
            version = self._version(connection)
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _version(self, connection: sqlite3.Connection) -> int:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"the history at {self.path} has schema {version}, newer than this auditor's "
                f"{SCHEMA_VERSION}: upgrade the auditor"
            )
        return version

    def record(self, report: Report, exit_code: int) -> int:
        """Store one run, all of it or nothing; returns its id."""
        document = json.dumps(report.to_dict(), ensure_ascii=False, sort_keys=True)
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                cursor = connection.execute(
                    "INSERT INTO runs (started_at, finished_at, command, exit_code, report) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        report.run.started_at,
                        report.run.finished_at,
                        report.run.command,
                        exit_code,
                        document,
                    ),
                )
                run_id = int(cursor.lastrowid or 0)
                connection.executemany(
                    "INSERT INTO findings (run_id, check_id, target, status, severity, message) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (run_id, f.check, f.target, f.status.value, f.severity.value, f.message)
                        for f in report.findings
                    ],
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return run_id

    def runs(self, limit: int | None = None) -> list[RunSummary]:
        """Runs, newest first."""
        query = """
            SELECT runs.id, started_at, finished_at, command, exit_code,
                   SUM(status = 'fail'), SUM(status = 'warn'), SUM(status = 'error')
            FROM runs LEFT JOIN findings ON findings.run_id = runs.id
            GROUP BY runs.id ORDER BY runs.id DESC
        """
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        with self._connect(create=False) as connection:
            rows = connection.execute(query).fetchall()
        return [
            RunSummary(
                int(r[0]),
                str(r[1]),
                str(r[2]),
                str(r[3]),
                int(r[4]),
                int(r[5] or 0),
                int(r[6] or 0),
                int(r[7] or 0),
            )
            for r in rows
        ]

    def report(self, run_id: int) -> Report:
        with self._connect(create=False) as connection:
            row = connection.execute("SELECT report FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise HistoryError(f"no run {run_id} in {self.path}")
        try:
            return Report.from_dict(json_value(row[0]))
        except (ValueError, ReportFormatError) as exc:
            raise HistoryError(f"run {run_id} in {self.path} is unreadable: {exc}") from None

    def latest(self, before: int | None = None) -> Report | None:
        """The newest run (before run `before`, if given), or None."""
        if not self.path.exists():
            return None
        with self._connect() as connection:
            row = connection.execute(
                "SELECT id FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1",
                (before if before is not None else 2**62,),
            ).fetchone()
        return self.report(int(row[0])) if row else None


def _keep_private(path: Path) -> None:
    """Create the history owner-only, or narrow a looser mode on it and its side files."""
    try:
        # O_EXCL: never follows a link planted at the path, never truncates a history.
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE))
        return
    except FileExistsError:
        pass  # an earlier run's (or one starting at the same moment): check its mode below
    for file in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        _narrow(file)


def _narrow(file: Path) -> None:
    """Take away the group's and others' bits, saying so: the owner's are left as they are
    (a history made read-only on purpose stays read-only)."""
    try:
        found = file.stat()
    except FileNotFoundError:
        return  # no -wal or -shm while no connection is open: nothing to narrow
    mode = stat.S_IMODE(found.st_mode)
    if not stat.S_ISREG(found.st_mode) or not mode & 0o077:
        return  # a folder in its place is SQLite's to refuse, not this to chmod
    try:
        os.chmod(file, mode & 0o700)
    except OSError as exc:  # another user's file: the history may still be read
        LOG.warning(
            "%s is readable by others (mode %04o) and could not be made private: %s",
            file,
            mode,
            exc.strerror or exc,
        )
        return
    LOG.warning("%s was readable by others (mode %04o): now %04o", file, mode, mode & 0o700)


def _statements(script: str) -> list[str]:
    """A migration script split into statements (executescript would commit on its own)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def _busy(exc: sqlite3.DatabaseError) -> bool:
    """Another connection holds the lock ("database is locked"), as opposed to a broken file."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
