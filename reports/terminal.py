"""Terminal output: a rich table per view. Views are keyed by the command that asks for them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from auditor.diff import Change
from auditor.model import Finding, Status
from auditor.report import Report
from auditor.text import printable

STATUS_STYLE: dict[Status, str] = {
    Status.PASS: "green",
    Status.WARN: "yellow",
    Status.FAIL: "bold red",
    Status.ERROR: "magenta",
    Status.SKIPPED: "dim",
}

STATUS_ORDER: dict[Status, int] = {
    Status.FAIL: 0,
    Status.ERROR: 1,
    Status.WARN: 2,
    Status.PASS: 3,
    Status.SKIPPED: 4,
}


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {_escaped(key): _escaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    return value


def for_terminal(report: Report) -> Report:
    """The report with every string's control characters escaped.

    Certificate names, banners, key comments and resource names come from the audited
    systems; none of them may move the cursor, recolour or retitle the reader's terminal.
    One pass over the whole report, so no view can forget a field.
    """
    return Report.from_dict(_escaped(report.to_dict()))


def status_text(status: Status) -> Text:
    return Text(status.value.upper(), style=STATUS_STYLE[status])


# Below this width a four-column table leaves the message a word per line: group instead.
COMPACT_BELOW = 110


def findings_table(findings: Sequence[Finding], title: str, width: int = 120) -> RenderableType:
    """Findings grouped by target, worst first within each target.

    A wide terminal gets one table; a narrow one (cron mail, a split pane) a heading per
    target with its checks under it, so messages keep the width.
    """
    ordered = sorted(findings, key=lambda f: (f.target, STATUS_ORDER[f.status], f.check))
    if width < COMPACT_BELOW:
        return _grouped(ordered, title)
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("Target", overflow="fold")
    table.add_column("Check", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Message", overflow="fold")
    previous = None
    for finding in ordered:
        # Rich renders markup in plain str cells; Text keeps hostile strings literal.
        target = Text(finding.target if finding.target != previous else "")
        table.add_row(target, finding.check, status_text(finding.status), Text(finding.message))
        previous = finding.target
    return table


def _grouped(ordered: Sequence[Finding], title: str) -> Group:
    parts: list[RenderableType] = [Text(title, style="italic")]
    # The same column widths under every target, so the groups line up.
    check_width = max((len(f.check) for f in ordered), default=0)
    for target in dict.fromkeys(f.target for f in ordered):
        rows = Table.grid(padding=(0, 1))
        rows.add_column(no_wrap=True, width=7)
        rows.add_column(no_wrap=True, width=check_width)
        rows.add_column(overflow="fold")
        for finding in (f for f in ordered if f.target == target):
            rows.add_row(status_text(finding.status), finding.check, Text(finding.message))
        parts += [Text(target, style="bold"), Padding(rows, (0, 0, 0, 2))]
    return Group(*parts)


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


def changes_table(changes: Sequence[Change]) -> Table:
    table = Table(title="Changed since the last run", title_justify="left")
    for column in ("Change", "Where", "Before", "Now"):
        table.add_column(column, overflow="fold")
    for change in changes:
        table.add_row(
            change.kind.value.replace("_", " "),
            Text(printable(change.subject)),
            Text(printable(change.before or "-")),
            Text(printable(change.after or "-")),
        )
    return table


# view name -> how to show it; a view not listed falls back to the findings table.
VIEWS: dict[str, Callable[[Report, Console], None]] = {
    "findings": findings_view,
    "summary": summary_view,
}


def render(report: Report, view: str, console: Console) -> None:
    # Family views import this module's helpers, so they are looked up late.
    from reports import terminal_cloud, terminal_servers, terminal_sites  # noqa: PLC0415

    views = VIEWS | {
        "tls": terminal_sites.tls_view,
        "https": terminal_sites.https_view,
        "ssh": terminal_servers.ssh_view,
        "keys": terminal_servers.keys_view,
        "droplets": terminal_cloud.droplets_view,
    }
    views.get(view, findings_view)(for_terminal(report), console)
