"""The `digitalocean` family: the account's inventory, its regions, firewalls and certificates.

Claim `hosting` ("Vores servere er hostet hos DigitalOcean i Amsterdam"): every droplet,
load balancer and reserved IP must be in an allowed region. The firewall checks speak to
`ssh-keys` (who can reach a login prompt at all), the certificates DigitalOcean keeps for
load balancers to `https`. The inventory feeds the ssh family (droplets become SSH
targets), the dns family (where sites may point) and the access family (account keys).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from auditor.core.errors import CredentialsError, DigitalOceanError
from auditor.core.family import (
    AuditContext,
    Check,
    CheckTable,
    Family,
    Outcome,
    SimpleTarget,
    Verdict,
    specs_of,
)
from auditor.core.inventory import CloudResource, FoundKey, Inventory
from auditor.core.messages import N_, Message
from auditor.core.model import CheckSpec, ClaimId, Finding, Severity, Status, worst_status
from checks.digitalocean import inventory as parse

if TYPE_CHECKING:
    from checks.digitalocean.client import DigitalOceanClient

ACCOUNT_TARGET = "digitalocean"

KIND_NAMES = {
    "droplet": N_("Droplet"),
    "load_balancer": N_("Load balancer"),
    "reserved_ip": N_("Reserved IP"),
    "app": N_("App"),
    "cdn_endpoint": N_("CDN endpoint"),
}


@dataclass(frozen=True)
class AccountInventory:
    """Everything read from one account, already in the audit's own records."""

    account: str
    # droplets, load balancers, reserved IPs, App Platform apps, CDN endpoints
    resources: tuple[CloudResource, ...]
    firewalls: tuple[parse.Firewall, ...]
    certificates: tuple[parse.ManagedCertificate, ...]
    keys: tuple[FoundKey, ...]


def fetch(client: DigitalOceanClient) -> AccountInventory:
    """The whole inventory, or an exception: a partial read would make a false pass."""
    account = client.account()
    firewalls = tuple(parse.firewall(f) for f in client.collection("firewalls", "firewalls"))
    droplets = [parse.droplet(d, firewalls) for d in client.collection("droplets", "droplets")]
    balancers = [
        parse.load_balancer(lb) for lb in client.collection("load_balancers", "load_balancers")
    ]
    # python-digitalocean has no reserved-IP call: the same paging and safeguards apply.
    reserved = [parse.reserved_ip(r) for r in client.collection("reserved_ips", "reserved_ips")]
    # App Platform and the CDN serve sites from shared edge addresses: their region (a CDN
    # endpoint's: its origin's) is what the hosting promise can be judged on.
    apps = [parse.app(a) for a in _scoped(client.apps, "App Platform apps", "app:read")]
    endpoints = [
        parse.cdn_endpoint(e) for e in _scoped(client.cdn_endpoints, "CDN endpoints", "cdn:read")
    ]
    certificates = client.collection("certificates", "certificates")
    keys = client.collection("account/keys", "ssh_keys")
    team = account.get("team") if isinstance(account.get("team"), dict) else {}
    return AccountInventory(
        account=str((team or {}).get("name") or account.get("uuid") or "account"),
        resources=tuple(droplets + balancers + reserved + apps + endpoints),
        firewalls=firewalls,
        certificates=tuple(parse.certificate(c) for c in certificates),
        keys=tuple(parse.account_key(k) for k in keys),
    )


def _scoped(
    read: Callable[[], list[dict[str, Any]]], what: str, scope: str
) -> list[dict[str, Any]]:
    """A collection a token with custom scopes may not reach: the refusal names the scope.

    Never skipped: an app outside Amsterdam that the token cannot see would be a false pass.
    """
    try:
        return read()
    except CredentialsError as exc:
        raise CredentialsError(
            f"{exc}: reading the {what} needs the token's {scope} scope"
        ) from None


def resource_label(resource: CloudResource) -> str:
    return f"{resource.kind}:{resource.name}"


def firewall_label(firewall: parse.Firewall) -> str:
    return f"firewall:{firewall.name}"


def certificate_label(cert: parse.ManagedCertificate) -> str:
    return f"certificate:{cert.name}"


def check_region(resource: CloudResource, allowed: Sequence[str]) -> Verdict:
    kind: str = KIND_NAMES.get(resource.kind, resource.kind)
    evidence = {
        "kind": resource.kind,
        "id": resource.id,
        "region": resource.region or None,
        "allowed": list(allowed),
    }
    if resource.origin:
        evidence["origin"] = resource.origin
    if not resource.region and resource.origin:
        return Verdict(
            Status.WARN,
            N_(
                "{kind} {name} serves {origin}, which is no Spaces bucket: where it is hosted "
                "is not known.",
                kind=kind,
                name=resource.name,
                origin=resource.origin,
            ),
            evidence,
        )
    if not resource.region:
        message = N_("{kind} {name} is bound to no region.", kind=kind, name=resource.name)
        return Verdict(Status.WARN, message, evidence)
    if not parse.region_allowed(resource.region, allowed):
        return Verdict(
            Status.FAIL,
            N_(
                "{kind} {name} is in {region}, not in {allowed}.",
                kind=kind,
                name=resource.name,
                region=resource.region,
                allowed=", ".join(allowed),
            ),
            evidence,
        )
    message = N_(
        "{kind} {name} is in {region}.", kind=kind, name=resource.name, region=resource.region
    )
    return Verdict(Status.PASS, message, evidence)


def _rule_evidence(rule: parse.FirewallRule, sources: list[str]) -> dict[str, object]:
    return {"protocol": rule.protocol or "any", "ports": rule.ports or "all", "sources": sources}


def check_ssh_open(firewall: parse.Firewall) -> Verdict:
    ssh_rules = [rule for rule in firewall.inbound if rule.covers_ssh()]
    open_rules = [(r, s) for r in ssh_rules if (s := r.whole_internet())]
    if open_rules:
        rule, everyone = open_rules[0]
        return Verdict(
            Status.WARN,
            N_(
                "Firewall {name} lets anyone reach port 22 (ports {ports} from {sources}).",
                name=firewall.name,
                ports=rule.ports or N_("all"),
                sources=", ".join(everyone),
            ),
            {"id": firewall.id, "open_rules": [_rule_evidence(r, s) for r, s in open_rules]},
        )
    sources = [address for rule in ssh_rules for address in rule.addresses]
    if parse.cover_everything(sources):  # no one rule admits everyone, but together they do
        together = [_rule_evidence(r, list(r.addresses)) for r in ssh_rules if r.addresses]
        return Verdict(
            Status.WARN,
            N_(
                "Firewall {name} lets anyone reach port 22: its rules for it together "
                "admit every address ({sources}).",
                name=firewall.name,
                sources=", ".join(sources),
            ),
            {"id": firewall.id, "open_rules": together},
        )
    return Verdict(
        Status.PASS,
        N_("Firewall {name} keeps SSH from the open internet.", name=firewall.name),
        {"id": firewall.id, "open_rules": []},
    )


def check_no_firewall(droplet: CloudResource) -> Verdict:
    evidence = {"id": droplet.id, "firewalls": list(droplet.firewalls), "tags": list(droplet.tags)}
    if not droplet.firewalls:
        return Verdict(
            Status.WARN,
            N_("No cloud firewall applies to droplet {name}, by id or by tag.", name=droplet.name),
            evidence,
        )
    return Verdict(
        Status.PASS,
        N_(
            "Droplet {name} is behind {firewalls}.",
            name=droplet.name,
            firewalls=", ".join(droplet.firewalls),
        ),
        evidence,
    )


def check_certificate(cert: parse.ManagedCertificate, now: datetime, window: int) -> Verdict:
    evidence: dict[str, Any] = {
        "id": cert.id,
        "not_after": cert.not_after_text,
        "dns_names": list(cert.dns_names),
        "type": cert.kind,
        "state": cert.state,
    }
    if cert.not_after is None:
        return Verdict(
            Status.ERROR,
            N_(
                "Certificate '{name}' has no readable expiry ({expiry}).",
                name=cert.name,
                expiry=repr(cert.not_after_text),
            ),
            evidence,
        )
    days = (cert.not_after - now).days
    evidence["days_left"] = days
    if cert.not_after <= now:
        return Verdict(
            Status.FAIL,
            N_(
                "Certificate '{name}' expired {days} days ago.",
                name=cert.name,
                days=(now - cert.not_after).days,
            ),
            evidence,
        )
    if days < window:
        message = N_("Certificate '{name}' expires in {days} days.", name=cert.name, days=days)
        return Verdict(Status.WARN, message, evidence)
    message = N_("Certificate '{name}' is valid for {days} more days.", name=cert.name, days=days)
    return Verdict(Status.PASS, message, evidence)


@dataclass(frozen=True)
class Rules:
    """What the account is judged by."""

    allowed: Sequence[str]  # regions
    now: datetime
    window: int  # days before a certificate's expiry that it warns


# A check over the whole account: a verdict on each resource, firewall or certificate it
# judges, by the label that names it (or the account's, for a verdict on the whole account).
Judge = Callable[[AccountInventory, Rules], list[tuple[str, Verdict]]]


def judge_regions(data: AccountInventory, rules: Rules) -> list[tuple[str, Verdict]]:
    verdicts = [(resource_label(r), check_region(r, rules.allowed)) for r in data.resources]
    if not data.resources:
        nothing = N_(
            "The account has no droplet, load balancer, reserved IP, app or CDN endpoint: "
            "nothing is hosted there."
        )
        verdicts.append((ACCOUNT_TARGET, Verdict(Status.WARN, nothing)))
    return verdicts


def judge_firewalls(data: AccountInventory, rules: Rules) -> list[tuple[str, Verdict]]:
    return [(firewall_label(fw), check_ssh_open(fw)) for fw in data.firewalls]


def judge_droplets(data: AccountInventory, rules: Rules) -> list[tuple[str, Verdict]]:
    droplets = [r for r in data.resources if r.kind == "droplet"]
    return [(resource_label(r), check_no_firewall(r)) for r in droplets]


def judge_certificates(data: AccountInventory, rules: Rules) -> list[tuple[str, Verdict]]:
    verdicts = [
        (certificate_label(c), check_certificate(c, rules.now, rules.window))
        for c in data.certificates
    ]
    if not data.certificates:
        verdicts.append(
            (ACCOUNT_TARGET, Verdict(Status.SKIPPED, N_("The account keeps no certificates.")))
        )
    return verdicts


# Every digitalocean check, in report order. Each needs the account's inventory, read once:
# without a token or with an API error, the whole family is skipped or errs.
CHECKS: CheckTable[Judge] = CheckTable(
    (
        Check(
            CheckSpec(
                "do.droplet.region",
                title="Every droplet, load balancer, reserved IP, app and CDN origin is in an "
                "allowed region",
                title_da="Placeret i Amsterdam",
                claim=ClaimId.HOSTING,
                severity=Severity.HIGH,
                remediation="Move the resource to Amsterdam (ams3: snapshot and recreate), or "
                "correct the policy.",
            ),
            judge_regions,
        ),
        Check(
            CheckSpec(
                "do.firewall.ssh_open",
                title="No firewall opens SSH to the whole internet",
                title_da="SSH er ikke åben for hele internettet",
                claim=ClaimId.SSH_KEYS,
                severity=Severity.MEDIUM,
                remediation="Limit the firewall's port 22 rule to the secretariat's addresses "
                "or a VPN.",
            ),
            judge_firewalls,
        ),
        Check(
            CheckSpec(
                "do.droplet.no_firewall",
                title="A cloud firewall applies to every droplet",
                title_da="Firewall på serveren",
                claim=ClaimId.SSH_KEYS,
                severity=Severity.MEDIUM,
                remediation="Apply a DigitalOcean cloud firewall to the droplet, by id or by tag.",
            ),
            judge_droplets,
        ),
        Check(
            CheckSpec(
                "do.certificate.expiry",
                title="DigitalOcean-managed certificates are not about to expire",
                title_da="DigitalOcean-certifikat er gyldigt",
                claim=ClaimId.HTTPS,
                severity=Severity.HIGH,
                remediation="Renew the certificate (custom) or check the Let's Encrypt "
                "renewal's DNS (lets_encrypt).",
            ),
            judge_certificates,
        ),
    )
)
SPECS = specs_of(CHECKS)


def evaluate(data: AccountInventory, allowed: Sequence[str], now: datetime, window: int) -> Outcome:
    rules = Rules(allowed, now, window)
    findings = [
        check.finding(target, verdict)
        for check in CHECKS
        for target, verdict in check.judge(data, rules)
    ]
    resources = tuple(_judged(r, findings) for r in data.resources)
    inventory = Inventory(cloud=resources, found_keys=data.keys, cloud_account=data.account)
    return Outcome(findings=tuple(findings), inventory=inventory)


def _judged(resource: CloudResource, findings: Sequence[Finding]) -> CloudResource:
    """The resource with the verdict of its own findings, told apart by id: names repeat."""
    label = resource_label(resource)
    mine = [
        f.status
        for f in findings
        if f.target == label and f.evidence.get("id", resource.id) == resource.id
    ]
    return replace(resource, verdict=worst_status(mine) if mine else None)


def _targets(ctx: AuditContext, inventory: Inventory) -> list[SimpleTarget]:
    return [SimpleTarget(ACCOUNT_TARGET)]


def _skipped(reason: Message) -> Outcome:
    return Outcome(
        findings=tuple(spec.finding(ACCOUNT_TARGET, Status.SKIPPED, reason) for spec in SPECS)
    )


def client_for(ctx: AuditContext) -> DigitalOceanClient | None:
    """A client for the configured endpoint, or None without a token."""
    settings = ctx.config.digitalocean
    token = ctx.env.get(settings.token_env, "").strip()
    if not token:
        return None
    # Imported only with a token: python-digitalocean and requests add ~60 ms to every start.
    from checks.digitalocean.client import DigitalOceanClient  # noqa: PLC0415

    return DigitalOceanClient(token, settings.endpoint, ctx.config.limits.connect_timeout)


def _audit(target: SimpleTarget, ctx: AuditContext) -> Outcome:
    client = client_for(ctx)
    if client is None:
        variable = ctx.config.digitalocean.token_env
        return _skipped(
            N_("Not checked: no DigitalOcean token ({variable} is not set).", variable=variable)
        )
    try:
        data = fetch(client)
    except CredentialsError as exc:
        message = N_("The DigitalOcean account could not be read: {error}", error=str(exc))
        return FAMILY.errored(ACCOUNT_TARGET, message, {"reason": "credentials"})
    except DigitalOceanError as exc:
        return FAMILY.errored(
            ACCOUNT_TARGET,
            N_("Could not read the DigitalOcean inventory: {error}", error=str(exc)),
            {"reason": "api", "status": exc.status, "error_id": exc.error_id},
        )
    limits = ctx.config.limits
    return evaluate(
        data, ctx.config.digitalocean.allowed_regions, ctx.now(), limits.expiry_warning_days
    )


FAMILY: Family[SimpleTarget] = Family(
    name="digitalocean", after=(), specs=SPECS, targets=_targets, audit=_audit
)
