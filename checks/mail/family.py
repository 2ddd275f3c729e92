"""The `mail` family: does the party's mail go through Google Workspace, and is its name
protected against spoofing?

Claim `mail` ("Al mailkommunikation foregår gennem Google Workspace."). One target per
mail domain (`[mail] domains`, by default the registrable domains of the sites). An MX
that is not Google's breaks the promise; so do the anti-spoofing failures the rules name
(no SPF or one that lets anyone send, DMARC without a policy that acts, a DKIM key too
weak to trust). The rest (DMARC quarantine, MTA-STS, TLS-RPT, CAA, an unsigned zone)
warns beside a promise that holds. A domain with a Null MX or no MX "sends no mail": its
MX passes, and only the anti-spoofing rules apply to it (SPF `v=spf1 -all`, DMARC).

Every answer comes from DNS through the run's resolver, each question once per run
(`checks/mail/lookup.py`); the one connection opened is the HTTPS fetch of an MTA-STS
policy. No SMTP server is ever contacted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from auditor.core.family import AuditContext, Check, CheckTable, Family, Outcome, Verdict, specs_of
from auditor.core.inventory import Inventory
from auditor.core.messages import N_, Message
from auditor.core.model import CheckSpec, ClaimId, JSONValue, Severity, Status
from checks.mail import caa, records, spf
from checks.mail.chain import ChainStatus
from checks.mail.facts import (
    NULL_MX,
    MailFacts,
    SiteCertificate,
    collect_caa,
    collect_dmarc,
    collect_spf,
    dmarc_record,
    mx_records,
    organisational,
)
from checks.mail.fetch import Fetched, fetch_policy
from checks.mail.lookup import Answer, MailDns
from checks.mail.spf import GOOGLE_INCLUDE

# Google Workspace's mail servers (support.google.com/a/answer/174125): the five of the
# classic set-up, and the single host of the one Google gives new domains since 2023.
GOOGLE_MX = frozenset(
    {
        "aspmx.l.google.com",
        "alt1.aspmx.l.google.com",
        "alt2.aspmx.l.google.com",
        "alt3.aspmx.l.google.com",
        "alt4.aspmx.l.google.com",
        "smtp.google.com",
    }
)
STRONG_DKIM_BITS = 2048
WEAK_DKIM_BITS = 1024  # still verified by receivers, but below today's advice
MIN_STS_AGE = 86400

Issue = tuple[Status, Message]
_ORDER = {Status.FAIL: 0, Status.ERROR: 1, Status.WARN: 2}


def _verdict(
    issues: Sequence[Issue], passed: Message, evidence: Mapping[str, JSONValue]
) -> Verdict:
    """The worst issue's sentence is the message; the others follow in the evidence."""
    if not issues:
        return Verdict(Status.PASS, passed, evidence)
    ordered = sorted(issues, key=lambda i: _ORDER[i[0]])
    status, message = ordered[0]
    extra = {"also": [m for _, m in ordered[1:]]} if len(ordered) > 1 else {}
    return Verdict(status, message, {**evidence, **extra})


def _unknown_mx(facts: MailFacts) -> Verdict:
    message = N_(
        "Could not tell whether {domain} receives mail: {reason}.",
        domain=facts.domain,
        reason=facts.mx.why(),
    )
    return Verdict(Status.ERROR, message)


def _no_mail(facts: MailFacts) -> Verdict:
    if facts.mx.failed:
        return _unknown_mx(facts)
    return Verdict(
        Status.SKIPPED,
        N_("Not checked: {domain} receives no mail (no MX, or a Null MX).", domain=facts.domain),
        {"mx": list(facts.mx.records)},
    )


# -- MX


def check_mx(facts: MailFacts) -> Verdict:
    answer = facts.mx
    if answer.failed:
        return Verdict(
            Status.ERROR, N_("Could not read the MX records: {reason}.", reason=answer.why())
        )
    found = mx_records(answer)
    evidence = {"mx": [{"preference": m.preference, "host": m.host} for m in found]}
    hosts = [m.host for m in found]
    if not hosts or hosts == [NULL_MX]:
        kind = N_("a Null MX") if hosts else N_("no MX record")
        message = N_("{domain} sends no mail: it has {kind}.", domain=facts.domain, kind=kind)
        return Verdict(Status.PASS, message, {**evidence, "sends_mail": False})
    others = [h for h in hosts if h not in GOOGLE_MX]
    if others:
        shown = ", ".join(others)
        message = N_(
            "Mail for {domain} is delivered to servers that are not Google's: {servers}.",
            domain=facts.domain,
            servers=shown,
        )
        return Verdict(Status.FAIL, message, {**evidence, "not_google": others})
    return Verdict(
        Status.PASS, N_("Every MX of {domain} is Google's.", domain=facts.domain), evidence
    )


# -- SPF


def check_spf(facts: MailFacts) -> Verdict:
    error, walk = facts.spf.error, facts.spf.walk
    if error is not None:
        status = Status.ERROR if error.temporary else Status.FAIL
        message = (
            N_("Could not read the SPF record: {error}.", error=error.message)
            if error.temporary
            else N_("SPF does not work: {error}.", error=error.message)
        )
        return Verdict(status, message, {"error": str(error)})
    assert walk is not None  # one of the two is always set
    evidence = walk.evidence()
    if walk.record is None:
        message = N_(
            "{domain} has no SPF record: anyone may send mail in its name.", domain=facts.domain
        )
        return Verdict(Status.FAIL, message, evidence)
    if facts.mx.failed:
        return _spf_either_way(facts, walk, evidence)
    if not facts.receives_mail:
        return _spf_no_mail(facts.domain, walk.terms, walk.all_qualifier, evidence)
    return _spf_sender(walk, evidence)


def _spf_either_way(
    facts: MailFacts, walk: spf.SpfWalk, evidence: Mapping[str, JSONValue]
) -> Verdict:
    """Without the MX it is unknown which rule applies: a verdict both rules reach stands."""
    sender = _spf_sender(walk, evidence)
    silent = _spf_no_mail(facts.domain, walk.terms, walk.all_qualifier, evidence)
    return sender if sender.status is silent.status else _unknown_mx(facts)


def _spf_sender(walk: spf.SpfWalk, evidence: Mapping[str, JSONValue]) -> Verdict:
    issues: list[Issue] = []
    ending = f"{walk.all_qualifier}all" if walk.all_qualifier else N_("no all")
    if walk.all_qualifier not in ("-", "~"):
        message = N_(
            "The SPF record ends in {ending}: it does not refuse other senders.", ending=ending
        )
        issues.append((Status.FAIL, message))
    if not walk.includes_google:
        message = N_(
            "The SPF record does not include {include}: Google may not send.",
            include=GOOGLE_INCLUDE,
        )
        issues.append((Status.FAIL, message))
    issues += [(Status.WARN, N_("The SPF record: {warning}.", warning=w)) for w in walk.warnings]
    passed = N_(
        "The SPF record includes {include}, ends in {ending} and needs {lookups} of 10 DNS "
        "lookups.",
        include=GOOGLE_INCLUDE,
        ending=ending,
        lookups=walk.lookups,
    )
    return _verdict(issues, passed, evidence)


def _spf_no_mail(
    domain: str, terms: Sequence[str], qualifier: str | None, evidence: Mapping[str, JSONValue]
) -> Verdict:
    if [t.lower() for t in terms] == ["-all"]:
        message = N_("{domain} sends no mail and its SPF says so (-all).", domain=domain)
        return Verdict(Status.PASS, message, evidence)
    if qualifier in ("-", "~"):
        message = N_(
            "{domain} has no MX, so it is taken to send no mail, but its SPF record "
            "authorises senders; v=spf1 -all would refuse them all.",
            domain=domain,
        )
        return Verdict(Status.WARN, message, evidence)
    message = N_(
        "{domain} sends no mail, but its SPF record does not refuse senders (v=spf1 -all).",
        domain=domain,
    )
    return Verdict(Status.FAIL, message, evidence)


# -- DKIM


def check_dkim(facts: MailFacts) -> Verdict:
    if not facts.receives_mail:
        return _no_mail(facts)
    issues: list[Issue] = []
    keys: list[dict[str, JSONValue]] = []
    for selector, answer in facts.dkim:
        name = f"{selector}._domainkey.{facts.domain}"
        issue, key = _dkim_selector(name, answer)
        keys.append({"selector": selector, **key})
        if issue is not None:
            issues.append(issue)
    shown = ", ".join(str(k["selector"]) for k in keys)
    passed = N_(
        "The DKIM key of selector {selectors} is RSA of at least {bits} bits.",
        selectors=shown,
        bits=STRONG_DKIM_BITS,
    )
    return _verdict(issues, passed, {"keys": keys})


def _dkim_selector(name: str, answer: Answer) -> tuple[Issue | None, dict[str, JSONValue]]:
    if answer.failed:
        return (Status.ERROR, N_("Could not read the DKIM key: {reason}.", reason=answer.why())), {}
    found = [r for r in answer.records if "p=" in r]
    if not found:
        return (Status.WARN, N_("No DKIM key is published at {name}.", name=name)), {"record": None}
    if len(found) > 1:
        message = N_("{name} publishes {count} DKIM records.", name=name, count=len(found))
        return (Status.WARN, message), {"records": found}
    try:
        key = records.dkim_key(found[0])
    except records.RecordError as exc:
        message = N_("No usable DKIM key at {name}: {reason}.", name=name, reason=exc.message)
        return (Status.WARN, message), {"record": found[0]}
    evidence: dict[str, JSONValue] = {"key_type": key.key_type, "bits": key.bits}
    if key.revoked:
        return (
            Status.WARN,
            N_("The DKIM key at {name} is revoked (empty p=).", name=name),
        ), evidence
    if key.key_type != "RSA":
        message = N_(
            "The DKIM key at {name} is {key_type}, which many receivers cannot verify.",
            name=name,
            key_type=key.key_type,
        )
        return (Status.WARN, message), evidence
    bits = key.bits or 0
    if bits < WEAK_DKIM_BITS:
        message = N_(
            "The DKIM key at {name} is RSA of {bits} bits: it can be broken, and forged.",
            name=name,
            bits=bits,
        )
        return (Status.FAIL, message), evidence
    if bits < STRONG_DKIM_BITS:
        message = N_(
            "The DKIM key at {name} is RSA of {bits} bits; {advised} is advised.",
            name=name,
            bits=bits,
            advised=STRONG_DKIM_BITS,
        )
        return (Status.WARN, message), evidence
    return None, evidence


# -- DMARC


def check_dmarc(facts: MailFacts) -> Verdict:
    dmarc = facts.dmarc
    failed = next((a for a in dmarc.answers if a.failed), None)
    if failed is not None:
        return Verdict(
            Status.ERROR, N_("Could not read the DMARC record: {reason}.", reason=failed.why())
        )
    found = dmarc_record(dmarc.answers[-1])
    where = f"_dmarc.{dmarc.owner}"
    evidence: dict[str, JSONValue] = {"name": where, "records": found}
    if not found:
        message = N_(
            "{domain} has no DMARC record: receivers are not told to refuse forgeries.",
            domain=facts.domain,
        )
        return Verdict(Status.FAIL, message, evidence)
    if len(found) > 1:
        message = N_(
            "{name} has {count} DMARC records, so receivers apply none of them.",
            name=where,
            count=len(found),
        )
        return Verdict(Status.FAIL, message, evidence)
    try:
        parsed = records.dmarc(found[0])
    except records.RecordError as exc:
        message = N_("The DMARC record is not valid: {reason}.", reason=exc.message)
        return Verdict(Status.FAIL, message, evidence)
    inherited = dmarc.owner != facts.domain
    policy = parsed.policy_for(inherited)
    evidence |= {"policy": policy, "inherited": inherited, "pct": parsed.pct, "rua": parsed.rua}
    issues = _dmarc_policy(policy, parsed.pct) + _dmarc_reports(parsed, dmarc.authorisations)
    passed = N_(
        "DMARC tells receivers to reject mail that fails (p=reject, at {name}).", name=where
    )
    return _verdict(issues, passed, evidence)


def _dmarc_policy(policy: str, pct: int) -> list[Issue]:
    issues: list[Issue] = []
    if policy == "none":
        issues.append((Status.FAIL, N_("The DMARC policy is none: forged mail is delivered.")))
    elif policy == "quarantine":
        issues.append(
            (Status.WARN, N_("The DMARC policy is quarantine: forged mail goes to spam."))
        )
    if pct < 100 and policy != "none":
        message = N_("The DMARC policy applies to only {pct}% of failing mail.", pct=pct)
        issues.append((Status.WARN, message))
    return issues


def _dmarc_reports(parsed: records.Dmarc, authorisations: Mapping[str, Answer]) -> list[Issue]:
    if not parsed.rua:
        return [(Status.WARN, N_("The DMARC record asks for no aggregate reports (rua=)."))]
    issues: list[Issue] = []
    for target, answer in sorted(authorisations.items()):
        if answer.failed:
            message = N_(
                "Could not read the DMARC report authorisation: {reason}.", reason=answer.why()
            )
            issues.append((Status.ERROR, message))
        elif not dmarc_record(answer):
            message = N_(
                "{target} has not authorised DMARC reports for this domain (RFC 7489 §7.1).",
                target=target,
            )
            issues.append((Status.WARN, message))
    return issues


# -- MTA-STS and TLS-RPT


def check_mta_sts(facts: MailFacts) -> Verdict:
    if not facts.receives_mail:
        return _no_mail(facts)
    answer = facts.mta_sts
    if answer.failed:
        return Verdict(
            Status.ERROR, N_("Could not read the MTA-STS record: {reason}.", reason=answer.why())
        )
    found = [r for r in answer.records if records.starts_with(r, "STSv1")]
    evidence: dict[str, JSONValue] = {"record": found}
    if not found:
        message = N_(
            "{domain} publishes no MTA-STS record: senders may deliver without TLS.",
            domain=facts.domain,
        )
        return Verdict(Status.WARN, message, evidence)
    if len(found) > 1:
        message = N_(
            "{domain} publishes {count} MTA-STS records, so senders use none.",
            domain=facts.domain,
            count=len(found),
        )
        return Verdict(Status.WARN, message, evidence)
    try:
        evidence["id"] = records.mta_sts_id(found[0])
    except records.RecordError as exc:
        message = N_("The MTA-STS record is not valid: {reason}.", reason=exc.message)
        return Verdict(Status.WARN, message, evidence)
    return _sts_policy(facts, evidence)


def _sts_policy(facts: MailFacts, evidence: dict[str, JSONValue]) -> Verdict:
    fetched = facts.policy
    assert fetched is not None  # fetched whenever the record is there
    evidence["url"] = fetched.url
    problem = fetched.problem or ""
    if fetched.unreachable:
        message = N_("Could not fetch the MTA-STS policy: {reason}.", reason=problem)
        return Verdict(Status.ERROR, message, evidence)
    if fetched.text is None:
        message = N_("No usable MTA-STS policy: {reason}.", reason=problem)
        return Verdict(Status.WARN, message, evidence)
    try:
        policy = records.sts_policy(fetched.text)
    except records.RecordError as exc:
        message = N_("The MTA-STS policy is not valid: {reason}.", reason=exc.message)
        return Verdict(Status.WARN, message, evidence)
    evidence |= {"mode": policy.mode, "mx": list(policy.mx), "max_age": policy.max_age}
    issues: list[Issue] = []
    if policy.mode != "enforce":
        message = N_("The MTA-STS policy is in {mode} mode, not enforce.", mode=policy.mode)
        issues.append((Status.WARN, message))
    mx_hosts = [m.host for m in mx_records(facts.mx)]
    uncovered = [h for h in mx_hosts if not any(records.mx_matches(p, h) for p in policy.mx)]
    if uncovered:
        shown = ", ".join(uncovered)
        message = N_("The MTA-STS policy does not cover these MX: {hosts}.", hosts=shown)
        issues.append((Status.WARN, message))
    if policy.max_age < MIN_STS_AGE:
        message = N_(
            "The MTA-STS policy's max_age is {max_age} s, less than a day.",
            max_age=policy.max_age,
        )
        issues.append((Status.WARN, message))
    passed = N_("MTA-STS is enforced for every MX, and the policy is kept at least a day.")
    return _verdict(issues, passed, evidence)


def check_tls_rpt(facts: MailFacts) -> Verdict:
    if not facts.receives_mail:
        return _no_mail(facts)
    answer = facts.tls_rpt
    if answer.failed:
        return Verdict(
            Status.ERROR, N_("Could not read the TLS-RPT record: {reason}.", reason=answer.why())
        )
    found = [r for r in answer.records if records.starts_with(r, "TLSRPTv1")]
    evidence: dict[str, JSONValue] = {"name": f"_smtp._tls.{facts.domain}", "records": found}
    if len(found) != 1:
        message = N_(
            "{domain} has no single TLS-RPT record: TLS failures go unreported.",
            domain=facts.domain,
        )
        return Verdict(Status.WARN, message, evidence)
    try:
        evidence["rua"] = list(records.tls_rpt(found[0]))
    except records.RecordError as exc:
        message = N_("The TLS-RPT record is not valid: {reason}.", reason=exc.message)
        return Verdict(Status.WARN, message, evidence)
    return Verdict(Status.PASS, N_("TLS failures are reported (TLS-RPT with rua=)."), evidence)


# -- DNSSEC


def check_dnssec(facts: MailFacts) -> Verdict:
    chain = facts.dnssec
    assert chain is not None  # collected for every domain the family audits
    evidence = chain.evidence()
    if chain.status is ChainStatus.SECURE:
        message = N_("{domain} is {reason}.", domain=facts.domain, reason=chain.reason)
        return Verdict(Status.PASS, message, evidence)
    if chain.status is ChainStatus.INSECURE:
        message = N_(
            "{domain} is not protected by DNSSEC: {reason}.",
            domain=facts.domain,
            reason=chain.reason,
        )
        return Verdict(Status.WARN, message, evidence)
    if chain.status is ChainStatus.BOGUS:
        message = N_(
            "DNSSEC of {domain} does not validate, so resolvers refuse it: {reason}.",
            domain=facts.domain,
            reason=chain.reason,
        )
        return Verdict(Status.FAIL, message, evidence)
    message = N_("Could not validate DNSSEC: {reason}.", reason=chain.reason)
    return Verdict(Status.ERROR, message, evidence)


# -- CAA


def check_caa(facts: MailFacts) -> Verdict:
    found = facts.caa
    assert found is not None  # collected for every domain the family audits
    looked = [found.domain, *(r for _, r in found.sites)]
    failed = next((r.answer for r in looked if r.answer is not None and r.answer.failed), None)
    if failed is not None:
        return Verdict(
            Status.ERROR, N_("Could not read the CAA records: {reason}.", reason=failed.why())
        )
    evidence: dict[str, JSONValue] = {
        "caa": {r.name: list(r.answer.records) if r.answer else [] for r in looked},
        "issuers": {site.host: site.issuer for site, _ in found.sites},
    }
    if all(r.found_at is None for r in looked):
        message = N_(
            "{domain} has no CAA record: any CA may issue certificates for it.",
            domain=facts.domain,
        )
        return Verdict(Status.WARN, message, evidence)
    issues = [issue for site, r in found.sites if (issue := _caa_site(site, r)) is not None]
    names = sorted({site.issuer for site, _ in found.sites})
    passed = (
        N_(
            "CAA allows the issuers of the sites' certificates ({issuers}).",
            issuers=", ".join(names),
        )
        if names
        else N_("CAA limits who may issue certificates for {domain}.", domain=facts.domain)
    )
    return _verdict(issues, passed, evidence)


def _caa_site(site: SiteCertificate, found: caa.Relevant) -> Issue | None:
    records = found.answer.records if found.answer is not None else ()
    allowed = caa.issuers(records, site.wildcard)
    if found.found_at is None or allowed is None:
        return None  # no CAA set, or one without an issue property: any CA may
    if not site.identities:
        message = N_(
            "Could not tell whether CAA allows {issuer}, which issued the certificate of "
            "{host}: add its CAA identity under [mail.caa_identities].",
            issuer=site.issuer,
            host=site.host,
        )
        return (Status.WARN, message)
    if set(site.identities) & set(allowed):
        return None
    message = N_(
        "The CAA at {name} would forbid {issuer}, which issued the certificate of {host}, to "
        "renew it.",
        name=found.found_at,
        issuer=site.issuer,
        host=site.host,
    )
    return (Status.WARN, message)


# One check of one domain: what was collected of it.
Judge = Callable[[MailFacts], Verdict]


def _spec(check_id: str, title: str, title_da: str, severity: Severity, fix: str) -> CheckSpec:
    return CheckSpec(
        check_id, title=title, title_da=title_da, claim=ClaimId.MAIL, severity=severity,
        remediation=fix,
    )  # fmt: skip


# Every mail check, in report order.
CHECKS: CheckTable[Judge] = CheckTable(
    (
        Check(
            _spec(
                "mail.mx",
                "Every MX is Google Workspace's",
                "Mail modtages af Google Workspace",
                Severity.HIGH,
                "Point the domain's MX records at Google only (smtp.google.com, or "
                "aspmx.l.google.com and alt1-alt4), or publish a Null MX if it takes no mail.",
            ),
            check_mx,
        ),
        Check(
            _spec(
                "mail.spf",
                "SPF allows Google and refuses other senders",
                "SPF tillader kun Google at sende",
                Severity.HIGH,
                "Publish one record: v=spf1 include:_spf.google.com -all (or ~all); a "
                "domain without mail: v=spf1 -all. At most 10 DNS lookups in all.",
            ),
            check_spf,
        ),
        Check(
            _spec(
                "mail.dkim",
                "DKIM key of at least 2048 bits",
                "DKIM-nøgle på mindst 2048 bit",
                Severity.MEDIUM,
                "Generate a 2048-bit DKIM key in the Google Admin console (Apps > Gmail > "
                "Authenticate email) and publish it at google._domainkey.",
            ),
            check_dkim,
        ),
        Check(
            _spec(
                "mail.dmarc",
                "DMARC rejects forged mail",
                "DMARC afviser forfalsket mail",
                Severity.HIGH,
                "Publish _dmarc with p=reject (and sp=reject), pct=100 and rua=mailto: a "
                "mailbox that reads the reports; an outside mailbox must authorise them.",
            ),
            check_dmarc,
        ),
        Check(
            _spec(
                "mail.mta_sts",
                "MTA-STS policy enforced for every MX",
                "MTA-STS kræver krypteret levering",
                Severity.LOW,
                "Publish _mta-sts TXT (v=STSv1; id=...) and https://mta-sts.<domain>/"
                ".well-known/mta-sts.txt with mode: enforce, every MX, max_age >= 86400.",
            ),
            check_mta_sts,
        ),
        Check(
            _spec(
                "mail.tls_rpt",
                "TLS-RPT reports delivery failures",
                "Fejl i krypteret levering rapporteres",
                Severity.LOW,
                "Publish _smtp._tls TXT: v=TLSRPTv1; rua=mailto:<a mailbox that reads them>.",
            ),
            check_tls_rpt,
        ),
        Check(
            _spec(
                "mail.dnssec",
                "DNSSEC signed and validating",
                "Domænet er signeret med DNSSEC",
                Severity.MEDIUM,
                "Turn on DNSSEC at the DNS host and publish the DS record at the registrar; "
                "re-sign before signatures expire.",
            ),
            check_dnssec,
        ),
        Check(
            _spec(
                "mail.caa",
                "CAA allows the sites' certificate issuers",
                "CAA tillader vores certifikatudstedere",
                Severity.LOW,
                "Publish CAA issue records for the CAs the sites use (e.g. 0 issue "
                '"letsencrypt.org"), so that no other CA may issue for the domain.',
            ),
            check_caa,
        ),
    )
)
SPECS = specs_of(CHECKS)


@dataclass(frozen=True)
class MailTarget:
    domain: str
    dns: MailDns  # the run's: every domain shares its answers
    # The certificates the sites under this domain serve now (the tls family's record).
    sites: tuple[SiteCertificate, ...] = ()

    @property
    def label(self) -> str:
        return self.domain


def mail_domains(ctx: AuditContext) -> tuple[str, ...]:
    """`[mail] domains`, or the registrable domains of the sites, each once."""
    configured = ctx.config.mail.domains
    if configured is not None:
        return configured
    found = (organisational(site.host) for site in ctx.config.sites)
    return tuple(dict.fromkeys(d for d in found if d is not None))


def _targets(ctx: AuditContext, inventory: Inventory) -> list[MailTarget]:
    domains = mail_domains(ctx)
    if not domains:
        return []
    dns = MailDns(ctx.config)
    extra = ctx.config.mail.caa_identities
    return [MailTarget(d, dns, _site_certificates(d, inventory, extra)) for d in domains]


def _site_certificates(
    domain: str, inventory: Inventory, extra: Mapping[str, tuple[str, ...]]
) -> tuple[SiteCertificate, ...]:
    """Each site under `domain` whose certificate was read, once per (site, issuer)."""
    found: dict[tuple[str, str], SiteCertificate] = {}
    for record in inventory.certificates:
        host = record.site.lower()
        if not record.sha256 or not (host == domain or host.endswith("." + domain)):
            continue
        issuer = record.issuer_organization or record.issuer
        wildcard = host not in record.sans and any(n.startswith("*.") for n in record.sans)
        identities = caa.identities(issuer, extra)
        found[(host, issuer)] = SiteCertificate(host, issuer, identities, wildcard)
    return tuple(found.values())


# Lookups of one domain in flight at once: its records are independent questions, and
# asked one after another they would cost a round trip each (see benchmarks/mail.py).
_PARALLEL_PER_DOMAIN = 8


def _mta_sts(domain: str, dns: MailDns, ctx: AuditContext) -> tuple[Answer, Fetched | None]:
    """The _mta-sts record, and the policy it announces (fetched only when announced)."""
    sts = dns.ask(f"_mta-sts.{domain}", "TXT")
    if not any(records.starts_with(r, "STSv1") for r in sts.records):
        return sts, None
    mail = ctx.config.mail
    policy = fetch_policy(
        domain,
        ctx.addresses.lookup(f"mta-sts.{domain}"),
        mail.mta_sts_port,
        ctx.config.limits.connect_timeout,
        mail.ca_file,
    )
    return sts, policy


def collect(target: MailTarget, ctx: AuditContext) -> MailFacts:
    # dnspython and the signature code load with the first mail domain, not with every
    # command (`auditor run --help` loads no probe).
    from checks.mail.dnssec import validate_chain  # noqa: PLC0415

    domain, dns = target.domain, target.dns
    org = organisational(domain) or domain
    selectors = ctx.config.mail.dkim_selectors
    anchors, now = ctx.config.mail.dnssec_anchors, ctx.now().timestamp()
    with ThreadPoolExecutor(_PARALLEL_PER_DOMAIN, thread_name_prefix="mail") as pool:
        mx = pool.submit(dns.ask, domain, "MX")
        sts = pool.submit(_mta_sts, domain, dns, ctx)
        spf_found = pool.submit(collect_spf, domain, dns)
        dmarc = pool.submit(collect_dmarc, domain, org, dns)
        dkim = [(s, pool.submit(dns.ask, f"{s}._domainkey.{domain}", "TXT")) for s in selectors]
        tls_rpt = pool.submit(dns.ask, f"_smtp._tls.{domain}", "TXT")
        caa_found = pool.submit(collect_caa, domain, target.sites, dns)
        chain = pool.submit(validate_chain, domain, anchors, dns.ask, now)
        sts_answer, policy = sts.result()
        return MailFacts(
            domain=domain,
            org=org,
            mx=mx.result(),
            spf=spf_found.result(),
            dmarc=dmarc.result(),
            dkim=tuple((s, answer.result()) for s, answer in dkim),
            mta_sts=sts_answer,
            policy=policy,
            tls_rpt=tls_rpt.result(),
            caa=caa_found.result(),
            dnssec=chain.result(),
        )


def evaluate(facts: MailFacts) -> Outcome:
    return Outcome(
        findings=tuple(check.finding(facts.domain, check.judge(facts)) for check in CHECKS)
    )


def _audit(target: MailTarget, ctx: AuditContext) -> Outcome:
    return evaluate(collect(target, ctx))


FAMILY: Family[MailTarget] = Family(
    name="mail", after=("tls",), specs=SPECS, targets=_targets, audit=_audit
)
