"""Danish words for the pages: statuses, dates, check titles."""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.core.changes import Wording
from auditor.core.model import ClaimId, Severity, Status

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

FINDING_STATUS = {
    Status.PASS: "OK",
    Status.WARN: "Bemærkning",
    Status.FAIL: "Fejl",
    Status.ERROR: "Kunne ikke kontrolleres",
    Status.SKIPPED: "Sprunget over",
}

CHECK_TITLES = {
    "tls.connect": "TLS-forbindelse",
    "tls.cert.trusted": "Certifikatet er udstedt af en betroet udsteder",
    "tls.cert.chain_complete": "Hele certifikatkæden sendes",
    "tls.cert.hostname": "Certifikatet gælder for navnet",
    "tls.cert.expiry": "Certifikatet er gyldigt",
    "tls.cert.key": "Stærk nøgle",
    "tls.cert.signature": "Stærk signatur",
    "tls.protocols": "Kun TLS 1.2 og 1.3",
    "tls.ciphers": "Ingen svage krypteringer",
    "https.redirect": "http:// sender videre til https://",
    "https.hsts": "HSTS (browseren husker at bruge https://)",
    "ssh.connect": "SSH-forbindelse",
    "ssh.auth.password": "Ingen adgangskode-login",
    "ssh.auth.keyboard_interactive": "Ingen keyboard-interactive-login",
    "ssh.auth.publickey": "Login med nøgle",
    "ssh.config.effective": "sshd-konfiguration",
    "access.key.unknown": "Nøglen tilhører en kendt person",
    "access.key.unapproved": "Nøgleindehaveren er godkendt",
    "access.key.weak": "Stærk nøgle",
    "access.holders.count": "Få nøgleindehavere",
    "do.droplet.region": "Placeret i Amsterdam",
    "do.firewall.ssh_open": "SSH er ikke åben for hele internettet",
    "do.droplet.no_firewall": "Firewall på serveren",
    "do.certificate.expiry": "DigitalOcean-certifikat er gyldigt",
    "dns.points_to_inventory": "Peger på vores servere i Amsterdam",
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
}


def parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def date(text: str) -> str:
    """'2026-11-25T05:30:00+00:00' -> '25. november 2026'."""
    moment = parse_time(text)
    if moment is None:
        return text or "ukendt"
    moment = moment.astimezone(UTC)
    return f"{moment.day}. {MONTHS[moment.month - 1]} {moment.year}"


def date_time(text: str) -> str:
    """'2026-11-25T05:30:00+00:00' -> '25. november 2026 kl. 05:30 UTC'."""
    moment = parse_time(text)
    if moment is None:
        return text or "ukendt"
    moment = moment.astimezone(UTC)
    return f"{date(text)} kl. {moment:%H:%M} UTC"


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
    not_checked="ikke kontrolleret",
    check_on_target="{check} på {target}",
    statuses=FINDING_STATUS,
    claim_statuses=CLAIM_STATUS,
    claims=CLAIM_NAMES,
)
