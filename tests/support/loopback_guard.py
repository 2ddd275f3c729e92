"""No test reaches past loopback: a guard on every socket the suite's Python opens.

The rule is that tests talk to servers they start on 127.0.0.0/8 (or ::1) and nothing else.
A configuration that forgets to pin an address, or a new family that asks the system's
resolver, would quietly break it, so the guard makes the breach visible: a connection or a
datagram to any other address, and a name lookup through the system resolver (anything but
`localhost` or a numeric address), raise OSError and are recorded in the file named by
`VIOLATIONS_ENV`. `tests/conftest.py` installs the guard in the test process, puts
`tests/support/guard` (whose `sitecustomize` installs it too) on the PYTHONPATH of every
`python -m auditor` the tests start, and fails each test that left a record.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable
from typing import Any

VIOLATIONS_ENV = "AUDITOR_TEST_NETWORK_VIOLATIONS"
LOCAL_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


class OffLoopback(OSError):
    """A test tried to reach an address that is not loopback."""


def _numeric(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _record(what: str) -> None:
    path = os.environ.get(VIOLATIONS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {what}\n")
    raise OffLoopback(f"test network guard: {what} is not loopback")


def _check_address(family: int, address: Any) -> None:
    if family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
        return  # a Unix socket, or something the kernel rejects anyway
    numeric = _numeric(str(address[0]))
    if numeric is None or not _loopback(numeric):
        _record(f"connection to {address[0]!r}")


def install() -> None:
    """Guard this interpreter's sockets; a second call changes nothing."""
    if getattr(socket, "_auditor_loopback_guard", False):
        return
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        _check_address(self.family, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check_address(self.family, address)
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        _check_address(self.family, args[-1])
        return real_sendto(self, data, *args)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name.lower() not in LOCAL_NAMES and _numeric(name) is None:
            _record(f"system lookup of {name!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    replace: dict[str, Callable[..., Any]] = {
        "connect": connect,
        "connect_ex": connect_ex,
        "sendto": sendto,
    }
    for attribute, guarded in replace.items():
        setattr(socket.socket, attribute, guarded)
    socket.getaddrinfo = getaddrinfo
    socket._auditor_loopback_guard = True  # type: ignore[attr-defined]
