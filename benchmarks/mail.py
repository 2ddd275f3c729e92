"""The mail family's cost: N mail domains at an added round-trip time, and how often each
DNS question is asked.

Each domain keeps every rule (Google's MX, SPF with Google's includes, a 2048-bit DKIM key,
DMARC reject, TLS-RPT, CAA, an MTA-STS policy) and is signed under a lab root that is the
trust anchor: every check does its whole work, the DNSSEC chain included. The lab's DNS
server (auditor.lab.dns_server) waits `rtt` before every answer; the MTA-STS policies are
served by nginx behind benchmarks/delay_proxy.py, which adds the same round trip to each
connection and each chunk. The family runs in this process, as `auditor mail` would
(start-up excluded), `--rounds` times; the median is reported, and the questions the DNS
server was asked more than once in any round.

    .venv/bin/python -m benchmarks.mail --update-readme
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import dns.zone

from auditor.core.config import parse_config
from auditor.core.family import AuditContext
from auditor.core.model import Status
from auditor.core.runner import run_audit
from auditor.lab.dns_server import LabDnsServer, sign, zone
from auditor.lab.pki import TestCA
from benchmarks.delay_proxy import DelayProxy
from checks import families
from tests.support.mail_lab import _dkim, _sts_server
from tests.support.nginx import Nginx, free_port

DNS_ADDRESS = "127.0.52.1"
STS_ADDRESS = "127.0.63.2"  # where tests.support.mail_lab's nginx blocks listen
PROXY_ADDRESS = "127.0.52.2"
START, END = "<!-- mail:start -->", "<!-- mail:end -->"
TARGET_SECONDS = 1.5
POLICY = "version: STSv1\nmode: enforce\nmx: smtp.google.com\nmax_age: 604800\n"


def _zones(domains: list[str], dkim: str) -> tuple[list[dns.zone.Zone], str]:
    zones = []
    delegations = []
    for name in domains:
        body = (
            "@ MX 1 smtp.google.com.\n"
            '@ TXT "v=spf1 include:_spf.google.com -all"\n' + dkim + "_dmarc TXT "
            f'"v=DMARC1; p=reject; rua=mailto:d@{name}"\n'
            f'_smtp._tls TXT "v=TLSRPTv1; rua=mailto:t@{name}"\n'
            '_mta-sts TXT "v=STSv1; id=1"\n'
            f"mta-sts A {PROXY_ADDRESS}\n"
            '@ CAA 0 issue "letsencrypt.org"\n'
        )
        signed, ds = sign(zone(name, body))
        zones.append(signed)
        owner, record = ds.split(None, 1)
        delegations.append(f"{owner} DS {record}")
    zones.append(
        zone(
            "google.com",
            '_spf TXT "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com '
            'include:_netblocks3.google.com ~all"\n'
            '_netblocks TXT "v=spf1 ip4:35.190.247.0/24 ~all"\n'
            '_netblocks2 TXT "v=spf1 ip6:2001:4860:4000::/36 ~all"\n'
            '_netblocks3 TXT "v=spf1 ip4:172.217.0.0/19 ~all"\n',
        )
    )
    root, anchor = sign(zone(".", "\n".join(delegations) + "\n"))
    return [*zones, root], anchor


def measure(count: int, rtt: float, rounds: int, folder: Path) -> dict[str, object]:
    domains = [f"bench{i}.test" for i in range(1, count + 1)]
    zones, anchor = _zones(domains, _dkim(2048))
    with ExitStack() as stack:
        ca = TestCA("Mail Bench", now=datetime.now(UTC) - timedelta(days=30))
        root_pem = ca.write_root(folder / "root-ca.pem")
        port = free_port(STS_ADDRESS)
        servers = [_sts_server(name.split(".")[0], port, folder, ca, POLICY) for name in domains]
        nginx = Nginx(folder / "nginx", servers)
        nginx.start([(STS_ADDRESS, port)])
        stack.callback(nginx.stop)
        proxy = DelayProxy(rtt)
        stack.callback(proxy.close)
        proxy.add((PROXY_ADDRESS, port), (STS_ADDRESS, port))
        server = LabDnsServer(DNS_ADDRESS, zones, delay=rtt)
        stack.callback(server.close)
        listed = ", ".join(f'"{d}"' for d in domains)
        config = parse_config(
            f"{server.config()}[mail]\ndomains = [{listed}]\nmta_sts_port = {port}\n"
            f'ca_file = "{root_pem}"\ndnssec_anchors = ["{anchor}"]\n',
            "bench",
            folder,
        )
        walls: list[float] = []
        repeated: dict[str, int] = {}
        asked = 0
        statuses: set[Status] = set()
        for _ in range(rounds):
            server.reset()
            began = time.perf_counter()
            report = run_audit(families("mail"), AuditContext(config=config))
            walls.append(time.perf_counter() - began)
            repeated |= {f"{n} {t}": c for (n, t), c in server.repeated().items()}
            asked = sum(server.questions.values()) - sum(server.truncated.values())
            statuses |= {f.status for f in report.findings}
    return {
        "domains": count,
        "rtt_ms": round(rtt * 1000),
        "rounds": rounds,
        "wall_seconds": walls,
        "median_seconds": statistics.median(walls),
        "questions": asked,
        "repeated_questions": repeated,
        "all_pass": statuses == {Status.PASS},
    }


def markdown(result: dict[str, object]) -> str:
    median = float(result["median_seconds"])  # type: ignore[arg-type]
    repeated = result["repeated_questions"]
    met = median <= TARGET_SECONDS
    return (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {sys.version.split()[0]}.\n\n"
        "| Target | Measured | Met |\n|---|---|---|\n"
        f"| {result['domains']} mail domains at {result['rtt_ms']} ms RTT, at most "
        f"{TARGET_SECONDS} s | {median:.2f} s (median of {result['rounds']}) | "
        f"{'yes' if met else 'no'} |\n"
        f"| Each DNS question asked once per run | {result['questions']} questions, "
        f"{len(repeated) if isinstance(repeated, dict) else '?'} asked twice | "
        f"{'yes' if not repeated else 'no'} |\n"
        f"| Every check judged (all pass on a healthy lab) | "
        f"{'all pass' if result['all_pass'] else 'not all pass'} | "
        f"{'yes' if result['all_pass'] else 'no'} |\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=5)
    parser.add_argument("--rtt-ms", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args(argv)
    with TemporaryDirectory(prefix="auditor-mail-bench-") as folder:
        result = measure(args.domains, args.rtt_ms / 1000, args.rounds, Path(folder))
    results = Path(__file__).parent / "results"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"mail-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    print(table)
    if args.update_readme:
        readme = Path(__file__).parent / "README.md"
        before, _, rest = readme.read_text().partition(START)
        _, _, after = rest.partition(END)
        readme.write_text(f"{before}{START}\n{table}{END}{after}")
    return 0 if "| no |" not in table else 1


if __name__ == "__main__":
    raise SystemExit(main())
