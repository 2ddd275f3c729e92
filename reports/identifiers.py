"""Identifiers on the pages (host names, check ids, fingerprints, addresses) and where they
may wrap.

A browser squeezing a long identifier into a phone's width breaks it anywhere
("do.certificate.ex" / "piry") unless told otherwise. Each identifier is shown unbreakable
except at its natural seams: after a dot, a colon (a fingerprint's bytes), a slash, an @, a
hyphen or a space; a long run without a seam (a base64 fingerprint) in groups of
`GROUP` characters. The page marks each seam with <wbr>, the browser tests measure that
nothing breaks anywhere else.
"""

from __future__ import annotations

import re

import markupsafe

GROUP = 11
_SEAM = re.compile(r"(?<=[.:/@\- ,;])")


def segments(text: str) -> list[str]:
    """`text` cut after each seam; a part longer than 2 x GROUP cut in groups of GROUP."""
    parts = []
    for piece in _SEAM.split(text):
        if len(piece) > 2 * GROUP:
            parts += [piece[i : i + GROUP] for i in range(0, len(piece), GROUP)]
        elif piece:
            parts.append(piece)
    return parts


def identifier(text: object) -> markupsafe.Markup:
    """`text` as an identifier: escaped, unbreakable but at its seams (a Jinja filter)."""
    inner = markupsafe.Markup("<wbr>").join(markupsafe.escape(p) for p in segments(str(text)))
    return markupsafe.Markup('<span class="id">') + inner + markupsafe.Markup("</span>")


# A run without a space that may not fit a phone's line: a fingerprint, a URL, a host name.
_LONG = re.compile(r"\S{16,}")


def marked(text: object) -> markupsafe.Markup:
    """Free text with each long run without a space shown as an identifier (a Jinja filter).

    A message quoting a fingerprint or a URL then wraps at the run's seams, never inside a
    byte or a label, and never pushes the page wider than the screen.
    """
    text = str(text)
    parts: list[markupsafe.Markup] = []
    last = 0
    for run in _LONG.finditer(text):
        parts += [markupsafe.escape(text[last : run.start()]), identifier(run.group())]
        last = run.end()
    parts.append(markupsafe.escape(text[last:]))
    return markupsafe.Markup("").join(parts)
