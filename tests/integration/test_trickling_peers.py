"""Peers that send a byte now and then and never finish: an error in bounded time, then exit.

Each byte comes well inside the socket timeout, so only the deadline on the whole exchange
(auditor.deadlines) ends the read. Before it, the threads stuck reading kept the process
alive after the report was written: these tests run the CLI as a user does, in a
subprocess that must exit by itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.trickle import trickling

ADDRESS = "127.0.70.1"
# Long enough for a loaded CI machine, far shorter than a trickle that never ends.
MUST_EXIT_WITHIN = 60


def _auditor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args, "--address", ADDRESS, "--timeout", "1"],
        capture_output=True,
        text=True,
        timeout=MUST_EXIT_WITHIN,  # a hang fails the test with TimeoutExpired
        check=False,
    )


def test_a_tls_handshake_that_never_ends_is_an_error_and_the_process_exits() -> None:
    # A handshake record header announcing 16 KiB, then its body a byte at a time.
    with trickling(ADDRESS, b"\x16\x03\x03\x40\x00") as port:
        result = _auditor("tls", f"trickle.test:{port}", "--format", "json")
    assert result.returncode == 3, result.stderr
    assert '"status": "pass"' not in result.stdout
    assert "no complete TLS answer within 1 s" in result.stdout
    assert "Traceback" not in result.stderr


def test_an_http_head_that_never_ends_is_an_error_not_a_verdict(tmp_path: Path) -> None:
    # Cut off mid-header, http.client would read the end of file as the end of the head
    # and the checks would judge a truncated answer: "no HSTS", "301 without Location".
    head = b"HTTP/1.1 301 Moved\r\nX-Slow: "
    with (
        trickling(ADDRESS, head, tls_folder=tmp_path) as https_port,
        trickling(ADDRESS, head) as http_port,
    ):
        result = _auditor(
            "https", f"trickle.test:{https_port}", "--http-port", str(http_port), "--format", "json"
        )
    assert result.returncode == 3, result.stderr
    assert '"status": "fail"' not in result.stdout
    assert '"status": "pass"' not in result.stdout
    assert f"no complete answer from https://trickle.test:{https_port}/ within 2 s" in result.stdout
    assert f"no complete answer from http://trickle.test:{http_port}/ within 2 s" in result.stdout
