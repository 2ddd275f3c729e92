"""Host names and addresses as people type them."""

from __future__ import annotations

import ipaddress

from auditor.errors import UsageError


def parse_host_port(spec: str, default_port: int) -> tuple[str, int]:
    """`host`, `host:port`, `[v6]:port` or a bare IPv6 address."""
    text = spec.strip()
    if not text:
        raise UsageError("empty host")
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise UsageError(f"unbalanced brackets in {spec!r}")
        host, rest = text[1:end], text[end + 1 :]
        if rest and not rest.startswith(":"):
            raise UsageError(f"cannot read {spec!r} as HOST[:PORT]")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    elif text.count(":") > 1:
        try:
            ipaddress.IPv6Address(text)
        except ValueError:
            raise UsageError(f"cannot read {spec!r} as HOST[:PORT]") from None
    port = default_port
    if port_text:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise UsageError(f"not a port number in {spec!r}: {port_text!r}")
        port = int(port_text)
    host = host.lower().rstrip(".")
    if not host or any(c in host for c in "/@ \t"):
        raise UsageError(f"not a host name: {spec!r}")
    return host, port
