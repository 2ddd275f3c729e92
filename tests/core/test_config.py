"""Configuration: valid files load, every error names the file, the key and the problem."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from auditor.core.config import (
    HISTORY_FILE,
    AuditConfig,
    DiscoverySettings,
    Exclusion,
    SiteConfig,
    SshServerConfig,
    load_config,
    parse_config,
)
from auditor.core.errors import ConfigError
from auditor.core.family import AuditContext
from auditor.core.roster import load_roster, parse_roster
from auditor.core.runner import run_audit
from auditor.lab.pki import TestCA
from checks import families


def _parse(text: str, base: Path = Path("/tmp")) -> object:
    return parse_config(text, "test.toml", base)


def test_the_packaged_default_describes_the_three_platforms() -> None:
    config = load_config(None)
    assert {s.platform for s in config.sites} == {"Alternativet.dk", "AlleOs", "Dialog"}
    assert config.digitalocean.allowed_regions == ("ams2", "ams3")
    assert config.access.required_team == "Landssekretariatet"
    # What the public page links to: the policy it checks, and whom to write to.
    assert config.pages.privacy_policy_url == "https://alternativet.dk/privatlivspolitik"
    assert config.pages.contact == "sikkerhed@alternativet.dk"


def test_allowed_regions_are_read_as_the_api_writes_slugs() -> None:
    # The control panel shows "AMS3"; the API says "ams3", which must not fail against it.
    config = parse_config(
        '[digitalocean]\nallowed_regions = ["AMS3", " Ams2 "]\n', "test.toml", Path("/tmp")
    )
    assert config.digitalocean.allowed_regions == ("ams3", "ams2")


def test_a_full_site_entry_is_read(tmp_path: Path) -> None:
    ca = TestCA().write_root(tmp_path / "ca.pem")
    config = parse_config(
        '[[sites]]\nhost = "Example.ORG."\nplatform = "Dialog"\nport = 8443\n'
        'http_port = 8080\naddresses = ["127.0.10.1", "::1"]\nca_file = "ca.pem"\n'
        "[limits]\nconnect_timeout = 2\nexpiry_warning_days = 30\n",
        "test.toml",
        tmp_path,
    )
    site = config.sites[0]
    assert (site.host, site.port, site.http_port) == ("example.org", 8443, 8080)
    assert site.addresses == ("127.0.10.1", "::1")
    assert site.ca_file == ca
    assert site.label == "example.org:8443"
    assert config.limits.connect_timeout == 2.0
    assert config.limits.expiry_warning_days == 30


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ('[[sites]]\nhost = "a"\nport = 0\n', "sites[0].port", "between 1 and 65535"),
        ('[[sites]]\nhost = "a"\nport = "443"\n', "sites[0].port", "expected a whole number"),
        ('[[sites]]\nhost = "a"\nport = true\n', "sites[0].port", "boolean"),
        ('[[sites]]\nplatform = "x"\n', "sites[0].host", "is required"),
        ('[[sites]]\nhost = "a"\nadresses = []\n', "sites[0].adresses", "unknown key"),
        (
            '[[sites]]\nhost = "a"\naddresses = ["localhost"]\n',
            "sites[0].addresses[0]",
            "not an IP",
        ),
        ('[[sites]]\nhost = "a"\nca_file = "nope.pem"\n', "sites[0].ca_file", "no such file"),
        ('[[sites]]\nhost = "a"\n[[sites]]\nhost = "a"\n', "sites", "listed twice"),
        ("[limits]\nconnect_timeout = -1\n", "limits.connect_timeout", "between"),
        ('[digitalocean]\nendpoint = "ftp://x"\n', "digitalocean.endpoint", "http(s) URL"),
        ('[digitalocean]\nendpoint = "http://"\n', "digitalocean.endpoint", "with a host"),
        ('[digitalocean]\nendpoint = "http://[::1/"\n', "digitalocean.endpoint", "with a host"),
        ('[[sites]]\nhost = "a\\u001b[31mred\\nb.test"\n', "sites[0].host", "not a host name"),
        ('[[sites]]\nhost = "a\\u0000b.test"\n', "sites[0].host", "not a host name"),
        ('[[sites]]\nhost = "."\n', "sites[0].host", "not a host name (empty)"),
        ('[[ssh.servers]]\nhost = "a..b"\n', "ssh.servers[0].host", "an empty label"),
        ('[access]\nroster = "."\n', "access.roster", "not a file"),
        ('[ssh]\nexclude = ["web.test:22"]\n', "ssh.exclude[0]", "not a host name or address"),
        ('[output]\nout_dir = "a\\u0000b"\n', "output.out_dir", "NUL character"),
        ('[output]\nhistory = "~no-such-user-x/h"\n', "output.history", "home folder"),
        ('[ssh]\nauditor_user = "audit"\n', "ssh", "go together"),
        ('[dns]\nprobe_ipv6 = "no"\n', "dns.probe_ipv6", "true or false"),
        ('[pages]\nprivacy_policy_url = "http://x.dk/"\n', "pages.privacy_policy_url", "https://"),
        ('[pages]\ncontact = "nobody"\n', "pages.contact", "e-mail or https://"),
        ('[pages]\ncontact = "a@b.dk\\"><script>"\n', "pages.contact", "e-mail or https://"),
        ("[bogus]\n", "bogus", "unknown key"),
        (
            '[discovery]\n[[discovery.exclude]]\nname = "old.a.test"\n',
            "discovery.exclude[0].reason",
            "is required",
        ),
        (
            '[discovery]\n[[discovery.exclude]]\nname = "old.a.test"\nreason = " "\n',
            "discovery.exclude[0].reason",
            "must not be empty",
        ),
        ('[discovery]\ncrtsh_url = "crt.sh"\n', "discovery.crtsh_url", "http(s) URL"),
        ('[discovery]\ndomains = ["1.2.3.4"]\n', "discovery.domains[0]", "not a domain name"),
        ("[discovery]\nhttps_port = 0\n", "discovery.https_port", "between 1 and 65535"),
        ('[discovery.platforms]\n"a b" = "X"\n', "discovery.platforms.a b", "not a domain"),
        ("[discovery]\nzones = true\n", "discovery.zones", "unknown key"),
        ("sites = 3\n", "sites", "array of tables"),
    ],
)
def test_errors_name_file_key_and_problem(text: str, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _parse(text)
    assert caught.value.source == "test.toml"
    assert caught.value.key == key
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"test.toml: {key}: ")


def test_invalid_toml_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        _parse("[[sites]\n")


@pytest.mark.parametrize("nesting", ["x = " + "[" * 50_000, "x = " + "{a = " * 50_000])
def test_a_config_nested_too_deeply_is_a_config_error(nesting: str) -> None:
    # tomllib recurses per level: without the guard, a RecursionError and a traceback.
    with pytest.raises(ConfigError, match="not valid TOML: nested too deeply"):
        _parse(nesting)
    with pytest.raises(ConfigError, match="not valid TOML: nested too deeply"):
        parse_roster(nesting, "roster.toml")


def test_an_extra_ca_file_that_is_not_pem_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    config = tmp_path / "auditor.toml"
    config.write_text('[[sites]]\nhost = "a.test"\nca_file = "ca.pem"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value) == (
        f"{config}: sites[0].ca_file: {tmp_path / 'ca.pem'} is not a list of PEM certificates"
    )


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "missing.toml")


def test_the_endpoint_gets_its_trailing_slash() -> None:
    config = parse_config('[digitalocean]\nendpoint = "http://127.0.0.1:9/v2"\n', "t", Path("/"))
    assert config.digitalocean.endpoint == "http://127.0.0.1:9/v2/"


def test_a_known_hosts_that_is_a_fifo_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "id_ed25519").write_text("a key\n")
    os.mkfifo(tmp_path / "known_hosts")  # every authenticated probe would wait on it for ever
    text = (
        '[ssh]\nauditor_user = "audit"\nauditor_key = "id_ed25519"\nknown_hosts = "known_hosts"\n'
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "t", tmp_path)
    assert str(caught.value) == f"t: ssh.known_hosts: not a file: {tmp_path / 'known_hosts'}"


def test_a_config_and_roster_saved_with_a_bom_are_read(tmp_path: Path) -> None:
    bom = "\ufeff"  # Notepad's UTF-8 starts with one; tomllib alone calls it line 1's error
    (tmp_path / "roster.toml").write_text(bom + '[[people]]\nname = "A"\nteam = "T"\n')
    config = tmp_path / "auditor.toml"
    config.write_text(bom + '[access]\nroster = "roster.toml"\n', encoding="utf-8")
    roster = load_config(config).access.roster
    assert roster == tmp_path / "roster.toml"
    assert [p.name for p in load_roster(roster).people] == ["A"]


def test_ssh_exclude_matches_names_whatever_their_case_or_trailing_dot(tmp_path: Path) -> None:
    text = (
        '[ssh]\nfrom_inventory = false\nexclude = ["WEB.test", "db.test.", "0:0::0:1"]\n'
        '[[ssh.servers]]\nhost = "web.test"\naddress = "127.0.76.20"\nport = 9\n'
        '[[ssh.servers]]\nhost = "Db.Test"\naddress = "127.0.76.21"\nport = 9\n'
    )
    config = parse_config(text, "t", tmp_path)
    assert config.ssh.exclude == ("web.test", "db.test", "::1")
    report = run_audit(families("ssh"), AuditContext(config=config, env={}))
    assert [f for f in report.findings if f.check.startswith("ssh.")] == []


def test_a_key_left_out_takes_the_dataclass_default_in_every_section() -> None:
    # Each default is written once, in its dataclass; the parser must not keep its own.
    sections = "".join(
        f"[{name}]\n" for name in ("limits", "ssh", "access", "digitalocean", "dns", "output")
    )
    for text in ("", sections):
        assert parse_config(text, "test.toml", Path("/tmp")) == AuditConfig(source="test.toml")
    config = parse_config(
        '[[sites]]\nhost = "a.test"\n[[ssh.servers]]\nhost = "b.test"\n', "test.toml", Path("/")
    )
    assert config.sites == (SiteConfig("a.test", ""),)
    assert config.ssh.servers == (SshServerConfig("b.test"),)


def test_the_history_is_kept_where_output_history_says_else_beside_the_output(
    tmp_path: Path,
) -> None:
    default = parse_config("", "test.toml", tmp_path).output
    assert default.history_path() == Path("auditor-out") / HISTORY_FILE
    assert default.history_path(tmp_path / "out") == tmp_path / "out" / HISTORY_FILE
    configured = parse_config('[output]\nhistory = "runs.db"\n', "test.toml", tmp_path).output
    # `[output] history` wins over the output folder, also over `--out`.
    assert configured.history_path() == tmp_path / "runs.db"
    assert configured.history_path(tmp_path / "out") == tmp_path / "runs.db"


def test_the_starter_config_shows_the_defaults_it_says_it_shows() -> None:
    # `auditor init` writes these commented-out lines as "the defaults": they are a second
    # copy of them, for people, and must not drift from the dataclasses.
    from importlib import resources

    text = resources.files("auditor.defaults").joinpath("starter.toml").read_text()
    shown: dict[str, list[str]] = {}
    section = ""
    for line in text.splitlines():
        header = re.match(r"(?:# )?\[+([\w.]+)\]", line)  # commented-out ones too
        if header:
            section = header[1]
        elif section in ("limits", "access", "digitalocean") and re.match(r"# \w+ = ", line):
            shown.setdefault(section, []).append(line[2:])
    assert set(shown) == {"limits", "access", "digitalocean"}
    uncommented = "".join(f"[{name}]\n" + "\n".join(lines) + "\n" for name, lines in shown.items())
    config = parse_config(uncommented, "starter.toml", Path("/tmp"))
    assert config == AuditConfig(source="starter.toml")


def test_discovery_is_off_without_its_section_and_reads_every_key(tmp_path: Path) -> None:
    assert parse_config("", "t", tmp_path).discovery is None
    assert parse_config("[discovery]\n", "t", tmp_path).discovery == DiscoverySettings()
    config = parse_config(
        "[discovery]\n"
        'domains = ["Alternativet.DK."]\n'
        'crtsh_url = "http://127.0.0.1:9/"\n'
        'expected_issuers = ["Let\'s Encrypt"]\n'
        "https_port = 8443\nhttp_port = 8080\nssh_port = 2222\n"
        "dns_zones = false\n"
        "[discovery.platforms]\n"
        '"alternativet.dk" = "Alternativet.dk"\n'
        '"alleos.alternativet.dk" = "AlleOs"\n'
        "[[discovery.exclude]]\n"
        'name = "Staging.Alternativet.dk"\n'
        'reason = "Leverandørens testmiljø"\n',
        "t",
        tmp_path,
    )
    settings = config.discovery
    assert settings is not None
    assert settings.domains == ("alternativet.dk",)
    assert settings.dns_zones is False
    assert (settings.https_port, settings.http_port, settings.ssh_port) == (8443, 8080, 2222)
    assert settings.excluded("staging.alternativet.dk") == Exclusion(
        "staging.alternativet.dk", "Leverandørens testmiljø"
    )
    # The longest matching suffix names the platform; no rule: "ukendt".
    assert settings.platform_of("x.alleos.alternativet.dk") == "AlleOs"
    assert settings.platform_of("alternativet.dk") == "Alternativet.dk"
    assert settings.platform_of("elsewhere.dk") == "ukendt"
    assert settings.platform_of("notalternativet.dk") == "ukendt"
