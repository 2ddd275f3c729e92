"""The benchmark's own parts: the delay proxy counts and relays; a mini run writes its table."""

from __future__ import annotations

import json
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import run as bench_run
from benchmarks import tools as bench_tools
from benchmarks.delay_proxy import DelayProxy
from benchmarks.memory import Growth, growth, measure_growth


class Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.request.sendall(data)


@pytest.fixture
def echo() -> Iterator[tuple[str, int]]:
    server = socketserver.ThreadingTCPServer(("127.0.53.1", 0), Echo)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield "127.0.53.1", int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_the_proxy_relays_in_order_and_counts_connections(echo: tuple[str, int]) -> None:
    proxy = DelayProxy(rtt=0.02)
    try:
        front = proxy.add(("127.0.53.2", 0), echo)
        payload = bytes(range(256)) * 1000
        for _ in range(3):
            with socket.create_connection(front, timeout=5) as sock:
                sock.sendall(payload)
                sock.shutdown(socket.SHUT_WR)
                received = b""
                while chunk := sock.recv(65536):
                    received += chunk
                assert received == payload
        counts = proxy.snapshot()[echo]
        assert (counts.total, counts.peak) == (3, 1)
        proxy.reset()
        assert proxy.snapshot() == {}
    finally:
        proxy.close()


def test_a_client_that_resets_is_counted_closed(echo: tuple[str, int]) -> None:
    """A TLS client that never reads the session tickets closes with a reset, not an EOF."""
    proxy = DelayProxy(rtt=0.02)
    try:
        front = proxy.add(("127.0.53.3", 0), echo)
        with socket.create_connection(front, timeout=5) as sock:
            sock.sendall(b"hello")
            assert sock.recv(5) == b"hello"
            sock.sendall(b"unread echo")  # echoed back and never read: close sends a reset
            time.sleep(0.1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        deadline = time.monotonic() + 5
        while proxy.snapshot()[echo].open and time.monotonic() < deadline:
            time.sleep(0.02)
        counts = proxy.snapshot()[echo]
        # The echo server never closes: without the reset counted, it would stay open.
        assert (counts.total, counts.open, counts.peak) == (1, 0, 1)
    finally:
        proxy.close()


def test_a_mini_run_of_the_harness_writes_its_table(tmp_path: Path) -> None:
    code = bench_run.main(
        [
            "--sites",
            "1",
            "--ssh",
            "1",
            "--rtt-ms",
            "0",
            "--repeat",
            "1",
            "--no-compare",
            "--memory-rounds",
            "0",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    table = (tmp_path / "latest.md").read_text()
    row = next(line for line in table.splitlines() if line.startswith("| auditor | 1 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    connections, concurrent = int(cells[5]), int(cells[6])
    assert 5 <= connections <= 30  # every tls.* and https.* verdict, few connections
    assert 1 <= concurrent <= 5  # the per-server limit, measured at the proxy
    # The same sites audited without the SSH servers: the row the sslyze ratios use.
    alone = next(
        line for line in table.splitlines() if line.startswith("| auditor, sites only | 1 |")
    )
    assert int(alone.strip("|").split("|")[5]) == connections
    assert list(tmp_path.glob("*.json"))
    # The start-up note names the stack's bare imports, measured beside the auditor's.
    assert "no code of the auditor's, takes" in table


def test_measure_samples_the_peak_memory_and_kills_an_overrun(tmp_path: Path) -> None:
    hold = "import sys, time; block = bytearray(80 << 20); time.sleep(0.3); sys.exit(3)"
    held = bench_tools.measure([sys.executable, "-c", hold], tmp_path / "held.log")
    assert held.returncode == 3
    assert held.peak_rss_mb >= 80  # sampled by the thread while the child held the block
    overrun = bench_tools.measure(
        [sys.executable, "-c", "import time; time.sleep(30)"], tmp_path / "overrun.log", timeout=0.5
    )
    assert overrun.returncode == -9


def test_the_growth_target_is_measured_in_processes_of_their_own(tmp_path: Path) -> None:
    growth = measure_growth(rounds=2, sites=1, folder=tmp_path)
    assert abs(growth.auditor_heap) < 0.1  # the auditor keeps no Python objects between audits
    name, measured, met = growth.target_row()
    assert met
    assert name == "No growth across 2 successive audits in one process"
    assert "with MALLOC_ARENA_MAX=2" in measured
    capped = json.loads(next((tmp_path / "memory-capped").glob("*.json")).read_text())
    assert capped["malloc_arena_max"] == "2"  # read by the allocator when that process began
    assert len(capped["auditor_mb"]) == len(capped["sslyze_mb"]) == 2


def test_objects_kept_between_audits_fail_the_growth_target() -> None:
    leaking = Growth(10, 0.5, 1.0, 1.0, 0.46, 90.0, 50.0)
    assert leaking.target_row()[2] is False
    assert "auditor +0.50 MB" in leaking.target_row()[1]


def test_growth_sees_a_leak_and_not_one_rounds_transient_objects() -> None:
    flat = [0.60, 0.61, 0.60, 0.60, 0.68, 0.60, 0.61, 0.60, 0.71, 0.61]  # spikes, no trend
    assert abs(growth(flat)) < 0.02
    leak = [0.60 + 0.05 * n for n in range(10)]  # 50 kB kept by every audit
    assert growth(leak) > 0.3
    assert growth([1.0, 2.0]) == 1.0  # two rounds: the first against the last


def _run(tool: str, sites: int, rtt_ms: int, wall: float) -> bench_run.ToolRun:
    return bench_run.ToolRun(tool, sites, rtt_ms, [wall], 50.0, [12] * sites, 5)


def test_the_one_site_sslyze_ratio_at_0_ms_is_shown_but_no_longer_judged() -> None:
    runs = [
        _run(bench_run.SITES_ONLY, 1, 0, 0.4),
        _run("sslyze", 1, 0, 1.2),  # 3x: the retired one-site target
        _run(bench_run.SITES_ONLY, 3, 0, 0.4),
        _run("sslyze", 3, 0, 2.4),  # 6x
    ]
    row = next(r for r in bench_run.targets(runs) if "sslyze, 0 ms" in r)
    assert "1 site(s) 3.0x (retired)" in row
    assert row.endswith("| yes |")
    slow = [*runs[:3], _run("sslyze", 3, 0, 1.6)]  # 4x on three sites is still a miss
    row = next(r for r in bench_run.targets(slow) if "sslyze, 0 ms" in r)
    assert row.endswith("| **no** |")


def test_the_mail_benchmark_asks_each_question_once_and_judges_every_check(
    tmp_path: Path,
) -> None:
    from benchmarks import mail

    result = mail.measure(2, 0.0, 2, tmp_path)
    assert result["repeated_questions"] == {}
    assert result["all_pass"] is True
    assert "| yes |" in mail.markdown(result)
