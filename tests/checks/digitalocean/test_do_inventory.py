"""DigitalOcean objects read defensively, port ranges, the fake's payloads in the spec's shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest

from auditor.core.inventory import CloudResource
from auditor.core.model import Status
from auditor.lab.fake_digitalocean import COLLECTIONS, example, example_items, scenario
from checks.digitalocean import inventory as parse
from checks.digitalocean.family import AccountInventory, check_ssh_open, evaluate


@pytest.mark.parametrize(
    ("ports", "covers"),
    [
        ("22", True),
        ("1-65535", True),
        ("0", True),
        ("all", True),
        ("", True),
        ("20-30", True),
        ("23-65535", False),
        ("80", False),
        ("2222", False),
        ("nonsense", False),
    ],
)
def test_port_ranges_as_digitalocean_writes_them(ports: str, covers: bool) -> None:
    assert parse.port_in_range(22, ports) is covers


def rule(protocol: str, ports: str, sources: Any) -> dict[str, Any]:
    return {"protocol": protocol, "ports": ports, "sources": sources}


def test_a_rule_with_empty_sources_admits_nobody() -> None:
    fw = parse.firewall({"name": "fw", "inbound_rules": [rule("tcp", "22", {})]})
    assert fw.inbound[0].addresses == ()
    assert check_ssh_open(fw).status is Status.PASS


def test_a_rule_without_sources_or_with_garbage_is_read_not_raised() -> None:
    fw = parse.firewall(
        {"name": "fw", "inbound_rules": [{"protocol": "tcp", "ports": "22"}, "junk", None]}
    )
    assert [r.addresses for r in fw.inbound] == [(), (), ()]
    assert check_ssh_open(fw).status is Status.PASS


@pytest.mark.parametrize(
    ("protocol", "ports", "addresses", "status"),
    [
        ("tcp", "22", ["0.0.0.0/0"], Status.WARN),
        ("tcp", "0", ["::/0"], Status.WARN),
        ("tcp", "1-65535", ["0.0.0.0/0"], Status.WARN),
        ("udp", "22", ["0.0.0.0/0"], Status.PASS),  # SSH is TCP
        ("icmp", "", ["0.0.0.0/0"], Status.PASS),
        ("tcp", "22", ["0.0.0.0/1"], Status.PASS),  # half the internet is not "the internet"
        ("tcp", "22", ["0.0.0.0/1", "128.0.0.0/1"], Status.WARN),  # but both halves are
        ("tcp", "22", ["0.0.0.0/1", "128.0.0.0/2"], Status.PASS),
        ("tcp", "22", ["203.0.113.0/24", "2001:db8::/32"], Status.PASS),
        ("tcp", "443", ["0.0.0.0/0"], Status.PASS),
    ],
)
def test_ssh_open_to_the_world(
    protocol: str, ports: str, addresses: list[str], status: Status
) -> None:
    fw = parse.firewall(
        {"name": "fw", "inbound_rules": [rule(protocol, ports, {"addresses": addresses})]}
    )
    assert check_ssh_open(fw).status is status


def test_ssh_open_to_the_world_by_two_rules_together() -> None:
    halves = [
        rule("tcp", "22", {"addresses": ["0.0.0.0/1"]}),
        rule("tcp", "1-65535", {"addresses": ["128.0.0.0/1"]}),
        rule("udp", "22", {"addresses": ["::/0"]}),  # not SSH: not part of the sum
    ]
    finding = check_ssh_open(parse.firewall({"name": "fw", "inbound_rules": halves}))
    assert finding.status is Status.WARN
    assert "0.0.0.0/1, 128.0.0.0/1)" in finding.message
    assert [r["ports"] for r in finding.evidence["open_rules"]] == ["22", "1-65535"]
    not_ssh = [halves[0], rule("udp", "22", {"addresses": ["128.0.0.0/1"]})]
    fw = parse.firewall({"name": "fw", "inbound_rules": not_ssh})
    assert check_ssh_open(fw).status is Status.PASS


def test_firewalls_apply_by_id_or_tag() -> None:
    by_id = parse.firewall({"name": "a", "droplet_ids": [7], "tags": []})
    by_tag = parse.firewall({"name": "b", "droplet_ids": [], "tags": ["web"]})
    droplet = parse.droplet({"id": 7, "name": "d", "tags": ["web"]}, [by_id, by_tag])
    other = parse.droplet({"id": 8, "name": "e", "tags": ["db"]}, [by_id, by_tag])
    assert droplet.firewalls == ("a", "b")
    assert other.firewalls == ()


def test_a_malformed_droplet_reads_as_missing_facts() -> None:
    droplet = parse.droplet({"id": 1, "networks": "oops", "region": None, "tags": "x"}, [])
    assert droplet == CloudResource(kind="droplet", id="1", name="1", region="")


@pytest.mark.parametrize("region", [{"slug": "AMS3"}, "ams3", " Ams3"])
def test_a_region_slug_in_another_case_or_shape_is_still_amsterdam(region: object) -> None:
    droplet = parse.droplet({"id": 1, "name": "web", "region": region}, [])
    assert droplet.region == "ams3"
    outcome = evaluate(
        AccountInventory("a", (droplet,), (), (), ()), ("ams2", "ams3"), datetime.now(UTC), 21
    )
    region_findings = [f for f in outcome.findings if f.check == "do.droplet.region"]
    assert [f.status for f in region_findings] == [Status.PASS]


def test_the_example_droplets_are_read_faithfully() -> None:
    droplets = [parse.droplet(d, []) for d in example_items("droplets")]
    first = droplets[0]
    assert (first.name, first.region, first.ipv4, first.ipv6) == (
        "example.com",
        "nyc3",
        ("192.241.165.154",),
        ("2604:a880:0:1010::18a:a001",),
    )
    assert first.features == ("backups", "private_networking", "ipv6")


def test_the_example_load_balancers_reserved_ips_and_certificates() -> None:
    balancers = [parse.load_balancer(lb) for lb in example_items("load_balancers")]
    assert [(b.name, b.region, b.ipv4) for b in balancers][:1] == [
        ("example-lb-01", "nyc3", ("104.131.186.241",))
    ]
    reserved = parse.reserved_ip(example_items("reserved_ips")[0])
    assert (reserved.id, reserved.region, reserved.status) == ("45.55.96.47", "nyc3", "unassigned")
    cert = parse.certificate(example_items("certificates")[1])
    assert cert.not_after == datetime(2018, 6, 7, 17, 44, 12, tzinfo=UTC)
    assert cert.dns_names == ("www.example.com", "example.com")


def test_an_unreadable_expiry_is_an_error() -> None:
    cert = parse.certificate({"name": "c", "not_after": "next tuesday"})
    data = AccountInventory("acct", (), (), (cert,), ())
    outcome = evaluate(data, ("ams3",), datetime.now(UTC), 21)
    expiry = [f for f in outcome.findings if f.check == "do.certificate.expiry"]
    assert [f.status for f in expiry] == [Status.ERROR]


def test_an_empty_account_warns_that_nothing_is_hosted() -> None:
    outcome = evaluate(AccountInventory("acct", (), (), (), ()), ("ams3",), datetime.now(UTC), 21)
    region = [f for f in outcome.findings if f.check == "do.droplet.region"]
    assert [f.status for f in region] == [Status.WARN]
    assert outcome.inventory.cloud_account == "acct"


def shape_problems(spec: Any, served: Any, where: str = "$") -> list[str]:
    """Where `served` departs from the example's shape: keys it invents, types it changes."""
    if isinstance(spec, dict):
        if not isinstance(served, dict):
            return [f"{where}: expected an object"]
        problems = [
            f"{where}.{key}: not in the spec's example" for key in served if key not in spec
        ]
        for key, value in served.items():
            if key in spec and spec[key] is not None and value is not None:
                problems += shape_problems(spec[key], value, f"{where}.{key}")
        return problems
    if isinstance(spec, list):
        if not isinstance(served, list):
            return [f"{where}: expected a list"]
        # The example's items together show every key an item may have.
        dicts = [item for item in spec if isinstance(item, dict)]
        model = {k: v for d in dicts for k, v in d.items()} if dicts else (spec or [None])[0]
        problems = []
        for index, item in enumerate(served):
            if model is not None:
                problems += shape_problems(model, item, f"{where}[{index}]")
        return problems
    if isinstance(spec, bool) or isinstance(served, bool):
        return [] if type(spec) is type(served) else [f"{where}: type changed"]
    if isinstance(spec, int | float) and isinstance(served, int | float):
        return []
    return [] if type(spec) is type(served) else [f"{where}: type changed"]


def test_the_fakes_scenario_keeps_the_specs_shape() -> None:
    items = scenario("127.0.30", datetime.now(UTC), [("k", "ssh-ed25519 AAAA k")])
    for collection, (filename, key) in COLLECTIONS.items():
        spec_items = example(filename)[key]
        for index, item in enumerate(items[collection]):
            model = spec_items[0] if collection != "certificates" else spec_items[1]
            assert shape_problems(model, item, f"{collection}[{index}]") == []


def test_the_shipped_examples_hold_the_lists_the_client_reads() -> None:
    """Every payload parses, and each collection's list sits under the key the client reads."""
    folder = resources.files("auditor.lab").joinpath("digitalocean_payloads")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
    assert "GET_v2_droplets.json" in names
    for filename, key in COLLECTIONS.values():
        data = json.loads(folder.joinpath(filename).read_text())
        assert isinstance(data[key], list)
        assert data[key]
    assert example("ERROR_401_unauthorized.json")["id"] == "unauthorized"


def test_scenario_certificates_straddle_the_window() -> None:
    now = datetime.now(UTC)
    certs = [parse.certificate(c) for c in scenario("127.0.30", now)["certificates"]]
    days = [(c.not_after - now).days for c in certs if c.not_after]
    assert days[0] < 0 < days[1] < 21 < days[2]
