"""`auditor mail`: the mail family alone, for domains named on the command line."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from auditor.cli.common import App, config_option, format_option, load, pass_app
from auditor.core.config import CONNECT_TIMEOUT_RANGE, mail_domain
from checks import families


def _seconds(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    # click's FloatRange lets NaN through: no comparison with NaN is ever false.
    if value is not None and math.isnan(value):
        raise click.BadParameter("not a number of seconds: nan", ctx, param)
    return value


def _domains(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    try:
        return tuple(dict.fromkeys(mail_domain(v) for v in value))
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


@click.command("mail")
@click.argument("domains", nargs=-1, required=True, metavar="DOMAIN...", callback=_domains)
@config_option
@click.option(
    "--selector",
    "selectors",
    multiple=True,
    metavar="NAME",
    help="DKIM selector to check (repeatable). Default: the config's, else google.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(*CONNECT_TIMEOUT_RANGE),
    default=None,
    callback=_seconds,
    help="Seconds allowed for each network step. Default: the config's.",
)
@format_option
@pass_app
def mail_command(
    app: App,
    domains: tuple[str, ...],
    config_path: Path | None,
    selectors: tuple[str, ...],
    timeout: float | None,
    fmt: str,
) -> int:
    """MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, DNSSEC and CAA of each DOMAIN.

    The resolver, the DKIM selectors and the trust anchors come from --config ([dns],
    [mail]); the domains from the command line. No mail server is contacted.
    """
    config = load(config_path)
    mail = replace(config.mail, domains=domains)
    if selectors:
        mail = replace(mail, dkim_selectors=tuple(s.strip().lower() for s in selectors))
    limits = config.limits
    if timeout is not None:
        limits = replace(limits, connect_timeout=timeout)
    config = replace(config, mail=mail, limits=limits, sites=())
    report = app.audit(config, families("mail"), command="mail")
    app.show(report, fmt, "mail")
    return report.exit_code()
