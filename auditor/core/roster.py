"""The roster of approved key holders: who they are, their team, and their keys."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from auditor.core.config import TomlSection
from auditor.core.documents import config_text, toml_document
from auditor.core.errors import ConfigError
from auditor.core.sshkeys import KeyFormatError, parse_public_key_line


@dataclass(frozen=True)
class Person:
    name: str
    team: str
    approved: bool
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Roster:
    source: str
    people: tuple[Person, ...]
    owners: dict[str, Person]  # fingerprint ("SHA256:...") -> person

    def owner_of(self, fingerprint: str) -> Person | None:
        return self.owners.get(fingerprint)

    def person_with_email(self, email: str) -> Person | None:
        wanted = email.strip().lower()
        return next((p for p in self.people if wanted in (e.lower() for e in p.emails)), None)


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
