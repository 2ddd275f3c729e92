"""The tls checks as pure functions over hand-built scans and certificates from the test CA."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from auditor.core.config import SiteConfig
from auditor.core.model import Finding, Status
from auditor.lab.pki import TestCA
from auditor.lab.pki import _ca_usage as ca_usage
from auditor.lab.web_server import INTERMEDIATE_SUITES
from checks.sites import SiteTarget
from checks.tls import certificate as certs
from checks.tls import record
from checks.tls.family import Judgement, evaluate
from checks.tls.policy import MOZILLA_INTERMEDIATE_STRING
from checks.tls.probe import DeepSuites, Endpoint, TlsScan, TlsVersion
from tests.support.sites_lab import sha1_leaf

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HOST = "alternativet.dk"
MODERN = {v: v in (TlsVersion.TLS_1_2, TlsVersion.TLS_1_3) for v in TlsVersion}


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA("Unit", now=NOW - timedelta(days=300))


def _judge(ca: TestCA, warning_days: int = 21) -> Judgement:
    return Judgement(HOST, HOST, certs.Anchors.of((ca.root.cert,)), NOW, warning_days)


def _scan(ca: TestCA, **changes: object) -> TlsScan:
    leaf = ca.issue([HOST, f"www.{HOST}"], not_before=NOW - timedelta(days=10))
    fields: dict[str, object] = {
        "endpoint": Endpoint(HOST, "192.0.2.10", 443, 5.0),
        "chain": (leaf.cert, ca.intermediate.cert),
        "versions": dict(MODERN),
        "ocsp_stapled": False,
    }
    fields.update(changes)
    return TlsScan(**fields)  # type: ignore[arg-type]


def _statuses(scan: TlsScan, judgement: Judgement) -> dict[str, Status]:
    return {f.check: f.status for f in evaluate(scan, judgement)}


def test_a_healthy_scan_passes_every_check(ca: TestCA) -> None:
    assert set(_statuses(_scan(ca), _judge(ca)).values()) == {Status.PASS}


def test_an_unreachable_site_is_an_error_and_nothing_passes(ca: TestCA) -> None:
    scan = TlsScan(Endpoint(HOST, "192.0.2.10", 443, 5.0), connect_error="unreachable: refused")
    statuses = _statuses(scan, _judge(ca))
    assert statuses.pop("tls.connect") is Status.ERROR
    assert set(statuses.values()) == {Status.SKIPPED}


def test_expiry_window(ca: TestCA) -> None:
    soon = ca.issue([HOST], not_before=NOW - timedelta(days=80), valid_days=90)
    gone = ca.issue([HOST], not_before=NOW - timedelta(days=100), valid_days=30)
    early = ca.issue([HOST], not_before=NOW + timedelta(days=2), valid_days=30)
    for leaf, status in ((soon, Status.WARN), (gone, Status.FAIL), (early, Status.FAIL)):
        scan = _scan(ca, chain=(leaf.cert, ca.intermediate.cert))
        assert _statuses(scan, _judge(ca))["tls.cert.expiry"] is status
    # The window is configurable: at 5 days, 10 days left is fine.
    scan = _scan(ca, chain=(soon.cert, ca.intermediate.cert))
    assert _statuses(scan, _judge(ca, warning_days=5))["tls.cert.expiry"] is Status.PASS


def test_an_expired_certificate_is_not_also_called_untrusted(ca: TestCA) -> None:
    gone = ca.issue([HOST], not_before=NOW - timedelta(days=100), valid_days=30)
    scan = _scan(ca, chain=(gone.cert, ca.intermediate.cert))
    assert _statuses(scan, _judge(ca))["tls.cert.trusted"] is Status.PASS


def test_weak_keys_fail(ca: TestCA) -> None:
    for kind, status in (
        ("rsa1024", Status.FAIL),
        ("rsa2048", Status.PASS),
        ("ec384", Status.PASS),
    ):
        leaf = ca.issue([HOST], key=kind, not_before=NOW - timedelta(days=1))
        scan = _scan(ca, chain=(leaf.cert, ca.intermediate.cert))
        assert _statuses(scan, _judge(ca))["tls.cert.key"] is status, kind


@pytest.mark.parametrize(("kind", "name"), [("ed25519", "Ed25519"), ("ed448", "Ed448")])
def test_an_eddsa_certificate_fails_the_key_check(ca: TestCA, kind: str, name: str) -> None:
    leaf = ca.issue([HOST], key=kind, not_before=NOW - timedelta(days=1))
    scan = _scan(ca, chain=(leaf.cert, ca.intermediate.cert))
    key = next(f for f in evaluate(scan, _judge(ca)) if f.check == "tls.cert.key")
    assert key.status is Status.FAIL
    assert key.message == f"{name} key: no major browser accepts such a certificate."


def test_a_stray_sha1_certificate_off_the_validated_path_does_not_fail(
    ca: TestCA, tmp_path: Path
) -> None:
    stray = sha1_leaf(TestCA("Stray", now=NOW - timedelta(days=300)), "old.test", tmp_path)
    leaf, intermediate = _scan(ca).chain
    scan = _scan(ca, chain=(leaf, intermediate, stray.cert))
    signature = next(f for f in evaluate(scan, _judge(ca)) if f.check == "tls.cert.signature")
    assert signature.status is Status.PASS
    assert signature.evidence["judged"] == "the validated path"
    # Without the intermediate nothing validates: then every certificate sent is judged.
    broken = _scan(ca, chain=(leaf, stray.cert))
    signature = next(f for f in evaluate(broken, _judge(ca)) if f.check == "tls.cert.signature")
    assert signature.status is Status.FAIL
    assert signature.evidence["judged"] == "the chain as sent (it does not validate)"


def test_missing_intermediate_fails_completeness_and_trust(ca: TestCA) -> None:
    scan = _scan(ca)
    broken = _scan(ca, chain=scan.chain[:1])
    statuses = _statuses(broken, _judge(ca))
    assert statuses["tls.cert.chain_complete"] is Status.FAIL
    assert statuses["tls.cert.trusted"] is Status.FAIL


def test_a_foreign_root_is_untrusted(ca: TestCA) -> None:
    other = TestCA("Other", now=NOW - timedelta(days=300))
    judgement = Judgement(HOST, HOST, certs.Anchors.of((other.root.cert,)), NOW, 21)
    assert _statuses(_scan(ca), judgement)["tls.cert.trusted"] is Status.FAIL


def test_old_protocols_and_missing_modern_ones_fail(ca: TestCA) -> None:
    legacy = dict(MODERN) | {TlsVersion.TLS_1_0: True}
    assert _statuses(_scan(ca, versions=legacy), _judge(ca))["tls.protocols"] is Status.FAIL
    none_modern = {v: v is TlsVersion.TLS_1_1 for v in TlsVersion}
    finding = next(
        f
        for f in evaluate(_scan(ca, versions=none_modern), _judge(ca))
        if f.check == "tls.protocols"
    )
    assert finding.status is Status.FAIL
    assert "TLS 1.1" in finding.message
    only_ssl3_unknown = dict(MODERN) | {TlsVersion.SSL_3_0: None}
    scan = _scan(ca, versions=only_ssl3_unknown, version_errors={TlsVersion.SSL_3_0: "timeout"})
    assert _statuses(scan, _judge(ca))["tls.protocols"] is Status.ERROR


def test_weak_suites_fail_and_inconclusive_is_an_error(ca: TestCA) -> None:
    weak = _scan(ca, weak_suites=((TlsVersion.TLS_1_2, "DES-CBC3-SHA"),))
    assert _statuses(weak, _judge(ca))["tls.ciphers"] is Status.FAIL
    unknown = _scan(ca, weak_errors={TlsVersion.TLS_1_2: "no answer"})
    assert _statuses(unknown, _judge(ca))["tls.ciphers"] is Status.ERROR


def _ciphers(ca: TestCA, scan: TlsScan) -> Finding:
    return next(f for f in evaluate(scan, _judge(ca)) if f.check == "tls.ciphers")


def test_suites_outside_mozilla_intermediate_warn_each_named_with_its_ncsc_level(
    ca: TestCA,
) -> None:
    outside = (
        (TlsVersion.TLS_1_2, "AES128-GCM-SHA256"),
        (TlsVersion.TLS_1_2, "ECDHE-RSA-AES128-SHA"),
        (TlsVersion.TLS_1_2, "ECDHE-ECDSA-AES256-CCM"),
        (TlsVersion.TLS_1_0, "ECDHE-RSA-AES128-SHA"),
    )
    finding = _ciphers(ca, _scan(ca, outside_suites=outside))
    assert finding.status is Status.WARN
    assert finding.message == (
        "Accepts suites outside Mozilla intermediate (phase out: AES128-GCM-SHA256; "
        "unclassified: ECDHE-ECDSA-AES256-CCM; sufficient: ECDHE-RSA-AES128-SHA)."
    )
    assert [e["ncsc"] for e in finding.evidence["outside_intermediate"]] == [
        "phase out",
        "sufficient",
        "unclassified",
        "sufficient",
    ]
    assert "Mozilla Server Side TLS intermediate 5.7" in finding.evidence["policy"]
    # A weak suite still fails, whatever else is accepted.
    both = _scan(ca, outside_suites=outside, weak_suites=((TlsVersion.TLS_1_2, "NULL-SHA256"),))
    assert _ciphers(ca, both).status is Status.FAIL


def test_a_spent_budget_or_no_answer_is_never_a_silent_pass(ca: TestCA) -> None:
    spent = {TlsVersion.TLS_1_2: "the handshake budget ran out: the list may be incomplete"}
    found = _ciphers(
        ca, _scan(ca, outside_suites=((TlsVersion.TLS_1_2, "AES256-SHA"),), outside_errors=spent)
    )
    assert found.status is Status.WARN
    assert found.message.endswith("(the list may be incomplete).")
    unknown = _scan(ca, outside_errors={TlsVersion.TLS_1_2: "no answer"})
    assert _ciphers(ca, unknown).status is Status.ERROR
    assert _ciphers(ca, _scan(ca)).status is Status.PASS


def test_the_demo_lab_serves_exactly_mozilla_intermediate() -> None:
    assert INTERMEDIATE_SUITES == MOZILLA_INTERMEDIATE_STRING


@pytest.mark.parametrize(
    ("names", "host", "matches"),
    [
        (["alternativet.dk"], "alternativet.dk", True),
        (["alternativet.dk"], "ALTERNATIVET.DK.", True),
        (["*.alternativet.dk"], "dialog.alternativet.dk", True),
        (["*.alternativet.dk"], "alternativet.dk", False),
        (["*.alternativet.dk"], "a.b.alternativet.dk", False),
        (["www.alternativet.dk"], "alternativet.dk", False),
        (["192.0.2.1"], "192.0.2.1", True),
        (["alternativet.dk"], "192.0.2.1", False),
    ],
)
def test_hostname_matching(ca: TestCA, names: list[str], host: str, matches: bool) -> None:
    assert certs.hostname_matches(ca.issue(names).cert, host) is matches


def test_certificate_details(ca: TestCA) -> None:
    leaf = ca.issue(
        [HOST],
        key="rsa2048",
        not_before=NOW - timedelta(days=1),
        valid_days=90,
        organization="Alternativet",
    )
    details = certs.describe(leaf.cert, NOW)
    assert details.common_name == HOST
    assert details.organization == "Alternativet"
    assert details.sans == (HOST,)
    assert details.issuer_organization == "Unit"
    assert (details.key_type, details.key_size) == ("RSA", 2048)
    assert details.signature_algorithm == "ecdsa-with-SHA256"
    assert details.days_left == 89  # 90 days from yesterday, counted in whole days
    assert (
        details.sha256
        == leaf.cert.fingerprint(
            __import__("cryptography.hazmat.primitives.hashes", fromlist=["SHA256"]).SHA256()
        )
        .hex(":")
        .upper()
    )
    assert details.serial == format(leaf.cert.serial_number, "X")


def test_mozilla_roots_are_loaded_from_sslyze() -> None:
    roots = certs.mozilla_roots()
    assert len(roots) > 100
    assert any("ISRG Root X1" in r.subject.rfc4514_string() for r in roots)


def test_trust_anchors_are_made_once_for_each_root_set(ca: TestCA) -> None:
    # The same CA file read again by another site: other objects, the same certificates.
    pem = ca.root.cert.public_bytes(serialization.Encoding.PEM)
    extra = tuple(x509.load_pem_x509_certificates(pem))
    with ThreadPoolExecutor(max_workers=8) as pool:
        made = list(pool.map(lambda _: certs.trust_anchors(extra), range(16)))
    assert all(anchors is made[0] for anchors in made)
    assert certs.trust_anchors((ca.root.cert,)) is made[0]
    mozilla = certs.trust_anchors()
    assert made[0].roots == mozilla.roots + extra
    assert ca.root.cert.subject in made[0].subjects
    assert ca.root.cert.subject not in mozilla.subjects


def test_a_handshake_without_a_certificate_fails_and_still_judges_the_suites(ca: TestCA) -> None:
    scan = _scan(ca, chain=(), weak_suites=((TlsVersion.TLS_1_2, "AECDH-AES128-SHA"),))
    findings = {f.check: f for f in evaluate(scan, _judge(ca))}
    assert findings["tls.connect"].status is Status.PASS
    assert findings["tls.cert.trusted"].status is Status.FAIL
    assert findings["tls.cert.hostname"].status is Status.FAIL
    assert findings["tls.ciphers"].status is Status.FAIL
    assert findings["tls.protocols"].status is Status.PASS
    assert {findings[c].status for c in ("tls.cert.expiry", "tls.cert.key")} == {Status.SKIPPED}


def test_an_expired_intermediate_is_named_as_the_reason_not_a_missing_root() -> None:
    old = TestCA("Old", now=NOW - timedelta(days=2000))  # its intermediate lasted 1825 days
    leaf = old.issue([HOST], not_before=NOW - timedelta(days=10))
    trust = certs.verify_trust(
        (leaf.cert, old.intermediate.cert), certs.Anchors.of((old.root.cert,)), NOW
    )
    assert not trust.ok
    expired = "does not validate: a certificate in its chain has expired or is not valid yet"
    assert trust.reason == expired


def test_a_chain_through_an_ed25519_ca_is_named_as_the_reason_not_a_missing_root() -> None:
    root_key = ed25519.Ed25519PrivateKey.generate()
    leaf_key = ed25519.Ed25519PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ed Root")])

    def build(subject: x509.Name, key: ed25519.Ed25519PublicKey) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(name)
            .public_key(key)
            .serial_number(1)
            .not_valid_before(NOW - timedelta(days=1))
            .not_valid_after(NOW + timedelta(days=90))
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                critical=False,
            )
        )

    root = (
        build(name, root_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(ca_usage(), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, None)
    )
    leaf = (
        build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]), leaf_key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .sign(root_key, None)
    )
    trust = certs.verify_trust((leaf,), certs.Anchors.of((root,)), NOW)
    assert not trust.ok
    assert trust.reason == "does not validate: its chain holds a key type no browser accepts"


def test_trust_is_judged_for_the_site_not_for_an_odd_first_name(ca: TestCA) -> None:
    leaf = ca.issue([f"_dmarc.{HOST}", HOST], not_before=NOW - timedelta(days=10))
    statuses = _statuses(_scan(ca, chain=(leaf.cert, ca.intermediate.cert)), _judge(ca))
    assert statuses["tls.cert.trusted"] is Status.PASS


def test_a_hostile_issuer_and_names_reach_the_messages_as_one_line() -> None:
    # Certificate fields are the server's text: CR, LF and ESC must not split a message.
    hostile = TestCA("Evil\r\n\x1b[2JFake", now=NOW - timedelta(days=300))
    leaf = hostile.issue(["x\r\n\x1b[31m.example"], not_before=NOW - timedelta(days=10))
    scan = _scan(hostile, chain=(leaf.cert, hostile.intermediate.cert))
    # Judged against another root: untrusted, and not the site's name.
    judgement = Judgement(HOST, HOST, certs.Anchors.of((TestCA("Other").root.cert,)), NOW, 21)
    messages = {f.check: f.message for f in evaluate(scan, judgement)}
    assert "Evil\\r\\n\\x1b[2JFake" in messages["tls.cert.trusted"]
    assert messages["tls.cert.hostname"] == (
        f"The certificate is for x\\r\\n\\x1b[31m.example, not {HOST}."
    )
    assert all(message.isprintable() for message in messages.values())


def test_the_record_holds_the_certificate_and_the_suites(ca: TestCA) -> None:
    site = SiteConfig("alternativet.dk", "Alternativet.dk", addresses=("192.0.2.10", "2001:db8::1"))
    target = SiteTarget(site, "2001:db8::1", several=True)
    deep = DeepSuites(
        {TlsVersion.TLS_1_2: ("ECDHE-RSA-AES128-GCM-SHA256", "DES-CBC3-SHA")},
        {"TLS 1.3": "timeout"},
    )
    weak = ((TlsVersion.TLS_1_2, "DES-CBC3-SHA"), (TlsVersion.TLS_1_0, "RC4-SHA"))
    scan = _scan(ca, weak_suites=weak, deep_suites=deep, ocsp_stapled=True)
    made = record.scanned_record(target, scan, _judge(ca).trust(scan.chain), NOW)
    assert (made.target, made.site, made.port, made.address) == (
        "alternativet.dk@2001:db8::1",
        "alternativet.dk",
        443,
        "2001:db8::1",
    )
    assert (made.reached, made.trusted, made.ocsp_stapling) == (True, True, True)
    assert made.sans == ("alternativet.dk", "www.alternativet.dk")
    assert made.tls_versions == ("TLS 1.2", "TLS 1.3")
    assert made.weak_suites == {"TLS 1.2": ("DES-CBC3-SHA",), "TLS 1.0": ("RC4-SHA",)}
    assert made.accepted_suites == {"TLS 1.2": ("ECDHE-RSA-AES128-GCM-SHA256", "DES-CBC3-SHA")}
    assert made.unlisted_suites == {"TLS 1.3": "timeout"}
    # Not reached: the site at that address, with no certificate.
    refused = TlsScan(Endpoint(HOST, "2001:db8::1", 443, 5.0), connect_error="refused")
    bare = record.scanned_record(target, refused, _judge(ca).trust(refused.chain), NOW)
    assert not bare.reached
    assert (bare.target, bare.address, bare.tls_versions) == (made.target, made.address, ())
