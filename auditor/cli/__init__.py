"""The command line: parse options, call the core, pick a renderer, map to an exit code."""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

import click

from auditor import __version__
from auditor.cli import logs
from auditor.cli.collector import loaded
from auditor.cli.common import VERBOSE_HELP, make_app, verbose_option
from auditor.core.errors import AuditorError
from auditor.core.text import printable, speaks_utf8

# Each command's module, imported only when that command runs: `auditor run` does not load
# the demo's lab, the DigitalOcean client or Rich's tables, `auditor --help` loads no probe.
COMMANDS = {
    "run": "auditor.cli.run:run_command",
    "history": "auditor.cli.operations:history_command",
    "diff": "auditor.cli.operations:diff_command",
    "discover": "auditor.cli.discover:discover_command",
    "tls": "auditor.cli.sites:tls_command",
    "https": "auditor.cli.sites:https_command",
    "ssh": "auditor.cli.servers:ssh_command",
    "keys": "auditor.cli.servers:keys_command",
    "droplets": "auditor.cli.cloud:droplets_command",
    "mail": "auditor.cli.mail:mail_command",
    "render": "auditor.cli.reporting:render_command",
    "demo": "auditor.cli.starter:demo_command",
    "init": "auditor.cli.starter:init_command",
}


class LazyGroup(click.Group):
    """A group whose subcommands are named here and imported on first use (click's recipe)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, name = target.partition(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command), target
        if not any(param.name == "verbose" for param in command.params):
            command.params.append(verbose_option())  # -v after the command's name, too
        loaded()  # what the command needs to start is imported (see auditor.launch)
        return command


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="auditor")
@click.option("-v", "--verbose", count=True, help=VERBOSE_HELP)
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Checks Alternativet's published security promises, with evidence.

    Exit codes: 0 every promise holds, 1 a promise is broken, 2 bad usage or
    configuration, 3 something could not be checked.
    """
    if isinstance(sys.stdout, io.TextIOWrapper) and not speaks_utf8(sys.stdout):
        # A locale that cannot spell what is printed (cron's LC_ALL=C): a letter it lacks is
        # shown as its escape (\xf8), not a UnicodeEncodeError after the audit has run.
        sys.stdout.reconfigure(errors="backslashreplace")
    ctx.obj = make_app(verbose)
    logs.configure(verbose)


class Terminated(BaseException):
    """SIGTERM (systemd stopping the unit, or its timeout): unwind like Ctrl-C does."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def _asks_for_json(args: Sequence[str]) -> bool:
    """Whether the command line asks for `--format json`: read from the words themselves, so
    that a command that fails before (or while) its options are parsed still answers in JSON."""
    for index, word in enumerate(args):
        if word == "--":
            return False
        if word == "--format=json" or (
            word == "--format" and args[index + 1 : index + 2] == ["json"]
        ):
            return True
    return False


def _say_failure(message: str, code: int, as_json: bool) -> None:
    """One line on stderr; with `--format json` also a JSON object on stdout."""
    click.echo(message, err=True)
    if as_json:
        _say_json_only(message, code)


def _say_json_only(message: str, code: int) -> None:
    """A failure as JSON on stdout (`{"error": ..., "exit_code": ...}`): a script that parses
    what `--format json` prints always gets a document, whatever happened."""
    ascii_only = not (sys.stdout is not None and speaks_utf8(sys.stdout))
    document = {"error": message.removeprefix("auditor: "), "exit_code": code}
    with contextlib.suppress(Exception):  # stdout closed or gone: stderr has said it
        click.echo(json.dumps(document, ensure_ascii=ascii_only))


def _leave_now(message: str, code: int, as_json: bool = False) -> NoReturn:
    """Exit at once, once the main thread has unwound (its files and history cleaned up).

    Probes still waiting on a silent server would otherwise hold the exit until their own
    timeout: a stop must not wait for the network. Those threads only probe; they write
    nothing that needs finishing.
    """
    _say_failure(message, code, as_json)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def main(args: Sequence[str] | None = None) -> None:
    """Entry point: one exit path, one line for every expected failure, no traceback."""
    # Without a handler SIGTERM ends the process where it stands: a file being written
    # atomically would leave its temporary copy behind. Raised in the main thread, it runs
    # the same clean-ups as an interrupt (the temporary file removed, the history's
    # transaction rolled back).
    signal.signal(signal.SIGTERM, _terminated)
    as_json = _asks_for_json(sys.argv[1:] if args is None else args)
    try:
        code = cli.main(args=args, standalone_mode=False)  # None: sys.argv
    except click.exceptions.Abort:  # click's word for Ctrl-C (a KeyboardInterrupt)
        _leave_now("auditor: aborted", 130, as_json)
    except click.ClickException as exc:
        exc.show()
        code = 2 if exc.exit_code == 1 else exc.exit_code
        if as_json:
            _say_json_only(f"auditor: {exc.format_message()}", code)
        sys.exit(code)
    except AuditorError as exc:
        # may quote an API's answer
        _say_failure(f"auditor: {printable(str(exc))}", exc.exit_code, as_json)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _leave_now("auditor: interrupted", 130, as_json)
    except Terminated:
        _leave_now("auditor: terminated", 143, as_json)  # 128 + SIGTERM, as a shell reports it
    except BrokenPipeError:
        # The reader went away (`auditor ... | head`): nothing left to say, and no one to say
        # it to. Point stdout at /dev/null so the interpreter's final flush cannot fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except OSError as exc:  # a file the command had to read or write: one line, never a trace
        name = f"{exc.filename}: " if exc.filename else ""
        _say_failure(f"auditor: {name}{exc.strerror or exc}", 2, as_json)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
