"""The runner: concurrency, per-target timeout, run deadline, crashes become error findings."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

import pytest

from auditor.core.config import AuditConfig, Limits
from auditor.core.family import AuditContext, Family, Outcome, SimpleTarget
from auditor.core.inventory import CloudResource, Inventory
from auditor.core.messages import Message
from auditor.core.model import CheckSpec, ClaimId, Severity, Status
from auditor.core.observer import NullObserver
from auditor.core.runner import run_audit

SPEC = CheckSpec("test.check", "Test", "Test", ClaimId.HTTPS, Severity.HIGH, "Fix it.")
OTHER = CheckSpec("test.other", "Other", "Anden", ClaimId.HTTPS, Severity.LOW, "Fix it.")


def _ctx(**limits: Any) -> AuditContext:
    return AuditContext(config=AuditConfig(source="test", limits=replace(Limits(), **limits)))


def _family(
    audit: object, labels: tuple[str, ...] = ("a",), name: str = "test"
) -> Family[SimpleTarget]:
    return Family(
        name=name,
        after=(),
        specs=(SPEC, OTHER),
        targets=lambda ctx, inv: [SimpleTarget(label) for label in labels],
        audit=audit,  # type: ignore[arg-type]
    )


def _passing(target: SimpleTarget, ctx: AuditContext) -> Outcome:
    return Outcome(findings=(SPEC.finding(target.label, Status.PASS, Message("fine")),))


def test_findings_of_every_target_are_collected_and_claims_evaluated() -> None:
    report = run_audit([_family(_passing, ("a", "b", "c"))], _ctx())
    assert sorted(f.target for f in report.findings) == ["a", "b", "c"]
    assert report.claim(ClaimId.HTTPS).status is Status.PASS
    assert report.claim(ClaimId.HOSTING).status is Status.SKIPPED
    assert report.exit_code() == 0


def test_an_exception_becomes_an_error_finding_for_every_check_with_its_trace() -> None:
    def crash(target: SimpleTarget, ctx: AuditContext) -> Outcome:
        raise ValueError("boom")

    report = run_audit([_family(crash)], _ctx())
    assert {f.check for f in report.findings} == {"test.check", "test.other"}
    assert all(f.status is Status.ERROR for f in report.findings)
    assert "ValueError: boom" in report.findings[0].message
    assert "Traceback" in report.findings[0].evidence["trace"]
    assert report.claim(ClaimId.HTTPS).status is Status.ERROR
    assert report.exit_code() == 3


def test_a_target_over_its_timeout_is_an_error_and_the_others_finish() -> None:
    release = threading.Event()

    def slow_for_b(target: SimpleTarget, ctx: AuditContext) -> Outcome:
        if target.label == "b":
            release.wait(30)
        return _passing(target, ctx)

    started = time.monotonic()
    report = run_audit([_family(slow_for_b, ("a", "b", "c"))], _ctx(target_timeout=1))
    elapsed = time.monotonic() - started
    release.set()
    by_target = {(f.target, f.check): f for f in report.findings}
    assert by_target[("a", "test.check")].status is Status.PASS
    assert by_target[("c", "test.check")].status is Status.PASS
    assert by_target[("b", "test.check")].status is Status.ERROR
    assert by_target[("b", "test.check")].evidence["reason"] == "timeout"
    assert elapsed < 25  # bounded by the timeout, not by the stuck target


def test_the_run_deadline_turns_unfinished_targets_into_errors() -> None:
    release = threading.Event()

    def stuck(target: SimpleTarget, ctx: AuditContext) -> Outcome:
        release.wait(30)
        return _passing(target, ctx)

    report = run_audit([_family(stuck, ("a", "b"))], _ctx(deadline=1, concurrency=1))
    release.set()
    reasons = {f.evidence["reason"] for f in report.findings}
    assert reasons == {"deadline"}
    assert all(f.status is Status.ERROR for f in report.findings)


def test_a_family_sees_the_inventory_of_those_it_comes_after() -> None:
    resource = CloudResource(kind="droplet", id="1", name="web", region="ams3", ipv4=("192.0.2.1",))

    def collect(target: SimpleTarget, ctx: AuditContext) -> Outcome:
        return Outcome(inventory=Inventory(cloud=(resource,)))

    seen: list[tuple[str, ...]] = []

    def targets(ctx: AuditContext, inventory: Inventory) -> list[SimpleTarget]:
        seen.append(tuple(r.name for r in inventory.cloud))
        return [SimpleTarget(r.name) for r in inventory.cloud]

    first = _family(collect, ("account",), name="first")
    second = Family(name="second", after=("first",), specs=(SPEC,), targets=targets, audit=_passing)
    report = run_audit([second, first], _ctx())
    assert seen == [("web",)]
    assert [f.target for f in report.findings] == ["web"]
    assert report.inventory.cloud == (resource,)


def test_targets_run_concurrently_up_to_the_limit() -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def track(target: SimpleTarget, ctx: AuditContext) -> Outcome:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.2)
        with lock:
            running -= 1
        return _passing(target, ctx)

    labels = tuple(str(i) for i in range(8))
    run_audit([_family(track, labels)], _ctx(concurrency=3), NullObserver())
    assert peak == 3


def test_a_family_starts_without_waiting_for_families_it_does_not_come_after() -> None:
    slow_started = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def slow(target: SimpleTarget, ctx: AuditContext) -> Outcome:
        slow_started.set()
        release.wait(10)
        order.append("slow")
        return _passing(target, ctx)

    def collect(target: SimpleTarget, ctx: AuditContext) -> Outcome:
        return Outcome(inventory=Inventory(cloud=(CloudResource("droplet", "1", "web", "ams3"),)))

    def quick(target: SimpleTarget, ctx: AuditContext) -> Outcome:
        order.append("dependent")
        release.set()  # only reached if it did not wait for the slow family
        return _passing(target, ctx)

    slow_family = _family(slow, ("site",), name="slow")
    inventory_family = _family(collect, ("account",), name="inventory")
    dependent = Family(
        name="dependent",
        after=("inventory",),
        specs=(SPEC,),
        targets=lambda ctx, inv: [SimpleTarget(r.name) for r in inv.cloud],
        audit=quick,
    )
    report = run_audit([slow_family, inventory_family, dependent], _ctx())
    assert order == ["dependent", "slow"]
    # Findings are reported in the order the families were given, not as they finished.
    assert [f.target for f in report.findings] == ["site", "web"]


def test_families_waiting_on_each_other_are_refused() -> None:
    one: Family[SimpleTarget] = Family(
        name="one", after=("two",), specs=(SPEC,), targets=lambda c, i: [], audit=_passing
    )
    two: Family[SimpleTarget] = Family(
        name="two", after=("one",), specs=(SPEC,), targets=lambda c, i: [], audit=_passing
    )
    with pytest.raises(ValueError, match="wait on each other"):
        run_audit([one, two], _ctx())


def test_a_family_after_one_not_in_the_run_starts_with_an_empty_inventory() -> None:
    seen: list[int] = []

    def targets(ctx: AuditContext, inventory: Inventory) -> list[SimpleTarget]:
        seen.append(len(inventory.cloud))
        return [SimpleTarget("x")]

    alone = Family(
        name="ssh", after=("digitalocean",), specs=(SPEC,), targets=targets, audit=_passing
    )
    report = run_audit([alone], _ctx())
    assert seen == [0]
    assert [f.status for f in report.findings] == [Status.PASS]


def test_jobs_not_started_by_the_deadline_never_start() -> None:
    release = threading.Event()
    ran: list[str] = []

    def stuck(target: SimpleTarget, ctx: AuditContext) -> Outcome:
        ran.append(target.label)
        release.wait(5)
        return _passing(target, ctx)

    first = _family(stuck, ("a",), name="first")
    later = Family(
        name="later",
        after=("first",),
        specs=(SPEC,),
        targets=lambda c, i: [SimpleTarget("b")],
        audit=stuck,
    )
    report = run_audit([first, later], _ctx(deadline=0.5, concurrency=1))
    release.set()
    time.sleep(0.2)
    assert ran == ["a"]
    assert {f.target: f.evidence["reason"] for f in report.findings} == {
        "a": "deadline",
        "b": "deadline",
    }


def test_time_queued_behind_the_per_server_limit_is_not_the_targets_timeout() -> None:
    # Three targets on one server, one connection at a time: each holds it for half the
    # timeout, so the last waits longer than the timeout for its turn. Its server answered
    # at once: a timeout here would be a false `error`.
    def one_connection(target: SimpleTarget, ctx: AuditContext) -> Outcome:
        with ctx.gate("127.0.0.1")():
            time.sleep(0.5)
        return _passing(target, ctx)

    limits = {"target_timeout": 1, "per_server_connections": 1, "concurrency": 3}
    report = run_audit([_family(one_connection, ("a", "b", "c"))], _ctx(**limits))
    assert [(f.target, f.status) for f in report.findings] == [
        ("a", Status.PASS),
        ("b", Status.PASS),
        ("c", Status.PASS),
    ]
