"""Run each tool as its own process and read its verdicts on protocols and weak ciphers.

Every run is a child process: its wall time, from the spawn to waitpid's return, and the
peak resident memory of its largest process. Verdicts are normalised to (accepted TLS
versions, weak suites accepted?) per site, from auditor's report.json, sslyze's --json_out
and testssl.sh's --jsonfile.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.lab import SiteUnderTest

WEAK_SUITE = re.compile(r"NULL|anon|EXPORT|RC4|_DES_|3DES|DES_CBC3|DES-CBC3")
VERSIONS = ("SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3")


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds
    peak_rss_mb: float
    returncode: int


@dataclass(frozen=True)
class Verdict:
    versions: tuple[str, ...]
    weak: bool


def _tree(pid: int) -> list[int]:
    """The process and its descendants, as far as /proc shows them right now."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        queue += [int(child) for child in children]
    return found


def _high_water_mb(pid: int) -> float:
    """VmHWM: the peak resident memory of this process image since its exec."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def measure(command: list[str], log: Path, timeout: float = 3600) -> Measured:
    """Wall time, and the peak RSS of the largest process of the command's tree.

    Not `ru_maxrss` from wait4: a child forked from this (large) process inherits its
    high-water mark, so every tool would look at least as big as the benchmark itself.
    VmHWM starts afresh at exec; a thread samples it every 10 ms while the command runs.
    The wall time ends when waitpid returns, not at a poll loop's next tick: a poll loop
    would add up to 10 ms to every run, which is 4% of a one-site audit.
    """
    peak: dict[int, float] = {}
    finished = threading.Event()

    def sample(pid: int) -> None:
        while not finished.wait(0.01):
            for member in _tree(pid):
                peak[member] = max(peak.get(member, 0.0), _high_water_mb(member))

    with log.open("wb") as out:
        start = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        sampler = threading.Thread(target=sample, args=(process.pid,), daemon=True)
        sampler.start()
        # No timeout here: Popen.wait with one polls in sleeps; without, it blocks in waitpid.
        process.wait()
        wall = time.monotonic() - start
        killer.cancel()
        finished.set()
        sampler.join()
    return Measured(wall, max(peak.values(), default=0.0), process.returncode)


def run_auditor(config: Path, out: Path) -> Measured:
    command = [
        sys.executable,
        "-m",
        "auditor",
        "run",
        "--config",
        str(config),
        "--out",
        str(out),
        "--quiet",
    ]
    return measure(command, out.with_suffix(".log"))


def auditor_verdicts(report_path: Path) -> dict[str, Verdict]:
    report = json.loads(report_path.read_text())
    ciphers = {
        f["target"].split(":")[0]: f["status"]
        for f in report["findings"]
        if f["check"] == "tls.ciphers"
    }
    # "Weak" is a failing tls.ciphers: NULL, EXPORT, anonymous, RC4, DES, 3DES, the suites
    # WEAK_SUITE names in sslyze's list. A warning (a suite outside Mozilla intermediate,
    # checks/tls/policy.py) is not weak: sslyze and testssl.sh are asked the same question.
    return {
        c["site"]: Verdict(tuple(c["tls_versions"]), ciphers.get(c["site"]) == "fail")
        for c in report["inventory"]["certificates"]
    }


def run_sslyze(sites: list[SiteUnderTest], json_out: Path) -> Measured:
    targets = [f"{s.host}:{s.https_port}{{{s.address}}}" for s in sites]
    command = [sys.executable, "-m", "sslyze", "--quiet", "--json_out", str(json_out), *targets]
    return measure(command, json_out.with_suffix(".log"))


SSLYZE_VERSIONS = {
    "ssl_2_0_cipher_suites": "SSL 2.0",
    "ssl_3_0_cipher_suites": "SSL 3.0",
    "tls_1_0_cipher_suites": "TLS 1.0",
    "tls_1_1_cipher_suites": "TLS 1.1",
    "tls_1_2_cipher_suites": "TLS 1.2",
    "tls_1_3_cipher_suites": "TLS 1.3",
}


def sslyze_verdicts(json_out: Path) -> dict[str, Verdict]:
    data = json.loads(json_out.read_text())
    verdicts = {}
    for server in data.get("server_scan_results", []):
        host = server["server_location"]["hostname"]
        result = server.get("scan_result") or {}
        versions, weak = [], False
        for key, name in SSLYZE_VERSIONS.items():
            accepted = ((result.get(key) or {}).get("result") or {}).get("accepted_cipher_suites")
            if accepted:
                versions.append(name)
                weak |= any(WEAK_SUITE.search(s["cipher_suite"]["name"]) for s in accepted)
        verdicts[host] = Verdict(tuple(versions), weak)
    return verdicts


def testssl_binary() -> str | None:
    return shutil.which("testssl") or shutil.which("testssl.sh")


def run_testssl(site: SiteUnderTest, json_out: Path) -> Measured:
    binary = testssl_binary() or "testssl"
    json_out.unlink(missing_ok=True)
    command = [
        binary,
        "--quiet",
        "--warnings",
        "off",
        "--color",
        "0",
        "--nodns",
        "none",
        "--ip",
        site.address,
        "--jsonfile",
        str(json_out),
        f"https://{site.host}:{site.https_port}",
    ]
    return measure(command, json_out.with_suffix(".log"))


TESTSSL_VERSIONS = {
    "SSLv2": "SSL 2.0", "SSLv3": "SSL 3.0", "TLS1": "TLS 1.0",
    "TLS1_1": "TLS 1.1", "TLS1_2": "TLS 1.2", "TLS1_3": "TLS 1.3",
}  # fmt: skip
TESTSSL_WEAK = (
    "cipherlist_NULL",
    "cipherlist_aNULL",
    "cipherlist_EXPORT",
    "cipherlist_LOW",
    "cipherlist_3DES_IDEA",
)


def _offered(finding: str) -> bool:
    text = finding.lower()
    return "offered" in text and "not offered" not in text


def testssl_verdict(json_out: Path) -> Verdict | None:
    if not json_out.exists():
        return None
    entries: list[dict[str, Any]] = json.loads(json_out.read_text() or "[]")
    by_id = {e.get("id"): str(e.get("finding", "")) for e in entries}
    versions = tuple(name for key, name in TESTSSL_VERSIONS.items() if _offered(by_id.get(key, "")))
    weak = any(_offered(by_id.get(key, "")) for key in TESTSSL_WEAK)
    return Verdict(versions, weak)
