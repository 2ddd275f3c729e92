"""Each command loads only the libraries its work needs.

On a small audit, start-up is most of the time (benchmarks/README.md), and paramiko,
python-digitalocean with requests, dnspython, Rich and the demo's lab are the heaviest
imports. These tests run real audits and assert which of those a run has loaded: never
how long anything took.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.support.cli import run
from tests.support.sites_lab import SitesLab
from tests.support.sshd_lab import SshdLab

HEAVY = ("paramiko", "requests", "digitalocean", "dns.resolver", "sslyze", "rich", "auditor.lab")

# Runs the CLI in a fresh interpreter, then names the heavy modules it has imported.
PROBE = f"""
import sys
from auditor.cli import cli
try:
    code = cli.main(sys.argv[1:], standalone_mode=False)
except SystemExit as exc:
    code = exc.code
print(code)
print(" ".join(name for name in {HEAVY!r} if name in sys.modules))
"""


def loaded_by(*args: str) -> tuple[str, set[str]]:
    result = run([sys.executable, "-c", PROBE, *args])
    assert result.returncode == 0, result.stderr
    code, names = result.stdout.splitlines()[-2:]  # after whatever the command printed
    return code, set(names.split())


def _sites_only(sites_lab: SitesLab) -> str:
    return sites_lab.config_text(["good"]).split("[limits]")[0] + "[ssh]\nfrom_inventory = false\n"


def test_a_quiet_run_of_sites_loads_no_ssh_cloud_dns_or_rich(
    sites_lab: SitesLab, tmp_path: Path
) -> None:
    config = tmp_path / "auditor.toml"
    config.write_text(_sites_only(sites_lab))
    code, loaded = loaded_by("run", "--config", str(config), "--out", str(tmp_path), "--quiet")
    report = json.loads((tmp_path / "report.json").read_text())
    verdicts = {f["check"]: f["status"] for f in report["findings"]}
    assert verdicts["tls.protocols"] == "pass"  # the sites were really audited
    assert verdicts["https.hsts"] == "pass"
    assert (tmp_path / "certifikater.html").stat().st_size > 1000
    assert code == "0"
    assert loaded == set()


def test_an_ssh_server_loads_paramiko_and_a_printed_table_loads_rich(
    sites_lab: SitesLab, sshd_lab: SshdLab, tmp_path: Path
) -> None:
    config = tmp_path / "auditor.toml"
    sites = sites_lab.config_text(["good"]).split("[limits]")[0]
    config.write_text(sites + sshd_lab.config_text(["keyonly"], authenticated=False))
    _, loaded = loaded_by("run", "--config", str(config), "--out", str(tmp_path))
    report = json.loads((tmp_path / "report.json").read_text())
    assert any(f["check"] == "ssh.auth.password" for f in report["findings"])
    assert loaded == {"paramiko", "rich"}


def test_help_and_version_load_no_probe() -> None:
    for args in (("--version",), ("run", "--help")):
        _, loaded = loaded_by(*args)
        assert loaded == set(), args
