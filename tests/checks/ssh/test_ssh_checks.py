"""ssh.* verdicts over hand-built probe results and sshd -T readings."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.core.config import parse_config
from auditor.core.family import AuditContext
from auditor.core.inventory import CloudResource, Inventory
from auditor.core.model import Status
from checks.ssh.family import (
    FAMILY,
    ServerFacts,
    SshTarget,
    check_effective,
    check_other_methods,
)
from checks.ssh.model import MatchRead, ServerRead, SshProbe, UserMethods

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


@pytest.mark.parametrize(
    ("methods", "status"),
    [
        ("any", Status.FAIL),
        ("password,publickey", Status.FAIL),  # a password first is a password login
        ("publickey,password password", Status.FAIL),
        ("publickey,password", Status.PASS),  # the key first: the password is a second factor
        ("publickey,password publickey", Status.PASS),
    ],
)
def test_a_password_is_judged_by_what_authenticationmethods_lets_in(
    methods: str, status: Status
) -> None:
    config = KEY_ONLY | {"passwordauthentication": "yes", "authenticationmethods": methods}
    probed = SshProbe("web", "192.0.2.1", 22)
    finding = check_effective(ServerFacts("web", probed, ServerRead(effective={"root": config})))
    assert finding.status is status
    if status is Status.PASS:
        assert "second factor" in finding.message


def _with_block(block: MatchRead) -> ServerFacts:
    probed = SshProbe("web", "192.0.2.1", 22)
    return ServerFacts("web", probed, ServerRead(effective={"root": KEY_ONLY}, matches=(block,)))


def test_a_match_block_is_judged_like_a_user() -> None:
    office = MatchRead(
        "/etc/ssh/sshd_config line 30",
        "Match Address 10.20.0.0/16",
        "user=root,host=auditor.invalid,addr=10.20.0.1,laddr=192.0.2.1,lport=22",
        KEY_ONLY | {"passwordauthentication": "yes"},
    )
    finding = check_effective(_with_block(office))
    assert finding.status is Status.FAIL
    assert finding.message == (
        "sshd -T for `Match Address 10.20.0.0/16` (/etc/ssh/sshd_config line 30): "
        "passwordauthentication yes."
    )
    assert finding.evidence["match_blocks"][0]["connection"].endswith(
        "addr=10.20.0.1,laddr=192.0.2.1,lport=22"
    )


@pytest.mark.parametrize(
    ("read", "message"),
    [
        (
            ServerRead(
                effective={"root": KEY_ONLY},
                config_error="/etc/ssh/x.conf could not be read: denied",
            ),
            "Could not check every Match block: /etc/ssh/x.conf could not be read: denied.",
        ),
        (
            ServerRead(
                effective={"root": KEY_ONLY},
                matches=(
                    MatchRead(
                        "f line 3", "Match Group ops", error="no known account matches Group ops"
                    ),
                ),
            ),
            "Could not check every Match block: `Match Group ops` (f line 3): "
            "no known account matches Group ops.",
        ),
    ],
)
def test_a_match_block_not_judged_is_an_error_not_a_pass(read: ServerRead, message: str) -> None:
    probed = SshProbe("web", "192.0.2.1", 22)
    for check in (check_effective, check_other_methods):
        finding = check(ServerFacts("web", probed, read))
        assert (finding.status, finding.message) == (Status.ERROR, message)


def test_a_block_that_matches_nothing_is_no_error() -> None:
    inert = MatchRead("f line 3", "Match User !root", note="sshd matches no connection")
    assert check_effective(_with_block(inert)).status is Status.PASS


@pytest.mark.parametrize(
    ("methods", "config", "status"),
    [
        (("publickey",), {}, Status.PASS),
        (("publickey", "gssapi-with-mic"), {}, Status.FAIL),
        (("publickey", "securid"), {}, Status.FAIL),  # a method the auditor does not know
        (("publickey", "hostbased"), {}, Status.WARN),
        (("publickey",), {"gssapiauthentication": "yes"}, Status.FAIL),
        (("publickey",), {"hostbasedauthentication": "yes"}, Status.WARN),
        # A key first makes Kerberos a second factor, as for a password.
        (
            ("publickey",),
            {"gssapiauthentication": "yes", "authenticationmethods": "publickey,gssapi-with-mic"},
            Status.PASS,
        ),
    ],
)
def test_logins_other_than_keys_and_passwords(
    methods: tuple[str, ...], config: dict[str, str], status: Status
) -> None:
    probed = SshProbe("web", "192.0.2.1", 22, users=(UserMethods("root", methods),))
    read = ServerRead(effective={"root": KEY_ONLY | config})
    assert check_other_methods(ServerFacts("web", probed, read)).status is status


def test_pubkeyauthentication_no_fails_and_the_evidence_shows_it() -> None:
    config = KEY_ONLY | {"pubkeyauthentication": "no"}
    probed = SshProbe("web", "192.0.2.1", 22)
    finding = check_effective(ServerFacts("web", probed, ServerRead(effective={"root": config})))
    assert finding.status is Status.FAIL
    assert finding.message == "sshd -T for root: pubkeyauthentication no."
    # The value that decided the failure is in the evidence, beside the others judged.
    assert finding.evidence["users"]["root"]["pubkeyauthentication"] == "no"
    assert finding.evidence["users"]["root"]["passwordauthentication"] == "no"


def test_the_settings_that_decide_other_methods_are_in_the_evidence() -> None:
    # ssh.auth.other_methods fails on gssapiauthentication from sshd -T; the value that decided
    # it must be shown where sshd -T's settings are (the effective check's evidence).
    config = KEY_ONLY | {"gssapiauthentication": "yes", "hostbasedauthentication": "no"}
    probed = SshProbe("web", "192.0.2.1", 22)
    read = ServerRead(effective={"root": config})
    assert check_other_methods(ServerFacts("web", probed, read)).status is Status.FAIL
    shown = check_effective(ServerFacts("web", probed, read)).evidence["users"]["root"]
    assert shown["gssapiauthentication"] == "yes"
    assert shown["hostbasedauthentication"] == "no"


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
