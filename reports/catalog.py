"""The finding messages in Danish, from the gettext catalog in `reports/locale/`.

The checks word their messages in English and mark each template with `N_`
(`auditor.core.messages`); `pybabel extract` collects them and `pybabel update` merges them
into the catalog, where a translator fills in the Danish (docs/architecture.md).

The pages read the compiled catalog (`auditor.mo`, made by `pybabel compile` and committed
beside the `.po`) with the standard library's `gettext`: about 3 ms, where importing Babel and
parsing the `.po` cost about 0.14 s of every run. setuptools has no compile step, so the
`.mo` is committed, and `tests/reports/test_catalog.py` fails when it does not say exactly
what the `.po` says.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from importlib import resources

from auditor.core.messages import Message, is_wording
from auditor.core.model import Finding

DOMAIN = "auditor"


@cache
def translations(locale: str = "da") -> dict[str, str]:
    """msgid -> msgstr of every finished entry of the compiled catalog (pybabel compile
    leaves out the empty and the fuzzy ones)."""
    folder = resources.files("reports") / "locale" / locale / "LC_MESSAGES"
    with (folder / f"{DOMAIN}.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    # gettext keeps the parsed table in `_catalog` and offers no public view of it.
    table: dict[object, object] = vars(compiled)["_catalog"]
    return {
        msgid: text
        for msgid, text in table.items()
        if isinstance(msgid, str) and msgid and isinstance(text, str) and text
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
