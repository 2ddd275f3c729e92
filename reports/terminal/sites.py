"""Terminal views of `auditor tls` and `auditor https`: one panel per site."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from auditor.core.inventory import CertificateRecord
from auditor.core.model import Finding
from auditor.core.report import Report
from reports.terminal.common import STATUS_ORDER, status_text


def _facts(record: CertificateRecord) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    validity = f"{record.not_before[:10]} to {record.not_after[:10]}"
    if record.days_left is not None:
        validity += f" ({record.days_left} days left)"
    key = f"{record.key_type} {record.key_size or '?'} bit" if record.key_type else ""
    rows = [
        ("Subject", record.subject),
        ("Names", ", ".join(record.sans)),
        ("Issuer", record.issuer),
        ("Valid", validity),
        ("Key", key),
        ("Signature", record.signature_algorithm),
        ("SHA-256", record.sha256),
        ("Serial", record.serial),
        ("TLS versions", ", ".join(record.tls_versions)),
        ("OCSP stapling", {True: "yes", False: "no", None: "unknown"}[record.ocsp_stapling]),
    ]
    for name, value in rows:
        # Certificate fields are attacker-controlled: Text, never markup.
        table.add_row(name, Text(value or "-"))
    return table


def _suites(record: CertificateRecord) -> Table | None:
    """With --deep: every accepted suite per version, the weak ones in red."""
    if record.accepted_suites is None:
        return None
    weak = {suite for suites in record.weak_suites.values() for suite in suites}
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for version, suites in record.accepted_suites.items():
        if not suites:
            continue
        line = Text()
        for index, suite in enumerate(suites):
            if index:
                line.append(", ")
            line.append(suite, style="bold red" if suite in weak else "")
        table.add_row(f"{version} suites", line)
    for version, why in record.unlisted_suites.items():  # sslyze's words: Text, never markup
        name = "Suites" if version == "scan" else f"{version} suites"
        table.add_row(name, Text(f"not listed: {why}", style="yellow"))
    return table


def _verdicts(findings: Sequence[Finding]) -> Table:
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for finding in sorted(findings, key=lambda f: (STATUS_ORDER[f.status], f.check)):
        table.add_row(finding.check, status_text(finding.status), Text(finding.message))
    return table


def _panel(report: Report, target: str, parts: list[Table], console: Console) -> None:
    """A target's panel: what is known of it, then every verdict on it."""
    findings = [f for f in report.findings if f.target == target]
    parts.append(_verdicts(findings))
    console.print(Panel(Group(*parts), title=Text(target), title_align="left"))


def tls_view(report: Report, console: Console) -> None:
    for record in report.inventory.certificates:
        parts: list[Table] = []
        if record.subject:
            parts.append(_facts(record))
        suites = _suites(record)
        if suites is not None:
            parts.append(suites)
        _panel(report, record.target, parts, console)


def https_view(report: Report, console: Console) -> None:
    for record in report.inventory.https:
        _panel(report, record.target, [], console)
