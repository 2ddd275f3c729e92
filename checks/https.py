"""Placeholder for the `https` family: no targets until its issue lands."""

from __future__ import annotations

from auditor.family import AuditContext, Family, Outcome, SimpleTarget
from auditor.inventory import Inventory


def _targets(ctx: AuditContext, inventory: Inventory) -> list[SimpleTarget]:
    return []


def _audit(target: SimpleTarget, ctx: AuditContext) -> Outcome:
    return Outcome()


FAMILY: Family[SimpleTarget] = Family(
    name="https", stage=1, specs=(), targets=_targets, audit=_audit
)
