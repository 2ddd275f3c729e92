"""What the SSH probe and the authenticated read found, as plain records.

Kept apart from the modules that talk SSH: those load paramiko (about 60 ms of start-up),
which a run without SSH servers, and every command that only shows or renders, never needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.core.sshkeys import AuthorizedKey, BadLine


class SshUnreachable(Exception):
    """No TCP connection, no banner, or no key exchange within the timeout."""


@dataclass(frozen=True)
class UserMethods:
    user: str
    methods: tuple[str, ...] = ()
    none_accepted: bool = False  # the server let this user in with no credential at all
    error: str | None = None


@dataclass(frozen=True)
class SshProbe:
    host: str
    address: str
    port: int
    banner: str | None = None
    users: tuple[UserMethods, ...] = ()
    host_keys: tuple[tuple[str, str], ...] = ()  # (key type, SHA256 fingerprint)
    connect_error: str | None = None
    connections: int = 0

    @property
    def server_version(self) -> str | None:
        if self.banner is None:
            return None
        parts = self.banner.split("-", 2)
        return parts[2] if len(parts) == 3 else self.banner


class ReadRefused(Exception):
    """The read must not or could not happen: unknown host key, refused key, no channel."""


@dataclass(frozen=True)
class KeysFile:
    """Where keys that open an account come from: an authorized_keys file, the output of an
    AuthorizedKeysCommand, or a TrustedUserCAKeys file (whose keys are all CA keys)."""

    user: str  # the account; "*" for every login account, or several joined with ", "
    path: str
    keys: tuple[AuthorizedKey, ...] = ()
    bad_lines: tuple[BadLine, ...] = ()
    error: str | None = None  # the file is there but could not be read whole
    cert_authority: bool = False  # anyone with a certificate signed by one of its keys


@dataclass(frozen=True)
class MatchRead:
    """One Match line of the sshd configuration, and `sshd -T` for a connection it matches."""

    where: str  # "path line N"
    text: str  # the line as written, e.g. "Match Address 192.0.2.0/24"
    spec: str = ""  # the connection given to `sshd -T -C`
    effective: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # why this block could not be judged for every connection
    note: str | None = None  # why there is nothing to judge (a block that matches nothing)


@dataclass(frozen=True)
class ServerRead:
    effective: dict[str, dict[str, str]] = field(default_factory=dict)  # user -> sshd -T
    effective_errors: dict[str, str] = field(default_factory=dict)
    keys_files: tuple[KeysFile, ...] = ()
    error: str | None = None
    matches: tuple[MatchRead, ...] = ()
    config_files: tuple[str, ...] = ()  # every sshd configuration file read for Match lines
    config_error: str | None = None  # why the Match blocks could not all be found
