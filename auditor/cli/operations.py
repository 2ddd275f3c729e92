"""`auditor run`, `auditor history` and `auditor diff`: the weekly job and its memory."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from auditor.cli.common import App, config_option, format_option, load, pass_app
from auditor.config import AuditConfig
from auditor.diff import Change, diff
from auditor.errors import UsageError
from auditor.history import History
from auditor.model import Status
from auditor.publish import publish
from auditor.report import Report
from checks import families
from reports.terminal import changes_table


def history_of(config: AuditConfig, out_dir: Path | None) -> History:
    if config.output.history is not None:
        return History(config.output.history)
    return History((out_dir or config.output.out_dir) / "history.sqlite3")


def _quiet_lines(
    report: Report, code: int, strict: bool, changes: tuple[Change, ...] | None
) -> list[str]:
    """What a cron mail should carry: nothing when all is well, else what to act on."""
    if code == 0:
        return []
    act_on = (Status.FAIL, Status.ERROR, Status.WARN) if strict else (Status.FAIL, Status.ERROR)
    lines = [f"auditor: exit {code}: " + ", ".join(f"{c.id} {c.status}" for c in report.claims)]
    lines += [
        f"  {f.status.upper():5} {f.check} {f.target}: {f.message}"
        for f in report.findings
        if f.status in act_on
    ]
    lines += [
        f"  changed: {c.kind} {c.subject}: {c.before or '-'} -> {c.after or '-'}"
        for c in changes or ()
    ]
    return lines


@click.command("run")
@config_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for report.json, the pages and the metrics (default: output.out_dir).",
)
@click.option("--strict", is_flag=True, help="Warnings count as failures (exit code 1).")
@click.option("--quiet", is_flag=True, help="Print only what needs acting on (for cron mail).")
@format_option
@pass_app
def run_command(
    app: App, config_path: Path | None, out_dir: Path | None, strict: bool, quiet: bool, fmt: str
) -> int:
    """The whole audit: writes report.json, certifikater.html, adgang.html and auditor.prom."""
    config = load(config_path)
    out = out_dir or config.output.out_dir
    history = history_of(config, out_dir)
    report = app.audit(config, families(), command="run", progress=not quiet)
    code = report.exit_code(strict=strict)
    published = publish(report, out, history, code, config.limits.expiry_warning_days)
    if quiet:
        for line in _quiet_lines(report, code, strict, published.changes):
            app.out.print(Text(line), soft_wrap=True)
        return code
    app.show(report, fmt, "summary")
    if fmt == "table":
        if published.changes:
            app.out.print(changes_table(published.changes))
        elif published.changes is not None:
            app.out.print(Text("Nothing changed since the last run.", style="dim"))
        app.out.print(
            Text(
                f"Run {published.run_id}: wrote {', '.join(str(p) for p in published.files)}",
                style="dim",
            )
        )
    return code


@click.command("history")
@config_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder `auditor run --out` wrote to (its history.sqlite3).",
)
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
@click.argument("runs", nargs=-1, type=int, metavar="[A] [B]")
@config_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder `auditor run --out` wrote to (its history.sqlite3).",
)
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
        app.out.file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    elif changes:
        table = changes_table(changes)
        table.title = f"Changed from run {old_id} to run {new_id}"
        app.out.print(table)
    else:
        app.out.print(f"Nothing changed from run {old_id} to run {new_id}.")
    return 0


COMMANDS: list[click.Command] = [run_command, history_command, diff_command]
