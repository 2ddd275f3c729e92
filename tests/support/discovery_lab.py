"""The discovery lab on 127.0.17.0/24: a party's names spread over DNS zones, CT and config.

- a loopback DNS server answers for lab.test's names;
- the fake DigitalOcean API holds the zone lab.test (its records name the zone's hosts);
- a fake crt.sh lists certificates logged for lab.test;
- a real nginx serves www (in the config), forgotten (only in CT: live, not configured) and
  campaign (only in the zone, plain HTTP only);
- a real sshd answers on ops (in the zone, no droplet);
- dead (an address where nothing listens), old (in CT, no longer in DNS), staging
  (excluded, with a reason) and a wildcard complete the picture.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.lab.fake_digitalocean import FakeDigitalOcean, scenario
from auditor.lab.pki import TestCA
from tests.support.crtsh_fake import FakeCrtSh, entry, now_minus
from tests.support.dns_lab import LoopbackDns
from tests.support.nginx import Nginx, free_port
from tests.support.sshd_lab import LabSshd, lone_sshd

NET = "127.0.17"
DOMAIN = "lab.test"
CA_NAME = "Discovery Lab"
LAB_ISSUER = f"C=DK, O={CA_NAME}, CN={CA_NAME} Intermediate CA"
ROGUE_ISSUER = "C=XX, O=Elsewhere Trust, CN=Elsewhere RSA CA"
ADDRESSES = {
    "www": f"{NET}.1",
    "forgotten": f"{NET}.2",
    "campaign": f"{NET}.3",
    "dead": f"{NET}.4",
    "ops": f"{NET}.5",
    "staging": f"{NET}.6",
}
EXCLUDE_REASON = "Leverandørens testmiljø; ikke offentligt"


def host(label: str) -> str:
    return f"{label}.{DOMAIN}"


def zone_records() -> list[dict[str, Any]]:
    """lab.test's records in the API's shape (GET /v2/domains/{name}/records)."""

    def record(rid: int, rtype: str, name: str, data: str) -> dict[str, Any]:
        return {
            "id": rid,
            "type": rtype,
            "name": name,
            "data": data,
            "priority": None,
            "port": None,
            "ttl": 1800,
            "weight": None,
            "flags": None,
            "tag": None,
        }

    return [
        record(1, "NS", "@", "ns1.digitalocean.com"),
        record(2, "A", "www", ADDRESSES["www"]),
        record(3, "A", "campaign", ADDRESSES["campaign"]),
        record(4, "A", "ops", ADDRESSES["ops"]),
        record(5, "A", "dead", ADDRESSES["dead"]),
        record(6, "TXT", "@", "v=spf1 -all"),
        record(7, "A", "staging", ADDRESSES["staging"]),
    ]


def ct_rows(now: datetime) -> list[dict[str, Any]]:
    recent = now_minus(now, 10)
    return [
        entry(9001, [host("www"), DOMAIN], recent, LAB_ISSUER),
        entry(9001, [host("www"), DOMAIN], now_minus(now, 9), LAB_ISSUER),  # another log
        entry(9002, [host("FORGOTTEN") + ".", "*." + DOMAIN], recent, LAB_ISSUER),
        entry(9003, [f"{host('old')}\n{host('staging')}"], now_minus(now, 400), LAB_ISSUER),
        entry(9004, [host("login")], now_minus(now, 3), ROGUE_ISSUER),
    ]


@dataclass
class DiscoveryLab:
    folder: Path
    root_pem: Path
    https_port: int
    http_port: int
    dns: LoopbackDns
    do: FakeDigitalOcean
    token: str
    crtsh: FakeCrtSh
    sshd: LabSshd

    @property
    def env(self) -> dict[str, str]:
        return {"DIGITALOCEAN_ACCESS_TOKEN": self.token}

    def config_text(self, discovery: str = "") -> str:
        return f"""[[sites]]
host = "{host("www")}"
platform = "Lab"
port = {self.https_port}
http_port = {self.http_port}
ca_file = "{self.root_pem}"

{self.dns.config()}
[digitalocean]
endpoint = "{self.do.base}"

[ssh]
users = ["root"]
from_inventory = false

[limits]
connect_timeout = 2
target_timeout = 30

[output]
out_dir = "{self.folder / "out"}"

[discovery]
domains = ["{DOMAIN}"]
crtsh_url = "{self.crtsh.base}"
https_port = {self.https_port}
http_port = {self.http_port}
ssh_port = {self.sshd.port}
{discovery}
[discovery.platforms]
"{DOMAIN}" = "Lab"

[[discovery.exclude]]
name = "{host("staging")}"
reason = "{EXCLUDE_REASON}"
"""

    def write_config(self, discovery: str = "") -> Path:
        path = self.folder / "auditor.toml"
        path.write_text(self.config_text(discovery))
        return path


def _nginx(folder: Path, ca: TestCA, https_port: int, http_port: int) -> Nginx:
    servers = []
    for label in ("www", "forgotten"):
        files = ca.write_leaf(ca.issue([host(label)]), folder / "certs", label)
        address = ADDRESSES[label]
        servers.append(
            f"server {{ listen {address}:{https_port} ssl; server_name {host(label)};\n"
            f"    ssl_certificate {files.fullchain}; ssl_certificate_key {files.key};\n"
            "    ssl_protocols TLSv1.2 TLSv1.3;\n"
            '    add_header Strict-Transport-Security "max-age=63072000" always;\n'
            '    location / { return 200 "ok\\n"; } }'
        )
    for label in ("www", "forgotten", "campaign"):
        target = f"https://{host(label)}:{https_port}$request_uri"
        action = 'return 200 "plain\\n";' if label == "campaign" else f"return 301 {target};"
        servers.append(
            f"server {{ listen {ADDRESSES[label]}:{http_port}; server_name {host(label)};\n"
            f"    {action} }}"
        )
    nginx = Nginx(folder / "nginx", servers)
    nginx.start([(ADDRESSES["www"], https_port), (ADDRESSES["campaign"], http_port)])
    return nginx


def dns_records() -> dict[str, dict[str, list[str]]]:
    names = ("www", "forgotten", "campaign", "dead", "ops", "staging")
    records = {host(label): {"A": [ADDRESSES[label]]} for label in names}
    records[DOMAIN] = {}  # the apex exists, with no address
    return records


@pytest.fixture
def discovery_lab(tmp_path: Path) -> Iterator[DiscoveryLab]:
    now = datetime.now(UTC)
    ca = TestCA(CA_NAME)
    root_pem = ca.write_root(tmp_path / "root-ca.pem")
    https_port, http_port = free_port(f"{NET}.1"), free_port(f"{NET}.1")
    token = "dop_v1_" + secrets.token_hex(32)
    with ExitStack() as stack:
        dns = LoopbackDns(f"{NET}.53", dns_records())
        stack.callback(dns.close)
        items = scenario(NET, now) | {"domains": [{"name": DOMAIN, "ttl": 1800}]}
        do = FakeDigitalOcean(f"{NET}.30", token, items=items)
        stack.callback(do.close)
        do.records[DOMAIN] = zone_records()
        crt = FakeCrtSh(f"{NET}.40", {DOMAIN: ct_rows(now)})
        stack.callback(crt.close)
        nginx = _nginx(tmp_path, ca, https_port, http_port)
        stack.callback(nginx.stop)
        sshd = stack.enter_context(
            lone_sshd(tmp_path / "sshd", ADDRESSES["ops"], {"ed25519": None})
        )
        yield DiscoveryLab(tmp_path, root_pem, https_port, http_port, dns, do, token, crt, sshd)
