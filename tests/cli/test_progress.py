"""The progress display: a bar per family, since families now run side by side."""

from __future__ import annotations

import io

from rich.console import Console

from auditor.cli.progress import RichObserver
from auditor.core.messages import Message
from auditor.core.model import CheckSpec, ClaimId, Severity, Status

SPEC = CheckSpec("tls.connect", "Connect", "Forbindelse", ClaimId.HTTPS, Severity.HIGH, "Fix it.")


def test_overlapping_families_each_get_a_bar_that_advances() -> None:
    screen = io.StringIO()
    observer = RichObserver(Console(file=screen, force_terminal=True, width=100))
    observer.family_started("tls", 2)
    observer.family_started("ssh", 1)
    observer.job_started("tls", "www.example.test")
    observer.job_started("ssh", "web-ams3")
    observer.job_finished("ssh", "web-ams3", ())
    observer.job_finished(
        "tls", "www.example.test", (SPEC.finding("www", Status.PASS, Message("ok")),)
    )
    tasks = {task.description: task for task in observer.progress.tasks}
    assert (tasks["tls"].completed, tasks["tls"].total) == (1, 2)
    assert (tasks["ssh"].completed, tasks["ssh"].total) == (1, 1)
    assert tasks["tls"].fields["current"] == "www.example.test"
    observer.run_finished()
    assert not observer.progress.live.is_started  # the display is gone before the summary


def test_an_observer_that_never_saw_a_family_stops_quietly() -> None:
    screen = io.StringIO()
    observer = RichObserver(Console(file=screen, force_terminal=True))
    observer.job_finished("tls", "x", ())  # a family it was not told of: ignored
    observer.run_finished()
    assert screen.getvalue() == ""


def test_a_target_named_by_the_cloud_is_shown_literally() -> None:
    screen = io.StringIO()
    observer = RichObserver(Console(file=screen, force_terminal=True, width=100))
    observer.family_started("ssh", 1)
    observer.job_started("ssh", "[red]web\x1b]0;owned\x07")
    tasks = {task.description: task for task in observer.progress.tasks}
    assert tasks["ssh"].fields["current"] == "\\[red]web\\x1b]0;owned\\x07"
    observer.run_finished()
