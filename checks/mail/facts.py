"""What the mail family collects of one domain: every DNS answer and the MTA-STS policy.

Collected once per domain, before any check judges, through the run's `MailDns` (each
question asked once per run); the judges in `checks/mail/family.py` are pure functions
of these facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checks.https.probe import registrable_domain
from checks.mail import caa, records, spf
from checks.mail.chain import Chain
from checks.mail.fetch import Fetched
from checks.mail.lookup import Answer, MailDns

NULL_MX = "."


def organisational(domain: str) -> str | None:
    """RFC 7489 §3.2's organisational domain: the registrable domain, by the Public Suffix List."""
    return registrable_domain(domain)


@dataclass(frozen=True)
class Mx:
    preference: int
    host: str  # lower case, no trailing dot; "." for a Null MX


def mx_records(answer: Answer) -> tuple[Mx, ...]:
    found = []
    for text in answer.records:
        preference, _, host = text.partition(" ")
        host = host.strip().lower()
        found.append(Mx(int(preference), host if host == NULL_MX else host.rstrip(".")))
    return tuple(sorted(found, key=lambda m: (m.preference, m.host)))


@dataclass(frozen=True)
class SpfFacts:
    walk: spf.SpfWalk | None = None
    error: spf.SpfError | None = None


@dataclass(frozen=True)
class DmarcFacts:
    owner: str  # the domain whose _dmarc record applies (the domain, or its org domain)
    answers: tuple[Answer, ...]  # the domain's _dmarc, then the org domain's when asked
    # External report destinations' authorisation records (RFC 7489 §7.1), by their domain.
    authorisations: dict[str, Answer] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteCertificate:
    """A site under the mail domain, and who issued the certificate it serves now."""

    host: str
    issuer: str  # the issuer's organisation (or whole name)
    identities: tuple[str, ...]  # the CAA identities that allow that issuer (none known: ())
    wildcard: bool  # served under a wildcard name: issuewild decides


@dataclass(frozen=True)
class CaaFacts:
    domain: caa.Relevant
    sites: tuple[tuple[SiteCertificate, caa.Relevant], ...] = ()


@dataclass(frozen=True)
class MailFacts:
    domain: str
    org: str
    mx: Answer
    spf: SpfFacts
    dmarc: DmarcFacts
    dkim: tuple[tuple[str, Answer], ...]
    mta_sts: Answer
    policy: Fetched | None
    tls_rpt: Answer
    caa: CaaFacts | None = None
    dnssec: Chain | None = None

    @property
    def receives_mail(self) -> bool:
        """Has MX records other than a Null MX (RFC 7505): the domain's mail goes somewhere."""
        hosts = [m.host for m in mx_records(self.mx)] if self.mx.rcode.value == "ok" else []
        return bool(hosts) and hosts != [NULL_MX]

    @property
    def subdomain(self) -> bool:
        return self.domain != self.org


def collect_spf(domain: str, dns: MailDns) -> SpfFacts:
    try:
        return SpfFacts(walk=spf.walk(domain, dns.ask))
    except spf.SpfError as exc:
        return SpfFacts(error=exc)


def dmarc_record(answer: Answer) -> list[str]:
    """The DMARC records among a _dmarc name's TXT records (RFC 7489 §6.6.3)."""
    return [r for r in answer.records if records.starts_with(r, "DMARC1")]


def collect_dmarc(domain: str, org: str, dns: MailDns) -> DmarcFacts:
    own = dns.ask(f"_dmarc.{domain}", "TXT")
    answers: tuple[Answer, ...] = (own,)
    owner = domain
    if not own.failed and not dmarc_record(own) and org != domain:
        answers = (own, dns.ask(f"_dmarc.{org}", "TXT"))
        owner = org
    found = dmarc_record(answers[-1])
    authorisations: dict[str, Answer] = {}
    if len(found) == 1:
        try:
            parsed = records.dmarc(found[0])
        except records.RecordError:
            parsed = None
        for address in parsed.rua if parsed else ():
            target = address.rpartition("@")[2]
            if organisational(target) != organisational(owner):
                name = f"{owner}._report._dmarc.{target}"
                authorisations[target] = dns.ask(name, "TXT")
    return DmarcFacts(owner, answers, authorisations)


def collect_caa(domain: str, sites: tuple[SiteCertificate, ...], dns: MailDns) -> CaaFacts:
    return CaaFacts(
        domain=caa.relevant(domain, domain, dns.ask),
        sites=tuple((site, caa.relevant(site.host, domain, dns.ask)) for site in sites),
    )
