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

from auditor.core.messages import N_
from auditor.core.model import Status
from auditor.core.report import Report
from checks import catalog
from checks.mail.family import CHECKS as MAIL_CHECKS
from reports.html import render_page
from reports.identifiers import segments
from tests.support.demo import demo_report, run_demo
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
PHONE_SCREENS = 6  # the demo's internal page, every <details> closed, at most this tall
# The hand-built report's pages (hostile certificate fields) and the demo's.
PAGES = ["certifikater", "adgang", "demo-certifikater", "demo-adgang"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_demo(tmp_path_factory.mktemp("demo"))


def hand_built_report() -> Report:
    """The sample report with hostile fields, and every section the pages can show."""
    report = with_discovery(sample_report(hostile=True))
    # With the hosting words (a fronted site, a processor's) that the pages add per site.
    report = with_findings(
        report, [*report.findings, *hosting_findings("alternativet.dk", hostile=True)]
    )
    # The mail section too: a domain with a failing, a warning and a passing check.
    domain = "alternativet.dk"
    mail = [
        MAIL_CHECKS.spec(check).finding(domain, status, message)
        for check, status, message in (
            ("mail.mx", Status.PASS, N_("Every MX of {domain} is Google's.", domain=domain)),
            (
                "mail.dmarc",
                Status.WARN,
                N_("The DMARC policy is quarantine: forged mail goes to spam."),
            ),
            (
                "mail.spf",
                Status.FAIL,
                N_(
                    "{domain} has no SPF record: anyone may send mail in its name.",
                    domain=domain,
                ),
            ),
        )
    ]
    return with_findings(report, (*report.findings, *mail))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, demo: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    report = hand_built_report()
    files = {}
    for name in ("certifikater", "adgang"):
        path = folder / f"{name}.html"
        path.write_text(render_page(report, name, catalog()), encoding="utf-8")
        files[name] = path
        files[f"demo-{name}"] = demo / f"{name}.html"
    return files


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests leave a full-page screenshot of every page at every width, to look at."""
    return tmp_path_factory.mktemp("screenshots", numbered=False)


def identifiers(report: Report) -> set[str]:
    """Every identifier a page may show of `report`: check ids, targets, host names,
    fingerprints, cloud names and addresses (those without a space: a hostile subject is
    text)."""
    inventory = report.inventory
    found = {f.check for f in report.findings} | {f.target for f in report.findings}
    found |= {r.site for r in inventory.certificates} | {r.sha256 for r in inventory.certificates}
    found |= {r.fingerprint for r in inventory.key_holders}
    found |= {r.target for r in inventory.ssh_servers}
    found |= {part for r in inventory.ssh_servers for key in r.host_keys for part in key.split()}
    found |= {r.name for r in inventory.cloud} | {a for r in inventory.cloud for a in r.ipv4}
    return {i for i in found if i and len(i) > 3 and not any(c.isspace() for c in i)}


def report_of(name: str, demo: Path) -> Report:
    return demo_report(demo) if name.startswith("demo-") else hand_built_report()


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


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("width", sorted(VIEWPORTS))
def test_page_loads_alone_cleanly_and_fits(
    browser: Browser, pages: dict[str, Path], name: str, width: str, screenshots: Path
) -> None:
    seen = visit(browser, pages[name], VIEWPORTS[width])
    shot = screenshots / f"{name}-{VIEWPORTS[width][0]}.png"
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


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violation(
    browser: Browser, pages: dict[str, Path], name: str
) -> None:
    axe = BROWSER_TOOLS / "node_modules" / "axe-core" / "axe.min.js"
    assert axe.exists(), "run `npm ci` in tests/pages (tests/run.sh does)"
    # The page forbids scripts by its own CSP; only this audit context lifts that to inject axe.
    seen = visit(browser, pages[name], VIEWPORTS["phone"], bypass_csp=True)
    seen.page.add_script_tag(path=str(axe))
    result = seen.page.evaluate("async () => await axe.run(document)")
    bad = [f"{v['id']} ({v['impact']}): {v['help']}" for v in result["violations"]]
    assert bad == []  # any impact: minor and moderate ones too
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


# Every element's box against the viewport's width, with every <details> opened first, so
# that what is folded away fits too.
OVERFLOWING = """() => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      const where = `${Math.round(box.left)}..${Math.round(box.right)} of ${width}`;
      wide.push(`${element.tagName.toLowerCase()}.${element.className}: ${where}`);
    }
  }
  return wide;
}"""


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("width", sorted(VIEWPORTS))
def test_no_element_is_wider_than_the_screen(
    browser: Browser, pages: dict[str, Path], name: str, width: str
) -> None:
    seen = visit(browser, pages[name], VIEWPORTS[width])
    assert seen.page.evaluate(OVERFLOWING) == []
    seen.page.context.close()


# Each occurrence of an identifier in the page's text, cut at its seams (`segments`): every
# segment must lie on one line. A segment split over two lines is an identifier broken
# inside itself ("do.certificate.ex" / "piry", a fingerprint's byte "A" / "A").
SPLIT = """(wanted) => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  while (walker.nextNode()) {
    nodes.push([walker.currentNode, text.length]);
    text += walker.currentNode.data;
  }
  const locate = (offset) => {
    let low = 0, high = nodes.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (nodes[mid][1] <= offset) low = mid; else high = mid - 1;
    }
    return [nodes[low][0], offset - nodes[low][1]];
  };
  const broken = [];
  let measured = 0;
  for (const [identifier, parts] of wanted) {
    for (let at = text.indexOf(identifier); at >= 0; at = text.indexOf(identifier, at + 1)) {
      let position = at;
      for (const part of parts) {
        const range = document.createRange();
        const [startNode, startOffset] = locate(position);
        const [endNode, endOffset] = locate(position + part.length - 1);
        range.setStart(startNode, startOffset);
        range.setEnd(endNode, endOffset + 1);
        const boxes = [...range.getClientRects()].filter((box) => box.width > 0);
        measured += 1;
        if (boxes.length) {
          const tops = boxes.map((box) => box.top);
          const line = Math.min(...boxes.map((box) => box.height));
          const split = Math.max(...tops) - Math.min(...tops) > line / 2;
          if (split) broken.push(`${part} (of ${identifier})`);
        }
        position += part.length;
      }
    }
  }
  return {broken, measured};
}"""


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("width", sorted(VIEWPORTS))
def test_no_identifier_is_broken_inside_itself(
    browser: Browser, pages: dict[str, Path], demo: Path, name: str, width: str
) -> None:
    wanted = [[i, segments(i)] for i in sorted(identifiers(report_of(name, demo)))]
    seen = visit(browser, pages[name], VIEWPORTS[width])
    result = seen.page.evaluate(SPLIT, wanted)
    assert result["broken"] == []
    assert result["measured"] > 20  # the identifiers were found on the page
    seen.page.context.close()


def test_the_demos_internal_page_fits_six_phone_screens(
    browser: Browser, pages: dict[str, Path]
) -> None:
    width, height = VIEWPORTS["phone"]
    seen = visit(browser, pages["demo-adgang"], (width, height))
    tall = seen.page.evaluate("document.documentElement.scrollHeight")
    assert tall <= PHONE_SCREENS * height, f"{tall / height:.1f} screens"
    assert seen.page.locator("details").count() >= 3  # what is in order is folded away
    seen.page.context.close()


@pytest.mark.parametrize("name", ["demo-adgang", "demo-certifikater"])
def test_no_finding_message_on_a_danish_page_is_english(
    browser: Browser, pages: dict[str, Path], demo: Path, name: str
) -> None:
    """Every message comes from the catalog: none is the English one the CLI prints."""
    seen = visit(browser, pages[name], VIEWPORTS["desktop"])
    shown = seen.page.evaluate(
        "() => { document.querySelectorAll('details').forEach((d) => { d.open = true; });"
        " return document.body.innerText; }"
    )
    english = [f.message for f in demo_report(demo).findings if f.message in shown]
    assert english == []
    assert seen.page.locator('[lang="en"]').count() == 0
    seen.page.context.close()
