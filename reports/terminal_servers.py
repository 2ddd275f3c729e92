"""Terminal views of `auditor ssh` and `auditor keys`."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.inventory import KeyHolderRecord
from auditor.model import Status
from auditor.report import Report
from reports.terminal import findings_table, status_text


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


def _rank(record: KeyHolderRecord, report: Report) -> tuple[int, str]:
    """Unknown keys first, then weak ones, then unapproved, then the rest."""
    statuses = {f.check: f.status for f in report.findings if f.target == record.fingerprint}
    bad = [Status.FAIL, Status.WARN]
    order = 3
    if statuses.get("access.key.unapproved") in bad:
        order = 2
    if statuses.get("access.key.weak") in bad:
        order = 1
    if statuses.get("access.key.unknown") in bad:
        order = 0
    return order, record.person or ""


def keys_view(report: Report, console: Console) -> None:
    table = Table(title="Who can open which server", title_justify="left")
    for column in ("Person", "Team", "Key", "Fingerprint", "Opens", "Found in", "Verdict"):
        table.add_column(column, overflow="fold")
    records = sorted(report.inventory.key_holders, key=lambda r: _rank(r, report))
    for record in records:
        verdicts = [f for f in report.findings if f.target == record.fingerprint]
        worst = next(
            (f for f in verdicts if f.status is Status.FAIL),
            next((f for f in verdicts if f.status is Status.WARN), None),
        )
        person = record.person or "UNKNOWN"
        if record.managed_by:
            person += f" ({record.managed_by})"
        where = "\n".join(
            f"{loc.server} {loc.user or ''} {loc.path or ''}:{loc.line or ''}".strip()
            if loc.path
            else f"{loc.server} ({loc.comment or 'account key'})"
            for loc in record.locations
        )
        table.add_row(
            Text(person),
            Text(record.team or "-"),
            Text(f"{record.key_type} {record.bits or '?'}"),
            Text(record.fingerprint),
            Text(", ".join(sorted({loc.server for loc in record.locations}))),
            Text(where),
            status_text(worst.status) if worst else status_text(Status.PASS),
        )
    console.print(table)
    problems = [f for f in report.findings if f.status in (Status.FAIL, Status.ERROR, Status.WARN)]
    if problems:
        console.print(findings_table(problems, "What needs attention", console.width))
