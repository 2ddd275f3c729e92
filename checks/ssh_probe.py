"""What an SSH server offers, learned without ever trying a credential.

For each user the probe opens one connection, completes the key exchange and asks to log
in with the `none` method; the server's refusal lists the methods it would accept. No
password is sent, no keyboard-interactive prompt is answered, no key is offered, and one
refused `none` per user is all a fail2ban sees.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

import paramiko
from paramiko.auth_handler import AuthHandler
from paramiko.message import Message

# Key types asked for one by one so every host key the server has is fingerprinted.
HOST_KEY_TYPES = ("ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512")


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


class _ListingAuthHandler(AuthHandler):
    """Keeps the method list of USERAUTH_FAILURE, which paramiko drops when it lists `none`."""

    def __init__(self, transport: paramiko.Transport) -> None:
        super().__init__(transport)
        self.listed: list[str] | None = None

    def _parse_userauth_failure(self, m: Message) -> None:
        self.listed = list(Message(m.asbytes()).get_list())
        super()._parse_userauth_failure(m)  # type: ignore[misc]


@dataclass
class _Counter:
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self) -> None:
        with self.lock:
            self.count += 1


def open_transport(
    address: str,
    port: int,
    timeout: float,
    counter: _Counter | None = None,
    key_types: tuple[str, ...] | None = None,
) -> paramiko.Transport:
    """A transport after key exchange, every step bounded by `timeout`."""
    if counter is not None:
        counter.add()
    try:
        sock = socket.create_connection((address, port), timeout=timeout)
    except TimeoutError:
        raise SshUnreachable(f"no TCP connection within {timeout:g} s") from None
    except ConnectionRefusedError:
        raise SshUnreachable("connection refused") from None
    except OSError as exc:
        raise SshUnreachable(f"cannot connect: {exc.strerror or exc}") from None
    sock.settimeout(timeout)
    transport = paramiko.Transport(sock)
    transport.banner_timeout = timeout
    transport.handshake_timeout = timeout
    transport.auth_timeout = timeout
    if key_types is not None:
        transport.get_security_options().key_types = key_types
    try:
        transport.start_client(timeout=timeout)
    except (paramiko.SSHException, EOFError, OSError) as exc:
        transport.close()
        text = str(exc) or type(exc).__name__
        if "banner" in text.lower():
            raise SshUnreachable(f"no SSH banner within {timeout:g} s") from None
        raise SshUnreachable(f"SSH handshake failed: {text}") from None
    if not transport.is_active() or not transport.initial_kex_done:
        # paramiko can return from start_client with a dead transport when the peer
        # never sent its banner: treat it as what it is.
        transport.close()
        raise SshUnreachable(f"no SSH banner or key exchange within {timeout:g} s")
    return transport


def host_key(transport: paramiko.Transport) -> tuple[str, str]:
    key = transport.get_remote_server_key()
    return key.get_name(), key.fingerprint


def none_methods(transport: paramiko.Transport, user: str) -> UserMethods:
    handler = _ListingAuthHandler(transport)
    transport.auth_handler = handler
    event = threading.Event()
    handler.auth_none(user, event)
    try:
        handler.wait_for_response(event)
    except paramiko.BadAuthenticationType as exc:
        return UserMethods(user, tuple(exc.allowed_types))
    except paramiko.AuthenticationException:
        if handler.listed is not None:  # the list held `none` itself: paramiko's quirk
            return UserMethods(user, tuple(handler.listed))
        return UserMethods(user, error="the server refused without listing methods")
    except (paramiko.SSHException, EOFError, OSError) as exc:
        return UserMethods(
            user, error=f"no answer to the login request: {exc or type(exc).__name__}"
        )
    return UserMethods(user, ("none",), none_accepted=True)


def probe(host: str, address: str, port: int, users: tuple[str, ...], timeout: float) -> SshProbe:
    counter = _Counter()
    results: list[UserMethods] = []
    keys: dict[str, str] = {}
    banner: str | None = None
    for user in users:
        try:
            transport = open_transport(address, port, timeout, counter)
        except SshUnreachable as exc:
            if not results:
                return SshProbe(
                    host, address, port, connect_error=str(exc), connections=counter.count
                )
            results.append(UserMethods(user, error=str(exc)))
            continue
        try:
            banner = transport.remote_version
            kind, fingerprint = host_key(transport)
            keys[kind] = fingerprint
            results.append(none_methods(transport, user))
        except (paramiko.SSHException, EOFError, OSError) as exc:
            results.append(UserMethods(user, error=f"SSH failed: {exc or type(exc).__name__}"))
        finally:
            transport.close()
    for kind in HOST_KEY_TYPES:
        if _same_family(kind, keys):
            continue
        try:
            transport = open_transport(address, port, timeout, counter, key_types=(kind,))
        except SshUnreachable:
            continue  # the server has no key of this type
        try:
            found, fingerprint = host_key(transport)
            keys[found] = fingerprint
        except paramiko.SSHException:
            continue
        finally:
            transport.close()
    return SshProbe(
        host,
        address,
        port,
        banner=banner,
        users=tuple(results),
        host_keys=tuple(sorted(keys.items())),
        connections=counter.count,
    )


def _same_family(kind: str, seen: dict[str, str]) -> bool:
    """rsa-sha2-512 and ssh-rsa are the same RSA key; so are the ECDSA curves by name."""
    if kind.startswith("rsa-sha2") or kind == "ssh-rsa":
        return any(k.startswith("rsa-sha2") or k == "ssh-rsa" for k in seen)
    return kind in seen
