"""A real nginx (Debian's package) started for tests and benchmarks, on loopback only.

Everything it reads and writes lives in one folder: config, pid file, logs, temp paths.
It never touches /etc/nginx or /var/log.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/bin/nginx")


class NginxError(RuntimeError):
    pass


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (c for c in NGINX_CANDIDATES if os.access(c, os.X_OK)), None
    )
    if found is None:
        raise NginxError("nginx is not installed: run ./tests/run.sh, which installs it")
    return found


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


def wait_for_port(address: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise NginxError(f"nothing listens on {address}:{port} after {timeout} s")


class Nginx:
    """One nginx master with the given `server { }` blocks."""

    def __init__(self, folder: Path, servers: list[str]) -> None:
        self.folder = folder
        self.servers = servers
        self.process: subprocess.Popen[bytes] | None = None
        self.access_log = folder / "access.log"
        self.error_log = folder / "error.log"

    def _config(self) -> str:
        # As root the workers would switch to `nobody`, who cannot read a 0700 test folder.
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "\n".join(
            f"    {name}_temp_path {self.folder / name};"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        servers = "\n".join(self.servers)
        return f"""{user}worker_processes 1;
pid {self.folder / "nginx.pid"};
error_log {self.error_log} info;
events {{ worker_connections 1024; }}
http {{
    log_format lab '$server_addr:$server_port $connection $connection_requests '
                   '$ssl_protocol "$request" $status';
    access_log {self.access_log} lab;
{temp}
    server_tokens off;
    keepalive_timeout 5s;
{servers}
}}
"""

    def start(self, wait_on: list[tuple[str, int]]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        conf = self.folder / "nginx.conf"
        conf.write_text(self._config())
        binary = nginx_binary()
        check = subprocess.run(
            [binary, "-t", "-q", "-p", str(self.folder), "-c", str(conf)],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode != 0:
            raise NginxError(f"nginx rejected the lab config: {check.stderr.strip()}")
        self.process = subprocess.Popen(
            [binary, "-p", str(self.folder), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            for address, port in wait_on:
                wait_for_port(address, port)
        except NginxError:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None

    def reload(self, servers: list[str]) -> None:
        """Swap the server blocks without restarting (SIGHUP re-reads config and certs)."""
        self.servers = servers
        (self.folder / "nginx.conf").write_text(self._config())
        if self.process is not None:
            self.process.send_signal(signal.SIGHUP)
            time.sleep(0.5)
