"""The finding messages in Danish, from the gettext catalog in `reports/locale/`.

The checks word their messages in English and mark each template with `N_`
(`auditor.core.messages`); `pybabel extract` collects them and `pybabel update` merges them
into the catalog, where a translator fills in the Danish (docs/architecture.md).

The `.po` file is read at run time with Babel's own reader, not compiled to a `.mo`: it is
small (a few hundred lines, read in milliseconds, once), and a compiled file would need a
build step that setuptools does not run by itself, so a fresh clone or an editable install
would have no translations, or stale ones after an edit to the `.po`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from auditor.core.messages import Message, is_wording
from auditor.core.model import Finding

DOMAIN = "auditor"


@cache
def translations(locale: str = "da") -> dict[str, str]:
    """msgid -> msgstr of every finished entry (neither empty nor fuzzy) of the catalog."""
    from babel.messages.pofile import read_po  # noqa: PLC0415 - only a page needs Babel

    po = resources.files("reports") / "locale" / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    return {
        str(entry.id): str(entry.string)
        for entry in catalog
        if entry.id and isinstance(entry.id, str) and entry.string and not entry.fuzzy
    }


@dataclass(frozen=True)
class Translated:
    """A finding's message as a page shows it: in Danish, or in English when it cannot be."""

    text: str
    danish: bool  # False: the English message (an older report, or a template not translated)


def untranslated(message: Message, locale: str = "da") -> list[str]:
    """The templates in `message` (and the messages nested in it) that the catalog lacks."""
    known = translations(locale)
    missing = (
        [message.template] if is_wording(message.template) and message.template not in known else []
    )
    for value in message.args.values():
        if isinstance(value, Message):
            missing += untranslated(value, locale)
    return missing


def translate(finding: Finding, locale: str = "da") -> Translated:
    """The finding's message in the catalog's language, filled with its own arguments."""
    wording = finding.wording
    if wording is None or untranslated(wording, locale):
        return Translated(finding.message, danish=False)
    known = translations(locale)
    try:
        return Translated(wording.render(lambda template: known.get(template, template)), True)
    except (KeyError, IndexError, ValueError):  # a translation naming a field the check lacks
        return Translated(finding.message, danish=False)
