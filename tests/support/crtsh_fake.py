"""A fake crt.sh on loopback: `/?q=%.DOMAIN&output=json` answered in crt.sh's own JSON shape.

One object per (certificate, log entry), as crt.sh sends them: the same certificate comes
once per log it is in (duplicates), `name_value` holds several names separated by newlines,
in whatever case and with whatever trailing dot the certificate carries. It can be scripted
to misbehave (a 502, a 429, an answer too large to keep) and logs every query.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LETS_ENCRYPT = "C=US, O=Let's Encrypt, CN=R11"


def entry(
    cert_id: int,
    names: Sequence[str],
    logged: datetime,
    issuer: str = LETS_ENCRYPT,
    common_name: str | None = None,
) -> dict[str, Any]:
    """One crt.sh row: the fields and formats crt.sh's JSON output has."""
    return {
        "issuer_ca_id": 295815,
        "issuer_name": issuer,
        "common_name": common_name if common_name is not None else names[0],
        "name_value": "\n".join(names),
        "id": cert_id,
        "entry_timestamp": logged.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
        "not_before": (logged - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),
        "not_after": (logged + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%S"),
        "serial_number": f"{cert_id:036x}",
        "result_count": len(names),
    }


@dataclass(frozen=True)
class Scripted:
    status: int
    body: bytes = b"<html><body>502 Bad Gateway</body></html>"
    headers: Mapping[str, str] = field(default_factory=dict)
    # False: no Content-Length, the body ends when the connection closes (HTTP/1.0)
    declare_length: bool = True


class FakeCrtSh:
    def __init__(self, address: str, entries: Mapping[str, list[dict[str, Any]]]) -> None:
        self.entries = dict(entries)  # domain -> rows
        self.scripts: list[Scripted] = []
        self.queries: list[dict[str, list[str]]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((address, 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://{address}:{self.server.server_address[1]}/"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def script(self, *responses: Scripted) -> None:
        with self.lock:
            self.scripts.extend(responses)

    def down(self, times: int = 10) -> None:
        """Every answer a 502 for the next `times` queries (crt.sh on a bad day)."""
        self.script(*(Scripted(502) for _ in range(times)))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(
                self,
                status: int,
                body: bytes,
                headers: Mapping[str, str] = {},
                declare_length: bool = True,
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                if declare_length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                with fake.lock:
                    fake.queries.append(query)
                    scripted = fake.scripts.pop(0) if fake.scripts else None
                if scripted is not None:
                    self._send(
                        scripted.status, scripted.body, scripted.headers, scripted.declare_length
                    )
                    return
                domain = query.get("q", [""])[0].removeprefix("%.")
                rows = fake.entries.get(domain, [])
                self._send(200, json.dumps(rows).encode())

        return Handler


def domains_asked(fake: FakeCrtSh) -> list[str]:
    return [q.get("q", [""])[0] for q in fake.queries]


def now_minus(now: datetime, days: int) -> datetime:
    return (now - timedelta(days=days)).replace(tzinfo=None)
