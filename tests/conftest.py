"""Fixtures shared across the suite live in tests/support/ and are registered here.

Every test runs behind the loopback guard (tests/support/loopback_guard.py): this process's
sockets and those of every Python it starts may reach 127.0.0.0/8 and ::1 only, and a test
that tried to reach anything else fails, even when the code under test caught the error.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import loopback_guard

pytest_plugins = [
    "tests.support.sites_lab",
    "tests.support.sshd_lab",
    "tests.support.digitalocean_fake",
    "tests.support.mail_lab",
    "tests.support.discovery_lab",
]

_GUARD_PATH = Path(__file__).resolve().parent / "support" / "guard"


def pytest_configure(config: pytest.Config) -> None:
    handle, name = tempfile.mkstemp(prefix="auditor-network-", suffix=".log")
    os.close(handle)
    os.environ[loopback_guard.VIOLATIONS_ENV] = name
    paths = [str(_GUARD_PATH), *filter(None, [os.environ.get("PYTHONPATH")])]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    loopback_guard.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    Path(os.environ.get(loopback_guard.VIOLATIONS_ENV, "")).unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    log = Path(os.environ[loopback_guard.VIOLATIONS_ENV])
    before = log.stat().st_size
    yield
    with log.open(encoding="utf-8") as records:
        records.seek(before)
        breaches = records.read()
    assert not breaches, f"the test reached past loopback:\n{breaches}"
