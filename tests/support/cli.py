"""The CLI started as a user starts it: `python -m auditor` in a fresh interpreter.

The interpreter is this one, so the checkout under test is the code that runs. Output is
captured and the exit code left to the test to judge; a command that outlives its timeout
fails the test with TimeoutExpired instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Literal, overload

# Most commands read a lab server on loopback: two minutes is ample on a loaded machine.
TIMEOUT = 120


def auditor_command(*args: str) -> list[str]:
    """`auditor ARGS` as a command line, for a test that starts the process itself."""
    return [sys.executable, "-m", "auditor", *args]


def environment(
    env: Mapping[str, str] | None = None, unset: tuple[str, ...] = ()
) -> dict[str, str] | None:
    """This process's environment without the variables whose names start with one of
    `unset`, with `env` set on top; None, the environment as it is, when neither is given."""
    if not env and not unset:
        return None
    kept = {name: value for name, value in os.environ.items() if not name.startswith(unset)}
    return {**kept, **(env or {})}


@overload
def run(
    command: Sequence[str],
    *,
    timeout: float = ...,
    env: Mapping[str, str] | None = ...,
    unset: tuple[str, ...] = ...,
    text: Literal[True] = ...,
) -> subprocess.CompletedProcess[str]: ...


@overload
def run(
    command: Sequence[str],
    *,
    timeout: float = ...,
    env: Mapping[str, str] | None = ...,
    unset: tuple[str, ...] = ...,
    text: Literal[False],
) -> subprocess.CompletedProcess[bytes]: ...


def run(
    command: Sequence[str],
    *,
    timeout: float = TIMEOUT,
    env: Mapping[str, str] | None = None,
    unset: tuple[str, ...] = (),
    text: bool = True,
) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
    """`command` run to its end, its output captured (as bytes when `text` is false, for a
    test of the bytes a locale lets through). `env` and `unset` as for `environment`."""
    return subprocess.run(
        command,
        capture_output=True,
        text=text,
        timeout=timeout,
        check=False,
        env=environment(env, unset),
    )


def run_auditor(
    *args: str,
    timeout: float = TIMEOUT,
    env: Mapping[str, str] | None = None,
    unset: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """`auditor ARGS` run to its end, its output captured as text."""
    return run(auditor_command(*args), timeout=timeout, env=env, unset=unset)
