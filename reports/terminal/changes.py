"""The terminal's table of what changed since the last run (`auditor run`, `demo`, `diff`).

Its values are timestamps, fingerprints and serials: a word broken in the middle reads as
two wrong values. Each column is at least as wide as its longest word, so lines break only
between words; where the terminal is too narrow for that, each change is told on lines of
its own instead of in columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from auditor.core.changes import Change
from auditor.core.text import printable

TITLE = "Changed since the last run"
_HEADINGS = ("Change", "Where", "Before", "Now")
# What a table adds to its columns' widths: a space either side of each cell and the rules.
_FRAME = 3 * len(_HEADINGS) + 1


def _cells(change: Change) -> tuple[str, str, str, str]:
    # A value's parts ("valid to ...; serial ...") one under the other.
    before, after = (printable(v or "-").replace("; ", "\n") for v in (change.before, change.after))
    return change.kind.value.replace("_", " "), printable(change.subject), before, after


def _longest_word(texts: Sequence[str]) -> int:
    return max((len(word) for text in texts for word in text.split()), default=1)


def changes_table(
    changes: Sequence[Change], width: int = 120, title: str = TITLE
) -> RenderableType:
    """A table if every column fits its longest word in `width`, else one block per change."""
    rows = [_cells(change) for change in changes]
    widths = [
        max(len(heading), _longest_word([row[n] for row in rows]))
        for n, heading in enumerate(_HEADINGS)
    ]
    if sum(widths) + _FRAME > width:
        return _stacked(rows, title)
    table = Table(title=title, title_justify="left")
    for heading, least in zip(_HEADINGS, widths, strict=True):
        # fold only reaches a word longer than the terminal: min_width keeps every other whole.
        table.add_column(heading, min_width=least, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


def _stacked(rows: Sequence[tuple[str, str, str, str]], title: str) -> Group:
    parts: list[RenderableType] = [Text(title, style="italic")]
    for kind, subject, before, after in rows:
        values = Table.grid(padding=(0, 1))
        values.add_column(no_wrap=True, style="dim")
        values.add_column(overflow="fold")
        values.add_row("before", Text(before))
        values.add_row("now", Text(after))
        heading = Text(kind, style="bold")
        heading.append(f"  {subject}", style="")
        parts += [heading, Padding(values, (0, 0, 0, 2), expand=False)]
    return Group(*parts)
