"""A web site whose every answer is bytes written by the test: what nginx cannot be made to say.

Plain HTTP on one port and HTTPS (a certificate from a test CA) on another, both on one
loopback address. Each connection reads the request and gets its port's answer verbatim,
with `{https_port}` replaced by the HTTPS port, then the connection is closed.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from auditor.lab.pki import TestCA

HOST = "canned.test"


@dataclass(frozen=True)
class CannedSite:
    address: str
    http_port: int
    https_port: int


class _Answerer:
    def __init__(self, address: str, answer: bytes, context: ssl.SSLContext | None) -> None:
        self.listener = socket.create_server((address, 0))
        self.port = self.listener.getsockname()[1]
        self.answer = answer
        self.context = context
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(5)
            peer: socket.socket = conn
            if self.context is not None:
                peer = self.context.wrap_socket(conn, server_side=True)
            peer.recv(65536)  # the request
            peer.sendall(self.answer)

    def close(self) -> None:
        self.listener.close()


@contextmanager
def canned_site(address: str, http: bytes, https: bytes, folder: Path) -> Iterator[CannedSite]:
    """A site answering `http` on plain HTTP and `https` over TLS, for the block's duration."""
    ca = TestCA()
    files = ca.write_leaf(ca.issue([HOST]), folder, "canned")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files.fullchain, files.key)
    secure = _Answerer(address, b"", context)
    secure.answer = https.replace(b"{https_port}", str(secure.port).encode())
    plain = _Answerer(address, http.replace(b"{https_port}", str(secure.port).encode()), None)
    try:
        yield CannedSite(address, plain.port, secure.port)
    finally:
        plain.close()
        secure.close()
