"""Terminal view of `auditor droplets`."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.core.inventory import CloudResource
from auditor.core.report import Report
from reports.terminal.common import findings_table, status_text

KIND_LABELS = {
    "droplet": "droplet",
    "load_balancer": "load balancer",
    "reserved_ip": "reserved IP",
    "app": "app",
    "cdn_endpoint": "CDN endpoint",
}


def _extras(resource: CloudResource) -> Text:
    """Backups and monitoring, "yes/no" in that order: one narrow column, not two."""
    if resource.kind != "droplet":
        return Text("-", style="dim")
    text = Text()
    for index, feature in enumerate(("backups", "monitoring")):
        if index:
            text.append("/")
        if feature in resource.features:
            text.append("yes")
        else:
            text.append("no", style="yellow")
    return text


def _verdict(resource: CloudResource) -> Text:
    if resource.verdict is None:
        return Text("-", style="dim")
    return status_text(resource.verdict)


def droplets_view(report: Report, console: Console) -> None:
    resources = report.inventory.cloud
    account = report.inventory.cloud_account
    # Below 100 columns the kind goes under the name, and the rules go: it then fits 80.
    narrow = console.width < 100
    table = Table(
        title=f"DigitalOcean account {account}" if account else "DigitalOcean account",
        title_justify="left",
        box=None if narrow else box.HEAVY_HEAD,
        pad_edge=not narrow,
    )
    table.add_column("Name", overflow="fold")
    if not narrow:
        table.add_column("Kind", no_wrap=True)
    table.add_column("Region", no_wrap=True)
    table.add_column("Addresses", overflow="fold", min_width=15)  # a whole IPv4 address
    table.add_column("Firewall", overflow="fold")
    table.add_column("Backups/\nmonitor", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    for resource in sorted(resources, key=lambda r: (r.kind, r.name)):
        firewall: Text
        if resource.kind != "droplet":
            firewall = Text("-", style="dim")
        elif resource.firewalls:
            firewall = Text(", ".join(resource.firewalls))
        else:
            firewall = Text("none", style="yellow")
        kind = KIND_LABELS.get(resource.kind, resource.kind)
        name = Text(resource.name)
        if narrow:
            name.append(f"\n{kind}", style="dim")
        cells = [name] if narrow else [name, Text(kind)]
        table.add_row(
            *cells,
            Text(resource.region or "?", style="" if resource.region else "yellow"),
            # An app or CDN endpoint is reached by its names, on DigitalOcean's shared edge.
            Text("\n".join(resource.ipv4 + resource.ipv6 + resource.domains) or "-"),
            firewall,
            _extras(resource),
            _verdict(resource),
        )
    if resources:
        console.print(table)
    console.print(findings_table(report.findings, "Verdicts", console.width))
