"""The two HTML pages, rendered from prepared views with Jinja2 (autoescaped, strict)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

import jinja2
import markupsafe

from auditor.core.changes import Change
from auditor.core.config import Limits, PagesSettings
from auditor.core.model import CheckSpec
from auditor.core.report import Report
from auditor.core.text import printable
from reports import danish
from reports.access_view import access_page
from reports.discovery_view import discovery_view
from reports.identifiers import identifier, marked
from reports.public_view import public_page

PAGES = ("certifikater", "adgang")


def shown(value: object) -> object:
    """Every value a page prints: control characters in text written as escapes.

    Autoescaping makes markup harmless; an ESC or BEL from a certificate or a banner would
    still reach the page raw (invalid in HTML, and obeyed by a terminal that shows the
    file). Line breaks and tabs are whitespace in HTML and stay. Escaped markup (what
    `join` makes of a certificate's names) is treated too: an escape sequence is letters
    and a backslash, so the markup stays as safe as it was.
    """
    if isinstance(value, markupsafe.Markup):
        # Safe already; only control characters change, into backslashes and letters.
        return markupsafe.Markup(printable(value, keep="\n\t"))  # noqa: S704
    if isinstance(value, str):
        return printable(value, keep="\n\t")
    return value


@cache
def environment() -> jinja2.Environment:
    """The templates, compiled by Jinja2 as they are first loaded."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,  # every value, including a certificate's attacker-chosen subject
        finalize=shown,
        undefined=jinja2.StrictUndefined,  # a misspelt field is an error, not an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ident"] = identifier
    env.filters["marked"] = marked
    env.globals["nothing_configured"] = danish.NOTHING_CONFIGURED
    return env


def render_page(
    report: Report,
    page: str,
    catalog: Mapping[str, CheckSpec],
    changes: Sequence[Change] | None = None,
    warning_days: int = Limits.expiry_warning_days,
    pages: PagesSettings | None = None,
) -> str:
    """`certifikater` (public: only public facts) or `adgang` (internal: everything).

    `warning_days` is the run's `limits.expiry_warning_days`; `auditor render`, which reads
    no configuration, renders with the default.
    `catalog` is every check by its id (`checks.catalog()`): the pages name checks by their
    Danish titles, which the reports cannot look up themselves.
    `pages` is the configuration's `[pages]`: the public page's links to the privacy policy
    and a contact.
    """
    if page == "certifikater":
        view: object = public_page(report, catalog, warning_days, pages or PagesSettings())
    elif page == "adgang":
        view = access_page(report, catalog, changes)
    else:
        raise ValueError(f"no page {page!r}: choose one of {', '.join(PAGES)}")
    template = environment().get_template(f"{page}.html.j2")
    return template.render(page=view, discovery=discovery_view(report, changes))
