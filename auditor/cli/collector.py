"""The garbage collector's part in start-up: see `auditor.launch` for why it is off."""

from __future__ import annotations

import gc


def loaded() -> None:
    """The command's modules are in: freeze them and collect from now on.

    Only where `main` turned the collector off: a process that imports the CLI to call it
    (a test, a script) keeps its own collector as it was.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
