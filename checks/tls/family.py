"""The `tls` family: each site's certificate and how it speaks TLS (claim `https`).

One probe per (site, address) collects a TlsScan; every check below is a pure function of
that scan, so the checks are tested on hand-built scans and the network is touched once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from cryptography import x509

from auditor.core.documents import pem_certificates
from auditor.core.family import AuditContext, Check, Family, Need, Outcome, Unmet, specs_of
from auditor.core.inventory import Inventory
from auditor.core.model import CheckSpec, ClaimId, Finding, Severity, Status
from auditor.core.text import excerpt
from checks.sites import SiteTarget, site_targets
from checks.tls import certificate as certs
from checks.tls import record
from checks.tls.probe import Endpoint, TlsScan, TlsVersion, probe

CONNECT = CheckSpec(
    "tls.connect",
    "The site answers TLS",
    "TLS-forbindelse",
    ClaimId.HTTPS,
    Severity.HIGH,
    "Make the site listen for TLS on its port and answer within the timeout.",
)
TRUSTED = CheckSpec(
    "tls.cert.trusted",
    "The certificate chains to a trusted root",
    "Certifikatet er udstedt af en betroet udsteder",
    ClaimId.HTTPS,
    Severity.HIGH,
    "Serve a certificate from a CA in Mozilla's root store (for example Let's Encrypt).",
)
CHAIN = CheckSpec(
    "tls.cert.chain_complete",
    "The server sends its intermediate certificates",
    "Hele certifikatkæden sendes",
    ClaimId.HTTPS,
    Severity.MEDIUM,
    "Configure the full chain (nginx: ssl_certificate with fullchain.pem).",
)
HOSTNAME = CheckSpec(
    "tls.cert.hostname",
    "The certificate names the site",
    "Certifikatet gælder for navnet",
    ClaimId.HTTPS,
    Severity.HIGH,
    "Issue the certificate with the site's name in its subjectAltName.",
)
EXPIRY = CheckSpec(
    "tls.cert.expiry",
    "The certificate is valid now and not about to expire",
    "Certifikatet er gyldigt",
    ClaimId.HTTPS,
    Severity.HIGH,
    "Renew the certificate (and check why automatic renewal did not).",
)
KEY = CheckSpec(
    "tls.cert.key",
    "The certificate's key is strong",
    "Stærk nøgle",
    ClaimId.HTTPS,
    Severity.HIGH,
    "Use an RSA key of at least 2048 bits or an EC key of at least 256 bits.",
)
SIGNATURE = CheckSpec(
    "tls.cert.signature",
    "The certificate is signed with a strong hash",
    "Stærk signatur",
    ClaimId.HTTPS,
    Severity.HIGH,
    "Reissue the certificate signed with SHA-256 or better.",
)
PROTOCOLS = CheckSpec(
    "tls.protocols",
    "Only TLS 1.2 and 1.3 are accepted",
    "Kun TLS 1.2 og 1.3",
    ClaimId.HTTPS,
    Severity.HIGH,
    "Accept TLS 1.2 and 1.3 only (nginx: ssl_protocols TLSv1.2 TLSv1.3;).",
)
CIPHERS = CheckSpec(
    "tls.ciphers",
    "No weak cipher suite is accepted",
    "Ingen svage krypteringer",
    ClaimId.HTTPS,
    Severity.HIGH,
    "Remove NULL, EXPORT, anonymous, RC4, DES and 3DES suites (Mozilla's intermediate profile).",
)

OLD_VERSIONS = (TlsVersion.SSL_2_0, TlsVersion.SSL_3_0, TlsVersion.TLS_1_0, TlsVersion.TLS_1_1)
GOOD_VERSIONS = (TlsVersion.TLS_1_2, TlsVersion.TLS_1_3)


@dataclass(frozen=True)
class Judgement:
    """What the pure checks need besides the scan."""

    label: str
    host: str
    anchors: certs.Anchors
    now: datetime
    warning_days: int


Judge = Callable[[TlsScan, Judgement], Finding]


def _endpoint(scan: TlsScan) -> dict[str, object]:
    return {
        "address": scan.endpoint.address,
        "port": scan.endpoint.port,
        "connections": scan.connections,
    }


def _leaf(scan: TlsScan) -> x509.Certificate:
    """The site's certificate: checks that need one are judged only when there is a chain."""
    return scan.chain[0]


def check_connect(scan: TlsScan, j: Judgement) -> Finding:
    if scan.connect_error:
        message = f"Could not connect: {scan.connect_error}."
        return CONNECT.finding(j.label, Status.ERROR, message, _endpoint(scan))
    if not scan.chain:  # an anonymous suite: the handshake worked, nothing vouches for it
        message = "TLS handshake succeeded, without a certificate."
        return CONNECT.finding(j.label, Status.PASS, message, _endpoint(scan))
    ocsp = "with" if scan.ocsp_stapled else "without"
    return CONNECT.finding(
        j.label,
        Status.PASS,
        f"TLS handshake succeeded ({ocsp} OCSP stapling).",
        {**_endpoint(scan), "ocsp_stapling": scan.ocsp_stapled},
    )


def check_trusted(scan: TlsScan, j: Judgement) -> Finding:
    leaf = _leaf(scan)
    ok, reason = certs.verify_trust(scan.chain, j.anchors, j.now, j.host)
    issuer = leaf.issuer.rfc4514_string()
    # The issuer's name is the server's text (CR, LF, ESC and all): in full in the evidence.
    message = f"The chain {reason}." if ok else f"The certificate from {excerpt(issuer)} {reason}."
    return TRUSTED.finding(j.label, Status.PASS if ok else Status.FAIL, message, {"issuer": issuer})


def check_chain(scan: TlsScan, j: Judgement) -> Finding:
    leaf = _leaf(scan)
    ok, reason = certs.chain_complete(scan.chain, j.anchors)
    subjects = [c.subject.rfc4514_string() for c in scan.chain]
    if ok and certs.is_self_issued(leaf):
        return CHAIN.finding(j.label, Status.SKIPPED, "A self-signed certificate has no chain.")
    if ok:
        return CHAIN.finding(
            j.label, Status.PASS, "The server sends the full chain.", {"chain": subjects}
        )
    return CHAIN.finding(j.label, Status.FAIL, f"Incomplete chain: {reason}.", {"chain": subjects})


def check_hostname(scan: TlsScan, j: Judgement) -> Finding:
    leaf = _leaf(scan)
    names = list(certs.dns_names(leaf))
    if certs.hostname_matches(leaf, j.host):
        return HOSTNAME.finding(
            j.label, Status.PASS, f"The certificate names {j.host}.", {"sans": names}
        )
    shown = excerpt(", ".join(names[:5])) or "no subjectAltName"
    return HOSTNAME.finding(
        j.label, Status.FAIL, f"The certificate is for {shown}, not {j.host}.", {"sans": names}
    )


def check_expiry(scan: TlsScan, j: Judgement) -> Finding:
    leaf = _leaf(scan)
    left = certs.days_left(leaf, j.now)
    evidence = {
        "not_before": leaf.not_valid_before_utc.isoformat(),
        "not_after": leaf.not_valid_after_utc.isoformat(),
        "days_left": left,
    }
    if j.now < leaf.not_valid_before_utc:
        return EXPIRY.finding(j.label, Status.FAIL, "The certificate is not valid yet.", evidence)
    if j.now > leaf.not_valid_after_utc:
        ended = leaf.not_valid_after_utc.date().isoformat()
        return EXPIRY.finding(
            j.label, Status.FAIL, f"The certificate expired on {ended}.", evidence
        )
    if left < j.warning_days:
        return EXPIRY.finding(
            j.label, Status.WARN, f"The certificate expires in {left} days.", evidence
        )
    return EXPIRY.finding(
        j.label, Status.PASS, f"The certificate is valid for {left} more days.", evidence
    )


def check_key(scan: TlsScan, j: Judgement) -> Finding:
    kind, size = certs.key_description(_leaf(scan))
    evidence = {"key_type": kind, "key_size": size}
    weak = (
        (kind == "RSA" and (size or 0) < 2048)
        or (kind == "EC" and (size or 0) < 256)
        or (kind == "DSA")
    )
    status = Status.FAIL if weak else Status.PASS
    verdict = "too weak" if weak else "strong enough"
    return KEY.finding(j.label, status, f"{kind} {size}-bit key: {verdict}.", evidence)


def check_signature(scan: TlsScan, j: Judgement) -> Finding:
    leaf = _leaf(scan)
    # The root's own signature does not matter (it is trusted by being in the store).
    signed = [c for c in scan.chain if not certs.is_self_issued(c)] or [leaf]
    weak = [
        (c.subject.rfc4514_string(), certs.signature_algorithm(c))
        for c in signed
        if certs.signature_hash(c) in certs.WEAK_SIGNATURE_HASHES
    ]
    evidence = {
        "signature_algorithm": certs.signature_algorithm(leaf),
        "weak": [{"subject": s, "algorithm": a} for s, a in weak],
    }
    if weak:
        return SIGNATURE.finding(
            j.label, Status.FAIL, f"Signed with a broken hash: {weak[0][1]}.", evidence
        )
    return SIGNATURE.finding(
        j.label, Status.PASS, f"Signed with {evidence['signature_algorithm']}.", evidence
    )


def check_protocols(scan: TlsScan, j: Judgement) -> Finding:
    accepted = scan.accepted_versions
    evidence = {
        "accepted": [v.value for v in accepted],
        "inconclusive": {v.value: e for v, e in scan.version_errors.items()},
    }
    old = [v.value for v in accepted if v in OLD_VERSIONS]
    if old:
        return PROTOCOLS.finding(
            j.label, Status.FAIL, f"Accepts obsolete {', '.join(old)}.", evidence
        )
    if not any(v in accepted for v in GOOD_VERSIONS):
        return PROTOCOLS.finding(
            j.label, Status.FAIL, "Accepts neither TLS 1.2 nor TLS 1.3.", evidence
        )
    if scan.version_errors:
        unknown = ", ".join(v.value for v in scan.version_errors)
        return PROTOCOLS.finding(
            j.label, Status.ERROR, f"Could not test {unknown}: no answer in time.", evidence
        )
    shown = " and ".join(v.value for v in accepted)
    return PROTOCOLS.finding(j.label, Status.PASS, f"Accepts {shown} only.", evidence)


def check_ciphers(scan: TlsScan, j: Judgement) -> Finding:
    evidence: dict[str, object] = {
        "weak_accepted": [{"version": v.value, "suite": s} for v, s in scan.weak_suites],
        "inconclusive": {v.value: e for v, e in scan.weak_errors.items()},
    }
    if scan.deep_suites is not None:
        deep = scan.deep_suites
        evidence["accepted_suites"] = {v.value: list(s) for v, s in deep.accepted.items()}
        if deep.errors:
            evidence["unlisted"] = deep.errors
    if scan.weak_suites:
        names = sorted({s for _, s in scan.weak_suites})
        return CIPHERS.finding(
            j.label, Status.FAIL, f"Accepts weak suites: {', '.join(names)}.", evidence
        )
    if scan.weak_errors:
        return CIPHERS.finding(
            j.label, Status.ERROR, "Could not finish testing weak suites.", evidence
        )
    return CIPHERS.finding(
        j.label,
        Status.PASS,
        "Accepts no NULL, EXPORT, anonymous, RC4, DES or 3DES suite.",
        evidence,
    )


# Every tls check, in report order. Without a certificate, nothing vouches for the site:
# the checks of who vouches fail, those of what the certificate holds are skipped.
CHECKS: tuple[Check[Judge], ...] = (
    Check(CONNECT, check_connect),
    Check(TRUSTED, check_trusted, Need.CERTIFICATE, fails_without=True),
    Check(CHAIN, check_chain, Need.CERTIFICATE, fails_without=True),
    Check(HOSTNAME, check_hostname, Need.CERTIFICATE, fails_without=True),
    Check(EXPIRY, check_expiry, Need.CERTIFICATE),
    Check(KEY, check_key, Need.CERTIFICATE),
    Check(SIGNATURE, check_signature, Need.CERTIFICATE),
    Check(PROTOCOLS, check_protocols, Need.CONNECTION),
    Check(CIPHERS, check_ciphers, Need.CONNECTION),
)
SPECS = specs_of(CHECKS)


def unmet(scan: TlsScan) -> dict[Need, Unmet]:
    """What this scan lacks: nothing passes when the site could not be reached."""
    if scan.connect_error:
        failed = Unmet("tls.connect failed")
        return {Need.CONNECTION: failed, Need.CERTIFICATE: failed}
    if not scan.chain:
        none = Unmet("the server sent no certificate", "The server sent no certificate.")
        return {Need.CERTIFICATE: none}
    return {}


def evaluate(scan: TlsScan, judgement: Judgement) -> list[Finding]:
    """Every tls finding for one scan, one per check."""
    gaps = unmet(scan)
    return [check.unmet(judgement.label, gaps) or check.judge(scan, judgement) for check in CHECKS]


def _targets(ctx: AuditContext, inventory: Inventory) -> list[SiteTarget]:
    return site_targets(ctx)


def _audit(target: SiteTarget, ctx: AuditContext) -> Outcome:
    limits = ctx.config.limits
    if target.not_probed:
        evidence = {"address": target.address, "reason": "not_probed"}
        outcome = FAMILY.skipped(target.label, target.not_probed, evidence)
        return replace(outcome, inventory=record.known(target))
    ca_file = target.site.ca_file
    try:
        extra = pem_certificates(ca_file) if ca_file is not None else ()
    except ValueError as exc:  # checked when the config was read: spoilt since
        reason = f"Could not use the extra CA file: {exc}."
        outcome = FAMILY.errored(target.label, reason, {"ca_file": str(ca_file)})
        return replace(outcome, inventory=record.known(target))
    judgement = Judgement(
        label=target.label,
        host=target.site.host,
        anchors=certs.trust_anchors(extra),
        now=ctx.now(),
        warning_days=limits.expiry_warning_days,
    )
    if target.address is None:
        scan = TlsScan(
            Endpoint(target.site.host, "", target.site.port, limits.connect_timeout),
            connect_error=target.resolve_error or "no address",
        )
        return Outcome(findings=tuple(evaluate(scan, judgement)), inventory=record.known(target))
    endpoint = Endpoint(
        target.site.host,
        target.address,
        target.site.port,
        limits.connect_timeout,
        ctx.gate(target.address),
    )
    deep = None
    if ctx.deep:
        # Imported here: sslyze takes ~150 ms to import, and only --deep uses it.
        from checks.tls.deep import enumerate_suites  # noqa: PLC0415

        # The list gets what is left of the target's time, less a step for the verdicts:
        # a server that throttles its ~600 connections must not cost the fast probe's.
        deadline = time.monotonic() + limits.target_timeout - limits.connect_timeout
        deep = partial(
            enumerate_suites, max_connections=limits.per_server_connections, deadline=deadline
        )
    scan = probe(endpoint, limits.per_server_connections, deep)
    return Outcome(
        findings=tuple(evaluate(scan, judgement)),
        inventory=Inventory(
            certificates=(record.scanned_record(target, scan, judgement.anchors, judgement.now),)
        ),
    )


FAMILY: Family[SiteTarget] = Family(
    name="tls", after=(), specs=SPECS, targets=_targets, audit=_audit, known=record.known
)
