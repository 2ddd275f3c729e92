"""Host names and addresses as people type them."""

from __future__ import annotations

import ipaddress
import re

from auditor.core.errors import UsageError

HTTPS_PORT = 443
SSH_PORT = 22

# A DNS label as resolvers and certificates use it: ASCII letters, digits and hyphens (and
# the underscore some service names carry), 1 to 63 of them, no hyphen at either end.
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")


def is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def canonical_host(text: str) -> str:
    """A host name or address as compared: an address in its one compressed form, a name in
    lower case without its trailing dot (DNS names are case-insensitive)."""
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return text.lower().rstrip(".")


def host_name_problem(host: str) -> str | None:
    """What is wrong with `host` (lower-case, without its trailing dot), or None.

    Names reach sockets, TLS's server name, URLs and the pages: anything else (control
    characters, spaces, an empty label) is refused where it is typed, not found at run time.
    """
    if is_ip_address(host):
        return None
    if not host:
        return "empty"
    if not host.isascii():
        return "not ASCII; write an international name in its xn-- form"
    if len(host) > 253:
        return "longer than 253 characters"
    labels = host.split(".")
    if not all(labels):
        return "an empty label"
    if not all(_LABEL.fullmatch(label) for label in labels):
        return "only letters, digits and hyphens between the dots"
    return None


def target_label(host: str, port: int, default_port: int) -> str:
    """How a target is named in findings and pages: `host` on the protocol's own port, else
    `host:port`, an IPv6 address in brackets (`[2001:db8::1]:8443`, as URLs and OpenSSH
    write it) so that the port stays readable. `parse_host_port` reads it back."""
    if port == default_port:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


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
        # isdigit() alone takes "¹" and "٣": only ASCII digits are a port.
        if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
            raise UsageError(f"not a port number in {spec!r}: {port_text!r}")
        port = int(port_text)
    host = host.lower().rstrip(".")
    problem = host_name_problem(host)
    if problem is not None:
        raise UsageError(f"not a host name ({problem}): {spec!r}")
    return host, port


def parse_target(spec: str, default_port: int, scheme: str) -> tuple[str, int]:
    """`parse_host_port`, or the host and port of a pasted URL of `scheme`
    (`https://host[:port]/path`, `https://[2001:db8::1]:8443/`): its path, query and
    fragment say nothing about the server, so they are dropped."""
    prefix, separator, rest = spec.strip().partition("://")
    if not separator:
        return parse_host_port(spec, default_port)
    if prefix.lower() != scheme:
        hint = f"give HOST[:PORT] or an {scheme}:// URL"
        raise UsageError(f"not an {scheme}:// URL: {spec!r} ({hint})")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        # Not quoted back: what stands before the @ may be a password.
        raise UsageError(
            f"a {scheme}:// URL with a user name or password is not taken: give the host alone"
        )
    if not authority:
        raise UsageError(f"no host in {spec!r}")
    return parse_host_port(authority, default_port)
