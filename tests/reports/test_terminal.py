"""The findings table: one table on a wide terminal, grouped by target on a narrow one."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from rich.console import Console

from auditor.core.changes import Change, ChangeKind
from auditor.core.inventory import CloudResource
from auditor.core.messages import Message
from auditor.core.model import CheckSpec, ClaimId, Severity, Status
from auditor.core.report import Report
from checks.digitalocean import family as digitalocean
from checks.tls.family import CHECKS as TLS_CHECKS
from reports.access_view import CHANGE_TEXT
from reports.terminal import render
from reports.terminal.changes import changes_table
from reports.terminal.cloud import droplets_view
from reports.terminal.common import findings_table
from reports.terminal.servers import keys_view
from tests.support.reports import HOLDER, KEY_COMMENT, sample_report

SPEC = CheckSpec(
    "do.droplet.region", "Region", "Region", ClaimId.HOSTING, Severity.HIGH, "Move it."
)
OTHER = CheckSpec(
    "do.droplet.no_firewall", "Firewall", "Firewall", ClaimId.HOSTING, Severity.LOW, "Add."
)
MESSAGE = "Droplet legacy-nyc3 is in nyc3, not in ams2, ams3."
FINDINGS = (
    SPEC.finding("droplet:legacy-nyc3", Status.FAIL, Message(MESSAGE)),
    OTHER.finding("droplet:legacy-nyc3", Status.WARN, Message("No cloud firewall applies.")),
    SPEC.finding("[bold]evil[/bold]", Status.PASS, Message("[red]not markup[/red]")),
)


def _shown(width: int) -> str:
    screen = io.StringIO()
    console = Console(file=screen, width=width, force_terminal=False)
    console.print(findings_table(FINDINGS, "What needs attention", console.width))
    return screen.getvalue()


def test_a_narrow_terminal_gets_a_heading_per_target_and_whole_messages() -> None:
    lines = _shown(100).splitlines()
    assert lines[0] == "What needs attention"
    assert "droplet:legacy-nyc3" in lines  # the target on a line of its own
    assert any(MESSAGE in line for line in lines)  # the message is not folded
    assert not any("┃" in line or "│" in line for line in lines)  # no table borders
    assert "[bold]evil[/bold]" in lines  # hostile strings stay literal
    assert any("[red]not markup[/red]" in line for line in lines)


def test_a_wide_terminal_gets_one_table() -> None:
    text = _shown(140)
    assert "Target" in text
    assert "│" in text
    assert MESSAGE in text


def test_keys_view_says_who_opens_each_server_unknown_keys_first() -> None:
    report = sample_report(hostile=True)
    moved = SPEC.finding("droplet:web-1", Status.FAIL, Message("Droplet web-1 is in nyc3."))
    report = replace(report, findings=(*report.findings, moved))
    screen = io.StringIO()
    keys_view(report, Console(file=screen, width=100))
    text = screen.getvalue()
    lines = text.splitlines()
    row = next(line for line in lines if "web-1" in line and "│" in line)
    assert row.index("UNKNOWN") < row.index(HOLDER)  # unknown keys first, on one row
    keys = lines.index("Keys")
    unknown = next(i for i, line in enumerate(lines) if line.startswith("FAIL UNKNOWN"))
    known = next(i for i, line in enumerate(lines) if line.startswith(f"PASS {HOLDER}"))
    assert keys < unknown < known
    # Every place a key opens, with the line's options and comment shown as text.
    assert "root /root/.ssh/authorized_keys:3" in text
    assert KEY_COMMENT in text
    # The cloud's own findings are not the secretariat's business here; access problems are.
    assert "access.key.unknown" in text
    assert "do.droplet.region" not in text


def test_control_characters_from_audited_systems_never_reach_the_terminal() -> None:
    report = sample_report()
    hostile = "CN=\x1b[2J\x1b]0;all good\x07ok\r"
    inventory = replace(
        report.inventory,
        certificates=tuple(replace(c, common_name=hostile) for c in report.inventory.certificates),
    )
    report = replace(
        report,
        findings=tuple(replace(f, message=hostile) for f in report.findings),
        inventory=inventory,
    )
    for view in ("summary", "findings", "tls", "ssh", "keys", "droplets"):
        screen = io.StringIO()
        render(report, view, Console(file=screen, width=140, force_terminal=False))
        shown = screen.getvalue()
        assert not {"\x1b", "\x07", "\r"} & set(shown), view
    screen = io.StringIO()
    render(report, "findings", Console(file=screen, width=200, force_terminal=False))
    assert "CN=\\x1b[2J\\x1b]0;all good\\x07ok\\r" in screen.getvalue()
    table = io.StringIO()
    change = Change(ChangeKind.KEY_ADDED, hostile, "", hostile)
    Console(file=table, width=200, force_terminal=False).print(changes_table([change]))
    assert "\x1b" not in table.getvalue()
    assert "CN=\\x1b[2J" in table.getvalue()


def test_the_deep_list_says_which_suites_it_could_not_list() -> None:
    report = sample_report()
    deep = {
        "weak_accepted": [],
        "accepted_suites": {"TLS 1.3": ["TLS_AES_128_GCM_SHA256"]},
        "unlisted": {"TLS 1.2": "sslyze's scan failed: [red]timeout[/red]"},
    }
    ciphers = TLS_CHECKS.spec("tls.ciphers").finding(
        "alternativet.dk", Status.PASS, Message("No weak suites."), deep
    )
    report = replace(report, findings=(*report.findings, ciphers))
    # The tls family's record carries what the deep scan listed.
    listed = tuple(
        replace(
            c,
            accepted_suites={"TLS 1.3": ("TLS_AES_128_GCM_SHA256",)},
            unlisted_suites={"TLS 1.2": "sslyze's scan failed: [red]timeout[/red]"},
        )
        for c in report.inventory.certificates
    )
    report = replace(report, inventory=replace(report.inventory, certificates=listed))
    screen = io.StringIO()
    render(report, "tls", Console(file=screen, width=200, force_terminal=False))
    shown = screen.getvalue()
    assert "TLS 1.3 suites  TLS_AES_128_GCM_SHA256" in shown
    assert "TLS 1.2 suites  not listed: sslyze's scan failed: [red]timeout[/red]" in shown


def test_droplets_of_the_same_name_each_get_their_own_verdict() -> None:
    # DigitalOcean does not make names unique: the one in ams3 is not failed by its namesake.
    amsterdam = CloudResource("droplet", "201", "web", "ams3", firewalls=("fw",))
    new_york = CloudResource("droplet", "202", "web", "nyc3", firewalls=("fw",))
    account = digitalocean.AccountInventory("team", (amsterdam, new_york), (), (), ())
    outcome = digitalocean.evaluate(account, ("ams3",), datetime.now(UTC), 21)
    report = sample_report()
    report = Report(report.run, report.claims, outcome.findings, outcome.inventory)
    screen = io.StringIO()
    droplets_view(report, Console(file=screen, width=120))
    rows = [line for line in screen.getvalue().splitlines() if line.startswith("│ web ")]
    verdicts = [(row.split("│")[3].strip(), row.split("│")[-2].strip()) for row in rows]
    assert verdicts == [("ams3", "PASS"), ("nyc3", "FAIL")]


CHANGES = [
    Change(
        ChangeKind.CERT_RENEWED,
        "www.demo.test",
        "valid to 2026-12-24T15:58:18+00:00; serial 5F4A39463ED8EA77CE494793A077C9B6CEACC050; "
        "SHA-256 C5:46:0E:D1:7B:D1:B7:48",
        "valid to 2027-03-03T15:58:18+00:00; serial 5F2C695B3E3C5835E66E70A466F02FE36533D9E0; "
        "SHA-256 42:32:1F:00:73:C9:F4:E6",
    ),
    Change(
        ChangeKind.KEY_REMOVED,
        "web-ams3:38073",
        "SHA256:dFCdGItO2GxFNLJlzfahmdmaGzk+jCgzBC18Wvd2Kw4 (unknown holder)",
        "",
    ),
]


@pytest.mark.parametrize("width", [60, 80, 100, 120, 160, 200])
def test_the_changes_never_break_a_timestamp_fingerprint_or_serial(width: int) -> None:
    screen = io.StringIO()
    Console(file=screen, width=width, force_terminal=False).print(changes_table(CHANGES, width))
    shown = screen.getvalue()
    assert max(len(line) for line in shown.splitlines()) <= width
    words = {word for change in CHANGES for word in f"{change.before} {change.after}".split()}
    for word in words:
        assert word.rstrip(";") in shown, (width, word)


def test_every_kind_of_change_has_its_danish_words_on_the_internal_page() -> None:
    assert set(CHANGE_TEXT) == set(ChangeKind)
