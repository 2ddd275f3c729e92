"""What every command shares: the application object, common options, one way to run and show."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from auditor.cli.progress import RichObserver
from auditor.config import AuditConfig, load_config
from auditor.family import AuditContext, Family
from auditor.observer import NullObserver, Observer
from auditor.report import Report
from auditor.runner import run_audit
from reports import FORMATS

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    """Built once by the root group and handed to every command through ctx.obj."""

    out: Console
    err: Console
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    def observer(self) -> Observer:
        # A progress display only where a person watches; cron and pipes get nothing.
        if self.err.is_terminal:
            return RichObserver(self.err)
        return NullObserver()

    def context(self, config: AuditConfig, deep: bool = False) -> AuditContext:
        return AuditContext(config=config, env=self.env, deep=deep)

    def audit(
        self,
        config: AuditConfig,
        families: Sequence[Family[Any]],
        command: str,
        deep: bool = False,
        progress: bool = True,
    ) -> Report:
        observer = self.observer() if progress else NullObserver()
        return run_audit(families, self.context(config, deep), observer, command=command)

    def show(self, report: Report, fmt: str, view: str) -> None:
        FORMATS[fmt](report, view, self.out)


pass_app = click.make_pass_decorator(App)


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


def load(config_path: Path | None) -> AuditConfig:
    return load_config(config_path)


def make_app() -> App:
    return App(out=Console(file=sys.stdout), err=Console(file=sys.stderr, stderr=True))
