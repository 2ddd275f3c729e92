"""One command for the whole comparison: `python -m benchmarks.run`.

For each size N (and with and without added round-trip time) it stands up N nginx sites
and M SSH servers behind the delay proxy, then runs `auditor run`, sslyze's default CLI
scan, and testssl.sh (on a few sites: it takes minutes per site), counting connections per
site at the proxy. Results go to benchmarks/results/ (raw JSON and a Markdown table) and,
with --update-readme, into benchmarks/README.md between its result markers.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from auditor import __version__
from benchmarks import lab as bench_lab
from benchmarks import memory, tools
from benchmarks.lab import BenchLab, SiteUnderTest
from benchmarks.memory import Growth, measure_growth
from benchmarks.tools import Measured

HERE = Path(__file__).resolve().parent
CASES = ("legacy", "weakciphers", "good")
WHOLE = "auditor"  # `auditor run` on the sites and the SSH servers: the weekly job
SITES_ONLY = "auditor, sites only"  # the same sites and nothing else: sslyze's job
START, END = "<!-- results:start -->", "<!-- results:end -->"


@dataclass
class ToolRun:
    tool: str
    sites: int
    rtt_ms: int
    walls: list[float]
    peak_rss_mb: float
    connections_per_site: list[int]  # to each site (HTTPS and HTTP together)
    peak_concurrent_per_site: int
    verdicts: dict[str, Any] = field(default_factory=dict)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)


def _counts(lab: BenchLab, sites: list[SiteUnderTest]) -> tuple[list[int], int]:
    snap = lab.proxy.snapshot()
    per_site, peak = [], 0
    for site in sites:
        https, http = snap.get(site.upstream), snap.get(site.upstream_http)
        per_site.append((https.total if https else 0) + (http.total if http else 0))
        peak = max(peak, https.peak if https else 0, http.peak if http else 0)
    return per_site, peak


def _timed(
    lab: BenchLab, sites: list[SiteUnderTest], repeat: int, run_once: Callable[[int], Measured]
) -> tuple[list[float], float, list[int], int]:
    """`repeat` runs, each counted from a reset proxy: their wall times, the highest peak RSS,
    and the last run's connections per site and peak open at once."""
    walls, rss = [], 0.0
    for attempt in range(repeat):
        lab.proxy.reset()
        measured = run_once(attempt)
        walls.append(measured.wall)
        rss = max(rss, measured.peak_rss_mb)
    counts, peak = _counts(lab, sites)
    return walls, rss, counts, peak


def bench_auditor(
    lab: BenchLab,
    sites: list[SiteUnderTest],
    work: Path,
    repeat: int,
    rtt_ms: int,
    ssh: bool = True,
) -> ToolRun:
    scope = "whole" if ssh else "sites"
    name = f"auditor-{scope}-{len(sites)}-{rtt_ms}"
    config = work / f"{name}.toml"
    config.write_text(lab.config(sites, ssh=ssh))
    walls, rss, counts, peak = _timed(
        lab, sites, repeat, lambda attempt: tools.run_auditor(config, work / f"{name}-{attempt}")
    )
    report = work / f"{name}-{repeat - 1}" / "report.json"
    verdicts = {k: asdict(v) for k, v in tools.auditor_verdicts(report).items()}
    tool = WHOLE if ssh else SITES_ONLY
    return ToolRun(tool, len(sites), rtt_ms, walls, rss, counts, peak, verdicts)


def bench_sslyze(
    lab: BenchLab, sites: list[SiteUnderTest], work: Path, repeat: int, rtt_ms: int
) -> ToolRun:
    name = f"sslyze-{len(sites)}-{rtt_ms}"
    walls, rss, counts, peak = _timed(
        lab, sites, repeat, lambda attempt: tools.run_sslyze(sites, work / f"{name}-{attempt}.json")
    )
    report = work / f"{name}-{repeat - 1}.json"
    verdicts = {k: asdict(v) for k, v in tools.sslyze_verdicts(report).items()}
    return ToolRun("sslyze", len(sites), rtt_ms, walls, rss, counts, peak, verdicts)


def bench_testssl(lab: BenchLab, sites: list[SiteUnderTest], work: Path, rtt_ms: int) -> ToolRun:
    walls, rss, verdicts = [], 0.0, {}
    lab.proxy.reset()
    for site in sites:  # testssl.sh scans one host per process
        out = work / f"testssl-{site.host}-{rtt_ms}.json"
        measured = tools.run_testssl(site, out)
        walls.append(measured.wall)
        rss = max(rss, measured.peak_rss_mb)
        verdict = tools.testssl_verdict(out)
        if verdict is not None:
            verdicts[site.host] = asdict(verdict)
    counts, peak = _counts(lab, sites)
    return ToolRun("testssl.sh", len(sites), rtt_ms, [sum(walls)], rss, counts, peak, verdicts)


def comparison_sites(sites: list[SiteUnderTest], limit: int) -> list[SiteUnderTest]:
    """One site of each case (legacy protocols, weak suites, healthy), then more if asked."""
    firsts = [next((s for s in sites if s.case == case), None) for case in CASES]
    picked = [s for s in firsts if s is not None]
    picked += [s for s in sites if s not in picked]
    return picked[:limit]


def agreement(a: ToolRun, b: ToolRun) -> str:
    common = sorted(set(a.verdicts) & set(b.verdicts))
    if not common:
        return "n/a"
    same = sum(1 for host in common if a.verdicts[host] == b.verdicts[host])
    diff = [h for h in common if a.verdicts[h] != b.verdicts[h]]
    note = f" (differ: {', '.join(diff[:3])})" if diff else ""
    return f"{same}/{len(common)}{note}"


def _testssl_version(banner: str) -> str:
    found = re.search(r"\b(\d+\.\d+(?:\.\d+)?)\b", re.sub(r"\x1b\[[0-9;]*m", "", banner))
    return found.group(1) if found else "unknown"


def compile_bytecode(folder: Path) -> None:
    """Compile the auditor's modules, as `pip install .` does when it installs them.

    Run from a checkout (an editable install), and with PYTHONDONTWRITEBYTECODE set as in
    many containers, every run would compile the auditor's source again, which an
    installed auditor never does; sslyze's modules, installed by pip, are compiled.
    """
    for package in ("auditor", "checks", "reports"):
        compileall.compile_dir(folder / package, quiet=1)


# The libraries a sites-only run cannot do without, none of the auditor's own modules: what
# any one-process tool built on this stack pays before it probes anything.
STACK_IMPORTS = (
    "click",
    "cryptography.x509",
    "nassl.ssl_client",
    "nassl.legacy_ssl_client",
    "jinja2",
    "ssl",
    "http.client",
    "tomllib",
    "sqlite3",
)


def median_wall(command: list[str], folder: Path, times: int = 5) -> float:
    walls = []
    for _ in range(times):
        started = time.monotonic()
        subprocess.run(command, capture_output=True, check=True, cwd=folder)
        walls.append(time.monotonic() - started)
    return statistics.median(walls)


def startup_seconds(folder: Path) -> float:
    """What `auditor run` pays before it probes anything: the interpreter and the imports."""
    return median_wall([sys.executable, "-m", "auditor", "run", "--help"], folder)


def floor_seconds(folder: Path) -> float:
    """The interpreter importing the stack's libraries and nothing else."""
    return median_wall([sys.executable, "-c", "import " + ", ".join(STACK_IMPORTS)], folder)


def floor_note(runs: list[ToolRun], startup: float, floor: float) -> str:
    """What the start-up costs, and what that leaves of sslyze's one-site time."""
    note = (
        f"Start-up alone (`python -m auditor run --help`: the interpreter and the imports a "
        f"run makes before its first probe, median of 5): {startup:.2f} s; every auditor row "
        "includes it, as every sslyze row includes sslyze's own. The auditor's modules were "
        "compiled to bytecode first, as `pip install .` does. The interpreter importing only "
        f"the stack's libraries ({', '.join(f'`{m}`' for m in STACK_IMPORTS)}), no code of "
        f"the auditor's, takes {floor:.2f} s."
    )
    sslyze = next((r for r in runs if r.tool == "sslyze" and r.rtt_ms == 0 and r.sites == 1), None)
    if sslyze:
        note += (
            f" sslyze's one-site scan at 0 ms takes {sslyze.wall:.2f} s: 5x faster means a "
            f"whole run in {sslyze.wall / 5:.2f} s, and those imports alone are "
            f"{floor / (sslyze.wall / 5):.0%} of that."
        )
    return note


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass

    def version(command: list[str], whole: bool = False) -> str:
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        except OSError:
            return "not installed"
        text = (out.stdout or out.stderr).strip()
        return text if whole else (text.splitlines() or ["unknown"])[0]

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu} ({os.cpu_count()} cores)",
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "auditor": __version__,
        "sslyze": metadata.version("sslyze"),
        "testssl.sh": _testssl_version(
            version([tools.testssl_binary() or "testssl", "--version"], whole=True)
        ),
        "nginx": version(["nginx", "-v"]).replace("nginx version: ", ""),
        "openssl": version(["openssl", "version"]),
    }


def _ours(runs: list[ToolRun], tool: str) -> dict[tuple[int, int], ToolRun]:
    return {(r.sites, r.rtt_ms): r for r in runs if r.tool == tool}


def _ratios(runs: list[ToolRun], tool: str, rtt_ms: int) -> list[tuple[int, float]]:
    """Their wall time over the auditor's on the same sites, doing the same job (sites only)."""
    ours = _ours(runs, SITES_ONLY)
    return [
        (r.sites, r.wall / ours[(r.sites, r.rtt_ms)].wall)
        for r in runs
        if r.tool == tool and r.rtt_ms == rtt_ms and (r.sites, r.rtt_ms) in ours
    ]


def _retired(tool: str, sites: int, rtt_ms: int) -> bool:
    """The one-site scan at 0 ms against sslyze is no target any more (2026-12-04): it
    measures Python's start-up, not the audit. Its ratio is still shown."""
    return tool == "sslyze" and sites == 1 and rtt_ms == 0


def targets(runs: list[ToolRun], growth: Growth | None = None) -> list[str]:
    """The issue's targets, each beside what this run measured."""
    ours = [r for r in runs if r.tool in (WHOLE, SITES_ONLY)]
    whole = [r for r in runs if r.tool == WHOLE]
    rows: list[tuple[str, str, bool]] = []
    if ours:
        most = max(max(r.connections_per_site or [0]) for r in ours)
        rows.append(
            ("TCP connections per site, every tls.* and https.* verdict", f"{most}", most <= 30)
        )
        peak = max(r.peak_concurrent_per_site for r in ours)
        rows.append(("Connections open at once per server", f"{peak}", peak <= 5))
    for sites, limit in ((1, 2.0), (50, 6.0)):
        run = next((r for r in whole if r.sites == sites and r.rtt_ms == 50), None)
        if run:
            rows.append(
                (
                    f"{sites} site(s) and the SSH servers at 50 ms RTT, at most {limit:g} s",
                    f"{run.wall:.2f} s",
                    run.wall <= limit,
                )
            )
    big = [r for r in whole if r.sites >= 50]
    if big:
        rss = max(r.peak_rss_mb for r in big)
        rows.append(("Peak memory for 50 sites, at most 250 MB", f"{rss:.0f} MB", rss <= 250))
    if growth:
        rows.append(growth.target_row())
    rtts = sorted({r.rtt_ms for r in runs})
    for tool, factor in (("sslyze", 5), ("testssl.sh", 30)):
        for rtt_ms in rtts:
            ratios = _ratios(runs, tool, rtt_ms)
            judged = [(n, ratio) for n, ratio in ratios if not _retired(tool, n, rtt_ms)]
            if judged:
                worst = min(ratio for _, ratio in judged)
                retired = {n for n, _ in ratios if _retired(tool, n, rtt_ms)}
                shown = ", ".join(
                    f"{n} site(s) {ratio:.1f}x" + (" (retired)" if n in retired else "")
                    for n, ratio in ratios
                )
                rows.append(
                    (
                        f"At least {factor}x faster than {tool}, {rtt_ms} ms RTT",
                        shown,
                        worst >= factor,
                    )
                )
    others = [r for r in runs if r.tool not in (WHOLE, SITES_ONLY)]
    mine = _ours(runs, SITES_ONLY) | {
        key: run for key, run in _ours(runs, WHOLE).items() if key not in _ours(runs, SITES_ONLY)
    }
    differ = [
        f"{r.tool} {r.sites}@{r.rtt_ms}"
        for r in others
        if (r.sites, r.rtt_ms) in mine and agreement(mine[(r.sites, r.rtt_ms)], r).count("differ")
    ]
    if others:
        rows.append(
            ("Same protocol and weak-suite verdicts", ", ".join(differ) or "all agree", not differ)
        )
    lines = ["| Target | Measured | Met |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'yes' if met else '**no**'} |" for name, value, met in rows]
    return lines


def markdown(
    runs: list[ToolRun], info: dict[str, str], notes: list[str], growth: Growth | None = None
) -> str:
    lines = [
        f"Measured {info['date']} on {info['cpu']}, {info['memory']}, {info['os']}; "
        f"Python {info['python']}, auditor {info['auditor']}, sslyze {info['sslyze']}, "
        f"testssl.sh {info['testssl.sh']}, {info['nginx']}, {info['openssl']}.",
        "",
        *targets(runs, growth),
        "",
    ]
    lines += [
        "| Tool | Sites | Added RTT | Wall time (median) | Peak RSS | Connections per site "
        "(max) | Peak concurrent per site | Verdicts agree with auditor |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    same_job = _ours(runs, SITES_ONLY)
    for run in runs:
        mine = same_job.get((run.sites, run.rtt_ms))
        ours = run.tool in (WHOLE, SITES_ONLY)
        agree = "-" if ours or mine is None else agreement(mine, run)
        lines.append(
            f"| {run.tool} | {run.sites} | {run.rtt_ms} ms | {run.wall:.2f} s | "
            f"{run.peak_rss_mb:.0f} MB | {max(run.connections_per_site or [0])} | "
            f"{run.peak_concurrent_per_site} | {agree} |"
        )
    lines += ["", "Ratios (same sites, same added RTT; the auditor on the sites only):", ""]
    whole = _ours(runs, WHOLE)
    for run in runs:
        mine = same_job.get((run.sites, run.rtt_ms))
        if run.tool in (WHOLE, SITES_ONLY) or mine is None:
            continue
        theirs = max(run.connections_per_site or [0])
        fewest = max(*mine.connections_per_site, 1)
        everything = whole.get((run.sites, run.rtt_ms))
        also = (
            f" ({run.wall / everything.wall:.1f}x the auditor's whole run, SSH servers included)"
            if everything
            else ""
        )
        lines.append(
            f"- {run.tool} / auditor on {run.sites} site(s) at {run.rtt_ms} ms: "
            f"{run.wall / mine.wall:.1f}x the wall time{also}, {theirs / fewest:.0f}x the "
            "connections per site"
        )
    lines += ["", *notes]
    return "\n".join(lines) + "\n"


def _update_readme(readme: Path, table: str) -> None:
    """Replace what lies between the results markers, and nothing else."""
    before, _, rest = readme.read_text().partition(START)
    _, _, after = rest.partition(END)
    readme.write_text(f"{before}{START}\n{table}{END}{after}")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", default="1,10,50", help="sizes N, comma-separated")
    parser.add_argument("--ssh", type=int, default=3, help="SSH servers M")
    parser.add_argument("--rtt-ms", default="0,50", help="added round-trip times, comma-separated")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the auditor and of sslyze per size (median)"
    )
    parser.add_argument(
        "--testssl-sites", type=int, default=3, help="sites testssl.sh scans per RTT (minutes each)"
    )
    parser.add_argument("--no-compare", action="store_true", help="auditor only")
    parser.add_argument(
        "--memory-rounds",
        type=int,
        default=10,
        help="successive audits in one process, for the growth target (0: skip)",
    )
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    sizes = [int(n) for n in args.sites.split(",")]
    rtts = [int(r) for r in args.rtt_ms.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    compile_bytecode(HERE.parent)
    runs: list[ToolRun] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="auditor-bench-") as tmp:
        work = Path(tmp)
        for rtt_ms in rtts:
            with ExitStack() as stack:
                lab = bench_lab.start(
                    work / f"lab-{rtt_ms}", max(sizes), args.ssh, rtt_ms / 1000, stack
                )
                for size in sizes:
                    sites = lab.sites[:size]
                    print(f"auditor: {size} sites, {rtt_ms} ms", file=sys.stderr)
                    runs.append(bench_auditor(lab, sites, work, args.repeat, rtt_ms))
                    runs.append(bench_auditor(lab, sites, work, args.repeat, rtt_ms, ssh=False))
                    if args.no_compare:
                        continue
                    print(f"sslyze: {size} sites, {rtt_ms} ms", file=sys.stderr)
                    runs.append(bench_sslyze(lab, sites, work, args.repeat, rtt_ms))
                if not args.no_compare and tools.testssl_binary() and args.testssl_sites > 0:
                    subset = comparison_sites(lab.sites, args.testssl_sites)
                    print(
                        f"testssl.sh and auditor: {len(subset)} sites, {rtt_ms} ms", file=sys.stderr
                    )
                    runs.append(bench_auditor(lab, subset, work, args.repeat, rtt_ms, ssh=False))
                    runs.append(bench_sslyze(lab, subset, work, args.repeat, rtt_ms))
                    runs.append(bench_testssl(lab, subset, work, rtt_ms))
                    notes.append(
                        f"testssl.sh ran on {len(subset)} sites at {rtt_ms} ms "
                        f"({', '.join(s.case for s in subset)}), one process per site, "
                        "one after the other as it is meant to be run; the auditor and sslyze "
                        "rows with the same site count were measured on exactly those sites."
                    )
        growth = None
        if args.memory_rounds > 0 and not args.no_compare:
            # After the timed runs, each in its own process with its own lab of 10 sites.
            print(f"memory: {args.memory_rounds} audits in one process", file=sys.stderr)
            growth = measure_growth(args.memory_rounds, 10, work)
            notes.append(
                f"Growth: `benchmarks.memory` in three processes (as is, with "
                f"MALLOC_ARENA_MAX=2, and with Python's allocations traced), "
                f"{args.memory_rounds} audits of 10 sites and then {args.memory_rounds} sslyze "
                "scans of them in each; growth is the "
                f"{memory.GROWTH_RULE} (a leak stays in every later round, one round's "
                "transient objects do not), Python objects counted without the lab's "
                "in-process connection-counting proxy."
            )
    notes.append(floor_note(runs, startup_seconds(HERE.parent), floor_seconds(HERE.parent)))
    info = machine()
    table = markdown(runs, info, notes, growth)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (args.out / f"{stamp}.json").write_text(
        json.dumps(
            {
                "machine": info,
                "runs": [asdict(r) | {"wall": r.wall} for r in runs],
                "growth": asdict(growth) if growth else None,
            },
            indent=2,
        )
    )
    (args.out / "latest.md").write_text(table)
    if args.update_readme:
        _update_readme(HERE / "README.md", table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
