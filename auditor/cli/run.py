"""`auditor run`: the weekly job. Audit everything, publish, print what needs acting on.

Kept apart from the other commands so that a quiet run imports only what it uses: the
pages' renderer and the probes, not Rich's tables (loaded only when a table is printed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from auditor.app.publish import Published, publish
from auditor.cli.common import (
    App,
    config_option,
    format_option,
    history_of,
    load,
    out_dir_option,
    pass_app,
    previous_inventory,
)
from auditor.core.changes import Change
from auditor.core.model import Finding, Status
from auditor.core.report import Report
from auditor.core.text import printable, speaks_utf8
from checks import families


def _acting_on(report: Report, strict: bool) -> list[Finding]:
    act_on = (Status.FAIL, Status.ERROR, Status.WARN) if strict else (Status.FAIL, Status.ERROR)
    return [f for f in report.findings if f.status in act_on]


def _quiet_lines(
    report: Report, code: int, strict: bool, changes: tuple[Change, ...] | None
) -> list[str]:
    """What a cron mail should carry: nothing when every promise holds, else what to act on,
    and why each promise that was not checked was not (a missing token must not stay silent,
    even in a run that exits 0).

    Messages quote what the audited systems said (certificate names, banners): every
    control character in them is escaped, so none can rewrite the mail or the terminal.
    """
    # A claim that could not be checked is explained by its ERROR lines below.
    unchecked = [c for c in report.claims if c.status is Status.SKIPPED and c.reasons]
    if code == 0 and not unchecked:
        return []
    lines = [f"auditor: exit {code}: " + ", ".join(f"{c.id} {c.status}" for c in report.claims)]
    lines += [f"  {c.id} {c.status}: {reason}" for c in unchecked for reason in c.reasons]
    lines += [
        f"  {f.status.upper():5} {f.check} {f.target}: {f.message}"
        for f in _acting_on(report, strict)
    ]
    lines += [
        f"  changed: {c.kind} {c.subject}: {c.before or '-'} -> {c.after or '-'}"
        for c in changes or ()
    ]
    return [printable(line) for line in lines]


def _quiet_document(
    report: Report, code: int, strict: bool, changes: tuple[Change, ...] | None
) -> str:
    """`--quiet --format json`: what `--quiet` prints, as one JSON object, printed always (a
    script reads one object, whose lists are empty when every promise holds)."""
    document = {
        "exit_code": code,
        "claims": [
            {"id": c.id.value, "status": c.status.value, "reasons": list(c.reasons)}
            for c in report.claims
        ],
        "findings": [f.to_dict() for f in _acting_on(report, strict)],
        "changes": [c.to_dict() for c in changes or ()],
    }
    return json.dumps(document, indent=2, ensure_ascii=not speaks_utf8(sys.stdout)) + "\n"


@click.command("run")
@config_option
@out_dir_option("Folder for report.json, the pages and the metrics (default: output.out_dir).")
@click.option("--strict", is_flag=True, help="Warnings count as failures (exit code 1).")
@click.option(
    "--quiet",
    is_flag=True,
    help="Print only what needs acting on (for cron mail); with --format json, that as one object.",
)
@format_option
@pass_app
def run_command(
    app: App, config_path: Path | None, out_dir: Path | None, strict: bool, quiet: bool, fmt: str
) -> int:
    """The whole audit: writes report.json, certifikater.html, adgang.html and auditor.prom."""
    config = load(config_path)
    out = out_dir or config.output.out_dir
    history = history_of(config, out_dir)
    previous = previous_inventory(config, history)
    report = app.audit(config, families(), command="run", progress=not quiet, previous=previous)
    code = report.exit_code(strict=strict)
    published = publish(
        report, out, history, code, config.limits.expiry_warning_days, pages=config.pages
    )
    if quiet and fmt == "json":
        click.echo(_quiet_document(report, code, strict, published.changes), nl=False)
        return _unrecorded(published, code)
    if quiet:
        # Plain lines for a cron mail, written without Rich (nothing to lay out).
        for line in _quiet_lines(report, code, strict, published.changes):
            click.echo(line)
        return _unrecorded(published, code)
    app.show(report, fmt, "summary")
    if fmt == "table":
        from rich.text import Text  # noqa: PLC0415 (a quiet run does not load Rich)

        from reports.terminal.changes import changes_table  # noqa: PLC0415

        if published.changes:
            app.out.print(changes_table(published.changes, app.out.width))
        elif published.changes is not None:
            app.out.print(Text("Nothing changed since the last run.", style="dim"))
        run = f"Run {published.run_id}: wrote" if published.run_id is not None else "Wrote"
        app.out.print(Text(f"{run} {', '.join(str(p) for p in published.files)}", style="dim"))
    return _unrecorded(published, code)


def _unrecorded(published: Published, code: int) -> int:
    """A run the history could not take is said on stderr; if all else held, it exits 2."""
    if published.history_error is None:
        return code
    click.echo(f"auditor: this run is not in the history: {published.history_error}", err=True)
    return code or 2
