"""The runner: concurrency, per-target timeout, run deadline, crashes become error findings."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

from auditor.config import AuditConfig, Limits
from auditor.family import AuditContext, Family, Outcome, SimpleTarget
from auditor.inventory import CloudResource, Inventory
from auditor.model import CheckSpec, ClaimId, Severity, Status
from auditor.observer import NullObserver
from auditor.runner import run_audit

SPEC = CheckSpec("test.check", "Test", ClaimId.HTTPS, Severity.HIGH, "Fix it.")
OTHER = CheckSpec("test.other", "Other", ClaimId.HTTPS, Severity.LOW, "Fix it.")


def _ctx(**limits: Any) -> AuditContext:
    return AuditContext(config=AuditConfig(source="test", limits=replace(Limits(), **limits)))


def _family(
    audit: object, labels: tuple[str, ...] = ("a",), stage: int = 1
) -> Family[SimpleTarget]:
    return Family(
        name="test",
        stage=stage,
        specs=(SPEC, OTHER),
        targets=lambda ctx, inv: [SimpleTarget(label) for label in labels],
        audit=audit,  # type: ignore[arg-type]
    )


def _passing(target: SimpleTarget, ctx: AuditContext) -> Outcome:
    return Outcome(findings=(SPEC.finding(target.label, Status.PASS, "fine"),))


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


def test_a_later_stage_sees_the_inventory_of_earlier_ones() -> None:
    resource = CloudResource(kind="droplet", id="1", name="web", region="ams3", ipv4=("192.0.2.1",))

    def collect(target: SimpleTarget, ctx: AuditContext) -> Outcome:
        return Outcome(inventory=Inventory(cloud=(resource,)))

    seen: list[tuple[str, ...]] = []

    def targets(ctx: AuditContext, inventory: Inventory) -> list[SimpleTarget]:
        seen.append(tuple(r.name for r in inventory.cloud))
        return [SimpleTarget(r.name) for r in inventory.cloud]

    first = _family(collect, ("account",), stage=1)
    second = Family(name="second", stage=2, specs=(SPEC,), targets=targets, audit=_passing)
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
