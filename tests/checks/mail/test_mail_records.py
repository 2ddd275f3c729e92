"""The record parsers and the SPF walk on hand-built answers (no network)."""

from __future__ import annotations

import pytest

from checks.mail import records, spf
from checks.mail.lookup import Answer, Rcode

ZONE = {
    "a.example": ["v=spf1 include:_spf.google.com redirect=b.example"],
    "b.example": ["v=spf1 -all"],
    "_spf.google.com": ["v=spf1 ~all"],
    "macro.example": ["v=spf1 include:%{d}.spf.example exists:%{i}.x.example -all"],
    "bad.example": ["v=spf1 foo:bar -all"],
    "after.example": ["v=spf1 -all include:never.example"],
    "loopr.example": ["v=spf1 redirect=loopr.example"],
    "temp.example": ["v=spf1 include:down.example -all"],
}


def _ask(name: str, rdtype: str) -> Answer:
    if name == "down.example":
        return Answer(name, rdtype, Rcode.FAILED, error="timeout")
    if rdtype == "TXT" and name in ZONE:
        return Answer(name, rdtype, Rcode.OK, tuple(ZONE[name]))
    return Answer(name, rdtype, Rcode.NXDOMAIN)


def test_a_redirect_is_followed_and_counted_and_its_all_ends_the_record() -> None:
    walk = spf.walk("a.example", _ask)
    assert walk.lookups == 2
    assert walk.all_qualifier == "-"
    assert walk.includes_google


def test_a_macro_is_counted_but_not_followed() -> None:
    walk = spf.walk("macro.example", _ask)
    assert walk.lookups == 2
    assert walk.includes == ["%{d}.spf.example"]


def test_terms_after_all_are_never_reached() -> None:
    walk = spf.walk("after.example", _ask)
    assert walk.lookups == 0


@pytest.mark.parametrize(
    ("domain", "temporary"),
    [("bad.example", False), ("loopr.example", False), ("temp.example", True)],
)
def test_what_a_receiver_cannot_evaluate_is_an_error_of_the_right_kind(
    domain: str, temporary: bool
) -> None:
    with pytest.raises(spf.SpfError) as caught:
        spf.walk(domain, _ask)
    assert caught.value.temporary is temporary


def test_is_spf_wants_the_version_alone_or_followed_by_a_space() -> None:
    assert spf.is_spf("v=spf1 -all")
    assert spf.is_spf("V=SPF1")
    assert not spf.is_spf("v=spf10 -all")
    assert not spf.is_spf("v=spf1-all")


def test_dmarc_tags_policy_pct_and_report_addresses() -> None:
    found = records.dmarc(
        "v=DMARC1; p=quarantine; sp=reject; pct=20; rua=mailto:a@x.dk!10m, mailto:B@Y.dk"
    )
    assert (found.policy, found.subdomain_policy, found.pct) == ("quarantine", "reject", 20)
    assert found.rua == ("a@x.dk", "b@y.dk")
    assert found.policy_for(subdomain=True) == "reject"


@pytest.mark.parametrize(
    "record",
    [
        "p=reject; v=DMARC1",  # v= must come first
        "v=DMARC1; p=block",
        "v=DMARC1; p=reject; pct=150",
        "v=DMARC1; p=reject; p=none",
        "v=DMARC1; p=reject; rua=mailto:æ@x.dk",
    ],
)
def test_a_dmarc_record_no_receiver_would_use_is_refused(record: str) -> None:
    with pytest.raises(records.RecordError):
        records.dmarc(record)


def test_mta_sts_policy_and_mx_patterns() -> None:
    policy = records.sts_policy(
        "version: STSv1\r\nmode: enforce\r\nmx: *.aspmx.l.google.com\r\nmax_age: 86400\r\n"
    )
    assert policy.mode == "enforce"
    assert records.mx_matches(policy.mx[0], "alt1.aspmx.l.google.com")
    assert not records.mx_matches(policy.mx[0], "aspmx.l.google.com")
    assert not records.mx_matches(policy.mx[0], "a.b.aspmx.l.google.com")
    with pytest.raises(records.RecordError):
        records.sts_policy("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 99999999\n")


def test_tls_rpt_needs_a_destination() -> None:
    assert records.tls_rpt("v=TLSRPTv1; rua=mailto:t@x.dk") == ("mailto:t@x.dk",)
    with pytest.raises(records.RecordError):
        records.tls_rpt("v=TLSRPTv1")
