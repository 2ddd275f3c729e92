"""A first run as a new user makes it: the words, the files git must never take."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.core.config import OutputSettings
from tests.support.cli import run_auditor
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
