"""A small SSH server built with paramiko for the demo lab and tests: it offers chosen methods.

It never lets anyone in unless told to accept `none` (the broken server the auditor must
catch); it records every authentication attempt so a test can prove the auditor sent no
password.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field

import paramiko
from paramiko.common import AUTH_FAILED, AUTH_SUCCESSFUL


@dataclass
class Attempts:
    methods: list[tuple[str, str]] = field(default_factory=list)  # (user, method)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, user: str, method: str) -> None:
        with self.lock:
            self.methods.append((user, method))


class _Interface(paramiko.ServerInterface):
    def __init__(self, methods: str, accept_none: bool, attempts: Attempts) -> None:
        self.methods = methods
        self.accept_none = accept_none
        self.attempts = attempts

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
        return AUTH_FAILED

    def check_auth_interactive(self, username: str, submethods: str) -> int:
        self.attempts.add(username, "keyboard-interactive")
        return AUTH_FAILED


class LabSshServer:
    """Listens on `address` (port chosen by the system unless given); a thread per connection."""

    def __init__(
        self, address: str, methods: str = "publickey", accept_none: bool = False, port: int = 0
    ) -> None:
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
        self._transports.append(transport)
        transport.add_server_key(self.host_key)
        with contextlib.suppress(Exception):  # a client hanging up is not the server's problem
            transport.start_server(server=_Interface(self.methods, self.accept_none, self.attempts))
            channel = transport.accept(timeout=5)
            if channel is not None:
                channel.close()

    def close(self) -> None:
        self._closing = True
        self.sock.close()
        for transport in self._transports:
            transport.close()
