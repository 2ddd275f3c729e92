"""authorized_keys parsing and fingerprints, checked against the real ssh-keygen."""

from __future__ import annotations

import base64
import struct
import subprocess
from pathlib import Path

import pytest

from auditor.core.sshkeys import (
    AuthorizedKey,
    BadLine,
    parse_authorized_keys,
    parse_line,
    parse_public_key_line,
    split_options,
)
from checks.ssh.read import (
    CommandUnrun,
    expand_keys_file,
    keys_command_argv,
    login_accounts,
    parse_sshd_t,
)


def _keygen(folder: Path, kind: str, bits: int | None = None) -> Path:
    path = folder / f"{kind}{bits or ''}"
    args = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "c", "-f", str(path)]
    if bits:
        args += ["-b", str(bits)]
    subprocess.run(args, check=True, capture_output=True)
    return path.with_suffix(".pub")


@pytest.mark.parametrize(
    ("kind", "bits"),
    [("ed25519", None), ("rsa", 1024), ("rsa", 3072), ("ecdsa", 384), ("dsa", None)],
)
def test_fingerprints_match_ssh_keygen(tmp_path: Path, kind: str, bits: int | None) -> None:
    pub = _keygen(tmp_path, kind, bits)
    expected = subprocess.run(
        ["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True, check=True
    ).stdout.split()
    key = parse_public_key_line(pub.read_text())
    assert key.fingerprint == expected[1]
    assert str(key.bits) == expected[0]
    assert f"({key.kind})" == expected[-1]


def test_a_certificate_is_fingerprinted_like_ssh_keygen(tmp_path: Path) -> None:
    ca = _keygen(tmp_path, "ed25519").with_suffix("")
    user = _keygen(tmp_path, "ecdsa", 256)
    subprocess.run(
        ["ssh-keygen", "-q", "-s", str(ca), "-I", "id", "-n", "root", str(user)],
        check=True,
        capture_output=True,
    )
    cert = user.with_name(user.stem + "-cert.pub")
    expected = subprocess.run(
        ["ssh-keygen", "-lf", str(cert)], capture_output=True, text=True, check=True
    ).stdout.split()
    key = parse_public_key_line(cert.read_text())
    assert key.is_certificate
    assert (key.fingerprint, key.kind) == (expected[1], "ECDSA-CERT")


def _blob(*parts: bytes) -> str:
    return base64.b64encode(b"".join(struct.pack(">I", len(p)) + p for p in parts)).decode()


def test_security_key_types_are_read() -> None:
    sk = _blob(b"sk-ssh-ed25519@openssh.com", b"\x01" * 32, b"ssh:")
    key = parse_public_key_line(f"sk-ssh-ed25519@openssh.com {sk} yubikey")
    assert (key.kind, key.bits) == ("ED25519-SK", 256)
    sk_ecdsa = _blob(
        b"sk-ecdsa-sha2-nistp256@openssh.com", b"nistp256", b"\x04" + b"\x02" * 64, b"ssh:"
    )
    assert (
        parse_public_key_line(f"sk-ecdsa-sha2-nistp256@openssh.com {sk_ecdsa}").kind == "ECDSA-SK"
    )


def test_options_with_quoted_commas_and_spaces() -> None:
    blob = _blob(b"ssh-ed25519", b"\x07" * 32)
    line = f'from="a,b",command="echo \\"x, y\\" z",no-pty ssh-ed25519 {blob} me@here and more'
    parsed = parse_line(line, 3)
    assert isinstance(parsed, AuthorizedKey)
    assert parsed.options == 'from="a,b",command="echo \\"x, y\\" z",no-pty'
    assert parsed.comment == "me@here and more"
    assert parsed.line == 3
    assert split_options(parsed.options) == ['from="a,b"', 'command="echo \\"x, y\\" z"', "no-pty"]
    assert not parsed.cert_authority
    ca = parse_line(f'cert-authority,principals="root" ssh-ed25519 {blob}', 1)
    assert isinstance(ca, AuthorizedKey)
    assert ca.cert_authority


def test_a_backslash_before_a_backslash_does_not_escape_the_quote_after_it() -> None:
    """sshd skips only a backslash-quote pair: here the options run to the second closing
    quote, and the key that grants access is the second one, not the one inside the value."""
    decoy = _blob(b"ssh-ed25519", b"\x01" * 32)
    real = _blob(b"ssh-ed25519", b"\x02" * 32)
    line = f'environment="X=\\\\" ssh-ed25519 {decoy} c" ssh-ed25519 {real} who@knows'
    parsed = parse_line(line, 1)
    assert isinstance(parsed, AuthorizedKey)
    assert parsed.key.blob == base64.b64decode(real)
    assert parsed.options == f'environment="X=\\\\" ssh-ed25519 {decoy} c"'
    assert parsed.comment == "who@knows"
    # Outside quotes too, a backslash-quote pair is skipped, not read as a quote.
    assert split_options('a\\",cert-authority') == ['a\\"', "cert-authority"]


@pytest.mark.parametrize("separator", ["\f", "\v", "\x1c", "\x85", "\u2028", "\r"])
def test_only_a_newline_ends_a_line(separator: str) -> None:
    """A form feed (or another of Python's line boundaries) inside a quoted option is part of
    the line to sshd; the key after it is read, with its line number."""
    blob = _blob(b"ssh-ed25519", b"\x03" * 32)
    text = f'# keys\nenvironment="NOTE=a{separator}b" ssh-ed25519 {blob} me\r\n'
    keys, bad = parse_authorized_keys(text)
    assert bad == []
    assert [(k.line, k.options, k.comment) for k in keys] == [
        (2, f'environment="NOTE=a{separator}b"', "me")
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("garbage", "no key after the options"),
        ("ssh-ed25519", "a key type without a key"),
        ("ssh-ed25519 !!!notbase64", "not valid base64"),
        (f"ssh-rsa {_blob(b'ssh-ed25519', b'x' * 32)}", "the key says it is"),
        (f"ssh-ed25519 {_blob(b'ssh-ed25519', b'short')}", "must be 32 bytes"),
        ('command="unclosed ssh-ed25519 AAAA', "not closed"),
        ("no-pty ssh-foo AAAA", "unknown key type"),
    ],
)
def test_bad_lines_say_why(line: str, reason: str) -> None:
    parsed = parse_line(line, 7)
    assert isinstance(parsed, BadLine)
    assert reason in parsed.reason


def test_a_bad_line_does_not_stop_the_file() -> None:
    blob = _blob(b"ssh-ed25519", bytes([9]) * 32)
    good = f"ssh-ed25519 {blob}"
    keys, bad = parse_authorized_keys(f"# comment\n\njunk here\n{good}\n")
    assert [k.line for k in keys] == [4]
    assert [b.line for b in bad] == [3]


def test_an_account_with_an_empty_shell_field_logs_in_with_bin_sh() -> None:
    """passwd(5): an empty shell is /bin/sh, and sshd lets such an account in: its keys count."""
    accounts = login_accounts(
        "root:x:0:0:root:/root:/bin/bash\ndeploy:x:1000:1000::/home/deploy:\n"
        "svc:x:999:999::/srv:/usr/sbin/nologin\n"
    )
    assert accounts == [("root", "0", "/root"), ("deploy", "1000", "/home/deploy")]


def test_sshd_t_and_passwd_and_tokens() -> None:
    config = parse_sshd_t(
        "passwordauthentication no\nauthorizedkeysfile .ssh/authorized_keys %h/x\n"
        "hostkey /a\nhostkey /b\n"
    )
    assert config["passwordauthentication"] == "no"
    assert config["authorizedkeysfile"] == ".ssh/authorized_keys %h/x"
    assert config["hostkey"] == "/a /b"
    accounts = login_accounts(
        "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\n"
        "deploy:x:1000:1000::/home/deploy:/bin/sh\n"
    )
    assert accounts == [("root", "0", "/root"), ("deploy", "1000", "/home/deploy")]
    assert (
        expand_keys_file(".ssh/authorized_keys", "root", "0", "/root")
        == "/root/.ssh/authorized_keys"
    )
    assert expand_keys_file("/etc/keys/%u.%U%%", "bo", "7", "/home/bo") == "/etc/keys/bo.7%"
    assert expand_keys_file("%h/k", "bo", "7", "/home/bo") == "/home/bo/k"


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        ("/usr/bin/keys %u %U %h 100%%", ["/usr/bin/keys", "bo", "7", "/home/bo", "100%"]),
        ("/usr/bin/keys", ["/usr/bin/keys", "bo"]),  # no arguments: sshd gives the user's name
        ("'/opt/my keys' --for=%u", ["/opt/my keys", "--for=bo"]),
        ("/opt/%u/keys x", ["/opt/%u/keys", "x"]),  # the program's path is taken as written
        ("keys %u", None),  # not an absolute path: sshd refuses to run it
    ],
)
def test_a_keys_command_is_run_with_the_arguments_sshd_gives_it(
    command: str, argv: list[str] | None
) -> None:
    assert keys_command_argv(command, "bo", "7", "/home/bo") == argv


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("/usr/bin/keys %u %f", "%f"),
        ("/usr/bin/keys %k", "%k"),
        ("/usr/bin/keys %t", "%t"),
        ("/usr/bin/keys %C", "%C"),
        ("/usr/bin/keys %Q", "%Q is not a token"),
        ("/usr/bin/keys 'open", "cannot be split"),
    ],
)
def test_a_keys_command_that_needs_a_login_attempt_is_not_run(command: str, reason: str) -> None:
    with pytest.raises(CommandUnrun, match=reason):
        keys_command_argv(command, "bo", "7", "/home/bo")
