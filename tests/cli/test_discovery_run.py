"""`auditor run` with [discovery] against the discovery lab: real nginx, sshd, DNS on loopback.

Done when: a live site missing from the config is found, audited and reported as not
configured; an SSH server that is no droplet is found and audited; coverage is on both
pages; a crt.sh outage says "could not check", never a pass.
"""

from __future__ import annotations

import html
import json
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.cli import run_auditor
from tests.support.crtsh_fake import entry, now_minus
from tests.support.discovery_lab import ADDRESSES, EXCLUDE_REASON, DiscoveryLab, host


def _run(lab: DiscoveryLab, *extra: str) -> tuple[int, dict[str, Any]]:
    config = lab.write_config()
    out = lab.folder / "out"
    result = run_auditor("run", "--config", str(config), "--out", str(out), *extra, env=lab.env)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads((out / "report.json").read_text())


def _findings(report: dict[str, Any], check: str) -> dict[str, dict[str, Any]]:
    return {f["target"]: f for f in report["findings"] if f["check"] == check}


def _discovered(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in report["inventory"]["discovered"]}


def test_a_forgotten_site_is_found_audited_and_reported_as_not_configured(
    discovery_lab: DiscoveryLab,
) -> None:
    _, report = _run(discovery_lab)
    found = _discovered(report)
    forgotten = host("forgotten")
    port = discovery_lab.https_port
    assert found[forgotten]["kind"] == "site"
    assert found[forgotten]["sources"] == ["crt.sh"]
    assert found[forgotten]["configured"] is False
    assert found[forgotten]["platform"] == "Lab"  # from [discovery.platforms]
    # Audited like a configured site: nginx was reached, its certificate read and judged.
    label = f"{forgotten}:{port}"
    certificates = {c["target"]: c for c in report["inventory"]["certificates"]}
    assert certificates[label]["sha256"]
    assert certificates[label]["address"] == ADDRESSES["forgotten"]
    assert _findings(report, "tls.connect")[label]["status"] == "pass"
    assert _findings(report, "https.hsts")[label]["status"] == "pass"
    # Not in the config: the coverage check says so, for this site only.
    coverage = _findings(report, "sites.coverage")
    assert coverage[forgotten]["status"] == "warn"
    assert "not in the config" in coverage[forgotten]["message"]
    campaign = host("campaign")  # in the DNS zone only, plain HTTP only: still a site
    assert found[campaign]["sources"] == ["dns-zone"]
    assert found[campaign]["serves"] == ["http"]
    assert coverage[campaign]["status"] == "warn"
    assert _findings(report, "tls.connect")[f"{campaign}:{port}"]["status"] != "pass"
    assert host("www") not in coverage  # configured: no warning
    assert found[host("www")]["sources"] == ["config", "dns-zone", "crt.sh"]


def test_an_ssh_server_that_is_no_droplet_joins_the_ssh_audit(
    discovery_lab: DiscoveryLab,
) -> None:
    _, report = _run(discovery_lab)
    ops = host("ops")
    assert _discovered(report)[ops]["kind"] == "server"
    assert _discovered(report)[ops]["ssh_addresses"] == [ADDRESSES["ops"]]
    label = f"{ops}:{discovery_lab.sshd.port}"
    assert _findings(report, "ssh.connect")[label]["status"] == "pass"
    assert _findings(report, "ssh.auth.password")[label]["status"] == "pass"
    assert "Accepted" not in discovery_lab.sshd.log_text()  # probed, never logged in


def test_silent_names_wildcards_and_exclusions_are_listed_not_findings(
    discovery_lab: DiscoveryLab,
) -> None:
    _, report = _run(discovery_lab)
    found = _discovered(report)
    assert found[host("dead")]["kind"] == "silent"
    assert found[host("old")]["kind"] == "no-address"
    assert found["*." + "lab.test"]["kind"] == "wildcard"
    staging = found[host("staging")]
    assert staging["kind"] == "excluded"
    assert staging["excluded_reason"] == EXCLUDE_REASON
    assert staging["addresses"] == []  # never resolved, never asked
    targets = {f["target"] for f in report["findings"]}
    for quiet in (host("dead"), host("old"), "*.lab.test", host("staging")):
        assert not any(t.startswith(quiet) for t in targets), quiet
    # Each name was asked of DNS once, though the tls, https and dns families read it too.
    assert discovery_lab.dns.asked(host("forgotten"), "A") == 1
    assert discovery_lab.dns.asked(host("staging"), "A") == 0


def test_a_crtsh_outage_is_could_not_check_and_shows_last_weeks_list(
    discovery_lab: DiscoveryLab,
) -> None:
    code, first = _run(discovery_lab)
    assert first["inventory"]["ct_log"]["stale"] is False
    discovery_lab.crtsh.down(times=100)
    code, report = _run(discovery_lab)
    coverage = _findings(report, "sites.coverage")["discovery"]
    assert coverage["status"] == "error"
    assert "Could not check this week" in coverage["message"]
    assert "crt.sh" in coverage["message"]
    assert "the last run's list is used" in coverage["message"]
    https = next(c for c in report["claims"] if c["id"] == "https")
    assert https["status"] != "pass"
    assert code != 0
    log = report["inventory"]["ct_log"]
    assert log["stale"] is True
    assert log["error"] == "crt.sh answered 502 4 times"  # the English sentence, kept as text
    assert log["fetched_at"] == first["inventory"]["ct_log"]["fetched_at"]
    # Last week's names are still audited: the forgotten site is found through them.
    assert _discovered(report)[host("forgotten")]["kind"] == "site"
    ids = {c["id"] for c in report["inventory"]["ct_certificates"]}
    assert ids == {c["id"] for c in first["inventory"]["ct_certificates"]}


def test_a_crtsh_outage_on_the_first_run_is_never_a_pass(discovery_lab: DiscoveryLab) -> None:
    discovery_lab.crtsh.down(times=100)
    code, report = _run(discovery_lab)
    coverage = _findings(report, "sites.coverage")["discovery"]
    assert coverage["status"] == "error"
    assert "there is no earlier list" in coverage["message"]
    assert report["inventory"]["ct_log"]["stale"] is True
    assert report["inventory"]["ct_certificates"] == []
    assert code in {1, 3}


def test_a_certificate_from_an_unexpected_issuer_warns(discovery_lab: DiscoveryLab) -> None:
    _, report = _run(discovery_lab)
    issuers = _findings(report, "ct.issuer")
    assert set(issuers) == {"ct:9004"}  # the rogue one; 9003 is older than 90 days
    assert issuers["ct:9004"]["status"] == "warn"
    assert "Elsewhere Trust" in issuers["ct:9004"]["message"]


def _pages(lab: DiscoveryLab) -> tuple[str, str]:
    """What a reader sees of the public and the internal page: their text, without the markup
    (an identifier's <wbr>s would hide a name from a search of the HTML, or split it)."""
    out = lab.folder / "out"
    return _text((out / "certifikater.html").read_text()), _text((out / "adgang.html").read_text())


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", page))


def test_both_pages_carry_the_coverage_line_and_the_ct_source(
    discovery_lab: DiscoveryLab,
) -> None:
    _run(discovery_lab)
    public, internal = _pages(discovery_lab)
    # 10 names: lab.test, www, forgotten, campaign, dead, ops, old, login, staging, *.lab.test
    line = "10 navne fundet, 8 kontrolleret, 1 udeladt med begrundelse"
    assert line in public
    assert line in internal
    # The public page names the source by its host name, never an address (the lab's is one).
    assert "Certificate Transparency, hentet" in public
    assert f"Certificate Transparency via {discovery_lab.crtsh.base}, hentet" in internal
    # The forgotten site has its own card on the public page, marked as found.
    assert "forgotten.lab.test" in public
    assert "fundet automatisk" in public
    # The excluded name and its reason: on the internal page only.
    assert EXCLUDE_REASON in internal
    assert EXCLUDE_REASON not in public
    assert "staging.lab.test" not in public
    # The CT certificates of the last 90 days, with issuer; the rogue one marked.
    assert "Elsewhere Trust" in internal
    assert "Uventet udsteder" in internal
    assert ADDRESSES["ops"] not in public  # no server address on the public page


def test_an_outage_is_marked_on_both_pages(discovery_lab: DiscoveryLab) -> None:
    _run(discovery_lab)
    discovery_lab.crtsh.down(times=100)
    _run(discovery_lab)
    public, internal = _pages(discovery_lab)
    for page in (public, internal):
        assert "kunne ikke læses denne uge; listen er fra sidste kørsel" in page
        assert "Kunne ikke kontrolleres denne uge" in page
    # The message in Danish all the way down: crt.sh's answer is worded by the auditor too.
    assert (
        "Kunne ikke kontrollere denne uge, at alle hjemmesider er fundet: Certificate "
        "Transparency kunne ikke læses fra crt.sh (crt.sh svarede 502 4 gange); listen fra "
        "sidste kørsel bruges." in internal
    )
    assert "crt.sh answered" not in internal


def test_a_certificate_new_since_the_last_run_is_in_the_diff_and_on_the_internal_page(
    discovery_lab: DiscoveryLab,
) -> None:
    _run(discovery_lab)
    logged = now_minus(datetime.now(UTC), 1)
    discovery_lab.crtsh.entries["lab.test"].append(entry(9100, ["shop.lab.test"], logged))
    _run(discovery_lab)
    config = discovery_lab.folder / "auditor.toml"
    result = run_auditor("diff", "--config", str(config), "--format", "json")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    new = [c for c in changes if c["kind"] == "ct_certificate_new"]
    assert [c["subject"] for c in new] == ["ct:9100"]
    assert "shop.lab.test" in new[0]["after"]
    _, internal = _pages(discovery_lab)
    assert "Nyt certifikat i CT" in internal
    assert "ct:9100" in internal


def test_discover_prints_what_was_found_and_where(discovery_lab: DiscoveryLab) -> None:
    config = str(discovery_lab.write_config())
    env = discovery_lab.env
    table = run_auditor("discover", "--config", config, env=env)
    assert "Traceback" not in table.stderr, table.stderr
    assert "forgotten.lab.test" in table.stdout
    assert "10 names found, 8 checked, 1 excluded with a reason" in table.stdout
    as_json = run_auditor("discover", "--config", config, "--format", "json", env=env)
    report = json.loads(as_json.stdout)
    assert _discovered(report)[host("forgotten")]["sources"] == ["crt.sh"]
    # Discovery only: nothing was audited beyond finding the names.
    assert {f["check"] for f in report["findings"]} == {"sites.coverage"}


def test_discover_toml_is_ready_to_paste(discovery_lab: DiscoveryLab) -> None:
    config = discovery_lab.write_config()
    result = run_auditor(
        "discover", "--config", str(config), "--format", "toml", env=discovery_lab.env
    )
    assert result.returncode == 0, result.stderr
    pasted = tomllib.loads(result.stdout)
    assert pasted["sites"] == [
        {
            "host": host("campaign"),
            "platform": "Lab",
            "port": discovery_lab.https_port,
            "http_port": discovery_lab.http_port,
        },
        {
            "host": host("forgotten"),
            "platform": "Lab",
            "port": discovery_lab.https_port,
            "http_port": discovery_lab.http_port,
        },
    ]
    # Pasted into the config, the sites are configured: nothing left to warn about.
    config.write_text(config.read_text().replace("[dns]", result.stdout + "\n[dns]", 1))
    again = run_auditor(
        "discover", "--config", str(config), "--format", "json", env=discovery_lab.env
    )
    coverage = _findings(json.loads(again.stdout), "sites.coverage")
    assert coverage == {"discovery": coverage["discovery"]}
    assert coverage["discovery"]["status"] == "pass"


def test_discover_without_a_discovery_section_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "auditor.toml"
    config.write_text('[[sites]]\nhost = "www.lab.test"\n')
    result = run_auditor("discover", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.strip().endswith("no [discovery] section: nothing to discover")
    assert "Traceback" not in result.stderr
