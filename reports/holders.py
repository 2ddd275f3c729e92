"""How a key's holder is named, on the internal page (Danish) and in the terminal (English).

One rule for both: the roster decides who holds a key; what a line's comment claims is only
shown as a hint beside "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.core.inventory import KeyHolderRecord


@dataclass(frozen=True)
class HolderWords:
    unknown: str  # "UKENDT"
    comment_names: str  # "kommentaren nævner {hint}"
    service: str  # "tjeneste"
    via: str  # "via {managed_by}"


def holder_name(record: KeyHolderRecord, words: HolderWords) -> str:
    if record.team is None:  # on no roster (an older auditor put a comment's name in `person`)
        hint = record.named_in_line or record.person
        name = (
            f"{words.unknown} ({words.comment_names.format(hint=hint)})" if hint else words.unknown
        )
    else:
        name = record.person or words.unknown
        name += f" ({words.service})" if record.service else ""
    if record.managed_by:
        return f"{name} ({words.via.format(managed_by=record.managed_by)})"
    return name
