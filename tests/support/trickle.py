"""A peer that never stops talking and never finishes: a byte now and then, forever.

Every byte arrives well inside any socket timeout, so only a deadline on the whole
exchange ends it. Loopback only, one thread per connection, closed with the server.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from auditor.lab.pki import TestCA
from checks.tls.policy import MOZILLA_INTERMEDIATE_STRING

BYTE_EVERY = 0.2  # seconds: far inside the 1 s timeout the tests give the auditor
# A handshake record header announcing 16 KiB: its body then comes a byte at a time.
TLS_RECORD_START = b"\x16\x03\x03\x40\x00"


class LoopbackServer:
    """Listens on `address`; each connection is served by `_serve` in a thread of its own."""

    def __init__(self, address: str) -> None:
        self.accepted = 0
        self.listener = socket.create_server((address, 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._serve, args=(conn, self.accepted), daemon=True).start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        raise NotImplementedError

    def _trickle(self, peer: socket.socket) -> None:
        while not self.stop.wait(BYTE_EVERY):
            peer.sendall(b"X")

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


class TrickleServer(LoopbackServer):
    """Answers each connection with `prefix`, then one byte every BYTE_EVERY seconds.

    With `tls_folder`, it completes a TLS handshake first (a certificate from a test CA)
    and trickles inside TLS: an HTTPS server whose response head never ends.
    """

    def __init__(self, address: str, prefix: bytes, tls_folder: Path | None = None) -> None:
        self.prefix = prefix
        self.context = _server_context(tls_folder) if tls_folder is not None else None
        super().__init__(address)

    def _serve(self, conn: socket.socket, number: int) -> None:
        with contextlib.suppress(OSError), conn:
            peer: socket.socket = conn
            if self.context is not None:
                peer = self.context.wrap_socket(conn, server_side=True)
                peer.recv(65536)  # the request
            peer.sendall(self.prefix)
            self._trickle(peer)


class TiringTlsServer(LoopbackServer):
    """A TLS server for its first `honest` connections; every later one gets a trickle.

    A server that starts throttling in the middle of a scan: the fast probe's few
    connections are answered, an exhaustive enumeration's hundreds are not.
    """

    def __init__(self, address: str, folder: Path, honest: int) -> None:
        self.context = _server_context(folder)
        self.honest = honest
        super().__init__(address)

    def _serve(self, conn: socket.socket, number: int) -> None:
        with contextlib.suppress(OSError), conn:
            if number <= self.honest:
                # The handshake is the answer; a refused version or suite is one too.
                self.context.wrap_socket(conn, server_side=True).close()
                return
            conn.sendall(TLS_RECORD_START)
            self._trickle(conn)


def _server_context(folder: Path) -> ssl.SSLContext:
    ca = TestCA()
    files = ca.write_leaf(ca.issue(["trickle.test"]), folder, "trickle")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files.fullchain, files.key)
    context.set_ciphers(MOZILLA_INTERMEDIATE_STRING)  # Python's default adds CBC: a warning
    return context


@contextmanager
def trickling(address: str, prefix: bytes, tls_folder: Path | None = None) -> Iterator[int]:
    """A TrickleServer's port for the block's duration."""
    server = TrickleServer(address, prefix, tls_folder)
    try:
        yield server.port
    finally:
        server.close()
