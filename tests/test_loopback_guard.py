"""The suite's loopback guard holds, in this process and in every Python the tests start."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from tests.support import cli, loopback_guard

TEST_NET = "192.0.2.1"  # RFC 5737: documentation only; the guard stops before any packet


def test_a_connection_past_loopback_raises_and_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "breaches.log"
    monkeypatch.setenv(loopback_guard.VIOLATIONS_ENV, str(log))
    with pytest.raises(loopback_guard.OffLoopback), socket.socket() as sock:
        sock.connect((TEST_NET, 9))
    with pytest.raises(loopback_guard.OffLoopback):
        socket.getaddrinfo("example.org", 443)
    records = log.read_text(encoding="utf-8")
    assert TEST_NET in records
    assert "example.org" in records


def test_loopback_and_numeric_lookups_pass(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
    assert socket.getaddrinfo("127.0.0.1", 80)
    assert socket.getaddrinfo("localhost", 80)


def test_a_python_the_tests_start_is_guarded_too(tmp_path: Path) -> None:
    log = tmp_path / "breaches.log"
    code = f"import socket; socket.create_connection(('{TEST_NET}', 9), timeout=1)"
    done = cli.run([sys.executable, "-c", code], env={loopback_guard.VIOLATIONS_ENV: str(log)})
    assert done.returncode != 0
    assert "not loopback" in done.stderr
    assert TEST_NET in log.read_text(encoding="utf-8")
