"""The fake DigitalOcean API on 127.0.30.0/24, with a scenario account and a random token.

The token is random per test so that a search for it in any output is meaningful. A second
fake on another address plays "a foreign host" for the next-page-link test: it records the
Authorization header of anything that reaches it.
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.lab.fake_digitalocean import FakeDigitalOcean, scenario

NET = "127.0.30"


@dataclass
class DoLab:
    fake: FakeDigitalOcean
    token: str
    account_key_line: str  # a real ed25519 public key among the account's keys
    account_key_fingerprint: str  # as ssh-keygen -lf prints it

    @property
    def env(self) -> dict[str, str]:
        return {"DIGITALOCEAN_ACCESS_TOKEN": self.token}

    def config_text(self, sites: dict[str, list[str]] | None = None, extra: str = "") -> str:
        """A config whose sites (host -> pinned addresses) point where the test wants."""
        lines = [
            "[digitalocean]",
            f'endpoint = "{self.fake.base}"',
            "[ssh]",
            "from_inventory = false",
        ]
        for host, addresses in (sites or {}).items():
            quoted = ", ".join(f'"{a}"' for a in addresses)
            lines += [
                "[[sites]]",
                f'host = "{host}"',
                'platform = "Lab"',
                f"addresses = [{quoted}]",
            ]
        return "\n".join(lines) + "\n" + extra

    def write_config(self, path: Path, sites: dict[str, list[str]] | None = None) -> Path:
        path.write_text(self.config_text(sites))
        return path


def account_key(folder: Path) -> tuple[str, str]:
    key = folder / "account_ed25519"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "anna@lab", "-f", str(key)],
        check=True,
    )
    line = key.with_suffix(".pub").read_text().strip()
    listed = subprocess.run(
        ["ssh-keygen", "-lf", str(key.with_suffix(".pub"))],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return line, listed[1]


@pytest.fixture
def do_lab(tmp_path: Path) -> Iterator[DoLab]:
    token = "dop_v1_" + secrets.token_hex(32)
    line, fingerprint = account_key(tmp_path)
    items = scenario(NET, datetime.now(UTC), [("Anna (laptop)", line)])
    fake = FakeDigitalOcean(f"{NET}.1", token, items=items)
    try:
        yield DoLab(fake, token, line, fingerprint)
    finally:
        fake.close()


@pytest.fixture
def foreign_host() -> Iterator[FakeDigitalOcean]:
    """Another API-shaped server: nothing may ever send it the lab's token."""
    fake = FakeDigitalOcean(f"{NET}.2", "a-different-token")
    try:
        yield fake
    finally:
        fake.close()
