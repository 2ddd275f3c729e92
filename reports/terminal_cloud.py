"""Terminal view of `auditor droplets`."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.inventory import CloudResource
from auditor.model import Finding, worst_status
from auditor.report import Report
from reports.terminal import findings_table, status_text

KIND_LABELS = {"droplet": "droplet", "load_balancer": "load balancer", "reserved_ip": "reserved IP"}


def _yes_no(resource: CloudResource, feature: str) -> Text:
    if resource.kind != "droplet":
        return Text("-", style="dim")
    return Text("yes") if feature in resource.features else Text("no", style="yellow")


def _verdict(resource: CloudResource, findings: tuple[Finding, ...]) -> Text:
    label = f"{resource.kind}:{resource.name}"
    mine = [f for f in findings if f.target == label]
    if not mine:
        return Text("-", style="dim")
    return status_text(worst_status([f.status for f in mine]))


def droplets_view(report: Report, console: Console) -> None:
    resources = report.inventory.cloud
    account = report.inventory.cloud_account
    table = Table(
        title=f"DigitalOcean account {account}" if account else "DigitalOcean account",
        title_justify="left",
    )
    for column in ("Name", "Kind", "Region", "Addresses", "Firewall", "Backups", "Monitoring"):
        table.add_column(column, overflow="fold")
    table.add_column("Verdict")
    for resource in sorted(resources, key=lambda r: (r.kind, r.name)):
        firewall: Text
        if resource.kind != "droplet":
            firewall = Text("-", style="dim")
        elif resource.firewalls:
            firewall = Text(", ".join(resource.firewalls))
        else:
            firewall = Text("none", style="yellow")
        table.add_row(
            Text(resource.name),
            Text(KIND_LABELS.get(resource.kind, resource.kind)),
            Text(resource.region or "?", style="" if resource.region else "yellow"),
            Text("\n".join(resource.ipv4 + resource.ipv6) or "-"),
            firewall,
            _yes_no(resource, "backups"),
            _yes_no(resource, "monitoring"),
            _verdict(resource, report.findings),
        )
    if resources:
        console.print(table)
    console.print(findings_table(report.findings, "Verdicts", console.width))
