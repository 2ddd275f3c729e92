"""What the secretariat's internal "adgang" page shows: who can open which server, and why.

Unlike the public page this one carries everything: addresses, holders, comments, error
messages. It is meant for a protected location, and every string is still escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from auditor.core.changes import Change, ChangeKind
from auditor.core.inventory import KeyHolderRecord
from auditor.core.model import CheckSpec, ClaimId, Severity, Status
from auditor.core.report import Claim, Report
from reports import danish
from reports.holders import HolderWords, holder_name
from reports.hosting_view import site_hosting

CHANGE_TEXT = {
    ChangeKind.CLAIM: "Løfte ændret",
    ChangeKind.KEY_ADDED: "Nøgle tilføjet",
    ChangeKind.KEY_REMOVED: "Nøgle fjernet",
    ChangeKind.CERT_RENEWED: "Certifikat fornyet",
    ChangeKind.CERT_REPLACED: "Certifikat udskiftet",
    ChangeKind.NEW_FAILURE: "Ny fejl",
    ChangeKind.FIXED: "Rettet",
    ChangeKind.DROPLET_ADDED: "Ressource tilføjet",
    ChangeKind.DROPLET_REMOVED: "Ressource fjernet",
    ChangeKind.DROPLET_MOVED: "Ressource flyttet",
    ChangeKind.CT_NEW: "Nyt certifikat i CT",
}
STATUS_ORDER = {Status.FAIL: 0, Status.ERROR: 1, Status.WARN: 2, Status.SKIPPED: 3, Status.PASS: 4}
MESSAGE_CELL = frozenset({4})  # the findings table's "Besked"
# A new failure's "Nu" and a fixed one's "Før" quote the finding's message after its status.
QUOTED_MESSAGE = {ChangeKind.NEW_FAILURE: frozenset({3}), ChangeKind.FIXED: frozenset({2})}
SEVERITY_ORDER = {s: n for n, s in enumerate(reversed(list(Severity)))}


@dataclass(frozen=True)
class Row:
    """A table row of already-worded cells; `status` is the CSS class of the verdict."""

    cells: tuple[str, ...]
    status: str = ""
    verdict: str = ""
    # The checks word their messages in English: the cells (by index) and the verdict that
    # quote one are marked lang="en", so a screen reader does not read them as Danish.
    english: frozenset[int] = frozenset()
    english_verdict: bool = False


@dataclass(frozen=True)
class AccessPage:
    checked_at: str
    config: str
    claims: tuple[Row, ...]
    changes: tuple[Row, ...] | None  # None: no earlier run to compare with
    holders: tuple[Row, ...]
    servers: tuple[Row, ...]
    cloud: tuple[Row, ...]
    findings: tuple[Row, ...]
    counts: tuple[tuple[str, int], ...]
    hosting: tuple[Row, ...] = ()  # each site's hosting verdict: how, where, and why


def _key_verdict(record: KeyHolderRecord, access: Claim) -> tuple[Status, str, bool]:
    """The key's worst access finding: its status, its words, and whether they are English."""
    mine = [f for f in access.findings if f.target == record.fingerprint]
    bad = sorted(mine, key=lambda f: STATUS_ORDER[f.status])
    if not bad:
        return Status.SKIPPED, "Ikke vurderet", False
    worst = bad[0]
    if worst.status is Status.PASS:
        return worst.status, "Godkendt", False
    return worst.status, worst.message, True


HOLDER_WORDS = HolderWords(
    unknown="UKENDT",
    comment_names="kommentaren nævner {hint}",
    service="tjeneste",
    via="via {managed_by}",
)


def _holders(report: Report) -> tuple[Row, ...]:
    rows = []
    access = report.claim(ClaimId.FEW_HOLDERS)
    for record in report.inventory.key_holders:
        status, verdict, english = _key_verdict(record, access)
        person = holder_name(record, HOLDER_WORDS)
        places = "\n".join(
            f"{loc.server}"
            + (f" {loc.user}" if loc.user else "")
            + (f" {loc.path}:{loc.line}" if loc.path else "")
            + (f" «{loc.comment}»" if loc.comment else "")
            for loc in record.locations
        )
        kind = f"{record.key_type} {record.bits}" if record.bits else record.key_type
        # A CA key is not one person's: whoever holds it can sign a certificate for anyone.
        if record.cert_authority:
            kind += " (CA-nøgle: alle med et certifikat, den har underskrevet)"
        rows.append(
            Row(
                (person, record.team or "-", kind, record.fingerprint, places),
                status.value,
                verdict,
                english_verdict=english,
            )
        )
    rows.sort(key=lambda r: (STATUS_ORDER[Status(r.status)], r.cells[0]))
    return tuple(rows)


def _servers(report: Report) -> tuple[Row, ...]:
    rows = []
    logins = report.claim(ClaimId.SSH_KEYS)
    for server in report.inventory.ssh_servers:
        mine = [f for f in logins.findings if f.target == server.target]
        worst = min((f.status for f in mine), key=STATUS_ORDER.__getitem__, default=Status.SKIPPED)
        methods = "\n".join(f"{u}: {', '.join(m) or '-'}" for u, m in server.methods.items())
        rows.append(
            Row(
                (
                    server.target,
                    server.server_version or "-",
                    methods or "-",
                    "\n".join(server.host_keys) or "-",
                    "ja" if server.keys_read else "nej",
                ),
                worst.value,
                danish.FINDING_STATUS[worst],
            )
        )
    return tuple(rows)


def _cloud(report: Report) -> tuple[Row, ...]:
    rows = []
    for r in sorted(report.inventory.cloud, key=lambda r: (r.kind, r.name)):
        label = f"{r.kind}:{r.name}"
        mine = [f for f in report.findings if f.target == label]
        worst = min((f.status for f in mine), key=STATUS_ORDER.__getitem__, default=Status.SKIPPED)
        rows.append(
            Row(
                (
                    r.name,
                    r.kind.replace("_", " "),
                    r.region or "?",
                    "\n".join(r.ipv4 + r.ipv6 + r.domains) or "-",
                    ", ".join(r.firewalls) or ("ingen" if r.kind == "droplet" else "-"),
                    ", ".join(f for f in r.features if f in ("backups", "monitoring")) or "-",
                ),
                worst.value,
                danish.FINDING_STATUS[worst],
            )
        )
    return tuple(rows)


def _findings(report: Report, catalog: Mapping[str, CheckSpec]) -> tuple[Row, ...]:
    ordered = sorted(
        report.findings,
        key=lambda f: (STATUS_ORDER[f.status], SEVERITY_ORDER[f.severity], f.check, f.target),
    )
    return tuple(
        Row(
            (
                f.target,
                danish.check_title(catalog, f.check),
                f.check,
                danish.SEVERITY[f.severity],
                f.message,
            ),
            f.status.value,
            danish.FINDING_STATUS[f.status],
            english=MESSAGE_CELL,
        )
        for f in ordered
    )


def _hosting(report: Report) -> tuple[Row, ...]:
    """Each site's hosting in Danish words, beside the verdict's own (English) message."""
    words = site_hosting(report)
    claim = report.claim(ClaimId.HOSTING)
    rows = []
    for finding in claim.findings:
        hosting = words.get(finding.target)
        if hosting is None or finding.check != "dns.points_to_inventory":
            continue
        reason = f" ({hosting.reason})" if hosting.reason else ""
        rows.append(
            Row(
                (finding.target, hosting.text + reason, finding.message),
                hosting.status,
                hosting.label,
                english=frozenset({2}),
            )
        )
    rows.sort(key=lambda r: (STATUS_ORDER[Status(r.status)], r.cells[0]))
    return tuple(rows)


def _changes(changes: Sequence[Change] | None) -> tuple[Row, ...] | None:
    if changes is None:
        return None
    return tuple(
        Row(
            (CHANGE_TEXT[c.kind], c.subject, c.before or "-", c.after or "-"),
            c.kind.value,
            english=QUOTED_MESSAGE.get(c.kind, frozenset()),
        )
        for c in changes
    )


def access_page(
    report: Report, catalog: Mapping[str, CheckSpec], changes: Sequence[Change] | None = None
) -> AccessPage:
    """The internal page's view; `catalog` (every check by its id) titles the findings."""
    claims = tuple(
        Row((c.text, str(len(c.warnings))), c.status.value, danish.CLAIM_STATUS[c.status])
        for c in report.claims
    )
    counts = tuple(
        (danish.FINDING_STATUS[s], sum(1 for f in report.findings if f.status is s))
        for s in (Status.FAIL, Status.ERROR, Status.WARN, Status.PASS, Status.SKIPPED)
    )
    return AccessPage(
        checked_at=danish.date_time(report.run.finished_at),
        config=report.run.config,
        claims=claims,
        changes=_changes(changes),
        holders=_holders(report),
        servers=_servers(report),
        cloud=_cloud(report),
        findings=_findings(report, catalog),
        counts=counts,
        hosting=_hosting(report),
    )
