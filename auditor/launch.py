"""The `auditor` command's first module: the garbage collector's settings, then the CLI.

A run makes most of its objects while it loads (modules, classes, the methods dataclasses
generate) and keeps them until it exits. The cyclic collector's passes over them free
nothing, and with its last pass at exit they cost about a tenth of a short run (30 ms of a
one-site audit, measured). So the collector is off while the command loads, and what has
loaded is then frozen, out of the collector's sight (what `gc.freeze` is for), before it is
turned back on for the audit itself. Nothing here but `gc`: it must run before the imports.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence


def main(args: Sequence[str] | None = None) -> None:
    """`auditor`'s entry point; `args` for a caller other than the shell (sys.argv's)."""
    gc.disable()
    from auditor.cli import main as cli_main  # noqa: PLC0415 (after the collector is off)

    cli_main(args)
