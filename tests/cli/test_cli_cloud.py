"""`auditor droplets` against the fake API, as a user runs it; the token never shows."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.cli import run_auditor
from tests.support.digitalocean_fake import DoLab


def _auditor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`auditor ARGS` with none of the caller's DigitalOcean settings, on a wide terminal."""
    return run_auditor(*args, env={"COLUMNS": "200", **env}, unset=("DIGITALOCEAN",))


def test_droplets_without_a_token_is_one_line_and_exit_2(do_lab: DoLab, tmp_path: Path) -> None:
    config = do_lab.write_config(tmp_path / "auditor.toml")
    result = _auditor({}, "droplets", "--config", str(config))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "DIGITALOCEAN_ACCESS_TOKEN" in result.stderr
    assert do_lab.fake.requests == []


def test_droplets_table_reads_well(do_lab: DoLab, tmp_path: Path) -> None:
    config = do_lab.write_config(tmp_path / "auditor.toml")
    result = _auditor(do_lab.env, "-vv", "droplets", "--config", str(config))
    assert result.returncode == 1, result.stderr  # legacy-nyc3 and a reserved IP in fra1
    lines = result.stdout.splitlines()
    legacy = next(line for line in lines if "legacy-nyc3" in line and "nyc3" in line)
    assert "none" in legacy  # no firewall
    assert "FAIL" in legacy.upper()
    web = next(line for line in lines if line.lstrip("│ ").startswith("web-ams3"))
    assert "fw-web" in web
    assert "DigitalOcean account My Team" in result.stdout
    assert do_lab.token not in result.stdout + result.stderr
    # At 80 columns (a cron mail) nothing is cut off at the edge.
    narrow = _auditor({**do_lab.env, "COLUMNS": "80"}, "droplets", "--config", str(config))
    narrow_lines = narrow.stdout.splitlines()
    assert max(len(line) for line in narrow_lines) <= 80
    header = next(line for line in narrow_lines if line.startswith("Name"))
    assert header.split()[-1] == "Verdict"
    assert any(line.startswith("lb-ams3") for line in narrow_lines)


def test_droplets_json_and_a_refused_token(do_lab: DoLab, tmp_path: Path) -> None:
    config = do_lab.write_config(tmp_path / "auditor.toml")
    result = _auditor(do_lab.env, "droplets", "--config", str(config), "--format", "json")
    report = json.loads(result.stdout)
    names = {r["name"]: r for r in report["inventory"]["cloud"]}
    assert names["db-ams3"]["firewalls"] == ["fw-db"]
    assert do_lab.token not in result.stdout + result.stderr

    wrong = "dop_v1_" + "a" * 64
    refused = _auditor({"DIGITALOCEAN_ACCESS_TOKEN": wrong}, "droplets", "--config", str(config))
    assert refused.returncode == 3
    assert "refused the token" in refused.stdout
    assert wrong not in refused.stdout + refused.stderr
