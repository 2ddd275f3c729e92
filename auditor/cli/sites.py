"""`auditor tls` and `auditor https`: the site checks for hosts named on the command line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from auditor.cli.common import (
    App,
    certificates_file,
    format_option,
    ip_addresses,
    pass_app,
    timeout_option,
)
from auditor.core.config import AuditConfig, Limits, SiteConfig
from auditor.core.hosts import parse_target
from checks import families


def _sites(
    hosts: tuple[str, ...], address: tuple[str, ...], ca_file: Path | None
) -> tuple[SiteConfig, ...]:
    sites = []
    for spec in hosts:
        host, port = parse_target(spec, SiteConfig.port, "https")
        sites.append(
            SiteConfig(host=host, platform="", port=port, addresses=address, ca_file=ca_file)
        )
    return tuple(sites)


def _site_options(func: click.decorators.FC) -> click.decorators.FC:
    func = click.option(
        "--ca-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        callback=certificates_file,
        help="An extra trusted CA (PEM), besides Mozilla's store.",
    )(func)
    func = click.option(
        "--address",
        multiple=True,
        metavar="IP",
        callback=ip_addresses,
        help="Connect to this address instead of resolving the host (repeatable).",
    )(func)
    return timeout_option(func)


def _config(sites: tuple[SiteConfig, ...], timeout: float) -> AuditConfig:
    limits = replace(Limits(), connect_timeout=timeout)
    return AuditConfig(source="<command line>", sites=sites, limits=limits)


@click.command("tls")
@click.argument("hosts", nargs=-1, required=True, metavar="HOST[:PORT]|URL...")
@_site_options
@click.option("--deep", is_flag=True, help="Enumerate every accepted cipher suite (slow).")
@format_option
@pass_app
def tls_command(
    app: App,
    hosts: tuple[str, ...],
    address: tuple[str, ...],
    ca_file: Path | None,
    timeout: float,
    deep: bool,
    fmt: str,
) -> int:
    """Certificates, chain, protocols and ciphers of each HOST."""
    config = _config(_sites(hosts, address, ca_file), timeout)
    report = app.audit(config, families("tls"), command="tls", deep=deep)
    app.show(report, fmt, "tls")
    return report.exit_code()


@click.command("https")
@click.argument("hosts", nargs=-1, required=True, metavar="HOST[:PORT]|URL...")
@_site_options
@click.option(
    "--http-port",
    type=click.IntRange(1, 65535),
    default=SiteConfig.http_port,
    show_default=True,
    help="Port of plain http:// to test the redirect on.",
)
@format_option
@pass_app
def https_command(
    app: App,
    hosts: tuple[str, ...],
    address: tuple[str, ...],
    ca_file: Path | None,
    timeout: float,
    http_port: int,
    fmt: str,
) -> int:
    """Redirect from http:// and HSTS of each HOST."""
    sites = tuple(replace(s, http_port=http_port) for s in _sites(hosts, address, ca_file))
    report = app.audit(_config(sites, timeout), families("https"), command="https")
    app.show(report, fmt, "https")
    return report.exit_code()
