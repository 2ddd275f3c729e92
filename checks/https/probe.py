"""A site's redirects from http://, followed hop by hop, and the HSTS header of the https://
answer they end on.

Built on http.client because the audit must reach a chosen address (the site's own name
is asked at the target's address, whatever DNS says) while sending the name as Host header
and SNI (a client library that resolves names itself cannot).
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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urljoin, urlsplit

from auditor.core.deadlines import DEADLINES, Cutoff, shut_down
from auditor.core.hosts import is_ip_address
from auditor.core.slots import Gate, no_gate
from auditor.core.text import excerpt
from checks.tls.suites import STRONG_CIPHER_STRING

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

MAX_HOPS = 10  # redirects followed; one more fails the chain
MAX_INTERIM = 10  # 1xx answers passed over before the final one
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
USER_AGENT = "auditor (Alternativet security-posture audit)"


class HttpUnreachable(Exception):
    """No answer: refused, timed out, or not HTTP."""


@dataclass(frozen=True)
class Hop:
    url: str
    status: int
    location: str | None  # absolute, resolved against `url`, its host in ASCII (IDNA)
    sts: tuple[str, ...] = ()  # the answer's Strict-Transport-Security values, unfolded


@dataclass(frozen=True)
class RedirectTrace:
    hops: tuple[Hop, ...] = ()
    stopped: str | None = None  # why following stopped before a final answer
    loop: bool = False
    too_many: bool = False  # more than MAX_HOPS redirects
    error: str | None = None  # the first request got no answer
    unanswered: str | None = None  # the later URL whose request got no answer (see `stopped`)

    @property
    def final(self) -> str | None:
        """Where the redirects leave a visitor: the last answer's URL, or the last Location
        when it was not followed."""
        if not self.hops:
            return None
        last = self.hops[-1]
        return last.location or last.url


@dataclass(frozen=True)
class HttpsHeaders:
    status: int
    sts: tuple[str, ...] = field(default_factory=tuple)  # every Strict-Transport-Security value
    url: str | None = None  # the answer they came from


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


def origin(url: str) -> tuple[str, str | None, int]:
    """Scheme, host and port: which server of the site answers a URL."""
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or _default_port(parts.scheme)


def _resource(url: str) -> tuple[object, ...]:
    """What a request for `url` asks for: `https://h` and `https://h:443/#top` ask alike (a
    fragment is never sent)."""
    parts = urlsplit(url)
    return (*origin(url), parts.path or "/", parts.query)


def within(host: str | None, site: str) -> bool:
    """`host` is on the site: in the site's registrable domain, as the Public Suffix List
    draws it (www.alternativet.dk and alternativet.dk are one site; a.github.io and
    b.github.io are not). An address, or a name that is itself a public suffix, has only
    itself and the names under it."""
    if not host:
        return False
    if host == site:
        return True
    if is_ip_address(site) or is_ip_address(host):
        return False
    if host.endswith("." + site):
        return True
    registrable = registrable_domain(site)
    return registrable is not None and registrable_domain(host) == registrable


@cache
def _public_suffixes() -> PublicSuffixList:
    # Loaded only for a redirect to another host: reading the bundled list takes ~75 ms.
    from publicsuffixlist import PublicSuffixList  # noqa: PLC0415

    return PublicSuffixList()


def registrable_domain(name: str) -> str | None:
    """The name's registrable domain ("private suffix"), or None for a public suffix."""
    found = _public_suffixes().privatesuffix(name.lower().rstrip("."))
    return found if isinstance(found, str) else None


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


def _ascii_host(url: str) -> str:
    """`url` with its host as a browser looks it up: percent-decoded, then in its IDNA (UTS 46)
    ASCII form, so that https://bücher.test/ is https://xn--bcher-kva.test/, the site's name
    as the config writes it. Raises ValueError (idna's) for a host no browser can encode."""
    parts = urlsplit(url)
    host = parts.hostname
    if host is None or (host.isascii() and "%" not in host):
        return url  # urlsplit has lower-cased it, as UTS 46 would
    import idna  # noqa: PLC0415  # its tables take milliseconds to load; few Locations need them

    netloc = idna.encode(unquote(host), uts46=True).decode("ascii")
    if "@" in parts.netloc:
        netloc = parts.netloc.rpartition("@")[0] + "@" + netloc
    if parts.port is not None:
        netloc += f":{parts.port}"
    return parts._replace(netloc=netloc).geturl()


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
        absolute = _ascii_host(absolute)
    except ValueError:  # that, an unclosed [IPv6 bracket, or a host IDNA cannot encode
        return None, f"its Location '{excerpt(location)}' is not a valid URL"
    return absolute, None


def follow_redirects(start_url: str, fetch: Fetch) -> RedirectTrace:
    """Follow redirects from `start_url` while they stay on the site: over http:// or https://
    to its host or a name under it (see `within`), at most MAX_HOPS of them.

    A Location off the site is recorded, not followed: the audit connects only to the
    site's own addresses. `fetch` makes each request (it may answer one it has already made).
    """
    site = urlsplit(start_url).hostname or ""
    hops: list[Hop] = []
    seen: set[tuple[object, ...]] = set()
    url = start_url
    while True:
        if _resource(url) in seen:  # the fragment is not sent: /#a after / asks for / again
            return RedirectTrace(tuple(hops), stopped="redirect loop", loop=True)
        seen.add(_resource(url))
        try:
            response = fetch(url)
        except HttpUnreachable as exc:
            if not hops:
                return RedirectTrace(error=str(exc))
            return RedirectTrace(tuple(hops), stopped=str(exc), unanswered=url)
        absolute, problem = None, None
        if response.status in REDIRECT_STATUSES:
            absolute, problem = _resolve(url, response.headers.get_all("Location") or [])
        hops.append(Hop(url, response.status, absolute, _sts(response)))
        if problem is not None:
            return RedirectTrace(tuple(hops), stopped=problem)
        if absolute is None:
            return RedirectTrace(tuple(hops))
        to = urlsplit(absolute)
        if to.scheme not in ("http", "https") or not within(to.hostname, site):
            return RedirectTrace(tuple(hops), stopped="redirects off the site (not followed)")
        if len(hops) > MAX_HOPS:  # every hop so far is a redirect
            return RedirectTrace(
                tuple(hops), stopped=f"more than {MAX_HOPS} redirects", too_many=True
            )
        url = absolute


def reaches(trace: RedirectTrace, url: str) -> bool:
    """Some answer in `trace` came from `url`'s origin."""
    return any(origin(hop.url) == origin(url) for hop in trace.hops)


def landing(trace: RedirectTrace, url: str) -> tuple[HttpsHeaders | None, str | None]:
    """The last answer `trace` got from `url`'s origin, or why there is none.

    Where the chain goes on to another host, that answer is the final one from the site's
    host; where it goes on to a URL there that did not answer, the final one is not known.
    """
    if trace.error is not None:
        return None, trace.error
    home = origin(url)
    last = next((hop for hop in reversed(trace.hops) if origin(hop.url) == home), None)
    if last is None:
        return None, f"the redirects never reach {url}"
    unanswered = trace.unanswered
    if last is trace.hops[-1] and unanswered is not None and origin(unanswered) == home:
        return None, trace.stopped
    return HttpsHeaders(status=last.status, sts=last.sts, url=last.url), None


class Pages:
    """Each URL asked once, from the address its host is served at.

    The redirects from http:// usually land on the https:// page whose HSTS is judged, and
    the https:// page may be asked for before they do: one request, not two.
    """

    def __init__(
        self, address_of: Callable[[str], str], timeout: float, gate_of: Callable[[str], Gate]
    ) -> None:
        self._address_of = address_of  # raises HttpUnreachable when a host has none
        self._timeout = timeout
        self._gate_of = gate_of
        self._answers: dict[tuple[object, ...], Future[http.client.HTTPResponse]] = {}

    def _get(self, url: str) -> http.client.HTTPResponse:
        address = self._address_of(urlsplit(url).hostname or "")
        return request(url, address, self._timeout, self._gate_of(address))

    def prefetch(self, url: str, pool: ThreadPoolExecutor) -> None:
        """Ask for `url` now, in `pool`; `fetch` waits for its answer."""
        self._answers[_resource(url)] = pool.submit(self._get, url)

    def fetch(self, url: str) -> http.client.HTTPResponse:
        answer = self._answers.get(_resource(url))
        if answer is None:
            answer = self._answers[_resource(url)] = Future()
            try:
                answer.set_result(self._get(url))
            except HttpUnreachable as exc:  # kept: asked again, the URL gets the same answer
                answer.set_exception(exc)
        return answer.result()


def _unfold(value: str) -> str:
    """A header value with each obs-fold replaced by a space, as RFC 9110 5.5 tells a user
    agent to do before reading it (http.client keeps the line break)."""
    return re.sub(r"\r?\n(?=[ \t])", " ", value)


def _sts(response: http.client.HTTPResponse) -> tuple[str, ...]:
    """Every Strict-Transport-Security value of an answer, unfolded."""
    return tuple(
        _unfold(value)
        for name, value in response.getheaders()
        if name.lower() == "strict-transport-security"
    )


@dataclass(frozen=True)
class HttpsScan:
    """What the https family collected of one site at one address."""

    http_url: str
    https_url: str
    redirects: RedirectTrace
    headers: HttpsHeaders | None
    headers_error: str | None = None
