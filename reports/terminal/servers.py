"""Terminal views of `auditor ssh` and `auditor keys`."""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from auditor.core.inventory import KeyHolderRecord, KeyLocation
from auditor.core.model import ClaimId, Status
from auditor.core.report import Report
from reports.holders import HolderWords, holder_name
from reports.terminal.common import STATUS_STYLE, findings_table, status_text, unchecked_table


def ssh_view(report: Report, console: Console) -> None:
    table = Table(title="SSH servers", title_justify="left")
    table.add_column("Server", overflow="fold")
    table.add_column("Version", overflow="fold")
    table.add_column("Methods per user", overflow="fold")
    table.add_column("Host keys", overflow="fold")
    for server in report.inventory.ssh_servers:
        methods = "\n".join(f"{u}: {', '.join(m) or '-'}" for u, m in server.methods.items())
        table.add_row(
            Text(server.target),
            Text(server.server_version or "-"),
            Text(methods),
            Text("\n".join(server.host_keys)),
        )
    if report.inventory.ssh_servers:
        console.print(table)
    console.print(findings_table(report.findings, "Verdicts", console.width))


def _rank(record: KeyHolderRecord) -> tuple[int, str]:
    """Unknown keys first, then weak ones, then unapproved, then the rest."""
    order = next(
        (n for n, flag in enumerate((record.unknown, record.weak, record.unapproved)) if flag), 3
    )
    return order, record.person or ""


def _worst(report: Report, record: KeyHolderRecord) -> Status:
    statuses = [f.status for f in report.findings if f.target == record.fingerprint]
    return next((s for s in (Status.FAIL, Status.WARN) if s in statuses), Status.PASS)


HOLDER_WORDS = HolderWords(
    unknown="UNKNOWN", comment_names="comment names {hint}", service="service", via="{managed_by}"
)


def _location(loc: KeyLocation) -> tuple[str, str, str]:
    if not loc.path:  # a key of the cloud account: new droplets get it
        return loc.server, "account key", loc.comment or ""
    place = f"{loc.path}:{loc.line}" if loc.line else loc.path
    note = " ".join(part for part in (loc.options, loc.comment and f"«{loc.comment}»") if part)
    return loc.server, f"{loc.user or '?'} {place}", note


def keys_view(report: Report, console: Console) -> None:
    """Per server who can open it; then per key whose it is and every place it opens."""
    records = sorted(report.inventory.key_holders, key=_rank)
    servers: dict[str, list[KeyHolderRecord]] = {}
    for record in records:
        for server in dict.fromkeys(loc.server for loc in record.locations):
            servers.setdefault(server, []).append(record)
    if not records:
        # An empty table would say "nobody": say instead why no key was read.
        claims = [report.claim(ClaimId.SSH_KEYS), report.claim(ClaimId.FEW_HOLDERS)]
        why = unchecked_table(claims, "No key holders to show")
        console.print(why or Text("No key holders to show: no server or account gave a key."))
        _key_problems(report, console)
        return
    table = Table(title="Who can open which server", title_justify="left")
    table.add_column("Server", no_wrap=True)
    table.add_column("Key holders (unknown and weak first)", overflow="fold")
    for server in sorted(servers):
        people = Text()
        for index, record in enumerate(servers[server]):
            if index:
                people.append(", ")
            worst = _worst(report, record)
            people.append(
                holder_name(record, HOLDER_WORDS),
                style=STATUS_STYLE[worst] if worst is not Status.PASS else "",
            )
        table.add_row(Text(server), people)
    console.print(table)
    console.print(Text("Keys", style="italic"))
    for record in records:
        head = Text()
        head.append_text(status_text(_worst(report, record)))
        head.append(f" {holder_name(record, HOLDER_WORDS)}", style="bold")
        if record.team:
            head.append(f" ({record.team})")
        head.append(f"  {record.key_type} {record.bits or '?'}  {record.fingerprint}")
        if record.cert_authority:
            head.append("  cert-authority", style="yellow")
        places = Table.grid(padding=(0, 2))
        for _ in range(3):
            places.add_column(overflow="fold")
        for where in sorted({_location(loc) for loc in record.locations}):
            places.add_row(*(Text(part) for part in where))
        console.print(head)
        console.print(Padding(places, (0, 0, 0, 2)))
    _key_problems(report, console)


def _key_problems(report: Report, console: Console) -> None:
    # Access and login problems; of the cloud's own findings only what kept keys from being read.
    servers_checked = {s.target for s in report.inventory.ssh_servers}
    access = {f.key for f in report.claim(ClaimId.FEW_HOLDERS).findings}
    problems = [
        f
        for f in report.findings
        if f.status in (Status.FAIL, Status.ERROR, Status.WARN)
        and (f.key in access or f.target in servers_checked or f.status is Status.ERROR)
    ]
    if problems:
        console.print(findings_table(problems, "What needs attention", console.width))
