"""`auditor history` and `auditor diff`: the weekly job's memory."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from auditor.app.diff import diff
from auditor.cli.common import (
    App,
    config_option,
    format_option,
    history_of,
    load,
    out_dir_option,
    pass_app,
)
from auditor.core.config import HISTORY_FILE
from auditor.core.errors import UsageError
from auditor.core.text import speaks_utf8
from reports.terminal.changes import changes_table

READS_FROM = f"The folder `auditor run --out` wrote to (its {HISTORY_FILE})."


@click.command("history")
@config_option
@out_dir_option(READS_FROM)
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@format_option
@pass_app
def history_command(
    app: App, config_path: Path | None, out_dir: Path | None, limit: int, fmt: str
) -> int:
    """Past runs, newest first."""
    runs = history_of(load(config_path), out_dir).runs(limit)
    if fmt == "json":
        app.out.file.write(json.dumps([r.__dict__ for r in runs], indent=2) + "\n")
        return 0
    table = Table(title="Runs", title_justify="left")
    for column in ("Run", "Started", "Command", "Exit", "Fail", "Error", "Warn"):
        table.add_column(column)
    for r in runs:
        table.add_row(
            str(r.id),
            r.started_at,
            r.command,
            str(r.exit_code),
            str(r.failed),
            str(r.errored),
            str(r.warned),
        )
    app.out.print(table)
    return 0


@click.command("diff")
@click.argument("runs", nargs=-1, type=click.IntRange(1, 2**63 - 1), metavar="[A] [B]")
@config_option
@out_dir_option(READS_FROM)
@format_option
@pass_app
def diff_command(
    app: App, runs: tuple[int, ...], config_path: Path | None, out_dir: Path | None, fmt: str
) -> int:
    """What changed from run A to run B (default: the last two runs)."""
    history = history_of(load(config_path), out_dir)
    if len(runs) > 2:
        raise UsageError("diff takes at most two run numbers")
    if len(runs) == 2:
        old_id, new_id = runs
    else:
        known = [r.id for r in history.runs()]
        new_id = runs[0] if runs else (known[0] if known else 0)
        older = [r for r in known if r < new_id]
        if not older:
            raise UsageError("there is no earlier run to compare with")
        old_id = older[0]
    changes = diff(history.report(old_id), history.report(new_id))
    if fmt == "json":
        document = {"from": old_id, "to": new_id, "changes": [c.to_dict() for c in changes]}
        ascii_only = not speaks_utf8(app.out.file)  # as `--format json` does everywhere
        app.out.file.write(json.dumps(document, indent=2, ensure_ascii=ascii_only) + "\n")
    elif changes:
        title = f"Changed from run {old_id} to run {new_id}"
        app.out.print(changes_table(changes, app.out.width, title))
    else:
        app.out.print(f"Nothing changed from run {old_id} to run {new_id}.")
    return 0
