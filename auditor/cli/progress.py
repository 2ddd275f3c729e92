"""A Rich progress display for a person at a terminal; the runner only sees an Observer."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from auditor.core.model import Finding
from auditor.core.text import printable


class RichObserver:
    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[current]}"),
            console=console,
            transient=True,
        )
        self.tasks: dict[str, TaskID] = {}
        self.started = False

    def family_started(self, family: str, jobs: int) -> None:
        # Families overlap (the SSH probes run beside the TLS scans): a bar for each.
        if not self.started:
            self.progress.start()
            self.started = True
        self.tasks[family] = self.progress.add_task(family, total=jobs, current="")

    def job_started(self, family: str, target: str) -> None:
        if family in self.tasks:
            # A target may be named by the cloud API: shown literally, never as markup.
            self.progress.update(self.tasks[family], current=escape(printable(target)))

    def job_finished(self, family: str, target: str, findings: Sequence[Finding]) -> None:
        if family in self.tasks:
            self.progress.advance(self.tasks[family])

    def run_finished(self) -> None:
        if self.started:
            self.progress.stop()
