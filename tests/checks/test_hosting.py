"""App Platform and CDN endpoints read through the wrapped client, and the hosting judges on
hand-built facts: apps and CDN endpoints by region, fronts by their origins, processors."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.core.config import SiteConfig, parse_config
from auditor.core.errors import ConfigError, DigitalOceanError
from auditor.core.family import AuditContext, SimpleTarget, Verdict
from auditor.core.inventory import CloudResource
from auditor.core.messages import N_, Message
from auditor.core.model import Status, worst_status
from auditor.lab.fake_digitalocean import (
    FakeDigitalOcean,
    Scripted,
    app,
    cdn_endpoint,
    example,
    example_items,
)
from checks import dns
from checks.digitalocean import family as digitalocean
from checks.digitalocean import inventory as parse
from checks.digitalocean.client import DigitalOceanClient
from checks.hosting import HostingFacts, judge_bypass, judge_hosting
from checks.origin import FrontProbe, TlsAnswer, ask
from reports import public_words
from reports.catalog import untranslated
from tests.checks.digitalocean.test_do_inventory import shape_problems
from tests.support.digitalocean_fake import DoLab
from tests.support.nginx import free_port
from tests.support.trickle import TLS_RECORD_START, trickling

ALLOWED = ("ams2", "ams3")
WEB = CloudResource("droplet", "1", "web", "ams3", ipv4=("192.0.2.11",))
LEGACY = CloudResource("droplet", "2", "legacy", "nyc3", ipv4=("192.0.2.13",))
SHOP = CloudResource("app", "a", "shop", "ams", domains=("shop.example.org",))
FAR = CloudResource("app", "b", "far", "nyc", domains=("far.example.org",))
STATIC = parse.cdn_endpoint(cdn_endpoint("static", "ams3", "static.example.org"))
FAR_STATIC = parse.cdn_endpoint(cdn_endpoint("farstatic", "sfo3", "farstatic.example.org"))
CLOUD = (WEB, LEGACY, SHOP, FAR, STATIC, FAR_STATIC)
EDGE = ("203.0.113.5",)  # a shared edge address, in no inventory list


class NoSleep:
    def __call__(self, seconds: float) -> None:
        pass


def client(lab: DoLab) -> DigitalOceanClient:
    return DigitalOceanClient(lab.token, lab.fake.base, 5.0, sleep=NoSleep())


def facts(
    site: SiteConfig, addresses: tuple[str, ...], front: FrontProbe | None = None
) -> HostingFacts:
    return HostingFacts(site, addresses, CLOUD, ALLOWED, front)


# The client: the same paging, 429 and foreign-link rules as every other collection.


def test_apps_are_read_page_by_page(do_lab: DoLab) -> None:
    do_lab.fake.items["apps"] = [app(f"a{n}", "ams", [f"a{n}.example.org"]) for n in range(450)]
    apps = client(do_lab).apps()
    assert [a["spec"]["name"] for a in apps] == [f"a{n}" for n in range(450)]
    pages = [r.query["page"] for r in do_lab.fake.requests if r.path == "/v2/apps"]
    assert pages == [["1"], ["2"], ["3"]]


def test_a_429_on_cdn_endpoints_is_waited_out(do_lab: DoLab) -> None:
    limited = json.dumps(example("ERROR_429_too_many_requests.json")).encode()
    do_lab.fake.items["cdn/endpoints"] = [cdn_endpoint("static", "ams3", "static.example.org")]
    do_lab.fake.script("cdn/endpoints", Scripted(429, limited, {"retry-after": "1"}))
    endpoints = client(do_lab).cdn_endpoints()
    assert [e["custom_domain"] for e in endpoints] == ["static.example.org"]


def test_a_foreign_next_link_for_apps_is_refused(
    do_lab: DoLab, foreign_host: FakeDigitalOcean
) -> None:
    do_lab.fake.foreign_next["apps"] = f"{foreign_host.base}apps?page=2&per_page=200"
    with pytest.raises(DigitalOceanError, match="another host"):
        client(do_lab).apps()
    assert foreign_host.requests == []


# DigitalOcean's own examples, read into the inventory.


def test_the_example_app_with_its_region_domains_and_dedicated_ips() -> None:
    resource = parse.app(example_items("apps")[0])
    assert resource.kind == "app"
    assert resource.name == "sample-php"
    assert resource.region == "fra"
    assert resource.domains == ("sample-php.example.com",)
    assert resource.ipv4 == ("192.168.1.1", "192.168.1.2")


def test_an_app_domain_that_is_not_active_is_not_served_by_it() -> None:
    data = app("shop", "ams", ["shop.example.org", "new.example.org"])
    data["domains"][1]["phase"] = "CONFIGURING"
    assert parse.app(data).domains == ("shop.example.org",)


def test_the_example_cdn_endpoint_is_where_its_spaces_origin_is() -> None:
    resource = parse.cdn_endpoint(example_items("cdn/endpoints")[0])
    assert resource.region == "nyc3"
    assert resource.origin == "static-images.nyc3.digitaloceanspaces.com"
    assert resource.domains == (
        "static-images.nyc3.cdn.digitaloceanspaces.com",
        "static.example.com",
    )


@pytest.mark.parametrize(
    ("origin", "region"),
    [
        ("bucket.ams3.digitaloceanspaces.com", "ams3"),
        ("ams3.digitaloceanspaces.com", "ams3"),
        ("origin.example.org", ""),
        ("", ""),
        ("bucket..digitaloceanspaces.com", ""),
    ],
)
def test_a_spaces_origins_region(origin: str, region: str) -> None:
    assert parse.spaces_region(origin) == region


@pytest.mark.parametrize(
    ("region", "allowed"),
    [("ams3", True), ("ams", True), ("nyc", False), ("am", False), ("", False), ("nyc3", False)],
)
def test_an_app_platform_city_counts_as_its_data_centres(region: str, allowed: bool) -> None:
    assert parse.region_allowed(region, ALLOWED) is allowed


def test_the_fakes_apps_and_endpoints_keep_the_specs_shape() -> None:
    made = app("shop", "ams", ["shop.example.org"])
    assert shape_problems(example_items("apps")[0], made, "apps[0]") == []
    endpoint = cdn_endpoint("static", "ams3", "static.example.org")
    assert shape_problems(example_items("cdn/endpoints")[0], endpoint, "cdn") == []


# The judges.


def test_a_site_served_by_an_app_in_ams_passes_and_in_nyc_fails() -> None:
    shop = judge_hosting(facts(SiteConfig("shop.example.org", ""), EDGE))
    assert shop.status is Status.PASS
    assert shop.evidence["hosting"] == {"via": "app", "regions": ["ams"]}
    far = judge_hosting(facts(SiteConfig("far.example.org", ""), EDGE))
    assert far.status is Status.FAIL
    assert far.message == "far.example.org is served by App Platform app far in nyc."


def test_an_app_site_that_also_points_at_a_droplet_elsewhere_fails() -> None:
    verdict = judge_hosting(facts(SiteConfig("shop.example.org", ""), (*EDGE, "192.0.2.13")))
    assert verdict.status is Status.FAIL
    assert "192.0.2.13 is droplet legacy in nyc3" in verdict.message


def test_a_name_on_a_cdn_endpoint_is_judged_by_its_origin() -> None:
    near = judge_hosting(facts(SiteConfig("static.example.org", ""), EDGE))
    assert near.status is Status.PASS
    assert "static.ams3.digitaloceanspaces.com is in ams3" in near.message
    far = judge_hosting(facts(SiteConfig("farstatic.example.org", ""), EDGE))
    assert far.status is Status.FAIL
    assert far.evidence["hosting"] == {"via": "cdn", "regions": ["sfo3"]}


def test_a_site_on_no_app_and_no_resource_still_fails() -> None:
    verdict = judge_hosting(facts(SiteConfig("other.example.org", ""), EDGE))
    assert verdict.status is Status.FAIL
    assert "203.0.113.5 belongs to no resource of the account" in verdict.message


PROCESSOR = SiteConfig("medlem.example.org", "", processor="Acme", reason="members' system")


def test_a_processors_site_is_neither_pass_nor_fail() -> None:
    verdict = judge_hosting(facts(PROCESSOR, EDGE))
    assert verdict.status is Status.SKIPPED
    assert "hosted by the data processor Acme" in verdict.message
    assert verdict.evidence["hosting"]["reason"] == "members' system"
    # Skipped: it never makes the promise hold by itself, and never breaks it.
    assert worst_status([verdict.status]) is Status.SKIPPED
    assert worst_status([verdict.status, Status.FAIL]) is Status.FAIL


def test_a_processors_site_in_the_account_warns_that_the_config_is_stale() -> None:
    stale = judge_hosting(facts(PROCESSOR, ("192.0.2.11",)))
    assert stale.status is Status.WARN
    assert "the configuration is stale" in stale.message
    moved = judge_hosting(facts(PROCESSOR, ("192.0.2.13",)))
    assert moved.status is Status.FAIL  # our own server, outside Amsterdam
    assert "droplet legacy in nyc3" in moved.message


FRONTED = SiteConfig("www.example.org", "", front="cloudflare", origin_addresses=("192.0.2.11",))
PUBLIC = TlsAnswer("198.51.100.1", key_sha256="aa", names=("www.example.org",), covers_site=True)


def test_a_fronted_sites_origin_outside_the_account_fails_before_anything_is_asked() -> None:
    elsewhere = SiteConfig(
        "www.example.org", "", front="cloudflare", origin_addresses=("192.0.2.13",)
    )
    verdict = judge_hosting(facts(elsewhere, ("198.51.100.1",)))
    assert verdict.status is Status.FAIL
    assert "behind cloudflare; its origin is elsewhere" in verdict.message
    assert verdict.evidence["hosting"]["problem"] == "origin_elsewhere"


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        (TlsAnswer("192.0.2.11", key_sha256="aa", http_status=503), Status.PASS),
        (TlsAnswer("192.0.2.11", key_sha256="bb", covers_site=True, http_status=200), Status.PASS),
        (TlsAnswer("192.0.2.11", key_sha256="bb", covers_site=True, http_status=421), Status.FAIL),
        (TlsAnswer("192.0.2.11", key_sha256="bb", covers_site=True, http_status=502), Status.FAIL),
        (TlsAnswer("192.0.2.11", key_sha256="bb", covers_site=False, http_status=200), Status.FAIL),
        (TlsAnswer("192.0.2.11", error="ConnectionRefusedError"), Status.ERROR),
    ],
)
def test_an_origin_serves_the_site_by_its_key_or_by_its_name_and_answer(
    origin: TlsAnswer, status: Status
) -> None:
    verdict = judge_hosting(facts(FRONTED, ("198.51.100.1",), FrontProbe(PUBLIC, (origin,))))
    assert verdict.status is status


def test_the_bypass_warning_speaks_only_for_the_auditors_vantage_point() -> None:
    answered = FrontProbe(PUBLIC, (TlsAnswer("192.0.2.11", key_sha256="aa", http_status=200),))
    warning = judge_bypass(facts(FRONTED, ("198.51.100.1",), answered))
    assert warning.status is Status.WARN
    assert "answered the auditor directly" in warning.message
    assert "Unless its firewall lets only cloudflare and the auditor through" in warning.message
    closed = FrontProbe(PUBLIC, (TlsAnswer("192.0.2.11", error="timed out"),))
    assert judge_bypass(facts(FRONTED, ("198.51.100.1",), closed)).status is Status.PASS
    plain = judge_bypass(facts(SiteConfig("shop.example.org", ""), EDGE))
    assert plain.status is Status.SKIPPED


def every_verdict() -> list[tuple[str, Verdict]]:
    """A verdict of each hosting judge on each of its paths, by its check's id."""
    probe = FrontProbe(PUBLIC, (TlsAnswer("192.0.2.11", key_sha256="aa", http_status=200),))
    other = FrontProbe(PUBLIC, (TlsAnswer("192.0.2.11", key_sha256="bb", names=("x.org",)),))
    shut = FrontProbe(PUBLIC, (TlsAnswer("192.0.2.11", error=N_("no certificate")),))
    elsewhere = SiteConfig("www.example.org", "", front="cf", origin_addresses=("192.0.2.13",))
    unplaced = CloudResource("app", "c", "nowhere", "", domains=("nowhere.example.org",))
    hosting = [
        judge_hosting(facts(SiteConfig(host, ""), EDGE))
        for host in ("shop.example.org", "far.example.org", "static.example.org")
    ]
    hosting += [
        judge_hosting(facts(SiteConfig("shop.example.org", ""), (*EDGE, "192.0.2.13"))),
        judge_hosting(facts(SiteConfig("other.example.org", ""), EDGE)),
        judge_hosting(facts(SiteConfig("www.example.org", ""), ("192.0.2.11",))),
        judge_hosting(facts(PROCESSOR, EDGE)),
        judge_hosting(facts(PROCESSOR, ("192.0.2.11",))),
        judge_hosting(facts(PROCESSOR, ("192.0.2.13",))),
        judge_hosting(facts(elsewhere, ("198.51.100.1",))),
        judge_hosting(facts(FRONTED, ("198.51.100.1",))),
        *(judge_hosting(facts(FRONTED, ("198.51.100.1",), p)) for p in (probe, other, shut)),
        judge_hosting(
            HostingFacts(SiteConfig("nowhere.example.org", ""), EDGE, (unplaced,), ALLOWED)
        ),
    ]
    bypass = [judge_bypass(facts(FRONTED, ("198.51.100.1",), p)) for p in (probe, shut)] + [
        judge_bypass(facts(SiteConfig("shop.example.org", ""), EDGE))
    ]
    unknown = parse.cdn_endpoint(cdn_endpoint("odd", "ams3", "odd.example.org"))
    unknown = replace(unknown, region="", origin="odd.example.net")
    region = [digitalocean.check_region(r, ALLOWED) for r in (*CLOUD, unknown)]
    return (
        [("dns.points_to_inventory", v) for v in hosting]
        + [("dns.front.bypass", v) for v in bypass]
        + [("do.droplet.region", v) for v in region]
    )


def test_every_hosting_verdict_is_worded_for_the_danish_catalog() -> None:
    verdicts = every_verdict()
    assert {v.status for _, v in verdicts} == set(Status)  # every path, each status
    for _, verdict in verdicts:
        assert isinstance(verdict.message, Message), verdict.message
        assert untranslated(verdict.message) == [], verdict.message


def test_the_public_page_says_what_is_wrong_with_a_sites_hosting_in_its_own_words() -> None:
    specs = {spec.id: spec for spec in (*dns.SPECS, *digitalocean.SPECS)}
    for check_id, verdict in every_verdict():
        spec = specs[check_id]
        finding = spec.finding("www.example.org", verdict.status, verdict.message, verdict.evidence)
        if verdict.status in (Status.FAIL, Status.WARN):
            said = public_words.problem(finding, "title")
            assert "«title»" not in said, verdict.message  # not the fallback
        elif verdict.status in (Status.ERROR, Status.SKIPPED):
            said = public_words.cause(finding)
            assert said not in public_words.SOME_NOT_RUN.values(), verdict.message
        else:
            continue
        assert "192.0.2" not in said  # never an address on the public page
        assert "example" not in said


# The configuration.


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ('front = "cloudflare"', "sites[0].origin_addresses: is required with front"),
        ('origin_addresses = ["192.0.2.11"]', "sites[0].front: is required with origin_addresses"),
        ('processor = "Acme"', "sites[0].reason: is required with processor"),
        ('reason = "why"', "sites[0].processor: is required with reason"),
        (
            'front = "cf"\norigin_addresses = ["192.0.2.11"]\nprocessor = "A"\nreason = "r"',
            "a site is either behind a front or a processor's",
        ),
        ('front = "cf"\norigin_addresses = ["origin"]', "not an IP address: 'origin'"),
    ],
)
def test_hosting_keys_go_together(keys: str, problem: str) -> None:
    text = f'[[sites]]\nhost = "www.example.org"\n{keys}\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "test.toml", Path("/tmp"))
    assert problem in str(caught.value)


def test_a_fronted_and_a_processors_site_are_read() -> None:
    text = (
        '[[sites]]\nhost = "www.example.org"\nfront = "cloudflare"\n'
        'origin_addresses = ["192.0.2.11"]\n'
        '[[sites]]\nhost = "medlem.example.org"\nprocessor = "Acme"\nreason = "members"\n'
    )
    fronted, processor = parse_config(text, "test.toml", Path("/tmp")).sites
    assert (fronted.front, fronted.origin_addresses) == ("cloudflare", ("192.0.2.11",))
    assert (processor.processor, processor.reason) == ("Acme", "members")


# The origin probe against peers that will not finish.


def test_an_origin_that_trickles_its_handshake_is_cut_off() -> None:
    with trickling("127.0.35.90", TLS_RECORD_START) as port:
        started = time.monotonic()
        answer = ask("www.example.org", port, "127.0.35.90", 0.5)
    assert time.monotonic() - started < 3
    assert answer.error == "no complete answer within 1 s"
    assert isinstance(answer.error, Message)  # our own words: translated on the pages
    assert not answer.answered


def test_an_origin_whose_answer_never_ends_is_cut_off(tmp_path: Path) -> None:
    with trickling("127.0.35.91", b"HTTP/1.1 200 ", tmp_path) as port:
        answer = ask("trickle.test", port, "127.0.35.91", 0.5)
    assert answer.error == "no complete answer within 1 s"


def test_an_origin_with_nothing_listening_is_refused() -> None:
    answer = ask("www.example.org", free_port("127.0.35.92"), "127.0.35.92", 0.5)
    assert answer.error is not None
    assert answer.error.startswith("ConnectionRefusedError")


def test_a_token_that_may_not_read_apps_says_which_scope_it_lacks(
    do_lab: DoLab, tmp_path: Path
) -> None:
    forbidden = json.dumps(example("ERROR_403_forbidden.json")).encode()
    do_lab.fake.script("apps", Scripted(403, forbidden))
    config = parse_config(do_lab.config_text(), "test.toml", tmp_path)
    outcome = digitalocean.FAMILY.audit(
        SimpleTarget(digitalocean.ACCOUNT_TARGET),
        AuditContext(config=config, env=do_lab.env),
    )
    statuses = {f.status for f in outcome.findings}
    assert statuses == {Status.ERROR}  # never a pass on an account read in part
    assert "reading the App Platform apps needs the token's app:read scope" in (
        outcome.findings[0].message
    )
    assert do_lab.token not in outcome.findings[0].message
