"""The mail family against real servers on loopback: an authoritative DNS server answering
one zone per case (tests/support/mail_lab.py) and nginx serving MTA-STS policies over HTTPS.

Each case is audited by `run_audit`, as `auditor run` does, and reported as the issue
lists it: pass, warn or fail per rule; a hostile record is a clear finding, never a crash.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.core.config import parse_config
from auditor.core.family import AuditContext
from auditor.core.model import ClaimId, Status
from auditor.core.report import Report
from auditor.core.runner import run_audit
from auditor.lab.dns_server import LabDnsServer, zone
from checks import families
from reports.catalog import translate, untranslated
from tests.support.mail_lab import LAB_CA, LAB_CA_IDENTITY, STS_ADDRESS, MailLab

P, W, F, E, S = Status.PASS, Status.WARN, Status.FAIL, Status.ERROR, Status.SKIPPED

# domain -> {check: status}: what each case is there to show.
EXPECTED: dict[str, dict[str, Status]] = {
    "good.test": {
        "mail.mx": P, "mail.spf": P, "mail.dkim": P, "mail.dmarc": P,
        "mail.mta_sts": P, "mail.tls_rpt": P, "mail.dnssec": P,
    },
    "smtp.test": {"mail.mx": P, "mail.spf": P, "mail.mta_sts": W},
    # No MX or a Null MX: "sends no mail"; only SPF and DMARC apply.
    "nullmx.test": {
        "mail.mx": P, "mail.spf": P, "mail.dkim": S, "mail.dmarc": P,
        "mail.mta_sts": S, "mail.tls_rpt": S,
    },
    "nomx.test": {"mail.mx": P, "mail.spf": P, "mail.dkim": S},
    "nomxgoogle.test": {"mail.spf": W},
    "nomxopen.test": {"mail.spf": F},
    "nullmxnospf.test": {"mail.spf": F},
    "nospf.test": {"mail.spf": F},
    "plusall.test": {"mail.spf": F},
    "qall.test": {"mail.spf": F},
    "noall.test": {"mail.spf": F},
    "softall.test": {"mail.spf": P},
    "nogoogle.test": {"mail.spf": F},
    "twospf.test": {"mail.spf": F},
    "tenlookups.test": {"mail.spf": P},
    "elevenlookups.test": {"mail.spf": F},
    "twovoids.test": {"mail.spf": P},
    "threevoids.test": {"mail.spf": F},
    "loop.test": {"mail.spf": F},
    "nonascii.test": {"mail.spf": F},
    "oversized.test": {"mail.spf": P},
    "hugetxt.test": {"mail.spf": E},
    "splitdmarc.test": {"mail.dmarc": P},
    "quarantine.test": {"mail.dmarc": W},
    "dmarcnone.test": {"mail.dmarc": F},
    "nodmarc.test": {"mail.dmarc": F},
    "twodmarc.test": {"mail.dmarc": F},
    "pct.test": {"mail.dmarc": W},
    "norua.test": {"mail.dmarc": W},
    "outside.test": {"mail.dmarc": W},
    "authorised.test": {"mail.dmarc": P},
    "news.parent.test": {"mail.dmarc": F},  # inherits parent.test's sp=none
    "shop.parent.test": {"mail.dmarc": P},  # its own p=reject
    "nodkim.test": {"mail.dkim": W},
    "dkim1024.test": {"mail.dkim": W},
    "dkim512.test": {"mail.dkim": F},
    "notlsrpt.test": {"mail.tls_rpt": W},
    "ststesting.test": {"mail.mta_sts": W},
    "stsuncovered.test": {"mail.mta_sts": W},
    "stsshortage.test": {"mail.mta_sts": W},
    "stsnotxt.test": {"mail.mta_sts": W},
    "sts404.test": {"mail.mta_sts": W},
    "stsbadcert.test": {"mail.mta_sts": W},
    "stsrefused.test": {"mail.mta_sts": W},
    # DNSSEC: good.test and signed.test validate from the lab's root; the rest is unsigned.
    "signed.test": {"mail.dnssec": P},
    "bogus.test": {"mail.dnssec": F},
    "expired.test": {"mail.dnssec": F},
    "othermx.test": {"mail.mx": F, "mail.spf": P, "mail.dnssec": W, "mail.caa": W},
    # A nameserver that never answers: every check could not check.
    "silent.test": {
        "mail.mx": E, "mail.spf": E, "mail.dkim": E, "mail.dmarc": E,
        "mail.mta_sts": E, "mail.tls_rpt": E, "mail.dnssec": E, "mail.caa": E,
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def report(mail_lab: MailLab, tmp_path_factory: pytest.TempPathFactory) -> Report:
    mail_lab.dns.reset()
    text = mail_lab.config_text(sorted(EXPECTED))
    config = parse_config(text, "mail-lab.toml", tmp_path_factory.mktemp("mail"))
    return run_audit(families("mail"), AuditContext(config=config))


def _statuses(report: Report, domain: str) -> dict[str, Status]:
    return {f.check: f.status for f in report.findings if f.target == domain}


@pytest.mark.parametrize("domain", sorted(EXPECTED))
def test_each_case_is_reported_as_the_rules_say(report: Report, domain: str) -> None:
    found = _statuses(report, domain)
    wanted = EXPECTED[domain]
    assert {check: found[check] for check in wanted} == wanted, [
        (f.check, f.message) for f in report.findings if f.target == domain
    ]


def test_a_mx_that_is_not_googles_breaks_the_promise(report: Report) -> None:
    claim = report.claim(ClaimId.MAIL)
    assert claim.status is Status.FAIL
    finding = next(f for f in claim.findings if f.key == ("mail.mx", "othermx.test"))
    assert "mx.elsewhere.example" in finding.message
    assert finding.evidence["not_google"] == ["mx.elsewhere.example"]


def test_each_dns_question_is_asked_once_per_run(report: Report, mail_lab: MailLab) -> None:
    # _spf.google.com is included by nearly every case; it was asked once.
    assert mail_lab.dns.asked("_spf.google.com", "TXT") == 1
    assert mail_lab.dns.repeated() == {}


def test_the_evidence_shows_the_lookup_counts_and_the_loop(report: Report) -> None:
    ten = next(f for f in report.findings if f.key == ("mail.spf", "tenlookups.test"))
    assert ten.evidence["dns_lookups"] == 10
    loop = next(f for f in report.findings if f.key == ("mail.spf", "loop.test"))
    assert "loop" in loop.message
    assert "a.loop.test" in loop.message


def test_a_promise_kept_by_one_good_domain(mail_lab: MailLab, tmp_path: Path) -> None:
    config = parse_config(mail_lab.config_text(["good.test"]), "t", tmp_path)
    report = run_audit(families("mail"), AuditContext(config=config))
    assert report.claim(ClaimId.MAIL).status is Status.PASS
    assert report.exit_code() == 0


def _with_sites(mail_lab: MailLab, tmp_path: Path, identities: str) -> Report:
    """The mail family after the tls family, which reads the certificates the sites serve."""
    sites = "".join(
        f'[[sites]]\nhost = "mta-sts.{case}.test"\nport = {mail_lab.sts_port}\n'
        f'addresses = ["{STS_ADDRESS}"]\nca_file = "{mail_lab.root_pem}"\n'
        for case in ("good", "caaforbid")
    )
    text = sites + mail_lab.config_text(["good.test", "caaforbid.test"], identities)
    config = parse_config(text, "t", tmp_path)
    return run_audit(families("tls", "mail"), AuditContext(config=config))


def test_caa_is_judged_against_the_issuers_of_the_sites_certificates(
    mail_lab: MailLab, tmp_path: Path
) -> None:
    report = _with_sites(
        mail_lab, tmp_path, f'[mail.caa_identities]\n"{LAB_CA}" = ["{LAB_CA_IDENTITY}"]\n'
    )
    good = next(f for f in report.findings if f.key == ("mail.caa", "good.test"))
    assert good.status is Status.PASS, good.message
    assert good.evidence["issuers"] == {"mta-sts.good.test": LAB_CA}
    forbid = next(f for f in report.findings if f.key == ("mail.caa", "caaforbid.test"))
    assert forbid.status is Status.WARN
    assert "would forbid" in forbid.message
    assert "mta-sts.caaforbid.test" in forbid.message


def test_caa_with_an_issuer_the_auditor_cannot_name_warns_and_says_what_to_add(
    mail_lab: MailLab, tmp_path: Path
) -> None:
    report = _with_sites(mail_lab, tmp_path, "")
    good = next(f for f in report.findings if f.key == ("mail.caa", "good.test"))
    assert good.status is Status.WARN
    assert "caa_identities" in good.message


def test_a_resolver_that_strips_signatures_is_could_not_check_not_bogus(
    mail_lab: MailLab, tmp_path: Path
) -> None:
    # The same zones, unsigned: as a resolver that does not pass DNSSEC records on sees them.
    server = LabDnsServer(
        "127.0.63.5",
        [zone(".", ""), zone("plain.test", "@ MX 1 smtp.google.com.\n")],
    )
    try:
        text = (
            server.config()
            + f'[mail]\ndomains = ["plain.test"]\ndnssec_anchors = ["{mail_lab.anchor}"]\n'
        )
        config = parse_config(text, "t", tmp_path)
        report = run_audit(families("mail"), AuditContext(config=config))
    finally:
        server.close()
    found = next(f for f in report.findings if f.check == "mail.dnssec")
    assert found.status is Status.ERROR
    assert "without signatures" in found.message


def test_every_mail_message_of_the_lab_is_worded_for_the_catalog_and_danish(
    report: Report,
) -> None:
    """Each case's message, its nested reasons too (a record's fault, a lookup's, an SPF
    loop's), has its template in the Danish catalog; the English sentence stays the CLI's."""
    mail = [f for f in report.findings if f.check.startswith("mail.")]
    assert len(mail) > 40
    for finding in mail:
        assert finding.wording is not None, finding.message
        assert str(finding.wording) == finding.message
        assert untranslated(finding.wording) == [], finding.message
        assert translate(finding).danish, finding.message
    loop = next(f for f in mail if f.key == ("mail.spf", "loop.test"))
    assert translate(loop).text.startswith("SPF virker ikke: SPF-include i ring: ")
