"""Every DigitalOcean and DNS verdict against the fake API's scenario account."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.core.config import load_config
from auditor.core.family import AuditContext
from auditor.core.model import ClaimId, Finding, Status
from auditor.core.report import Report
from auditor.core.runner import run_audit
from auditor.lab.fake_digitalocean import Scripted
from auditor.lab.ssh_server import LabSshServer
from checks import families
from tests.support.digitalocean_fake import NET, DoLab
from tests.support.dns_lab import LoopbackDns

SITES = {
    "lb.example.test": [f"{NET}.21"],  # the load balancer in ams3
    "reserved.example.test": [f"{NET}.31"],  # a reserved IP in ams3
    "legacy.example.test": [f"{NET}.13"],  # a droplet in nyc3
    "stray.example.test": [f"{NET}.12", f"{NET}.99"],  # one good address, one not ours
}


def audit(lab: DoLab, tmp_path: Path, env: dict[str, str] | None = None) -> Report:
    config = load_config(lab.write_config(tmp_path / "auditor.toml", SITES))
    ctx = AuditContext(config=config, env=lab.env if env is None else env)
    return run_audit(families("digitalocean", "dns", "access"), ctx)


def verdicts(report: Report, check: str) -> dict[str, Status]:
    return {f.target: f.status for f in report.findings if f.check == check}


def finding(report: Report, check: str, target: str) -> Finding:
    return next(f for f in report.findings if f.check == check and f.target == target)


def test_regions_of_droplets_load_balancers_and_reserved_ips(do_lab: DoLab, tmp_path: Path) -> None:
    report = audit(do_lab, tmp_path)
    assert verdicts(report, "do.droplet.region") == {
        "droplet:web-ams3": Status.PASS,
        "droplet:db-ams3": Status.PASS,
        "droplet:legacy-nyc3": Status.FAIL,
        "load_balancer:lb-ams3": Status.PASS,
        f"reserved_ip:{NET}.31 -> web-ams3": Status.PASS,
        f"reserved_ip:{NET}.32": Status.FAIL,
    }
    legacy = finding(report, "do.droplet.region", "droplet:legacy-nyc3")
    assert legacy.message == "Droplet legacy-nyc3 is in nyc3, not in ams2, ams3."
    assert report.claim(ClaimId.HOSTING).status is Status.FAIL


def test_firewalls_that_open_ssh_to_the_world_warn(do_lab: DoLab, tmp_path: Path) -> None:
    report = audit(do_lab, tmp_path)
    assert verdicts(report, "do.firewall.ssh_open") == {
        "firewall:fw-web": Status.WARN,  # 22 from 0.0.0.0/0 and ::/0
        "firewall:fw-db": Status.PASS,  # 22 from 10.0.0.0/8 only; a rule with sources {}
        "firewall:fw-unused": Status.WARN,  # 1-65535 from ::/0
    }
    web = finding(report, "do.firewall.ssh_open", "firewall:fw-web")
    assert web.evidence["open_rules"] == [
        {"protocol": "tcp", "ports": "22", "sources": ["0.0.0.0/0", "::/0"]}
    ]


def test_droplets_without_a_firewall_by_id_or_tag(do_lab: DoLab, tmp_path: Path) -> None:
    report = audit(do_lab, tmp_path)
    assert verdicts(report, "do.droplet.no_firewall") == {
        "droplet:web-ams3": Status.PASS,  # by tag "web"
        "droplet:db-ams3": Status.PASS,  # by droplet id
        "droplet:legacy-nyc3": Status.WARN,
    }
    cloud = {r.name: r for r in report.inventory.cloud}
    assert cloud["web-ams3"].firewalls == ("fw-web",)
    assert cloud["db-ams3"].firewalls == ("fw-db",)
    assert cloud["web-ams3"].features == ("backups", "monitoring", "private_networking")
    assert cloud["web-ams3"].ipv4 == (f"{NET}.11",)  # the private address is not public


def test_managed_certificates_expired_expiring_and_fine(do_lab: DoLab, tmp_path: Path) -> None:
    report = audit(do_lab, tmp_path)
    assert verdicts(report, "do.certificate.expiry") == {
        "certificate:expired": Status.FAIL,
        "certificate:expiring": Status.WARN,
        "certificate:fine": Status.PASS,
    }


def test_sites_must_point_at_the_accounts_resources_in_amsterdam(
    do_lab: DoLab, tmp_path: Path
) -> None:
    report = audit(do_lab, tmp_path)
    assert verdicts(report, "dns.points_to_inventory") == {
        "lb.example.test": Status.PASS,
        "reserved.example.test": Status.PASS,
        "legacy.example.test": Status.FAIL,
        "stray.example.test": Status.FAIL,
    }
    legacy = finding(report, "dns.points_to_inventory", "legacy.example.test")
    assert "droplet legacy-nyc3 in nyc3" in legacy.message
    stray = finding(report, "dns.points_to_inventory", "stray.example.test")
    assert f"{NET}.99 belongs to no resource of the account" in stray.message
    assert f"{NET}.12 " not in stray.message  # the good address is not blamed
    reserved = finding(report, "dns.points_to_inventory", "reserved.example.test")
    assert reserved.evidence["addresses"][0]["resource"] == f"reserved_ip:{NET}.31 -> web-ams3"


def test_a_site_whose_aaaa_lookup_fails_is_not_passed_on_its_a_records(
    do_lab: DoLab, tmp_path: Path
) -> None:
    # The A record is a droplet in ams3; where the AAAA would point is unknown.
    server = LoopbackDns(
        f"{NET}.53",
        {"half.example.test": {"A": [f"{NET}.12"]}, "whole.example.test": {"A": [f"{NET}.12"]}},
        failing=frozenset({("half.example.test", "AAAA")}),
    )
    try:
        text = do_lab.config_text() + server.config()
        for host in ("half.example.test", "whole.example.test"):
            text += f'[[sites]]\nhost = "{host}"\nplatform = "Lab"\n'
        (tmp_path / "auditor.toml").write_text(text)
        ctx = AuditContext(config=load_config(tmp_path / "auditor.toml"), env=do_lab.env)
        report = run_audit(families("digitalocean", "dns"), ctx)
    finally:
        server.close()
    assert verdicts(report, "dns.points_to_inventory") == {
        "half.example.test": Status.ERROR,
        "whole.example.test": Status.PASS,  # no AAAA record at all is an answer
    }
    half = finding(report, "dns.points_to_inventory", "half.example.test")
    assert "AAAA lookup failed" in half.message
    assert half.evidence["addresses"][0]["resource"] == "droplet:db-ams3"


def test_account_keys_feed_the_access_family(do_lab: DoLab, tmp_path: Path) -> None:
    report = audit(do_lab, tmp_path)
    keys = {k.location.comment: k for k in report.inventory.found_keys}
    anna = keys["Anna (laptop)"]
    assert anna.fingerprint == do_lab.account_key_fingerprint
    assert (anna.key_type, anna.bits, anna.location.server) == ("ED25519", 256, "digitalocean")
    example = keys["Other Public Key"]  # DigitalOcean's example key is not a readable key
    assert example.fingerprint == "MD5:3b:16:e4:bf:8b:00:8b:b8:59:8c:a9:d3:f0:19:fa:45"
    assert example.key_type == "UNREADABLE"
    assert report.inventory.cloud_account == "My Team"


def test_without_a_token_everything_is_skipped_and_nothing_is_asked(
    do_lab: DoLab, tmp_path: Path
) -> None:
    report = audit(do_lab, tmp_path, env={})
    do_findings = [f for f in report.findings if f.check.startswith(("do.", "dns."))]
    assert {f.status for f in do_findings} == {Status.SKIPPED}
    assert "DIGITALOCEAN_ACCESS_TOKEN is not set" in do_findings[0].message
    assert do_lab.fake.requests == []
    assert report.claim(ClaimId.HOSTING).status is Status.SKIPPED


def test_an_api_failure_is_an_error_never_a_pass(do_lab: DoLab, tmp_path: Path) -> None:
    broken = json.dumps({"id": "server_error", "message": "Unexpected server-side error"})
    do_lab.fake.script("droplets", *[Scripted(500, broken.encode(), {"retry-after": "0"})] * 5)
    report = audit(do_lab, tmp_path)
    do_findings = [f for f in report.findings if f.check.startswith("do.")]
    assert {f.status for f in do_findings} == {Status.ERROR}
    assert "500: Unexpected server-side error" in do_findings[0].message
    assert {f.status for f in report.findings_for("dns.points_to_inventory")} == {Status.SKIPPED}
    assert report.claim(ClaimId.HOSTING).status is Status.ERROR
    assert report.exit_code() == 3


def test_a_refused_token_is_an_error_and_never_in_the_report(do_lab: DoLab, tmp_path: Path) -> None:
    wrong = "dop_v1_" + "f" * 64
    report = audit(do_lab, tmp_path, env={"DIGITALOCEAN_ACCESS_TOKEN": wrong})
    region = report.findings_for("do.droplet.region")
    assert [f.status for f in region] == [Status.ERROR]
    assert "refused the token (401" in region[0].message
    text = json.dumps(report.to_dict())
    assert wrong not in text
    assert do_lab.token not in text


def test_an_answer_that_echoes_the_token_does_not_put_it_in_the_report(
    do_lab: DoLab, tmp_path: Path
) -> None:
    # A next-page link is the API's text quoted in a message: an API (or a proxy in front
    # of it) that echoes the token there must not get it into the report.
    echoed = {
        "droplets": [],
        "links": {"pages": {"next": f"{do_lab.fake.base}droplets?t={do_lab.token}"}},
    }
    do_lab.fake.script("droplets", Scripted(200, json.dumps(echoed).encode()))
    report = audit(do_lab, tmp_path)
    region = report.findings_for("do.droplet.region")
    assert [f.status for f in region] == [Status.ERROR]
    assert "next-page link without a page number" in region[0].message
    assert "t=[token]" in region[0].message
    assert do_lab.token not in json.dumps(report.to_dict())


def test_links_in_another_shape_end_the_listing_without_a_crash(
    do_lab: DoLab, tmp_path: Path
) -> None:
    for links in (["x"], {"pages": "x"}):
        do_lab.fake.script(
            "droplets", Scripted(200, json.dumps({"droplets": [], "links": links}).encode())
        )
        report = audit(do_lab, tmp_path)
        # Read as a single page: the droplets listed are all there is, nothing crashed.
        region = report.findings_for("do.droplet.region")
        assert all("AttributeError" not in f.message for f in region)
        assert Status.ERROR not in {f.status for f in region}


def test_the_token_never_appears_in_a_full_report(do_lab: DoLab, tmp_path: Path) -> None:
    report = audit(do_lab, tmp_path)
    assert do_lab.token not in json.dumps(report.to_dict())
    assert {r.authorization for r in do_lab.fake.requests} == {f"Bearer {do_lab.token}"}


def test_droplets_become_ssh_targets_unless_excluded(do_lab: DoLab, tmp_path: Path) -> None:
    server = LabSshServer(f"{NET}.11", methods="publickey,password")  # droplet web-ams3
    try:
        text = do_lab.config_text().replace("from_inventory = false", "from_inventory = true")
        text += f'inventory_port = {server.port}\nexclude = ["db-ams3", "{NET}.13"]\n'
        (tmp_path / "auditor.toml").write_text(text)
        config = load_config(tmp_path / "auditor.toml")
        report = run_audit(families("digitalocean", "ssh"), AuditContext(config, do_lab.env))
    finally:
        server.close()
    ssh_targets = {f.target for f in report.findings if f.check.startswith("ssh.")}
    assert ssh_targets == {f"web-ams3:{server.port}"}
    password = report.findings_for("ssh.auth.password")
    assert [f.status for f in password] == [Status.FAIL]
    assert [s.host for s in report.inventory.ssh_servers] == ["web-ams3"]
    assert {method for _, method in server.attempts.methods} == {"none"}
