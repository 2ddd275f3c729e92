"""Plain-HTTP redirects and the HTTPS response headers of a site, at a pinned address.

Built on http.client because the audit must reach a chosen address while sending the
site's own Host header and SNI (a client library that resolves names itself cannot).
Certificates are not judged here (the tls family does that), so the HTTPS request does
not verify them: a broken certificate must not hide the HSTS verdict.
"""

from __future__ import annotations

import http.client
import io
import re
import socket
import ssl
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from auditor.core.deadlines import DEADLINES, Cutoff, shut_down
from auditor.core.slots import Gate, no_gate
from auditor.core.text import excerpt
from checks.tls.suites import STRONG_CIPHER_STRING

MAX_HOPS = 10
MAX_INTERIM = 10  # 1xx answers passed over before the final one
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
USER_AGENT = "auditor (Alternativet security-posture audit)"


class HttpUnreachable(Exception):
    """No answer: refused, timed out, or not HTTP."""


@dataclass(frozen=True)
class Hop:
    url: str
    status: int
    location: str | None  # absolute, resolved against `url`


@dataclass(frozen=True)
class RedirectTrace:
    hops: tuple[Hop, ...] = ()
    stopped: str | None = None  # why following stopped before a final answer
    loop: bool = False
    too_many: bool = False  # more than MAX_HOPS redirects
    error: str | None = None  # the first request got no answer


@dataclass(frozen=True)
class HttpsHeaders:
    status: int
    sts: tuple[str, ...] = field(default_factory=tuple)  # every Strict-Transport-Security value


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


Fetch = Callable[[str], http.client.HTTPResponse]


def request(
    url: str, address: str, timeout: float, gate: Gate = no_gate
) -> http.client.HTTPResponse:
    """GET `url` from `address`: the response with its headers (the body is not kept)."""
    with gate():
        return _request_now(url, address, timeout)


def _request_now(url: str, address: str, timeout: float) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or _default_port(parts.scheme)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        # Not create_default_context(): it reads the system's CA bundle (~25 ms a request)
        # for a certificate this request does not verify.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # judged by the tls family, not here
        # The suites the tls probe offers: a server speaking only uncommon strong ones is heard.
        context.set_ciphers(STRONG_CIPHER_STRING)
        connection = _PinnedHTTPSConnection(address, host, port, timeout, context)
    else:
        connection = http.client.HTTPConnection(address, port, timeout=timeout)
    connection.response_class = _FinalResponse
    host_header = host if port == _default_port(parts.scheme) else f"{host}:{port}"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    # A socket timeout bounds each read, not the exchange (see auditor.core.deadlines): the whole
    # request gets `timeout` to connect and as long again for the answer.
    budget = 2 * timeout
    with DEADLINES.limit(budget, lambda: shut_down(connection.sock)) as cutoff:
        return _exchange(connection, host_header, path, url, timeout, budget, cutoff)


def _exchange(
    connection: http.client.HTTPConnection,
    host_header: str,
    path: str,
    url: str,
    timeout: float,
    budget: float,
    cutoff: Cutoff,
) -> http.client.HTTPResponse:
    response: http.client.HTTPResponse | None = None
    too_slow = f"no complete answer from {url} within {budget:g} s"
    try:
        connection.request(
            "GET",
            path,
            headers={"Host": host_header, "User-Agent": USER_AGENT, "Connection": "close"},
        )
        response = connection.getresponse()
        # The body is not read: a browser acts on a redirect or an HSTS header as soon as
        # the head is in, and a slow or badly framed body must not hide a complete head.
        if cutoff.expired:  # cut off mid-answer: the end of file ended a truncated head
            raise HttpUnreachable(too_slow)
        # A head that the closed connection ended, not a blank line, may have lost headers
        # (a Location, an HSTS header) on the way: browsers refuse it over HTTPS
        # (Chrome: ERR_RESPONSE_HEADERS_TRUNCATED) and act on none of it. Over plain http://
        # Chrome parses it "as well as it can" and acts on it, so there it is judged as read.
        if urlsplit(url).scheme == "https" and _head_cut_off(response):
            raise HttpUnreachable(f"the answer's head from {url} was cut off")
    except TimeoutError:
        raise HttpUnreachable(f"no answer from {url} within {timeout:g} s") from None
    except ConnectionRefusedError:
        raise HttpUnreachable(f"connection to {url} refused") from None
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        if cutoff.expired:  # the deadline shut the socket: slow, not broken
            raise HttpUnreachable(too_slow) from None
        # BadStatusLine, UnknownProtocol and others carry the server's own bytes, CR LF and all.
        said = excerpt(str(exc))
        raise HttpUnreachable(f"{url} did not answer HTTP: {type(exc).__name__}: {said}") from None
    finally:
        # The response's file keeps the socket open after connection.close(): close both,
        # or the connection outlives its slot (one more than the per-server limit) and
        # lingers until garbage collection. Status and headers stay readable.
        if response is not None:
            response.close()
        connection.close()
    return response


class _HeadFile(io.BufferedReader):
    """The answer's bytes, noting an end of file met while reading lines (the head)."""

    ended = False

    def readline(self, size: int | None = -1, /) -> bytes:
        line = super().readline(size)
        self.ended = self.ended or not line
        return line


def _head_cut_off(response: http.client.HTTPResponse) -> bool:
    """The head ended at the end of file, not at its blank line (http.client takes both)."""
    return isinstance(response.fp, _HeadFile) and response.fp.ended


class _FinalResponse(http.client.HTTPResponse):
    """The final answer, after any interim ones (103 Early Hints, ...) as a browser reads it.

    http.client passes over 100 Continue only, and would take a 103's head for the answer.
    """

    def begin(self) -> None:
        # Nothing is read yet: the same socket file, watched while the head is read.
        self.fp = _HeadFile(self.fp.detach())
        super().begin()

    def _read_status(self) -> tuple[str, int, str]:
        for _ in range(MAX_INTERIM):
            version, status, reason = super()._read_status()  # type: ignore[misc]
            if not 100 <= status < 200 or status == 101:  # 101 switches protocols: final
                return version, status, reason
            http.client.parse_headers(self.fp)  # the interim answer's head, not kept
        raise http.client.HTTPException(f"more than {MAX_INTERIM} interim (1xx) answers")


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a chosen address, with the site's name as SNI."""

    def __init__(
        self, address: str, host: str, port: int, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(address, port, timeout=timeout, context=context)
        self._sni = host
        self._ctx = context

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._ctx.wrap_socket(sock, server_hostname=self._sni)


def same_resource(a: str, b: str) -> bool:
    """`https://h` and `https://h:443/` name the same thing."""
    one, two = urlsplit(a), urlsplit(b)
    return (
        one.scheme == two.scheme
        and one.hostname == two.hostname
        and (one.port or _default_port(one.scheme)) == (two.port or _default_port(two.scheme))
        and (one.path or "/") == (two.path or "/")
        and one.query == two.query
    )


def _as_browser_reads(location: str) -> str:
    """A Location as a browser follows it: spaces, controls and 8-bit bytes percent-encoded.

    Sites send paths such as /nyheder/æøå as raw UTF-8, which http.client hands over as
    Latin-1 text and would refuse to send again.
    """
    raw = location.encode("latin-1").strip(bytes(range(0x21)))  # C0 controls and space
    url = quote(raw.translate(None, b"\t\r\n"), safe=string.punctuation)  # as WHATWG URL does
    # In an http(s) URL a browser reads a backslash as "/" up to the query: https://a.test\@b.test/
    # goes to a.test, where urlsplit sees the user "a.test\" at b.test.
    return re.sub(r"^[^?#]*", lambda head: head[0].replace("\\", "/"), url)


def _resolve(url: str, locations: list[str]) -> tuple[str | None, str | None]:
    """The absolute URL a browser goes to from `url`, or why it goes nowhere.

    (None, None) when there is no Location: the answer is the page.
    """
    distinct = {location.strip() for location in locations}
    if len(distinct) > 1:  # browsers refuse to choose (ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION)
        return None, f"it sends {len(distinct)} different Location headers"
    location = distinct.pop() if distinct else ""
    if not location:
        return None, None
    try:
        absolute = urljoin(url, _as_browser_reads(location))
        urlsplit(absolute).port  # noqa: B018  # raises ValueError on a port out of range
    except ValueError:  # that, or an unclosed [IPv6 bracket
        return None, f"its Location '{excerpt(location)}' is not a valid URL"
    return absolute, None


def follow_redirects(start_url: str, fetch: Fetch) -> RedirectTrace:
    """Follow redirects from `start_url`, only while they stay on the same host.

    Hops to another host are recorded, not followed: the audit only connects to the
    addresses it was given, and the verdict depends on the first hop anyway. `fetch` makes
    each request (it may answer one it has already made).
    """
    start_host = urlsplit(start_url).hostname
    hops: list[Hop] = []
    seen: set[str] = set()
    url = start_url
    while True:
        if url in seen:
            return RedirectTrace(tuple(hops), stopped="redirect loop", loop=True)
        if len(hops) >= MAX_HOPS:
            return RedirectTrace(
                tuple(hops), stopped=f"more than {MAX_HOPS} redirects", too_many=True
            )
        seen.add(url)
        try:
            response = fetch(url)
        except HttpUnreachable as exc:
            if not hops:
                return RedirectTrace(error=str(exc))
            return RedirectTrace(tuple(hops), stopped=str(exc))
        absolute, problem = None, None
        if response.status in REDIRECT_STATUSES:
            absolute, problem = _resolve(url, response.headers.get_all("Location") or [])
        hops.append(Hop(url, response.status, absolute))
        if problem is not None:
            return RedirectTrace(tuple(hops), stopped=problem)
        if absolute is None:
            return RedirectTrace(tuple(hops))
        if urlsplit(absolute).hostname != start_host:
            return RedirectTrace(tuple(hops), stopped="redirects to another host (not followed)")
        url = absolute


def _unfold(value: str) -> str:
    """A header value with each obs-fold replaced by a space, as RFC 9110 5.5 tells a user
    agent to do before reading it (http.client keeps the line break)."""
    return re.sub(r"\r?\n(?=[ \t])", " ", value)


def https_headers(response: http.client.HTTPResponse) -> HttpsHeaders:
    values = tuple(
        _unfold(value)
        for name, value in response.getheaders()
        if name.lower() == "strict-transport-security"
    )
    return HttpsHeaders(status=response.status, sts=values)


@dataclass(frozen=True)
class HttpsScan:
    """What the https family collected of one site at one address."""

    http_url: str
    https_url: str
    redirects: RedirectTrace
    headers: HttpsHeaders | None
    headers_error: str | None = None
