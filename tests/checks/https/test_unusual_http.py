"""https.redirect and https.hsts on answers nginx cannot give, judged as a browser reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.core.config import AuditConfig, SiteConfig
from auditor.core.family import AuditContext
from auditor.core.model import Finding
from auditor.core.runner import run_audit
from checks import families
from tests.support.canned_http import HOST, canned_site

ADDRESS = "127.0.72.10"
REDIRECT = b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://canned.test:{https_port}/\r\n"
PAGE = b"HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=63072000\r\n"
END = b"Content-Length: 0\r\nConnection: close\r\n\r\n"


def _audit(
    http: bytes, https: bytes, tmp_path: Path, host: str = HOST
) -> tuple[Finding, Finding, int]:
    """The redirect and HSTS findings, and the HTTPS port they name."""
    with canned_site(ADDRESS, http, https, tmp_path) as site:
        sites = (SiteConfig(host, "", site.https_port, site.http_port, addresses=(ADDRESS,)),)
        config = AuditConfig(source="test", sites=sites)
        report = run_audit(families("https"), AuditContext(config=config))
    redirect, hsts = sorted(report.findings, key=lambda f: f.check != "https.redirect")
    return redirect, hsts, site.https_port


def _hops(redirect: Finding) -> list[dict[str, object]]:
    hops = redirect.evidence["hops"]
    assert isinstance(hops, list)
    return hops


def test_early_hints_are_passed_over_for_the_final_answer(tmp_path: Path) -> None:
    # 103 Early Hints (RFC 8297) before the real answer: a browser preloads the hinted
    # links and then reads the final answer, its redirect and its HSTS header.
    hints = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n"
    redirect, hsts, port = _audit(hints + REDIRECT + END, hints + hints + PAGE + END, tmp_path)
    assert (redirect.status, redirect.message) == (
        "pass",
        f"http:// redirects (301) to https://{HOST}:{port}/.",
    )
    assert (hsts.status, hsts.message) == ("pass", "HSTS for 730 days.")


def test_a_location_in_raw_utf8_is_followed_as_a_browser_encodes_it(tmp_path: Path) -> None:
    # Danish paths are often sent as raw UTF-8: http.client reads them as Latin-1 text and
    # will not send such a path again, so the follow-up request crashed the whole check.
    moved = REDIRECT.replace(b"/\r\n", "/nyheder/æøå side\r\n".encode())
    redirect, hsts, port = _audit(moved + END, PAGE + END, tmp_path)
    assert (redirect.status, redirect.message) == (
        "pass",
        f"http:// redirects (301) to https://{HOST}:{port}/nyheder/%C3%A6%C3%B8%C3%A5%20side.",
    )
    assert [(hop["status"], hop["location"]) for hop in _hops(redirect)] == [
        (301, f"https://{HOST}:{port}/nyheder/%C3%A6%C3%B8%C3%A5%20side"),
        (200, None),  # the page was fetched, not refused
    ]
    assert hsts.status == "pass"


@pytest.mark.parametrize(
    "location", ["https://[::1/", "https://canned.test:99999/", "https://canned.test:443x/"]
)
def test_a_location_no_browser_can_follow_fails_the_redirect_and_hsts_is_still_judged(
    location: str, tmp_path: Path
) -> None:
    # The parse error of the Location used to crash the site's audit: both checks "error".
    moved = b"HTTP/1.1 302 Found\r\nLocation: " + location.encode() + b"\r\n"
    redirect, hsts, _ = _audit(moved + END, PAGE + END, tmp_path)
    assert (redirect.status, redirect.message) == (
        "fail",
        f"http:// answers 302, but its Location {location!r} is not a valid URL.",
    )
    assert (hsts.status, hsts.message) == ("pass", "HSTS for 730 days.")


def test_two_different_locations_fail_the_redirect(tmp_path: Path) -> None:
    # Joined into one value by http.client, they read as one URL on the right host.
    also = b"Location: https://elsewhere.test/\r\n"
    redirect, _, _ = _audit(REDIRECT + also + END, PAGE + END, tmp_path)
    assert (redirect.status, redirect.message) == (
        "fail",
        "http:// answers 301, but it sends 2 different Location headers.",
    )


def test_the_same_location_twice_is_one_redirect(tmp_path: Path) -> None:
    redirect, _, port = _audit(
        REDIRECT + REDIRECT[REDIRECT.index(b"Location") :] + END, PAGE + END, tmp_path
    )
    assert (redirect.status, redirect.message) == (
        "pass",
        f"http:// redirects (301) to https://{HOST}:{port}/.",
    )


def test_a_folded_hsts_header_is_read_unfolded(tmp_path: Path) -> None:
    # RFC 9110 5.5: a user agent replaces an obs-fold with a space before reading the value.
    folded = b"HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=63072000;\r\n\tpreload\r\n"
    _, hsts, _ = _audit(REDIRECT + END, folded + END, tmp_path)
    assert (hsts.status, hsts.message) == ("pass", "HSTS for 730 days.")
    assert hsts.evidence["header"] == "max-age=63072000; \tpreload"
    assert hsts.evidence["preload"] is True


def test_a_backslash_in_the_location_is_read_as_a_browser_reads_it(tmp_path: Path) -> None:
    # A browser reads a backslash as "/" in an https URL: it goes to elsewhere.test, where
    # urlsplit sees the user "elsewhere.test\" at canned.test, the right host.
    moved = (
        b"HTTP/1.1 301 Moved\r\nLocation: https://elsewhere.test\\@canned.test:{https_port}/\r\n"
    )
    redirect, _, port = _audit(moved + END, PAGE + END, tmp_path)
    assert (redirect.status, redirect.message) == (
        "fail",
        f"http:// redirects to another host: https://elsewhere.test/@canned.test:{port}/.",
    )


def test_a_badly_framed_body_does_not_hide_a_complete_head(tmp_path: Path) -> None:
    # Browsers follow the redirect and keep the HSTS policy on the head alone.
    chunked = b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nnot-hex\r\nabc\r\n"
    redirect, hsts, port = _audit(REDIRECT + chunked, PAGE + chunked, tmp_path)
    assert (redirect.status, redirect.message) == (
        "pass",
        f"http:// redirects (301) to https://{HOST}:{port}/.",
    )
    assert (hsts.status, hsts.message) == ("pass", "HSTS for 730 days.")


@pytest.mark.parametrize("cut", [b"Content-Length: 0\r\n", b"Content-Len"])
def test_a_head_cut_off_over_https_is_not_judged(cut: bytes, tmp_path: Path) -> None:
    # The connection closes before the blank line that ends the head: headers may be lost
    # on the way, and browsers act on none of them (ERR_RESPONSE_HEADERS_TRUNCATED).
    _, hsts, port = _audit(REDIRECT + END, PAGE + cut, tmp_path)
    assert (hsts.status, hsts.message) == (
        "error",
        f"Could not check: the answer's head from https://{HOST}:{port}/ was cut off.",
    )


def test_a_head_cut_off_over_plain_http_is_read_as_chrome_reads_it(tmp_path: Path) -> None:
    redirect, hsts, port = _audit(REDIRECT, PAGE + END, tmp_path)
    assert (redirect.status, redirect.message) == (
        "pass",
        f"http:// redirects (301) to https://{HOST}:{port}/.",
    )
    assert hsts.status == "pass"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (b"HTTP/1.1 2x0 OK\x1b[2J\r\nX: y\r\n\r\n", "BadStatusLine: HTTP/1.1 2x0 OK\\x1b[2J\\r\\n"),
        (b"HTTP/1.1 " + b"A" * 60000 + b"\r\n\r\n", "BadStatusLine: HTTP/1.1 " + "A" * 191 + "…"),
        (b"HTTX/1.1 200 OK\r\n\r\n", "BadStatusLine: HTTX/1.1 200 OK\\r\\n"),
    ],
)
def test_what_a_server_sent_is_one_short_line_in_the_message(
    answer: bytes, said: str, tmp_path: Path
) -> None:
    # http.client's errors quote the server's status line raw, CR LF and all, up to 64 KiB.
    _, hsts, port = _audit(REDIRECT + END, answer, tmp_path)
    assert (hsts.status, hsts.message) == (
        "error",
        f"Could not check: https://{HOST}:{port}/ did not answer HTTP: {said}.",
    )


@pytest.mark.parametrize(
    "location",
    ["https://bücher.test:{https_port}/".encode(), b"https://b%C3%BCcher.test:{https_port}/"],
)
def test_an_international_name_is_compared_in_its_idna_form(
    location: bytes, tmp_path: Path
) -> None:
    # The config writes the name as xn--bcher-kva.test; a Location may write it in Unicode,
    # raw or percent-encoded, and a browser goes to the same host. Main compared the
    # percent-encoded text and failed the redirect as "another host".
    moved = b"HTTP/1.1 301 Moved Permanently\r\nLocation: " + location + b"\r\n"
    redirect, hsts, port = _audit(moved + END, PAGE + END, tmp_path, "xn--bcher-kva.test")
    assert (redirect.status, redirect.message) == (
        "pass",
        f"http:// redirects (301) to https://xn--bcher-kva.test:{port}/.",
    )
    assert [(hop["status"], hop["location"]) for hop in _hops(redirect)] == [
        (301, f"https://xn--bcher-kva.test:{port}/"),
        (200, None),  # asked for under its ASCII name
    ]
    assert hsts.status == "pass"


def test_a_host_no_browser_can_encode_fails_the_redirect(tmp_path: Path) -> None:
    moved = b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://b%FFcher.test/\r\n"
    redirect, _, _ = _audit(moved + END, PAGE + END, tmp_path, "xn--bcher-kva.test")
    assert (redirect.status, redirect.message) == (
        "fail",
        "http:// answers 301, but its Location 'https://b%FFcher.test/' is not a valid URL.",
    )
