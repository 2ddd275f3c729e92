"""`auditor droplets`: the DigitalOcean account's resources, regions and firewalls."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.common import App, config_option, format_option, load, pass_app
from auditor.core.errors import CredentialsError
from checks import families


@click.command("droplets")
@config_option
@format_option
@pass_app
def droplets_command(app: App, config_path: Path | None, fmt: str) -> int:
    """Droplets, load balancers and reserved IPs: region, addresses, firewall, verdicts."""
    config = load(config_path)
    variable = config.digitalocean.token_env
    if not app.env.get(variable, "").strip():
        raise CredentialsError(
            f"no DigitalOcean token: set {variable} to a read-only API token "
            "(https://cloud.digitalocean.com/account/api/tokens)"
        )
    report = app.audit(config, families("digitalocean"), command="droplets")
    app.show(report, fmt, "droplets")
    return report.exit_code()
