"""The audit's vocabulary: statuses, severities, findings and the specs that declare checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from auditor.core.messages import Message

# A JSON-safe value: what evidence may hold, so that a report always serialises.
JSONValue = Any


class Status(StrEnum):
    """The outcome of one check against one target."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # could not check; never shown as pass
    SKIPPED = "skipped"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ClaimId(StrEnum):
    """The promises of the privacy policy's security section."""

    HTTPS = "https"
    HOSTING = "hosting"
    SSH_KEYS = "ssh-keys"
    FEW_HOLDERS = "few-holders"
    MAIL = "mail"


@dataclass(frozen=True)
class CheckSpec:
    """What a check is: its stable id, its titles (English, and Danish for the pages), the
    claim it supports, and what to do when it fails."""

    id: str
    title: str
    title_da: str
    claim: ClaimId
    severity: Severity
    remediation: str

    def finding(
        self,
        target: str,
        status: Status,
        message: Message,
        evidence: Mapping[str, JSONValue] | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this check; severity defaults to the spec's own."""
        return Finding(
            check=self.id,
            target=target,
            status=status,
            severity=severity or self.severity,
            message=str(message),
            evidence=dict(evidence or {}),
            # A caller that passed a plain string has no template: the catalog's test finds it.
            wording=message if isinstance(message, Message) else None,
        )


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one target, with the facts behind it."""

    check: str
    target: str
    status: Status
    severity: Severity
    message: str  # in English, for the CLI and report.json
    evidence: Mapping[str, JSONValue] = field(default_factory=dict)
    # The message as its template and arguments, for the catalog that translates it for the
    # pages; None in a report older than the catalog (its pages show the English message).
    wording: Message | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Identity across runs: the same check on the same target."""
        return (self.check, self.target)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "check": self.check,
            "target": self.target,
            "status": self.status.value,
            "severity": self.severity.value,
            "message": self.message,
            "evidence": dict(self.evidence),
            **(self.wording.to_dict() if self.wording is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> Finding:
        return cls(
            check=str(data["check"]),
            target=str(data["target"]),
            status=Status(data["status"]),
            severity=Severity(data["severity"]),
            message=str(data["message"]),
            evidence=dict(data.get("evidence") or {}),
            wording=Message.from_dict(data) if "template" in data else None,
        )


def worst_status(statuses: list[Status]) -> Status:
    """A claim's status from its findings: one fail fails it, else one error errors it."""
    if Status.FAIL in statuses:
        return Status.FAIL
    if Status.ERROR in statuses:
        return Status.ERROR
    if statuses and all(s is Status.SKIPPED for s in statuses):
        return Status.SKIPPED
    if not statuses:
        return Status.SKIPPED
    return Status.PASS
