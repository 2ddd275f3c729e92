"""A first run as a new user makes it: the words, the files git must never take."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.cli.run import _quiet_lines
from auditor.core.config import OutputSettings
from auditor.core.model import Finding, Severity, Status
from tests.support.cli import TIMEOUT, auditor_command, run_auditor
from tests.support.digitalocean_fake import DoLab
from tests.support.reports import sample_report, with_findings
from tests.support.sites_lab import SitesLab
from tests.support.sshd_lab import SshdLab

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout"
)
@pytest.mark.parametrize("folder", ["auditor-demo", str(OutputSettings.out_dir)])
def test_the_default_output_folders_are_never_committed(folder: str) -> None:
    # The demo's folder holds the lab's private keys and the internal page; the run's holds
    # report.json and adgang.html, which name key holders.
    probe = f"{folder}/lab/auditor_ed25519"
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", probe], cwd=ROOT, check=False
    )
    assert result.returncode == 0, f"{probe} is not ignored by .gitignore"


def test_tls_takes_a_pasted_url(sites_lab: SitesLab) -> None:
    site = sites_lab.site("good")
    url = f"https://{site.host}:{site.https_port}/privatlivspolitik?utm=x#sikkerheden"
    result = run_auditor(
        "tls", url, "--address", site.address, "--ca-file", str(sites_lab.root_pem)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{site.host}:{site.https_port}" in result.stdout


def test_https_takes_a_pasted_url(sites_lab: SitesLab) -> None:
    site = sites_lab.site("shorthsts")
    url = f"https://{site.host}:{site.https_port}/"
    result = run_auditor(
        "https", url, "--address", site.address, "--http-port", str(site.http_port)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "redirects (301)" in result.stdout


def test_ssh_takes_an_ssh_url(sshd_lab: SshdLab) -> None:
    server = sshd_lab.server("keyonly")
    url = f"ssh://{server.host}:{server.port}"
    result = run_auditor("ssh", url, "--address", server.address)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "root: publickey" in result.stdout


@pytest.mark.parametrize(
    ("command", "spec", "says"),
    [
        ("tls", "http://127.0.0.1/", "auditor: not an https:// URL: 'http://127.0.0.1/'"),
        ("https", "ftp://127.0.0.1/", "auditor: not an https:// URL: 'ftp://127.0.0.1/'"),
        ("tls", "https://anna:pw@127.0.0.1/", "with a user name or password is not taken"),
        ("ssh", "ssh://root@127.0.0.1", "with a user name or password is not taken"),
        ("ssh", "https://127.0.0.1/", "auditor: not an ssh:// URL"),
    ],
)
def test_a_url_of_another_scheme_or_with_user_info_is_one_line(
    command: str, spec: str, says: str
) -> None:
    result = run_auditor(command, spec)
    assert result.returncode == 2
    assert says in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


NO_TOKEN = "Not checked: no DigitalOcean token (DIGITALOCEAN_ACCESS_TOKEN is not set)."


def _auditor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`auditor ARGS` without the caller's DigitalOcean settings, 100 columns wide."""
    return run_auditor(*args, env={"COLUMNS": "100", **(env or {})}, unset=("DIGITALOCEAN",))


def test_quiet_prints_nothing_when_every_promise_holds() -> None:
    report = sample_report()
    mail = Finding("mail.mx", "alternativet.dk", Status.PASS, Severity.HIGH, "Google's MX.")
    findings = [replace(f, status=Status.PASS) for f in (*report.findings, mail)]
    held = with_findings(report, findings)
    assert {c.status for c in held.claims} == {Status.PASS}
    assert _quiet_lines(held, 0, strict=False, changes=None) == []


def test_quiet_says_why_a_promise_was_skipped_even_when_the_run_exits_0(
    sites_lab: SitesLab, tmp_path: Path
) -> None:
    # A weekly job without its token must not stay silent because the sites hold.
    config = sites_lab.write_config(tmp_path / "auditor.toml", ["good"])
    result = _auditor("run", "--config", str(config), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "auditor: exit 0: https pass, hosting skipped, ssh-keys skipped, few-holders skipped, "
        "mail skipped"
    )
    assert f"  hosting skipped: {NO_TOKEN}" in lines
    assert all(line.startswith("  ") for line in lines[1:])


def test_the_summary_says_why_a_promise_was_skipped(sites_lab: SitesLab, tmp_path: Path) -> None:
    config = sites_lab.write_config(tmp_path / "auditor.toml", ["good"])
    result = _auditor("run", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "Why not checked" in result.stdout
    hosting = next(
        line for line in result.stdout.splitlines() if "hosting" in line and "no" in line
    )
    assert "SKIPPED" in hosting
    assert "no DigitalOcean token (DIGITALOCEAN_ACCESS_TOKEN is not set)" in hosting


def test_quiet_json_is_what_needs_acting_on_as_one_object(
    sites_lab: SitesLab, tmp_path: Path
) -> None:
    config = sites_lab.write_config(tmp_path / "auditor.toml", ["good", "nohsts"])
    out = str(tmp_path / "out")
    result = _auditor("run", "--config", str(config), "--out", out, "--quiet", "--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["exit_code"] == 1
    claims = {c["id"]: c for c in document["claims"]}
    assert claims["https"]["status"] == "fail"
    assert claims["hosting"]["reasons"] == [
        NO_TOKEN,
        "Not checked: the DigitalOcean inventory was not read (no token, or API error).",
    ]
    assert {(f["check"], f["status"]) for f in document["findings"]} == {("https.hsts", "fail")}
    assert document["changes"] == []


def test_keys_with_nothing_to_show_says_why(tmp_path: Path) -> None:
    (tmp_path / "roster.toml").write_text("# nobody yet\n")
    config = tmp_path / "auditor.toml"
    config.write_text('[access]\nroster = "roster.toml"\n')
    result = _auditor("keys", "--config", str(config))
    assert result.returncode == 3, result.stderr
    assert "Who can open which server" not in result.stdout
    assert "No key holders to show" in result.stdout
    assert "no DigitalOcean token (DIGITALOCEAN_ACCESS_TOKEN is not set)" in result.stdout
    assert "no authorized_keys could be read" in result.stdout


def test_droplets_as_json_without_a_token_prints_json_with_the_reason(
    do_lab: DoLab, tmp_path: Path
) -> None:
    config = do_lab.write_config(tmp_path / "auditor.toml")
    result = _auditor("droplets", "--config", str(config), "--format", "json")
    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert document["exit_code"] == 2
    assert document["error"].startswith("no DigitalOcean token: set DIGITALOCEAN_ACCESS_TOKEN")
    assert result.stderr == f"auditor: {document['error']}\n"
    assert do_lab.fake.requests == []


@pytest.mark.parametrize(
    "args",
    [
        ("droplets", "--config", "missing.toml", "--format", "json"),
        ("tls", "--format=json", "http://127.0.0.1/"),
        ("ssh", "127.0.0.1:99999", "--format", "json"),
        ("history", "--out", "nowhere", "--format", "json"),
        ("tls", "--format", "json", "--timeout", "nan", "127.0.0.1"),
    ],
)
def test_every_json_command_prints_json_when_it_fails(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    result = run_auditor(*args)
    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert document["exit_code"] == 2
    assert document["error"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_before_or_after_the_command_logs_what_failed_never_the_token(
    where: str, do_lab: DoLab, tmp_path: Path
) -> None:
    token = "dop_v1_" + "7" * 64  # not the lab's: the fake API refuses it
    port = _closed_port()
    config = tmp_path / "auditor.toml"
    config.write_text(
        f'[[sites]]\nhost = "dead.lab.test"\nplatform = "Lab"\nport = {port}\n'
        f'http_port = {port}\naddresses = ["127.0.0.1"]\n'
        f'[digitalocean]\nendpoint = "{do_lab.fake.base}"\n'
        "[mail]\ndomains = []\n"  # no mail domain: the run's resolver is the system's here
        "[limits]\nconnect_timeout = 2\n"
    )
    run = ("run", "--config", str(config), "--out", str(tmp_path / "out"), "--quiet")
    args = ("-v", *run) if where == "before" else (*run, "-v")
    result = _auditor(*args, env={"DIGITALOCEAN_ACCESS_TOKEN": token})
    assert result.returncode == 3, result.stderr
    log = result.stderr.splitlines()
    assert any(
        line.startswith("INFO auditor.run: error tls.connect dead.lab.test:")
        and "connection refused" in line
        for line in log
    ), result.stderr
    assert any("error do.droplet.region" in line and "token" in line for line in log), log
    assert token not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    quiet = _auditor(*run, env={"DIGITALOCEAN_ACCESS_TOKEN": token})
    assert quiet.stderr == ""  # without -v: no log


def test_every_command_takes_verbose_after_its_name() -> None:
    result = run_auditor("init", "--help", "-v")
    assert result.returncode == 0
    assert "-v, --verbose" in result.stdout


README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_install_puts_auditor_on_the_path_before_it_is_used() -> None:
    install = README.split("```sh\n", 1)[1].split("```", 1)[0]
    assert ". .venv/bin/activate" in install
    assert install.index("activate") < install.index("auditor demo")
    assert ".venv/bin/auditor" not in install


def test_the_readmes_commands_on_the_demos_folder_work_as_written(tmp_path: Path) -> None:
    # Run where a user runs them: in the folder they cloned into, after `auditor demo`.
    commands = re.findall(r"`(auditor [^`]*--out auditor-demo[^`]*)`", README)
    assert "auditor diff --out auditor-demo" in commands
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    for command in ["auditor demo", *commands]:
        result = subprocess.run(
            auditor_command(*shlex.split(command)[1:]),
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, (command, result.stderr)
        assert result.stdout, command
