"""What the audit found to exist: sites, cloud resources, SSH servers, keys.

Each record is a frozen dataclass with a `to_dict`/`from_dict` pair, so the JSON report
round-trips. Checks fill these; renderers read them; neither reaches into the other.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeVar, get_args, get_type_hints

from auditor.core.model import Status

T = TypeVar("T")

# A saved report's integers feed arithmetic and the metrics' floats: anything wider is no count.
_LARGEST_INT = 2**63

# KeyLocation.server of the keys the DigitalOcean account itself holds (not a server's file).
DIGITALOCEAN_ACCOUNT = "digitalocean"


def _tuple_of_str(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (value or ()))


def _suites(value: Any, name: str) -> dict[str, tuple[str, ...]]:
    """A TLS version -> cipher suites map from a saved report, checked like any field."""
    return {
        str(version): _tuple_of_str(_checked(name, tuple[str, ...], suites))
        for version, suites in _mapping(value, name).items()
    }


@dataclass(frozen=True)
class CertificateRecord:
    """A site's TLS at one address, as the tls family found it: the certificate the site
    serves there and how it speaks TLS. Every (site, address) the family was given has one;
    a site that was not reached has no certificate fields (`sha256` empty).

    `address` is the IP address scanned; it is internal and never put on the public page.
    """

    target: str  # the findings' target: "host", "host:port", or either "@address"
    site: str  # host name as configured
    port: int
    platform: str
    address: str | None = None  # None when the name did not resolve
    subject: str = ""
    common_name: str | None = None
    organization: str | None = None
    sans: tuple[str, ...] = ()
    issuer: str = ""
    issuer_organization: str | None = None
    serial: str = ""
    not_before: str = ""  # ISO 8601, UTC
    not_after: str = ""
    days_left: int | None = None
    sha256: str = ""  # colon-separated upper-case hex
    key_type: str = ""  # "RSA", "EC", "Ed25519", ...
    key_size: int | None = None
    signature_algorithm: str = ""
    chain: tuple[str, ...] = ()  # subjects, leaf first, as the server sent them
    tls_versions: tuple[str, ...] = ()  # accepted, e.g. ("TLS 1.2", "TLS 1.3")
    ocsp_stapling: bool | None = None
    trusted: bool | None = None
    # TLS version -> the weak suites (NULL, EXPORT, anonymous, RC4, DES, 3DES) it accepted.
    weak_suites: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # With --deep: TLS version -> every suite accepted; None when not enumerated.
    accepted_suites: Mapping[str, tuple[str, ...]] | None = None
    # With --deep: a version (or "scan") -> why its suites could not be listed.
    unlisted_suites: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = _to_dict(self)
        data["weak_suites"] = {v: list(s) for v, s in self.weak_suites.items()}
        if self.accepted_suites is not None:
            data["accepted_suites"] = {v: list(s) for v, s in self.accepted_suites.items()}
        data["unlisted_suites"] = dict(self.unlisted_suites)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CertificateRecord:
        suites = ("weak_suites", "accepted_suites", "unlisted_suites")
        given = _mapping(data, cls.__name__)
        record = _from_dict(
            cls,
            {k: v for k, v in given.items() if k not in suites},
            tuples=("sans", "chain", "tls_versions"),
        )
        accepted = given.get("accepted_suites")
        unlisted = _mapping(given.get("unlisted_suites") or {}, "unlisted_suites")
        return replace(
            record,
            weak_suites=_suites(given.get("weak_suites") or {}, "weak_suites"),
            accepted_suites=None if accepted is None else _suites(accepted, "accepted_suites"),
            unlisted_suites={
                str(k): _checked("unlisted_suites", str, v) for k, v in unlisted.items()
            },
        )

    @property
    def reached(self) -> bool:
        """Whether the site showed a certificate at this address."""
        return bool(self.sha256)


@dataclass(frozen=True)
class HttpsRecord:
    """What a site's http:// and https:// answers said at one address (the https family's).

    Every (site, address) the family was given has one; what could not be asked is None.
    """

    target: str  # the findings' target, as CertificateRecord.target
    site: str
    port: int
    address: str | None = None
    # Whether anything answers plain HTTP: False when the connection is refused (no
    # cleartext page, but no redirect either), None when it could not be checked.
    http_served: bool | None = None
    redirect_status: int | None = None  # the first answer to http://, and where it points
    redirect_location: str | None = None
    # Where the redirects from http:// leave a visitor: the last answer's URL, or the last
    # Location when it was not followed (off the site).
    redirect_final: str | None = None
    # The https.redirect verdict: every redirect from http:// is to https:// (no user name
    # in it), the first to the site's port on its host or a name under it; at most 10.
    redirects_to_https: bool = False
    # The answer HSTS is judged on: the last https:// answer on the site's host that the
    # redirects reach (else that https:// itself leads to), and its status; None: no answer.
    https_url: str | None = None
    https_status: int | None = None
    hsts_header: str | None = None  # the first Strict-Transport-Security header, verbatim
    hsts_max_age: int | None = None  # seconds; None when the header is missing or invalid
    hsts_include_subdomains: bool = False
    hsts_preload: bool = False

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HttpsRecord:
        return _from_dict(cls, data)


@dataclass(frozen=True)
class CloudResource:
    """A DigitalOcean droplet, load balancer, reserved IP, App Platform app or CDN endpoint."""

    kind: str  # "droplet" | "load_balancer" | "reserved_ip" | "app" | "cdn_endpoint"
    id: str
    name: str
    region: str
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    features: tuple[str, ...] = ()  # e.g. "backups", "monitoring"
    firewalls: tuple[str, ...] = ()  # names of the firewalls that apply
    status: str = ""
    # The worst verdict on this resource itself (None: no check spoke to it). Names are
    # not unique in an account, so a finding's "kind:name" target cannot tell two apart.
    verdict: Status | None = None
    # The names an app or a CDN endpoint serves (its custom domains and its own name):
    # their public addresses are DigitalOcean's shared edge, in no inventory list.
    domains: tuple[str, ...] = ()
    origin: str = ""  # a CDN endpoint's origin (a Spaces bucket), whose region is its own

    def to_dict(self) -> dict[str, Any]:
        data = _to_dict(self)
        data["verdict"] = self.verdict.value if self.verdict is not None else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CloudResource:
        record = _from_dict(
            cls, data, tuples=("ipv4", "ipv6", "tags", "features", "firewalls", "domains")
        )
        verdict = _checked("verdict", str | None, _mapping(data, cls.__name__).get("verdict"))
        return replace(record, verdict=Status(verdict) if verdict is not None else None)


@dataclass(frozen=True)
class SshServerRecord:
    """What an SSH server told the unauthenticated probe, and the authenticated read if any."""

    target: str  # "host" or "host:port"
    host: str
    port: int
    banner: str | None = None
    server_version: str | None = None
    # user -> methods the server listed after the `none` attempt
    methods: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    host_keys: tuple[str, ...] = ()  # "ssh-ed25519 SHA256:..." per host key type
    effective_config: Mapping[str, str] | None = None  # from `sshd -T`, if read
    keys_read: bool = False  # every authorized_keys file was read (authenticated read)

    def to_dict(self) -> dict[str, Any]:
        data = _to_dict(self)
        data["methods"] = {user: list(m) for user, m in self.methods.items()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SshServerRecord:
        record = _from_dict(cls, data, tuples=("host_keys",))
        listed = _mapping(data.get("methods") or {}, "methods")
        methods = {
            str(u): _tuple_of_str(_checked("methods", tuple[str, ...], m))
            for u, m in listed.items()
        }
        effective = data.get("effective_config")
        if effective is not None:
            effective = _mapping(effective, "effective_config")
            for value in effective.values():
                _checked("effective_config", str, value)
        return replace(
            record,
            methods=methods,
            effective_config=dict(effective) if effective is not None else None,
        )


@dataclass(frozen=True)
class KeyLocation:
    """Where one key grants access: a server account's authorized_keys, or the cloud account."""

    server: str  # SSH target, or "digitalocean" for the account's keys
    user: str | None = None
    path: str | None = None
    line: int | None = None
    options: str | None = None  # the authorized_keys option prefix, verbatim
    comment: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KeyLocation:
        return _from_dict(cls, data)


@dataclass(frozen=True)
class FoundKey:
    """A public key as found in one place, before the roster says whose it is."""

    fingerprint: str  # "SHA256:..." exactly as ssh-keygen -lf prints it
    key_type: str  # as ssh-keygen -lf names it: "RSA", "ED25519", "ECDSA", "DSA", "ED25519-SK"
    bits: int | None
    location: KeyLocation
    managed_by: str | None = None  # e.g. "digitalocean-droplet-agent"
    cert_authority: bool = False
    # Whom the line's comment names (droplet agent keys): anyone who can write the file can
    # write it, so it is only shown beside the key, never taken as its holder.
    named_person: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = _to_dict(self)
        data["location"] = self.location.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FoundKey:
        record = _from_dict(cls, {**_mapping(data, cls.__name__), "location": None})
        return replace(record, location=KeyLocation.from_dict(data["location"]))


@dataclass(frozen=True)
class KeyHolderRecord:
    """One public key, who holds it according to the roster, and everywhere it opens."""

    fingerprint: str  # "SHA256:..." exactly as ssh-keygen -lf prints it
    key_type: str  # "RSA", "ED25519", "ECDSA", "DSA", "ED25519-SK", ...
    bits: int | None
    person: str | None = None  # the roster's entry; None: nobody on the roster holds it
    team: str | None = None
    approved: bool | None = None
    managed_by: str | None = None  # e.g. "digitalocean-droplet-agent"
    cert_authority: bool = False
    locations: tuple[KeyLocation, ...] = ()
    service: bool = False  # the roster lists its holder as a service, not a person
    # Whom a line's comment names (the droplet agent's e-mail): a hint, never the holder.
    named_in_line: str | None = None
    # The access verdicts that fail or warn, set by the access family once it has judged.
    unknown: bool = False  # nobody on the roster holds the key
    unapproved: bool = False  # its holder is not approved, or not in the required team
    weak: bool = False  # the key is too short or of a broken type

    def to_dict(self) -> dict[str, Any]:
        data = _to_dict(self)
        data["locations"] = [loc.to_dict() for loc in self.locations]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KeyHolderRecord:
        data = _mapping(data, cls.__name__)
        record = _from_dict(cls, {k: v for k, v in data.items() if k != "locations"})
        return replace(record, locations=_records(data, "locations", KeyLocation.from_dict))


@dataclass(frozen=True)
class DiscoveredName:
    name: str  # lower case, no trailing dot; "*.x" for a wildcard
    sources: tuple[str, ...]  # auditor.core.discovered.Source values
    kind: str  # an auditor.core.discovered.Kind value
    addresses: tuple[str, ...] = ()
    cname: str | None = None  # where the name's CNAME points, when it has one
    resolve_error: str | None = None
    serves: tuple[str, ...] = ()  # of "https", "http", "ssh"
    ssh_addresses: tuple[str, ...] = ()  # the addresses that answered SSH
    platform: str = ""
    configured: bool = False  # a site of this name is in the config
    excluded_reason: str | None = None

    @property
    def live(self) -> bool:
        """It answers TLS or HTTP: a site, audited like a configured one."""
        return self.kind == "site"

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DiscoveredName:
        return _from_dict(cls, data, tuples=("sources", "addresses", "serves", "ssh_addresses"))


@dataclass(frozen=True)
class CtCertificate:
    """A certificate logged in Certificate Transparency, as crt.sh lists it."""

    id: int  # crt.sh's id: stable, so a new certificate is one whose id is new
    issuer: str
    names: tuple[str, ...]
    not_before: str = ""  # ISO 8601, as crt.sh gives it
    not_after: str = ""
    serial: str = ""
    logged_at: str = ""
    expected_issuer: bool | None = None  # None: not judged (no expected issuers known)

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CtCertificate:
        return _from_dict(cls, data, tuples=("names",))


@dataclass(frozen=True)
class CtLog:
    """Where the CT list came from, when it was read, and whether it is this run's."""

    source: str  # the base URL asked
    fetched_at: str  # ISO 8601: when the list shown was read
    stale: bool = False  # this week's read failed: the list is the last run's
    error: str | None = None  # why this week's read failed
    domains: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CtLog:
        return _from_dict(cls, data, tuples=("domains",))


@dataclass(frozen=True)
class Inventory:
    """Everything the run found, merged from every family's outcome."""

    certificates: tuple[CertificateRecord, ...] = ()  # per (site, address), from tls
    https: tuple[HttpsRecord, ...] = ()  # per (site, address), from https
    cloud: tuple[CloudResource, ...] = ()
    ssh_servers: tuple[SshServerRecord, ...] = ()
    found_keys: tuple[FoundKey, ...] = ()  # every key, where it was found (SSH, DigitalOcean)
    key_holders: tuple[KeyHolderRecord, ...] = ()  # the same keys grouped and matched to the roster
    # The DigitalOcean account whose resources `cloud` lists, set only when the whole
    # inventory was read: an empty `cloud` then means "no resources", not "not looked".
    cloud_account: str | None = None
    # From the discovery family: every name found, the CT certificates, the CT list's origin.
    discovered: tuple[DiscoveredName, ...] = ()
    ct_certificates: tuple[CtCertificate, ...] = ()
    ct_log: CtLog | None = None

    def merge(self, other: Inventory) -> Inventory:
        return Inventory(
            cloud_account=self.cloud_account or other.cloud_account,
            discovered=self.discovered + other.discovered,
            ct_certificates=self.ct_certificates + other.ct_certificates,
            ct_log=self.ct_log or other.ct_log,
            certificates=self.certificates + other.certificates,
            https=self.https + other.https,
            cloud=self.cloud + other.cloud,
            ssh_servers=self.ssh_servers + other.ssh_servers,
            found_keys=self.found_keys + other.found_keys,
            key_holders=self.key_holders + other.key_holders,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "certificates": [c.to_dict() for c in self.certificates],
            "https": [h.to_dict() for h in self.https],
            "cloud": [c.to_dict() for c in self.cloud],
            "ssh_servers": [s.to_dict() for s in self.ssh_servers],
            "found_keys": [k.to_dict() for k in self.found_keys],
            "key_holders": [k.to_dict() for k in self.key_holders],
            "cloud_account": self.cloud_account,
            "discovered": [d.to_dict() for d in self.discovered],
            "ct_certificates": [c.to_dict() for c in self.ct_certificates],
            "ct_log": self.ct_log.to_dict() if self.ct_log is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Inventory:
        data = _mapping(data, "inventory")
        return cls(
            certificates=_records(data, "certificates", CertificateRecord.from_dict),
            https=_records(data, "https", HttpsRecord.from_dict),
            cloud=_records(data, "cloud", CloudResource.from_dict),
            ssh_servers=_records(data, "ssh_servers", SshServerRecord.from_dict),
            found_keys=_records(data, "found_keys", FoundKey.from_dict),
            key_holders=_records(data, "key_holders", KeyHolderRecord.from_dict),
            cloud_account=_checked("cloud_account", str | None, data.get("cloud_account")),
            discovered=_records(data, "discovered", DiscoveredName.from_dict),
            ct_certificates=_records(data, "ct_certificates", CtCertificate.from_dict),
            ct_log=CtLog.from_dict(data["ct_log"]) if data.get("ct_log") is not None else None,
        )


def _to_dict(record: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def _from_dict(cls: type[T], data: Mapping[str, Any], tuples: tuple[str, ...] = ()) -> T:
    """A record from a saved report, every field of the type the record declares.

    A report edited by hand or written by another version may hold anything: a wrong type
    is a TypeError here, with the field's name, not a crash in a renderer later.
    """
    hints = _field_types(cls)
    given = _mapping(data, cls.__name__)
    kwargs = {k: _checked(k, hints[k], v) for k, v in given.items() if k in hints}
    for name in tuples:
        if name in kwargs:
            kwargs[name] = _tuple_of_str(kwargs[name])
    return cls(**kwargs)


def _field_types(cls: type[Any]) -> dict[str, Any]:
    """A record's declared field types, worked out once (a history holds many records)."""
    hints = _FIELD_TYPES.get(cls)
    if hints is None:
        hints = _FIELD_TYPES[cls] = get_type_hints(cls)
    return hints


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def _records(data: Mapping[str, Any], key: str, load: Callable[[Any], T]) -> tuple[T, ...]:
    items = data.get(key) or ()
    if not isinstance(items, list | tuple):
        raise TypeError(f"{key}: expected a list, got {type(items).__name__}")
    return tuple(load(item) for item in items)


def _checked(name: str, hint: Any, value: Any) -> Any:
    """`value` if it is what `hint` declares (str, int, bool, tuple[str, ...] or one of
    them or None); a record-valued field is left to that record's own `from_dict`."""
    args = get_args(hint)
    if isinstance(hint, types.UnionType) and type(None) in args:
        if value is None:
            return None
        hint = next(a for a in args if a is not type(None))
    if hint == tuple[str, ...]:
        ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
    elif hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) < _LARGEST_INT
    elif hint is str:
        ok = isinstance(value, str)
    else:
        return value
    if not ok:
        raise TypeError(f"{name}: {value!r:.40} is not {_NAMES.get(hint, 'a list of strings')}")
    return value


_FIELD_TYPES: dict[type[Any], dict[str, Any]] = {}  # the records' classes: a fixed few
_NAMES: Mapping[Any, str] = {bool: "true or false", int: "an integer", str: "a string"}
