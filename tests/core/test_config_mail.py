"""`[mail]`: the mail domains (by default the sites' registrable domains), DKIM selectors,
trust anchors and CAA identities, each checked where it is typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.core.config import ROOT_TRUST_ANCHORS, load_config, parse_config
from auditor.core.errors import ConfigError
from auditor.core.family import AuditContext
from checks.mail.family import mail_domains


def test_by_default_the_mail_domains_are_the_sites_registrable_domains() -> None:
    config = load_config(None)  # the packaged configuration for Alternativet
    assert config.mail.domains is None
    assert mail_domains(AuditContext(config)) == ("alternativet.dk",)
    assert config.mail.dnssec_anchors == ROOT_TRUST_ANCHORS
    assert config.mail.dkim_selectors == ("google",)


def test_listed_domains_are_compared_in_lower_case_without_the_dot(tmp_path: Path) -> None:
    text = (
        '[mail]\ndomains = ["Alternativet.DK.", "alternativet.dk", "nyhedsbrev.alternativet.dk"]\n'
    )
    config = parse_config(text, "t.toml", tmp_path)
    assert config.mail.domains == ("alternativet.dk", "nyhedsbrev.alternativet.dk")


def test_an_empty_list_means_no_mail_domain(tmp_path: Path) -> None:
    text = '[[sites]]\nhost = "alternativet.dk"\n[mail]\ndomains = []\n'
    assert mail_domains(AuditContext(parse_config(text, "t.toml", tmp_path))) == ()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[mail]\ndomains = ["192.0.2.1"]\n', "mail.domains"),
        ('[mail]\ndomains = ["localhost"]\n', "mail.domains"),
        ('[mail]\ndnssec_anchors = [". 20326 8 2 XYZ"]\n', "mail.dnssec_anchors[0]"),
        ('[mail]\ndnssec_anchors = ["20326 8 2"]\n', "mail.dnssec_anchors[0]"),
        ("[mail]\nmta_sts_port = 0\n", "mail.mta_sts_port"),
        ('[mail]\nselectors = ["google"]\n', "mail.selectors"),
        ('[mail.caa_identities]\n"Let\'s Encrypt" = "letsencrypt.org"\n', "mail.caa_identities"),
    ],
)
def test_a_bad_mail_setting_is_refused_naming_its_key(text: str, key: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "t.toml", tmp_path)
    assert key in str(caught.value)


def test_caa_identities_are_read_as_lists(tmp_path: Path) -> None:
    text = '[mail.caa_identities]\n"Example CA" = ["CA.Example"]\n'
    config = parse_config(text, "t.toml", tmp_path)
    assert config.mail.caa_identities == {"Example CA": ("ca.example",)}
