"""The account's DNS zones through the wrapped client: the API's example shapes, every page,
429 retried, no foreign link followed; and the names a zone's records give."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.core.errors import DigitalOceanError
from auditor.lab.fake_digitalocean import FakeDigitalOcean, Scripted, example
from checks.digitalocean.client import DigitalOceanClient
from checks.discovery.sources import zone_names
from tests.support.digitalocean_fake import DoLab


def _client(do_lab: DoLab, waits: list[float] | None = None) -> DigitalOceanClient:
    sleep = (waits if waits is not None else []).append
    return DigitalOceanClient(do_lab.token, do_lab.fake.base, 5.0, sleep=sleep)


def _a(rid: int, name: str) -> dict[str, Any]:
    return {**example("GET_v2_domains_example.com_records.json")["domain_records"][3],
            "id": rid, "name": name}  # fmt: skip


def test_the_examples_zone_and_its_records_as_the_api_documents_them(do_lab: DoLab) -> None:
    client = _client(do_lab)
    assert client.domains() == ["example.com"]  # GET /v2/domains, the spec's example body
    records = client.domain_records("example.com")
    assert [r["type"] for r in records] == ["NS", "NS", "NS", "A"]
    # The NS records name no host; "@" is the zone itself.
    assert zone_names("example.com", records) == ["example.com"]


def test_every_page_of_a_large_zone_is_read(do_lab: DoLab) -> None:
    do_lab.fake.records["big.test"] = [_a(n, f"h{n}") for n in range(450)]
    names = zone_names("big.test", _client(do_lab).domain_records("big.test"))
    assert len(names) == 450
    pages = [r.query.get("page") for r in do_lab.fake.requests if "big.test" in r.path]
    assert pages == [["1"], ["2"], ["3"]]


def test_429_on_the_zones_is_waited_out(do_lab: DoLab) -> None:
    do_lab.fake.script("domains", Scripted(429, b"{}", {"retry-after": "4"}))
    waits: list[float] = []
    assert _client(do_lab, waits).domains() == ["example.com"]
    assert waits == [4.0]


def test_a_foreign_next_link_on_the_records_is_refused(
    do_lab: DoLab, foreign_host: FakeDigitalOcean
) -> None:
    do_lab.fake.foreign_next["domains/example.com/records"] = f"{foreign_host.base}x?page=2"
    with pytest.raises(DigitalOceanError, match="another host"):
        _client(do_lab).domain_records("example.com")
    assert foreign_host.requests == []


@pytest.mark.parametrize(
    ("record", "name"),
    [
        ({"type": "A", "name": "www"}, "www.lab.test"),
        ({"type": "AAAA", "name": "@"}, "lab.test"),
        ({"type": "CNAME", "name": "Shop"}, "shop.lab.test"),
        ({"type": "A", "name": "*"}, "*.lab.test"),
        ({"type": "MX", "name": "@"}, None),
        ({"type": "TXT", "name": "_dmarc"}, None),
        ({"type": "A", "name": "bad name"}, None),
        ({"type": "A", "name": 7}, None),
    ],
)
def test_the_names_a_zones_records_give(record: dict[str, object], name: str | None) -> None:
    assert zone_names("lab.test", [record]) == ([name] if name else [])
