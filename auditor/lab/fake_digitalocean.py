"""A local fake of the DigitalOcean API v2, serving DigitalOcean's own example payloads.

For tests and `auditor demo`. It honours `page`/`per_page` with absolute `links.pages`
rewritten to its own base URL, requires `Authorization: Bearer <token>` (401 otherwise),
and can be scripted to misbehave: a 429 with `retry-after`, a 500, a body that is not
JSON, a `next` link to a foreign host. Every request is logged for assertions.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

# path under /v2/ -> (payload file, the list key in it)
COLLECTIONS: dict[str, tuple[str, str]] = {
    "droplets": ("GET_v2_droplets.json", "droplets"),
    "firewalls": ("GET_v2_firewalls.json", "firewalls"),
    "load_balancers": ("GET_v2_load_balancers.json", "load_balancers"),
    "certificates": ("GET_v2_certificates.json", "certificates"),
    "reserved_ips": ("GET_v2_reserved_ips.json", "reserved_ips"),
    "account/keys": ("GET_v2_account_keys.json", "ssh_keys"),
    "regions": ("GET_v2_regions.json", "regions"),
    "apps": ("GET_v2_apps.json", "apps"),
    "cdn/endpoints": ("GET_v2_cdn_endpoints.json", "endpoints"),
    "domains": ("GET_v2_domains.json", "domains"),
}
# /v2/domains/{name}/records: each zone's records, by zone name (the example zone's own).
RECORDS_FILE, RECORDS_KEY = "GET_v2_domains_example.com_records.json", "domain_records"


def example(name: str) -> Any:
    """One of DigitalOcean's example payloads, as shipped in the package."""
    text = resources.files("auditor.lab").joinpath("digitalocean_payloads", name).read_text()
    return json.loads(text)


def example_items(collection: str) -> list[dict[str, Any]]:
    filename, key = COLLECTIONS[collection]
    return list(example(filename)[key])


@dataclass(frozen=True)
class Scripted:
    """A response served instead of the real one (consumed in order, once each)."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None


class FakeDigitalOcean:
    """Serves /v2/... on `address`; `items` overrides a collection's objects."""

    def __init__(
        self,
        address: str,
        token: str,
        items: Mapping[str, list[dict[str, Any]]] | None = None,
        links_style: str = "empty",  # "empty": "links": {} on a single page; "absent": no links
    ) -> None:
        self.token = token
        self.items = {
            name: copy.deepcopy(items[name]) if items and name in items else example_items(name)
            for name in COLLECTIONS
        }
        # zone name -> its records (/v2/domains/{name}/records); a test adds its own zones
        self.records: dict[str, list[dict[str, Any]]] = {
            "example.com": list(example(RECORDS_FILE)[RECORDS_KEY])
        }
        self.links_style = links_style
        self.scripts: dict[str, list[Scripted]] = {}
        self.foreign_next: dict[str, str] = {}  # collection -> a `next` URL on another host
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((address, 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://{address}:{self.server.server_address[1]}/v2/"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def script(self, collection: str, *responses: Scripted) -> None:
        self.scripts.setdefault(collection, []).extend(responses)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _listing(self, name: str) -> tuple[str, list[dict[str, Any]]] | None:
        """The list key and objects of the collection at /v2/`name`, or None."""
        if name in COLLECTIONS:
            return COLLECTIONS[name][1], self.items[name]
        zone = name.removeprefix("domains/").removesuffix("/records")
        if name == f"domains/{zone}/records" and zone in self.records:
            return RECORDS_KEY, self.records[zone]
        return None

    def _page(self, collection: str, query: Mapping[str, list[str]]) -> dict[str, Any]:
        listing = self._listing(collection)
        assert listing is not None
        key, objects = listing
        per_page = max(1, min(200, int(query.get("per_page", ["20"])[0])))
        page = max(1, int(query.get("page", ["1"])[0]))
        last = max(1, -(-len(objects) // per_page))
        chunk = objects[(page - 1) * per_page : page * per_page]
        body: dict[str, Any] = {key: chunk, "meta": {"total": len(objects)}}
        pages: dict[str, str] = {}
        url = f"{self.base}{collection}?per_page={per_page}&page="
        if page > 1:
            pages |= {"first": f"{url}1", "prev": f"{url}{page - 1}"}
        if page < last:
            pages |= {"next": f"{url}{page + 1}", "last": f"{url}{last}"}
        if collection in self.foreign_next and page == 1:
            pages["next"] = self.foreign_next[collection]
        if pages:
            body["links"] = {"pages": pages}
        elif self.links_style == "empty":
            body["links"] = {}
        return body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, headers: Mapping[str, str] = {}) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("ratelimit-limit", "5000")
                self.send_header("ratelimit-remaining", "4999")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                with fake.lock:
                    fake.requests.append(
                        Request("GET", parts.path, query, self.headers.get("Authorization"))
                    )
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self._send(401, json.dumps(example("ERROR_401_unauthorized.json")).encode())
                    return
                name = parts.path.removeprefix("/v2/").strip("/")
                with fake.lock:
                    scripted = fake.scripts.get(name, [])
                    response = scripted.pop(0) if scripted else None
                if response is not None:
                    self._send(response.status, response.body, response.headers)
                elif name == "account":
                    self._send(200, json.dumps(example("GET_v2_account.json")).encode())
                elif fake._listing(name) is not None:
                    self._send(200, json.dumps(fake._page(name, query)).encode())
                else:
                    self._send(404, json.dumps(example("ERROR_404_not_found.json")).encode())

        return Handler


def _region(example_region: dict[str, Any], slug: str) -> dict[str, Any]:
    return {**example_region, "slug": slug, "name": slug}


def droplet(
    droplet_id: int,
    name: str,
    region: str,
    ipv4: str,
    tags: Sequence[str] = (),
    ipv6: str | None = None,
    features: Sequence[str] = ("private_networking",),
) -> dict[str, Any]:
    """A droplet in DigitalOcean's example shape, moved to `region` with `ipv4`."""
    base = copy.deepcopy(example_items("droplets")[0])
    private = {
        "ip_address": "10.128.0.2",
        "netmask": "255.255.0.0",
        "gateway": "nil",
        "type": "private",
    }
    public = {"ip_address": ipv4, "netmask": "255.255.255.0", "gateway": ipv4, "type": "public"}
    v6 = [{"ip_address": ipv6, "netmask": 64, "gateway": ipv6, "type": "public"}] if ipv6 else []
    base |= {
        "id": droplet_id,
        "name": name,
        "region": _region(base["region"], region),
        "tags": list(tags),
        "features": list(features),
        "networks": {"v4": [private, public], "v6": v6},
    }
    return base


def firewall(
    name: str,
    inbound: Sequence[tuple[str, str, Sequence[str]]],  # (protocol, ports, source addresses)
    droplet_ids: Sequence[int] = (),
    tags: Sequence[str] = (),
    empty_sources: bool = False,
) -> dict[str, Any]:
    """A firewall in the example's shape; `empty_sources` adds a rule whose sources are `{}`."""
    base = copy.deepcopy(example_items("firewalls")[0])
    rules: list[dict[str, Any]] = [
        {"protocol": protocol, "ports": ports, "sources": {"addresses": list(sources)}}
        for protocol, ports, sources in inbound
    ]
    if empty_sources:
        rules.append({"protocol": "tcp", "ports": "443", "sources": {}})
    base |= {
        "id": f"fw-{name}",
        "name": name,
        "inbound_rules": rules,
        "droplet_ids": list(droplet_ids),
        "tags": list(tags),
    }
    return base


def load_balancer(
    name: str, region: str, ip: str, droplet_ids: Sequence[int] = ()
) -> dict[str, Any]:
    base = copy.deepcopy(example_items("load_balancers")[0])
    base |= {
        "id": f"lb-{name}",
        "name": name,
        "ip": ip,
        "region": _region(base["region"], region),
        "droplet_ids": list(droplet_ids),
    }
    return base


def reserved_ip(ip: str, region: str, assigned: dict[str, Any] | None = None) -> dict[str, Any]:
    base = copy.deepcopy(example_items("reserved_ips")[0])
    base |= {"ip": ip, "region": _region(base["region"], region), "droplet": assigned}
    return base


def certificate(name: str, not_after: datetime, dns_names: Sequence[str]) -> dict[str, Any]:
    base = copy.deepcopy(example_items("certificates")[1])
    base |= {
        "id": f"cert-{name}",
        "name": name,
        "dns_names": list(dns_names),
        "not_after": not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return base


def app(name: str, region: str, domains: Sequence[str]) -> dict[str, Any]:
    """An App Platform app in the example's shape, moved to `region` (a city: "ams") and
    serving `domains` (the first is its primary and live domain)."""
    base = copy.deepcopy(example_items("apps")[0])
    spec_domains = [
        {**base["spec"]["domains"][0], "domain": d, "type": "PRIMARY" if n == 0 else "ALIAS"}
        for n, d in enumerate(domains)
    ]
    live = [{**base["domains"][0], "spec": d} for d in spec_domains]
    base |= {
        "id": f"app-{name}",
        "spec": {**base["spec"], "name": name, "domains": spec_domains},
        "region": {**base["region"], "slug": region, "data_centers": [f"{region}3"]},
        "domains": live,
        "live_domain": domains[0] if domains else f"{name}.ondigitalocean.app",
        "dedicated_ips": [],
    }
    return base


def cdn_endpoint(bucket: str, region: str, custom_domain: str | None = None) -> dict[str, Any]:
    """A CDN endpoint in the example's shape, for a Spaces bucket in `region`."""
    base = copy.deepcopy(example_items("cdn/endpoints")[0])
    base |= {
        "id": f"cdn-{bucket}",
        "origin": f"{bucket}.{region}.digitaloceanspaces.com",
        "endpoint": f"{bucket}.{region}.cdn.digitaloceanspaces.com",
        "custom_domain": custom_domain,
    }
    return base


def ssh_key(key_id: int, name: str, public_key: str) -> dict[str, Any]:
    base = copy.deepcopy(example_items("account/keys")[0])
    base |= {"id": key_id, "name": name, "public_key": public_key}
    return base


def scenario(
    prefix: str,
    now: datetime,
    public_keys: Sequence[tuple[str, str]] = (),
    example_key: bool = True,
    apps: Sequence[dict[str, Any]] = (),
    cdn_endpoints: Sequence[dict[str, Any]] = (),
) -> dict[str, list[dict[str, Any]]]:
    """An account where some promises hold and some break, on addresses `prefix`.N.

    web (ams3, behind a firewall by tag that opens SSH to the world), db (ams3, behind a
    firewall by id that keeps SSH private), legacy (nyc3, no firewall); a load balancer and
    a reserved IP in ams3, a stray reserved IP in fra1; certificates expired, expiring and
    fine; the account keys given, and (with `example_key`) DigitalOcean's own example key,
    which is not a readable key; the App Platform apps and CDN endpoints given (none unless
    a test adds them).
    """
    web = droplet(
        101,
        "web-ams3",
        "ams3",
        f"{prefix}.11",
        tags=["web"],
        features=("backups", "monitoring", "private_networking"),
    )
    db = droplet(102, "db-ams3", "ams3", f"{prefix}.12", features=("backups",))
    legacy = droplet(103, "legacy-nyc3", "nyc3", f"{prefix}.13")
    everywhere = ["0.0.0.0/0", "::/0"]
    return {
        "droplets": [web, db, legacy],
        "firewalls": [
            firewall(
                "fw-web", [("tcp", "443", everywhere), ("tcp", "22", everywhere)], tags=["web"]
            ),
            firewall(
                "fw-db", [("tcp", "22", ["10.0.0.0/8"])], droplet_ids=[102], empty_sources=True
            ),
            firewall("fw-unused", [("tcp", "1-65535", ["::/0"])]),
        ],
        "load_balancers": [load_balancer("lb-ams3", "ams3", f"{prefix}.21", [101])],
        "reserved_ips": [
            reserved_ip(f"{prefix}.31", "ams3", {"id": 101, "name": "web-ams3"}),
            reserved_ip(f"{prefix}.32", "fra1"),
        ],
        "certificates": [
            certificate("expired", now - timedelta(days=3), ["old.example.org"]),
            certificate("expiring", now + timedelta(days=10), ["soon.example.org"]),
            certificate("fine", now + timedelta(days=80), ["www.example.org"]),
        ],
        "account/keys": [
            *(ssh_key(500 + n, name, key) for n, (name, key) in enumerate(public_keys)),
            *(example_items("account/keys")[:1] if example_key else []),
        ],
        "regions": example_items("regions"),
        "apps": list(apps),
        "cdn/endpoints": list(cdn_endpoints),
        "domains": example_items("domains"),
    }
