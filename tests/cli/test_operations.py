"""`auditor run` end to end, two runs and their diff, a killed run, the demo, init and render."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from auditor.core.config import load_config
from auditor.lab.pki import TestCA
from auditor.lab.ssh_server import LabAccounts, LabSshServer
from auditor.lab.web_server import LabWebSite
from tests.support.cli import auditor_command, run_auditor
from tests.support.digitalocean_fake import NET, DoLab
from tests.support.sites_lab import SilentListener, SitesLab
from tests.support.sshd_lab import SshdLab

OUTPUTS = ("report.json", "certifikater.html", "adgang.html", "auditor.prom")


def auditor(
    env: dict[str, str], *args: str, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """`auditor ARGS` with none of the caller's DigitalOcean settings, 160 columns wide."""
    return run_auditor(
        *args, timeout=timeout, env={**env, "COLUMNS": "160"}, unset=("DIGITALOCEAN",)
    )


def test_run_end_to_end_against_nginx_sshd_and_the_fake_api(
    sites_lab: SitesLab, sshd_lab: SshdLab, do_lab: DoLab, tmp_path: Path
) -> None:
    sites = sites_lab.config_text(["good", "nohsts", "hostile"]).split("[limits]")[0]
    roster = tmp_path / "roster.toml"
    roster.write_text("# nobody is approved yet\n")
    servers = sshd_lab.config_text(["keyonly", "password"], roster=roster).split("[limits]")[0]
    api = f'[digitalocean]\nendpoint = "{do_lab.fake.base}"\n'
    config = tmp_path / "auditor.toml"
    config.write_text(sites + servers + api + "[limits]\nconnect_timeout = 3\n")
    out = tmp_path / "out"
    result = auditor(do_lab.env, "run", "--config", str(config), "--out", str(out))
    assert result.returncode == 1, result.stderr  # password server, nyc3 droplet, no HSTS
    assert result.stderr == ""
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 100, name
    report = json.loads((out / "report.json").read_text())
    assert report["schema"] == "auditor.report/2"
    claims = {c["id"]: c["status"] for c in report["claims"]}
    assert claims == {
        "https": "fail",
        "hosting": "fail",
        "ssh-keys": "fail",
        "few-holders": "fail",
        "mail": "skipped",  # lab.test's mail is another lab's
    }
    families = {f["check"].split(".")[0] for f in report["findings"]}
    assert families == {"tls", "https", "ssh", "access", "do", "dns"}
    assert "Holder ikke" in (out / "certifikater.html").read_text()
    assert oct((out / "adgang.html").stat().st_mode & 0o777) == "0o600"
    assert do_lab.token not in result.stdout + (out / "report.json").read_text()
    assert "Claims" in result.stdout
    assert "Run 1: wrote" in result.stdout
    runs = auditor({}, "history", "--out", str(out), "--format", "json")
    assert [r["id"] for r in json.loads(runs.stdout)] == [1]


@dataclass
class Moving:
    """A lab whose certificate and keys the test changes between two runs."""

    folder: Path
    ca: TestCA
    site: LabWebSite
    ssh: LabSshServer
    keys: dict[str, str]
    anna: str
    bo: str
    config: Path

    def replace_certificate(self) -> None:
        port, http_port = self.site.port, self.site.http_port
        self.site.close()
        leaf = self.ca.issue(["www.moving.test"], valid_days=200)
        files = self.ca.write_leaf(leaf, self.folder / "pki2", "www")
        self.site = LabWebSite(
            "www.moving.test", f"{NET}.21", files, port=port, http_port=http_port
        )


def _public(comment: str) -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return (
        key.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).decode()
        + f" {comment}"
    )


@pytest.fixture
def moving(do_lab: DoLab, tmp_path: Path) -> Iterator[Moving]:
    ca = TestCA("Moving")
    files = ca.write_leaf(ca.issue(["www.moving.test"]), tmp_path / "pki", "www")
    site = LabWebSite("www.moving.test", f"{NET}.21", files)
    private = ed25519.Ed25519PrivateKey.generate()
    (tmp_path / "auditor_key").write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    auditor_pub = (
        private.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    anna, bo = _public("anna@lab"), _public("bo@lab")
    keys = {"root": anna + "\n"}
    ssh = LabSshServer(f"{NET}.11", accounts=LabAccounts("auditor", auditor_pub.split()[1], keys))
    (tmp_path / "known_hosts").write_text(
        f"[web-ams3]:{ssh.port} {ssh.host_key.get_name()} {ssh.host_key.get_base64()}\n"
    )
    (tmp_path / "roster.toml").write_text(
        "".join(
            f'[[people]]\nname = "{name}"\nteam = "Landssekretariatet"\napproved = true\n'
            f'keys = ["{key}"]\n'
            for name, key in (("Anna", anna), ("Bo", bo))
        )
    )
    config = tmp_path / "auditor.toml"
    config.write_text(
        f'[[sites]]\nhost = "www.moving.test"\nport = {site.port}\nhttp_port = {site.http_port}\n'
        f'addresses = ["{NET}.21"]\nca_file = "{ca.write_root(tmp_path / "ca.pem")}"\n'
        f'[[ssh.servers]]\nhost = "web-ams3"\nport = {ssh.port}\naddress = "{NET}.11"\n'
        '[ssh]\nfrom_inventory = false\nauditor_user = "auditor"\nauditor_key = "auditor_key"\n'
        'known_hosts = "known_hosts"\n'
        '[access]\nroster = "roster.toml"\n'
        "[mail]\ndomains = []\n"  # no mail domain: the run's resolver is the system's here
        f'[digitalocean]\nendpoint = "{do_lab.fake.base}"\n'
    )
    lab = Moving(tmp_path, ca, site, ssh, keys, anna, bo, config)
    try:
        yield lab
    finally:
        lab.site.close()
        ssh.close()


def test_two_runs_and_the_diff_says_exactly_what_changed(moving: Moving, do_lab: DoLab) -> None:
    out = moving.folder / "out"
    first = auditor(do_lab.env, "run", "--config", str(moving.config), "--out", str(out))
    assert first.returncode == 1, first.stdout + first.stderr  # the scenario's nyc3 droplet
    before = json.loads((out / "report.json").read_text())
    moving.keys["root"] += moving.bo + "\n"
    moving.replace_certificate()
    second = auditor(do_lab.env, "run", "--config", str(moving.config), "--out", str(out))
    assert second.returncode == 1
    after = json.loads((out / "report.json").read_text())
    assert (
        before["inventory"]["certificates"][0]["sha256"]
        != after["inventory"]["certificates"][0]["sha256"]
    )

    result = auditor({}, "diff", "--out", str(out), "--format", "json")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)
    assert (changes["from"], changes["to"]) == (1, 2)
    kinds = sorted((c["kind"], c["subject"]) for c in changes["changes"])
    assert kinds == [
        ("cert_renewed", "www.moving.test"),
        ("key_added", f"web-ams3:{moving.ssh.port}"),
    ]
    added = next(c for c in changes["changes"] if c["kind"] == "key_added")
    assert added["after"].endswith("(Bo)")
    page = (out / "adgang.html").read_text()
    assert "Nøgle tilføjet" in page
    assert "Certifikat fornyet" in page
    assert "Changed since the last run" in second.stdout
    table = auditor({}, "diff", "1", "2", "--out", str(out))
    assert "key added" in table.stdout
    assert "cert renewed" in table.stdout


def test_quiet_prints_only_the_problems_and_why_a_promise_was_not_checked(
    sites_lab: SitesLab, tmp_path: Path
) -> None:
    # (Nothing at all when every promise holds: tests/cli/test_first_run.py.)
    good = sites_lab.write_config(tmp_path / "good.toml", ["good"])
    result = auditor({}, "run", "--config", str(good), "--out", str(tmp_path / "a"), "--quiet")
    assert (result.returncode, result.stderr) == (0, "")
    assert [line.split(":")[0] for line in result.stdout.splitlines()[1:]] == [
        "  hosting skipped",
        "  hosting skipped",
        "  ssh-keys skipped",
        "  few-holders skipped",
        "  mail skipped",  # the lab names no mail domain
    ]
    bad = sites_lab.write_config(tmp_path / "bad.toml", ["good", "nohsts"])
    result = auditor({}, "run", "--config", str(bad), "--out", str(tmp_path / "b"), "--quiet")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("auditor: exit 1: https fail")
    assert any("FAIL  https.hsts" in line for line in lines)
    assert not any("good.sites.test" in line and "PASS" in line for line in lines)


def test_a_killed_run_leaves_history_and_last_pages_intact(
    sites_lab: SitesLab, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    config = sites_lab.write_config(tmp_path / "auditor.toml", ["good", "nohsts"])
    assert auditor({}, "run", "--config", str(config), "--out", str(out)).returncode == 1
    kept = {name: (out / name).read_bytes() for name in OUTPUTS}
    # The second run waits on a silent host, so a kill lands mid-run at every delay below.
    silent = SilentListener(f"{NET}.40", 0)
    port = silent.sock.getsockname()[1]
    slow = tmp_path / "slow.toml"
    slow.write_text(
        config.read_text().replace(
            "[limits]",
            f'[[sites]]\nhost = "silent.test"\nport = {port}\naddresses = ["{NET}.40"]\n[limits]',
        )
    )
    try:
        for delay in (0.2, 0.5, 0.8, 1.1, 1.4):
            process = subprocess.Popen(
                auditor_command("run", "--config", str(slow), "--out", str(out)),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            assert {name: (out / name).read_bytes() for name in OUTPUTS} == kept
            with sqlite3.connect(out / "history.sqlite3") as db:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
    finally:
        silent.close()
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_full_disk_or_unwritable_folder_is_one_line(sites_lab: SitesLab, tmp_path: Path) -> None:
    config = sites_lab.write_config(tmp_path / "auditor.toml", ["good"])
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should be")
    result = auditor({}, "run", "--config", str(config), "--out", str(blocker / "pages"))
    assert result.returncode == 2
    assert "Not a directory" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def _closed(address: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((address, port)) != 0


def test_demo_runs_the_whole_audit_and_stops_its_lab(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = auditor({}, "demo", "--out", str(out), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((out / "report.json").read_text())
    claims = {c["id"]: c["status"] for c in report["claims"]}
    assert claims == {
        "https": "fail",
        "hosting": "fail",
        "ssh-keys": "pass",
        "few-holders": "pass",
        "mail": "fail",
    }
    # One mail domain keeps the promise, one does not.
    mail = {
        (f["target"], f["check"]): f["status"]
        for f in report["findings"]
        if f["check"].startswith("mail.")
    }
    kept = {check: s for (target, check), s in mail.items() if target == "demo.test"}
    assert set(kept.values()) <= {"pass", "warn"}
    assert kept["mail.dmarc"] == "pass"
    assert kept["mail.caa"] == "pass"
    assert mail[("nyhedsbrev.demo-mail.test", "mail.mx")] == "fail"
    assert mail[("nyhedsbrev.demo-mail.test", "mail.dmarc")] == "fail"
    assert (out / "certifikater.html").exists()
    assert (out / "adgang.html").exists()
    assert str(out / "certifikater.html") in result.stdout
    config = tomllib.loads((out / "lab" / "demo.toml").read_text())
    for site in config["sites"]:
        assert _closed(site["addresses"][0], site["port"])
    for server in config["ssh"]["servers"]:
        assert _closed(server["address"], server["port"])
    assert _closed(config["dns"]["nameservers"][0], config["dns"]["port"])
    token = tomllib.loads((out / "lab" / "demo.toml").read_text())["digitalocean"]["token_env"]
    assert token == "AUDITOR_DEMO_TOKEN"
    assert "dop_v1_" not in result.stdout + (out / "report.json").read_text()
    # Audited "last week" and "now": the diff tells what the administrators did in between.
    changes = json.loads(auditor({}, "diff", "--out", str(out), "--format", "json").stdout)
    assert [(c["kind"], c["subject"].split(":")[0]) for c in changes["changes"]] == [
        ("claim_changed", "few-holders"),
        ("key_removed", "web-ams3"),
        ("cert_renewed", "www.demo.test"),
    ]
    page = (out / "adgang.html").read_text()
    assert "Ændringer siden sidste kørsel" in page
    assert "Nøgle fjernet" in page

    # A second demo is a new lab: it does not diff against the first one's history.
    again = auditor({}, "demo", "--out", str(out), timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    runs = json.loads(auditor({}, "history", "--out", str(out), "--format", "json").stdout)
    assert len(runs) == 2


def test_demo_runs_in_a_locale_that_cannot_spell_danish(tmp_path: Path) -> None:
    # cron's LC_ALL=C: the lab's roster ("dette værktøjs egen nøgle") was written in the
    # locale's encoding, a UnicodeEncodeError before anything was audited.
    ascii_only = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
    result = auditor(ascii_only, "demo", "--out", str(tmp_path / "demo"), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "demo" / "certifikater.html").exists()


def test_init_writes_a_starter_that_loads(tmp_path: Path) -> None:
    result = auditor({}, "init", str(tmp_path / "conf"))
    assert result.returncode == 0, result.stderr
    config = load_config(tmp_path / "conf" / "auditor.toml")
    assert [s.host for s in config.sites][:1] == ["alternativet.dk"]
    assert config.access.roster == (tmp_path / "conf" / "roster.toml").resolve()
    again = auditor({}, "init", str(tmp_path / "conf"))
    assert again.returncode == 2
    conf = tmp_path / "conf"
    assert again.stderr == (
        f"auditor: {conf / 'auditor.toml'} and {conf / 'roster.toml'} already exist;"
        " left unchanged (--force overwrites)\n"
    )


def test_render_rebuilds_a_page_and_refuses_garbage(sites_lab: SitesLab, tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = sites_lab.write_config(tmp_path / "auditor.toml", ["good"])
    assert auditor({}, "run", "--config", str(config), "--out", str(out)).returncode == 0
    page = tmp_path / "again.html"
    result = auditor(
        {}, "render", str(out / "report.json"), "--page", "certifikater", "--out", str(page)
    )
    assert result.returncode == 0, result.stderr
    assert page.read_text() == (out / "certifikater.html").read_text()
    metrics = auditor({}, "render", str(out / "report.json"), "--page", "metrics")
    assert "auditor_certificate_expiry_days{" in metrics.stdout
    (tmp_path / "bad.json").write_text('{"schema": "something/else"}')
    bad = auditor({}, "render", str(tmp_path / "bad.json"), "--page", "adgang")
    assert bad.returncode == 2
    assert (
        bad.stderr.strip()
        == f"auditor: {tmp_path / 'bad.json'}: not an auditor.report/2 (or /1) document"
    )
    nowhere = tmp_path / "bad.json" / "page.html"  # under a file: no folder can be made
    unwritable = auditor(
        {}, "render", str(out / "report.json"), "--page", "certifikater", "--out", str(nowhere)
    )
    assert unwritable.returncode == 2
    assert unwritable.stderr.startswith(f"auditor: cannot write {nowhere}: ")
    assert len(unwritable.stderr.strip().splitlines()) == 1  # one line, no traceback


def test_history_without_runs_is_one_line(tmp_path: Path) -> None:
    result = auditor({}, "history", "--out", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert "no history" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("quiet", [False, True])
def test_an_unusable_history_does_not_stop_the_report_and_pages(
    sites_lab: SitesLab, tmp_path: Path, quiet: bool
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "history.sqlite3").write_bytes(b"not a database, and long enough to look like one" * 100)
    (out / "history.sqlite3").chmod(0o600)  # private, as the auditor leaves it: no warning
    config = sites_lab.write_config(tmp_path / "auditor.toml", ["good"])
    result = auditor({}, "run", "--config", str(config), "--out", str(out), *(["--quiet"] * quiet))
    # Everything held, but the run is not in the history: that must not pass unseen.
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip().splitlines() == [
        f"auditor: this run is not in the history: the history at {out / 'history.sqlite3'} "
        "is unusable: file is not a database"
    ]
    assert all((out / name).exists() for name in OUTPUTS)
    assert json.loads((out / "report.json").read_text())["claims"][0]["status"] == "pass"


def test_a_broken_promise_keeps_exit_1_when_the_history_is_unusable(
    sites_lab: SitesLab, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "history.sqlite3").write_bytes(b"\x00" * 4096)
    config = sites_lab.write_config(tmp_path / "auditor.toml", ["nohsts"])
    result = auditor({}, "run", "--config", str(config), "--out", str(out), "--quiet")
    assert result.returncode == 1
    assert "FAIL  https.hsts" in result.stdout
    assert "this run is not in the history" in result.stderr


def test_the_history_is_private_and_a_readable_one_is_narrowed_with_a_warning(
    sites_lab: SitesLab, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    config = sites_lab.write_config(tmp_path / "auditor.toml", ["good"])
    before = os.umask(0o022)  # the usual umask, which the run inherits
    try:
        first = auditor({}, "run", "--config", str(config), "--out", str(out), "--quiet")
        assert (first.returncode, first.stderr) == (0, "")
        history = out / "history.sqlite3"
        assert oct(history.stat().st_mode & 0o777) == "0o600"
        history.chmod(0o644)  # as an older auditor created it
        second = auditor({}, "run", "--config", str(config), "--out", str(out), "--quiet")
    finally:
        os.umask(before)
    assert second.returncode == 0, second.stderr
    assert second.stderr.splitlines() == [
        f"WARNING auditor.app.history: {history} was readable by others (mode 0644): now 0600"
    ]
    assert oct(history.stat().st_mode & 0o777) == "0o600"
    runs = auditor({}, "history", "--out", str(out), "--format", "json")
    assert [r["id"] for r in json.loads(runs.stdout)] == [2, 1]
