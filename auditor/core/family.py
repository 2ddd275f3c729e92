"""The interface every probe family implements, and the context the runner hands it.

A family collects once per target (one TLS scan of a site, one SSH probe of a server, one
inventory of the cloud account) and evaluates its checks as pure functions over what it
collected. A family names the families it comes after, so that it can derive its targets
from what they found: SSH servers from the droplets, key holders from every server's keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, Self, TypeVar

from auditor.core.addresses import AddressBook
from auditor.core.config import AuditConfig
from auditor.core.inventory import Inventory
from auditor.core.messages import N_, Message
from auditor.core.model import CheckSpec, Finding, JSONValue, Severity, Status
from auditor.core.slots import ConnectionSlots, Gate


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AuditContext:
    """What every family may use: settings, the clock and the environment; no globals."""

    config: AuditConfig
    env: Mapping[str, str] = field(default_factory=dict)
    now: Callable[[], datetime] = utc_now
    deep: bool = False  # exhaustive enumeration (every cipher suite) instead of verdicts only
    # Shared by every family of the run: connections open at once, per server address.
    slots: ConnectionSlots | None = None
    # Shared too: each site's name is resolved once, whichever family asks first.
    address_book: AddressBook | None = None
    # What the last recorded run found: what discovery shows, marked, when crt.sh is down.
    previous: Inventory | None = None

    def __post_init__(self) -> None:
        if self.slots is None:
            limit = self.config.limits.per_server_connections
            object.__setattr__(self, "slots", ConnectionSlots(limit))
        if self.address_book is None:
            object.__setattr__(self, "address_book", AddressBook(self.config))

    @property
    def addresses(self) -> AddressBook:
        assert self.address_book is not None  # set in __post_init__
        return self.address_book

    def gate(self, address: str) -> Gate:
        assert self.slots is not None  # set in __post_init__
        return self.slots.gate(address)


class Target(Protocol):
    @property
    def label(self) -> str:
        """The finding's `target`: stable across runs, shown to people."""
        ...


TargetT = TypeVar("TargetT", bound=Target)


class Need(StrEnum):
    """What a check needs collected before its function can judge."""

    NOTHING = "nothing"  # judges whatever was collected, a failed connection too
    CONNECTION = "connection"  # the target answered
    CERTIFICATE = "certificate"  # the server sent a certificate
    AUTHENTICATED_READ = "authenticated-read"  # the auditor's credentials, to log in and read
    KNOWN_HOLDER = "known-holder"  # the roster names the key's holder


@dataclass(frozen=True)
class Unmet:
    """Why a need is not met on this path: "Not checked: <reason>." for a check that needs it.

    `verdict` is the failure's message for the checks to which the lack is itself a verdict
    (no certificate: nothing vouches for the site); the others are still skipped.
    """

    reason: Message
    verdict: Message | None = None


@dataclass(frozen=True)
class Verdict:
    """What a judge decides: a status, why, and the facts behind it.

    A judge knows neither its check's id nor the target's label: the table entry it sits in
    turns its verdict into a finding (`Check.finding`). `severity` is left None unless this
    verdict is graver than the check usually is (a server that lets anyone in).
    """

    status: Status
    message: Message  # worded with `N_`, so that the pages can translate it
    evidence: Mapping[str, JSONValue] = field(default_factory=dict)
    severity: Severity | None = None


JudgeT = TypeVar("JudgeT")


@dataclass(frozen=True)
class Check(Generic[JudgeT]):
    """One entry of a family's check table: the spec, the function that judges, what it needs.

    The judge's signature is the family's own (a TLS scan and its judgement, an SSH probe and
    its read); it returns a `Verdict`, or the family's typed collection of them. A family's
    table is the one place that declares its checks, in report order.
    """

    spec: CheckSpec
    judge: JudgeT
    needs: Need = Need.NOTHING
    fails_without: bool = False  # without what it needs: a failure, not a skip

    def finding(self, target: str, verdict: Verdict) -> Finding:
        """The finding of this check on `target`, from what its judge decided."""
        return self.spec.finding(
            target, verdict.status, verdict.message, verdict.evidence, verdict.severity
        )

    def unmet(self, target: str, gaps: Mapping[Need, Unmet]) -> Finding | None:
        """This check's finding when a path lacks what it needs; None when it can be judged."""
        gap = gaps.get(self.needs)
        if gap is None:
            return None
        if self.fails_without and gap.verdict is not None:
            return self.spec.finding(target, Status.FAIL, gap.verdict)
        return self.spec.finding(
            target, Status.SKIPPED, N_("Not checked: {reason}.", reason=gap.reason)
        )


class CheckTable(tuple[Check[JudgeT], ...]):
    """A family's checks in report order, each found by its stable id.

    Code outside the table that needs one check (the ssh family reporting a line that is no
    key as an unknown key) looks it up here: a wrong id fails at import, not at run time.
    """

    def __new__(cls, checks: Iterable[Check[JudgeT]]) -> Self:
        table = super().__new__(cls, checks)
        ids = [check.spec.id for check in table]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"check {repeated[0]} is declared twice")
        return table

    def check(self, check_id: str) -> Check[JudgeT]:
        """The entry of the check with this id; KeyError when the table has none."""
        for check in self:
            if check.spec.id == check_id:
                return check
        raise KeyError(f"no check {check_id} in this table")

    def spec(self, check_id: str) -> CheckSpec:
        return self.check(check_id).spec


def specs_of(*tables: Sequence[Check[Any]]) -> tuple[CheckSpec, ...]:
    """The specs of a family's check tables, in table order."""
    return tuple(check.spec for table in tables for check in table)


@dataclass(frozen=True)
class Outcome:
    """What auditing one target produced."""

    findings: tuple[Finding, ...] = ()
    inventory: Inventory = field(default_factory=Inventory)


@dataclass(frozen=True)
class Family(Generic[TargetT]):
    """A probe family: where its targets come from, and how one target is audited.

    `audit` must not raise for an expected failure (a dead host is an `error` finding);
    the runner still turns anything it raises into `error` findings for every spec.
    """

    name: str
    # The families whose inventory `targets` reads; it starts when they have finished.
    after: tuple[str, ...]
    specs: tuple[CheckSpec, ...]
    targets: Callable[[AuditContext, Inventory], Sequence[TargetT]]
    audit: Callable[[TargetT, AuditContext], Outcome]
    # What is known of a target before it is probed (a site's name, port and address):
    # kept when its audit crashes or runs out of time, so the target is not lost from
    # the inventory the pages are built from.
    known: Callable[[TargetT], Inventory] | None = None

    def errored(self, target: str, message: Message, evidence: Mapping[str, object]) -> Outcome:
        """An `error` finding for each of this family's checks: nothing reads as pass."""
        return self._all(target, Status.ERROR, message, evidence)

    def gave_up(self, target: TargetT, message: Message, evidence: Mapping[str, object]) -> Outcome:
        """`errored` for a target whose audit crashed or timed out, with what is known of it."""
        outcome = self.errored(target.label, message, evidence)
        if self.known is None:
            return outcome
        return replace(outcome, inventory=self.known(target))

    def skipped(self, target: str, message: Message, evidence: Mapping[str, object]) -> Outcome:
        """A `skipped` finding for each check: left alone on purpose, and saying why."""
        return self._all(target, Status.SKIPPED, message, evidence)

    def _all(
        self, target: str, status: Status, message: Message, evidence: Mapping[str, object]
    ) -> Outcome:
        return Outcome(
            findings=tuple(
                spec.finding(target, status, message, dict(evidence)) for spec in self.specs
            )
        )


@dataclass(frozen=True)
class SimpleTarget:
    """A target that is nothing but its label (an account, the whole inventory)."""

    label: str
