"""Progress reporting: the runner calls an observer; the CLI decides how (or whether) to show it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from auditor.core.model import Finding


class Observer(Protocol):
    def family_started(self, family: str, jobs: int) -> None: ...

    def job_started(self, family: str, target: str) -> None: ...

    def job_finished(self, family: str, target: str, findings: Sequence[Finding]) -> None: ...

    def run_finished(self) -> None: ...


class NullObserver:
    """Shows nothing: for pipes, cron and tests."""

    def family_started(self, family: str, jobs: int) -> None:
        pass

    def job_started(self, family: str, target: str) -> None:
        pass

    def job_finished(self, family: str, target: str, findings: Sequence[Finding]) -> None:
        pass

    def run_finished(self) -> None:
        pass
