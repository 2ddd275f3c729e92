"""A small SSH server built with paramiko for the demo lab and tests: it offers chosen methods.

It never lets anyone in unless told to accept `none` (the broken server the auditor must
catch), or unless a `LabAccounts` names the auditor's own key: then it answers the
commands the authenticated read runs (`sshd -T`, `getent passwd` and `group`, `cat` of a
keys file or of /etc/ssh/sshd_config) from its canned accounts, like a small server would.
It records every authentication attempt so a test can prove the auditor sent no password.
"""

from __future__ import annotations

import contextlib
import logging
import shlex
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import paramiko
from paramiko.common import AUTH_FAILED, AUTH_SUCCESSFUL, OPEN_SUCCEEDED

# A client that asks for a host key type the lab lacks (the auditor does, to list every host
# key) is normal here: paramiko would print a server-side traceback for it on stderr.
_TRANSPORT_LOG = "auditor.lab.ssh.transport"
logging.getLogger(_TRANSPORT_LOG).addHandler(logging.NullHandler())
logging.getLogger(_TRANSPORT_LOG).propagate = False


@dataclass
class Attempts:
    methods: list[tuple[str, str]] = field(default_factory=list)  # (user, method)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, user: str, method: str) -> None:
        with self.lock:
            self.methods.append((user, method))


@dataclass(frozen=True)
class LabAccounts:
    """What the server shows an authenticated auditor: accounts and their keys files."""

    auditor_user: str
    auditor_key: str  # the auditor's public key, base64 as in authorized_keys
    keys_files: Mapping[str, str]  # account -> authorized_keys text
    methods: str = "publickey"

    def answer(self, command: str) -> tuple[int, str]:
        words = shlex.split(command)
        if words[:2] == ["sshd", "-T"]:
            password = "yes" if "password" in self.methods else "no"
            kbd = "yes" if "keyboard-interactive" in self.methods else "no"
            return 0, (
                f"passwordauthentication {password}\nkbdinteractiveauthentication {kbd}\n"
                "permitrootlogin prohibit-password\npermitemptypasswords no\n"
                "authenticationmethods any\nauthorizedkeysfile .ssh/authorized_keys\n"
                "pubkeyauthentication yes\n"
            )
        if words == ["getent", "passwd"]:
            homes = {
                user: "/root" if user == "root" else f"/home/{user}" for user in self.keys_files
            }
            return 0, "".join(
                f"{user}:x:{n}:{n}::{home}:/bin/bash\n"
                for n, (user, home) in enumerate(homes.items())
            )
        if words == ["getent", "group"]:
            return 0, "".join(f"{user}:x:{n}:\n" for n, user in enumerate(self.keys_files))
        if words[:4] == ["env", "LC_ALL=C", "cat", "--"] and len(words) >= 5:
            if words[4] == "/etc/ssh/sshd_config":  # no Match blocks: `sshd -T` says it all
                return 0, "AuthenticationMethods any\nPubkeyAuthentication yes\n"
            for user, text in self.keys_files.items():
                home = "/root" if user == "root" else f"/home/{user}"
                if words[4] == f"{home}/.ssh/authorized_keys":
                    return 0, text
            return 1, f"cat: {words[4]}: No such file or directory\n"
        return 127, f"{words[0] if words else ''}: command not found\n"

    def admits(self, user: str, key: paramiko.PKey) -> bool:
        """Only the auditor, with its own key."""
        return user == self.auditor_user and key.get_base64() == self.auditor_key

    def serve(self, channel: paramiko.Channel, command: str) -> None:
        """Run `command` on `channel` as a shell would: its output, its exit status, the end."""
        status, output = self.answer(command)
        channel.sendall(output.encode())
        channel.send_exit_status(status)
        channel.close()


class _Interface(paramiko.ServerInterface):
    def __init__(
        self, methods: str, accept_none: bool, attempts: Attempts, accounts: LabAccounts | None
    ) -> None:
        self.methods = methods
        self.accept_none = accept_none
        self.attempts = attempts
        self.accounts = accounts

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return OPEN_SUCCEEDED if kind == "session" and self.accounts else 1

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        accounts = self.accounts
        if accounts is None:
            return False

        def reply() -> None:
            # paramiko acknowledges the exec request only after this method returns; a reply
            # that overtook the acknowledgement would look like a closed channel to the client.
            time.sleep(0.05)
            with contextlib.suppress(Exception):
                accounts.serve(channel, command.decode("utf-8", "replace"))

        threading.Thread(target=reply, daemon=True).start()
        return True

    def get_allowed_auths(self, username: str) -> str:
        return self.methods

    def check_auth_none(self, username: str) -> int:
        self.attempts.add(username, "none")
        return AUTH_SUCCESSFUL if self.accept_none else AUTH_FAILED

    def check_auth_password(self, username: str, password: str) -> int:
        self.attempts.add(username, "password")
        return AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        self.attempts.add(username, "publickey")
        admitted = self.accounts is not None and self.accounts.admits(username, key)
        return AUTH_SUCCESSFUL if admitted else AUTH_FAILED

    def check_auth_interactive(self, username: str, submethods: str) -> int:
        self.attempts.add(username, "keyboard-interactive")
        return AUTH_FAILED


class LabSshServer:
    """Listens on `address` (port chosen by the system unless given); a thread per connection."""

    def __init__(
        self,
        address: str,
        methods: str = "publickey",
        accept_none: bool = False,
        port: int = 0,
        accounts: LabAccounts | None = None,
    ) -> None:
        self.accounts = accounts
        self.methods = methods
        self.accept_none = accept_none
        self.attempts = Attempts()
        self.host_key = paramiko.ECDSAKey.generate()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.listen(32)
        self.address = address
        self.port: int = self.sock.getsockname()[1]
        self._closing = False
        self._transports: list[paramiko.Transport] = []
        threading.Thread(target=self._accept, daemon=True, name="lab-ssh").start()

    def _accept(self) -> None:
        while not self._closing:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        transport.set_log_channel(_TRANSPORT_LOG)
        self._transports.append(transport)
        transport.add_server_key(self.host_key)
        with contextlib.suppress(Exception):  # a client hanging up is not the server's problem
            interface = _Interface(self.methods, self.accept_none, self.attempts, self.accounts)
            transport.start_server(server=interface)
            if self.accounts is None:
                channel = transport.accept(timeout=5)
                if channel is not None:
                    channel.close()
                return
            # Held until the client is done: a channel paramiko forgets is closed on collection.
            channels = []
            while transport.is_active() and not self._closing:
                channel = transport.accept(timeout=1)
                if channel is not None:
                    channels.append(channel)

    def close(self) -> None:
        self._closing = True
        self.sock.close()
        for transport in self._transports:
            transport.close()
