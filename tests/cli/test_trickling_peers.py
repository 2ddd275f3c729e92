"""Peers that send a byte now and then and never finish: an error in bounded time, then exit.

TLS handshakes, HTTP answers, SSH handshakes and the commands of an authenticated SSH read.
Each byte comes well inside the socket timeout, so only a deadline on the whole exchange
(auditor.core.deadlines, or paramiko's handshake timeout) ends the read. Without one, the
threads stuck reading kept the process alive after the report was written: these tests
run the CLI as a user does, in a subprocess that must exit by itself.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import socket
import subprocess
import threading
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from auditor.core.model import Status
from auditor.lab.ssh_server import LabAccounts, LabSshServer
from checks.tls.certificate import Anchors
from checks.tls.deep import enumerate_suites
from checks.tls.family import Judgement, check_ciphers
from checks.tls.probe import Endpoint, TlsVersion, probe
from tests.support.cli import auditor_command, run_auditor
from tests.support.trickle import BYTE_EVERY, TLS_RECORD_START, TiringTlsServer, trickling

ADDRESS = "127.0.70.1"
# Long enough for a loaded CI machine, far shorter than a trickle that never ends.
MUST_EXIT_WITHIN = 60


def _auditor(*args: str) -> subprocess.CompletedProcess[str]:
    # A hang fails the test with TimeoutExpired.
    return run_auditor(*args, "--address", ADDRESS, "--timeout", "1", timeout=MUST_EXIT_WITHIN)


def test_a_tls_handshake_that_never_ends_is_an_error_and_the_process_exits() -> None:
    with trickling(ADDRESS, TLS_RECORD_START) as port:
        result = _auditor("tls", f"trickle.test:{port}", "--format", "json")
    assert result.returncode == 3, result.stderr
    assert '"status": "pass"' not in result.stdout
    assert "no complete TLS answer within 1 s" in result.stdout
    assert "Traceback" not in result.stderr


def test_an_http_head_that_never_ends_is_an_error_not_a_verdict(tmp_path: Path) -> None:
    # Cut off mid-header, http.client would read the end of file as the end of the head
    # and the checks would judge a truncated answer: "no HSTS", "301 without Location".
    head = b"HTTP/1.1 301 Moved\r\nX-Slow: "
    with (
        trickling(ADDRESS, head, tls_folder=tmp_path) as https_port,
        trickling(ADDRESS, head) as http_port,
    ):
        result = _auditor(
            "https", f"trickle.test:{https_port}", "--http-port", str(http_port), "--format", "json"
        )
    assert result.returncode == 3, result.stderr
    assert '"status": "fail"' not in result.stdout
    assert '"status": "pass"' not in result.stdout
    assert f"no complete answer from https://trickle.test:{https_port}/ within 2 s" in result.stdout
    assert f"no complete answer from http://trickle.test:{http_port}/ within 2 s" in result.stdout


def test_a_body_that_never_ends_does_not_hide_a_complete_head(tmp_path: Path) -> None:
    # A browser acts on the head: the redirect and the HSTS header are in before the body.
    page = b"HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=63072000\r\n\r\n"
    with trickling(ADDRESS, page, tls_folder=tmp_path) as https_port:
        moved = f"HTTP/1.1 301 Moved\r\nLocation: https://trickle.test:{https_port}/\r\n\r\n"
        with trickling(ADDRESS, moved.encode()) as http_port:
            result = _auditor(
                "https",
                f"trickle.test:{https_port}",
                "--http-port",
                str(http_port),
                "--format",
                "json",
            )
    assert result.returncode == 0, result.stdout
    findings = json.loads(result.stdout)["findings"]
    assert [(f["check"], f["status"]) for f in findings] == [
        ("https.redirect", "pass"),
        ("https.hsts", "pass"),
    ]


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        (b"SSH-2.0-Slow", "no SSH banner or key exchange within 1 s"),
        # A banner, then a 1 KiB key exchange packet a byte at a time.
        (b"SSH-2.0-Slow\r\n\x00\x00\x03\xfc\x05", "no complete key exchange within 1 s"),
    ],
)
def test_an_ssh_handshake_that_never_ends_is_an_error(prefix: bytes, message: str) -> None:
    with trickling(ADDRESS, prefix) as port:
        result = _auditor("ssh", f"trickle.test:{port}", "--format", "json")
    assert result.returncode == 3, result.stderr
    connect = [f for f in json.loads(result.stdout)["findings"] if f["check"] == "ssh.connect"]
    assert [(f["status"], f["message"]) for f in connect] == [
        ("error", f"Could not connect: {message}.")
    ]


def test_a_server_that_hangs_up_mid_handshake_is_named_so() -> None:
    with socket.create_server((ADDRESS, 0)) as listener:

        def banner_then_hang_up() -> None:
            with contextlib.suppress(OSError):
                for _ in range(2):  # the probe may ask again, for a host key
                    conn, _ = listener.accept()
                    with conn:
                        conn.sendall(b"SSH-2.0-Gone\r\n")

        threading.Thread(target=banner_then_hang_up, daemon=True).start()
        result = _auditor("ssh", f"gone.test:{listener.getsockname()[1]}", "--format", "json")
    connect = [f for f in json.loads(result.stdout)["findings"] if f["check"] == "ssh.connect"]
    assert [f["message"] for f in connect] == [
        "Could not connect: the server hung up during the SSH handshake."
    ]


class _TricklingAccounts(LabAccounts):
    """Lets the auditor in, then answers every command a byte at a time, forever."""

    def serve(self, channel: paramiko.Channel, command: str) -> None:
        while not channel.closed:
            channel.sendall(b"x")
            time.sleep(BYTE_EVERY)


class _UnfinishedAccounts(LabAccounts):
    """Ends the output but never sends an exit status or closes: a command still running."""

    def serve(self, channel: paramiko.Channel, command: str) -> None:
        channel.sendall(b"passwordauthentication no\n")
        channel.shutdown_write()


class _SilentAccounts(LabAccounts):
    """Never answers the auditor's key: the check holds the server's transport thread."""

    def admits(self, user: str, key: paramiko.PKey) -> bool:
        time.sleep(MUST_EXIT_WITHIN)
        return False


@pytest.mark.parametrize("accounts_kind", [_TricklingAccounts, _UnfinishedAccounts])
def test_an_authenticated_read_that_never_ends_is_an_error_and_the_process_exits(
    tmp_path: Path, accounts_kind: type[LabAccounts]
) -> None:
    result = _run_against(tmp_path, accounts_kind)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    effective = [f for f in _findings(tmp_path) if f["check"] == "ssh.config.effective"]
    assert [f["status"] for f in effective] == ["error"]
    address = re.escape(ADDRESS)
    assert re.fullmatch(
        f"Could not read: no complete answer to `sshd -T -C user=root,host=auditor.invalid,"
        rf"addr={address},laddr={address},lport=\d+` within 2 s\.",
        effective[0]["message"],
    ), effective[0]["message"]


def _auditor_key(path: Path) -> str:
    """Writes a private key the lab server lets in; returns its public half (base64)."""
    private = ed25519.Ed25519PrivateKey.generate()
    path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return public.decode().split()[1]


def _findings(folder: Path) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = json.loads((folder / "out" / "report.json").read_text())[
        "findings"
    ]
    return findings


def _run_against(
    folder: Path, accounts_kind: type[LabAccounts]
) -> subprocess.CompletedProcess[str]:
    """`auditor run` reading one lab server whose accounts are `accounts_kind`."""
    public = _auditor_key(folder / "auditor_key")
    server = LabSshServer(ADDRESS, accounts=accounts_kind("auditor", public, {"root": ""}))
    try:
        key = server.host_key
        (folder / "known_hosts").write_text(
            f"[trickle.test]:{server.port} {key.get_name()} {key.get_base64()}\n"
        )
        (folder / "auditor.toml").write_text(
            f'[[ssh.servers]]\nhost = "trickle.test"\nport = {server.port}\n'
            f'address = "{ADDRESS}"\n[ssh]\nfrom_inventory = false\nauditor_user = "auditor"\n'
            'auditor_key = "auditor_key"\nknown_hosts = "known_hosts"\n'
            "[limits]\nconnect_timeout = 1\n"
        )
        config, out = str(folder / "auditor.toml"), str(folder / "out")
        return run_auditor("run", "--config", config, "--out", out, timeout=MUST_EXIT_WITHIN)
    finally:
        server.close()


def test_a_key_never_answered_is_no_answer_not_a_refusal(tmp_path: Path) -> None:
    # paramiko gives up after the timeout with an AuthenticationException, as for a refusal.
    result = _run_against(tmp_path, _SilentAccounts)
    assert result.returncode == 3, result.stderr
    messages = [f["message"] for f in _findings(tmp_path)]
    assert any("no answer to the auditor key within 1 s" in m for m in messages), messages
    assert not any("refused the auditor key" in m for m in messages)


def test_a_deep_list_that_never_ends_is_given_up_and_the_verdicts_kept(tmp_path: Path) -> None:
    # The fast probe's dozen connections are answered; sslyze's hundreds meet a trickle.
    server = TiringTlsServer(ADDRESS, tmp_path, honest=20)
    endpoint = Endpoint("trickle.test", ADDRESS, server.port, 1.0)
    try:
        deep = partial(enumerate_suites, max_connections=5, deadline=time.monotonic() + 3)
        scan = probe(endpoint, 5, deep)
    finally:
        server.close()
    assert scan.connect_error is None
    assert scan.versions[TlsVersion.TLS_1_2] is True
    assert scan.deep_suites is not None
    assert scan.deep_suites.errors == {"scan": "sslyze's enumeration did not end within 3 s"}
    judgement = Judgement(
        "trickle.test", "trickle.test", Anchors.of(scan.chain), datetime.now(UTC), 21
    )
    ciphers = check_ciphers(scan, judgement)
    assert ciphers.status is Status.PASS  # the fast probe's verdict: no weak suite
    assert ciphers.evidence["unlisted"] == scan.deep_suites.errors


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _signalled_mid_probe(signum: int) -> subprocess.CompletedProcess[str]:
    """`auditor tls` against a server that accepts and never answers, sent `signum` once it
    has connected; it must be gone well inside the 30 s the probe would wait."""
    accepted = threading.Event()
    with socket.create_server((ADDRESS, 0)) as listener:

        def accept_and_stay_silent() -> None:
            with contextlib.suppress(OSError):
                conn, _ = listener.accept()
                accepted.set()
                with conn:
                    conn.recv(1)  # until the auditor's end goes away

        threading.Thread(target=accept_and_stay_silent, daemon=True).start()
        port = listener.getsockname()[1]
        command = auditor_command("tls", f"silent.test:{port}")
        command += ["--address", ADDRESS, "--timeout", "30", "--format", "json"]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # As from a terminal: a suite started in the background (`pytest &`) passes its
            # children SIGINT ignored, and Python then keeps it ignored.
            preexec_fn=_default_sigint,  # noqa: PLW1509 - no threads touch the child
        )
        try:
            assert accepted.wait(MUST_EXIT_WITHIN), "the auditor never connected"
            process.send_signal(signum)
            out, err = process.communicate(timeout=15)
        finally:
            process.kill()
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def test_sigterm_mid_run_is_one_line_and_exit_143_not_a_kill() -> None:
    """systemd stops a unit with SIGTERM: the run unwinds (temporary files removed, the
    history's transaction rolled back) and says so, instead of dying where it stands."""
    result = _signalled_mid_probe(signal.SIGTERM)
    assert result.returncode == 143
    assert result.stderr == "auditor: terminated\n"
    assert json.loads(result.stdout) == {"error": "terminated", "exit_code": 143}  # --format json


def test_ctrl_c_mid_run_exits_at_once_not_at_the_silent_servers_timeout() -> None:
    result = _signalled_mid_probe(signal.SIGINT)
    assert result.returncode == 130
    assert result.stderr.strip() == "auditor: aborted"
