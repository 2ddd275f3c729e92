"""What every terminal view shares: status colours and order, escaping, the findings table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from auditor.core.model import Finding, Status
from auditor.core.report import Claim, Report
from auditor.core.text import printable

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


def unchecked_table(claims: Sequence[Claim], title: str = "Why not checked") -> Table | None:
    """Each claim left unchecked (skipped, or could not be checked) with every reason why:
    "hosting SKIPPED" alone does not tell the reader to set a token. None if there is none."""
    unchecked = [claim for claim in claims if claim.reasons]
    if not unchecked:
        return None
    table = Table(title=title, title_justify="left", box=None, show_header=False)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for claim in unchecked:
        for index, reason in enumerate(claim.reasons):
            if index:
                table.add_row("", "", Text(reason))
            else:
                table.add_row(claim.id.value, status_text(claim.status), Text(reason))
    return table


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
