"""Danish words for the pages: statuses, dates, claims; a check's title comes from its spec."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from auditor.core.changes import Wording
from auditor.core.model import CheckSpec, ClaimId, Severity, Status
from reports.catalog import translate

# The pages' readers are in Denmark: every time is shown as a clock there shows it.
COPENHAGEN = ZoneInfo("Europe/Copenhagen")

MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip

# What a claim's status means to a reader of the privacy policy.
CLAIM_STATUS = {
    Status.PASS: "Holder",
    Status.WARN: "Holder",
    Status.FAIL: "Holder ikke",
    Status.ERROR: "Kunne ikke kontrolleres",
    Status.SKIPPED: "Ikke kontrolleret",
}

# A promise no check spoke to (`report.NOTHING_CONFIGURED`, which the report words in English).
NOTHING_CONFIGURED = "Intet, som løftet dækker, var sat op til at blive kontrolleret."

FINDING_STATUS = {
    Status.PASS: "OK",
    Status.WARN: "Bemærkning",
    Status.FAIL: "Fejl",
    Status.ERROR: "Kunne ikke kontrolleres",
    Status.SKIPPED: "Sprunget over",
}

SEVERITY = {
    Severity.INFO: "info",
    Severity.LOW: "lav",
    Severity.MEDIUM: "middel",
    Severity.HIGH: "høj",
    Severity.CRITICAL: "kritisk",
}

# The promises by their subject, short enough for a table cell.
CLAIM_NAMES = {
    ClaimId.HTTPS: "TLS på alle hjemmesider",
    ClaimId.HOSTING: "Hostet hos DigitalOcean i Amsterdam",
    ClaimId.SSH_KEYS: "Adgang kun med nøgler",
    ClaimId.FEW_HOLDERS: "Få godkendte nøgleindehavere",
    ClaimId.MAIL: "Mail gennem Google Workspace",
}


def check_title(catalog: Mapping[str, CheckSpec], check: str) -> str:
    """A check's Danish title; its id for a check the catalog does not know (an old report)."""
    spec = catalog.get(check)
    return spec.title_da if spec is not None else check


def parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def date(text: str) -> str:
    """'2026-11-25T23:30:00+00:00' -> '26. november 2026' (the date in Copenhagen)."""
    moment = parse_time(text)
    if moment is None:
        return text or "ukendt"
    moment = moment.astimezone(COPENHAGEN)
    return f"{moment.day}. {MONTHS[moment.month - 1]} {moment.year}"


def date_time(text: str) -> str:
    """'2026-11-25T05:30:00+00:00' -> '25. november 2026 kl. 06:30' (Copenhagen's clock)."""
    moment = parse_time(text)
    if moment is None:
        return text or "ukendt"
    return f"{date(text)} kl. {moment.astimezone(COPENHAGEN):%H:%M}"


def days(count: int | None) -> str:
    if count is None:
        return "ukendt"
    if count < 0:
        return f"udløbet for {-count} dage siden" if count != -1 else "udløbet i går"
    return "1 dag" if count == 1 else f"{count} dage"


# How the internal page tells what changed since the last run.
WORDING = Wording(
    unknown_holder="ukendt indehaver",
    when=date,
    valid_to="gyldigt til",
    issuer="udsteder",
    serial="serienummer",
    not_checked="ikke kontrolleret",
    check_on_target="{check} på {target}",
    statuses=FINDING_STATUS,
    claim_statuses=CLAIM_STATUS,
    claims=CLAIM_NAMES,
    message=lambda finding: translate(finding).text,
)
