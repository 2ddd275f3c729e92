"""What changed between two runs, as the diff reports it and the pages and tables show it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from operator import attrgetter

from auditor.core.model import ClaimId, Finding, Status


class ChangeKind(StrEnum):
    CLAIM = "claim_changed"
    KEY_ADDED = "key_added"
    KEY_REMOVED = "key_removed"
    CERT_RENEWED = "cert_renewed"
    CERT_REPLACED = "cert_replaced"
    NEW_FAILURE = "new_failure"
    FIXED = "fixed"
    DROPLET_ADDED = "droplet_added"
    DROPLET_REMOVED = "droplet_removed"
    DROPLET_MOVED = "droplet_moved"
    CT_NEW = "ct_certificate_new"  # a certificate CT logged since the last run


@dataclass(frozen=True)
class Wording:
    """The words a change is told in: English (terminal, JSON) unless a renderer asks else.

    The diff's own words, and how a finding's message is quoted (`message`: as the checks
    wrote it, in English, unless a renderer translates it).
    """

    unknown_holder: str = "unknown holder"
    when: Callable[[str], str] = str  # an ISO 8601 time as a reader wants it
    valid_to: str = "valid to"
    issuer: str = "issuer"
    serial: str = "serial"
    not_checked: str = "not checked"
    check_on_target: str = "{check} on {target}"
    statuses: Mapping[Status, str] = field(default_factory=dict)  # default: the status value
    claim_statuses: Mapping[Status, str] = field(default_factory=dict)
    claims: Mapping[ClaimId, str] = field(default_factory=dict)  # default: the claim id
    message: Callable[[Finding], str] = attrgetter("message")

    def status(self, status: Status) -> str:
        return self.statuses.get(status, status.value)

    def claim_status(self, status: Status) -> str:
        return self.claim_statuses.get(status, status.value)

    def claim(self, claim: ClaimId) -> str:
        return self.claims.get(claim, claim.value)


ENGLISH = Wording()


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    subject: str  # the server, site, resource or "check on target" that changed
    before: str
    after: str

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind.value,
            "subject": self.subject,
            "before": self.before,
            "after": self.after,
        }
