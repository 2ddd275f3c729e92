"""The hosting lab: real nginx on 127.0.35.0/24 and the fake DigitalOcean API beside it.

Five sites, each built the way a real estate is:
- `app-ams`: an App Platform app in `ams` serves it (its address is the edge's, in no list);
- `app-nyc`: the same, in `nyc`;
- `front-good`: behind a front at .3; its origin .11 (droplet web-ams3) serves the same
  certificate;
- `front-bad`: behind a front at .4; its origin .12 (droplet db-ams3) serves another
  certificate (for another name) and nothing for the site;
- `processor`: run by a data processor at .5, in no inventory list;
- `front-edge`: behind a front at .6 that serves its own certificate (as Cloudflare's edge
  does); its origin .31 (a reserved IP in ams3) serves another certificate for the site's
  name, and answers for it;
- `front-closed`: behind a front at .7; its origin .21 (the load balancer in ams3) lets
  nobody in, the auditor included.
The fake API's account is the DigitalOcean scenario's (droplets .11 and .12 in ams3), with
the two apps added.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditor.lab.fake_digitalocean import FakeDigitalOcean, app, scenario
from auditor.lab.pki import Issued, TestCA
from tests.support.nginx import Nginx, free_port

NET = "127.0.35"
DOMAIN = "hosting.test"
PROCESSOR = "Acme Medlemssystemer ApS"
REASON = "medlemssystemet drives af leverandøren under en databehandleraftale"

# site -> (its public address, the addresses that serve it with the site's certificate)
PUBLIC = {
    "app-ams": 1,
    "app-nyc": 2,
    "front-good": 3,
    "front-bad": 4,
    "processor": 5,
    "front-edge": 6,
    "front-closed": 7,
}
GOOD_ORIGIN = f"{NET}.11"  # droplet web-ams3 in the scenario
BAD_ORIGIN = f"{NET}.12"  # droplet db-ams3
EDGE_ORIGIN = f"{NET}.31"  # reserved IP in ams3
CLOSED_ORIGIN = f"{NET}.21"  # the load balancer in ams3: nothing listens there
ORIGINS = {
    "front-good": GOOD_ORIGIN,
    "front-bad": BAD_ORIGIN,
    "front-edge": EDGE_ORIGIN,
    "front-closed": CLOSED_ORIGIN,
}


def host(case: str) -> str:
    return f"{case}.{DOMAIN}"


@dataclass
class HostingLab:
    folder: Path
    root_pem: Path
    port: int
    api: FakeDigitalOcean
    token: str
    nginx: Nginx

    @property
    def env(self) -> dict[str, str]:
        return {"DIGITALOCEAN_ACCESS_TOKEN": self.token}

    def label(self, case: str) -> str:
        return f"{host(case)}:{self.port}"

    def config_text(self) -> str:
        lines = [
            "[digitalocean]",
            f'endpoint = "{self.api.base}"',
            "[ssh]",
            "from_inventory = false",
        ]
        for case, last in PUBLIC.items():
            lines += [
                "[[sites]]",
                f'host = "{host(case)}"',
                'platform = "Lab"',
                f"port = {self.port}",
                f'addresses = ["{NET}.{last}"]',
                f'ca_file = "{self.root_pem}"',
            ]
            if case in ORIGINS:
                lines += ['front = "cloudflare"', f'origin_addresses = ["{ORIGINS[case]}"]']
            if case == "processor":
                lines += [f'processor = "{PROCESSOR}"', f'reason = "{REASON}"']
        return "\n".join(lines) + "\n"


def _server(address: str, port: int, name: str, files: tuple[Path, Path]) -> str:
    chain, key = files
    return f"""server {{
    listen {address}:{port} ssl;
    server_name {name};
    ssl_certificate {chain};
    ssl_certificate_key {key};
    location / {{ return 200 "ok\\n"; }}
}}"""


def _files(ca: TestCA, leaf: Issued, folder: Path, stem: str) -> tuple[Path, Path]:
    written = ca.write_leaf(leaf, folder, stem)
    return written.fullchain, written.key


def build_hosting_lab(folder: Path) -> HostingLab:
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca = TestCA("Hosting Lab", now=now - timedelta(days=100))
    root_pem = ca.write_root(folder / "root-ca.pem")
    port = free_port(f"{NET}.1")
    certs = folder / "certs"
    servers = []
    for case, last in PUBLIC.items():
        files = _files(ca, ca.issue([host(case)]), certs, case)
        servers.append(_server(f"{NET}.{last}", port, host(case), files))
        if case == "front-good":  # the origin serves the very certificate the front does
            servers.append(_server(GOOD_ORIGIN, port, host(case), files))
        if case == "front-edge":  # an origin certificate of its own, for the site's name
            own = _files(ca, ca.issue([host(case)]), certs, "edge-origin")
            servers.append(_server(EDGE_ORIGIN, port, host(case), own))
    other = _files(ca, ca.issue([f"other.{DOMAIN}"]), certs, "other")
    servers.append(_server(BAD_ORIGIN, port, f"other.{DOMAIN}", other))
    nginx = Nginx(folder / "nginx", servers)
    nginx.start([(f"{NET}.{last}", port) for last in PUBLIC.values()])
    token = "dop_v1_" + secrets.token_hex(32)
    apps = [app("lab-ams", "ams", [host("app-ams")]), app("lab-nyc", "nyc", [host("app-nyc")])]
    items = scenario(NET, now, apps=apps)
    api = FakeDigitalOcean(f"{NET}.100", token, items=items)
    return HostingLab(folder, root_pem, port, api, token, nginx)


@pytest.fixture(scope="module")
def hosting_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostingLab]:
    lab = build_hosting_lab(tmp_path_factory.mktemp("hosting-lab"))
    try:
        yield lab
    finally:
        lab.api.close()
        lab.nginx.stop()
