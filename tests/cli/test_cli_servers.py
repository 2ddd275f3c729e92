"""`auditor ssh` and `auditor keys` against the real sshd lab, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.lab.ssh_server import LabSshServer
from tests.support.cli import run_auditor
from tests.support.sshd_lab import SshdLab
from tests.support.trickle import trickling


def test_ssh_on_a_key_only_server_exits_0(sshd_lab: SshdLab) -> None:
    server = sshd_lab.server("keyonly")
    result = run_auditor("ssh", f"{server.host}:{server.port}", "--address", server.address)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OpenSSH" in result.stdout
    assert "root: publickey" in result.stdout


def test_ssh_json_names_the_user_with_a_password(sshd_lab: SshdLab) -> None:
    server = sshd_lab.server("matchuser")
    result = run_auditor(
        "ssh",
        f"{server.host}:{server.port}",
        "--address",
        server.address,
        "--user",
        "root",
        "--user",
        "nobody",
        "--format",
        "json",
    )
    assert result.returncode == 1
    report = json.loads(result.stdout)
    password = next(f for f in report["findings"] if f["check"] == "ssh.auth.password")
    assert password["status"] == "fail"
    assert password["evidence"]["methods"] == {
        "root": ["publickey"],
        "nobody": ["publickey", "password"],
    }


def test_verbose_logs_carry_no_library_tracebacks() -> None:
    # A server with one host-key type: the probes for the other types fail on purpose, and
    # paramiko logs each failure with its traceback. That is for -vv (debugging), not -v.
    server = LabSshServer("127.0.70.2")
    try:
        result = run_auditor("-v", "ssh", f"127.0.70.2:{server.port}")
    finally:
        server.close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "IncompatiblePeer" not in result.stderr


def test_a_port_that_answers_bytes_that_are_no_banner_is_not_an_ssh_server() -> None:
    with trickling("127.0.70.4", b"\xa1\xff\xfe not text\r\n") as port:
        result = run_auditor("ssh", f"127.0.70.4:{port}", "--timeout", "1", "--format", "json")
    assert result.returncode == 3
    connect = next(f for f in json.loads(result.stdout)["findings"] if f["check"] == "ssh.connect")
    assert connect["status"] == "error"
    assert "not an SSH server: its first line is not an SSH banner" in connect["message"]


def test_ssh_on_a_closed_port_exits_3(sshd_lab: SshdLab) -> None:
    result = run_auditor("ssh", "127.0.20.99:1", "--timeout", "1")
    assert result.returncode == 3
    assert "refused" in result.stdout


def test_keys_lists_unknown_keys_first(sshd_lab: SshdLab, tmp_path: Path) -> None:
    roster = tmp_path / "roster.toml"
    roster.write_text(
        f'[[people]]\nname = "Auditor"\nteam = "Landssekretariatet"\napproved = true\n'
        f'keys = ["{sshd_lab.auditor_pub}"]\n'
    )
    config = tmp_path / "auditor.toml"
    config.write_text(sshd_lab.config_text(["keyonly"], roster=roster))
    result = run_auditor("keys", "--config", str(config), "--format", "json")
    report = json.loads(result.stdout)
    holders = report["inventory"]["key_holders"]
    assert any(h["person"] == "Auditor" for h in holders)
    table = run_auditor("keys", "--config", str(config))
    assert "Who can open which server" in table.stdout


def test_keys_with_a_malformed_roster_exits_2(sshd_lab: SshdLab, tmp_path: Path) -> None:
    roster = tmp_path / "roster.toml"
    roster.write_text("[[people]]\nname = 3\n")
    config = tmp_path / "auditor.toml"
    config.write_text(sshd_lab.config_text(["keyonly"], roster=roster))
    result = run_auditor("keys", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.strip() == f"auditor: {roster}: people[0].name: expected a string, got int"
