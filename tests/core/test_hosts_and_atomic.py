"""Host specs as people type them, and atomic file replacement."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.core.atomic import write_atomic
from auditor.core.errors import UsageError
from auditor.core.hosts import parse_host_port, parse_target


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("example.org", ("example.org", 443)),
        ("Example.ORG.:8443", ("example.org", 8443)),
        ("127.0.0.1:8443", ("127.0.0.1", 8443)),
        ("[::1]:8443", ("::1", 8443)),
        ("[::1]", ("::1", 443)),
        ("::1", ("::1", 443)),
        ("_dmarc.xn--lst-qla.dk:25", ("_dmarc.xn--lst-qla.dk", 25)),
    ],
)
def test_host_specs(spec: str, expected: tuple[str, int]) -> None:
    assert parse_host_port(spec, 443) == expected


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "a:b",
        "a:70000",
        "[::1",
        "a b",
        "x:1:2",
        "https://a/",
        "127.0.0.1:\u00b9",  # isdigit() is true for a superscript one; int() refuses it
        "127.0.0.1:\u0663",  # an Arabic-Indic three: int() would read it as port 3
        "a..b",
        ".",
        "-a.test",
        "a\x1b[31mred.test",
        "a\x00b.test",
        "æblegrød.dk",
        "a" * 64 + ".dk",
    ],
)
def test_bad_host_specs_are_usage_errors(spec: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_host_port(spec, 443)
    assert "\n" not in str(caught.value)


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    write_atomic(target, "first")
    write_atomic(target, "second")
    assert target.read_text() == "second"
    assert os.listdir(target.parent) == ["report.json"]


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_atomic(target, "last week")

    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # type: ignore[arg-type]
    assert target.read_text() == "last week"
    assert os.listdir(tmp_path) == ["report.json"]


def test_labels_bracket_an_ipv6_address_before_its_port() -> None:
    from auditor.core.config import SiteConfig, SshServerConfig

    assert SiteConfig("2001:db8::1", "x", port=8443).label == "[2001:db8::1]:8443"
    assert SiteConfig("2001:db8::1", "x").label == "2001:db8::1"
    assert SiteConfig("alternativet.dk", "x", port=8443).label == "alternativet.dk:8443"
    assert SshServerConfig("2001:db8::2", port=2222).label == "[2001:db8::2]:2222"


@pytest.mark.parametrize(
    ("host", "port", "label"),
    [
        ("alternativet.dk", 22, "alternativet.dk"),
        ("alternativet.dk", 2222, "alternativet.dk:2222"),
        ("192.0.2.7", 2222, "192.0.2.7:2222"),
        ("2001:db8::2", 22, "2001:db8::2"),
        ("2001:db8::2", 2222, "[2001:db8::2]:2222"),
    ],
)
def test_every_target_is_labelled_by_one_rule_that_reads_back(
    host: str, port: int, label: str
) -> None:
    from auditor.core.config import SshServerConfig
    from auditor.core.hosts import SSH_PORT, target_label
    from checks.ssh.family import SshTarget

    assert target_label(host, port, SSH_PORT) == label
    # The configured server and the target probed for it are named alike in every finding.
    assert SshServerConfig(host, port=port).label == label
    assert SshTarget(host, port, "192.0.2.1").label == label
    assert parse_host_port(label, SSH_PORT) == (host, port)


@pytest.mark.parametrize(
    ("spec", "scheme", "expected"),
    [
        ("https://example.org/", "https", ("example.org", 443)),
        ("HTTPS://Example.org:8443/privatliv?x=1#top", "https", ("example.org", 8443)),
        ("https://[2001:db8::1]:8443/", "https", ("2001:db8::1", 8443)),
        ("https://[::1]", "https", ("::1", 443)),
        ("ssh://127.0.0.1:2222", "ssh", ("127.0.0.1", 2222)),
        ("example.org:8443", "https", ("example.org", 8443)),  # not a URL: as before
    ],
)
def test_a_pasted_url_is_read_as_its_host_and_port(
    spec: str, scheme: str, expected: tuple[str, int]
) -> None:
    assert parse_target(spec, 443, scheme) == expected


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("http://example.org/", "not an https:// URL"),
        ("ftp://example.org/", "not an https:// URL"),
        ("https://anna:hunter2@example.org/", "user name or password"),
        ("https:///path", "no host"),
        ("https://[2001:db8::1/", "unbalanced brackets"),
        ("https://example.org:99999/", "not a port number"),
    ],
)
def test_a_url_that_names_no_server_of_the_scheme_is_one_line(spec: str, says: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_target(spec, 443, "https")
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "hunter2" not in str(caught.value)
