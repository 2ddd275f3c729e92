"""Small TLS servers that nginx will not be: anonymous suites, client certificates, odd chains.

Python's ssl module on loopback, one thread per connection: each connection gets the
handshake and, if it completes, is closed. Bounded by the test that starts it.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from auditor.lab.pki import LeafFiles, TestCA
from tests.support.trickle import LoopbackServer


class TlsServer(LoopbackServer):
    """Listens on `address`; answers every connection with a handshake under `context`."""

    def __init__(self, address: str, context: ssl.SSLContext) -> None:
        self.context = context  # before the accept loop starts
        super().__init__(address)

    def _serve(self, conn: socket.socket, number: int) -> None:
        conn.settimeout(5)
        with contextlib.suppress(OSError), conn:
            self.context.wrap_socket(conn, server_side=True).close()


@contextmanager
def serving(address: str, context: ssl.SSLContext) -> Iterator[int]:
    """A TlsServer's port for the block's duration."""
    server = TlsServer(address, context)
    try:
        yield server.port
    finally:
        server.close()


def anonymous_context() -> ssl.SSLContext:
    """TLS 1.2 with anonymous (aNULL) suites only: a handshake without any certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("aNULL:@SECLEVEL=0")
    return context


def client_certificate_context(folder: Path) -> ssl.SSLContext:
    """A server that completes no handshake without a client certificate from its own CA."""
    ca = TestCA("Client Auth")
    files = ca.write_leaf(ca.issue(["clientauth.test"]), folder, "clientauth")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files.fullchain, files.key)
    context.load_verify_locations(cadata=ca.root.cert_pem.decode("ascii"))
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def certificate_context(files: LeafFiles) -> ssl.SSLContext:
    """A plain server for the chain in `files`."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files.fullchain, files.key)
    return context
