"""A DNSSEC chain's outcome (what `checks/mail/dnssec.py` found), apart from the code
that validates it, so that judging it loads no DNS or crypto library."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from auditor.core.messages import N_, Message


class ChainStatus(StrEnum):
    SECURE = "secure"
    INSECURE = "insecure"  # unsigned somewhere on the way: nothing to validate
    BOGUS = "bogus"  # signed, and the signatures do not validate
    INDETERMINATE = "indeterminate"  # a lookup failed: could not check


@dataclass
class Chain:
    domain: str
    status: ChainStatus = ChainStatus.INDETERMINATE
    reason: Message = field(default_factory=lambda: N_("not validated"))
    links: list[dict[str, object]] = field(default_factory=list)

    def evidence(self) -> dict[str, object]:
        return {"status": self.status.value, "reason": self.reason, "chain": self.links}
