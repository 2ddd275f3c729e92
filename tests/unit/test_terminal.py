"""The findings table: one table on a wide terminal, grouped by target on a narrow one."""

from __future__ import annotations

import io

from rich.console import Console

from auditor.model import CheckSpec, ClaimId, Severity, Status
from reports.terminal import findings_table

SPEC = CheckSpec("do.droplet.region", "Region", ClaimId.HOSTING, Severity.HIGH, "Move it.")
OTHER = CheckSpec("do.droplet.no_firewall", "Firewall", ClaimId.HOSTING, Severity.LOW, "Add.")
MESSAGE = "Droplet legacy-nyc3 is in nyc3, not in ams2, ams3."
FINDINGS = (
    SPEC.finding("droplet:legacy-nyc3", Status.FAIL, MESSAGE),
    OTHER.finding("droplet:legacy-nyc3", Status.WARN, "No cloud firewall applies."),
    SPEC.finding("[bold]evil[/bold]", Status.PASS, "[red]not markup[/red]"),
)


def _shown(width: int) -> str:
    screen = io.StringIO()
    console = Console(file=screen, width=width, force_terminal=False)
    console.print(findings_table(FINDINGS, "What needs attention", console.width))
    return screen.getvalue()


def test_a_narrow_terminal_gets_a_heading_per_target_and_whole_messages() -> None:
    lines = _shown(100).splitlines()
    assert lines[0] == "What needs attention"
    assert "droplet:legacy-nyc3" in lines  # the target on a line of its own
    assert any(MESSAGE in line for line in lines)  # the message is not folded
    assert not any("┃" in line or "│" in line for line in lines)  # no table borders
    assert "[bold]evil[/bold]" in lines  # hostile strings stay literal
    assert any("[red]not markup[/red]" in line for line in lines)


def test_a_wide_terminal_gets_one_table() -> None:
    text = _shown(140)
    assert "Target" in text
    assert "│" in text
    assert MESSAGE in text
