"""Terminal output: a rich table per view. Views are keyed by the command that asks for them."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.core.model import Status
from auditor.core.report import Report
from reports.terminal.common import (
    STATUS_ORDER,
    findings_table,
    for_terminal,
    status_text,
    unchecked_table,
)


def claims_table(report: Report) -> Table:
    table = Table(title="Claims", title_justify="left")
    table.add_column("Claim", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Fail/Error/Warn", justify="right", no_wrap=True)
    for claim in report.claims:
        counts = [
            sum(1 for f in claim.findings if f.status is s)
            for s in (Status.FAIL, Status.ERROR, Status.WARN)
        ]
        table.add_row(claim.id.value, status_text(claim.status), "/".join(map(str, counts)))
    return table


def findings_view(report: Report, console: Console) -> None:
    console.print(findings_table(report.findings, "Findings", console.width))


SUMMARY_ROWS = 12  # a summary fits on one screen; the full list is in report.json


def summary_view(report: Report, console: Console) -> None:
    console.print(claims_table(report))
    unchecked = unchecked_table(report.claims)
    if unchecked is not None:
        console.print(unchecked)
    problems = sorted(
        (f for f in report.findings if f.status in (Status.FAIL, Status.ERROR, Status.WARN)),
        key=lambda f: (STATUS_ORDER[f.status], f.target, f.check),
    )
    if problems:
        shown = problems[:SUMMARY_ROWS]
        title = "What needs attention"
        if len(problems) > len(shown):
            title += f" (worst {len(shown)} of {len(problems)})"
        console.print(findings_table(shown, title, console.width))
    counts = ", ".join(
        f"{sum(1 for f in report.findings if f.status is s)} {s.value}"
        for s in (Status.FAIL, Status.ERROR, Status.WARN, Status.PASS, Status.SKIPPED)
    )
    console.print(
        Text(
            f"{len(report.findings)} findings ({counts}) in {report.run.duration_seconds:.1f} s",
            style="dim",
        )
    )


# view name -> how to show it; a view not listed falls back to the findings table.
VIEWS: dict[str, Callable[[Report, Console], None]] = {
    "findings": findings_view,
    "summary": summary_view,
}


def render(report: Report, view: str, console: Console) -> None:
    # Family views import this module's helpers, so they are looked up late.
    from reports.terminal import cloud, discovery, servers, sites  # noqa: PLC0415

    views = VIEWS | {
        "tls": sites.tls_view,
        "https": sites.https_view,
        "ssh": servers.ssh_view,
        "keys": servers.keys_view,
        "droplets": cloud.droplets_view,
        "discovered": discovery.discovered_view,
    }
    views.get(view, findings_view)(for_terminal(report), console)
