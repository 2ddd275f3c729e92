"""Runs families over their targets concurrently, each target bounded, the whole run bounded.

A family starts as soon as the families it derives its targets from (`Family.after`) have
finished, not when a whole stage has: the SSH probes need the droplets, not the TLS scans,
so a slow site never holds back the servers. All families share one pool of workers.

Workers are daemon threads: a target that overruns its timeout is abandoned (its thread
finishes on its own socket timeouts, or dies with the process) and reported as `error`, so
one hostile host can neither stall the run nor keep the process alive after it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any

from auditor import __version__
from auditor.core.family import AuditContext, Family, Outcome
from auditor.core.inventory import Inventory
from auditor.core.messages import N_
from auditor.core.model import ClaimId, Finding
from auditor.core.observer import NullObserver, Observer
from auditor.core.report import Report, RunInfo, evaluate_claims
from auditor.core.slots import ConnectionSlots

# How often the runner looks for overrun targets when no job finishes.
_POLL_SECONDS = 0.05


@dataclass
class _Job:
    family: Family[Any]
    target: Any
    label: str
    started: float | None = None
    outcome: Outcome | None = None
    slots: ConnectionSlots | None = None  # this target's view: its waits for a slot

    def elapsed(self, now: float) -> float:
        """Seconds the target has run, less those it only waited behind the per-server limit."""
        assert self.started is not None
        waited = self.slots.held_up(now) if self.slots is not None else 0.0
        return now - self.started - waited


@dataclass
class _FamilyRun:
    family: Family[Any]
    jobs: list[_Job] = field(default_factory=list)
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    started: bool = False

    @property
    def finished(self) -> bool:
        return self.started and len(self.outcomes) == len(self.jobs)

    def inventory(self) -> Inventory:
        merged = Inventory()
        for index in range(len(self.jobs)):
            merged = merged.merge(self.outcomes[index].inventory)
        return merged


def _execute(job: _Job, ctx: AuditContext) -> Outcome:
    if ctx.slots is not None:
        ctx = replace(ctx, slots=ctx.slots.for_target())
        job.slots = ctx.slots
    job.started = time.monotonic()
    try:
        return job.family.audit(job.target, ctx)
    except Exception as exc:  # any crash in a check is an error finding, never silence
        return job.family.gave_up(
            job.target,
            N_(
                "could not check: {exception}: {error}",
                exception=type(exc).__name__,
                error=str(exc),
            ),
            {
                "reason": "exception",
                "exception": type(exc).__name__,
                "trace": traceback.format_exc(),
            },
        )


class _Pool:
    """Daemon workers pulling jobs and reporting each finished one on `done`."""

    def __init__(self, size: int, ctx: AuditContext, observer: Observer, deadline: float) -> None:
        self.size = max(1, size)
        self.deadline = deadline
        self.jobs: queue.Queue[_Job | None] = queue.Queue()
        self.done: queue.Queue[_Job] = queue.Queue()
        self.ctx = ctx
        self.observer = observer
        self.submitted = 0
        self.workers = 0  # threads started, abandoned ones included
        self.abandoned = 0

    def submit(self, jobs: Sequence[_Job]) -> None:
        for job in jobs:
            self.jobs.put(job)
        self.submitted += len(jobs)
        # Workers are started as jobs arrive, never more than the concurrency limit.
        while self.workers - self.abandoned < min(self.size, self.submitted):
            self._start_worker()

    def replace_abandoned(self) -> None:
        """A worker stuck on an overrun target is given up on; another takes its place."""
        self.abandoned += 1
        self._start_worker()

    def _start_worker(self) -> None:
        self.workers += 1
        threading.Thread(target=self._work, daemon=True, name="auditor-worker").start()

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            if time.monotonic() >= self.deadline:
                continue  # never started: the runner reports it as cut off by the deadline
            self.observer.job_started(job.family.name, job.label)
            job.outcome = _execute(job, self.ctx)
            self.done.put(job)

    def close(self) -> None:
        for _ in range(self.workers):
            self.jobs.put(None)


def _check_order(families: Sequence[Family[Any]]) -> None:
    """Every family must be reachable: a cycle in `after` would wait forever."""
    names = {f.name for f in families}
    ready: set[str] = set()
    remaining = list(families)
    while remaining:
        startable = [f for f in remaining if set(f.after) & names <= ready]
        if not startable:
            raise ValueError(f"families wait on each other: {sorted(f.name for f in remaining)}")
        ready |= {f.name for f in startable}
        remaining = [f for f in remaining if f.name not in ready]


class _Schedule:
    """The run's state: which families have started, which jobs have outcomes."""

    def __init__(
        self,
        families: Sequence[Family[Any]],
        ctx: AuditContext,
        observer: Observer,
        deadline: float,
    ) -> None:
        _check_order(families)
        self.deadline = deadline
        self.runs = [_FamilyRun(f) for f in families]
        self.by_name = {r.family.name: r for r in self.runs}
        self.ctx = ctx
        self.observer = observer
        self.pool = _Pool(ctx.config.limits.concurrency, ctx, observer, deadline)

    def inventory(self, names: Sequence[str] | None = None) -> Inventory:
        """The inventory of finished families (those named, or all), in registry order."""
        parts = [
            r.inventory()
            for r in self.runs
            if r.finished and (names is None or r.family.name in names)
        ]
        return reduce(Inventory.merge, parts, Inventory())

    def start_ready(self) -> None:
        """Start every family whose predecessors (those in this run) have all finished.

        Past the deadline a family still gets its targets (each becomes an `error` finding)
        but none of its jobs is handed to a worker.
        """
        for run in self.runs:
            if run.started:
                continue
            waits_on = [self.by_name[n] for n in run.family.after if n in self.by_name]
            if not all(r.finished for r in waits_on):
                continue
            known = self.inventory([r.family.name for r in waits_on])
            targets = run.family.targets(self.ctx, known)
            run.jobs = [_Job(run.family, target, target.label) for target in targets]
            run.started = True
            self.observer.family_started(run.family.name, len(run.jobs))
            if time.monotonic() < self.deadline:
                self.pool.submit(run.jobs)

    def settle(self, run: _FamilyRun, index: int, outcome: Outcome) -> None:
        job = run.jobs[index]
        run.outcomes[index] = outcome
        self.observer.job_finished(run.family.name, job.label, outcome.findings)

    def sweep(self, now: float) -> None:
        """Collect finished jobs; time out overrun ones; at the deadline, end everything."""
        limits = self.ctx.config.limits
        for run in self.runs:
            for index, job in enumerate(run.jobs):
                if index in run.outcomes:
                    continue
                if job.outcome is not None:
                    self.settle(run, index, job.outcome)
                elif now >= self.deadline:
                    self.settle(
                        run,
                        index,
                        run.family.gave_up(
                            job.target,
                            N_("could not check: the run's deadline was reached first"),
                            {"reason": "deadline"},
                        ),
                    )
                elif job.started is not None and job.elapsed(now) > limits.target_timeout:
                    self.settle(
                        run,
                        index,
                        run.family.gave_up(
                            job.target,
                            N_(
                                "could not check: no answer within {seconds} s",
                                seconds=f"{limits.target_timeout:g}",
                            ),
                            {"reason": "timeout", "timeout_seconds": limits.target_timeout},
                        ),
                    )
                    self.pool.replace_abandoned()

    @property
    def finished(self) -> bool:
        return all(r.finished for r in self.runs)

    def run(self) -> None:
        while True:
            self.start_ready()
            if self.finished:
                break
            with contextlib.suppress(queue.Empty):  # woken by a finished job, or by the clock
                self.pool.done.get(timeout=_POLL_SECONDS)
            self.sweep(time.monotonic())
        self.pool.close()

    def findings(self) -> list[Finding]:
        return [
            finding
            for run in self.runs
            for index in range(len(run.jobs))
            for finding in run.outcomes[index].findings
        ]


def run_audit(
    families: Sequence[Family[Any]],
    ctx: AuditContext,
    observer: Observer | None = None,
    command: str = "run",
) -> Report:
    """Audit every target of every family, each as soon as it can start; evaluate the claims."""
    observer = observer or NullObserver()
    started_wall = ctx.now()
    started = time.monotonic()
    schedule = _Schedule(families, ctx, observer, started + ctx.config.limits.deadline)
    schedule.run()
    observer.run_finished()
    findings = schedule.findings()
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
        inventory=schedule.inventory(),
    )
