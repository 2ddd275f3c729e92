"""A Rich progress display for a person at a terminal; the runner only sees an Observer."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from auditor.model import Finding


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
        self.task: TaskID | None = None
        self.started = False

    def stage_started(self, stage: int, jobs: int) -> None:
        if not self.started:
            self.progress.start()
            self.started = True
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(f"Stage {stage}", total=jobs, current="")

    def job_started(self, family: str, target: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, current=f"{family} {target}")

    def job_finished(self, family: str, target: str, findings: Sequence[Finding]) -> None:
        if self.task is not None:
            self.progress.advance(self.task)

    def run_finished(self) -> None:
        if self.started:
            self.progress.stop()
