"""The tls family's record of a site at one address: what the pages show of its TLS."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from auditor.core.inventory import CertificateRecord, Inventory
from checks.sites import SiteTarget
from checks.tls import certificate as certs
from checks.tls.probe import TlsScan


def site_record(target: SiteTarget) -> CertificateRecord:
    """The site at this address before (or without) a handshake: no certificate fields."""
    return CertificateRecord(
        target=target.label,
        site=target.site.host,
        port=target.site.port,
        platform=target.site.platform,
        address=target.address,
    )


def known(target: SiteTarget) -> Inventory:
    """What is kept of a site whose audit crashed or ran out of time."""
    return Inventory(certificates=(site_record(target),))


def scanned_record(
    target: SiteTarget, scan: TlsScan, trust: certs.Trust, now: datetime
) -> CertificateRecord:
    """The record of a finished scan: the certificate if one was sent, the server's TLS;
    `trust` is what path validation concluded of its chain."""
    record = site_record(target)
    if scan.connect_error:
        return record
    record = replace(
        record,
        tls_versions=tuple(v.value for v in scan.accepted_versions),
        weak_suites=_weak_suites(scan),
    )
    if scan.deep_suites is not None:
        record = replace(
            record,
            accepted_suites={v.value: tuple(s) for v, s in scan.deep_suites.accepted.items()},
            unlisted_suites=dict(scan.deep_suites.errors),
        )
    if not scan.chain:
        return record
    details = certs.describe(scan.chain[0], now)
    return replace(
        record,
        subject=details.subject,
        common_name=details.common_name,
        organization=details.organization,
        sans=details.sans,
        issuer=details.issuer,
        issuer_organization=details.issuer_organization,
        serial=details.serial,
        not_before=details.not_before,
        not_after=details.not_after,
        days_left=details.days_left,
        sha256=details.sha256,
        key_type=details.key_type,
        key_size=details.key_size,
        signature_algorithm=details.signature_algorithm,
        chain=tuple(c.subject.rfc4514_string() for c in scan.chain),
        ocsp_stapling=scan.ocsp_stapled,
        trusted=trust.ok,
    )


def _weak_suites(scan: TlsScan) -> dict[str, tuple[str, ...]]:
    weak: dict[str, tuple[str, ...]] = {}
    for version, suite in scan.weak_suites:
        weak[version.value] = (*weak.get(version.value, ()), suite)
    return weak
