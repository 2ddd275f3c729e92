"""What changed between two runs: promises, key holders, certificates, findings, droplets.

The secretariat reads this first every week, so each change names its subject (a server,
a site, a check on a target) and what it was before and after, in plain words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from auditor.core.changes import ENGLISH, Change, ChangeKind, Wording
from auditor.core.discovered import ct_target
from auditor.core.inventory import DIGITALOCEAN_ACCOUNT, CertificateRecord, CloudResource, Inventory
from auditor.core.model import Finding, Status
from auditor.core.report import Report

BAD = (Status.FAIL, Status.ERROR)
GOOD = (Status.PASS, Status.WARN)


def _claims(old: Report, new: Report, words: Wording) -> list[Change]:
    before = {c.id: c.status for c in old.claims}
    return [
        Change(
            ChangeKind.CLAIM,
            words.claim(claim.id),
            words.claim_status(before[claim.id]),
            words.claim_status(claim.status),
        )
        for claim in new.claims
        if claim.id in before and before[claim.id] is not claim.status
    ]


def _holders(inventory: Inventory, words: Wording) -> dict[str, str]:
    return {k.fingerprint: k.person or words.unknown_holder for k in inventory.key_holders}


def _keys(inventory: Inventory) -> set[tuple[str, str]]:
    return {(k.location.server, k.fingerprint) for k in inventory.found_keys}


def _read_servers(inventory: Inventory) -> set[str]:
    """Where the run read every key: a server it could not read has not lost its keys."""
    servers = {s.target for s in inventory.ssh_servers if s.keys_read}
    if inventory.cloud_account is not None:
        servers.add(DIGITALOCEAN_ACCOUNT)
    return servers


def _key_changes(old: Inventory, new: Inventory, words: Wording) -> list[Change]:
    names = _holders(old, words) | _holders(new, words)
    both = _read_servers(old) & _read_servers(new)
    before = {k for k in _keys(old) if k[0] in both}
    after = {k for k in _keys(new) if k[0] in both}

    def shown(fingerprint: str) -> str:
        return f"{fingerprint} ({names.get(fingerprint, words.unknown_holder)})"

    changes = [
        Change(ChangeKind.KEY_ADDED, server, "", shown(fp)) for server, fp in sorted(after - before)
    ]
    changes += [
        Change(ChangeKind.KEY_REMOVED, server, shown(fp), "")
        for server, fp in sorted(before - after)
    ]
    return changes


def _certificates(records: Iterable[CertificateRecord]) -> dict[str, CertificateRecord]:
    return {
        f"{c.site}:{c.port}" + (f"@{c.address}" if c.address else ""): c
        for c in records
        if c.sha256
    }


def _certificate_changes(old: Inventory, new: Inventory, words: Wording) -> list[Change]:
    before, after = _certificates(old.certificates), _certificates(new.certificates)
    changes = []
    for key in sorted(before.keys() & after.keys()):
        was, now = before[key], after[key]
        if was.sha256 == now.sha256:
            continue
        renewed = was.issuer == now.issuer and now.not_after > was.not_after
        kind = ChangeKind.CERT_RENEWED if renewed else ChangeKind.CERT_REPLACED
        told = zip(_certificate_told(was, words), _certificate_told(now, words), strict=True)
        # Only what changed: an issuer shown the same on both sides reads as the change.
        changed = [(old, new) for old, new in told if old != new]
        changes.append(
            Change(
                kind,
                now.site,
                "; ".join(old for old, _ in changed),
                "; ".join(new for _, new in changed),
            )
        )
    return changes


def _certificate_told(record: CertificateRecord, words: Wording) -> tuple[str, ...]:
    """A certificate's issuer, expiry, serial and fingerprint (its first 8 bytes), in words."""
    return (
        f"{words.issuer} {record.issuer}",
        f"{words.valid_to} {words.when(record.not_after)}",
        f"{words.serial} {record.serial}",
        f"SHA-256 {record.sha256[:23]}",
    )


def _by_key(findings: Iterable[Finding]) -> Mapping[tuple[str, str], Finding]:
    return {(f.check, f.target): f for f in findings}


def _finding_changes(old: Report, new: Report, words: Wording) -> list[Change]:
    before, after = _by_key(old.findings), _by_key(new.findings)
    changes = []
    for key, finding in sorted(after.items()):
        was = before.get(key)
        subject = words.check_on_target.format(check=finding.check, target=finding.target)
        if finding.status in BAD and (was is None or was.status not in BAD):
            previous = words.status(was.status) if was else words.not_checked
            changes.append(
                Change(
                    ChangeKind.NEW_FAILURE,
                    subject,
                    previous,
                    f"{words.status(finding.status)}: {words.message(finding)}",
                )
            )
        elif finding.status in GOOD and was is not None and was.status in BAD:
            changes.append(
                Change(
                    ChangeKind.FIXED,
                    subject,
                    f"{words.status(was.status)}: {words.message(was)}",
                    words.status(finding.status),
                )
            )
    return changes


def _resources(inventory: Inventory) -> dict[tuple[str, str], CloudResource]:
    return {(r.kind, r.id): r for r in inventory.cloud}


def _cloud_changes(old: Inventory, new: Inventory) -> list[Change]:
    if old.cloud_account is None or new.cloud_account is None:
        return []  # one of the runs did not read the account: absence means nothing
    before, after = _resources(old), _resources(new)
    changes = []
    for key in sorted(after.keys() - before.keys()):
        r = after[key]
        changes.append(Change(ChangeKind.DROPLET_ADDED, f"{r.kind}:{r.name}", "", r.region))
    for key in sorted(before.keys() - after.keys()):
        r = before[key]
        changes.append(Change(ChangeKind.DROPLET_REMOVED, f"{r.kind}:{r.name}", r.region, ""))
    for key in sorted(before.keys() & after.keys()):
        was, now = before[key], after[key]
        if was.region != now.region:
            changes.append(
                Change(ChangeKind.DROPLET_MOVED, f"{now.kind}:{now.name}", was.region, now.region)
            )
    return changes


def _ct_changes(old: Inventory, new: Inventory) -> list[Change]:
    """Certificates CT logged since the last run: crt.sh's id is new."""
    if old.ct_log is None or new.ct_log is None:
        return []  # one of the runs did not ask CT: absence means nothing
    known = {c.id for c in old.ct_certificates}
    return [
        Change(ChangeKind.CT_NEW, ct_target(c), "", f"{c.issuer}: {', '.join(c.names)}")
        for c in sorted(new.ct_certificates, key=lambda c: c.id)
        if c.id not in known
    ]


def diff(old: Report, new: Report, words: Wording = ENGLISH) -> tuple[Change, ...]:
    """Every change from `old` to `new`, promises first, told in `words`."""
    return tuple(
        _claims(old, new, words)
        + _key_changes(old.inventory, new.inventory, words)
        + _certificate_changes(old.inventory, new.inventory, words)
        + _cloud_changes(old.inventory, new.inventory)
        + _ct_changes(old.inventory, new.inventory)
        + _finding_changes(old, new, words)
    )
