"""What an SSH server offers, learned without ever trying a credential.

For each user the probe opens one connection, completes the key exchange and asks to log
in with the `none` method; the server's refusal lists the methods it would accept. No
password is sent, no keyboard-interactive prompt is answered, no key is offered, and one
refused `none` per user is all a fail2ban sees.
"""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import paramiko
from paramiko.auth_handler import AuthHandler
from paramiko.message import Message

from auditor.core.slots import Gate, no_gate
from checks.ssh.model import SshProbe, SshUnreachable, UserMethods

# Host key types, asked for a group per connection (only the groups the users' connections
# did not show). The server signs with the first type of a group it has a key for: one
# connection finds its ECDSA key whatever the curve. (paramiko no longer speaks the SHA-1
# `ssh-rsa` signature: the RSA key of a server older than OpenSSH 7.2 is not listed.)
HOST_KEY_GROUPS = (
    ("ssh-ed25519",),
    ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"),
    ("rsa-sha2-512", "rsa-sha2-256"),
)


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
        # paramiko ends a key exchange that outlives handshake_timeout with an EOFError,
        # as if the server had hung up: a peer that trickles the exchange gets there.
        if transport.packetizer.handshake_timed_out():
            raise SshUnreachable(f"no complete key exchange within {timeout:g} s") from None
        raise SshUnreachable(_start_failure(str(exc) or type(exc).__name__, timeout)) from None
    if not transport.is_active() or not transport.initial_kex_done:
        # paramiko can return from start_client with a dead transport when the peer
        # never sent its banner: treat it as what it is. start_client's wait and the
        # handshake timeout end together, so a peer that sent its banner and then trickled
        # the key exchange can land here too: the banner says which of the two it was.
        transport.close()
        if transport.remote_version:
            raise SshUnreachable(f"no complete key exchange within {timeout:g} s")
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


def _ask_user(
    address: str, port: int, user: str, timeout: float, counter: _Counter, gate: Gate
) -> tuple[UserMethods, str | None, tuple[str, str] | None]:
    """One connection: the methods offered to `user`, the banner and the host key."""
    with gate():
        transport = open_transport(address, port, timeout, counter)
        banner = transport.remote_version
        try:
            key = host_key(transport)
            return none_methods(transport, user), banner, key
        except (paramiko.SSHException, EOFError, OSError) as exc:
            failed = UserMethods(user, error=f"SSH failed: {exc or type(exc).__name__}")
            return failed, banner, None
        finally:
            transport.close()


def _host_key_of_group(
    address: str, port: int, group: tuple[str, ...], timeout: float, counter: _Counter, gate: Gate
) -> tuple[str, str] | None:
    """The server's host key of one of these types, or None when it has none."""
    with gate():
        try:
            transport = open_transport(address, port, timeout, counter, key_types=group)
        except SshUnreachable:
            return None  # the server has no key of this type
        try:
            return host_key(transport)
        except paramiko.SSHException:
            return None
        finally:
            transport.close()


def probe(
    host: str,
    address: str,
    port: int,
    users: tuple[str, ...],
    timeout: float,
    gate: Gate = no_gate,
    max_connections: int = 1,
) -> SshProbe:
    """Ask for every user's methods and every host key, `max_connections` at a time.

    The first user's connection goes alone: a dead host costs one attempt. Then the other
    users and the host key types not yet seen are asked for together.
    """
    counter = _Counter()
    first, *others = users or ("root",)
    try:
        first_methods, banner, first_key = _ask_user(address, port, first, timeout, counter, gate)
    except SshUnreachable as exc:
        return SshProbe(host, address, port, connect_error=str(exc), connections=counter.count)
    keys = dict([first_key] if first_key else [])
    results = [first_methods]
    groups = [group for group in HOST_KEY_GROUPS if not _shown(group, keys)]
    with ThreadPoolExecutor(max_workers=max(1, max_connections)) as pool:
        user_jobs = [
            (user, pool.submit(_ask_user, address, port, user, timeout, counter, gate))
            for user in others
        ]
        key_jobs = [
            pool.submit(_host_key_of_group, address, port, group, timeout, counter, gate)
            for group in groups
        ]
        for user, job in user_jobs:
            try:
                methods, later_banner, key = job.result()
            except SshUnreachable as exc:
                results.append(UserMethods(user, error=str(exc)))
                continue
            results.append(methods)
            banner = banner or later_banner
            if key:
                keys[key[0]] = key[1]
        for key_job in key_jobs:
            found = key_job.result()
            if found is not None:
                keys[found[0]] = found[1]
    return SshProbe(
        host,
        address,
        port,
        banner=banner,
        users=tuple(results),
        host_keys=tuple(sorted(keys.items())),
        connections=counter.count,
    )


def _shown(group: tuple[str, ...], keys: dict[str, str]) -> bool:
    """Whether a key of this group is already known (paramiko names every RSA key ssh-rsa)."""
    names = {"ssh-rsa" if kind.startswith("rsa-sha2") else kind for kind in group}
    return bool(names & keys.keys())


_BANNER_ERROR = "Error reading SSH protocol banner"  # paramiko's words, then the cause's


def _start_failure(text: str, timeout: float) -> str:
    """paramiko's reason for a handshake that never started, in the auditor's words."""
    if "Indecipherable protocol version" in text or (
        text.startswith(_BANNER_ERROR) and "codec can't decode" in text
    ):
        return "not an SSH server: its first line is not an SSH banner"
    if text.startswith(_BANNER_ERROR):
        return f"no SSH banner within {timeout:g} s"
    if text == "EOFError":
        return "the server hung up during the SSH handshake"
    return f"SSH handshake failed: {text}"
