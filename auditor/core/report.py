"""The finished audit: claims evaluated from findings, serialised as `auditor.report/2`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.core import upgrade
from auditor.core.inventory import Inventory
from auditor.core.model import ClaimId, Finding, Status, worst_status

SCHEMA = upgrade.V2

# The promises as the privacy policy publishes them (section "Sikkerheden").
CLAIM_TEXT: Mapping[ClaimId, str] = {
    ClaimId.HTTPS: (
        "Alle forbindelser til Alternativets hjemmesider bruger TLS (https://) som standard."
    ),
    ClaimId.HOSTING: "Vores servere er hostet hos DigitalOcean i Amsterdam.",
    ClaimId.SSH_KEYS: "Adgang sker via asymmetriske nøgler.",
    ClaimId.FEW_HOLDERS: ("Kun få godkendte medarbejdere i Landssekretariatet har direkte adgang."),
    # From the policy's section on third parties.
    ClaimId.MAIL: "Al mailkommunikation foregår gennem Google Workspace.",
}


# Why a claim no check spoke to was not checked: nothing it covers was configured.
NOTHING_CONFIGURED = "Nothing this promise covers was configured to be checked."

_NOT_CHECKED = (Status.ERROR, Status.SKIPPED)


class ReportFormatError(ValueError):
    """A saved report that is not an `auditor.report/2` (or /1) document."""


@dataclass(frozen=True)
class RunInfo:
    started_at: str  # ISO 8601, UTC
    finished_at: str
    duration_seconds: float
    auditor_version: str
    config: str  # where the configuration came from
    command: str = "run"

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_seconds": round(self.duration_seconds, 3),
            "auditor_version": self.auditor_version,
            "config": self.config,
            "command": self.command,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunInfo:
        return cls(
            started_at=str(data["started_at"]),
            finished_at=str(data["finished_at"]),
            duration_seconds=float(data["duration_seconds"]),
            auditor_version=str(data["auditor_version"]),
            config=str(data["config"]),
            command=str(data.get("command", "run")),
        )


@dataclass(frozen=True)
class Claim:
    """One published promise, and the findings that decide whether it holds."""

    id: ClaimId
    text: str
    status: Status
    findings: tuple[Finding, ...]

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status is Status.WARN)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why a claim that was skipped or could not be checked was not: the distinct messages
        of its skipped and errored findings, in report order. Every renderer shows these, so
        a promise left unchecked always says why."""
        if not self.findings:
            return (NOTHING_CONFIGURED,)
        if self.status not in _NOT_CHECKED:
            return ()
        return tuple(dict.fromkeys(f.message for f in self.findings if f.status in _NOT_CHECKED))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id.value,
            "text": self.text,
            "status": self.status.value,
            "reasons": list(self.reasons),  # derived; read back from the findings
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Claim:
        return cls(
            id=ClaimId(data["id"]),
            text=str(data["text"]),
            status=Status(data["status"]),
            findings=tuple(Finding.from_dict(f) for f in data.get("findings", ())),
        )


def evaluate_claims(
    findings: Sequence[Finding], claim_of: Mapping[str, ClaimId]
) -> tuple[Claim, ...]:
    """Every claim with the findings behind it; a claim no check spoke to stays `skipped`."""
    claims = []
    for claim_id, text in CLAIM_TEXT.items():
        behind = tuple(f for f in findings if claim_of.get(f.check) == claim_id)
        status = worst_status([f.status for f in behind])
        claims.append(Claim(id=claim_id, text=text, status=status, findings=behind))
    return tuple(claims)


@dataclass(frozen=True)
class Report:
    run: RunInfo
    claims: tuple[Claim, ...]
    findings: tuple[Finding, ...]
    inventory: Inventory

    def claim(self, claim_id: ClaimId) -> Claim:
        return next(c for c in self.claims if c.id == claim_id)

    def findings_for(self, check: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.check == check)

    def exit_code(self, strict: bool = False) -> int:
        """0 every claim holds, 1 a claim fails, 3 something could not be checked.

        A run that checked nothing at all (no site, no server, no account to look at) is 3,
        not 0: an unattended job whose configuration lost its targets must not stay silent.
        """
        statuses = [c.status for c in self.claims]
        if Status.FAIL in statuses:
            return 1
        if strict and any(c.warnings for c in self.claims):
            return 1
        if Status.ERROR in statuses:
            return 3
        if all(status is Status.SKIPPED for status in statuses):
            return 3
        return 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "run": self.run.to_dict(),
            "claims": [c.to_dict() for c in self.claims],
            "findings": [f.to_dict() for f in self.findings],
            "inventory": self.inventory.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """A report from its document: this version's, or an older one brought up to it."""
        schema = data.get("schema") if isinstance(data, Mapping) else None
        if schema not in (SCHEMA, upgrade.V1):
            raise ReportFormatError(f"not an {SCHEMA} (or /1) document")
        try:
            if schema == upgrade.V1:
                data = upgrade.from_v1(data)
            return cls(
                run=RunInfo.from_dict(data["run"]),
                claims=tuple(Claim.from_dict(c) for c in data["claims"]),
                findings=tuple(Finding.from_dict(f) for f in data["findings"]),
                inventory=Inventory.from_dict(data.get("inventory", {})),
            )
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise ReportFormatError(f"malformed {schema} document: {exc!r}") from None
