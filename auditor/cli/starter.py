"""`auditor demo` (see it work in a minute) and `auditor init` (start your own config)."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path

import click
from rich.text import Text

from auditor.app.history import History
from auditor.app.publish import ACCESS_PAGE, PUBLIC_PAGE, publish
from auditor.cli.common import App, pass_app
from auditor.core.config import OutputSettings, load_config
from auditor.core.errors import UsageError
from checks import families
from reports.terminal.changes import changes_table


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("auditor-demo"),
    show_default=True,
    help="Folder for the lab's files, the report and the pages.",
)
@pass_app
def demo_command(app: App, out_dir: Path) -> int:
    """Start a lab on 127.0.40.0/24, audit it end to end, write the pages, stop the lab."""
    out_dir = out_dir.resolve()
    app.err.print(f"Starting the lab on 127.0.40.0/24 (files in {out_dir}) ...")
    # Each demo is a new lab: earlier demos' history (and SQLite's -wal and -shm files
    # beside it) would only make false changes.
    history_file = OutputSettings().history_path(out_dir)
    for stale in (history_file, *out_dir.glob(f"{history_file.name}-*")):
        stale.unlink(missing_ok=True)
    # The lab (nginx, sshd, a fake API) is only for the demo: not loaded by any other command.
    from auditor.lab.demo import running_lab  # noqa: PLC0415

    with running_lab(out_dir / "lab") as lab:
        config = load_config(lab.config)
        config = replace(config, output=replace(config.output, out_dir=out_dir))
        demo_app = replace(app, env=lab.env)
        for audit in ("last week", "now"):
            if audit == "now":
                lab.a_week_later()
            app.err.print(f"Auditing the lab as it was {audit} ...")
            report = demo_app.audit(config, families(), command="demo")
            code = report.exit_code()
            published = publish(
                report,
                out_dir,
                History(history_file),
                code,
                config.limits.expiry_warning_days,
                pages=config.pages,
            )
    app.show(report, "table", "summary")
    if published.changes:
        app.out.print(changes_table(published.changes, app.out.width))
    if published.history_error is not None:
        app.err.print(Text(f"No changes to show: {published.history_error}", style="yellow"))
    app.out.print(
        Text(f"\nThe lab is stopped. The audit's exit code would be {code}.", style="bold")
    )
    app.out.print(Text(f"Public page:   {out_dir / PUBLIC_PAGE}"))
    app.out.print(Text(f"Internal page: {out_dir / ACCESS_PAGE}"))
    app.out.print(Text(f"Report:        {out_dir / 'report.json'}"))
    app.out.print(Text(f"Lab config:    {lab.config}"))
    return 0


STARTER_FILES = {"auditor.toml": "starter.toml", "roster.toml": "starter-roster.toml"}


@click.command("init")
@click.argument(
    "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False
)
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@pass_app
def init_command(app: App, folder: Path, force: bool) -> int:
    """Write a commented starter config (auditor.toml) and roster (roster.toml)."""
    targets = {folder / name: source for name, source in STARTER_FILES.items()}
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        verb = "exists" if len(existing) == 1 else "exist"
        raise UsageError(
            f"{' and '.join(existing)} already {verb}; left unchanged (--force overwrites)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    defaults = resources.files("auditor").joinpath("defaults")
    for path, source in targets.items():
        path.write_text(defaults.joinpath(source).read_text(encoding="utf-8"), encoding="utf-8")
        app.out.print(Text(f"wrote {path}"))
    app.out.print(Text(f"Next: edit them, then `auditor run --config {folder / 'auditor.toml'}`."))
    return 0
