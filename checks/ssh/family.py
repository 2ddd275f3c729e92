"""The `ssh` family: which login methods each server offers, and the keys that open it.

Claim `ssh-keys` ("Adgang sker via asymmetriske nøgler"). The unauthenticated probe lists
the methods per user; with auditor credentials an authenticated read adds the effective
sshd configuration and every authorized_keys file, whose keys the access family judges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from auditor.core.addresses import is_ipv6
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
from auditor.core.hosts import SSH_PORT, canonical_host, is_ip_address, target_label
from auditor.core.inventory import FoundKey, Inventory, KeyLocation, SshServerRecord
from auditor.core.messages import N_
from auditor.core.messages import joined as _joined
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
        message = N_("Could not connect: {error}.", error=scan.connect_error)
        return Verdict(Status.ERROR, message, evidence)
    return Verdict(
        Status.PASS,
        N_("SSH answers: {version}.", version=str(scan.server_version)),
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
        message = N_("Offers password login to {users}.", users=", ".join(users))
        return Verdict(Status.FAIL, message, evidence)
    if evidence["errors"]:
        return Verdict(Status.ERROR, N_("Could not ask for every user's methods."), evidence)
    return Verdict(Status.PASS, N_("Offers no password login."), evidence)


def _publickey_first(config: dict[str, str]) -> bool:
    """True when every AuthenticationMethods list in this sshd -T starts with publickey."""
    methods = config.get("authenticationmethods", "any")
    return methods not in ("any", "") and all(
        chain.split(",")[0] == "publickey" for chain in methods.split()
    )


def _second_factor_only(read: ServerRead | None) -> bool:
    """True when every AuthenticationMethods list of every user starts with publickey."""
    if read is None or not read.effective:
        return False
    return all(_publickey_first(config) for config in read.effective.values())


def _configs(read: ServerRead | None) -> dict[str, dict[str, str]]:
    """Every `sshd -T` read, by what it was read for: each user, then each Match block."""
    if read is None:
        return {}
    blocks = {f"`{m.text}` ({m.where})": m.effective for m in read.matches if m.effective}
    return read.effective | blocks


def _match_gap(read: ServerRead) -> str | None:
    """Why not every Match block was judged, if one was not: never a pass by silence."""
    if read.config_error is not None:
        return read.config_error
    unread = next((m for m in read.matches if m.error is not None), None)
    if unread is None:
        return None
    return f"`{unread.text}` ({unread.where}): {unread.error}"


def check_kbd_interactive(facts: ServerFacts) -> Verdict:
    scan = facts.scan
    evidence = {"methods": _methods(scan), "errors": _probe_errors(scan)}
    users = _offered(scan, "keyboard-interactive")
    if users and _second_factor_only(facts.read):
        return Verdict(
            Status.WARN,
            N_("Offers keyboard-interactive, but sshd -T requires a public key first."),
            evidence,
        )
    if users:
        return Verdict(
            Status.FAIL,
            N_(
                "Offers keyboard-interactive login (usually a password prompt) to {users}.",
                users=", ".join(users),
            ),
            evidence,
        )
    if evidence["errors"]:
        return Verdict(Status.ERROR, N_("Could not ask for every user's methods."), evidence)
    return Verdict(Status.PASS, N_("Offers no keyboard-interactive login."), evidence)


def check_publickey(facts: ServerFacts) -> Verdict:
    scan = facts.scan
    evidence = {"methods": _methods(scan), "errors": _probe_errors(scan)}
    open_users = [u.user for u in scan.users if u.none_accepted]
    if open_users:
        return Verdict(
            Status.FAIL,
            N_("Lets {users} in with no credential at all.", users=", ".join(open_users)),
            evidence,
            severity=Severity.CRITICAL,
        )
    listed_none = [u.user for u in scan.users if "none" in u.methods]
    if listed_none:
        return Verdict(
            Status.FAIL,
            N_("Lists `none` as a login method for {users}.", users=", ".join(listed_none)),
            evidence,
            severity=Severity.CRITICAL,
        )
    missing = [u.user for u in scan.users if u.error is None and "publickey" not in u.methods]
    if missing:
        return Verdict(
            Status.FAIL,
            N_("Offers no public-key login to {users}.", users=", ".join(missing)),
            evidence,
        )
    if evidence["errors"]:
        return Verdict(Status.ERROR, N_("Could not ask for every user's methods."), evidence)
    return Verdict(Status.PASS, N_("Offers public-key login."), evidence)


# What lets a password, a prompt or nothing at all stand in for a key. After a key
# (AuthenticationMethods publickey,password) it is a second factor: the key still decides.
PASSWORD_SETTINGS = (
    "passwordauthentication",
    "permitemptypasswords",
    "kbdinteractiveauthentication",
)
# Login methods that are not a key the person holds: a Kerberos ticket (GSSAPI) fails the
# promise; a hostbased login trusts another host's key, not a person's, and warns.
OTHER_SETTINGS = {
    "gssapiauthentication": Status.FAIL,
    "gssapikeyexchange": Status.FAIL,  # Debian's gssapi-keyex
    "hostbasedauthentication": Status.WARN,
}
# What `sshd -T` says about logins: the evidence shows every setting the checks judge
# (effective_problems, _publickey_first, permitrootlogin, check_other_methods) and every
# place keys that open an account come from.
EFFECTIVE_KEYS = (
    *PASSWORD_SETTINGS,
    "pubkeyauthentication",
    "permitrootlogin",
    "authenticationmethods",
    *OTHER_SETTINGS,
    "authorizedkeysfile",
    "authorizedkeyscommand",
    "authorizedkeyscommanduser",
    "trustedusercakeys",
)


def _passwords(config: dict[str, str]) -> list[str]:
    return [f"{key} yes" for key in PASSWORD_SETTINGS if config.get(key) == "yes"]


def effective_problems(config: dict[str, str]) -> list[str]:
    problems = [] if _publickey_first(config) else _passwords(config)
    if config.get("pubkeyauthentication") == "no":
        problems.append("pubkeyauthentication no")
    return problems


def _second_factors(config: dict[str, str]) -> list[str]:
    """The password settings a key must come before (see effective_problems)."""
    return _passwords(config) if _publickey_first(config) else []


def _match_evidence(read: ServerRead) -> list[dict[str, object]]:
    return [
        {
            "match": m.text,
            "where": m.where,
            "connection": m.spec,
            "settings": {k: m.effective.get(k) for k in EFFECTIVE_KEYS} if m.effective else {},
            "error": m.error,
            "note": m.note,
        }
        for m in read.matches
    ]


def check_effective(facts: ServerFacts) -> Verdict:
    read = facts.read
    if read is None:
        return Verdict(
            Status.ERROR,
            N_("Could not read: {error}.", error=str(facts.read_error)),
            {"reason": facts.read_error},
        )
    evidence: dict[str, object] = {
        "users": {u: {k: c.get(k) for k in EFFECTIVE_KEYS} for u, c in read.effective.items()},
        "errors": read.effective_errors,
        "match_blocks": _match_evidence(read),
        "config_files": list(read.config_files),
    }
    configs = _configs(read)
    bad = {label: effective_problems(c) for label, c in configs.items()}
    bad = {label: p for label, p in bad.items() if p}
    if bad:
        first, problems = next(iter(bad.items()))
        message = N_("sshd -T for {user}: {settings}.", user=first, settings=", ".join(problems))
        return Verdict(Status.FAIL, message, evidence)
    if read.effective_errors or not read.effective:
        return Verdict(Status.ERROR, N_("sshd -T could not be read for every user."), evidence)
    gap = _match_gap(read)
    if gap is not None:
        message = N_("Could not check every Match block: {gap}.", gap=gap)
        return Verdict(Status.ERROR, message, evidence)
    root_login = {label: c.get("permitrootlogin") for label, c in configs.items()}
    if "yes" in root_login.values():
        message = N_("permitrootlogin yes: prefer prohibit-password.")
        return Verdict(Status.WARN, message, evidence)
    second = {label: f for label, c in configs.items() if (f := _second_factors(c))}
    if second:
        label, factors = next(iter(second.items()))
        return Verdict(
            Status.PASS,
            N_(
                "sshd -T requires a key for every login; a password is asked for only after it, "
                "as a second factor (for {user}: {settings} after publickey).",
                user=label,
                settings=", ".join(factors),
            ),
            evidence | {"second_factors": second},
        )
    return Verdict(Status.PASS, N_("sshd -T allows key logins only."), evidence)


# Offered to the `none` probe: keys and passwords have checks of their own; hostbased warns
# (OTHER_SETTINGS); any other method, Kerberos's or one the auditor does not know, fails.
JUDGED_ELSEWHERE = ("publickey", "password", "keyboard-interactive", "none")
HOST_KEY_METHODS = ("hostbased",)


def _other_offered(scan: SshProbe) -> dict[str, list[str]]:
    offered = {u.user: [m for m in u.methods if m not in JUDGED_ELSEWHERE] for u in scan.users}
    return {user: methods for user, methods in offered.items() if methods}


def _other_configured(read: ServerRead | None) -> dict[str, list[str]]:
    """What sshd -T enables besides keys, where no key must come first."""
    configured = {
        label: [f"{key} yes" for key in OTHER_SETTINGS if config.get(key) == "yes"]
        for label, config in _configs(read).items()
        if not _publickey_first(config)
    }
    return {label: settings for label, settings in configured.items() if settings}


def check_other_methods(facts: ServerFacts) -> Verdict:
    scan = facts.scan
    offered = _other_offered(scan)
    configured = _other_configured(facts.read)
    evidence = {
        "methods": _methods(scan),
        "errors": _probe_errors(scan),
        "offered": offered,
        "configured": configured,
    }
    failing = [
        N_("{methods} to {user}", methods=", ".join(bad), user=user)
        for user, methods in offered.items()
        if (bad := [m for m in methods if m not in HOST_KEY_METHODS])
    ] + [
        N_("{settings} in sshd -T for {user}", settings=", ".join(bad), user=label)
        for label, settings in configured.items()
        if (bad := [s for s in settings if OTHER_SETTINGS[s.split()[0]] is Status.FAIL])
    ]
    if failing:
        return Verdict(
            Status.FAIL,
            N_(
                "Offers logins that are not a key the person holds: {logins}.",
                logins=_joined(failing, "; "),
            ),
            evidence,
        )
    if evidence["errors"]:
        return Verdict(Status.ERROR, N_("Could not ask for every user's methods."), evidence)
    gap = _match_gap(facts.read) if facts.read is not None else None
    if gap is not None:
        message = N_("Could not check every Match block: {gap}.", gap=gap)
        return Verdict(Status.ERROR, message, evidence)
    hostbased = [*offered, *(N_("sshd -T for {user}", user=label) for label in configured)]
    if hostbased:
        return Verdict(
            Status.WARN,
            N_(
                "Offers hostbased login ({where}): it trusts another host's key, not a person's.",
                where=_joined(hostbased, ", "),
            ),
            evidence,
        )
    message = N_("Offers no logins other than keys and passwords.")
    return Verdict(Status.PASS, message, evidence)


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


def found_key(
    label: str, user: str, path: str, key: AuthorizedKey, ca_file: bool = False
) -> FoundKey:
    """A key as the access family counts it; `ca_file`: it was read from TrustedUserCAKeys."""
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
        cert_authority=ca_file or key.cert_authority,
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
                "ssh.auth.other_methods",
                title="No logins by Kerberos (GSSAPI) or by another host's key (hostbased)",
                title_da="Ingen login med Kerberos eller værtsnøgler",
                claim=ClaimId.SSH_KEYS,
                severity=Severity.HIGH,
                remediation="Set GSSAPIAuthentication no and HostbasedAuthentication no (and in "
                "every Match block), or require publickey first with AuthenticationMethods.",
            ),
            check_other_methods,
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
                "kbdinteractiveauthentication no and permitemptypasswords no for every user "
                "and every Match block (or AuthenticationMethods with publickey first).",
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
        failed = Unmet(N_("ssh.connect failed"))
        return {Need.CONNECTION: failed, Need.AUTHENTICATED_READ: failed}
    if not authenticated:
        return {Need.AUTHENTICATED_READ: Unmet(N_("no auditor credentials configured"))}
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
    for target in discovered_servers(ctx, inventory):
        if not {canonical_host(target.host), canonical_host(target.address)} & excluded:
            targets.setdefault(f"{target.address}:{target.port}", target)
    return list(targets.values())


def discovered_servers(ctx: AuditContext, inventory: Inventory) -> list[SshTarget]:
    """Addresses of discovered names that answered SSH and belong to no droplet: the same
    users and rules as every server (a droplet is audited as the droplet it is)."""
    if ctx.config.discovery is None:
        return []
    droplets = {
        canonical_host(a) for r in inventory.cloud if r.kind == "droplet" for a in r.ipv4 + r.ipv6
    }
    port = ctx.config.discovery.ssh_port
    return [
        SshTarget(name.name, port, address)
        for name in inventory.discovered
        for address in name.ssh_addresses
        if canonical_host(address) not in droplets
    ]


def _audit(target: SshTarget, ctx: AuditContext) -> Outcome:
    # Imported here, not at the top: paramiko is loaded only by a run that has a server.
    from checks.ssh.probe import probe  # noqa: PLC0415
    from checks.ssh.read import read_server  # noqa: PLC0415

    if not target.address:
        return _no_address(target)
    settings = ctx.config.ssh
    timeout = ctx.config.limits.connect_timeout
    resolved = _resolved(target, ctx)
    if isinstance(resolved, str):
        scan = SshProbe(target.host, target.address, target.port, connect_error=resolved)
    else:
        target = resolved
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
                found_key(target.label, keys_file.user, keys_file.path, k, keys_file.cert_authority)
                for k in keys_file.keys
            ]
            # A line that is not a key is reported and the rest of the file still read.
            findings += [
                UNKNOWN.finding(
                    f"{target.label}:{keys_file.path}:{bad.line}",
                    Verdict(
                        Status.WARN,
                        N_(
                            "{path} line {line} is not a valid key: {reason}.",
                            path=keys_file.path,
                            line=bad.line,
                            reason=bad.reason,
                        ),
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
                            N_(
                                "{path} could not be read ({error}): "
                                "the keys in it are not counted.",
                                path=keys_file.path,
                                error=keys_file.error,
                            ),
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


def _resolved(target: SshTarget, ctx: AuditContext) -> SshTarget | str:
    """The target at an IP address, or why its name has none.

    A server named without an address is asked of the run's resolver, as a site's name is:
    one resolver and one answer per name in a run, and the same words when there is none.
    """
    if is_ip_address(target.address):
        return target
    answer = ctx.addresses.lookup(canonical_host(target.address))
    addresses = sorted(answer.addresses, key=is_ipv6)  # IPv4 first: not every host has a v6 route
    if not addresses:
        return answer.error or f"{target.address} has no address"
    return replace(target, address=addresses[0])


def _no_address(target: SshTarget) -> Outcome:
    """A droplet with no public address: nothing to probe, and its keys are not counted."""
    message = N_("Could not check: the droplet has no public address to reach its SSH server.")
    outcome = FAMILY.errored(target.label, message, {"reason": "no public address"})
    record = SshServerRecord(target=target.label, host=target.host, port=target.port)
    return replace(outcome, inventory=Inventory(ssh_servers=(record,)))


FAMILY: Family[SshTarget] = Family(
    name="ssh", after=("digitalocean", "discovery"), specs=SPECS, targets=_targets, audit=_audit
)
