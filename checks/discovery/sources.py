"""Where discovered names come from: the config, the account's DNS zones, and CT (crt.sh).

Each source is optional. A source that is configured but cannot be read this run is a
problem the coverage check reports as `error` ("could not check"): a list that is missing
a source is never a complete list. When crt.sh is down, the last run's CT list (from the
history) stands in, marked as such, so the names it held are still audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from auditor.core.config import DiscoverySettings
from auditor.core.discovered import Source
from auditor.core.errors import AuditorError
from auditor.core.family import AuditContext
from auditor.core.inventory import CtCertificate, CtLog
from auditor.core.messages import N_, Message
from checks.digitalocean.family import client_for
from checks.discovery.names import clean_name

# The record types whose names are hosts someone may visit (MX, TXT, SRV name no web site).
HOST_RECORDS = ("A", "AAAA", "CNAME")


@dataclass
class Gathered:
    names: dict[str, list[str]] = field(default_factory=dict)  # name -> its sources
    problems: list[Message] = field(default_factory=list)  # why a source could not be read
    ct_certificates: tuple[CtCertificate, ...] = ()
    ct_log: CtLog | None = None

    def add(self, names: Iterable[str], source: Source) -> None:
        for name in names:
            sources = self.names.setdefault(name, [])
            if source.value not in sources:
                sources.append(source.value)


def under(name: str, domains: Iterable[str]) -> bool:
    bare = name.removeprefix("*.")
    return any(bare == d or bare.endswith("." + d) for d in domains)


def gather(ctx: AuditContext, settings: DiscoverySettings) -> Gathered:
    gathered = Gathered()
    gathered.add((site.host for site in ctx.config.sites), Source.CONFIG)
    gathered.add(settings.domains, Source.CONFIG)
    if settings.dns_zones:
        _zones(ctx, gathered)
    if settings.certificate_transparency and settings.domains:
        _ct(ctx, settings, gathered)
    return gathered


def zone_names(zone: str, records: Iterable[dict[str, object]]) -> list[str]:
    """The host names a zone's A, AAAA and CNAME records give ("@" is the zone itself)."""
    names = []
    for record in records:
        label = record.get("name")
        if record.get("type") not in HOST_RECORDS or not isinstance(label, str):
            continue
        name = clean_name(zone if label == "@" else f"{label}.{zone}")
        if name is not None:
            names.append(name)
    return names


def _zones(ctx: AuditContext, gathered: Gathered) -> None:
    client = client_for(ctx)
    if client is None:
        variable = ctx.config.digitalocean.token_env
        gathered.problems.append(
            N_(
                "the DigitalOcean DNS zones could not be read: no token ({variable} is not set)",
                variable=variable,
            )
        )
        return
    try:
        for zone in client.domains():
            name = clean_name(zone)
            if name is None:
                continue
            gathered.add([name], Source.DNS_ZONE)
            gathered.add(zone_names(name, client.domain_records(zone)), Source.DNS_ZONE)
    except AuditorError as exc:
        gathered.problems.append(
            N_("the DigitalOcean DNS zones could not be read: {error}", error=str(exc))
        )


def _ct(ctx: AuditContext, settings: DiscoverySettings, gathered: Gathered) -> None:
    # requests is loaded only by a run that asks crt.sh (~60 ms of start-up otherwise).
    from checks.discovery import crtsh  # noqa: PLC0415

    query = crtsh.CtQuery(settings.crtsh_url, ctx.config.limits.connect_timeout)
    certificates: dict[int, CtCertificate] = {}
    try:
        for domain in settings.domains:
            for certificate in crtsh.fetch_domain(query, domain):
                certificates.setdefault(certificate.id, certificate)
    except crtsh.CtError as exc:
        _ct_fallback(ctx, settings, gathered, exc.message)
        return
    gathered.ct_certificates = tuple(certificates.values())
    gathered.ct_log = CtLog(
        source=settings.crtsh_url,
        fetched_at=ctx.now().isoformat(timespec="seconds"),
        domains=settings.domains,
    )
    _ct_names(gathered, settings)


def _ct_fallback(
    ctx: AuditContext, settings: DiscoverySettings, gathered: Gathered, error: Message
) -> None:
    """crt.sh is down: could not check this week; the last run's list, marked, stands in.

    The log's `error` is the message itself (a `str`, which the history keeps as its English
    sentence), so that the ct family, which reads it later in the run, can have it translated.
    """
    previous = ctx.previous
    last = previous.ct_log if previous is not None else None
    shown = (
        N_("the last run's list is used") if last is not None else N_("there is no earlier list")
    )
    gathered.problems.append(
        N_(
            "Certificate Transparency could not be read from crt.sh ({error}); {shown}",
            error=error,
            shown=shown,
        )
    )
    gathered.ct_certificates = previous.ct_certificates if previous is not None else ()
    gathered.ct_log = CtLog(
        source=last.source if last is not None else settings.crtsh_url,
        fetched_at=last.fetched_at if last is not None else "",
        stale=True,
        error=error,
        domains=settings.domains,
    )
    _ct_names(gathered, settings)


def _ct_names(gathered: Gathered, settings: DiscoverySettings) -> None:
    names = (n for c in gathered.ct_certificates for n in c.names)
    gathered.add((n for n in names if under(n, settings.domains)), Source.CT)
