"""`auditor run`: the weekly job. Audit everything, publish, print what needs acting on.

Kept apart from the other commands so that a quiet run imports only what it uses: the
pages' renderer and the probes, not Rich's tables (loaded only when a table is printed).
"""

from __future__ import annotations

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
)
from auditor.core.changes import Change
from auditor.core.model import Status
from auditor.core.report import Report
from auditor.core.text import printable
from checks import families


def _quiet_lines(
    report: Report, code: int, strict: bool, changes: tuple[Change, ...] | None
) -> list[str]:
    """What a cron mail should carry: nothing when all is well, else what to act on.

    Messages quote what the audited systems said (certificate names, banners): every
    control character in them is escaped, so none can rewrite the mail or the terminal.
    """
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
    return [printable(line) for line in lines]


@click.command("run")
@config_option
@out_dir_option("Folder for report.json, the pages and the metrics (default: output.out_dir).")
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
    published = publish(
        report, out, history, code, config.limits.expiry_warning_days, pages=config.pages
    )
    if quiet:
        # Plain lines for a cron mail, written without Rich (nothing to lay out).
        for line in _quiet_lines(report, code, strict, published.changes):
            click.echo(line)
        return _unrecorded(published, code)
    app.show(report, fmt, "summary")
    if fmt == "table":
        from rich.text import Text  # noqa: PLC0415 (a quiet run does not load Rich)

        from reports.terminal import changes_table  # noqa: PLC0415

        if published.changes:
            app.out.print(changes_table(published.changes))
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
