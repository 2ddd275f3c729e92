"""The `access` family: every key that opens a server, whose it is, and how many hold one.

Claim `few-holders` ("kun få godkendte medarbejdere i Landssekretariatet har direkte
adgang"). It runs last, over the keys the ssh family read from every authorized_keys file
and the DigitalOcean account's keys, and matches them to the roster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from auditor.core.errors import ConfigError
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
from auditor.core.inventory import FoundKey, Inventory, KeyHolderRecord
from auditor.core.messages import N_, Message
from auditor.core.model import CheckSpec, ClaimId, Finding, Severity, Status
from auditor.core.roster import Roster, load_roster
from checks.digitalocean.inventory import UNREADABLE_KEY


@dataclass(frozen=True)
class AccessTarget:
    """The whole collected inventory: access is judged across every server at once."""

    inventory: Inventory = field(default_factory=Inventory)
    label: str = "access"


def holders(found: tuple[FoundKey, ...], roster: Roster | None) -> tuple[KeyHolderRecord, ...]:
    """One record per distinct key, with its holder as the roster names it.

    A line's comment may name someone (the droplet agent writes the e-mail of whoever opened
    a console), but anyone who can write the file can write that comment: it is kept as a
    hint, and a key the roster does not list stays unknown.
    """
    grouped: dict[str, list[FoundKey]] = defaultdict(list)
    for key in found:
        grouped[key.fingerprint].append(key)
    records = []
    for fingerprint, keys in grouped.items():
        first = keys[0]
        holder = roster.owner_of(fingerprint) if roster else None
        records.append(
            KeyHolderRecord(
                fingerprint=fingerprint,
                key_type=first.key_type,
                bits=first.bits,
                person=holder.name if holder else None,
                team=holder.team if holder else None,
                approved=holder.approved if holder else None,
                managed_by=next((k.managed_by for k in keys if k.managed_by), None),
                cert_authority=any(k.cert_authority for k in keys),
                locations=tuple(k.location for k in keys),
                service=holder is not None and holder.service,
                named_in_line=next((k.named_person for k in keys if k.named_person), None),
            )
        )
    return tuple(records)


def _where(record: KeyHolderRecord) -> str | Message:
    servers = sorted({loc.server for loc in record.locations})
    if len(servers) <= 4:
        return ", ".join(servers)
    return N_("{servers} and {more} more", servers=", ".join(servers[:4]), more=len(servers) - 4)


def _evidence(record: KeyHolderRecord) -> dict[str, object]:
    return {
        "fingerprint": record.fingerprint,
        "key_type": record.key_type,
        "bits": record.bits,
        "person": record.person,
        "service": record.service,
        "team": record.team,
        "named_in_line": record.named_in_line,
        "managed_by": record.managed_by,
        "servers": sorted({loc.server for loc in record.locations}),
    }


def check_unknown(record: KeyHolderRecord, required_team: str) -> Verdict:
    if record.team is not None:  # on the roster
        person = record.person or ""
        if record.service:
            return Verdict(
                Status.PASS, N_("Held by the service {name}.", name=person), _evidence(record)
            )
        return Verdict(Status.PASS, N_("Held by {name}.", name=person), _evidence(record))
    whose = N_(
        "{kind} key on {servers} belongs to nobody on the roster",
        kind=record.key_type,
        servers=_where(record),
    )
    if record.managed_by:
        whose = N_("{key} (added by DigitalOcean's droplet agent)", key=whose)
    if record.named_in_line:
        whose = N_(
            "{key}; its comment names {name}, but only the roster says whose it is",
            key=whose,
            name=record.named_in_line,
        )
    return Verdict(Status.FAIL, N_("{sentence}.", sentence=whose), _evidence(record))


def check_unapproved(record: KeyHolderRecord, required_team: str) -> Verdict:
    if not record.approved:
        message = N_("{name} is not approved.", name=str(record.person))
        return Verdict(Status.FAIL, message, _evidence(record))
    if record.team != required_team:
        return Verdict(
            Status.FAIL,
            N_(
                "{name} is in {team}, not {required}.",
                name=str(record.person),
                team=str(record.team),
                required=required_team,
            ),
            _evidence(record),
        )
    return Verdict(
        Status.PASS,
        N_("{name} is approved, in {team}.", name=str(record.person), team=required_team),
        _evidence(record),
    )


def check_weak(record: KeyHolderRecord, required_team: str) -> Verdict:
    bits, kind = record.bits or 0, record.key_type
    if kind == UNREADABLE_KEY:
        return Verdict(
            Status.ERROR,
            N_("The public key could not be read: its strength is unknown."),
            _evidence(record),
        )
    if kind.startswith("DSA"):
        message = N_("{kind} {bits}-bit key: DSA is broken.", kind=kind, bits=bits)
        return Verdict(Status.FAIL, message, _evidence(record))
    if kind.startswith("RSA") and bits < 2048:
        message = N_("{kind} {bits}-bit key: too short.", kind=kind, bits=bits)
        return Verdict(Status.FAIL, message, _evidence(record))
    if kind.startswith("RSA") and bits < 3072:
        message = N_("{kind} {bits}-bit key: below 3072 bits.", kind=kind, bits=bits)
        return Verdict(Status.WARN, message, _evidence(record))
    message = N_("{kind} {bits}-bit key: strong.", kind=kind, bits=bits)
    return Verdict(Status.PASS, message, _evidence(record))


def check_count(records: tuple[KeyHolderRecord, ...], maximum: int, unread: list[str]) -> Verdict:
    known = [r for r in records if r.person and r.team is not None]
    people = sorted({r.person for r in known if r.person and not r.service})
    # A service's key (the auditor's own) is judged key by key, but is nobody's direct access.
    services = sorted({r.person for r in known if r.person and r.service})
    unknown = [r.fingerprint for r in records if r.team is None]
    # An unknown key may be anyone: each counts as one more holder.
    total = len(people) + len(unknown)
    evidence = {
        "people": people,
        "services": services,
        "unknown_keys": len(unknown),
        "holders": total,
        "maximum": maximum,
        "unread_servers": unread,
    }
    if total > maximum:
        return Verdict(
            Status.FAIL,
            N_(
                "{total} holders ({known} known, {unknown} unknown keys), more than {maximum}.",
                total=total,
                known=len(people),
                unknown=len(unknown),
                maximum=maximum,
            ),
            evidence,
        )
    if unread:
        return Verdict(
            Status.ERROR,
            N_(
                "Could not read the keys of {servers}: the count may be low.",
                servers=", ".join(unread[:3]),
            ),
            evidence,
        )
    message = N_("{total} holders, at most {maximum}.", total=total, maximum=maximum)
    return Verdict(Status.PASS, message, evidence)


# Judged once per distinct key, key after key: the key and the team its holder must be in.
# Each finding names the key by its fingerprint.
KeyJudge = Callable[[KeyHolderRecord, str], Verdict]
KEY_CHECKS: CheckTable[KeyJudge] = CheckTable(
    (
        Check(
            CheckSpec(
                "access.key.unknown",
                title="Every key belongs to someone on the roster",
                title_da="Nøglen tilhører en kendt person",
                claim=ClaimId.FEW_HOLDERS,
                severity=Severity.HIGH,
                remediation="Remove the key, or add its owner and the key to the roster after "
                "approval.",
            ),
            check_unknown,
        ),
        Check(
            CheckSpec(
                "access.key.unapproved",
                title="Every key holder is approved and in the required team",
                title_da="Nøgleindehaveren er godkendt",
                claim=ClaimId.FEW_HOLDERS,
                severity=Severity.HIGH,
                remediation="Remove the key, or approve its holder in the roster.",
            ),
            check_unapproved,
            Need.KNOWN_HOLDER,
        ),
        Check(
            CheckSpec(
                "access.key.weak",
                title="Every key is strong",
                title_da="Stærk nøgle",
                claim=ClaimId.FEW_HOLDERS,
                severity=Severity.MEDIUM,
                remediation="Replace DSA and short RSA keys with Ed25519 (ssh-keygen -t ed25519).",
            ),
            check_weak,
        ),
    )
)
# Judged once over every key: the keys, the most holders allowed, the servers not read.
# Its finding's target is "access", the family's one target.
HoldersJudge = Callable[[tuple[KeyHolderRecord, ...], int, list[str]], Verdict]
HOLDER_CHECKS: CheckTable[HoldersJudge] = CheckTable(
    (
        Check(
            CheckSpec(
                "access.holders.count",
                title="Few people hold keys",
                title_da="Få nøgleindehavere",
                claim=ClaimId.FEW_HOLDERS,
                severity=Severity.HIGH,
                remediation="Remove keys of people who no longer need direct access.",
            ),
            check_count,
        ),
    )
)
SPECS = specs_of(KEY_CHECKS, HOLDER_CHECKS)
# The ssh family reports a line of authorized_keys that is no key as an unknown key.
UNKNOWN = KEY_CHECKS.check("access.key.unknown")


def _key_findings(record: KeyHolderRecord, required_team: str) -> list[Finding]:
    gaps = (
        {} if record.team is not None else {Need.KNOWN_HOLDER: Unmet(N_("the holder is unknown"))}
    )
    label = record.fingerprint
    return [
        check.unmet(label, gaps) or check.finding(label, check.judge(record, required_team))
        for check in KEY_CHECKS
    ]


def evaluate(
    target: AccessTarget, roster: Roster | None, required_team: str, maximum: int
) -> Outcome:
    inventory = target.inventory
    records = holders(inventory.found_keys, roster)
    unread = [s.target for s in inventory.ssh_servers if not s.keys_read]
    if not records and not any(s.keys_read for s in inventory.ssh_servers):
        reason = N_(
            "no authorized_keys could be read (no auditor credentials, or every read "
            "failed) and the DigitalOcean account gave no keys"
        )
        # No key to judge one by one: the checks over every key say why nothing was.
        return Outcome(
            findings=tuple(
                check.spec.finding(
                    "access", Status.SKIPPED, N_("Not checked: {reason}.", reason=reason)
                )
                for check in HOLDER_CHECKS
            )
        )
    if roster is None:
        unset = N_("Not checked: no roster configured (access.roster).")
        skipped = tuple(spec.finding("access", Status.SKIPPED, unset) for spec in SPECS)
        return Outcome(findings=skipped, inventory=Inventory(key_holders=records))
    findings: list[Finding] = []
    judged: list[KeyHolderRecord] = []
    for record in records:
        mine = _key_findings(record, required_team)
        findings += mine
        judged.append(_flagged(record, mine))
    findings += [
        check.finding("access", check.judge(records, maximum, unread)) for check in HOLDER_CHECKS
    ]
    return Outcome(findings=tuple(findings), inventory=Inventory(key_holders=tuple(judged)))


def _flagged(record: KeyHolderRecord, findings: list[Finding]) -> KeyHolderRecord:
    """The record with its checks that fail or warn, for the views to sort and mark by."""
    bad = {f.check for f in findings if f.status in (Status.FAIL, Status.WARN)}

    def failed(check_id: str) -> bool:
        return KEY_CHECKS.spec(check_id).id in bad  # an id not in the table raises

    return replace(
        record,
        unknown=failed("access.key.unknown"),
        unapproved=failed("access.key.unapproved"),
        weak=failed("access.key.weak"),
    )


def _targets(ctx: AuditContext, inventory: Inventory) -> list[AccessTarget]:
    return [AccessTarget(inventory)]


def _audit(target: AccessTarget, ctx: AuditContext) -> Outcome:
    settings = ctx.config.access
    try:
        roster = load_roster(settings.roster) if settings.roster else None
    except ConfigError as exc:
        message = N_("Could not read the roster: {error}", error=str(exc))
        return FAMILY.errored("access", message, {"reason": "roster"})
    return evaluate(target, roster, settings.required_team, settings.max_holders)


FAMILY: Family[AccessTarget] = Family(
    name="access", after=("ssh", "digitalocean"), specs=SPECS, targets=_targets, audit=_audit
)
