"""The pages in a real headless Chromium (Debian's), a strict HTML validator and axe-core.

Chromium runs without sandbox, GPU or background networking, from a fresh profile; every
request the page makes is recorded, so "nothing but the file itself" is a measured fact.
The report behind the pages carries hostile certificate fields: they must show as text
and run nothing.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from auditor.core.model import Finding, Severity, Status
from checks import catalog
from reports.html import render_page
from tests.support.reports import (
    HOSTILE,
    hosting_findings,
    sample_report,
    with_discovery,
    with_findings,
)

BROWSER_TOOLS = Path(__file__).resolve().parent  # package.json and, after `npm ci`, node_modules
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
]
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    report = with_discovery(sample_report(hostile=True))
    # With the hosting words (a fronted site, a processor's) that the pages add per site.
    report = with_findings(
        report, [*report.findings, *hosting_findings("alternativet.dk", hostile=True)]
    )
    # The mail section too: a domain with a failing, a warning and a passing check.
    mail = [
        Finding(check, "alternativet.dk", status, Severity.HIGH, "m")
        for check, status in (
            ("mail.mx", Status.PASS),
            ("mail.dmarc", Status.WARN),
            ("mail.spf", Status.FAIL),
        )
    ]
    report = with_findings(report, (*report.findings, *mail))
    files = {}
    for name in ("certifikater", "adgang"):
        path = folder / f"{name}.html"
        path.write_text(render_page(report, name, catalog()), encoding="utf-8")
        files[name] = path
    return files


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    page: Page
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def visit(
    browser: Browser, path: Path, viewport: tuple[int, int], bypass_csp: bool = False
) -> Visit:
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, bypass_csp=bypass_csp
    )
    page = context.new_page()
    seen = Visit(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.console_errors.append(message.text)

    def on_dialog(dialog: Dialog) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("console", on_console)
    page.on("pageerror", lambda e: seen.console_errors.append(str(e)))
    page.on("dialog", on_dialog)
    page.goto(path.as_uri(), wait_until="load")
    return seen


@pytest.mark.parametrize("name", ["certifikater", "adgang"])
@pytest.mark.parametrize("width", sorted(VIEWPORTS))
def test_page_loads_alone_cleanly_and_fits(
    browser: Browser, pages: dict[str, Path], name: str, width: str, tmp_path: Path
) -> None:
    seen = visit(browser, pages[name], VIEWPORTS[width])
    shot = tmp_path / f"{name}-{width}.png"
    seen.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert seen.requests == [pages[name].as_uri()]
    assert seen.console_errors == []
    assert seen.dialogs == []
    assert seen.page.evaluate("window.__pwned") is None
    overflow = seen.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} is {overflow}px wider than a {width} screen"
    assert seen.page.evaluate("document.documentElement.lang") == "da"
    seen.page.context.close()


def test_hostile_certificate_fields_render_as_text(
    browser: Browser, pages: dict[str, Path]
) -> None:
    seen = visit(browser, pages["certifikater"], VIEWPORTS["desktop"])
    page = seen.page
    assert page.locator("script").count() == 0
    shown = page.locator("td", has_text="<script>window.__pwned=1</script>")
    assert shown.count() >= 1
    assert HOSTILE in shown.first.inner_text()
    page.locator("td", has_text="onmouseover").first.hover()
    assert page.evaluate("window.__pwned") is None
    page.context.close()


@pytest.mark.parametrize("name", ["certifikater", "adgang"])
def test_axe_finds_no_serious_or_critical_violation(
    browser: Browser, pages: dict[str, Path], name: str
) -> None:
    axe = BROWSER_TOOLS / "node_modules" / "axe-core" / "axe.min.js"
    assert axe.exists(), "run `npm ci` in tests/pages (tests/run.sh does)"
    # The page forbids scripts by its own CSP; only this audit context lifts that to inject axe.
    seen = visit(browser, pages[name], VIEWPORTS["phone"], bypass_csp=True)
    seen.page.add_script_tag(path=str(axe))
    result = seen.page.evaluate("async () => await axe.run(document)")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
    assert len(result["passes"]) > 10  # axe really ran its rules
    seen.page.context.close()


def test_pages_pass_a_strict_html_validator(pages: dict[str, Path]) -> None:
    validator = BROWSER_TOOLS / "node_modules" / ".bin" / "html-validate"
    assert validator.exists(), "run `npm ci` in tests/pages (tests/run.sh does)"
    result = subprocess.run(
        [
            str(validator),
            "--config",
            str(BROWSER_TOOLS / ".htmlvalidate.json"),
            *(str(p) for p in pages.values()),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_is_strict_enough_to_fail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!DOCTYPE html><html><head><title>x</title></head>"
        "<body><table><tr><td>x</td></table><div><p>x</div></body></html>"
    )
    validator = BROWSER_TOOLS / "node_modules" / ".bin" / "html-validate"
    result = subprocess.run(
        [str(validator), "--config", str(BROWSER_TOOLS / ".htmlvalidate.json"), str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
