"""What discovery adds to a run: 500 names found in CT, 50 of them live, at +50 ms RTT.

The lab is `benchmarks.lab`'s: 50 nginx sites behind the delay proxy (one round trip added
to every connection, half a round trip to every chunk). On top of it:

- a DNS server on loopback that answers every question one RTT late (answers are scheduled,
  not slept on: 64 lookups at once wait 50 ms, not 64 x 50 ms) and counts the questions;
- the fake crt.sh (tests/support/crtsh_fake.py) listing 500 names under bench.test: the 50
  sites, 50 names whose address refuses every connection, 400 names no longer in DNS.

Two `auditor run`s are timed, each `--repeat` times (median): the 50 sites as configured,
and the same config with `[discovery]`. The difference is what discovery costs; every name
must be asked of DNS exactly once per type and run.

    .venv/bin/python -m benchmarks.discovery [--rtt-ms 50] [--repeat 5]
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from benchmarks import lab as bench_lab
from benchmarks import tools
from benchmarks.run import compile_bytecode
from tests.support.crtsh_fake import FakeCrtSh, entry
from tests.support.nginx import free_port

DNS_ADDRESS = "127.0.54.53"
CRTSH_ADDRESS = "127.0.54.40"
REFUSING_NET = "127.0.55"  # addresses where nothing listens: every connection refused
DOMAIN = "bench.test"
LIVE, REFUSING, GONE = 50, 50, 400
RESULTS = Path(__file__).parent / "results"


class DelayedDns:
    """Answers A/AAAA from a table, each answer sent `rtt` after its question arrived."""

    def __init__(self, address: str, records: dict[str, str], rtt: float) -> None:
        self.records = records
        self.rtt = rtt
        self.questions: Counter[tuple[str, str]] = Counter()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, 0))
        self.address, self.port = address, int(self.sock.getsockname()[1])
        self._due: list[tuple[float, int, bytes, tuple[str, int]]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._closed = False
        threading.Thread(target=self._receive, daemon=True).start()
        threading.Thread(target=self._send, daemon=True).start()

    def _answer(self, data: bytes) -> bytes:
        query = dns.message.from_wire(data)
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.questions[(name, rdtype)] += 1
        response = dns.message.make_response(query)
        if name not in self.records:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif rdtype == "A":
            response.answer.append(
                dns.rrset.from_text_list(question.name, 60, "IN", "A", [self.records[name]])
            )
        return bytes(response.to_wire())

    def _receive(self) -> None:
        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            reply = self._answer(data)
            with self._wake:
                heapq.heappush(
                    self._due, (time.monotonic() + self.rtt, next(self._order), reply, peer)
                )
                self._wake.notify()

    def _send(self) -> None:
        with self._wake:
            while not self._closed:
                if not self._due:
                    self._wake.wait()
                    continue
                due, _, reply, peer = self._due[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._due)
                self.sock.sendto(reply, peer)

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        self.sock.close()


@dataclass
class Result:
    rtt_ms: int
    names: int
    live: int
    baseline_runs: list[float]
    discovery_runs: list[float]
    discover_runs: list[float]  # `auditor discover` alone: the discovery family, nothing else
    baseline: float
    discovery: float
    added: float
    discover_alone: float
    # The distinct numbers of A questions per name in the last run, and of AAAA questions
    # per name that has an address (an NXDOMAIN answer to A ends the name's lookup): [1].
    a_questions: list[int]
    aaaa_questions: list[int]
    discovered_sites: int
    measured_at: str


def _names(lab: bench_lab.BenchLab) -> dict[str, str | None]:
    """name -> its address (None: not in DNS). The live ones are the lab's sites."""
    names: dict[str, str | None] = {site.host: site.address for site in lab.sites[:LIVE]}
    for n in range(REFUSING):
        names[f"closed{n}.{DOMAIN}"] = f"{REFUSING_NET}.{n + 1}"
    for n in range(GONE):
        names[f"gone{n}.{DOMAIN}"] = None
    return names


def _ct_rows(names: list[str]) -> list[dict[str, object]]:
    logged = datetime.now(UTC).replace(tzinfo=None)
    # Two names to a certificate, as many certificates carry (www and the apex).
    return [entry(100_000 + i, names[i : i + 2], logged) for i in range(0, len(names), 2)]


def _discovery(lab: bench_lab.BenchLab, dns: DelayedDns, crtsh: FakeCrtSh) -> str:
    https_port = lab.sites[0].https_port
    http_port = lab.sites[0].http_port
    return (
        f'[dns]\nnameservers = ["{dns.address}"]\nport = {dns.port}\n'
        f'[discovery]\ndomains = ["{DOMAIN}"]\ncrtsh_url = "{crtsh.base}"\n'
        f"dns_zones = false\nhttps_port = {https_port}\nhttp_port = {http_port}\n"
        f"ssh_port = {free_port(REFUSING_NET + '.1')}\n"
        f'[discovery.platforms]\n"{DOMAIN}" = "Benchmark"\n'
    )


def _timed(command: list[str], log: Path) -> float:
    return tools.measure(command, log).wall


def _auditor(*args: str) -> list[str]:
    return [sys.executable, "-m", "auditor", *args]


def _interleaved(
    baseline: Path, discovering: Path, work: Path, repeat: int, dns: DelayedDns
) -> tuple[list[float], list[float], list[float], Counter[tuple[str, str]]]:
    """Each round: a run without discovery, one with it, and `auditor discover` alone, one
    after the other, so that a busy machine weighs on all three alike. Also the DNS
    questions of the last run with discovery."""
    plain, with_discovery, alone = [], [], []
    asked: Counter[tuple[str, str]] = Counter()
    for attempt in range(repeat):
        plain.append(tools.run_auditor(baseline, work / f"baseline-{attempt}").wall)
        dns.questions.clear()
        with_discovery.append(tools.run_auditor(discovering, work / f"discovery-{attempt}").wall)
        asked = Counter(dns.questions)
        command = _auditor("discover", "--config", str(discovering), "--format", "json")
        alone.append(_timed(command, work / f"discover-{attempt}.log"))
    return plain, with_discovery, alone, asked


def run(rtt_ms: int, repeat: int, folder: Path) -> Result:
    rtt = rtt_ms / 1000
    with ExitStack() as stack:
        lab = bench_lab.start(folder / "lab", LIVE, 0, rtt, stack)
        names = _names(lab)
        dns = DelayedDns(DNS_ADDRESS, {n: a for n, a in names.items() if a is not None}, rtt)
        stack.callback(dns.close)
        crtsh = FakeCrtSh(CRTSH_ADDRESS, {DOMAIN: _ct_rows(list(names))})
        stack.callback(crtsh.close)
        base = lab.config(lab.sites, ssh=False)
        baseline = folder / "baseline.toml"
        baseline.write_text(base)
        discovering = folder / "discovery.toml"
        discovering.write_text(base + _discovery(lab, dns, crtsh))
        base_walls, disc_walls, alone, asked = _interleaved(
            baseline, discovering, folder, repeat, dns
        )
        report = json.loads((folder / f"discovery-{repeat - 1}" / "report.json").read_text())
    a_asked = sorted({asked[(n, "A")] for n in names})
    aaaa_asked = sorted({asked[(n, "AAAA")] for n, a in names.items() if a})
    found = report["inventory"]["discovered"]
    return Result(
        rtt_ms=rtt_ms,
        names=len(found),
        live=sum(1 for d in found if d["kind"] == "site"),
        baseline_runs=base_walls,
        discovery_runs=disc_walls,
        baseline=statistics.median(base_walls),
        discovery=statistics.median(disc_walls),
        added=statistics.median(disc_walls) - statistics.median(base_walls),
        discover_runs=alone,
        discover_alone=statistics.median(alone),
        a_questions=a_asked,
        aaaa_questions=aaaa_asked,
        discovered_sites=sum(1 for d in found if d["kind"] == "site" and not d["configured"]),
        measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--rtt-ms", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    compile_bytecode(Path(__file__).parent.parent)
    with tempfile.TemporaryDirectory(prefix="auditor-discovery-bench-") as work:
        result = run(args.rtt_ms, args.repeat, Path(work))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"discovery-{stamp}.json").write_text(json.dumps(asdict(result), indent=2) + "\n")
    print(json.dumps(asdict(result), indent=2))
    once = result.a_questions == [1] and result.aaaa_questions == [1]
    met = result.added <= 3.0 and once
    print(f"discovery added {result.added:.2f} s (at most 3 s); each name asked once: {once}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
