"""What both pages say of discovery: coverage, where the CT data came from and when, and
(internal page only) every name found, the excluded names with their reasons and the
certificates CT logged in the last 90 days.

The public part holds counts and the CT source's name and time: no name, no address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from auditor.core.changes import Change, ChangeKind
from auditor.core.discovered import CT_DAYS, Kind, Source, coverage, ct_target, recent
from auditor.core.hosts import is_ip_address
from auditor.core.inventory import CtLog, DiscoveredName
from auditor.core.model import Status
from auditor.core.report import Report
from reports import danish
from reports.access_view import Cell, Row

KIND_TEXT: dict[str, str] = {
    Kind.SITE: "Hjemmeside",
    Kind.SERVER: "SSH-server",
    Kind.SILENT: "Svarer ikke",
    Kind.NOT_ASKED: "Ikke spurgt (kun IPv6)",
    Kind.NO_ADDRESS: "Ingen adresse",
    Kind.WILDCARD: "Wildcard (ikke udfoldet)",
    Kind.EXCLUDED: "Udeladt",
}
SOURCE_TEXT: dict[str, str] = {
    Source.CONFIG: "konfigurationen",
    Source.DNS_ZONE: "DNS-zone hos DigitalOcean",
    Source.CT: "Certificate Transparency",
}


NAME_HEADERS = (
    "Navn",
    "Fundet i",
    "Hvad",
    "Adresser",
    "Svarer på",
    "Platform",
    "I konfigurationen",
)
EXCLUDED_HEADERS = ("Navn", "Fundet i", "Begrundelse")
CT_HEADERS = ("crt.sh-id", "Udsteder", "Navne", "Logget", "Gyldigt til", "Nyt")


@dataclass(frozen=True)
class DiscoveryView:
    coverage: str  # "N navne fundet, N kontrolleret, N udeladt med begrundelse"
    unconfigured: int  # live sites the config does not list
    ct_source: str | None  # where and when the CT data was read; None: CT not asked
    ct_source_public: str | None  # the same, for the public page
    ct_stale: bool  # this week's read failed: the list shown is the last run's
    names: tuple[Row, ...]  # internal page only, from here down
    excluded: tuple[Row, ...]
    certificates: tuple[Row, ...]
    ct_days: int = CT_DAYS
    name_headers: tuple[str, ...] = NAME_HEADERS
    excluded_headers: tuple[str, ...] = EXCLUDED_HEADERS
    ct_headers: tuple[str, ...] = CT_HEADERS


def discovered_hosts(report: Report) -> frozenset[str]:
    """The sites audited because discovery found them, not because the config lists them."""
    return frozenset(n.name for n in report.inventory.discovered if n.live and not n.configured)


def _ct_source(log: CtLog | None, public: bool) -> str | None:
    """Where and when; the public page names the service by its host name, never by an
    address (a mirror on an internal address is nobody else's business)."""
    if log is None:
        return None
    host = urlsplit(log.source).hostname or log.source
    where = f" via {log.source}"
    if public:
        where = "" if is_ip_address(host) else f" via {host}"
    if log.stale and not log.fetched_at:
        return (
            f"Certificate Transparency{where}: kunne ikke læses, og der er ingen tidligere liste."
        )
    when = danish.date_time(log.fetched_at)
    if log.stale:
        return (
            f"Certificate Transparency{where}: kunne ikke læses denne uge; "
            f"listen er fra sidste kørsel, hentet {when}."
        )
    return f"Certificate Transparency{where}, hentet {when}."


def _cells(headers: tuple[str, ...], values: tuple[str, ...], idents: set[int]) -> tuple[Cell, ...]:
    """A row's values under their headers; the columns in `idents` hold identifiers."""
    return tuple(
        Cell(h, v, ident=i in idents) for i, (h, v) in enumerate(zip(headers, values, strict=True))
    )


def _name_row(name: DiscoveredName) -> Row:
    status = Status.WARN if name.live and not name.configured else Status.PASS
    verdict = "Ikke i konfigurationen" if status is Status.WARN else ""
    configured = "ja" if name.configured else "nej"
    values = (
        name.name,
        ", ".join(SOURCE_TEXT.get(s, s) for s in name.sources),
        KIND_TEXT.get(name.kind, name.kind),
        "\n".join(name.addresses) or (name.resolve_error or "-"),
        ", ".join(name.serves) or "-",
        name.platform or "-",
        configured,
    )
    return Row(
        _cells(NAME_HEADERS, values, {0, 3} if name.addresses else {0}),
        status.value if verdict else "",
        verdict,
    )


def _certificates(report: Report, changes: Sequence[Change] | None) -> tuple[Row, ...]:
    new = {c.subject for c in changes or () if c.kind is ChangeKind.CT_NEW}
    warned = {
        f.target: f
        for f in report.findings
        if f.check == "ct.issuer" and f.status is not Status.PASS
    }
    moment = danish.parse_time(report.run.finished_at)
    listed = recent(report.inventory.ct_certificates, moment) if moment is not None else []
    rows = []
    for certificate in listed:
        target = ct_target(certificate)
        finding = warned.get(target)
        rows.append(
            Row(
                _cells(
                    CT_HEADERS,
                    (
                        str(certificate.id),
                        certificate.issuer,
                        "\n".join(certificate.names) or "-",
                        danish.date(certificate.logged_at or certificate.not_before),
                        danish.date(certificate.not_after),
                        "ny" if target in new else "",
                    ),
                    {2},
                ),
                finding.status.value if finding else "",
                "Uventet udsteder" if finding else "",
            )
        )
    return tuple(rows)


def discovery_view(report: Report, changes: Sequence[Change] | None = None) -> DiscoveryView | None:
    """None when the run did not discover (no [discovery]): the pages then say nothing of it."""
    names = report.inventory.discovered
    counted = coverage(names)
    if counted is None:
        return None
    line = (
        f"{counted.found} navne fundet, {counted.checked} kontrolleret, "
        f"{counted.excluded} udeladt med begrundelse"
    )
    log = report.inventory.ct_log
    return DiscoveryView(
        coverage=line,
        unconfigured=counted.unconfigured,
        ct_source=_ct_source(log, public=False),
        ct_source_public=_ct_source(log, public=True),
        ct_stale=log is not None and log.stale,
        names=tuple(_name_row(n) for n in names if n.kind != Kind.EXCLUDED),
        excluded=tuple(
            Row(
                _cells(
                    EXCLUDED_HEADERS, (n.name, ", ".join(n.sources), n.excluded_reason or "-"), {0}
                )
            )
            for n in names
            if n.kind == Kind.EXCLUDED
        ),
        certificates=_certificates(report, changes),
    )
