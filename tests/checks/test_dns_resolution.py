"""Sites found through DNS, against a real DNS server on loopback and the nginx lab."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.core.config import load_config
from auditor.core.family import AuditContext
from auditor.core.model import Status
from auditor.core.report import Report
from auditor.core.runner import run_audit
from checks import families
from checks.sites import NO_IPV6
from tests.support.dns_lab import LoopbackDns
from tests.support.sites_lab import SitesLab

DNS_ADDRESS = "127.0.61.1"


@pytest.fixture(scope="module")
def dns_server(sites_lab: SitesLab) -> Iterator[LoopbackDns]:
    good = sites_lab.site("good")
    server = LoopbackDns(
        DNS_ADDRESS,
        {
            # Reached over IPv4 (nginx) and IPv6 (::1, where nothing listens).
            good.host: {"A": [good.address], "AAAA": ["::1"]},
            "v6only.lab.test": {"AAAA": ["::1"]},
        },
        silent=frozenset({"quiet.lab.test"}),
    )
    yield server
    server.close()


def _audit(
    sites_lab: SitesLab, dns: LoopbackDns, tmp_path: Path, hosts: list[str], extra: str = ""
) -> Report:
    port = sites_lab.site("good").https_port
    blocks = [
        f'[[sites]]\nhost = "{host}"\nplatform = "Lab"\nport = {port}\n'
        f'http_port = {sites_lab.site("good").http_port}\nca_file = "{sites_lab.root_pem}"\n'
        for host in hosts
    ]
    config = tmp_path / "auditor.toml"
    config.write_text(
        "\n".join(blocks) + "\n[limits]\nconnect_timeout = 1\n" + dns.config() + extra + "\n"
    )
    return run_audit(families("tls", "https"), AuditContext(config=load_config(config)))


def _by(report: Report, target: str) -> dict[str, Status]:
    return {f.check: f.status for f in report.findings if f.target == target}


def test_every_address_is_checked_and_each_name_asked_once(
    sites_lab: SitesLab, dns_server: LoopbackDns, tmp_path: Path
) -> None:
    good = sites_lab.site("good")
    before = dns_server.asked(good.host, "A"), dns_server.asked(good.host, "AAAA")
    report = _audit(sites_lab, dns_server, tmp_path, [good.host])
    v4, v6 = f"{good.label}@{good.address}", f"{good.label}@::1"
    assert _by(report, v4)["tls.cert.trusted"] is Status.PASS
    assert _by(report, v4)["https.hsts"] is Status.PASS
    # Nothing listens on ::1: that address could not be checked, and says so.
    assert _by(report, v6)["tls.connect"] is Status.ERROR
    # The tls and https families both needed the answer; the name was asked once.
    after = dns_server.asked(good.host, "A"), dns_server.asked(good.host, "AAAA")
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)


def test_without_ipv6_the_aaaa_twin_is_skipped_and_says_why(
    sites_lab: SitesLab, dns_server: LoopbackDns, tmp_path: Path
) -> None:
    good = sites_lab.site("good")
    report = _audit(sites_lab, dns_server, tmp_path, [good.host], "probe_ipv6 = false")
    v6 = [f for f in report.findings if f.target == f"{good.label}@::1"]
    assert v6
    assert {f.status for f in v6} == {Status.SKIPPED}
    assert {f.message for f in v6} == {NO_IPV6}
    assert _by(report, f"{good.label}@{good.address}")["tls.cert.trusted"] is Status.PASS


def test_a_site_with_only_ipv6_is_still_probed_when_ipv6_is_off(
    sites_lab: SitesLab, dns_server: LoopbackDns, tmp_path: Path
) -> None:
    """The switch never leaves a whole site unchecked: it would read as a promise kept."""
    port = sites_lab.site("good").https_port
    report = _audit(sites_lab, dns_server, tmp_path, ["v6only.lab.test"], "probe_ipv6 = false")
    assert _by(report, f"v6only.lab.test:{port}")["tls.connect"] is Status.ERROR


def test_a_missing_and_a_silent_name_are_errors_within_the_timeout(
    sites_lab: SitesLab, dns_server: LoopbackDns, tmp_path: Path
) -> None:
    port = sites_lab.site("good").https_port
    started = time.monotonic()
    report = _audit(sites_lab, dns_server, tmp_path, ["gone.lab.test", "quiet.lab.test"])
    elapsed = time.monotonic() - started
    gone = next(f for f in report.findings if f.key == ("tls.connect", f"gone.lab.test:{port}"))
    assert gone.status is Status.ERROR
    assert "does not exist in DNS (NXDOMAIN)" in gone.message
    quiet = next(f for f in report.findings if f.key == ("tls.connect", f"quiet.lab.test:{port}"))
    assert quiet.status is Status.ERROR
    assert "timed out" in quiet.message
    assert all(f.status is not Status.PASS for f in report.findings)
    # Bounded by the lookup lifetime (1 s per record type), never a hang.
    assert elapsed < 10


def test_an_address_given_as_the_host_is_not_looked_up(
    sites_lab: SitesLab, dns_server: LoopbackDns, tmp_path: Path
) -> None:
    good = sites_lab.site("good")
    asked = sum(dns_server.questions.values())
    report = _audit(sites_lab, dns_server, tmp_path, [good.address])
    connect = next(f for f in report.findings if f.check == "tls.connect")
    assert connect.status is Status.PASS, connect.message
    assert connect.evidence["address"] == good.address
    # The certificate names good.lab.test, not the address: that is the hostname check's call.
    assert _by(report, f"{good.address}:{good.https_port}")["tls.cert.hostname"] is Status.FAIL
    assert sum(dns_server.questions.values()) == asked
