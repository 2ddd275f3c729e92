"""Runs families over their targets concurrently, each target bounded, the whole run bounded.

Workers are daemon threads: a target that overruns its timeout is abandoned (its thread
finishes on its own socket timeouts, or dies with the process) and reported as `error`, so
one hostile host can neither stall the run nor keep the process alive after it.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor import __version__
from auditor.family import AuditContext, Family, Outcome
from auditor.inventory import Inventory
from auditor.model import ClaimId, Finding
from auditor.observer import NullObserver, Observer
from auditor.report import Report, RunInfo, evaluate_claims

_POLL_SECONDS = 0.05


@dataclass
class _Job:
    family: Family[Any]
    target: Any
    label: str
    started: float | None = None
    outcome: Outcome | None = None
    done: threading.Event = field(default_factory=threading.Event)


def _execute(job: _Job, ctx: AuditContext) -> None:
    try:
        job.outcome = job.family.audit(job.target, ctx)
    except Exception as exc:  # any crash in a check is an error finding, never silence
        job.outcome = job.family.errored(
            job.label,
            f"could not check: {type(exc).__name__}: {exc}",
            {
                "reason": "exception",
                "exception": type(exc).__name__,
                "trace": traceback.format_exc(),
            },
        )
    finally:
        job.done.set()


class _Pool:
    """Daemon workers pulling jobs; an abandoned worker is replaced so the pool keeps its size."""

    def __init__(self, size: int, ctx: AuditContext, observer: Observer) -> None:
        self.jobs: queue.Queue[_Job | None] = queue.Queue()
        self.ctx = ctx
        self.observer = observer
        for _ in range(size):
            self.add_worker()

    def add_worker(self) -> None:
        threading.Thread(target=self._work, daemon=True, name="auditor-worker").start()

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            job.started = time.monotonic()
            self.observer.job_started(job.family.name, job.label)
            _execute(job, self.ctx)

    def close(self, workers: int) -> None:
        for _ in range(workers):
            self.jobs.put(None)


def _run_stage(
    jobs: Sequence[_Job], ctx: AuditContext, observer: Observer, deadline: float
) -> list[Outcome]:
    limits = ctx.config.limits
    size = min(limits.concurrency, len(jobs))
    pool = _Pool(size, ctx, observer)
    for job in jobs:
        pool.jobs.put(job)
    outcomes: dict[int, Outcome] = {}
    abandoned = 0
    while len(outcomes) < len(jobs):
        now = time.monotonic()
        for index, job in enumerate(jobs):
            if index in outcomes:
                continue
            if job.done.is_set() and job.outcome is not None:
                outcomes[index] = job.outcome
            elif now >= deadline:
                outcomes[index] = job.family.errored(
                    job.label,
                    "could not check: the run's deadline was reached first",
                    {"reason": "deadline"},
                )
            elif job.started is not None and now - job.started > limits.target_timeout:
                outcomes[index] = job.family.errored(
                    job.label,
                    f"could not check: no answer within {limits.target_timeout:g} s",
                    {"reason": "timeout", "timeout_seconds": limits.target_timeout},
                )
                abandoned += 1
                pool.add_worker()
            else:
                continue
            observer.job_finished(job.family.name, job.label, outcomes[index].findings)
        if len(outcomes) < len(jobs):
            time.sleep(_POLL_SECONDS)
    # Jobs still queued when the deadline fell must not start later.
    while not pool.jobs.empty():
        pool.jobs.get_nowait()
    pool.close(size + abandoned)
    return [outcomes[i] for i in range(len(jobs))]


def run_audit(
    families: Sequence[Family[Any]],
    ctx: AuditContext,
    observer: Observer | None = None,
    command: str = "run",
) -> Report:
    """Audit every target of every family, stage by stage, and evaluate the claims."""
    observer = observer or NullObserver()
    started_wall = ctx.now()
    started = time.monotonic()
    deadline = started + ctx.config.limits.deadline
    inventory = Inventory()
    findings: list[Finding] = []
    for stage in sorted({f.stage for f in families}):
        jobs = [
            _Job(family=family, target=target, label=target.label)
            for family in families
            if family.stage == stage
            for target in family.targets(ctx, inventory)
        ]
        observer.stage_started(stage, len(jobs))
        for outcome in _run_stage(jobs, ctx, observer, deadline) if jobs else []:
            findings.extend(outcome.findings)
            inventory = inventory.merge(outcome.inventory)
    observer.run_finished()
    claim_of: dict[str, ClaimId] = {s.id: s.claim for f in families for s in f.specs}
    run = RunInfo(
        started_at=started_wall.isoformat(timespec="seconds"),
        finished_at=ctx.now().isoformat(timespec="seconds"),
        duration_seconds=time.monotonic() - started,
        auditor_version=__version__,
        config=ctx.config.source,
        command=command,
    )
    return Report(
        run=run,
        claims=evaluate_claims(findings, claim_of),
        findings=tuple(findings),
        inventory=inventory,
    )
