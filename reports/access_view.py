"""What the secretariat's internal "adgang" page shows: who can open which server, and why.

Unlike the public page this one carries everything: addresses, holders, comments, error
messages. It is meant for a protected location, and every string is still escaped.

It is read on a phone as often as at a desk: what needs attention comes first, and what is
in order is folded away (the template puts it in <details>).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from auditor.core.changes import Change, ChangeKind
from auditor.core.inventory import KeyHolderRecord
from auditor.core.model import CheckSpec, ClaimId, Finding, Severity, Status
from auditor.core.report import Claim, Report
from reports import danish
from reports.catalog import translate
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
SEVERITY_ORDER = {s: n for n, s in enumerate(reversed(list(Severity)))}
# A cloud resource's kind, as the internal page names it.
KIND_NAMES = {
    "droplet": "Droplet",
    "load_balancer": "Load balancer",
    "reserved_ip": "Reserveret IP-adresse",
    "app": "App (App Platform)",
    "cdn_endpoint": "CDN-endpoint",
}
CLOUD_FEATURES = {"backups": "backup", "monitoring": "overvågning"}
_NOT_CHECKED = (Status.ERROR, Status.SKIPPED)


@dataclass(frozen=True)
class Cell:
    """One value of a row; `label` is its column's header, shown beside it on a phone."""

    label: str
    text: str
    ident: bool = False  # identifiers, one a line: unbreakable but at their seams
    english: bool = False  # quoted from an older report's English: marked lang="en"


@dataclass(frozen=True)
class Row:
    """A table row of already-worded cells; `status` is the CSS class of the verdict."""

    cells: tuple[Cell, ...]
    status: str = ""
    verdict: str = ""
    english_verdict: bool = False


@dataclass(frozen=True)
class Table:
    """Rows that need attention, shown; and those in order, folded behind a summary."""

    caption: str
    headers: tuple[str, ...]
    verdict_header: str
    attention: tuple[Row, ...]
    fine: tuple[Row, ...]

    @property
    def empty(self) -> bool:
        return not self.attention and not self.fine


@dataclass(frozen=True)
class Item:
    """One finding: what was checked, where, and what the check concluded, in Danish."""

    status: str
    label: str
    title: str
    target: str
    check: str
    severity: str
    message: str
    english: bool  # the message could not be translated (an older report): lang="en"


@dataclass(frozen=True)
class ClaimCard:
    name: str
    text: str
    status: str
    label: str
    reasons: tuple[Item, ...]  # why it is not known to hold: the findings that say so
    nothing_configured: bool
    failures: int
    warnings: int


@dataclass(frozen=True)
class AccessPage:
    checked_at: str
    config: str
    claims: tuple[ClaimCard, ...]
    changes: tuple[Row, ...] | None  # None: no earlier run to compare with
    holders: Table
    servers: Table
    cloud: Table
    attention: tuple[Item, ...]  # fail, error, warn: the most urgent first
    passed: tuple[Item, ...]
    skipped: tuple[Item, ...]
    counts: tuple[tuple[str, str, int], ...]  # status class, its words, how many
    hosting: Table | None = None  # each site's hosting verdict: how, where, and why


def _item(finding: Finding, catalog: Mapping[str, CheckSpec]) -> Item:
    message = translate(finding)
    return Item(
        status=finding.status.value,
        label=danish.FINDING_STATUS[finding.status],
        title=danish.check_title(catalog, finding.check),
        target=finding.target,
        check=finding.check,
        severity=danish.SEVERITY[finding.severity],
        message=message.text,
        english=not message.danish,
    )


def _urgency(finding: Finding) -> tuple[int, int, str, str]:
    return (
        STATUS_ORDER[finding.status],
        SEVERITY_ORDER[finding.severity],
        finding.check,
        finding.target,
    )


def _split(rows: list[Row]) -> tuple[tuple[Row, ...], tuple[Row, ...]]:
    rows.sort(key=lambda r: STATUS_ORDER[Status(r.status)] if r.status else 9)
    attention = tuple(r for r in rows if r.status in ("fail", "error", "warn"))
    return attention, tuple(r for r in rows if r not in attention)


def _key_verdict(record: KeyHolderRecord, access: Claim) -> tuple[Status, str, bool]:
    """The key's worst access finding: its status, its words, and whether they are English."""
    mine = sorted(
        (f for f in access.findings if f.target == record.fingerprint),
        key=lambda f: STATUS_ORDER[f.status],
    )
    if not mine:
        return Status.SKIPPED, "Ikke vurderet", False
    worst = mine[0]
    if worst.status is Status.PASS:
        return worst.status, "Godkendt", False
    said = translate(worst)
    return worst.status, said.text, not said.danish


HOLDER_WORDS = HolderWords(
    unknown="UKENDT",
    comment_names="kommentaren nævner {hint}",
    service="tjeneste",
    via="via {managed_by}",
)
HOLDER_HEADERS = ("Person", "Team", "Nøgle", "Fingeraftryk", "Fundet", "Begrundelse")


def _holders(report: Report) -> Table:
    rows = []
    access = report.claim(ClaimId.FEW_HOLDERS)
    for record in report.inventory.key_holders:
        status, verdict, english = _key_verdict(record, access)
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
        person, team, key, fingerprint, found, why = HOLDER_HEADERS
        cells = (
            Cell(person, holder_name(record, HOLDER_WORDS)),
            Cell(team, record.team or "-"),
            Cell(key, kind),
            Cell(fingerprint, record.fingerprint, ident=True),
            Cell(found, places),
            Cell(why, verdict, english=english),
        )
        rows.append(Row(cells, status.value, danish.FINDING_STATUS[status]))
    rows.sort(key=lambda r: r.cells[0].text)
    attention, fine = _split(rows)
    return Table("Nøgleindehavere", HOLDER_HEADERS, "Vurdering", attention, fine)


def _servers(report: Report) -> Table:
    rows = []
    logins = report.claim(ClaimId.SSH_KEYS)
    for server in report.inventory.ssh_servers:
        mine = [f for f in logins.findings if f.target == server.target]
        worst = min((f.status for f in mine), key=STATUS_ORDER.__getitem__, default=Status.SKIPPED)
        methods = "\n".join(f"{u}: {', '.join(m) or '-'}" for u, m in server.methods.items())
        cells = (
            Cell("Server", server.target, ident=True),
            Cell("Version", server.server_version or "-"),
            Cell("Metoder pr. bruger", methods or "-"),
            Cell("Værtsnøgler", "\n".join(server.host_keys) or "-", ident=True),
            Cell("Nøgler læst", "ja" if server.keys_read else "nej"),
        )
        rows.append(Row(cells, worst.value, danish.FINDING_STATUS[worst]))
    attention, fine = _split(rows)
    headers = tuple(c.label for c in rows[0].cells) if rows else ("Server",)
    return Table("SSH-servere: login-metoder pr. bruger", headers, "Vurdering", attention, fine)


CLOUD_HEADERS = ("Navn", "Type", "Region", "Adresser", "Firewall", "Backup og overvågning")


def _cloud(report: Report) -> Table:
    rows = []
    for r in sorted(report.inventory.cloud, key=lambda r: (r.kind, r.name)):
        label = f"{r.kind}:{r.name}"
        mine = [f for f in report.findings if f.target == label]
        worst = min((f.status for f in mine), key=STATUS_ORDER.__getitem__, default=Status.SKIPPED)
        features = ", ".join(CLOUD_FEATURES[f] for f in r.features if f in CLOUD_FEATURES)
        values = (
            (r.name, True),
            (KIND_NAMES.get(r.kind, r.kind.replace("_", " ")), False),
            (r.region or "?", True),
            ("\n".join(r.ipv4 + r.ipv6 + r.domains) or "-", True),
            (", ".join(r.firewalls) or ("ingen" if r.kind == "droplet" else "-"), False),
            (features or "-", False),
        )
        cells = tuple(Cell(h, v, ident=i) for h, (v, i) in zip(CLOUD_HEADERS, values, strict=True))
        rows.append(Row(cells, worst.value, danish.FINDING_STATUS[worst]))
    attention, fine = _split(rows)
    caption = "Droplets, load balancers og reserverede IP-adresser"
    if any(r.kind in ("app", "cdn_endpoint") for r in report.inventory.cloud):
        caption = "Droplets, load balancers, reserverede IP-adresser, apps og CDN-endpoints"
    return Table(caption, CLOUD_HEADERS, "Vurdering", attention, fine)


HOSTING_HEADERS = ("Hjemmeside", "Hosting", "Begrundelse")


def _hosting(report: Report) -> Table | None:
    """Each site's hosting in Danish words, beside the verdict's own message (translated)."""
    words = site_hosting(report)
    rows = []
    for finding in report.claim(ClaimId.HOSTING).findings:
        hosting = words.get(finding.target)
        if hosting is None or finding.check != "dns.points_to_inventory":
            continue
        reason = f" ({hosting.reason})" if hosting.reason else ""
        message = translate(finding)
        cells = (
            Cell(HOSTING_HEADERS[0], finding.target, ident=True),
            Cell(HOSTING_HEADERS[1], hosting.text + reason),
            Cell(HOSTING_HEADERS[2], message.text, english=not message.danish),
        )
        rows.append(Row(cells, hosting.status, hosting.label))
    if not rows:
        return None
    attention, fine = _split(rows)
    return Table("Hosting pr. hjemmeside og hvorfor", HOSTING_HEADERS, "Vurdering", attention, fine)


def _changes(changes: Sequence[Change] | None) -> tuple[Row, ...] | None:
    if changes is None:
        return None
    headers = ("Ændring", "Hvor", "Før", "Nu")
    return tuple(
        Row(
            tuple(
                Cell(h, v, ident=h == "Hvor" and c.kind is not ChangeKind.CLAIM)
                for h, v in zip(
                    headers,
                    (CHANGE_TEXT[c.kind], c.subject, c.before or "-", c.after or "-"),
                    strict=True,
                )
            ),
            c.kind.value,
        )
        for c in changes
    )


def _claim(claim: Claim, catalog: Mapping[str, CheckSpec]) -> ClaimCard:
    said: dict[str, Item] = {}
    if claim.status in _NOT_CHECKED:
        for finding in claim.findings:
            if finding.status in _NOT_CHECKED:
                item = _item(finding, catalog)
                said.setdefault(item.message, item)  # one line per distinct reason
    return ClaimCard(
        name=danish.CLAIM_NAMES.get(claim.id, claim.id.value),
        text=claim.text,
        status=Status.PASS.value if claim.status is Status.WARN else claim.status.value,
        label=danish.CLAIM_STATUS[claim.status],
        reasons=tuple(said.values()),
        nothing_configured=not claim.findings,
        failures=sum(1 for f in claim.findings if f.status is Status.FAIL),
        warnings=len(claim.warnings),
    )


def access_page(
    report: Report, catalog: Mapping[str, CheckSpec], changes: Sequence[Change] | None = None
) -> AccessPage:
    """The internal page's view; `catalog` (every check by its id) titles the findings."""
    ordered = sorted(report.findings, key=_urgency)
    items = [(f.status, _item(f, catalog)) for f in ordered]
    counts = tuple(
        (s.value, danish.FINDING_STATUS[s], sum(1 for f in report.findings if f.status is s))
        for s in (Status.FAIL, Status.ERROR, Status.WARN, Status.PASS, Status.SKIPPED)
    )
    return AccessPage(
        checked_at=danish.date_time(report.run.finished_at),
        config=report.run.config,
        claims=tuple(_claim(c, catalog) for c in report.claims),
        changes=_changes(changes),
        holders=_holders(report),
        servers=_servers(report),
        cloud=_cloud(report),
        attention=tuple(i for s, i in items if s in (Status.FAIL, Status.ERROR, Status.WARN)),
        passed=tuple(i for s, i in items if s is Status.PASS),
        skipped=tuple(i for s, i in items if s is Status.SKIPPED),
        counts=counts,
        hosting=_hosting(report),
    )
