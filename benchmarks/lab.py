"""N nginx sites on 127.0.50.0/24 and M SSH servers, each reached through the delay proxy.

The sites are healthy, except every tenth from the fourth on (TLS 1.0 and 1.1 enabled) and
every tenth from the eighth on (NULL and anonymous suites accepted): the protocol and
weak-cipher verdicts of the three tools are compared on those. The proxy listens on
127.0.51.0/24, one address per site, so its counts are per site.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.lab.pki import TestCA
from auditor.lab.ssh_server import LabSshServer
from benchmarks.delay_proxy import DelayProxy
from tests.support.nginx import Nginx, free_port
from tests.support.sites_lab import LabSite, _http_block, _https_block, _leaf

SITE_NET = "127.0.50"
PROXY_NET = "127.0.51"
SSH_NET = "127.0.52"


def case_of(index: int) -> str:
    return {3: "legacy", 7: "weakciphers"}.get(index % 10, "good")


@dataclass(frozen=True)
class BenchSite(LabSite):
    name: str = ""

    @property
    def host(self) -> str:
        return self.name


@dataclass(frozen=True)
class SiteUnderTest:
    host: str
    case: str
    address: str  # where the tools connect: the proxy
    https_port: int
    http_port: int
    upstream: tuple[str, int]  # nginx's HTTPS address, the proxy's counting key
    upstream_http: tuple[str, int]


@dataclass
class BenchLab:
    folder: Path
    ca_file: Path
    sites: list[SiteUnderTest]
    ssh: list[tuple[str, int]]  # proxy addresses of the SSH servers
    proxy: DelayProxy

    def config(self, sites: list[SiteUnderTest] | None = None, ssh: bool = True) -> str:
        lines = []
        for site in sites if sites is not None else self.sites:
            lines += [
                "[[sites]]",
                f'host = "{site.host}"',
                'platform = "Benchmark"',
                f"port = {site.https_port}",
                f"http_port = {site.http_port}",
                f'addresses = ["{site.address}"]',
                f'ca_file = "{self.ca_file}"',
            ]
        if ssh:
            for index, (address, port) in enumerate(self.ssh, start=1):
                lines += [
                    "[[ssh.servers]]",
                    f'host = "ssh{index}.bench.test"',
                    f"port = {port}",
                    f'address = "{address}"',
                ]
        lines += [
            "[mail]",  # the sites' bench.test has no mail: benchmarks/mail.py measures that
            "domains = []",
            "[ssh]",
            "from_inventory = false",
            "[limits]",
            "connect_timeout = 5",
            "per_server_connections = 5",
            "concurrency = 32",
        ]
        return "\n".join(lines) + "\n"


def start(folder: Path, sites: int, ssh_servers: int, rtt: float, stack: ExitStack) -> BenchLab:
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca = TestCA("Benchmark", now=now - timedelta(days=30))
    ca_file = ca.write_root(folder / "root-ca.pem")
    https_port, http_port = free_port(f"{SITE_NET}.1"), free_port(f"{SITE_NET}.1")
    blocks = []
    upstreams = []
    for index in range(1, sites + 1):
        case = case_of(index)
        host = f"site{index}.bench.test"
        site = BenchSite(case, f"{SITE_NET}.{index}", https_port, http_port, name=host)
        leaf, extra = _leaf(ca, case, host, now)
        files = ca.write_leaf(leaf, folder / "certs", f"site{index}")
        blocks += [_https_block(site, files, extra), _http_block(site)]
        upstreams.append((host, case, site.address))
    nginx = Nginx(folder / "nginx", blocks)
    nginx.start([(address, https_port) for _, _, address in upstreams])
    stack.callback(nginx.stop)
    proxy = DelayProxy(rtt)
    stack.callback(proxy.close)
    under_test = []
    for index, (host, case, address) in enumerate(upstreams, start=1):
        front = f"{PROXY_NET}.{index}"
        # The same port numbers in front: http:// redirects name the HTTPS port nginx knows.
        proxy.add((front, https_port), (address, https_port))
        proxy.add((front, http_port), (address, http_port))
        under_test.append(
            SiteUnderTest(
                host,
                case,
                front,
                https_port,
                http_port,
                (address, https_port),
                (address, http_port),
            )
        )
    ssh = []
    for index in range(1, ssh_servers + 1):
        server = LabSshServer(f"{SSH_NET}.{index}")
        stack.callback(server.close)
        ssh.append(proxy.add((f"{PROXY_NET}.{200 + index}", 0), (server.address, server.port)))
    return BenchLab(folder, ca_file, under_test, ssh, proxy)
