"""ssh.* verdicts over hand-built probe results and sshd -T readings."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.core.config import parse_config
from auditor.core.family import AuditContext
from auditor.core.inventory import CloudResource, Inventory
from auditor.core.model import Status
from checks.ssh.family import FAMILY, ServerFacts, SshTarget, check_effective
from checks.ssh.model import ServerRead, SshProbe

KEY_ONLY = {
    "passwordauthentication": "no",
    "permitemptypasswords": "no",
    "pubkeyauthentication": "yes",
    "permitrootlogin": "prohibit-password",
}


@pytest.mark.parametrize(
    ("methods", "status"),
    [
        ("any", Status.FAIL),
        ("publickey keyboard-interactive", Status.FAIL),  # either one alone lets you in
        ("keyboard-interactive", Status.FAIL),
        ("keyboard-interactive:pam,publickey", Status.FAIL),
        ("publickey,keyboard-interactive", Status.PASS),  # a key first, then the prompt
        ("publickey,keyboard-interactive publickey", Status.PASS),
    ],
)
def test_keyboard_interactive_is_judged_by_what_authenticationmethods_lets_in(
    methods: str, status: Status
) -> None:
    config = KEY_ONLY | {"kbdinteractiveauthentication": "yes", "authenticationmethods": methods}
    probed = SshProbe("web", "192.0.2.1", 22)
    finding = check_effective(ServerFacts("web", probed, ServerRead(effective={"root": config})))
    assert finding.status is status
    if status is Status.FAIL:
        assert finding.message == "sshd -T for root: kbdinteractiveauthentication yes."


def test_pubkeyauthentication_no_fails_and_the_evidence_shows_it() -> None:
    config = KEY_ONLY | {"pubkeyauthentication": "no"}
    probed = SshProbe("web", "192.0.2.1", 22)
    finding = check_effective(ServerFacts("web", probed, ServerRead(effective={"root": config})))
    assert finding.status is Status.FAIL
    assert finding.message == "sshd -T for root: pubkeyauthentication no."
    # The value that decided the failure is in the evidence, beside the others judged.
    assert finding.evidence["users"]["root"]["pubkeyauthentication"] == "no"
    assert finding.evidence["users"]["root"]["passwordauthentication"] == "no"


def _droplets_context(tmp_path: Path) -> AuditContext:
    text = "[ssh]\nfrom_inventory = true\ninventory_port = 2222\n"
    return AuditContext(parse_config(text, "test", tmp_path))


def test_every_droplet_is_an_ssh_target_whatever_addresses_it_has(tmp_path: Path) -> None:
    """IPv4 first, IPv6 where there is none; a droplet with neither is kept, not dropped."""
    inventory = Inventory(
        cloud=(
            CloudResource(
                "droplet", "1", "web", "ams3", ipv4=("192.0.2.1",), ipv6=("2001:db8::1",)
            ),
            CloudResource("droplet", "2", "v6only", "ams3", ipv6=("2001:db8::2",)),
            CloudResource("droplet", "3", "private", "ams3"),
            CloudResource("load_balancer", "4", "lb", "ams3", ipv4=("192.0.2.4",)),
        )
    )
    targets = FAMILY.targets(_droplets_context(tmp_path), inventory)
    assert [(t.host, t.address, t.port) for t in targets] == [
        ("web", "192.0.2.1", 2222),
        ("v6only", "2001:db8::2", 2222),
        ("private", "", 2222),
    ]


def test_a_droplet_without_a_public_address_is_not_checked_and_its_keys_not_counted(
    tmp_path: Path,
) -> None:
    outcome = FAMILY.audit(SshTarget("private", 22, ""), _droplets_context(tmp_path))
    assert {f.status for f in outcome.findings} == {Status.ERROR}
    assert {f.check for f in outcome.findings} == {spec.id for spec in FAMILY.specs}
    assert outcome.findings[0].message == (
        "Could not check: the droplet has no public address to reach its SSH server."
    )
    # Not read: the holder count says "could not check", as for a server that is down.
    assert [(s.target, s.keys_read) for s in outcome.inventory.ssh_servers] == [("private", False)]
