"""A finding's message as a template and its arguments, so that the pages can translate it.

A check words its message once, in English, through `N_`:

    N_("Droplet {name} is in {region}, not in {allowed}.", name=..., region=..., allowed=...)

`N_` is the marker Babel's extractor looks for (`pybabel extract`, see docs/architecture.md):
the template is the catalog's msgid, the arguments are the facts that fill it. The CLI and
report.json keep the English sentence (`str(message)`); the Danish pages look the template
up in the catalog and fill the translation with the same arguments (`reports/catalog.py`).

An argument is a fact (a host name, a number, an error the network gave) and is shown as it
is, or another `Message` (a phrase the checks word themselves, such as why a chain is not
trusted), which is translated in turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Fact = str | int | float


class Message(str):
    """An English sentence that remembers its template with named `{fields}` and its arguments.

    It is the English text itself (a `str`: the CLI, report.json and every comparison see the
    sentence), and carries what a translation needs.
    """

    template: str
    args: Mapping[str, Fact | Message]

    def __new__(cls, template: str, args: Mapping[str, Fact | Message] | None = None) -> Message:
        values = dict(args or {})
        message = super().__new__(cls, template.format(**values))
        message.template = template
        message.args = values
        return message

    def __getnewargs__(self) -> tuple[str, Mapping[str, Fact | Message]]:  # type: ignore[override]
        return (self.template, self.args)  # a copy or a pickle is built from these, not the text

    def render(self, translate: Callable[[str], str]) -> str:
        """The message with `translate` applied to its template and to every nested message."""
        values = {
            name: value.render(translate) if isinstance(value, Message) else value
            for name, value in self.args.items()
        }
        return translate(self.template).format(**values)

    def to_dict(self) -> dict[str, Any]:
        return {"template": self.template, "args": _args_to_json(self.args)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        return cls(str(data["template"]), _args_from_json(data.get("args") or {}))


def N_(template: str, /, **args: Fact | Message) -> Message:
    """Mark `template` for the catalog and fill it with `args` (see the module's docstring)."""
    return Message(template, args)


def _args_to_json(args: Mapping[str, Fact | Message]) -> dict[str, Any]:
    return {k: v.to_dict() if isinstance(v, Message) else v for k, v in args.items()}


def _args_from_json(data: Mapping[str, Any]) -> dict[str, Fact | Message]:
    args: dict[str, Fact | Message] = {}
    for name, value in data.items():
        if isinstance(value, Mapping):
            args[str(name)] = Message.from_dict(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            args[str(name)] = value
        else:
            args[str(name)] = str(value)
    return args


def joined(parts: Sequence[Fact | Message], separator: str) -> Message:
    """Phrases joined into one argument, each translated in turn; the separator is kept.

    Its template is fields and punctuation only, which no catalog needs (`is_wording`).
    """
    fields = {f"part{index}": part for index, part in enumerate(parts)}
    template = separator.join("{" + name + "}" for name in fields)
    return Message(template, fields)


_FIELD = re.compile(r"\{[^{}]*\}")


def is_wording(template: str) -> bool:
    """Whether a template has words of its own to translate, not only fields and punctuation."""
    return any(character.isalpha() for character in _FIELD.sub("", template))
