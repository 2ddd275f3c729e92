"""Installs the tests' loopback guard in every Python the tests start (see loopback_guard).

Loaded by file path, so that the interpreter's own sys.path (a checkout, or an installed
copy in a virtualenv) stays as it would be without the guard.
"""

import importlib.util
from pathlib import Path

_GUARD = Path(__file__).resolve().parent.parent / "loopback_guard.py"
_spec = importlib.util.spec_from_file_location("_auditor_loopback_guard", _GUARD)
if _spec is not None and _spec.loader is not None:
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    _module.install()
