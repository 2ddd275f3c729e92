"""The roster of approved key holders: who they are, their team, and their keys.

Only the roster says whose a key is: a key not listed under anyone is unknown, whatever its
line's comment claims. An entry is a person unless it says `kind = "service"`: a program's
key (the auditor's own), listed and judged like a person's but not counted as one.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from auditor.core.config import TomlSection
from auditor.core.documents import config_text, toml_document
from auditor.core.errors import ConfigError
from auditor.core.sshkeys import KeyFormatError, parse_public_key_line


class HolderKind(StrEnum):
    PERSON = "person"
    SERVICE = "service"


@dataclass(frozen=True)
class Person:
    """One roster entry: a person, or a service whose team runs it."""

    name: str
    team: str
    approved: bool
    emails: tuple[str, ...] = ()  # for the reader: a key's comment never decides its holder
    kind: HolderKind = HolderKind.PERSON

    @property
    def service(self) -> bool:
        return self.kind is HolderKind.SERVICE


@dataclass(frozen=True)
class Roster:
    source: str
    people: tuple[Person, ...]
    owners: dict[str, Person]  # fingerprint ("SHA256:...") -> person

    def owner_of(self, fingerprint: str) -> Person | None:
        return self.owners.get(fingerprint)


def _fingerprint(section: TomlSection, index: int, entry: str) -> str:
    text = entry.strip()
    if text.startswith("SHA256:"):
        if len(text) != 50:
            raise section.error(
                f"keys[{index}]", "a SHA256 fingerprint has 43 characters after 'SHA256:'"
            )
        return text
    try:
        return parse_public_key_line(text).fingerprint
    except KeyFormatError as exc:
        raise section.error(
            f"keys[{index}]", f"neither a SHA256 fingerprint nor a public key: {exc}"
        ) from None


def _kind(section: TomlSection) -> HolderKind:
    """`kind`, absent in every roster written before services: a person."""
    text = section.opt_str("kind")
    if text is None:
        return HolderKind.PERSON
    try:
        return HolderKind(text)
    except ValueError:
        choices = " or ".join(f'"{k}"' for k in HolderKind)
        raise section.error("kind", f"must be {choices}, not {text!r}") from None


def parse_roster(text: str, source: str) -> Roster:
    try:
        data = toml_document(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, None, f"not valid TOML: {exc}") from None
    root = TomlSection(source, data, "", Path("."))
    people: list[Person] = []
    owners: dict[str, Person] = {}
    for section in root.tables("people"):
        person = Person(
            name=section.req_str("name"),
            team=section.req_str("team"),
            approved=section.opt_bool("approved", False),
            emails=section.str_list("emails"),
            kind=_kind(section),
        )
        # The holder count goes by name: two entries under one name would count as one
        # person, and the later entry's team and approval would silently win for its keys.
        if any(p.name == person.name for p in people):
            raise section.error("name", f"{person.name} is listed twice: one entry per person")
        for index, entry in enumerate(section.str_list("keys")):
            fingerprint = _fingerprint(section, index, entry)
            other = owners.get(fingerprint)
            if other is not None and other.name != person.name:
                raise section.error(f"keys[{index}]", f"this key is already {other.name}'s")
            owners[fingerprint] = person
        section.done()
        people.append(person)
    root.done()
    return Roster(source, tuple(people), owners)


def load_roster(path: Path) -> Roster:
    return parse_roster(config_text(path), str(path))
