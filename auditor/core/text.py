"""Untrusted text made safe for a terminal or a mail: control characters shown, not obeyed.

Certificate subjects, SSH banners, redirect targets and cloud resource names come from the
audited systems. Printed raw, an escape sequence in one could recolour, hide or rewrite
what the reader sees; each control character is written as its Python escape instead.
"""

from __future__ import annotations

import codecs
from typing import IO


def printable(text: str, keep: str = "") -> str:
    """`text` with every non-printable character (ESC, CR, BEL, C1, ...) escaped.

    `keep`: control characters to leave as they are (a page keeps its line breaks).
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in keep else ascii(ch)[1:-1] for ch in text)


def excerpt(text: str, limit: int = 200) -> str:
    """Text an audited system sent, fit for a one-line message: at most `limit` characters
    of it (a server may send 64 KiB), each control character escaped."""
    return printable(text if len(text) <= limit else text[:limit] + "…")


def speaks_utf8(stream: IO[str]) -> bool:
    """Whether `stream` can take any text: under LC_ALL=C or an ISO-8859-1 locale it cannot
    spell "ø", "…" or a table's box lines."""
    return codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name == "utf-8"
