"""Every tls.* and https.* verdict against a real nginx, one loopback address per case."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.core.config import load_config
from auditor.core.family import AuditContext
from auditor.core.model import ClaimId, Status
from auditor.core.report import Report
from auditor.core.runner import run_audit
from checks import families
from checks.tls import probe as tls_probe
from checks.tls.certificate import Anchors
from checks.tls.family import Judgement, check_ciphers
from checks.tls.probe import Endpoint, TlsVersion
from tests.support.sites_lab import SitesLab

P, W, F, E, S = Status.PASS, Status.WARN, Status.FAIL, Status.ERROR, Status.SKIPPED
HEALTHY = {
    "tls.connect": P,
    "tls.cert.trusted": P,
    "tls.cert.chain_complete": P,
    "tls.cert.hostname": P,
    "tls.cert.expiry": P,
    "tls.cert.key": P,
    "tls.cert.signature": P,
    "tls.protocols": P,
    "tls.ciphers": P,
    "https.redirect": P,
    "https.hsts": P,
}
UNREACHABLE = dict.fromkeys(HEALTHY, S) | {
    "tls.connect": E,
    "https.redirect": W,  # nothing on plain http either: no cleartext, but no redirect
    "https.hsts": E,
}
# What the auditor must conclude for each case: only the differences from a healthy site.
EXPECTED: dict[str, dict[str, Status]] = {
    "good": {},
    "expired": {"tls.cert.expiry": F},
    "expiring": {"tls.cert.expiry": W},
    "selfsigned": {"tls.cert.trusted": F, "tls.cert.chain_complete": S},
    "wronghost": {"tls.cert.hostname": F},
    "nochain": {"tls.cert.chain_complete": F, "tls.cert.trusted": F},
    "weakkey": {"tls.cert.key": F},
    "sha1": {"tls.cert.signature": F, "tls.cert.trusted": F},
    "legacy": {"tls.protocols": F, "tls.ciphers": W},  # Debian's default suites: CBC, RSA
    "weakciphers": {"tls.ciphers": F},
    "tls13only": {},
    "noredirect": {"https.redirect": F},
    "offhost": {"https.redirect": F},
    "tohttp": {"https.redirect": F},
    "loop": {"https.redirect": F},
    "nohsts": {"https.hsts": F},
    "shorthsts": {"https.hsts": W},
    "badhsts": {"https.hsts": F},
    "hostile": {},
    "ed25519": {"tls.cert.key": F},  # the chain validates: only the key type is refused
    "tls12rare": {"tls.ciphers": W},  # CCM: outside Mozilla intermediate
    "extrasha1": {},
    "phaseout": {"tls.ciphers": W},
}


@pytest.fixture(scope="module")
def lab_report(sites_lab: SitesLab, tmp_path_factory: pytest.TempPathFactory) -> Report:
    config_path = sites_lab.write_config(tmp_path_factory.mktemp("cfg") / "auditor.toml")
    ctx = AuditContext(config=load_config(config_path))
    return run_audit(families("tls", "https"), ctx)


def _verdicts(report: Report, label: str) -> dict[str, Status]:
    return {f.check: f.status for f in report.findings if f.target == label}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_case_gets_the_right_verdicts(
    sites_lab: SitesLab, lab_report: Report, case: str
) -> None:
    expected = HEALTHY | EXPECTED[case]
    assert _verdicts(lab_report, sites_lab.site(case).label) == expected


@pytest.mark.parametrize("case", ["closed", "silent"])
def test_unreachable_sites_are_errors_never_passes(
    sites_lab: SitesLab, lab_report: Report, case: str
) -> None:
    assert _verdicts(lab_report, sites_lab.site(case).label) == UNREACHABLE
    connect = next(
        f for f in lab_report.findings if f.key == ("tls.connect", sites_lab.site(case).label)
    )
    # A dead host is not hammered: at most the first wave's three attempts (the third, TLS
    # 1.2's weak suites, is dropped if the refusals come before it starts), no second wave.
    assert 2 <= connect.evidence["connections"] <= 3


def test_the_https_claim_fails_and_records_every_certificate(
    sites_lab: SitesLab, lab_report: Report
) -> None:
    assert lab_report.claim(ClaimId.HTTPS).status is Status.FAIL
    assert lab_report.exit_code() == 1
    records = {r.site: r for r in lab_report.inventory.certificates}
    good = records[sites_lab.site("good").host]
    assert good.tls_versions == ("TLS 1.2", "TLS 1.3")
    assert good.issuer == "CN=Auditor Lab Intermediate CA,O=Auditor Lab"
    assert good.key_type == "EC"
    assert good.key_size == 256
    assert good.trusted is True
    assert len(good.chain) == 2
    assert len(good.sha256.split(":")) == 32
    assert good.days_left is not None
    assert 80 <= good.days_left <= 90
    legacy = records[sites_lab.site("legacy").host]
    assert legacy.tls_versions == ("TLS 1.0", "TLS 1.1", "TLS 1.2")
    hostile = records[sites_lab.site("hostile").host]
    assert hostile.common_name is not None
    assert "<script>" in hostile.common_name


def test_weak_suites_and_old_versions_are_named_in_the_evidence(
    sites_lab: SitesLab, lab_report: Report
) -> None:
    by_key = {f.key: f for f in lab_report.findings}
    ciphers = by_key[("tls.ciphers", sites_lab.site("weakciphers").label)]
    suites = {entry["suite"] for entry in ciphers.evidence["weak_accepted"]}
    assert suites == {"ECDHE-RSA-NULL-SHA", "NULL-SHA256", "AECDH-AES128-SHA"}
    protocols = by_key[("tls.protocols", sites_lab.site("legacy").label)]
    assert protocols.evidence["accepted"] == ["TLS 1.0", "TLS 1.1", "TLS 1.2"]
    hsts = by_key[("https.hsts", sites_lab.site("good").label)]
    assert hsts.evidence["max_age"] == 63072000
    assert hsts.evidence["include_subdomains"] is True


def test_suites_outside_mozilla_intermediate_are_all_named_with_their_ncsc_level(
    sites_lab: SitesLab, lab_report: Report
) -> None:
    by_key = {f.key: f for f in lab_report.findings}
    ciphers = by_key[("tls.ciphers", sites_lab.site("phaseout").label)]
    listed = {(e["suite"], e["ncsc"]) for e in ciphers.evidence["outside_intermediate"]}
    assert listed == {
        ("AES128-GCM-SHA256", "phase out"),
        ("AES256-SHA", "phase out"),
        ("ECDHE-RSA-AES128-SHA", "sufficient"),
    }
    assert ciphers.message == (
        "Accepts suites outside Mozilla intermediate (phase out: AES128-GCM-SHA256, AES256-SHA; "
        "sufficient: ECDHE-RSA-AES128-SHA)."
    )
    good = by_key[("tls.ciphers", sites_lab.site("good").label)]
    assert good.message == "Accepts only Mozilla intermediate's suites."
    assert good.evidence["outside_intermediate"] == []


def test_browser_refused_keys_rare_suites_and_stray_certificates_are_judged_for_what_they_are(
    sites_lab: SitesLab, lab_report: Report
) -> None:
    by_key = {f.key: f for f in lab_report.findings}
    key = by_key[("tls.cert.key", sites_lab.site("ed25519").label)]
    assert key.message == "Ed25519 key: no major browser accepts such a certificate."
    # TLS 1.2 with one strong suite outside OpenSSL's default list: spoken, and the chain read.
    rare = sites_lab.site("tls12rare").label
    assert by_key[("tls.protocols", rare)].evidence["accepted"] == ["TLS 1.2"]
    assert by_key[("tls.connect", rare)].status is P
    # The stray SHA-1 certificate is sent but on no path: leaf and intermediate are judged.
    stray = by_key[("tls.cert.signature", sites_lab.site("extrasha1").label)].evidence
    assert stray["judged"] == "the validated path"
    assert stray["certificates"] == [
        f"CN={sites_lab.site('extrasha1').host}",
        "CN=Auditor Lab Intermediate CA,O=Auditor Lab",
    ]
    assert stray["weak"] == []
    sha1 = by_key[("tls.cert.signature", sites_lab.site("sha1").label)].evidence
    assert sha1["judged"] == "the chain as sent (it does not validate)"
    assert [weak["subject"] for weak in sha1["weak"]] == [f"CN={sites_lab.site('sha1').host}"]


def test_a_site_costs_at_most_thirty_connections(
    sites_lab: SitesLab, lab_report: Report, tmp_path: Path
) -> None:
    """The tls probe counts its own connections; nginx's log counts the HTTP ones."""
    for case in ("good", "legacy", "weakciphers", "tls12rare", "phaseout"):
        connect = next(
            f
            for f in lab_report.findings
            if f.check == "tls.connect" and f.target == sites_lab.site(case).label
        )
        assert connect.evidence["connections"] <= 27, case
    mark = sites_lab.log_mark()
    config_path = sites_lab.write_config(tmp_path / "auditor.toml", ["good"])
    run_audit(families("https"), AuditContext(config=load_config(config_path)))
    time.sleep(0.2)  # nginx writes its log line when the connection closes
    assert 1 <= sites_lab.connections_to(sites_lab.site("good"), mark) <= 3


def test_a_silent_host_errors_within_the_timeout_and_others_finish(
    sites_lab: SitesLab, tmp_path: Path
) -> None:
    config_path = sites_lab.write_config(tmp_path / "auditor.toml", ["silent", "closed", "good"])
    ctx = AuditContext(config=load_config(config_path))
    started = time.monotonic()
    report = run_audit(families("tls"), ctx)
    elapsed = time.monotonic() - started
    assert _verdicts(report, sites_lab.site("silent").label)["tls.connect"] is E
    assert _verdicts(report, sites_lab.site("closed").label)["tls.connect"] is E
    assert _verdicts(report, sites_lab.site("good").label)["tls.cert.trusted"] is P
    silent = next(
        f for f in report.findings if f.key == ("tls.connect", sites_lab.site("silent").label)
    )
    assert "no complete TLS answer within 2 s" in silent.message
    # Bounded by the 2 s connect timeout, far from sslyze's ~55 s of retries.
    assert elapsed < 30


def test_a_spent_suite_budget_says_the_list_may_be_incomplete(
    sites_lab: SitesLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The phaseout site accepts three suites outside intermediate; two handshakes find two."""
    monkeypatch.setattr(tls_probe, "OUTSIDE_ROUNDS", 2)
    site = sites_lab.site("phaseout")
    scan = tls_probe.probe(Endpoint(site.host, site.address, site.https_port, 5.0), 4)
    assert len(scan.outside_suites) == 2
    assert "may be incomplete" in scan.outside_errors[TlsVersion.TLS_1_2]
    judgement = Judgement(
        site.label, site.host, Anchors.of((sites_lab.ca.root.cert,)), datetime.now(UTC), 21
    )
    verdict = check_ciphers(scan, judgement)
    assert verdict.status is W
    assert verdict.message.endswith("(the list may be incomplete).")
