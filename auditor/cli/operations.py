"""`auditor run`: the whole audit, its files, its exit code."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.atomic import write_atomic
from auditor.cli.common import App, config_option, format_option, load, pass_app
from checks import families
from reports.json_report import dumps


@click.command("run")
@config_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for report.json and the pages (default: the config's output.out_dir).",
)
@click.option("--strict", is_flag=True, help="Warnings count as failures (exit code 1).")
@format_option
@pass_app
def run_command(
    app: App, config_path: Path | None, out_dir: Path | None, strict: bool, fmt: str
) -> int:
    """The whole audit: writes report.json into --out and prints a summary."""
    config = load(config_path)
    report = app.audit(config, families(), command="run")
    out = out_dir or config.output.out_dir
    write_atomic(out / "report.json", dumps(report))
    app.show(report, fmt, "summary")
    return report.exit_code(strict=strict)


COMMANDS: list[click.Command] = [run_command]
