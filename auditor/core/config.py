"""The audit's configuration: one TOML file, validated, every error naming file, key and problem.

Each default is written once, in its dataclass: the parser reads a key it is not given
from the class (`Limits.concurrency` is the default itself, as a dataclass keeps it).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor.core.documents import config_text, pem_certificates, toml_document
from auditor.core.errors import ConfigError
from auditor.core.hosts import (
    HTTPS_PORT,
    SSH_PORT,
    canonical_host,
    host_name_problem,
    is_ip_address,
    target_label,
)

DEFAULT_CONFIG_NAME = "alternativet.toml"
HISTORY_FILE = "history.sqlite3"
# Seconds allowed for each network step: the config's and the command line's bounds.
CONNECT_TIMEOUT_RANGE = (0.1, 120)
UNKNOWN_PLATFORM = "ukendt"  # a discovered site no platform rule names


@dataclass(frozen=True)
class SiteConfig:
    """A web site whose TLS and HTTPS promises are checked."""

    host: str
    platform: str
    port: int = HTTPS_PORT
    http_port: int = 80
    # Pinned addresses stand in for DNS (tests, or sites served from several addresses):
    # every address is checked.
    addresses: tuple[str, ...] = ()
    ca_file: Path | None = None  # an extra trust anchor besides Mozilla's store
    # A site behind a CDN or proxy ("cloudflare"): its public addresses are the front's, and
    # the hosting promise is judged on the origin addresses behind it.
    front: str | None = None
    origin_addresses: tuple[str, ...] = ()
    # A site a data processor runs for the party: audited for TLS, not "our server".
    processor: str | None = None
    reason: str | None = None

    @property
    def label(self) -> str:
        return target_label(self.host, self.port, HTTPS_PORT)


@dataclass(frozen=True)
class SshServerConfig:
    host: str
    port: int = SSH_PORT
    address: str | None = None  # pinned address; the host name is then only a label
    # How to call sshd on the server for `sshd -T` (a server may keep its config elsewhere).
    sshd_command: str = "sshd"

    @property
    def label(self) -> str:
        return target_label(self.host, self.port, SSH_PORT)


@dataclass(frozen=True)
class SshSettings:
    users: tuple[str, ...] = ("root",)
    servers: tuple[SshServerConfig, ...] = ()
    exclude: tuple[str, ...] = ()  # hosts or addresses never probed
    from_inventory: bool = True  # droplets' public addresses become SSH targets
    inventory_port: int = SSH_PORT  # the port sshd listens on at those droplets
    auditor_user: str | None = None
    auditor_key: Path | None = None
    known_hosts: Path | None = None

    @property
    def authenticated(self) -> bool:
        return self.auditor_user is not None and self.auditor_key is not None


@dataclass(frozen=True)
class AccessSettings:
    roster: Path | None = None
    required_team: str = "Landssekretariatet"
    max_holders: int = 5


@dataclass(frozen=True)
class DigitalOceanSettings:
    token_env: str = "DIGITALOCEAN_ACCESS_TOKEN"  # noqa: S105 - a variable name, not a token
    endpoint: str = "https://api.digitalocean.com/v2/"
    allowed_regions: tuple[str, ...] = ("ams2", "ams3")


@dataclass(frozen=True)
class DnsSettings:
    nameservers: tuple[str, ...] = ()  # empty: the system's resolver
    port: int = 53
    # False where the audit runs without an IPv6 route (GitHub's runners): AAAA addresses are
    # still compared with the inventory, but not connected to; their checks say `skipped`.
    probe_ipv6: bool = True


# The root zone's key-signing keys as IANA publishes them (root-anchors.xml): KSK-2017 and
# KSK-2024. A DNSSEC chain is validated from these down to each mail domain.
ROOT_TRUST_ANCHORS = (
    ". 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ". 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
)


@dataclass(frozen=True)
class MailSettings:
    """The mail domains whose MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, DNSSEC and CAA are
    judged. `domains` None: the registrable domains of the configured sites."""

    domains: tuple[str, ...] | None = None
    dkim_selectors: tuple[str, ...] = ("google",)
    # RFC 8461 fixes 443; another port only for a lab on loopback.
    mta_sts_port: int = 443
    ca_file: Path | None = None  # an extra trust anchor for the MTA-STS policy host
    # DS records ("zone keytag algorithm digest-type digest") a DNSSEC chain ends in.
    dnssec_anchors: tuple[str, ...] = ROOT_TRUST_ANCHORS
    # A certificate issuer's organisation -> the CAA identities that allow it, beside the
    # table of public CAs the auditor ships (checks/mail/caa.py).
    caa_identities: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Exclusion:
    """A name discovery finds but the audit leaves alone, and why (shown on the internal page)."""

    name: str
    reason: str


@dataclass(frozen=True)
class DiscoverySettings:
    """Where names beyond the configured sites are found ([discovery]; absent: no discovery)."""

    domains: tuple[str, ...] = ()  # the apex domains: alternativet.dk
    dns_zones: bool = True  # the DigitalOcean account's DNS zones (domains and records)
    certificate_transparency: bool = True  # every name crt.sh lists under the domains
    crtsh_url: str = "https://crt.sh/"
    exclude: tuple[Exclusion, ...] = ()
    # Issuers (organisation or common name) a CT certificate may come from; empty: those of
    # the certificates the sites serve.
    expected_issuers: tuple[str, ...] = ()
    # name suffix -> platform of a discovered site; longest suffix wins, else "ukendt".
    platforms: Mapping[str, str] = field(default_factory=dict)
    # Where a discovered name is asked whether it serves (tests point these at loopback ports).
    https_port: int = HTTPS_PORT
    http_port: int = 80
    ssh_port: int = SSH_PORT

    def excluded(self, name: str) -> Exclusion | None:
        return next((e for e in self.exclude if e.name == name), None)

    def platform_of(self, name: str) -> str:
        matches = [s for s in self.platforms if name == s or name.endswith("." + s)]
        return self.platforms[max(matches, key=len)] if matches else UNKNOWN_PLATFORM


@dataclass(frozen=True)
class Limits:
    """Time and concurrency bounds: every network step, every target, the whole run."""

    connect_timeout: float = 5.0
    target_timeout: float = 60.0
    deadline: float = 900.0
    concurrency: int = 16  # targets audited at once
    per_server_connections: int = 5
    expiry_warning_days: int = 21


@dataclass(frozen=True)
class OutputSettings:
    out_dir: Path = Path("auditor-out")
    history: Path | None = None  # default: HISTORY_FILE in the output folder

    def history_path(self, out_dir: Path | None = None) -> Path:
        """Where the runs are kept: `history` where the config names it, else history.sqlite3
        in the output folder (the command line's `out_dir`, else the config's)."""
        return self.history or (out_dir or self.out_dir) / HISTORY_FILE


@dataclass(frozen=True)
class PagesSettings:
    """What the public page links to besides the audit: the privacy policy and a contact."""

    privacy_policy_url: str | None = None  # an https:// address
    contact: str | None = None  # an e-mail address or an https:// address


@dataclass(frozen=True)
class AuditConfig:
    source: str
    sites: tuple[SiteConfig, ...] = ()
    limits: Limits = field(default_factory=Limits)
    ssh: SshSettings = field(default_factory=SshSettings)
    access: AccessSettings = field(default_factory=AccessSettings)
    digitalocean: DigitalOceanSettings = field(default_factory=DigitalOceanSettings)
    dns: DnsSettings = field(default_factory=DnsSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    output: OutputSettings = field(default_factory=OutputSettings)
    discovery: DiscoverySettings | None = None  # None: no [discovery] section
    pages: PagesSettings = field(default_factory=PagesSettings)

    def configured(self, host: str) -> bool:
        """Whether a site of this name is in the config (on any port)."""
        return any(site.host == host for site in self.sites)


class TomlSection:
    """A TOML table being read: knows its dotted path, rejects unknown keys."""

    def __init__(self, source: str, data: Mapping[str, Any], path: str, base: Path) -> None:
        self.source = source
        self.data = data
        self.path = path
        self.base = base
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str | None, problem: str) -> ConfigError:
        return ConfigError(self.source, self.key(name) if name else self.path or None, problem)

    def _get(self, name: str, kind: type | tuple[type, ...], kind_name: str) -> Any:
        self.seen.add(name)
        value = self.data.get(name)
        if value is None:
            return None
        # bool is an int in Python; a TOML true is never a valid number here.
        if isinstance(value, bool) and kind is not bool:
            raise self.error(name, f"expected {kind_name}, got a boolean")
        if not isinstance(value, kind):
            raise self.error(name, f"expected {kind_name}, got {type(value).__name__}")
        return value

    def opt_str(self, name: str) -> str | None:
        """The string, or None where the key is absent (the caller names the default)."""
        value = self._get(name, str, "a string")
        if value is not None and not value.strip():
            raise self.error(name, "must not be empty")
        return None if value is None else str(value)

    def req_str(self, name: str) -> str:
        value = self.opt_str(name)
        if value is None:
            raise self.error(name, "is required")
        return value

    def opt_int(self, name: str, default: int, low: int, high: int) -> int:
        value = self._get(name, int, "a whole number")
        if value is None:
            return default
        if not low <= value <= high:
            raise self.error(name, f"must be between {low} and {high}, got {value}")
        return int(value)

    def opt_float(self, name: str, default: float, low: float, high: float) -> float:
        value = self._get(name, (int, float), "a number")
        if value is None:
            return default
        if not low <= value <= high:
            raise self.error(name, f"must be between {low} and {high}, got {value}")
        return float(value)

    def opt_bool(self, name: str, default: bool) -> bool:
        value = self._get(name, bool, "true or false")
        return default if value is None else bool(value)

    def str_list(self, name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self._get(name, list, "a list of strings")
        if value is None:
            return default
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{name}[{i}]", "expected a non-empty string")
        return tuple(value)

    def path_value(self, name: str, must_exist: bool = True) -> Path | None:
        """A path relative to the config's folder; `must_exist`: an existing file, not a folder."""
        value = self.opt_str(name)
        if value is None:
            return None
        if "\0" in value:  # no system call takes it: a ValueError wherever the path is used
            raise self.error(name, "a path cannot contain a NUL character")
        try:
            resolved = Path(value).expanduser()
        except RuntimeError:  # ~name of a user this system does not know, or no home at all
            raise self.error(
                name, f"cannot find the home folder of {value.split('/')[0]!r}"
            ) from None
        if not resolved.is_absolute():
            resolved = self.base / resolved
        if must_exist and not resolved.exists():
            raise self.error(name, f"no such file: {resolved}")
        if must_exist and not resolved.is_file():
            raise self.error(name, f"not a file: {resolved}")
        return resolved

    def table(self, name: str) -> TomlSection:
        value = self._get(name, dict, "a table")
        return TomlSection(self.source, value or {}, self.key(name), self.base)

    def tables(self, name: str) -> list[TomlSection]:
        value = self._get(name, list, "an array of tables")
        sections = []
        for i, item in enumerate(value or []):
            if not isinstance(item, dict):
                raise self.error(f"{name}[{i}]", "expected a table")
            sections.append(TomlSection(self.source, item, f"{self.key(name)}[{i}]", self.base))
        return sections

    def done(self) -> None:
        """Reject keys nobody read: a typo must not silently turn a check off."""
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            raise self.error(unknown[0], "unknown key")


def _port(section: TomlSection, name: str, default: int) -> int:
    return section.opt_int(name, default, 1, 65535)


def _addresses(section: TomlSection, name: str) -> tuple[str, ...]:
    values = section.str_list(name)
    for i, value in enumerate(values):
        if not is_ip_address(value):
            raise section.error(f"{name}[{i}]", f"not an IP address: {value!r}")
    return values


def _host(section: TomlSection, name: str) -> str:
    host = section.req_str(name).strip().lower().rstrip(".")
    problem = host_name_problem(host)
    if problem is not None:
        raise section.error(name, f"not a host name ({problem}): {host!r}")
    return host


def _hosts(section: TomlSection, name: str) -> tuple[str, ...]:
    """Host names or addresses, each in the form it is compared in (see `canonical_host`)."""
    hosts = tuple(canonical_host(value) for value in section.str_list(name))
    for i, host in enumerate(hosts):
        problem = host_name_problem(host)
        if problem is not None:
            raise section.error(f"{name}[{i}]", f"not a host name or address ({problem}): {host!r}")
    return hosts


def _site(section: TomlSection) -> SiteConfig:
    site = SiteConfig(
        host=_host(section, "host"),
        platform=section.opt_str("platform") or "",
        port=_port(section, "port", SiteConfig.port),
        http_port=_port(section, "http_port", SiteConfig.http_port),
        addresses=_addresses(section, "addresses"),
        ca_file=section.path_value("ca_file"),
        front=section.opt_str("front"),
        origin_addresses=_addresses(section, "origin_addresses"),
        processor=section.opt_str("processor"),
        reason=section.opt_str("reason"),
    )
    _hosting_keys(section, site)
    if site.ca_file is not None:
        try:
            pem_certificates(site.ca_file)
        except ValueError as exc:
            raise section.error("ca_file", str(exc)) from None
    section.done()
    return site


def _hosting_keys(section: TomlSection, site: SiteConfig) -> None:
    """A fronted site names its origins; a processor's site says why; never both at once."""
    if site.front is not None and not site.origin_addresses:
        raise section.error("origin_addresses", "is required with front")
    if site.origin_addresses and site.front is None:
        raise section.error("front", "is required with origin_addresses")
    if site.processor is not None and site.reason is None:
        raise section.error("reason", "is required with processor")
    if site.reason is not None and site.processor is None:
        raise section.error("processor", "is required with reason")
    if site.front is not None and site.processor is not None:
        raise section.error("processor", "a site is either behind a front or a processor's")


def _limits(section: TomlSection) -> Limits:
    limits = Limits(
        connect_timeout=section.opt_float(
            "connect_timeout", Limits.connect_timeout, *CONNECT_TIMEOUT_RANGE
        ),
        target_timeout=section.opt_float("target_timeout", Limits.target_timeout, 1, 3600),
        deadline=section.opt_float("deadline", Limits.deadline, 1, 86400),
        concurrency=section.opt_int("concurrency", Limits.concurrency, 1, 256),
        per_server_connections=section.opt_int(
            "per_server_connections", Limits.per_server_connections, 1, 50
        ),
        expiry_warning_days=section.opt_int(
            "expiry_warning_days", Limits.expiry_warning_days, 0, 365
        ),
    )
    section.done()
    return limits


def _ssh(section: TomlSection) -> SshSettings:
    servers = []
    for server in section.tables("servers"):
        servers.append(
            SshServerConfig(
                host=_host(server, "host"),
                port=_port(server, "port", SshServerConfig.port),
                address=_single_address(server, "address"),
                sshd_command=server.opt_str("sshd_command") or SshServerConfig.sshd_command,
            )
        )
        server.done()
    settings = SshSettings(
        users=section.str_list("users", SshSettings.users),
        servers=tuple(servers),
        exclude=_hosts(section, "exclude"),
        from_inventory=section.opt_bool("from_inventory", SshSettings.from_inventory),
        inventory_port=_port(section, "inventory_port", SshSettings.inventory_port),
        auditor_user=section.opt_str("auditor_user"),
        auditor_key=section.path_value("auditor_key"),
        known_hosts=section.path_value("known_hosts", must_exist=False),
    )
    if (settings.auditor_user is None) != (settings.auditor_key is None):
        raise section.error(None, "auditor_user and auditor_key go together")
    if settings.authenticated and settings.known_hosts is None:
        raise section.error("known_hosts", "is required with auditor_key (host keys are pinned)")
    # Read on every authenticated probe: a FIFO there would block each one for ever.
    known_hosts = settings.known_hosts
    if known_hosts is not None and known_hosts.exists() and not known_hosts.is_file():
        raise section.error("known_hosts", f"not a file: {known_hosts}")
    section.done()
    return settings


def _single_address(section: TomlSection, name: str) -> str | None:
    value = section.opt_str(name)
    if value is not None and not is_ip_address(value):
        raise section.error(name, f"not an IP address: {value!r}")
    return value


def _access(section: TomlSection) -> AccessSettings:
    settings = AccessSettings(
        roster=section.path_value("roster"),
        required_team=section.opt_str("required_team") or AccessSettings.required_team,
        max_holders=section.opt_int("max_holders", AccessSettings.max_holders, 0, 10_000),
    )
    section.done()
    return settings


def _digitalocean(section: TomlSection) -> DigitalOceanSettings:
    endpoint = _http_url(section, "endpoint", DigitalOceanSettings.endpoint)
    settings = DigitalOceanSettings(
        token_env=section.opt_str("token_env") or DigitalOceanSettings.token_env,
        # python-digitalocean joins paths onto the endpoint: it must end with a slash.
        endpoint=endpoint if endpoint.endswith("/") else endpoint + "/",
        # Slugs are lower case in the API; the control panel shows them as "AMS3".
        allowed_regions=tuple(
            r.strip().lower()
            for r in section.str_list("allowed_regions", DigitalOceanSettings.allowed_regions)
        ),
    )
    section.done()
    return settings


def _http_url(section: TomlSection, name: str, default: str) -> str:
    url = section.opt_str(name) or default
    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("https", "http") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # an unbalanced bracket, a port that is not a number
        usable = False
    if not usable:
        raise section.error(name, f"must be an http(s) URL with a host, got {url!r}")
    return url


def _exclusions(section: TomlSection) -> tuple[Exclusion, ...]:
    exclusions = []
    for entry in section.tables("exclude"):
        # A reason is mandatory: the internal page shows why a name is left alone.
        exclusions.append(Exclusion(_host(entry, "name"), entry.req_str("reason").strip()))
        entry.done()
    return tuple(exclusions)


def _platform_rules(section: TomlSection) -> dict[str, str]:
    table = section.table("platforms")
    rules = {}
    for suffix in list(table.data):
        platform = table.req_str(suffix)
        name = suffix.strip().lower().rstrip(".")
        problem = host_name_problem(name)
        if problem is not None:
            raise table.error(suffix, f"not a domain name ({problem})")
        rules[name] = platform
    table.done()
    return rules


def _discovery(section: TomlSection) -> DiscoverySettings:
    domains = tuple(d.strip().lower().rstrip(".") for d in section.str_list("domains"))
    for i, domain in enumerate(domains):
        problem = host_name_problem(domain)
        if problem is not None or is_ip_address(domain):
            raise section.error(f"domains[{i}]", f"not a domain name: {domain!r}")
    settings = DiscoverySettings(
        domains=domains,
        dns_zones=section.opt_bool("dns_zones", DiscoverySettings.dns_zones),
        certificate_transparency=section.opt_bool(
            "certificate_transparency", DiscoverySettings.certificate_transparency
        ),
        crtsh_url=_http_url(section, "crtsh_url", DiscoverySettings.crtsh_url),
        exclude=_exclusions(section),
        expected_issuers=section.str_list("expected_issuers"),
        platforms=_platform_rules(section),
        https_port=_port(section, "https_port", DiscoverySettings.https_port),
        http_port=_port(section, "http_port", DiscoverySettings.http_port),
        ssh_port=_port(section, "ssh_port", DiscoverySettings.ssh_port),
    )
    section.done()
    return settings


def _dns(section: TomlSection) -> DnsSettings:
    settings = DnsSettings(
        nameservers=_addresses(section, "nameservers"),
        port=_port(section, "port", DnsSettings.port),
        probe_ipv6=section.opt_bool("probe_ipv6", DnsSettings.probe_ipv6),
    )
    section.done()
    return settings


def _mail(section: TomlSection) -> MailSettings:
    domains = None
    if "domains" in section.data:
        domains = tuple(
            dict.fromkeys(_domain(section, "domains", d) for d in section.str_list("domains"))
        )
    anchors = section.str_list("dnssec_anchors", MailSettings.dnssec_anchors)
    for i, anchor in enumerate(anchors):
        problem = ds_anchor_problem(anchor)
        if problem is not None:
            raise section.error(f"dnssec_anchors[{i}]", problem)
    settings = MailSettings(
        domains=domains,
        dkim_selectors=tuple(
            s.strip().lower()
            for s in section.str_list("dkim_selectors", MailSettings.dkim_selectors)
        ),
        mta_sts_port=_port(section, "mta_sts_port", MailSettings.mta_sts_port),
        ca_file=section.path_value("ca_file"),
        dnssec_anchors=anchors,
        caa_identities=_caa_identities(section.table("caa_identities")),
    )
    if settings.ca_file is not None:
        try:
            pem_certificates(settings.ca_file)
        except ValueError as exc:
            raise section.error("ca_file", str(exc)) from None
    section.done()
    return settings


def _web_address(section: TomlSection, name: str) -> str | None:
    value = section.opt_str(name)
    if value is not None and not value.startswith("https://"):
        raise section.error(name, f"must be an https:// address, not {value!r}")
    return value


def _pages(section: TomlSection) -> PagesSettings:
    contact = section.opt_str("contact")
    if contact is not None and not contact.startswith("https://"):
        local, _, domain = contact.partition("@")
        if not local or "." not in domain or any(c.isspace() or c in '<>"' for c in contact):
            problem = f"must be an e-mail or https:// address, not {contact!r}"
            raise section.error("contact", problem)
    settings = PagesSettings(_web_address(section, "privacy_policy_url"), contact)
    section.done()
    return settings


def _caa_identities(section: TomlSection) -> dict[str, tuple[str, ...]]:
    """`"Issuer Organisation" = ["ca.example"]`: a table of lists of CAA identities."""
    found = {}
    for organisation in list(section.data):
        found[organisation] = tuple(
            i.strip().lower() for i in section.str_list(organisation) if i.strip()
        )
    section.done()
    return found


def _domain(section: TomlSection, name: str, value: str) -> str:
    try:
        return mail_domain(value)
    except ValueError as exc:
        raise section.error(name, str(exc)) from None


def mail_domain(value: str) -> str:
    """A mail domain as compared (lower case, no trailing dot); ValueError saying why not."""
    domain = canonical_host(value)
    problem = host_name_problem(domain)
    if problem is None and (is_ip_address(domain) or "." not in domain):
        problem = "a mail domain is a name with a dot, not an address"
    if problem is not None:
        raise ValueError(f"not a mail domain ({problem}): {value!r}")
    return domain


def ds_anchor_problem(text: str) -> str | None:
    """Why a trust anchor is not "zone keytag algorithm digest-type hex-digest", or None."""
    parts = text.split()
    if len(parts) != 5 or not all(p.isdigit() for p in parts[1:4]):
        return f"expected 'zone keytag algorithm digest-type digest', got {text!r}"
    try:
        bytes.fromhex(parts[4])
    except ValueError:
        return f"the digest is not hexadecimal: {parts[4]!r}"
    return None


def _output(section: TomlSection) -> OutputSettings:
    settings = OutputSettings(
        out_dir=section.path_value("out_dir", must_exist=False) or OutputSettings.out_dir,
        history=section.path_value("history", must_exist=False),
    )
    section.done()
    return settings


def parse_config(text: str, source: str, base: Path) -> AuditConfig:
    """Validate a configuration's text; relative paths are taken from `base`."""
    try:
        data = toml_document(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, None, f"not valid TOML: {exc}") from None
    root = TomlSection(source, data, "", base)
    sites = tuple(_site(s) for s in root.tables("sites"))
    labels = [s.label for s in sites]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise root.error("sites", f"site listed twice: {duplicates[0]}")
    config = AuditConfig(
        source=source,
        sites=sites,
        limits=_limits(root.table("limits")),
        ssh=_ssh(root.table("ssh")),
        access=_access(root.table("access")),
        digitalocean=_digitalocean(root.table("digitalocean")),
        dns=_dns(root.table("dns")),
        mail=_mail(root.table("mail")),
        output=_output(root.table("output")),
        discovery=_discovery(root.table("discovery")) if "discovery" in data else None,
        pages=_pages(root.table("pages")),
    )
    root.done()
    return config


def load_config(path: Path | None) -> AuditConfig:
    """Read the configuration at `path`, or the packaged default for Alternativet."""
    if path is None:
        # Only the packaged default needs importlib.resources (~5 ms of start-up).
        from importlib import resources  # noqa: PLC0415

        text = resources.files("auditor.defaults").joinpath(DEFAULT_CONFIG_NAME).read_text()
        return parse_config(text, f"<packaged {DEFAULT_CONFIG_NAME}>", Path.cwd())
    return parse_config(config_text(path), str(path), path.resolve().parent)
