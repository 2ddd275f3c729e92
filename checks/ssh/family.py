"""The `ssh` family: which login methods each server offers, and the keys that open it.

Claim `ssh-keys` ("Adgang sker via asymmetriske nøgler"). The unauthenticated probe lists
the methods per user; with auditor credentials an authenticated read adds the effective
sshd configuration and every authorized_keys file, whose keys the access family judges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from auditor.core.documents import json_value
from auditor.core.family import (
    AuditContext,
    Check,
    CheckTable,
    Family,
    Need,
    Outcome,
    Unmet,
    Verdict,
    specs_of,
)
from auditor.core.hosts import SSH_PORT, canonical_host, target_label
from auditor.core.inventory import FoundKey, Inventory, KeyLocation, SshServerRecord
from auditor.core.model import CheckSpec, ClaimId, Finding, Severity, Status
from auditor.core.sshkeys import AuthorizedKey
from checks.access import UNKNOWN
from checks.ssh.model import ReadRefused, ServerRead, SshProbe

DROPLET_AGENT = "digitalocean-droplet-agent"


@dataclass(frozen=True)
class SshTarget:
    host: str
    port: int
    address: str
    sshd_command: str = "sshd"

    @property
    def label(self) -> str:
        return target_label(self.host, self.port, SSH_PORT)


@dataclass(frozen=True)
class ServerFacts:
    """What the ssh checks judge: the probe, and the authenticated read when there was one."""

    label: str
    scan: SshProbe
    read: ServerRead | None = None
    read_error: str | None = None  # why the authenticated read failed


Judge = Callable[[ServerFacts], Verdict]


def _methods(scan: SshProbe) -> dict[str, list[str]]:
    return {u.user: list(u.methods) for u in scan.users if u.error is None}


def _offered(scan: SshProbe, method: str) -> list[str]:
    return [u.user for u in scan.users if method in u.methods]


def _probe_errors(scan: SshProbe) -> dict[str, str]:
    return {u.user: u.error for u in scan.users if u.error is not None}


def check_connect(facts: ServerFacts) -> Verdict:
    scan = facts.scan
    if scan.connect_error is not None:
        evidence = {"address": scan.address, "port": scan.port}
        message = f"Could not connect: {scan.connect_error}."
        return Verdict(Status.ERROR, message, evidence)
    return Verdict(
        Status.PASS,
        f"SSH answers: {scan.server_version}.",
        {
            "banner": scan.banner,
            "address": scan.address,
            "port": scan.port,
            "host_keys": [f"{k} {f}" for k, f in scan.host_keys],
            "connections": scan.connections,
        },
    )


def check_password(facts: ServerFacts) -> Verdict:
    scan = facts.scan
    evidence = {"methods": _methods(scan), "errors": _probe_errors(scan)}
    users = _offered(scan, "password")
    if users:
        return Verdict(Status.FAIL, f"Offers password login to {', '.join(users)}.", evidence)
    if evidence["errors"]:
        return Verdict(Status.ERROR, "Could not ask for every user's methods.", evidence)
    return Verdict(Status.PASS, "Offers no password login.", evidence)


def _publickey_first(config: dict[str, str]) -> bool:
    """True when every AuthenticationMethods list in this sshd -T starts with publickey."""
    methods = config.get("authenticationmethods", "any")
    return methods not in ("any", "") and all(
        chain.startswith("publickey") for chain in methods.split()
    )


def _second_factor_only(read: ServerRead | None) -> bool:
    """True when every AuthenticationMethods list of every user starts with publickey."""
    if read is None or not read.effective:
        return False
    return all(_publickey_first(config) for config in read.effective.values())


def check_kbd_interactive(facts: ServerFacts) -> Verdict:
    scan = facts.scan
    evidence = {"methods": _methods(scan), "errors": _probe_errors(scan)}
    users = _offered(scan, "keyboard-interactive")
    if users and _second_factor_only(facts.read):
        return Verdict(
            Status.WARN,
            "Offers keyboard-interactive, but sshd -T requires a public key first.",
            evidence,
        )
    if users:
        return Verdict(
            Status.FAIL,
            f"Offers keyboard-interactive login (usually a password prompt) to {', '.join(users)}.",
            evidence,
        )
    if evidence["errors"]:
        return Verdict(Status.ERROR, "Could not ask for every user's methods.", evidence)
    return Verdict(Status.PASS, "Offers no keyboard-interactive login.", evidence)


def check_publickey(facts: ServerFacts) -> Verdict:
    scan = facts.scan
    evidence = {"methods": _methods(scan), "errors": _probe_errors(scan)}
    open_users = [u.user for u in scan.users if u.none_accepted]
    if open_users:
        return Verdict(
            Status.FAIL,
            f"Lets {', '.join(open_users)} in with no credential at all.",
            evidence,
            severity=Severity.CRITICAL,
        )
    listed_none = [u.user for u in scan.users if "none" in u.methods]
    if listed_none:
        return Verdict(
            Status.FAIL,
            f"Lists `none` as a login method for {', '.join(listed_none)}.",
            evidence,
            severity=Severity.CRITICAL,
        )
    missing = [u.user for u in scan.users if u.error is None and "publickey" not in u.methods]
    if missing:
        return Verdict(
            Status.FAIL, f"Offers no public-key login to {', '.join(missing)}.", evidence
        )
    if evidence["errors"]:
        return Verdict(Status.ERROR, "Could not ask for every user's methods.", evidence)
    return Verdict(Status.PASS, "Offers public-key login.", evidence)


# What `sshd -T` says about logins: the evidence of ssh.config.effective shows every setting
# the check judges (effective_problems, _publickey_first, permitrootlogin) and where keys live.
EFFECTIVE_KEYS = (
    "passwordauthentication",
    "kbdinteractiveauthentication",
    "pubkeyauthentication",
    "permitrootlogin",
    "permitemptypasswords",
    "authenticationmethods",
    "authorizedkeysfile",
    "authorizedkeyscommand",
)


def effective_problems(config: dict[str, str]) -> list[str]:
    problems = []
    if config.get("passwordauthentication") == "yes":
        problems.append("passwordauthentication yes")
    if config.get("permitemptypasswords") == "yes":
        problems.append("permitemptypasswords yes")
    # Only a key first makes a keyboard-interactive prompt a second factor (as in
    # check_kbd_interactive): "publickey keyboard-interactive" lets a prompt alone in.
    if config.get("kbdinteractiveauthentication") == "yes" and not _publickey_first(config):
        problems.append("kbdinteractiveauthentication yes")
    if config.get("pubkeyauthentication") == "no":
        problems.append("pubkeyauthentication no")
    return problems


def check_effective(facts: ServerFacts) -> Verdict:
    read = facts.read
    if read is None:
        return Verdict(
            Status.ERROR,
            f"Could not read: {facts.read_error}.",
            {"reason": facts.read_error},
        )
    evidence: dict[str, object] = {
        "users": {u: {k: c.get(k) for k in EFFECTIVE_KEYS} for u, c in read.effective.items()},
        "errors": read.effective_errors,
    }
    bad = {u: effective_problems(c) for u, c in read.effective.items()}
    bad = {u: p for u, p in bad.items() if p}
    if bad:
        first_user, problems = next(iter(bad.items()))
        return Verdict(Status.FAIL, f"sshd -T for {first_user}: {', '.join(problems)}.", evidence)
    if read.effective_errors or not read.effective:
        return Verdict(Status.ERROR, "sshd -T could not be read for every user.", evidence)
    root_login = {u: c.get("permitrootlogin") for u, c in read.effective.items()}
    if "yes" in root_login.values():
        return Verdict(Status.WARN, "permitrootlogin yes: prefer prohibit-password.", evidence)
    return Verdict(Status.PASS, "sshd -T allows key logins only.", evidence)


def droplet_agent(comment: str | None) -> tuple[str | None, str | None]:
    """DigitalOcean's droplet agent (DOTTY) marks its keys `{...json...}-dotty_ssh`."""
    if not comment or not comment.endswith("-dotty_ssh"):
        return None, None
    payload = comment[: -len("-dotty_ssh")]
    try:
        data = json_value(payload)
    except ValueError:
        data = {}
    person = data.get("actor_email") if isinstance(data, dict) else None
    return DROPLET_AGENT, person if isinstance(person, str) else None


def found_key(label: str, user: str, path: str, key: AuthorizedKey) -> FoundKey:
    managed_by, person = droplet_agent(key.comment)
    return FoundKey(
        fingerprint=key.key.fingerprint,
        key_type=key.key.kind,
        bits=key.key.bits,
        location=KeyLocation(
            server=label,
            user=user,
            path=path,
            line=key.line,
            options=key.options,
            comment=key.comment,
        ),
        managed_by=managed_by,
        cert_authority=key.cert_authority,
        named_person=person,
    )


# Every ssh check, in report order. The password prompts are judged from the outside; what
# sshd really allows only with the auditor's credentials.
CHECKS: CheckTable[Judge] = CheckTable(
    (
        Check(
            CheckSpec(
                "ssh.connect",
                title="The server answers SSH",
                title_da="SSH-forbindelse",
                claim=ClaimId.SSH_KEYS,
                severity=Severity.MEDIUM,
                remediation="Check that sshd runs and that the auditor may reach it.",
            ),
            check_connect,
        ),
        Check(
            CheckSpec(
                "ssh.auth.password",
                title="No password logins",
                title_da="Ingen adgangskode-login",
                claim=ClaimId.SSH_KEYS,
                severity=Severity.HIGH,
                remediation="Set PasswordAuthentication no (and in every Match block).",
            ),
            check_password,
            Need.CONNECTION,
        ),
        Check(
            CheckSpec(
                "ssh.auth.keyboard_interactive",
                title="No keyboard-interactive logins (usually a password prompt)",
                title_da="Ingen keyboard-interactive-login",
                claim=ClaimId.SSH_KEYS,
                severity=Severity.HIGH,
                remediation="Set KbdInteractiveAuthentication no, or require publickey first "
                "with AuthenticationMethods.",
            ),
            check_kbd_interactive,
            Need.CONNECTION,
        ),
        Check(
            CheckSpec(
                "ssh.auth.publickey",
                title="Logins by public key",
                title_da="Login med nøgle",
                claim=ClaimId.SSH_KEYS,
                severity=Severity.HIGH,
                remediation="Set PubkeyAuthentication yes; never allow logins without credentials.",
            ),
            check_publickey,
            Need.CONNECTION,
        ),
        Check(
            CheckSpec(
                "ssh.config.effective",
                title="The effective sshd configuration allows keys only",
                title_da="sshd-konfiguration",
                claim=ClaimId.SSH_KEYS,
                severity=Severity.HIGH,
                remediation="Fix sshd_config so that `sshd -T` shows passwordauthentication no, "
                "kbdinteractiveauthentication no and permitemptypasswords no for every user.",
            ),
            check_effective,
            Need.AUTHENTICATED_READ,
        ),
    )
)
SPECS = specs_of(CHECKS)


def unmet(facts: ServerFacts, authenticated: bool) -> dict[Need, Unmet]:
    """What this server's facts lack: nothing is judged when it could not be reached."""
    if facts.scan.connect_error is not None:
        failed = Unmet("ssh.connect failed")
        return {Need.CONNECTION: failed, Need.AUTHENTICATED_READ: failed}
    if not authenticated:
        return {Need.AUTHENTICATED_READ: Unmet("no auditor credentials configured")}
    return {}


def evaluate(facts: ServerFacts, authenticated: bool) -> list[Finding]:
    """Every ssh finding for one server, one per check."""
    gaps = unmet(facts, authenticated)
    label = facts.label
    return [
        check.unmet(label, gaps) or check.finding(label, check.judge(facts)) for check in CHECKS
    ]


def _targets(ctx: AuditContext, inventory: Inventory) -> list[SshTarget]:
    settings = ctx.config.ssh
    excluded = {canonical_host(host) for host in settings.exclude}
    targets: dict[str, SshTarget] = {}
    for server in settings.servers:
        address = server.address or server.host
        if canonical_host(server.host) in excluded or canonical_host(address) in excluded:
            continue
        targets.setdefault(
            f"{address}:{server.port}",
            SshTarget(server.host, server.port, address, server.sshd_command),
        )
    if settings.from_inventory:
        for resource in inventory.cloud:
            if resource.kind != "droplet":
                continue
            port = settings.inventory_port
            # Its first public address, IPv6 where it has no IPv4. A droplet with neither is
            # still a server the promise covers: it is reported as not checked, not left out.
            address = next(iter(resource.ipv4 + resource.ipv6), "")
            if canonical_host(resource.name) in excluded or canonical_host(address) in excluded:
                continue
            key = f"{address}:{port}" if address else f"{resource.name}:{port}"
            targets.setdefault(key, SshTarget(resource.name, port, address))
    return list(targets.values())


def _audit(target: SshTarget, ctx: AuditContext) -> Outcome:
    # Imported here, not at the top: paramiko is loaded only by a run that has a server.
    from checks.ssh.probe import probe  # noqa: PLC0415
    from checks.ssh.read import read_server  # noqa: PLC0415

    if not target.address:
        return _no_address(target)
    settings = ctx.config.ssh
    timeout = ctx.config.limits.connect_timeout
    scan = probe(
        target.host,
        target.address,
        target.port,
        settings.users,
        timeout,
        ctx.gate(target.address),
        ctx.config.limits.per_server_connections,
    )
    read: ServerRead | None = None
    read_error: str | None = None
    if settings.authenticated and scan.connect_error is None:
        assert settings.auditor_user is not None
        assert settings.auditor_key is not None
        assert settings.known_hosts is not None
        names = [target.host, target.address]
        if target.port != 22:
            names = [f"[{n}]:{target.port}" for n in names]
        try:
            with ctx.gate(target.address)():  # one more connection: it takes a slot too
                read = read_server(
                    target.address,
                    target.port,
                    names,
                    settings.users,
                    settings.auditor_user,
                    settings.auditor_key,
                    settings.known_hosts,
                    target.sshd_command,
                    timeout,
                )
        except ReadRefused as exc:
            read_error = str(exc)
    findings = evaluate(ServerFacts(target.label, scan, read, read_error), settings.authenticated)
    keys: list[FoundKey] = []
    if read is not None:
        for keys_file in read.keys_files:
            keys += [
                found_key(target.label, keys_file.user, keys_file.path, k) for k in keys_file.keys
            ]
            # A line that is not a key is reported and the rest of the file still read.
            findings += [
                UNKNOWN.finding(
                    f"{target.label}:{keys_file.path}:{bad.line}",
                    Verdict(
                        Status.WARN,
                        f"{keys_file.path} line {bad.line} is not a valid key: {bad.reason}.",
                        {"server": target.label, "path": keys_file.path, "line": bad.line},
                    ),
                )
                for bad in keys_file.bad_lines
            ]
            if keys_file.error is not None:
                findings.append(
                    UNKNOWN.finding(
                        f"{target.label}:{keys_file.path}",
                        Verdict(
                            Status.ERROR,
                            f"{keys_file.path} could not be read ({keys_file.error}): "
                            "the keys in it are not counted.",
                            {"server": target.label, "path": keys_file.path},
                        ),
                    )
                )
    record = SshServerRecord(
        target=target.label,
        host=target.host,
        port=target.port,
        banner=scan.banner,
        server_version=scan.server_version,
        methods={u.user: u.methods for u in scan.users if u.error is None},
        host_keys=tuple(f"{k} {f}" for k, f in scan.host_keys),
        effective_config=next(iter(read.effective.values()), None) if read else None,
        keys_read=read is not None
        and read.error is None
        and all(keys_file.error is None for keys_file in read.keys_files),
    )
    return Outcome(
        findings=tuple(findings), inventory=Inventory(ssh_servers=(record,), found_keys=tuple(keys))
    )


def _no_address(target: SshTarget) -> Outcome:
    """A droplet with no public address: nothing to probe, and its keys are not counted."""
    message = "Could not check: the droplet has no public address to reach its SSH server."
    outcome = FAMILY.errored(target.label, message, {"reason": "no public address"})
    record = SshServerRecord(target=target.label, host=target.host, port=target.port)
    return replace(outcome, inventory=Inventory(ssh_servers=(record,)))


FAMILY: Family[SshTarget] = Family(
    name="ssh", after=("digitalocean",), specs=SPECS, targets=_targets, audit=_audit
)
