"""`auditor discover`: what discovery finds, where it came from; `--format toml` to paste."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.common import (
    App,
    config_option,
    history_of,
    load,
    pass_app,
    previous_inventory,
)
from auditor.core.errors import ConfigError
from checks import families


@click.command("discover")
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "table", "toml"]),
    default="table",
    show_default=True,
    help="How to print the result; toml prints [[sites]] entries ready to paste.",
)
@pass_app
def discover_command(app: App, config_path: Path | None, fmt: str) -> int:
    """Every name found in the config, the DNS zones and Certificate Transparency."""
    config = load(config_path)
    if config.discovery is None:
        raise ConfigError(config.source, "discovery", "no [discovery] section: nothing to discover")
    previous = previous_inventory(config, history_of(config, None))
    report = app.audit(config, families("discovery"), command="discover", previous=previous)
    if fmt == "toml":
        from reports.sites_toml import sites_toml  # noqa: PLC0415

        click.echo(sites_toml(report, config.discovery), nl=False)
    else:
        app.show(report, fmt, "discovered")
    return report.exit_code()
