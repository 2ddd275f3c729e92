"""A small HTTPS site (and its plain-HTTP side) in pure Python, for `auditor demo`.

The tests use Debian's nginx; the demo must run on a machine with nothing but Python, so it
serves its sites with the standard library: TLS from the `ssl` module with a certificate
from the throwaway CA, HSTS and the http:// redirect as the site's case asks.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from auditor.lab.pki import LeafFiles

# Mozilla intermediate 5.7's TLS 1.2 suites, the bar tls.ciphers passes (the same list as
# checks/tls/policy.py, which the lab may not import; a test keeps them equal). Python's
# default list also has CBC suites, which warn.
INTERMEDIATE_SUITES = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"
)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a scanner hanging up mid-handshake is expected, not worth a traceback


def _handler(headers: Mapping[str, str], redirect_to: str | None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "lab"
        sys_version = ""
        timeout = 10  # a client that connects and never speaks is dropped

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, body: bool) -> None:
            if redirect_to is not None:
                self.send_response(301)
                self.send_header("Location", redirect_to + self.path.lstrip("/"))
                payload = b""
            else:
                self.send_response(200)
                payload = b"<!doctype html><title>lab</title><p>Hej.</p>\n"
                self.send_header("Content-Type", "text/html; charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if body:
                self.wfile.write(payload)

        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

    return Handler


class LabWebSite:
    """HTTPS on `address` and plain HTTP beside it (ports chosen by the system unless given)."""

    def __init__(
        self,
        host: str,
        address: str,
        files: LeafFiles,
        hsts: str | None = "max-age=31536000; includeSubDomains",
        redirect: bool = True,
        port: int = 0,
        http_port: int = 0,
    ) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers(INTERMEDIATE_SUITES)
        context.load_cert_chain(Path(files.fullchain), Path(files.key))
        self.context = context
        headers = {"Strict-Transport-Security": hsts} if hsts else {}
        self.https = _QuietServer((address, port), _handler(headers, None))
        # The handshake happens in the request's own thread: a silent client stalls nobody.
        self.https.socket = context.wrap_socket(
            self.https.socket, server_side=True, do_handshake_on_connect=False
        )
        self.port = int(self.https.server_address[1])
        target = f"https://{host}:{self.port}/" if redirect else None
        self.http = _QuietServer((address, http_port), _handler({}, target))
        self.http_port = int(self.http.server_address[1])
        self.host = host
        self.address = address
        for server in (self.https, self.http):
            threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            ).start()

    def serve_certificate(self, files: LeafFiles) -> None:
        """A renewed certificate: every handshake from now on gets it (no restart)."""
        self.context.load_cert_chain(Path(files.fullchain), Path(files.key))

    def close(self) -> None:
        for server in (self.https, self.http):
            server.shutdown()
            server.server_close()
