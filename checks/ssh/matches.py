"""Every Match block of an sshd configuration, and a connection each one applies to.

`sshd -T -C` shows the settings of one connection; a block for an office network or a
group is invisible to the connections the auditor asks about for its users. So the
configuration files are read as sshd reads them (Include followed, relative to /etc/ssh,
globs expanded), every Match line is collected, and a connection that satisfies its
criteria is built for `sshd -T -C`. A block no such connection can be built for is
reported as not evaluated, never passed over. Pure: the reading is done by callables.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

SSH_DIR = "/etc/ssh"  # where sshd looks for a relative Include (and its default config)
MAIN_CONFIG = f"{SSH_DIR}/sshd_config"
MAX_DEPTH = 16  # sshd's own limit of nested Includes
MAX_FILES = 64
# The settings a block may set that decide how one logs in; `sshd -T` must show the block's
# value for the connection built for it, or an earlier block decided it for that connection.
LOGIN_SETTINGS = {
    "passwordauthentication": "passwordauthentication",
    "kbdinteractiveauthentication": "kbdinteractiveauthentication",
    "challengeresponseauthentication": "kbdinteractiveauthentication",  # sshd's old alias
    "permitemptypasswords": "permitemptypasswords",
    "pubkeyauthentication": "pubkeyauthentication",
    "gssapiauthentication": "gssapiauthentication",
    "hostbasedauthentication": "hostbasedauthentication",
    "authenticationmethods": "authenticationmethods",
}
CRITERIA = ("all", "user", "group", "host", "address", "localaddress", "localport", "rdomain")


class ConfigUnread(Exception):
    """A configuration file could not be read or followed: some Match lines may be missed."""


@dataclass(frozen=True)
class ConfigLine:
    path: str
    number: int
    keyword: str  # lower case
    args: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"{self.path} line {self.number}"


@dataclass
class MatchBlock:
    line: ConfigLine
    sets: dict[str, str] = field(default_factory=dict)  # login setting -> value, as sshd -T

    @property
    def text(self) -> str:
        return " ".join(("Match", *self.line.args))

    def shadowed(self, effective: dict[str, str]) -> str | None:
        """Why `sshd -T` shows another value than this block sets, if it does."""
        for keyword, value in self.sets.items():
            shown = effective.get(keyword)
            if shown is not None and shown.lower() != value:
                return (
                    f"an earlier block decides it for this connection: sshd -T shows "
                    f"{keyword} {shown} where the block sets {value}"
                )
        return None


@dataclass(frozen=True)
class Connection:
    """What `sshd -T -C` is told about a connection."""

    user: str
    host: str
    addr: str
    laddr: str
    lport: int
    rdomain: str | None = None

    @property
    def spec(self) -> str:
        fields = [
            f"user={self.user}",
            f"host={self.host}",
            f"addr={self.addr}",
            f"laddr={self.laddr}",
            f"lport={self.lport}",
        ]
        if self.rdomain is not None:
            fields.append(f"rdomain={self.rdomain}")
        return ",".join(fields)


@dataclass(frozen=True)
class Accounts:
    """The server's accounts (login shells first) and groups, from `getent`."""

    users: tuple[tuple[str, str], ...] = ()  # (name, primary gid)
    groups: dict[str, tuple[str, tuple[str, ...]]] | None = None  # name -> (gid, members)

    def groups_of(self, user: str) -> list[str]:
        gids = {gid for name, gid in self.users if name == user}
        return [
            name
            for name, (gid, members) in (self.groups or {}).items()
            if gid in gids or user in members
        ]


def accounts_of(passwd: str, group: str | None, login_shell: Callable[[str], bool]) -> Accounts:
    users: list[tuple[str, str, bool]] = []
    for line in passwd.splitlines():
        fields = line.split(":")
        if len(fields) >= 7:
            users.append((fields[0], fields[3], login_shell(fields[6].strip())))
    ordered = sorted(users, key=lambda user: not user[2])  # stable: login accounts first
    groups: dict[str, tuple[str, tuple[str, ...]]] | None = None
    if group is not None:
        groups = {}
        for line in group.splitlines():
            fields = line.split(":")
            if len(fields) >= 4:
                members = tuple(m for m in fields[3].strip().split(",") if m)
                groups.setdefault(fields[0], (fields[2], members))
    return Accounts(tuple((name, gid) for name, gid, _ in ordered), groups)


def config_path(sshd_command: str) -> str:
    """The file sshd reads: `-f PATH` in the configured command, else /etc/ssh/sshd_config."""
    try:
        words = shlex.split(sshd_command)
    except ValueError:
        return MAIN_CONFIG
    for index, word in enumerate(words):
        if word == "-f" and index + 1 < len(words):
            return words[index + 1]
        if word.startswith("-f") and len(word) > 2:
            return word[2:]
    return MAIN_CONFIG


def split_args(text: str) -> list[str]:
    """sshd's argv_split: words, quotes grouping, a backslash escaping, `#` starting a comment."""
    args: list[str] = []
    index = 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        if text[index] == "#":
            break
        word: list[str] = []
        quote = ""
        while index < len(text) and (quote or not text[index].isspace()):
            char = text[index]
            if char == "\\" and index + 1 < len(text) and text[index + 1] in "\\'\" ":
                word.append(text[index + 1])
                index += 2
                continue
            if char in "'\"" and (not quote or char == quote):
                quote = "" if quote else char
            else:
                word.append(char)
            index += 1
        if quote:
            raise ValueError("unterminated quote")
        args.append("".join(word))
    return args


def config_lines(text: str, path: str) -> Iterator[ConfigLine]:
    for number, raw in enumerate(text.split("\n"), start=1):
        found = re.match(r"\s*([^\s=]+)\s*=?\s*(.*)", raw)
        if found is None or found.group(1).startswith("#"):
            continue
        try:
            args = split_args(found.group(2))
        except ValueError:
            raise ConfigUnread(f"{path} line {number}: unbalanced quotes") from None
        yield ConfigLine(path, number, found.group(1).lower(), tuple(args))


Reader = Callable[[str], str | None]  # a file's text; None when there is no such file
Lister = Callable[[str], list[str]]  # the names in a folder; none when there is no folder


def match_blocks(main: str, read: Reader, listing: Lister) -> tuple[list[MatchBlock], list[str]]:
    """Every Match block sshd reads from `main` and its Includes, and the files read."""
    files: list[str] = []
    blocks: list[MatchBlock] = []

    def visit(path: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ConfigUnread(f"Includes nested deeper than {MAX_DEPTH} at {path}")
        if len(files) >= MAX_FILES:
            raise ConfigUnread(f"more than {MAX_FILES} configuration files")
        text = read(path)
        if text is None:
            if depth == 0:
                raise ConfigUnread(f"{path}: no such file")
            return  # sshd passes over an Include that names no file
        files.append(path)
        block: MatchBlock | None = None
        for line in config_lines(text, path):
            if line.keyword == "match":
                block = MatchBlock(line)
                blocks.append(block)
            elif line.keyword == "include":
                for pattern in line.args:
                    for included in included_files(pattern, listing):
                        visit(included, depth + 1)
            elif block is not None and line.keyword in LOGIN_SETTINGS and line.args:
                value = " ".join(line.args).lower()
                block.sets.setdefault(LOGIN_SETTINGS[line.keyword], value)

    visit(main, 0)
    return blocks, files


def included_files(pattern: str, listing: Lister) -> list[str]:
    """The files an Include names, as sshd's glob(3) finds them, sorted."""
    if not pattern.startswith("/"):
        if pattern.startswith("~"):
            raise ConfigUnread(f"Include {pattern}: a path from a home folder is not followed")
        pattern = f"{SSH_DIR}/{pattern}"
    folder, _, name = pattern.rpartition("/")
    if _has_glob(folder):
        raise ConfigUnread(f"Include {pattern}: wildcards in a folder name are not followed")
    if not _has_glob(name):
        return [pattern]
    found = [
        entry
        for entry in listing(folder or "/")
        if fnmatch.fnmatchcase(entry, name) and (name.startswith(".") or not entry.startswith("."))
    ]
    return [f"{folder}/{entry}" for entry in sorted(found)]


def _has_glob(text: str) -> bool:
    return any(char in text for char in "*?[")


def _wildcard(pattern: str, value: str) -> bool:
    """sshd's match_pattern: `*` and `?` only."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _pattern_list(value: str, patterns: str, fold: bool = False) -> int:
    """sshd's match_pattern_list: -1 a negated pattern matches, 1 a positive one, else 0."""
    found = 0
    for entry in patterns.split(","):
        negated = entry.startswith("!")
        pattern = entry[1:] if negated else entry
        if _wildcard(pattern.lower() if fold else pattern, value.lower() if fold else value):
            if negated:
                return -1
            found = 1
    return found


def _address_list(address: str, patterns: str) -> int:
    """sshd's addr_match_list: CIDR blocks or wildcards, `!` negating."""
    ip = ipaddress.ip_address(address)
    found = 0
    for entry in patterns.split(","):
        negated = entry.startswith("!")
        pattern = entry[1:] if negated else entry
        try:
            network = ipaddress.ip_network(pattern, strict=False)
            hit = network.version == ip.version and ip in network
        except ValueError:
            hit = _wildcard(pattern, address)
        if hit:
            if negated:
                return -1
            found = 1
    return found


def _positives(patterns: str) -> list[str]:
    return [entry for entry in patterns.split(",") if entry and not entry.startswith("!")]


# What a `*` in a pattern is tried as: short names, and up to four octets of an address.
_FILLS = ("x", *(".".join([digit] * n) for digit in ("1", "2", "10", "203") for n in (1, 2, 3, 4)))


def _name_for(patterns: str) -> str | None:
    for pattern in _positives(patterns):
        for fill in _FILLS:
            candidate = pattern.replace("*", fill).replace("?", "x")
            if _pattern_list(candidate, patterns, fold=True) == 1:
                return candidate
    return None


def _address_for(patterns: str) -> str | None:
    for pattern in _positives(patterns):
        for candidate in _addresses_in(pattern):
            if _address_list(candidate, patterns) == 1:
                return candidate
    return None


def _addresses_in(pattern: str) -> Iterator[str]:
    try:
        network = ipaddress.ip_network(pattern, strict=False)
    except ValueError:
        for fill in _FILLS:
            candidate = pattern.replace("*", fill).replace("?", "1")
            try:
                yield str(ipaddress.ip_address(candidate))
            except ValueError:
                continue
        return
    first = int(network.network_address)
    last = int(network.broadcast_address)
    # The network's first host, then its last, then the rest of the edges.
    for value in (first + 1, last - 1, first, last, (first + last) // 2):
        if first <= value <= last:
            kind = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
            yield str(kind(value))


def _user_for(
    users: str | None, groups: str | None, accounts: Accounts, default: str
) -> str | None:
    """An account that `Match User`/`Match Group` picks (the probed user if it qualifies)."""
    if users is None and groups is None:
        return default
    literal = [p for p in _positives(users or "") if not any(c in p for c in "*?")]
    for name in dict.fromkeys([*literal, default, *(n for n, _ in accounts.users)]):
        if users is not None and _pattern_list(name, users) != 1:
            continue
        if groups is not None:
            results = [_pattern_list(g, groups) for g in accounts.groups_of(name)]
            if -1 in results or 1 not in results:
                continue
        return name
    return None


@dataclass(frozen=True)
class Inert:
    """A block sshd applies to no connection at all: nothing to judge."""

    reason: str


def connection_for(
    block: MatchBlock, base: Connection, accounts: Accounts
) -> Connection | Inert | str:
    """A connection the block applies to, Inert if sshd matches none, or why none was built."""
    if [arg.lower() for arg in block.line.args] == ["all"]:
        return base
    criteria = _criteria(block.line.args)
    if isinstance(criteria, str):
        return criteria
    for name, patterns in criteria.items():
        if name != "localport" and not _positives(patterns):
            # sshd's pattern lists need a pattern that matches; a negated one never does.
            return Inert(f"sshd matches no connection: {name} {patterns} has only negated patterns")
    if "group" in criteria and accounts.groups is None:
        return "the server's groups could not be read (getent group)"
    user = _user_for(criteria.get("user"), criteria.get("group"), accounts, base.user)
    if user is None:
        which = [f"{key.title()} {criteria[key]}" for key in ("user", "group") if key in criteria]
        return f"no known account matches {' and '.join(which)}"
    values = _values(criteria)
    if isinstance(values, str):
        return values
    return Connection(
        user,
        values.get("host", base.host),
        values.get("address", base.addr),
        values.get("localaddress", base.laddr),
        int(values.get("localport", base.lport)),
        values.get("rdomain", base.rdomain),
    )


def _criteria(args: tuple[str, ...]) -> dict[str, str] | str:
    """A Match line's criteria (lower case) and their pattern lists, or what is wrong."""
    if len(args) % 2:
        return "its criteria do not pair up"
    criteria: dict[str, str] = {}
    for given, patterns in zip(args[::2], args[1::2], strict=True):
        name = given.lower()
        if name not in CRITERIA or name == "all":
            return f"the criterion {name} is not one the auditor can build a connection for"
        if name in criteria:
            return f"the criterion {name} is given twice"
        criteria[name] = patterns
    return criteria


def _values(criteria: dict[str, str]) -> dict[str, str] | str:
    """A value for each criterion but User and Group that its pattern list matches."""
    values: dict[str, str] = {}
    for name, pick in (
        ("host", _name_for),
        ("address", _address_for),
        ("localaddress", _address_for),
        ("rdomain", _name_for),
    ):
        if name in criteria:
            value = pick(criteria[name])
            if value is None:
                return f"no value matches {name} {criteria[name]}"
            values[name] = value
    port = criteria.get("localport")
    if port is not None:
        if not port.isdigit() or not 0 < int(port) < 65536:
            return f"LocalPort {port} is not a port number"  # sshd takes one port, no list
        values["localport"] = port
    return values
