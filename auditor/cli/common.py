"""What every command shares: the application object, common options, one way to run and show."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from auditor.app.history import History, HistoryError
from auditor.cli import logs
from auditor.core.config import CONNECT_TIMEOUT_RANGE, AuditConfig, Limits, load_config
from auditor.core.documents import pem_certificates
from auditor.core.family import AuditContext, Family
from auditor.core.hosts import is_ip_address
from auditor.core.inventory import Inventory
from auditor.core.observer import NullObserver, Observer
from auditor.core.report import Report
from auditor.core.runner import run_audit
from reports import FORMATS, render

if TYPE_CHECKING:
    from rich.console import Console

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    """Built once by the root group and handed to every command through ctx.obj.

    The consoles are made on first use: Rich is loaded only by a command that prints with
    it, not by a quiet cron run that has nothing to say.
    """

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    verbose: int = 0  # -v count, before and after the command's name

    @cached_property
    def out(self) -> Console:
        from rich.console import Console  # noqa: PLC0415 (see the class docstring)

        return Console(file=sys.stdout)

    @cached_property
    def err(self) -> Console:
        from rich.console import Console  # noqa: PLC0415 (see the class docstring)

        return Console(file=sys.stderr, stderr=True)

    def observer(self) -> Observer:
        # With -v the run is told to the log (a progress display would garble its lines);
        # else a progress display only where a person watches; cron and pipes get nothing.
        if logs.wanted():
            return logs.LoggingObserver()
        if self.err.is_terminal:
            from auditor.cli.progress import RichObserver  # noqa: PLC0415

            return RichObserver(self.err)
        return NullObserver()

    def context(
        self, config: AuditConfig, deep: bool = False, previous: Inventory | None = None
    ) -> AuditContext:
        return AuditContext(config=config, env=self.env, deep=deep, previous=previous)

    def audit(
        self,
        config: AuditConfig,
        families: Sequence[Family[Any]],
        command: str,
        deep: bool = False,
        progress: bool = True,
        previous: Inventory | None = None,
    ) -> Report:
        observer = self.observer() if progress or logs.wanted() else NullObserver()
        ctx = self.context(config, deep, previous)
        return run_audit(families, ctx, observer, command=command)

    def show(self, report: Report, fmt: str, view: str) -> None:
        render(report, fmt, view, self.out)


pass_app = click.make_pass_decorator(App)


def ip_addresses(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """An `--address` callback: IP addresses only, never a name that would go to a resolver."""
    for text in value if isinstance(value, tuple) else (value,):
        if text is not None and not is_ip_address(text):
            raise click.BadParameter(f"not an IP address: {text!r}", ctx, param)
    return value


def user_names(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A `--user` callback: a name the config would take (not blank, and text in UTF-8)."""
    for text in value if isinstance(value, tuple) else (value,):
        if text is None:
            continue
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise click.BadParameter(f"not UTF-8: {text!r}", ctx, param) from None
        if not text.strip():
            raise click.BadParameter(f"not a user name: {text!r}", ctx, param)
    return value


def certificates_file(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A `--ca-file` callback: a bad CA file is a usage error, not an error on every check."""
    if value is not None:
        try:
            pem_certificates(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx, param) from None
    return value


def _a_number(ctx: click.Context, param: click.Parameter, value: float) -> float:
    # click's FloatRange lets NaN through: no comparison with NaN is ever false.
    if math.isnan(value):
        raise click.BadParameter("not a number of seconds: nan", ctx, param)
    return value


def timeout_option(func: F) -> F:
    return click.option(
        "--timeout",
        type=click.FloatRange(*CONNECT_TIMEOUT_RANGE),
        callback=_a_number,
        default=Limits.connect_timeout,
        show_default=True,
        help="Seconds allowed for each network step.",
    )(func)


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(sorted(FORMATS)),
        default="table",
        show_default=True,
        help="How to print the result.",
    )(func)


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Configuration file (TOML). Default: the packaged one for Alternativet.",
    )(func)


def out_dir_option(help_text: str) -> Callable[[F], F]:
    """`--out FOLDER`: where `auditor run` writes, and where the other commands read."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=help_text,
    )


def load(config_path: Path | None) -> AuditConfig:
    return load_config(config_path)


def history_of(config: AuditConfig, out_dir: Path | None) -> History:
    return History(config.output.history_path(out_dir))


def previous_inventory(config: AuditConfig, history: History) -> Inventory | None:
    """What the last recorded run found, for discovery to fall back on; None without
    [discovery] (nothing reads it), or when the history has no readable run."""
    if config.discovery is None:
        return None
    try:
        report = history.latest()
    except HistoryError:  # publishing reports the history's trouble; the audit goes on
        return None
    return report.inventory if report is not None else None


VERBOSE_HELP = "Log more to stderr (-vv for debug); before or after the command's name."


def _more_verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value:
        app = ctx.find_object(App)
        if app is not None:
            app.verbose += value
            logs.configure(app.verbose)


def verbose_option() -> click.Option:
    """`-v` as a command's own option: `auditor run -v` as well as `auditor -v run`."""
    return click.Option(
        ["-v", "--verbose"],
        count=True,
        expose_value=False,
        is_eager=True,  # the log is set before any other option's check can fail
        callback=_more_verbose,
        help=VERBOSE_HELP,
    )


def make_app(verbose: int = 0) -> App:
    return App(verbose=verbose)
