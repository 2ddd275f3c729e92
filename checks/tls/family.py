"""The `tls` family: each site's certificate and how it speaks TLS (claim `https`).

One probe per (site, address) collects a TlsScan; every check below is a pure function of
that scan, so the checks are tested on hand-built scans and the network is touched once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from cryptography import x509

from auditor.core.documents import pem_certificates
from auditor.core.family import (
    AuditContext,
    Check,
    CheckTable,
    Family,
    Need,
    Outcome,
    Unmet,
    Verdict,
    specs_of,
)
from auditor.core.inventory import Inventory
from auditor.core.messages import N_, Message
from auditor.core.model import CheckSpec, ClaimId, Finding, Severity, Status
from auditor.core.text import excerpt
from checks.sites import SiteTarget, site_targets
from checks.tls import certificate as certs
from checks.tls import record
from checks.tls.policy import POLICY, Level, ncsc_level
from checks.tls.probe import Endpoint, TlsScan, TlsVersion, probe

OLD_VERSIONS = (TlsVersion.SSL_2_0, TlsVersion.SSL_3_0, TlsVersion.TLS_1_0, TlsVersion.TLS_1_1)
GOOD_VERSIONS = (TlsVersion.TLS_1_2, TlsVersion.TLS_1_3)


@dataclass(frozen=True)
class Judgement:
    """What the pure checks need besides the scan."""

    label: str  # the findings' target: evaluate's to name, not the judges'
    host: str
    anchors: certs.Anchors
    now: datetime
    warning_days: int
    _trusts: dict[tuple[x509.Certificate, ...], certs.Trust] = field(
        default_factory=dict, compare=False, repr=False
    )

    def trust(self, chain: tuple[x509.Certificate, ...]) -> certs.Trust:
        """The chain's path to a trust anchor, worked out once: the trust and signature
        checks and the site's record all ask."""
        if chain not in self._trusts:
            self._trusts[chain] = certs.verify_trust(chain, self.anchors, self.now, self.host)
        return self._trusts[chain]


Judge = Callable[[TlsScan, Judgement], Verdict]


def _endpoint(scan: TlsScan) -> dict[str, object]:
    return {
        "address": scan.endpoint.address,
        "port": scan.endpoint.port,
        "connections": scan.connections,
    }


def _leaf(scan: TlsScan) -> x509.Certificate:
    """The site's certificate: checks that need one are judged only when there is a chain."""
    return scan.chain[0]


def check_connect(scan: TlsScan, j: Judgement) -> Verdict:
    if scan.connect_error:
        message = N_("Could not connect: {error}.", error=scan.connect_error)
        return Verdict(Status.ERROR, message, _endpoint(scan))
    if not scan.chain:  # an anonymous suite: the handshake worked, nothing vouches for it
        message = N_("TLS handshake succeeded, without a certificate.")
        return Verdict(Status.PASS, message, _endpoint(scan))
    stapled = N_("with") if scan.ocsp_stapled else N_("without")
    return Verdict(
        Status.PASS,
        N_("TLS handshake succeeded ({stapled} OCSP stapling).", stapled=stapled),
        {**_endpoint(scan), "ocsp_stapling": scan.ocsp_stapled},
    )


def check_trusted(scan: TlsScan, j: Judgement) -> Verdict:
    leaf = _leaf(scan)
    trust = j.trust(scan.chain)
    issuer = leaf.issuer.rfc4514_string()
    # The issuer's name is the server's text (CR, LF, ESC and all): in full in the evidence.
    if trust.ok:
        return Verdict(
            Status.PASS, N_("The chain {reason}.", reason=trust.reason), {"issuer": issuer}
        )
    message = N_(
        "The certificate from {issuer} {reason}.", issuer=excerpt(issuer), reason=trust.reason
    )
    return Verdict(Status.FAIL, message, {"issuer": issuer})


def check_chain(scan: TlsScan, j: Judgement) -> Verdict:
    leaf = _leaf(scan)
    ok, reason = certs.chain_complete(scan.chain, j.anchors)
    subjects = [c.subject.rfc4514_string() for c in scan.chain]
    if ok and certs.is_self_issued(leaf):
        return Verdict(Status.SKIPPED, N_("A self-signed certificate has no chain."))
    if ok:
        return Verdict(Status.PASS, N_("The server sends the full chain."), {"chain": subjects})
    return Verdict(
        Status.FAIL, N_("Incomplete chain: {reason}.", reason=reason), {"chain": subjects}
    )


def check_hostname(scan: TlsScan, j: Judgement) -> Verdict:
    leaf = _leaf(scan)
    names = list(certs.dns_names(leaf))
    if certs.hostname_matches(leaf, j.host):
        return Verdict(
            Status.PASS, N_("The certificate names {host}.", host=j.host), {"sans": names}
        )
    shown: str = excerpt(", ".join(names[:5])) or N_("no subjectAltName")
    message = N_("The certificate is for {names}, not {host}.", names=shown, host=j.host)
    return Verdict(Status.FAIL, message, {"sans": names})


def check_expiry(scan: TlsScan, j: Judgement) -> Verdict:
    leaf = _leaf(scan)
    left = certs.days_left(leaf, j.now)
    evidence = {
        "not_before": leaf.not_valid_before_utc.isoformat(),
        "not_after": leaf.not_valid_after_utc.isoformat(),
        "days_left": left,
    }
    if j.now < leaf.not_valid_before_utc:
        return Verdict(Status.FAIL, N_("The certificate is not valid yet."), evidence)
    if j.now > leaf.not_valid_after_utc:
        ended = leaf.not_valid_after_utc.date().isoformat()
        return Verdict(Status.FAIL, N_("The certificate expired on {date}.", date=ended), evidence)
    if left < j.warning_days:
        return Verdict(
            Status.WARN, N_("The certificate expires in {days} days.", days=left), evidence
        )
    message = N_("The certificate is valid for {days} more days.", days=left)
    return Verdict(Status.PASS, message, evidence)


def check_key(scan: TlsScan, j: Judgement) -> Verdict:
    kind, size = certs.key_description(_leaf(scan))
    evidence = {"key_type": kind, "key_size": size}
    # Ed25519 and Ed448, however strong, and any type not known here: browsers refuse them.
    if kind not in ("RSA", "EC", "DSA"):
        message = N_("{kind} key: no major browser accepts such a certificate.", kind=excerpt(kind))
        return Verdict(Status.FAIL, message, evidence)
    weak = (
        (kind == "RSA" and (size or 0) < 2048)
        or (kind == "EC" and (size or 0) < 256)
        or (kind == "DSA")
    )
    status = Status.FAIL if weak else Status.PASS
    strength = N_("too weak") if weak else N_("strong enough")
    message = N_("{kind} {size}-bit key: {strength}.", kind=kind, size=str(size), strength=strength)
    return Verdict(status, message, evidence)


def _signed_certificates(scan: TlsScan, j: Judgement) -> tuple[tuple[x509.Certificate, ...], str]:
    """The certificates whose signatures matter, and which chain they were taken from.

    The path that validates, leaf to trust anchor: a server may send certificates that are
    on no path (an old cross-sign, another site's intermediate), which no client checks.
    The anchor's own signature does not matter either: it is trusted by being in the store.
    A chain that does not validate has no such path: then every certificate sent is judged
    but a self-issued one (a root sent along).
    """
    trust = j.trust(scan.chain)
    if trust.ok:
        return trust.path[:-1], "the validated path"
    sent = tuple(c for c in scan.chain if not certs.is_self_issued(c)) or scan.chain[:1]
    return sent, "the chain as sent (it does not validate)"


def check_signature(scan: TlsScan, j: Judgement) -> Verdict:
    leaf = _leaf(scan)
    signed, judged = _signed_certificates(scan, j)
    weak = [
        (c.subject.rfc4514_string(), certs.signature_algorithm(c))
        for c in signed
        if certs.signature_hash(c) in certs.WEAK_SIGNATURE_HASHES
    ]
    evidence = {
        "signature_algorithm": certs.signature_algorithm(leaf),
        "judged": judged,
        "certificates": [c.subject.rfc4514_string() for c in signed],
        "weak": [{"subject": s, "algorithm": a} for s, a in weak],
    }
    if weak:
        return Verdict(
            Status.FAIL,
            N_("Signed with a broken hash: {algorithm}.", algorithm=weak[0][1]),
            evidence,
        )
    message = N_("Signed with {algorithm}.", algorithm=str(evidence["signature_algorithm"]))
    return Verdict(Status.PASS, message, evidence)


def check_protocols(scan: TlsScan, j: Judgement) -> Verdict:
    accepted = scan.accepted_versions
    evidence = {
        "accepted": [v.value for v in accepted],
        "inconclusive": {v.value: e for v, e in scan.version_errors.items()},
    }
    old = [v.value for v in accepted if v in OLD_VERSIONS]
    if old:
        return Verdict(
            Status.FAIL, N_("Accepts obsolete {versions}.", versions=", ".join(old)), evidence
        )
    if not any(v in accepted for v in GOOD_VERSIONS):
        return Verdict(Status.FAIL, N_("Accepts neither TLS 1.2 nor TLS 1.3."), evidence)
    if scan.version_errors:
        unknown = ", ".join(v.value for v in scan.version_errors)
        message = N_("Could not test {versions}: no answer in time.", versions=unknown)
        return Verdict(Status.ERROR, message, evidence)
    if len(accepted) == 1:
        return Verdict(
            Status.PASS, N_("Accepts {version} only.", version=accepted[0].value), evidence
        )
    first = ", ".join(v.value for v in accepted[:-1])
    message = N_("Accepts {first} and {last} only.", first=first, last=accepted[-1].value)
    return Verdict(Status.PASS, message, evidence)


def _graded(suites: tuple[tuple[TlsVersion, str], ...], failing: bool) -> list[dict[str, str]]:
    return [
        {"version": v.value, "suite": s, "ncsc": ncsc_level(s, failing).value} for v, s in suites
    ]


def _outside_message(scan: TlsScan) -> Message:
    """Every accepted suite outside Mozilla intermediate, by its NCSC level, worst first."""
    by_level: dict[Level, list[str]] = {}
    for _, suite in scan.outside_suites:
        names = by_level.setdefault(ncsc_level(suite, failing=False), [])
        if suite not in names:
            names.append(suite)
    order = (Level.PHASE_OUT, Level.UNCLASSIFIED, Level.SUFFICIENT, Level.GOOD)
    parts = [f"{level.value}: {', '.join(by_level[level])}" for level in order if level in by_level]
    if scan.outside_errors:
        return N_(
            "Accepts suites outside Mozilla intermediate ({suites}) (the list may be incomplete).",
            suites="; ".join(parts),
        )
    return N_("Accepts suites outside Mozilla intermediate ({suites}).", suites="; ".join(parts))


def check_ciphers(scan: TlsScan, j: Judgement) -> Verdict:
    evidence: dict[str, object] = {
        "policy": POLICY,
        "weak_accepted": _graded(scan.weak_suites, failing=True),
        "outside_intermediate": _graded(scan.outside_suites, failing=False),
        "inconclusive": {v.value: e for v, e in scan.weak_errors.items()},
        "outside_inconclusive": {v.value: e for v, e in scan.outside_errors.items()},
    }
    if scan.deep_suites is not None:
        deep = scan.deep_suites
        evidence["accepted_suites"] = {v.value: list(s) for v, s in deep.accepted.items()}
        if deep.errors:
            evidence["unlisted"] = deep.errors
    if scan.weak_suites:
        names = sorted({s for _, s in scan.weak_suites})
        return Verdict(
            Status.FAIL, N_("Accepts weak suites: {suites}.", suites=", ".join(names)), evidence
        )
    if scan.weak_errors:
        return Verdict(Status.ERROR, N_("Could not finish testing weak suites."), evidence)
    if scan.outside_suites:
        return Verdict(Status.WARN, _outside_message(scan), evidence)
    if scan.outside_errors:
        return Verdict(
            Status.ERROR,
            N_("Could not finish testing suites outside Mozilla intermediate."),
            evidence,
        )
    return Verdict(Status.PASS, N_("Accepts only Mozilla intermediate's suites."), evidence)


# Every tls check, in report order. Without a certificate, nothing vouches for the site:
# the checks of who vouches fail, those of what the certificate holds are skipped.
CHECKS: CheckTable[Judge] = CheckTable(
    (
        Check(
            CheckSpec(
                "tls.connect",
                title="The site answers TLS",
                title_da="TLS-forbindelse",
                claim=ClaimId.HTTPS,
                severity=Severity.HIGH,
                remediation="Make the site listen for TLS on its port and answer within the "
                "timeout.",
            ),
            check_connect,
        ),
        Check(
            CheckSpec(
                "tls.cert.trusted",
                title="The certificate chains to a trusted root",
                title_da="Certifikatet er udstedt af en betroet udsteder",
                claim=ClaimId.HTTPS,
                severity=Severity.HIGH,
                remediation="Serve a certificate from a CA in Mozilla's root store (for example "
                "Let's Encrypt).",
            ),
            check_trusted,
            Need.CERTIFICATE,
            fails_without=True,
        ),
        Check(
            CheckSpec(
                "tls.cert.chain_complete",
                title="The server sends its intermediate certificates",
                title_da="Hele certifikatkæden sendes",
                claim=ClaimId.HTTPS,
                severity=Severity.MEDIUM,
                remediation="Configure the full chain (nginx: ssl_certificate with fullchain.pem).",
            ),
            check_chain,
            Need.CERTIFICATE,
            fails_without=True,
        ),
        Check(
            CheckSpec(
                "tls.cert.hostname",
                title="The certificate names the site",
                title_da="Certifikatet gælder for navnet",
                claim=ClaimId.HTTPS,
                severity=Severity.HIGH,
                remediation="Issue the certificate with the site's name in its subjectAltName.",
            ),
            check_hostname,
            Need.CERTIFICATE,
            fails_without=True,
        ),
        Check(
            CheckSpec(
                "tls.cert.expiry",
                title="The certificate is valid now and not about to expire",
                title_da="Certifikatet er gyldigt",
                claim=ClaimId.HTTPS,
                severity=Severity.HIGH,
                remediation="Renew the certificate (and check why automatic renewal did not).",
            ),
            check_expiry,
            Need.CERTIFICATE,
        ),
        Check(
            CheckSpec(
                "tls.cert.key",
                title="The certificate's key is strong",
                title_da="Stærk nøgle",
                claim=ClaimId.HTTPS,
                severity=Severity.HIGH,
                remediation="Use an RSA key of at least 2048 bits or an EC key of at least 256 "
                "bits (no browser accepts an Ed25519 or Ed448 certificate).",
            ),
            check_key,
            Need.CERTIFICATE,
        ),
        Check(
            CheckSpec(
                "tls.cert.signature",
                title="The certificate is signed with a strong hash",
                title_da="Stærk signatur",
                claim=ClaimId.HTTPS,
                severity=Severity.HIGH,
                remediation="Reissue the certificate signed with SHA-256 or better.",
            ),
            check_signature,
            Need.CERTIFICATE,
        ),
        Check(
            CheckSpec(
                "tls.protocols",
                title="Only TLS 1.2 and 1.3 are accepted",
                title_da="Kun TLS 1.2 og 1.3",
                claim=ClaimId.HTTPS,
                severity=Severity.HIGH,
                remediation="Accept TLS 1.2 and 1.3 only (nginx: ssl_protocols TLSv1.2 TLSv1.3;).",
            ),
            check_protocols,
            Need.CONNECTION,
        ),
        Check(
            CheckSpec(
                "tls.ciphers",
                title="No weak cipher suite is accepted",
                title_da="Ingen svage krypteringer",
                claim=ClaimId.HTTPS,
                severity=Severity.HIGH,
                remediation="Accept Mozilla's intermediate suites only (Server Side TLS 5.7): "
                "no NULL, EXPORT, anonymous, RC4, DES or 3DES (fails), no static RSA key exchange "
                "or CBC (NCSC 2.1 phase out or sufficient: warns).",
            ),
            check_ciphers,
            Need.CONNECTION,
        ),
    )
)
SPECS = specs_of(CHECKS)


def unmet(scan: TlsScan) -> dict[Need, Unmet]:
    """What this scan lacks: nothing passes when the site could not be reached."""
    if scan.connect_error:
        failed = Unmet(N_("tls.connect failed"))
        return {Need.CONNECTION: failed, Need.CERTIFICATE: failed}
    if not scan.chain:
        none = Unmet(N_("the server sent no certificate"), N_("The server sent no certificate."))
        return {Need.CERTIFICATE: none}
    return {}


def evaluate(scan: TlsScan, judgement: Judgement) -> list[Finding]:
    """Every tls finding for one scan, one per check."""
    gaps = unmet(scan)
    label = judgement.label
    return [
        check.unmet(label, gaps) or check.finding(label, check.judge(scan, judgement))
        for check in CHECKS
    ]


def _targets(ctx: AuditContext, inventory: Inventory) -> list[SiteTarget]:
    return site_targets(ctx, inventory)


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
        reason = N_("Could not use the extra CA file: {error}.", error=str(exc))
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
            certificates=(
                record.scanned_record(target, scan, judgement.trust(scan.chain), judgement.now),
            )
        ),
    )


FAMILY: Family[SiteTarget] = Family(
    name="tls",
    after=("discovery",),
    specs=SPECS,
    targets=_targets,
    audit=_audit,
    known=record.known,
)
