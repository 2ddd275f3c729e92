"""`auditor ssh` and `auditor keys`: login methods per server, and who holds keys that open them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from auditor.cli.common import (
    App,
    config_option,
    format_option,
    ip_addresses,
    load,
    pass_app,
    timeout_option,
    user_names,
)
from auditor.core.config import AuditConfig, Limits, SshServerConfig, SshSettings
from auditor.core.hosts import parse_target
from auditor.core.roster import load_roster
from checks import families


@click.command("ssh")
@click.argument("hosts", nargs=-1, required=True, metavar="HOST[:PORT]|URL...")
@click.option(
    "--user",
    "users",
    multiple=True,
    metavar="NAME",
    callback=user_names,
    help="User name to ask about (repeatable; default: root).",
)
@click.option(
    "--address",
    default=None,
    metavar="IP",
    callback=ip_addresses,
    help="Connect to this address instead of resolving the host.",
)
@timeout_option
@format_option
@pass_app
def ssh_command(
    app: App,
    hosts: tuple[str, ...],
    users: tuple[str, ...],
    address: str | None,
    timeout: float,
    fmt: str,
) -> int:
    """Login methods each server offers, asked with the `none` method (never a password)."""
    servers = []
    for spec in hosts:
        host, port = parse_target(spec, SshServerConfig.port, "ssh")
        servers.append(SshServerConfig(host=host, port=port, address=address))
    config = AuditConfig(
        source="<command line>",
        ssh=SshSettings(
            users=users or SshSettings.users, servers=tuple(servers), from_inventory=False
        ),
        limits=replace(Limits(), connect_timeout=timeout),
    )
    report = app.audit(config, families("ssh"), command="ssh")
    app.show(report, fmt, "ssh")
    return report.exit_code()


def _keys_config(config: AuditConfig) -> AuditConfig:
    if config.access.roster is not None:
        load_roster(config.access.roster)  # a malformed roster is exit 2 before any probe
    return config


@click.command("keys")
@config_option
@format_option
@pass_app
def keys_command(app: App, config_path: Path | None, fmt: str) -> int:
    """Every key that opens a server: whose it is, where it was found, against the roster."""
    config = _keys_config(load(config_path))
    report = app.audit(config, families("digitalocean", "ssh", "access"), command="keys")
    app.show(report, fmt, "keys")
    return report.exit_code()
