"""Terminal view of `auditor discover`: every name found, where, and what it turned out to be."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.core.discovered import coverage
from auditor.core.model import Status
from auditor.core.report import Report
from reports.terminal.common import findings_table


def discovered_view(report: Report, console: Console) -> None:
    names = report.inventory.discovered
    table = Table(title="Names found", title_justify="left")
    for column in ("Name", "Found in", "What", "Addresses", "Answers", "Platform", "In config"):
        table.add_column(column, overflow="fold")
    for name in names:
        unlisted = name.live and not name.configured
        table.add_row(
            name.name,
            ", ".join(name.sources),
            name.kind + (f": {name.excluded_reason}" if name.excluded_reason else ""),
            "\n".join(name.addresses) or (name.resolve_error or "-"),
            ", ".join(name.serves) or "-",
            name.platform or "-",
            Text("no", style="yellow") if unlisted else Text("yes" if name.configured else "-"),
        )
    console.print(table)
    counted = coverage(names)
    if counted is not None:
        console.print(
            Text(
                f"{counted.found} names found, {counted.checked} checked, {counted.excluded} "
                f"excluded with a reason; {counted.unconfigured} live site(s) not in the config.",
                style="dim",
            )
        )
    log = report.inventory.ct_log
    if log is not None:
        line = f"Certificate Transparency: {log.source}, read {log.fetched_at or 'never'}"
        if log.stale:
            line += f" (could not be read this run: {log.error}; the last run's list)"
        console.print(Text(line + ".", style="dim"))
    problems = [f for f in report.findings if f.status in (Status.ERROR, Status.WARN)]
    if problems:
        console.print(findings_table(problems, "What needs attention", console.width))
