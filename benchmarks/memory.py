"""Memory across successive audits in one long-running process: auditor, then sslyze.

`python -m benchmarks.memory [--sites 10] [--rounds 10]` audits the same N sites R times
in this process and prints the resident memory after each round (after a garbage
collection), first with auditor's runner, then with sslyze's Scanner used the default way
(every scan command). Growth = last round minus first round.

Run it twice to tell a leak from the allocator: once as is, once with MALLOC_ARENA_MAX=2
(glibc keeps one heap per thread by default, and every audit starts new threads). With
`--python-heap` it also traces Python's own allocations (tracemalloc): objects a round
leaves behind show there, whatever the allocator does with the pages.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import tracemalloc
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sslyze.scanner.models import ServerScanRequest
from sslyze.scanner.scanner import Scanner
from sslyze.server_setting import ServerNetworkLocation

from auditor.core.config import parse_config
from auditor.core.family import AuditContext
from auditor.core.runner import run_audit
from benchmarks import lab as bench_lab
from checks import families


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# The lab's delay proxy runs in this process (an asyncio loop in a thread) to count the
# connections: what it holds (connections still closing, the selector's tables) is the
# harness's, not the audited tool's. Neither tool uses asyncio.
_HARNESS = (
    tracemalloc.Filter(False, "*/asyncio/*", all_frames=True),
    tracemalloc.Filter(False, "*/benchmarks/delay_proxy.py", all_frames=True),
)
TRACE_FRAMES = 30  # deep enough that every allocation made under the proxy's loop shows it


def python_heap_mb() -> float:
    """Bytes the audited tool's Python objects hold now (0 unless tracemalloc traces)."""
    if not tracemalloc.is_tracing():
        return 0.0
    snapshot = tracemalloc.take_snapshot().filter_traces(_HARNESS)
    return sum(trace.size for trace in snapshot.traces) / 1024 / 1024


def auditor_rounds(lab: bench_lab.BenchLab, rounds: int, heap: list[float]) -> list[float]:
    config = parse_config(lab.config(ssh=False), "<benchmark>", lab.folder)
    sizes = []
    for _ in range(rounds):
        report = run_audit(families("tls", "https"), AuditContext(config=config))
        assert report.findings
        del report
        gc.collect()
        sizes.append(rss_mb())
        heap.append(python_heap_mb())
    return sizes


def sslyze_rounds(lab: bench_lab.BenchLab, rounds: int, heap: list[float]) -> list[float]:
    sizes = []
    for _ in range(rounds):
        scanner = Scanner()
        scanner.queue_scans(
            [
                ServerScanRequest(
                    server_location=ServerNetworkLocation(s.host, s.https_port, s.address)
                )
                for s in lab.sites
            ]
        )
        results = list(scanner.get_results())
        assert results
        del results, scanner
        gc.collect()
        sizes.append(rss_mb())
        heap.append(python_heap_mb())
    return sizes


@dataclass(frozen=True)
class Growth:
    """Memory from the first audit to the last, in MB: the benchmark's growth target."""

    rounds: int
    auditor_heap: float  # Python objects alive after the audit (tracemalloc)
    auditor_rss: float  # resident size, glibc's default arenas
    auditor_rss_capped: float  # resident size, MALLOC_ARENA_MAX=2
    sslyze_heap: float
    sslyze_rss: float
    sslyze_rss_capped: float

    def target_row(self) -> tuple[str, str, bool]:
        """Met when the auditor keeps no Python objects; the resident sizes stand beside it."""
        measured = (
            f"Python objects: auditor {self.auditor_heap:+.2f} MB, sslyze "
            f"{self.sslyze_heap:+.2f} MB; resident: auditor {self.auditor_rss:+.1f} MB "
            f"({self.auditor_rss_capped:+.1f} MB with MALLOC_ARENA_MAX=2), sslyze "
            f"{self.sslyze_rss:+.1f} MB ({self.sslyze_rss_capped:+.1f} MB)"
        )
        name = f"No growth across {self.rounds} successive audits in one process"
        return name, measured, self.auditor_heap < 0.1


WINDOW = 3  # rounds at each end that growth compares
GROWTH_RULE = f"lowest of the last {WINDOW} rounds minus lowest of the first {WINDOW}"


def growth(series: list[float]) -> float:
    """The lowest of the last rounds minus the lowest of the first ones.

    An object still alive at one measurement (a connection still closing) is not
    growth; a leak is in every later round, so the lowest value shows it
    and one round's transient does not.
    """
    window = max(1, min(WINDOW, len(series) // 2))
    return min(series[-window:]) - min(series[:window])


def measure_growth(rounds: int, sites: int, folder: Path) -> Growth:
    """This script three times, each in its own process: as is, arenas capped, heap traced.

    Apart: tracemalloc's own tables would count in the resident size, and the allocator's
    setting is read once, when the process starts.
    """
    found: dict[str, dict[str, Any]] = {}
    for label, env, extra in (
        ("default", {}, []),
        ("capped", {"MALLOC_ARENA_MAX": "2"}, []),
        ("heap", {}, ["--python-heap"]),
    ):
        out = folder / f"memory-{label}"
        command = [sys.executable, "-m", "benchmarks.memory", "--rounds", str(rounds)]
        command += ["--sites", str(sites), "--out", str(out), *extra]
        subprocess.run(command, env=os.environ | env, check=True, capture_output=True)
        found[label] = json.loads(next(out.glob("memory-*.json")).read_text())
    return Growth(
        rounds=rounds,
        auditor_heap=growth(found["heap"]["auditor_python_heap_mb"]),
        auditor_rss=growth(found["default"]["auditor_mb"]),
        auditor_rss_capped=growth(found["capped"]["auditor_mb"]),
        sslyze_heap=growth(found["heap"]["sslyze_python_heap_mb"]),
        sslyze_rss=growth(found["default"]["sslyze_mb"]),
        sslyze_rss_capped=growth(found["capped"]["sslyze_mb"]),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--python-heap", action="store_true", help="trace Python's allocations")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="auditor-mem-") as tmp, ExitStack() as stack:
        lab = bench_lab.start(Path(tmp), args.sites, 0, 0.0, stack)
        if args.python_heap:
            tracemalloc.start(TRACE_FRAMES)
        start = rss_mb()
        our_heap: list[float] = []
        their_heap: list[float] = []
        ours = auditor_rounds(lab, args.rounds, our_heap)
        theirs = sslyze_rounds(lab, args.rounds, their_heap)
    arenas = os.environ.get("MALLOC_ARENA_MAX", "default")
    result = {
        "sites": args.sites,
        "rounds": args.rounds,
        "malloc_arena_max": arenas,
        "start_mb": start,
        "auditor_mb": ours,
        "sslyze_mb": theirs,
    }
    if args.python_heap:
        result |= {"auditor_python_heap_mb": our_heap, "sslyze_python_heap_mb": their_heap}
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"memory-arenas-{arenas}{'-heap' if args.python_heap else ''}.json"
    (args.out / name).write_text(json.dumps(result, indent=2))
    print(f"RSS before: {start:.0f} MB ({args.sites} sites, {args.rounds} rounds each)")
    print(
        "auditor: "
        + ", ".join(f"{m:.0f}" for m in ours)
        + f" MB; growth {growth(ours):+.1f} MB ({GROWTH_RULE})"
    )
    print(
        "sslyze:  "
        + ", ".join(f"{m:.0f}" for m in theirs)
        + f" MB; growth {growth(theirs):+.1f} MB ({GROWTH_RULE})"
    )
    if args.python_heap:
        for tool, heap in (("auditor", our_heap), ("sslyze", their_heap)):
            print(
                f"{tool} Python heap: "
                + ", ".join(f"{m:.1f}" for m in heap)
                + f" MB; growth {growth(heap):+.2f} MB ({GROWTH_RULE})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
