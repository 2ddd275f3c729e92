"""An SSH server named without an address is resolved as a site's name is: by the run's
resolver, once, and told in the same words when the name has no address (real DNS and sshd
on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.core.config import load_config
from auditor.core.family import AuditContext
from auditor.core.model import Status
from auditor.core.runner import run_audit
from checks import families
from tests.support.dns_lab import LoopbackDns
from tests.support.sshd_lab import SshdLab

DNS_ADDRESS = "127.0.61.2"


@pytest.fixture(scope="module")
def dns_server(sshd_lab: SshdLab) -> Iterator[LoopbackDns]:
    keyonly = sshd_lab.server("keyonly")
    server = LoopbackDns(DNS_ADDRESS, {keyonly.host: {"A": [keyonly.address]}})
    yield server
    server.close()


def test_a_named_server_is_found_by_the_runs_resolver_and_a_missing_name_worded_as_for_tls(
    sshd_lab: SshdLab, dns_server: LoopbackDns, tmp_path: Path
) -> None:
    keyonly = sshd_lab.server("keyonly")
    config = tmp_path / "auditor.toml"
    config.write_text(
        '[[sites]]\nhost = "gone.lab.test"\nplatform = "Lab"\n'
        f'[[ssh.servers]]\nhost = "{keyonly.host}"\nport = {keyonly.port}\n'
        f'[[ssh.servers]]\nhost = "gone.lab.test"\nport = {keyonly.port}\n'
        '[ssh]\nusers = ["root"]\nfrom_inventory = false\n'
        + dns_server.config()
        + "[limits]\nconnect_timeout = 2\n"
    )
    report = run_audit(families("tls", "ssh"), AuditContext(config=load_config(config)))
    by = {(f.check, f.target): f for f in report.findings}
    found = by[("ssh.connect", f"{keyonly.host}:{keyonly.port}")]
    assert found.status is Status.PASS, found.message
    assert found.evidence["address"] == keyonly.address
    tls = by[("tls.connect", "gone.lab.test")]
    ssh = by[("ssh.connect", f"gone.lab.test:{keyonly.port}")]
    assert tls.status is ssh.status is Status.ERROR
    assert (
        ssh.message
        == tls.message
        == ("Could not connect: gone.lab.test does not exist in DNS (NXDOMAIN).")
    )
    assert dns_server.asked("gone.lab.test", "A") == 1  # asked once for both families
