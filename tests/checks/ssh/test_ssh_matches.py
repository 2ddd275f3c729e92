"""Match blocks found as sshd finds them, and a connection built for each (no server)."""

from __future__ import annotations

import pytest

from checks.ssh.matches import (
    Accounts,
    ConfigUnread,
    Connection,
    Inert,
    MatchBlock,
    accounts_of,
    config_lines,
    config_path,
    connection_for,
    match_blocks,
    split_args,
)

BASE = Connection("root", "auditor.invalid", "192.0.2.20", "192.0.2.20", 22)
PASSWD = (
    "root:x:0:0:root:/root:/bin/bash\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    "anna:x:1000:1000::/home/anna:/bin/bash\n"
    "bo:x:1001:1001::/home/bo:/bin/bash\n"
)
GROUP = "root:x:0:\nanna:x:1000:\nbo:x:1001:\nstaff:x:50:bo\n"
ACCOUNTS = accounts_of(PASSWD, GROUP, lambda shell: not shell.endswith("nologin"))


def _block(line: str) -> MatchBlock:
    [parsed] = config_lines(line, "sshd_config")
    return MatchBlock(parsed)


@pytest.mark.parametrize(
    ("match", "spec"),
    [
        ("Match all", "user=root,host=auditor.invalid,addr=192.0.2.20,laddr=192.0.2.20,lport=22"),
        ("Match Address 10.20.0.0/16", "addr=10.20.0.1"),
        ("Match Address 10.20.30.40", "addr=10.20.30.40"),
        ("Match Address 10.20.0.0/16,!10.20.0.0/24", "addr=10.20.255.254"),
        ("Match Address 10.20.*", "addr=10.20.1.1"),
        ("Match Address 2001:db8::/32", "addr=2001:db8::1"),
        ("Match LocalAddress 198.51.100.0/24 LocalPort 2222", "laddr=198.51.100.1,lport=2222"),
        ("match host *.office.example", "host=x.office.example"),
        ("Match User anna", "user=anna"),
        ("Match User a*", "user=anna"),
        ("Match User *,!root", "user=anna"),  # the probed user, root, is excluded
        ("Match User deploy", "user=deploy"),  # no such account: sshd -T still takes it
        ("Match Group staff", "user=bo"),  # a member by the group's list
        ("Match Group anna", "user=anna"),  # a member by primary group
        (
            "Match Group staff User bo Address 10.0.0.0/8",
            "user=bo,host=auditor.invalid,addr=10.0.0.1",
        ),
        ('Match User "anna"', "user=anna"),
        ("Match RDomain vrf-office", "rdomain=vrf-office"),
    ],
)
def test_a_connection_the_block_applies_to(match: str, spec: str) -> None:
    connection = connection_for(_block(match), BASE, ACCOUNTS)
    assert isinstance(connection, Connection), connection
    assert spec in connection.spec


@pytest.mark.parametrize(
    ("match", "reason"),
    [
        ("Match User ghost*", "no known account matches User ghost*"),
        ("Match Group wheel", "no known account matches Group wheel"),
        ("Match Address 10.0.0.1/32,!10.0.0.1", "no value matches address 10.0.0.1/32,!10.0.0.1"),
        ("Match LocalPort ssh", "LocalPort ssh is not a port number"),
        (
            "Match Version 9",
            "the criterion version is not one the auditor can build a connection for",
        ),
        ("Match User", "its criteria do not pair up"),
    ],
)
def test_a_block_no_connection_is_built_for_says_why(match: str, reason: str) -> None:
    assert connection_for(_block(match), BASE, ACCOUNTS) == reason


def test_a_list_of_only_negated_patterns_matches_nothing_as_in_sshd() -> None:
    assert connection_for(_block("Match User !root"), BASE, ACCOUNTS) == Inert(
        "sshd matches no connection: user !root has only negated patterns"
    )


def test_groups_not_read_leave_a_group_block_unjudged() -> None:
    accounts = accounts_of(PASSWD, None, lambda shell: True)
    assert connection_for(_block("Match Group staff"), BASE, accounts) == (
        "the server's groups could not be read (getent group)"
    )
    assert Accounts().groups_of("root") == []


def test_includes_are_followed_as_sshd_follows_them() -> None:
    files = {
        "/etc/ssh/sshd_config": (
            "Include /etc/ssh/sshd_config.d/*.conf\n"
            "PasswordAuthentication no\n"
            "Match User anna  # a comment\n"
            "    PasswordAuthentication Yes\n"
            "    AuthenticationMethods publickey,password publickey\n"
            "Include extra.conf missing.conf\n"
        ),
        "/etc/ssh/sshd_config.d/10-office.conf": (
            "Match Address 10.0.0.0/8\n  KbdInteractiveAuthentication yes\n"
        ),
        "/etc/ssh/sshd_config.d/20-empty.conf": "# nothing\n",
        "/etc/ssh/extra.conf": "match=localport 2222\n",
    }
    listed: list[str] = []

    def listing(folder: str) -> list[str]:
        listed.append(folder)
        return [".", "..", ".hidden.conf", "20-empty.conf", "10-office.conf", "README"]

    blocks, read = match_blocks("/etc/ssh/sshd_config", files.get, listing)
    assert listed == ["/etc/ssh/sshd_config.d"]
    assert read == [
        "/etc/ssh/sshd_config",
        "/etc/ssh/sshd_config.d/10-office.conf",
        "/etc/ssh/sshd_config.d/20-empty.conf",
        "/etc/ssh/extra.conf",
    ]
    assert [(b.text, b.line.where) for b in blocks] == [
        ("Match Address 10.0.0.0/8", "/etc/ssh/sshd_config.d/10-office.conf line 1"),
        ("Match User anna", "/etc/ssh/sshd_config line 3"),
        ("Match localport 2222", "/etc/ssh/extra.conf line 1"),
    ]
    assert blocks[1].sets == {
        "passwordauthentication": "yes",
        "authenticationmethods": "publickey,password publickey",
    }
    assert blocks[0].sets == {"kbdinteractiveauthentication": "yes"}


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({}, "/etc/ssh/sshd_config: no such file"),
        ({"/etc/ssh/sshd_config": "Include /etc/ssh/sshd_config\n"}, "Includes nested deeper"),
        ({"/etc/ssh/sshd_config": "Include /etc/*/x.conf\n"}, "wildcards in a folder name"),
        ({"/etc/ssh/sshd_config": 'Match User "anna\n'}, "line 1: unbalanced quotes"),
    ],
)
def test_a_configuration_that_cannot_be_followed_is_said_so(
    files: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigUnread, match=problem):
        match_blocks("/etc/ssh/sshd_config", files.get, lambda folder: [])


def test_a_block_decided_by_an_earlier_one_is_named() -> None:
    block = _block("Match Address 10.0.0.0/8")
    block.sets["passwordauthentication"] = "yes"
    assert block.shadowed({"passwordauthentication": "yes"}) is None
    assert block.shadowed({"passwordauthentication": "no"}) == (
        "an earlier block decides it for this connection: sshd -T shows "
        "passwordauthentication no where the block sets yes"
    )


@pytest.mark.parametrize(
    ("command", "path"),
    [
        ("sshd", "/etc/ssh/sshd_config"),
        ("sudo -n /usr/sbin/sshd -f /etc/ssh/other_config", "/etc/ssh/other_config"),
        ("/usr/sbin/sshd -f/srv/sshd.conf", "/srv/sshd.conf"),
        ("sshd 'unbalanced", "/etc/ssh/sshd_config"),
    ],
)
def test_the_configuration_file_is_the_one_sshd_command_names(command: str, path: str) -> None:
    assert config_path(command) == path


def test_arguments_are_split_as_sshd_splits_them() -> None:
    assert split_args('User "a b",c  # comment') == ["User", "a b,c"]
    assert split_args("a\\ b 'c\"d' #x") == ["a b", 'c"d']
