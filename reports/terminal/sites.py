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


def _suites(findings: Sequence[Finding]) -> Table | None:
    """With --deep: every accepted suite per version, the weak ones in red."""
    ciphers = next((f for f in findings if f.check == "tls.ciphers"), None)
    if ciphers is None or "accepted_suites" not in ciphers.evidence:
        return None
    accepted = ciphers.evidence["accepted_suites"]
    unlisted = ciphers.evidence.get("unlisted", {})
    weak = {entry["suite"] for entry in ciphers.evidence.get("weak_accepted", [])}
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for version, suites in accepted.items():
        if not suites:
            continue
        line = Text()
        for index, suite in enumerate(suites):
            if index:
                line.append(", ")
            line.append(str(suite), style="bold red" if suite in weak else "")
        table.add_row(f"{version} suites", line)
    for version, why in unlisted.items():  # sslyze's words: Text, never markup
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


def _site_panels(report: Report, family: str, console: Console) -> None:
    records = {(r.site, r.port, r.address): r for r in report.inventory.certificates}
    targets = list(dict.fromkeys(f.target for f in report.findings if f.check.startswith(family)))
    for target in targets:
        findings = [f for f in report.findings if f.target == target]
        parts: list[Table] = []
        connect = [f for f in findings if f.check == "tls.connect"]
        address = connect[0].evidence.get("address") if connect else None
        record = next(
            (r for key, r in records.items() if target.startswith(r.site) and key[2] == address),
            None,
        )
        if family == "tls." and record is not None and record.subject:
            parts.append(_facts(record))
        suites = _suites(findings) if family == "tls." else None
        if suites is not None:
            parts.append(suites)
        parts.append(_verdicts(findings))
        console.print(Panel(Group(*parts), title=Text(target), title_align="left"))


def tls_view(report: Report, console: Console) -> None:
    _site_panels(report, "tls.", console)


def https_view(report: Report, console: Console) -> None:
    _site_panels(report, "https.", console)
