"""What discovery hands the other families: sites to audit, servers to probe."""

from __future__ import annotations

import socket
from pathlib import Path

from auditor.core.addresses import resolve
from auditor.core.config import parse_config
from auditor.core.family import AuditContext
from auditor.core.inventory import CloudResource, DiscoveredName, Inventory
from auditor.core.model import Status
from checks.discovery.classify import classify
from checks.discovery.family import Found, judge_coverage
from checks.sites import all_sites
from checks.ssh.family import FAMILY as SSH
from tests.support.dns_lab import LoopbackDns

CONFIG = """
[[sites]]
host = "www.lab.test"
platform = "Lab"
[ssh]
from_inventory = true
exclude = ["excluded.lab.test"]
[discovery]
https_port = 8443
http_port = 8080
ssh_port = 2222
"""


def _ctx(tmp_path: Path, text: str = CONFIG) -> AuditContext:
    return AuditContext(parse_config(text, "t", tmp_path))


def _inventory() -> Inventory:
    droplet = CloudResource("droplet", "1", "web", "ams3", ipv4=("192.0.2.10",))
    return Inventory(
        cloud=(droplet,),
        discovered=(
            DiscoveredName("www.lab.test", ("config",), "site", configured=True),
            DiscoveredName("new.lab.test", ("crt.sh",), "site", platform="ukendt"),
            DiscoveredName("old.lab.test", ("crt.sh",), "silent", addresses=("192.0.2.9",)),
            DiscoveredName("web.lab.test", ("dns-zone",), "server", ssh_addresses=("192.0.2.10",)),
            DiscoveredName("ops.lab.test", ("dns-zone",), "server", ssh_addresses=("192.0.2.20",)),
            DiscoveredName("ops2.lab.test", ("dns-zone",), "server", ssh_addresses=("192.0.2.20",)),
            DiscoveredName(
                "excluded.lab.test", ("dns-zone",), "server", ssh_addresses=("192.0.2.30",)
            ),
        ),
    )


def test_a_live_unconfigured_site_is_audited_on_the_ports_discovery_asked(
    tmp_path: Path,
) -> None:
    sites = all_sites(_ctx(tmp_path), _inventory())
    assert [(s.host, s.platform, s.port, s.http_port) for s in sites] == [
        ("www.lab.test", "Lab", 443, 80),  # configured: as the config says, once
        ("new.lab.test", "ukendt", 8443, 8080),
    ]


def test_ssh_servers_that_are_no_droplet_join_once_per_address(tmp_path: Path) -> None:
    targets = SSH.targets(_ctx(tmp_path), _inventory())
    by_address = {(t.address, t.port): t.host for t in targets}
    assert by_address == {
        ("192.0.2.10", 22): "web",  # the droplet, as the droplet it is
        ("192.0.2.20", 2222): "ops.lab.test",  # two names, one address: one server
    }


def test_without_discovery_nothing_is_added(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, CONFIG.split("[discovery]", maxsplit=1)[0])
    assert [s.host for s in all_sites(ctx, _inventory())] == ["www.lab.test"]
    assert [t.host for t in SSH.targets(ctx, _inventory())] == ["web"]


def test_a_cname_is_followed_and_noted(tmp_path: Path) -> None:
    server = LoopbackDns(
        "127.0.17.54",
        {
            "shop.lab.test": {"CNAME": ["shops.example-host.test."]},
            "shops.example-host.test": {"A": ["192.0.2.50"]},
        },
    )
    try:
        config = parse_config(server.config(), "t", tmp_path)
        answer = resolve("shop.lab.test", config)
    finally:
        server.close()
    assert answer.addresses == ("192.0.2.50",)
    assert answer.cname == "shops.example-host.test"


def test_a_name_with_only_ipv6_where_the_run_may_not_connect_is_not_called_silent(
    tmp_path: Path,
) -> None:
    listener = socket.create_server(("127.0.17.61", 0))
    port = listener.getsockname()[1]
    server = LoopbackDns(
        "127.0.17.55",
        {
            "v6.lab.test": {"AAAA": ["::1"]},
            "both.lab.test": {"A": ["127.0.17.61"], "AAAA": ["::1"]},
            "gone.lab.test": {"A": ["127.0.17.62"]},
        },
    )
    try:
        text = (
            server.config()
            + "probe_ipv6 = false\n[limits]\nconnect_timeout = 1\n"
            + f"[discovery]\nhttps_port = {port}\nhttp_port = {port}\nssh_port = {port}\n"
        )
        ctx = AuditContext(parse_config(text, "t", tmp_path))
        assert ctx.config.discovery is not None
        found = {n: ["crt.sh"] for n in ("v6.lab.test", "both.lab.test", "gone.lab.test")}
        names = {d.name: d for d in classify(ctx, found, ctx.config.discovery)}
    finally:
        server.close()
        listener.close()
    assert names["v6.lab.test"].kind == "not-asked"
    assert names["both.lab.test"].kind == "site"  # asked at its IPv4 address
    assert names["gone.lab.test"].kind == "silent"
    verdicts = dict(judge_coverage(Found(tuple(names.values()))))
    assert verdicts["v6.lab.test"].status is Status.ERROR
    assert "dns.probe_ipv6 is false" in verdicts["v6.lab.test"].message
