"""The SSH lab: real OpenSSH sshd instances on 127.0.20.0/24, each with its own everything.

Config file, host keys, pid file, log and AuthorizedKeysFile live under the test's temporary
folder; the machine's own /etc/ssh and /root/.ssh are never read or written. Logs run at
DEBUG so that every authentication request (and its method) is on record.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.nginx import free_port, wait_for_port

NET = "127.0.20"
SSHD = "/usr/sbin/sshd"

COMMON = """
UsePAM {use_pam}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PermitEmptyPasswords no
StrictModes no
LogLevel DEBUG1
Subsystem sftp internal-sftp
"""
CASES: dict[str, str] = {
    "keyonly": "PasswordAuthentication no\nKbdInteractiveAuthentication no\n",
    "password": "PasswordAuthentication yes\nKbdInteractiveAuthentication no\n",
    "kbdint": "PasswordAuthentication no\nKbdInteractiveAuthentication yes\n",
    "matchuser": (
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "Match User nobody\n    PasswordAuthentication yes\n"
    ),
}


@dataclass
class LabSshd:
    case: str
    address: str
    port: int
    config: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return f"{self.case}.ssh.test"

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class SshdLab:
    folder: Path
    servers: dict[str, LabSshd]
    keys_dir: Path  # AuthorizedKeysFile is keys_dir/%u
    auditor_key: Path
    auditor_pub: str
    known_hosts: Path
    extra: dict[str, Path] = field(default_factory=dict)

    def server(self, case: str) -> LabSshd:
        return self.servers[case]

    def authorized_keys(self, user: str) -> Path:
        return self.keys_dir / user

    def config_text(
        self,
        cases: list[str] | None = None,
        users: tuple[str, ...] = ("root",),
        authenticated: bool = True,
        roster: Path | None = None,
        max_holders: int = 5,
    ) -> str:
        blocks = []
        for case in cases or list(self.servers):
            s = self.servers[case]
            blocks.append(
                f'[[ssh.servers]]\nhost = "{s.host}"\nport = {s.port}\naddress = "{s.address}"\n'
                f'sshd_command = "{SSHD} -f {s.config}"\n'
            )
        users_toml = ", ".join(f'"{u}"' for u in users)
        text = "\n".join(blocks) + f"\n[ssh]\nusers = [{users_toml}]\nfrom_inventory = false\n"
        if authenticated:
            text += (
                f'auditor_user = "root"\nauditor_key = "{self.auditor_key}"\n'
                f'known_hosts = "{self.known_hosts}"\n'
            )
        text += f"\n[access]\nmax_holders = {max_holders}\n"
        if roster is not None:
            text += f'roster = "{roster}"\n'
        text += "\n[limits]\nconnect_timeout = 3\ntarget_timeout = 60\n"
        # ssh.servers must come before [ssh]: TOML puts [[ssh.servers]] inside [ssh].
        return text

    def stop(self) -> None:
        for server in self.servers.values():
            if server.process is not None and server.process.poll() is None:
                server.process.send_signal(signal.SIGTERM)
                try:
                    server.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.process.kill()


def keygen(path: Path, kind: str = "ed25519", bits: int | None = None, comment: str = "") -> str:
    """A fresh key pair with Debian's ssh-keygen; returns the public key line."""
    args = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", comment, "-f", str(path)]
    if bits is not None:
        args += ["-b", str(bits)]
    subprocess.run(args, check=True, capture_output=True)
    return path.with_suffix(path.suffix + ".pub").read_text().strip()


def _start(server: LabSshd) -> None:
    if not os.access(SSHD, os.X_OK):
        raise RuntimeError("sshd is not installed: run ./tests/run.sh, which installs it")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    check = subprocess.run(
        [SSHD, "-t", "-f", str(server.config)], capture_output=True, text=True, check=False
    )
    if check.returncode != 0:
        raise RuntimeError(f"sshd rejected the {server.case} config: {check.stderr.strip()}")
    server.process = subprocess.Popen(
        [SSHD, "-D", "-f", str(server.config), "-E", str(server.log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(server.address, server.port)


@contextmanager
def lone_sshd(
    folder: Path,
    address: str,
    host_keys: dict[str, int | None],
    extra: str = "",
    body: str = CASES["keyonly"],
) -> Iterator[LabSshd]:
    """One sshd outside the shared lab, with the host keys given (type -> bits): key-only,
    unless `body` sets its login methods otherwise.

    `extra` is appended to its config (after everything else, so it may hold Match blocks).
    """
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for kind, bits in host_keys.items():
        path = folder / f"ssh_host_{kind}{bits or ''}_key"
        keygen(path, kind, bits)
        lines.append(f"HostKey {path}")
    port = free_port(address)
    config = folder / "sshd_lone.conf"
    config.write_text(
        f"ListenAddress {address}:{port}\nPidFile {folder / 'sshd_lone.pid'}\n"
        + "\n".join(lines)
        + f"\nAuthorizedKeysFile {folder}/%u\n"
        + COMMON.format(use_pam="no")
        + body
        + extra
    )
    server = LabSshd("lone", address, port, config, folder / "sshd_lone.log")
    try:
        _start(server)
        yield server
    finally:
        if server.process is not None:
            server.process.terminate()
            server.process.wait(timeout=10)


def build_sshd_lab(folder: Path) -> SshdLab:
    folder.mkdir(parents=True, exist_ok=True)
    keys_dir = folder / "authorized_keys"
    keys_dir.mkdir()
    host_keys = folder / "hostkeys"
    host_keys.mkdir()
    for kind in ("ed25519", "ecdsa", "rsa"):
        keygen(host_keys / f"ssh_host_{kind}_key", kind, 3072 if kind == "rsa" else None)
    auditor_key = folder / "auditor_ed25519"
    auditor_pub = keygen(auditor_key, "ed25519", comment="auditor@lab")
    servers: dict[str, LabSshd] = {}
    known: list[str] = []
    for index, (case, body) in enumerate(CASES.items(), start=1):
        address = f"{NET}.{index}"
        port = free_port(address)
        config = folder / f"sshd_{case}.conf"
        host_key_lines = "\n".join(
            f"HostKey {host_keys / f'ssh_host_{k}_key'}" for k in ("ed25519", "ecdsa", "rsa")
        )
        config.write_text(
            f"ListenAddress {address}:{port}\nPidFile {folder / f'sshd_{case}.pid'}\n"
            f"{host_key_lines}\nAuthorizedKeysFile {keys_dir}/%u\n"
            + COMMON.format(use_pam="yes" if case == "kbdint" else "no")
            + body
        )
        server = LabSshd(case, address, port, config, folder / f"sshd_{case}.log")
        servers[case] = server
        for kind in ("ed25519", "ecdsa", "rsa"):
            pub = (host_keys / f"ssh_host_{kind}_key.pub").read_text().split()
            known.append(f"[{server.host}]:{port},[{address}]:{port} {pub[0]} {pub[1]}")
    known_hosts = folder / "known_hosts"
    known_hosts.write_text("\n".join(known) + "\n")
    (keys_dir / "root").write_text(auditor_pub + "\n")
    lab = SshdLab(folder, servers, keys_dir, auditor_key, auditor_pub, known_hosts)
    try:
        for server in servers.values():
            _start(server)
    except Exception:
        lab.stop()
        raise
    return lab


@pytest.fixture(scope="session")
def sshd_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshdLab]:
    lab = build_sshd_lab(tmp_path_factory.mktemp("sshd-lab"))
    try:
        yield lab
    finally:
        lab.stop()
