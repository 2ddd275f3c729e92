"""`auditor tls`, `auditor https` and `auditor run` against the nginx lab, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.core.config import AuditConfig, SiteConfig
from auditor.core.family import AuditContext
from auditor.core.model import Status
from auditor.core.runner import run_audit
from checks import families
from tests.support.cli import run_auditor
from tests.support.sites_lab import SitesLab


def _pin(lab: SitesLab, case: str) -> list[str]:
    site = lab.site(case)
    return [
        f"{site.host}:{site.https_port}",
        "--address",
        site.address,
        "--ca-file",
        str(lab.root_pem),
    ]


def test_tls_on_a_healthy_site_exits_0_and_shows_the_certificate(sites_lab: SitesLab) -> None:
    result = run_auditor("tls", *_pin(sites_lab, "good"))
    assert result.returncode == 0, result.stderr
    assert "good.lab.test" in result.stdout
    assert "Auditor Lab Intermediate CA" in result.stdout
    assert "TLS 1.2" in result.stdout
    assert "TLS 1.3" in result.stdout
    assert result.stderr == ""


def test_tls_on_an_expired_site_exits_1_and_says_why(sites_lab: SitesLab) -> None:
    result = run_auditor("tls", *_pin(sites_lab, "expired"))
    assert result.returncode == 1
    assert "expired on" in result.stdout


def test_tls_json_is_the_report_schema(sites_lab: SitesLab) -> None:
    result = run_auditor("tls", *_pin(sites_lab, "legacy"), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["schema"] == "auditor.report/2"
    protocols = next(f for f in report["findings"] if f["check"] == "tls.protocols")
    assert protocols["status"] == "fail"
    assert report["inventory"]["certificates"][0]["tls_versions"] == [
        "TLS 1.0",
        "TLS 1.1",
        "TLS 1.2",
    ]


def test_tls_on_a_closed_port_exits_3(sites_lab: SitesLab) -> None:
    result = run_auditor("tls", *_pin(sites_lab, "closed"), "--timeout", "2")
    assert result.returncode == 3
    assert "connection refused" in result.stdout
    assert "Traceback" not in result.stderr


def test_https_reports_redirect_and_hsts(sites_lab: SitesLab) -> None:
    site = sites_lab.site("shorthsts")
    result = run_auditor(
        "https",
        f"{site.host}:{site.https_port}",
        "--address",
        site.address,
        "--http-port",
        str(site.http_port),
    )
    assert result.returncode == 0  # a warning alone does not break the promise
    assert "redirects (301)" in result.stdout
    assert "only 1 day" in result.stdout


def test_run_writes_report_json_and_exits_1_on_broken_sites(
    sites_lab: SitesLab, tmp_path: Path
) -> None:
    config = sites_lab.write_config(tmp_path / "auditor.toml", ["good", "nohsts"])
    result = run_auditor("run", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    https_claim = next(c for c in report["claims"] if c["id"] == "https")
    assert https_claim["status"] == "fail"
    failing = {
        (f["check"], f["target"].split(".")[0]) for f in report["findings"] if f["status"] == "fail"
    }
    assert failing == {("https.hsts", "nohsts")}


def test_run_on_healthy_sites_exits_0(sites_lab: SitesLab, tmp_path: Path) -> None:
    config = sites_lab.write_config(tmp_path / "auditor.toml", ["good", "tls13only"])
    result = run_auditor("run", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_tls_deep_lists_every_accepted_suite_through_sslyze(sites_lab: SitesLab) -> None:
    result = run_auditor("tls", *_pin(sites_lab, "weakciphers"), "--deep", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    ciphers = next(f for f in report["findings"] if f["check"] == "tls.ciphers")
    accepted = ciphers["evidence"]["accepted_suites"]
    # nginx was told: ECDHE+AESGCM plus three weak suites, TLS 1.2 only.
    assert {"ECDHE-RSA-NULL-SHA", "NULL-SHA256", "AECDH-AES128-SHA"} <= set(accepted["TLS 1.2"])
    assert any("GCM" in suite for suite in accepted["TLS 1.2"])
    assert accepted.get("TLS 1.1", []) == []
    # The fast probe's weak verdict and the exhaustive list agree.
    weak = {entry["suite"] for entry in ciphers["evidence"]["weak_accepted"]}
    assert weak == {"ECDHE-RSA-NULL-SHA", "NULL-SHA256", "AECDH-AES128-SHA"}

    table = run_auditor("tls", *_pin(sites_lab, "weakciphers"), "--deep")
    assert "TLS 1.2 suites" in table.stdout
    assert "NULL-SHA256" in table.stdout


def test_a_bad_extra_ca_file_is_a_usage_error(sites_lab: SitesLab, tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    site = _pin(sites_lab, "good")[:3]
    result = run_auditor("tls", *site, "--ca-file", str(ca_file), "--format", "json")
    assert result.returncode == 2
    problem = f"Invalid value for '--ca-file': {ca_file} is not a list of PEM certificates"
    assert problem in result.stderr
    # --format json: stdout is still one JSON document, the failure's.
    assert json.loads(result.stdout) == {"error": problem, "exit_code": 2}


def test_a_ca_file_spoilt_after_the_config_was_read_is_an_error_that_names_it(
    sites_lab: SitesLab, tmp_path: Path
) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    site = sites_lab.site("good")
    config = AuditConfig(
        source="test",
        sites=(
            SiteConfig(site.host, "", site.https_port, addresses=(site.address,), ca_file=ca_file),
        ),
    )
    report = run_audit(families("tls"), AuditContext(config=config))
    assert {f.status for f in report.findings} == {Status.ERROR}
    assert {f.message for f in report.findings} == {
        f"Could not use the extra CA file: {ca_file} is not a list of PEM certificates."
    }
