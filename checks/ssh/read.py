"""Authenticated reads on a server: `sshd -T` per user and per Match block of the sshd
configuration, and every authorized_keys file.

The host key is checked against a known_hosts file before any credential is offered: an
unknown or changed key stops the read (no AutoAddPolicy, no trust on first use). Only the
configured auditor key is offered; no agent, no key search, never a password.
"""

from __future__ import annotations

import binascii
import shlex
import socket
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import paramiko
from paramiko.hostkeys import HostKeyEntry, InvalidHostKey

from auditor.core.deadlines import DEADLINES, shut_down
from auditor.core.sshkeys import parse_authorized_keys
from checks.ssh.matches import (
    Accounts,
    ConfigUnread,
    Connection,
    Inert,
    accounts_of,
    config_path,
    connection_for,
    match_blocks,
)
from checks.ssh.model import KeysFile, MatchRead, ReadRefused, ServerRead, SshUnreachable
from checks.ssh.probe import open_transport

MAX_OUTPUT = 1 << 20  # a file or a command's output larger than 1 MiB is cut off
MAX_MATCH_READS = 32  # `sshd -T` runs for Match blocks, per server
# An empty shell field is not one of them: sshd (like login) runs /bin/sh for it.
NO_LOGIN_SHELLS = ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false")


def load_private_key(path: Path) -> paramiko.PKey:
    try:
        return paramiko.PKey.from_path(path)
    except (OSError, paramiko.SSHException, ValueError) as exc:
        raise ReadRefused(f"cannot load the auditor key {path}: {exc}") from None


# A pinned RSA key is shown under its SHA-2 signature names (paramiko has dropped SHA-1).
_ALGORITHMS_OF = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256")}
# The host key algorithms paramiko verifies (no DSA, no SHA-1 RSA since paramiko 3).
_VERIFIABLE = frozenset(
    {
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "rsa-sha2-512",
        "rsa-sha2-256",
    }
)


def pinned_keys(
    known_hosts: Path, names: list[str]
) -> tuple[dict[str, paramiko.PKey], list[paramiko.PKey]]:
    """Every host key pinned for any of `names`, by key type; and every key marked @revoked.

    Read line by line as OpenSSH reads it: paramiko's HostKeys refuses the whole file at a
    marked line. A host CA (`@cert-authority`: the auditor never asks for host certificates)
    is passed over; a `@revoked` key, for whatever names, is never a pin.
    """
    try:
        text = known_hosts.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ReadRefused(f"cannot read known_hosts {known_hosts}: {exc}") from None
    found: list[paramiko.PKey] = []
    revoked: list[paramiko.PKey] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        # A garbled line might be the very pin meant for this server: stop, and say where.
        garbled = f"known_hosts {known_hosts}: line {number} is not a valid host key entry"
        marker, rest = "", line
        if line.startswith("@"):
            marker, _, rest = line.replace("\t", " ").partition(" ")
        if marker == "@cert-authority":
            continue
        if marker not in ("", "@revoked"):
            raise ReadRefused(garbled)
        try:
            entry = HostKeyEntry.from_line(rest.strip(), number)
            if entry is None:
                continue
            if marker == "@revoked":
                revoked.append(entry.key)
            elif _names_match(entry.hostnames, names):
                found.append(entry.key)
        except InvalidHostKey:
            raise ReadRefused(garbled) from None
        except binascii.Error:  # a hashed name's salt, decoded whenever names are compared
            raise ReadRefused(
                f"known_hosts {known_hosts}: a hashed host name is not base64"
            ) from None
        except paramiko.SSHException:
            continue  # a key paramiko cannot use (its own HostKeys skips these lines too)
    pinned: dict[str, paramiko.PKey] = {}
    for key in found:
        if key not in revoked:
            pinned.setdefault(key.get_name(), key)
    return pinned, revoked


def _names_match(patterns: list[str], names: list[str]) -> bool:
    """Whether a line's host names hold one of `names`, plainly or hashed (|1|salt|hash)."""
    for pattern in patterns:
        for name in names:
            if pattern == name:
                return True
            if pattern.startswith("|1|") and paramiko.HostKeys.hash_host(name, pattern) == pattern:
                return True
    return False


def pinned_algorithms(pinned: dict[str, paramiko.PKey]) -> tuple[str, ...]:
    """The host key algorithms to ask for: only the pinned types (like OpenSSH's ssh does),
    so a server with several keys shows the one that was pinned, not another one."""
    wanted = (alg for kind in pinned for alg in _ALGORITHMS_OF.get(kind, (kind,)))
    return tuple(alg for alg in wanted if alg in _VERIFIABLE)


def check_host_key(
    transport: paramiko.Transport,
    pinned: dict[str, paramiko.PKey],
    known_hosts: Path,
    revoked: list[paramiko.PKey] | None = None,
) -> None:
    """Raise ReadRefused unless the server's key is the one pinned for it (and not revoked)."""
    key = transport.get_remote_server_key()
    if key in (revoked or []):
        raise ReadRefused(
            f"host key {key.get_name()} {key.fingerprint} is marked @revoked in {known_hosts}"
        )
    if not pinned:
        raise ReadRefused(
            f"host key {key.get_name()} {key.fingerprint} is not pinned in {known_hosts}"
        )
    if pinned.get(key.get_name()) == key:
        return
    raise ReadRefused(
        f"HOST KEY CHANGED: the server shows {key.get_name()} {key.fingerprint}, "
        f"which does not match {known_hosts}"
    )


def _run(transport: paramiko.Transport, command: str, timeout: float) -> tuple[int, str]:
    """The command's exit status and output, all within twice `timeout`.

    The channel timeout bounds each wait, not the command: output that trickles in, or an
    end of output with no exit status after it, would hold the read (and the process) for
    as long as the server liked. At the deadline the connection is shut down (see
    auditor.core.deadlines), which ends every wait on it.
    """
    budget = 2 * timeout
    # open_transport connects a plain socket (paramiko would also take a jump host's Channel).
    sock = transport.sock if isinstance(transport.sock, socket.socket) else None
    with DEADLINES.limit(budget, lambda: shut_down(sock)) as cutoff:
        too_slow = f"no complete answer to `{command}` within {budget:g} s"
        try:
            answer = _exchange(transport, command, timeout)
        except (paramiko.SSHException, OSError, EOFError):
            if cutoff.expired:
                raise ReadRefused(too_slow) from None
            raise
        if cutoff.expired:  # cut off: the output so far and status -1 are not the answer
            raise ReadRefused(too_slow)
    return answer


def _exchange(transport: paramiko.Transport, command: str, timeout: float) -> tuple[int, str]:
    channel = transport.open_session(timeout=timeout)
    try:
        channel.settimeout(timeout)
        channel.exec_command(command)
        chunks: list[bytes] = []
        size = 0
        while size < MAX_OUTPUT:
            chunk = channel.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        status = channel.recv_exit_status() if size < MAX_OUTPUT else -1
    finally:
        channel.close()
    return status, b"".join(chunks).decode("utf-8", "replace")


def parse_sshd_t(text: str) -> dict[str, str]:
    """`sshd -T` prints one `keyword value...` per line, keywords in lower case."""
    settings: dict[str, str] = {}
    for line in text.splitlines():
        keyword, _, value = line.strip().partition(" ")
        if keyword:
            # Repeated keywords (e.g. hostkey) accumulate.
            settings[keyword] = f"{settings[keyword]} {value}" if keyword in settings else value
    return settings


def login_accounts(passwd: str) -> list[tuple[str, str, str]]:
    """(user, uid, home) of every account with a login shell, from `getent passwd`."""
    accounts = []
    for line in passwd.splitlines():
        fields = line.split(":")
        if len(fields) >= 7 and fields[6].strip() not in NO_LOGIN_SHELLS:
            accounts.append((fields[0], fields[2], fields[5]))
    return accounts


def expand_tokens(text: str, values: Mapping[str, str], unknown: Callable[[str], str]) -> str:
    """sshd's %-tokens (sshd_config(5) TOKENS) in `text`: each one `values` knows is replaced,
    any other (a lone trailing % too, as "") is handed to `unknown`."""
    out: list[str] = []
    index = 0
    while index < len(text):
        if text[index] != "%":
            out.append(text[index])
            index += 1
            continue
        token = text[index + 1 : index + 2]
        out.append(values[token] if token in values else unknown(token))
        index += 2
    return "".join(out)


def _account_tokens(user: str, uid: str, home: str) -> dict[str, str]:
    return {"%": "%", "h": home, "u": user, "U": uid}


def expand_keys_file(pattern: str, user: str, uid: str, home: str) -> str:
    """AuthorizedKeysFile tokens (sshd_config(5)): %% %h %u %U; relative paths are in $HOME."""
    path = expand_tokens(pattern, _account_tokens(user, uid, home), lambda token: "%" + token)
    return path if path.startswith("/") else f"{home.rstrip('/')}/{path}"


def read_server(
    address: str,
    port: int,
    names: list[str],
    users: tuple[str, ...],
    auditor_user: str,
    auditor_key: Path,
    known_hosts: Path,
    sshd_command: str,
    timeout: float,
) -> ServerRead:
    key = load_private_key(auditor_key)
    pinned, revoked = pinned_keys(known_hosts, names)
    try:
        transport = open_transport(
            address, port, timeout, key_types=pinned_algorithms(pinned) or None
        )
    except SshUnreachable as exc:
        if pinned and "no acceptable host key" in str(exc):
            raise ReadRefused(
                f"HOST KEY CHANGED: the server has no key of the types pinned in {known_hosts} "
                f"({', '.join(sorted(pinned))})"
            ) from None
        raise ReadRefused(str(exc)) from None
    try:
        check_host_key(transport, pinned, known_hosts, revoked)
        try:
            transport.auth_publickey(auditor_user, key)
        except paramiko.AuthenticationException as exc:
            # paramiko's one sign that no answer came, as opposed to a refusal.
            if str(exc) == "Authentication timeout.":
                raise ReadRefused(f"no answer to the auditor key within {timeout:g} s") from None
            raise ReadRefused(f"the server refused the auditor key for {auditor_user}") from None
        return _read(transport, address, port, users, sshd_command, timeout)
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise ReadRefused(f"the authenticated read failed: {exc or type(exc).__name__}") from None
    finally:
        transport.close()


def _read(
    transport: paramiko.Transport,
    address: str,
    port: int,
    users: tuple[str, ...],
    sshd_command: str,
    timeout: float,
) -> ServerRead:
    # The connection as sshd sees the auditor's (the address stands in for the client's):
    # with laddr and lport, a `Match LocalPort` block does not make `sshd -T -C` exit.
    base = Connection(users[0] if users else "root", "auditor.invalid", address, address, port)
    effective: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for user in users:
        status, out = _sshd_t(transport, sshd_command, replace(base, user=user), timeout)
        if status == 0:
            effective[user] = parse_sshd_t(out)
        else:
            errors[user] = f"sshd -T exited with {status}: {out.strip()[:200]}"
    status, passwd = _run(transport, "getent passwd", timeout)
    if status != 0:
        return ServerRead(
            effective, errors, error="getent passwd failed", config_error="getent passwd failed"
        )
    status, group = _run(transport, "getent group", timeout)
    accounts = accounts_of(passwd, group if status == 0 else None, _login_shell)
    matches, config_files, config_error = _read_matches(
        transport, sshd_command, base, accounts, timeout
    )
    any_config = next(iter(effective.values()), {})
    patterns = (
        any_config.get("authorizedkeysfile") or ".ssh/authorized_keys .ssh/authorized_keys2"
    ).split()
    files: list[KeysFile] = []
    auditor = _Identity(transport, timeout)
    commands: list[KeysFile] = []
    slow: set[str] = set()  # the keys commands that ran out of time for one account
    ca_users: dict[str, list[str]] = {}  # TrustedUserCAKeys file -> the accounts it opens
    accounts_read = login_accounts(passwd)
    for user, uid, home in accounts_read:
        config = effective.get(user)
        if config is None:
            # A Match block may give this account keys files of its own: ask sshd for them.
            status, out = _sshd_t(transport, sshd_command, replace(base, user=user), timeout)
            # Unknown for this account: the settings of another stand in, as for the files.
            config = parse_sshd_t(out) if status == 0 else any_config
        user_patterns = config.get("authorizedkeysfile", "").split() or patterns
        for pattern in user_patterns:
            if pattern.lower() == "none":
                continue
            path = expand_keys_file(pattern, user, uid, home)
            found = _keys_file(transport, user, path, timeout)
            files += [found] if found else []
        command = _command_keys(transport, config, (user, uid, home), auditor, slow, timeout)
        commands += [command] if command else []
        ca_file = config.get("trustedusercakeys", "none")
        if ca_file.lower() != "none":
            ca_users.setdefault(ca_file, []).append(user)
    files += _merged(commands, len(accounts_read))
    for path, opened in ca_users.items():
        found = _ca_keys(transport, path, opened, len(accounts_read), timeout)
        files += [found] if found else []
    return ServerRead(
        effective,
        errors,
        tuple(files),
        matches=matches,
        config_files=config_files,
        config_error=config_error,
    )


# The AuthorizedKeysCommand tokens that describe a login attempt (the connection, the key
# offered): before one there is nothing to put in their place.
_ATTEMPT_TOKENS = {
    "C": "the connection",
    "D": "the routing domain",
    "f": "the offered key's fingerprint",
    "k": "the offered key",
    "t": "the offered key's type",
}


class CommandUnrun(Exception):
    """The AuthorizedKeysCommand cannot be run as sshd would run it: why."""


def keys_command_argv(command: str, user: str, uid: str, home: str) -> list[str] | None:
    """The arguments sshd runs an AuthorizedKeysCommand with for this account
    (auth2-pubkey.c): split like a shell line, tokens expanded in the arguments but not in
    the program, and the user name as the one argument when none is given. None when sshd
    runs nothing: the program must be an absolute path."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise CommandUnrun(f"the command cannot be split into arguments: {exc}") from None
    if not argv or not argv[0].startswith("/"):
        return None
    if len(argv) == 1:
        return [argv[0], user]
    return [argv[0]] + [_expand_command_tokens(arg, user, uid, home) for arg in argv[1:]]


def _expand_command_tokens(arg: str, user: str, uid: str, home: str) -> str:
    def unknown(token: str) -> str:
        if token in _ATTEMPT_TOKENS:
            raise CommandUnrun(
                f"it uses %{token} ({_ATTEMPT_TOKENS[token]}), known only at a login attempt"
            )
        raise CommandUnrun(f"%{token} is not a token sshd expands")

    return expand_tokens(arg, _account_tokens(user, uid, home), unknown)


class _Identity:
    """The auditor account on the server (name, uid), asked for once and only when needed."""

    def __init__(self, transport: paramiko.Transport, timeout: float) -> None:
        self._transport, self._timeout = transport, timeout
        self._answer: tuple[str, str] | None = None

    def get(self) -> tuple[str, str]:
        if self._answer is None:
            status, out = _run(self._transport, "id -un && id -u", self._timeout)
            words = out.split()
            self._answer = (words[0], words[1]) if status == 0 and len(words) == 2 else ("", "")
        return self._answer


def _command_keys(
    transport: paramiko.Transport,
    config: dict[str, str],
    account: tuple[str, str, str],
    auditor: _Identity,
    slow: set[str],
    timeout: float,
) -> KeysFile | None:
    """The keys the account's AuthorizedKeysCommand prints, read as sshd would read them.

    The keys it prints open the account as surely as an authorized_keys file. It runs as
    AuthorizedKeysCommandUser, with no environment and no input, and is cut off after
    `timeout`. If the auditor cannot run it so, the keys are not all read: the KeysFile says
    why, and the count of holders becomes "could not check".
    """
    command = config.get("authorizedkeyscommand", "none")
    run_as = config.get("authorizedkeyscommanduser", "none")
    if command.lower() == "none" or run_as.lower() == "none":  # sshd runs nothing
        return None
    user, uid, home = account
    where = f"AuthorizedKeysCommand {command}"
    try:
        argv = keys_command_argv(command, user, uid, home)
        if argv is None:
            return None
        where = f"AuthorizedKeysCommand {shlex.join(argv)}"
        shell = _as_user(run_as, auditor.get(), argv, timeout)
    except CommandUnrun as exc:
        return KeysFile(user, where, error=f"not run: {exc}")
    # A hung command would hold the read once for every account: it is run until it hangs.
    # (One wording for both: a command that ignores the account is then listed once.)
    too_slow = f"it did not finish within {timeout:g} s (not run again for other accounts)"
    if command in slow:
        return KeysFile(user, where, error=too_slow)
    # timeout(1) stops it (then kills it a second later) before the channel's own wait ends.
    status, text = _run(transport, shell, timeout + 2)
    if status == -1:
        return KeysFile(user, where, error=f"output larger than {MAX_OUTPUT} bytes")
    if status in (124, 137):  # timeout(1): the command ran over, and was stopped
        slow.add(command)
        return KeysFile(user, where, error=too_slow)
    if status != 0:
        return KeysFile(user, where, error=f"it exited with status {status}")
    keys, bad = parse_authorized_keys(text)
    return KeysFile(user, where, tuple(keys), tuple(bad))


def _merged(files: list[KeysFile], accounts: int) -> list[KeysFile]:
    """One KeysFile for the accounts a command gave the same answer (the same keys, or the
    same reason it was not read): a command that ignores the account is listed once."""
    users: dict[KeysFile, list[str]] = {}
    for keys_file in files:
        users.setdefault(replace(keys_file, user=""), []).append(keys_file.user)
    return [
        replace(shared, user="*" if len(names) == accounts else ", ".join(names))
        for shared, names in users.items()
    ]


def _as_user(run_as: str, auditor: tuple[str, str], argv: list[str], timeout: float) -> str:
    """The shell line that runs `argv` as `run_as`: directly when the auditor is that account,
    through runuser (which never asks for a password) when the auditor is root."""
    name, uid = auditor
    line = f"timeout -k 1 {timeout:g} env -i {shlex.join(argv)} </dev/null 2>/dev/null"
    if name == run_as:
        return line
    if uid == "0":
        return f"runuser -u {shlex.quote(run_as)} -- {line}"
    who = f"the auditor account {name}" if name else "the auditor account (id failed)"
    raise CommandUnrun(f"{who} is neither {run_as} nor root, so cannot run it as {run_as}")


def _ca_keys(
    transport: paramiko.Transport, path: str, users: list[str], accounts: int, timeout: float
) -> KeysFile | None:
    """A TrustedUserCAKeys file: anyone holding a certificate one of its keys signed can log
    in to the accounts it applies to, so each key is a holder like any other."""
    user = "*" if len(users) == accounts else ", ".join(users)
    path = path if path.startswith("/") else f"/{path}"  # sshd runs in /
    return _keys_file(transport, user, path, timeout, cert_authority=True)


def _keys_file(
    transport: paramiko.Transport,
    user: str,
    path: str,
    timeout: float,
    cert_authority: bool = False,
) -> KeysFile | None:
    """The keys in a file on the server, or None where there is no such file.

    No such file is nothing granting access; a file that is there but cannot be read
    (another user's, read by an auditor that is not root) or read whole may grant it. cat's
    message tells them apart (in the C locale: errno's words, not the server's).
    """
    status, text = _cat(transport, path, timeout)
    if status == -1:
        error = f"larger than {MAX_OUTPUT} bytes"
        return KeysFile(user, path, error=error, cert_authority=cert_authority)
    if status != 0:
        if _absent(text):
            return None
        error = text.strip()[:200] or f"{status}"
        return KeysFile(user, path, error=error, cert_authority=cert_authority)
    keys, bad = parse_authorized_keys(text)
    return KeysFile(user, path, tuple(keys), tuple(bad), cert_authority=cert_authority)


def _login_shell(shell: str) -> bool:
    return shell not in NO_LOGIN_SHELLS


def _cat(transport: paramiko.Transport, path: str, timeout: float) -> tuple[int, str]:
    return _run(transport, f"env LC_ALL=C cat -- {shlex.quote(path)} 2>&1", timeout)


def _absent(message: str) -> bool:
    return "No such file or directory" in message


def _read_matches(
    transport: paramiko.Transport,
    sshd_command: str,
    base: Connection,
    accounts: Accounts,
    timeout: float,
) -> tuple[tuple[MatchRead, ...], tuple[str, ...], str | None]:
    """`sshd -T` for a connection each Match block applies to; the files read; what failed."""

    def read(path: str) -> str | None:
        status, text = _cat(transport, path, timeout)
        if status == 0:
            return text
        if status != -1 and _absent(text):
            return None
        problem = f"larger than {MAX_OUTPUT} bytes" if status == -1 else text.strip()[:200]
        raise ConfigUnread(f"{path} could not be read: {problem or status}")

    def listing(folder: str) -> list[str]:
        status, text = _run(
            transport, f"env LC_ALL=C ls -1a -- {shlex.quote(folder)} 2>&1", timeout
        )
        if status == 0:
            return text.splitlines()
        if _absent(text):
            return []
        raise ConfigUnread(f"{folder} could not be listed: {text.strip()[:200] or status}")

    try:
        blocks, files = match_blocks(config_path(sshd_command), read, listing)
    except ConfigUnread as exc:
        return (), (), str(exc)
    reads: list[MatchRead] = []
    for number, block in enumerate(blocks):
        where, text = block.line.where, block.text
        if number >= MAX_MATCH_READS:
            reads.append(MatchRead(where, text, error=f"more than {MAX_MATCH_READS} Match blocks"))
            continue
        connection = connection_for(block, base, accounts)
        if isinstance(connection, str):
            reads.append(MatchRead(where, text, error=connection))
        elif isinstance(connection, Inert):
            reads.append(MatchRead(where, text, note=connection.reason))
        else:
            status, out = _sshd_t(transport, sshd_command, connection, timeout)
            if status != 0:
                problem = f"sshd -T exited with {status}: {out.strip()[:200]}"
                reads.append(MatchRead(where, text, connection.spec, error=problem))
                continue
            config = parse_sshd_t(out)
            reads.append(MatchRead(where, text, connection.spec, config, block.shadowed(config)))
    return tuple(reads), tuple(files), None


def _sshd_t(
    transport: paramiko.Transport, sshd_command: str, connection: Connection, timeout: float
) -> tuple[int, str]:
    """`sshd -T` as it applies to this connection: its exit status and output."""
    return _run(transport, f"{sshd_command} -T -C {shlex.quote(connection.spec)}", timeout)
