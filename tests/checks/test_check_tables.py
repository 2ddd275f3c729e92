"""Every registered check is declared once, titled twice, and reported on every path.

A check is declared in one place: its entry in its family's check table, spec and all; no
module of checks/ keeps a spec beside the tables. A family's paths are derived from its
check table; these tests walk every registered family and hold each path to the table, so
that a new entry without titles, or a path that forgets a check, fails here.

"Once per check" means two things. A family with one target per site or server (tls, https,
ssh, dns) gives exactly one finding per check on every path, in table order: judged, not
connected, without a certificate (tls), without credentials or with a failed read (ssh),
skipped and errored. The list-style families judge many subjects in one target
(digitalocean: resources, firewalls, droplets, certificates; access: keys): a check gives
exactly one finding per subject it applies to, and, where it applies to none, the
account-wide finding its family gives instead (or none at all: a firewall check of an
account without firewalls). On a path where the whole family cannot judge (no token, no
roster, errored, skipped) every check gives exactly one finding.
"""

from __future__ import annotations

import base64
import importlib
import pkgutil
import struct
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import checks
from auditor.core.config import SiteConfig, parse_config
from auditor.core.family import AuditContext, CheckTable, Family, SimpleTarget, specs_of
from auditor.core.inventory import (
    CloudResource,
    CtCertificate,
    DiscoveredName,
    FoundKey,
    Inventory,
    KeyLocation,
    SshServerRecord,
)
from auditor.core.messages import N_, Message
from auditor.core.model import CheckSpec, Finding
from auditor.core.roster import parse_roster
from auditor.core.sshkeys import parse_public_key_line
from auditor.lab.pki import TestCA
from checks import FAMILIES, access, catalog, dns
from checks.digitalocean import family as digitalocean
from checks.digitalocean import inventory as parse
from checks.discovery import ct
from checks.discovery import family as discovery
from checks.https import family as https
from checks.https.probe import Hop, HttpsHeaders, HttpsScan, RedirectTrace
from checks.mail import family as mail
from checks.mail.caa import Relevant
from checks.mail.chain import Chain, ChainStatus
from checks.mail.facts import CaaFacts, DmarcFacts, MailFacts, SpfFacts
from checks.mail.lookup import Answer, Rcode
from checks.mail.spf import SpfWalk
from checks.sites import NO_IPV6, SiteTarget
from checks.ssh import family as ssh
from checks.ssh.model import ServerRead, SshProbe, UserMethods
from checks.tls import certificate as certs
from checks.tls import family as tls
from checks.tls.probe import Endpoint, TlsScan, TlsVersion

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HOST = "alternativet.dk"
SITE = SiteConfig(host=HOST, platform="", addresses=("192.0.2.10",))
KEY_ONLY = {"passwordauthentication": "no", "pubkeyauthentication": "yes"}

Paths = Mapping[str, Iterable[Finding]]
# A list-style family's paths: each one's findings, and the subjects each check must name once.
ListPaths = Mapping[str, tuple[Iterable[Finding], dict[str, set[str]]]]


def _context(tmp_path: Path) -> AuditContext:
    return AuditContext(parse_config("", "test", tmp_path), now=lambda: NOW)


def _tls_paths(tmp_path: Path) -> Paths:
    ca = TestCA("Tables", now=NOW - timedelta(days=300))
    leaf = ca.issue([HOST], not_before=NOW - timedelta(days=10))
    judgement = tls.Judgement(HOST, HOST, certs.Anchors.of((ca.root.cert,)), NOW, 21)
    endpoint = Endpoint(HOST, "192.0.2.10", 443, 5.0)
    modern = (TlsVersion.TLS_1_2, TlsVersion.TLS_1_3)
    versions: dict[TlsVersion, bool | None] = {v: v in modern for v in TlsVersion}
    scan = TlsScan(endpoint, chain=(leaf.cert, ca.intermediate.cert), versions=versions)
    not_probed = SiteTarget(SITE, "2001:db8::10", not_probed=NO_IPV6)
    return {
        "judged": tls.evaluate(scan, judgement),
        "not connected": tls.evaluate(TlsScan(endpoint, connect_error="refused"), judgement),
        "no certificate": tls.evaluate(TlsScan(endpoint, versions=versions), judgement),
        "not resolved": tls.FAMILY.audit(
            SiteTarget(SITE, None, "no answer"), _context(tmp_path)
        ).findings,
        "not probed": tls.FAMILY.audit(not_probed, _context(tmp_path)).findings,
    }


def _https_paths(tmp_path: Path) -> Paths:
    redirect = Hop(f"http://{HOST}/", 301, f"https://{HOST}/")
    scan = HttpsScan(
        f"http://{HOST}/",
        f"https://{HOST}/",
        RedirectTrace((redirect,)),
        HttpsHeaders(200, ("max-age=63072000",)),
    )
    not_probed = SiteTarget(SITE, "2001:db8::10", not_probed=NO_IPV6)
    return {
        "judged": https.evaluate(scan, SiteTarget(SITE, "192.0.2.10")),
        "not resolved": https.FAMILY.audit(
            SiteTarget(SITE, None, "no answer"), _context(tmp_path)
        ).findings,
        "not probed": https.FAMILY.audit(not_probed, _context(tmp_path)).findings,
    }


def _ssh_paths(tmp_path: Path) -> Paths:
    probed = SshProbe(
        "web", "192.0.2.20", 22, "SSH-2.0-OpenSSH_9.6", (UserMethods("root", ("publickey",)),)
    )
    read = ServerRead(effective={"root": KEY_ONLY})
    down = SshProbe("web", "192.0.2.20", 22, connect_error="refused")
    return {
        "judged": ssh.evaluate(ssh.ServerFacts("web", probed, read), authenticated=True),
        "read failed": ssh.evaluate(
            ssh.ServerFacts("web", probed, None, "host key unknown"), authenticated=True
        ),
        "no credentials": ssh.evaluate(ssh.ServerFacts("web", probed), authenticated=False),
        "not connected": ssh.evaluate(ssh.ServerFacts("web", down), authenticated=True),
        "no address": ssh.FAMILY.audit(ssh.SshTarget("web", 22, ""), _context(tmp_path)).findings,
    }


def _dns_paths(tmp_path: Path) -> Paths:
    droplet = CloudResource("droplet", "1", "web", "ams3", ipv4=("192.0.2.10",))
    return {
        "judged": dns.FAMILY.audit(
            dns.DnsTarget(SITE, (droplet,), True), _context(tmp_path)
        ).findings,
        "no inventory": dns.FAMILY.audit(dns.DnsTarget(SITE), _context(tmp_path)).findings,
    }


def _mail_facts(mx: Answer) -> MailFacts:
    def txt(name: str, *records: str) -> Answer:
        return Answer(name, "TXT", Rcode.OK if records else Rcode.NXDOMAIN, records)

    return MailFacts(
        domain=HOST,
        org=HOST,
        mx=mx,
        spf=SpfFacts(walk=SpfWalk(HOST, "v=spf1 -all", all_qualifier="-", terms=["-all"])),
        dmarc=DmarcFacts(HOST, (txt(f"_dmarc.{HOST}", "v=DMARC1; p=reject"),)),
        dkim=(("google", txt(f"google._domainkey.{HOST}")),),
        mta_sts=txt(f"_mta-sts.{HOST}"),
        policy=None,
        tls_rpt=txt(f"_smtp._tls.{HOST}"),
        caa=CaaFacts(Relevant(HOST, None, None)),
        dnssec=Chain(
            HOST,
            ChainStatus.INSECURE,
            N_("{name} is not signed: its parent has no DS for it", name=HOST),
        ),
    )


def _mail_paths(tmp_path: Path) -> Paths:
    google = Answer(HOST, "MX", Rcode.OK, ("1 smtp.google.com.",))
    return {
        "receives mail": mail.evaluate(_mail_facts(google)).findings,
        "sends no mail": mail.evaluate(_mail_facts(Answer(HOST, "MX", Rcode.NODATA))).findings,
        "mx unknown": mail.evaluate(
            _mail_facts(Answer(HOST, "MX", Rcode.FAILED, error="timeout"))
        ).findings,
    }


PER_TARGET: dict[str, Callable[[Path], Paths]] = {
    "tls": _tls_paths,
    "https": _https_paths,
    "ssh": _ssh_paths,
    "dns": _dns_paths,
    "mail": _mail_paths,
}


def _account() -> digitalocean.AccountInventory:
    open_fw = parse.firewall(
        {
            "id": "f1",
            "name": "open",
            "droplet_ids": [1],
            "inbound_rules": [
                {"protocol": "tcp", "ports": "22", "sources": {"addresses": ["0.0.0.0/0"]}}
            ],
        }
    )
    closed_fw = parse.firewall({"id": "f2", "name": "closed", "inbound_rules": []})
    firewalls = (open_fw, closed_fw)
    return digitalocean.AccountInventory(
        account="acct",
        resources=(
            parse.droplet({"id": 1, "name": "web", "region": "ams3"}, firewalls),
            parse.droplet({"id": 2, "name": "db", "region": "nyc3"}, firewalls),
            parse.load_balancer({"id": "lb", "name": "lb", "region": "ams3"}),
            parse.reserved_ip({"ip": "192.0.2.30", "region": {"slug": "ams3"}}),
        ),
        firewalls=firewalls,
        certificates=(
            parse.certificate({"id": "c1", "name": "www", "not_after": "2027-01-01T00:00:00Z"}),
            parse.certificate({"id": "c2", "name": "old", "not_after": "2020-01-01T00:00:00Z"}),
        ),
        keys=(),
    )


def _digitalocean_paths(tmp_path: Path) -> ListPaths:
    account = _account()
    empty = digitalocean.AccountInventory("acct", (), (), (), ())
    no_token = digitalocean.FAMILY.audit(SimpleTarget("digitalocean"), _context(tmp_path))
    every = {spec.id: {"digitalocean"} for spec in digitalocean.SPECS}
    return {
        "judged": (
            digitalocean.evaluate(account, ("ams3",), NOW, 21).findings,
            {
                "do.droplet.region": {r.kind + ":" + r.name for r in account.resources},
                "do.firewall.ssh_open": {"firewall:open", "firewall:closed"},
                "do.droplet.no_firewall": {"droplet:web", "droplet:db"},
                "do.certificate.expiry": {"certificate:www", "certificate:old"},
            },
        ),
        "empty account": (
            digitalocean.evaluate(empty, ("ams3",), NOW, 21).findings,
            {
                "do.droplet.region": {"digitalocean"},
                "do.firewall.ssh_open": set(),
                "do.droplet.no_firewall": set(),
                "do.certificate.expiry": {"digitalocean"},
            },
        ),
        "no token": (no_token.findings, every),
    }


def _pub(seed: int) -> str:
    blob = b"".join(struct.pack(">I", len(p)) + p for p in (b"ssh-ed25519", bytes([seed]) * 32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()}"


def _access_paths(tmp_path: Path) -> ListPaths:
    fingerprints = [parse_public_key_line(_pub(seed)).fingerprint for seed in (1, 2)]
    roster = parse_roster(
        f'[[people]]\nname = "Anna"\nteam = "Team"\napproved = true\nkeys = ["{_pub(1)}"]\n',
        "roster.toml",
    )
    where = KeyLocation(server="web", user="root", path="/root/.ssh/authorized_keys")
    server = SshServerRecord(target="web", host="web", port=22, keys_read=True)
    keys = tuple(FoundKey(fp, "ED25519", 256, where) for fp in fingerprints)
    target = access.AccessTarget(Inventory(ssh_servers=(server,), found_keys=keys))
    per_key = {"access.key.unknown", "access.key.unapproved", "access.key.weak"}
    return {
        # One key on the roster, one unknown: each key once per check that judges keys.
        "judged": (
            access.evaluate(target, roster, "Team", 5).findings,
            {check: set(fingerprints) for check in per_key} | {"access.holders.count": {"access"}},
        ),
        "no roster": (
            access.evaluate(target, None, "Team", 5).findings,
            {spec.id: {"access"} for spec in access.SPECS},
        ),
        # No key read anywhere: nothing to judge key by key; the count says why.
        "no keys": (
            access.evaluate(access.AccessTarget(), roster, "Team", 5).findings,
            {check: set[str]() for check in per_key} | {"access.holders.count": {"access"}},
        ),
    }


def _discovery_paths(tmp_path: Path) -> ListPaths:
    live = DiscoveredName("new.alternativet.dk", ("crt.sh",), "site", serves=("https",))
    known = DiscoveredName(HOST, ("config",), "site", serves=("https",), configured=True)
    silent = DiscoveredName("old.alternativet.dk", ("dns-zone",), "no-address")
    v6only = DiscoveredName("v6.alternativet.dk", ("crt.sh",), "not-asked", ("2001:db8::1",))
    return {
        "judged": (
            discovery.findings_of(discovery.Found((live, known, silent))).findings,
            {"sites.coverage": {"new.alternativet.dk"}},
        ),
        "all configured": (
            discovery.findings_of(discovery.Found((known, silent))).findings,
            {"sites.coverage": {"discovery"}},
        ),
        "a source unread": (
            discovery.findings_of(discovery.Found((live,), ("crt.sh is down",))).findings,
            {"sites.coverage": {"new.alternativet.dk", "discovery"}},
        ),
        "a name not asked": (
            discovery.findings_of(discovery.Found((known, v6only))).findings,
            {"sites.coverage": {"v6.alternativet.dk"}},
        ),
    }


def _ct_paths(tmp_path: Path) -> ListPaths:
    ours = CtCertificate(1, "C=US, O=Let's Encrypt, CN=R11", (HOST,))
    other = CtCertificate(2, "C=XX, O=Elsewhere CA, CN=E1", ("login." + HOST,))
    expected = ("Let's Encrypt",)
    return {
        "judged": (
            ct.evaluate(ct.CtTarget((ours, other), expected)).findings,
            {"ct.issuer": {"ct:2"}},
        ),
        "all expected": (
            ct.evaluate(ct.CtTarget((ours,), expected)).findings,
            {"ct.issuer": {"ct"}},
        ),
        "stale": (
            ct.evaluate(ct.CtTarget((ours,), expected, "down")).findings,
            {"ct.issuer": {"ct"}},
        ),
        "no issuer known": (ct.evaluate(ct.CtTarget((ours,), ())).findings, {"ct.issuer": {"ct"}}),
    }


LIST_STYLE: dict[str, Callable[[Path], ListPaths]] = {
    "digitalocean": _digitalocean_paths,
    "access": _access_paths,
    "discovery": _discovery_paths,
    "ct": _ct_paths,
}


def _ids(family: Family[Any]) -> list[str]:
    return [spec.id for spec in family.specs]


def _modules() -> list[Any]:
    """Every module of the checks package, imported (the heavy libraries with them)."""
    names = [info.name for info in pkgutil.walk_packages(checks.__path__, "checks.")]
    return [checks, *(importlib.import_module(name) for name in names)]


def test_no_module_of_checks_declares_a_spec_outside_a_table() -> None:
    for module in _modules():
        loose = [name for name, value in vars(module).items() if isinstance(value, CheckSpec)]
        assert not loose, f"{module.__name__}: {loose} belong in a check table's entry"


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_a_familys_specs_are_those_of_its_modules_tables(family: Family[Any]) -> None:
    module = importlib.import_module(family.audit.__module__)
    tables = [value for value in vars(module).values() if isinstance(value, CheckTable)]
    assert tables, f"{module.__name__} has no check table"
    assert family.specs == specs_of(*tables)


def test_every_registered_family_is_walked_here() -> None:
    assert set(PER_TARGET) | set(LIST_STYLE) == {family.name for family in FAMILIES}
    assert not set(PER_TARGET) & set(LIST_STYLE)


def test_check_ids_are_unique_across_families_and_the_catalog_has_them_all() -> None:
    ids = [spec.id for family in FAMILIES for spec in family.specs]
    assert len(ids) == len(set(ids))
    assert sorted(catalog()) == sorted(ids)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_every_check_has_an_english_and_a_danish_title(family: Family[Any]) -> None:
    for spec in family.specs:
        assert spec.title.strip(), spec.id
        assert spec.title_da.strip(), spec.id
        assert spec.title_da != spec.id


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_errored_and_skipped_give_one_finding_per_check(family: Family[Any]) -> None:
    for outcome in (family.errored("t", Message("m"), {}), family.skipped("t", Message("m"), {})):
        assert [f.check for f in outcome.findings] == _ids(family)


@pytest.mark.parametrize("name", sorted(PER_TARGET))
def test_a_per_target_family_gives_one_finding_per_check_on_every_path(
    name: str, tmp_path: Path
) -> None:
    family = next(f for f in FAMILIES if f.name == name)
    for path, findings in PER_TARGET[name](tmp_path).items():
        assert [f.check for f in findings] == _ids(family), path


@pytest.mark.parametrize("name", sorted(LIST_STYLE))
def test_a_list_style_family_names_each_subject_once_per_check(name: str, tmp_path: Path) -> None:
    family = next(f for f in FAMILIES if f.name == name)
    for path, (findings, subjects) in LIST_STYLE[name](tmp_path).items():
        assert sorted(subjects) == sorted(_ids(family)), f"{path}: a check with no subjects"
        named: dict[str, list[str]] = defaultdict(list)
        for finding in findings:
            named[finding.check].append(finding.target)
        for check, expected in subjects.items():
            assert sorted(named.pop(check, [])) == sorted(expected), (path, check)
        assert not named, f"{path}: findings of checks the family does not declare"
