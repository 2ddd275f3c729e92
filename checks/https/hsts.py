"""Strict-Transport-Security parsed as RFC 6797 section 6.1 says.

    Strict-Transport-Security = [ directive ] *( ";" [ directive ] )
    directive                 = directive-name [ "=" directive-value ]
    directive-name            = token
    directive-value           = token | quoted-string

Names are case-insensitive, a directive may appear only once (otherwise the whole header
is invalid, 6.1 rule 2), `max-age` is required and is delta-seconds (digits, possibly
quoted), unknown directives are ignored, and a `;` inside a quoted string separates
nothing: which is where splitting on ";" and "=" goes wrong.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

_TCHAR = set(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
_WHITESPACE = " \t"
# A longer max-age is read as this one, as curl and Chrome clamp it: the verdict is the same,
# and Python's int() refuses a number of more than 4300 digits (a 64 KiB header line holds one).
MAX_AGE_LIMIT = 2**63 - 1


class HstsError(ValueError):
    """The header is not a valid STS header; the reason is one plain sentence."""


@dataclass(frozen=True)
class HstsPolicy:
    max_age: int
    include_subdomains: bool
    preload: bool


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if not self.at_end() else ""

    def skip_space(self) -> None:
        while not self.at_end() and self.text[self.pos] in _WHITESPACE:
            self.pos += 1

    def token(self) -> str:
        start = self.pos
        while not self.at_end() and self.text[self.pos] in _TCHAR:
            self.pos += 1
        return self.text[start : self.pos]

    def quoted(self) -> str:
        self.pos += 1  # the opening quote
        out = []
        while not self.at_end():
            char = self.text[self.pos]
            if char == "\\":
                if self.pos + 1 >= len(self.text):
                    raise HstsError("a quoted value ends in a lone backslash")
                out.append(self.text[self.pos + 1])
                self.pos += 2
            elif char == '"':
                self.pos += 1
                return "".join(out)
            else:
                out.append(char)
                self.pos += 1
        raise HstsError("a quoted value is not closed")


def _directives(header: str) -> dict[str, str | None]:
    reader = _Reader(header)
    seen: dict[str, str | None] = {}
    while True:
        reader.skip_space()
        if reader.peek() == ";":  # an empty directive is allowed
            reader.pos += 1
            continue
        if reader.at_end():
            return seen
        name = reader.token().lower()
        if not name:
            raise HstsError(f"unexpected character {reader.peek()!r} where a directive should be")
        reader.skip_space()
        value: str | None = None
        if reader.peek() == "=":
            reader.pos += 1
            reader.skip_space()
            value = reader.quoted() if reader.peek() == '"' else reader.token()
            reader.skip_space()
        if not reader.at_end() and reader.peek() != ";":
            raise HstsError(f"unexpected character {reader.peek()!r} after {name}")
        if name in seen:
            raise HstsError(f"the directive {name} appears more than once")
        seen[name] = value


def parse_hsts(header: str) -> HstsPolicy:
    """The policy a browser would apply, or HstsError saying why it would ignore the header."""
    directives = _directives(header)
    if "max-age" not in directives:
        raise HstsError("max-age is missing")
    raw = directives["max-age"]
    if raw is None or not raw.isdigit() or not raw.isascii():
        raise HstsError(f"max-age must be a number of seconds, not {raw!r}")
    for flag in ("includesubdomains", "preload"):
        if directives.get(flag) is not None:
            raise HstsError(f"{flag} takes no value")
    digits = raw.lstrip("0")
    return HstsPolicy(
        max_age=MAX_AGE_LIMIT if len(digits) > 19 else min(int(digits or "0"), MAX_AGE_LIMIT),
        include_subdomains="includesubdomains" in directives,
        preload="preload" in directives,
    )
