"""The https checks judged on hand-built redirect traces and headers (no network)."""

from __future__ import annotations

import pytest

from auditor.core.config import SiteConfig
from auditor.core.model import Status
from checks.https import record
from checks.https.family import check_hsts, check_redirect, evaluate, site_url
from checks.https.probe import Hop, HttpsHeaders, HttpsScan, RedirectTrace, within
from checks.sites import SiteTarget

HOST = "alternativet.dk"
TARGET = SiteTarget(SiteConfig(host=HOST, platform=""), "192.0.2.10")


def _scan(trace: RedirectTrace, sts: tuple[str, ...] = ("max-age=63072000",)) -> HttpsScan:
    return HttpsScan(
        "http://alternativet.dk/", "https://alternativet.dk/", trace, HttpsHeaders(200, sts)
    )


def _hop(url: str, status: int, location: str | None) -> Hop:
    return Hop(url, status, location)


@pytest.mark.parametrize(
    ("trace", "status", "words"),
    [
        (
            RedirectTrace(
                (
                    _hop("http://alternativet.dk/", 301, "https://alternativet.dk/"),
                    _hop("https://alternativet.dk/", 200, None),
                )
            ),
            Status.PASS,
            "redirects (301)",
        ),
        (
            RedirectTrace((_hop("http://alternativet.dk/", 308, "https://ALTERNATIVET.dk/x"),)),
            Status.PASS,
            "redirects (308)",
        ),
        (RedirectTrace((_hop("http://alternativet.dk/", 200, None),)), Status.FAIL, "answers 200"),
        (
            RedirectTrace((_hop("http://alternativet.dk/", 301, "http://alternativet.dk/a"),)),
            Status.FAIL,
            "not to https",
        ),
        (
            RedirectTrace(
                (_hop("http://alternativet.dk/", 301, "https://alternativet.example/"),),
                stopped="redirects off the site (not followed)",
            ),
            Status.FAIL,
            "another host",
        ),
        (
            # A name under the site's own is the site's (its registrable domain).
            RedirectTrace(
                (
                    _hop("http://alternativet.dk/", 301, "https://www.alternativet.dk/"),
                    _hop("https://www.alternativet.dk/", 200, None),
                )
            ),
            Status.PASS,
            "redirects (301)",
        ),
        (
            # A public suffix above it is no site's (the Public Suffix List says so).
            RedirectTrace(
                (_hop("http://alternativet.dk/", 301, "https://dk/"),),
                stopped="redirects off the site (not followed)",
            ),
            Status.FAIL,
            "another host",
        ),
        (
            # Once on https:// on the site, the visitor may be sent on elsewhere over https://.
            RedirectTrace(
                (
                    _hop("http://alternativet.dk/", 301, "https://alternativet.dk/"),
                    _hop("https://alternativet.dk/", 302, "https://shop.example/"),
                ),
                stopped="redirects off the site (not followed)",
            ),
            Status.PASS,
            "and on through 1 more to https://shop.example/",
        ),
        (
            # ... but not back to cleartext, even off the site (judged without asking it).
            RedirectTrace(
                (
                    _hop("http://alternativet.dk/", 301, "https://alternativet.dk/"),
                    _hop("https://alternativet.dk/", 302, "http://shop.example/"),
                ),
                stopped="redirects off the site (not followed)",
            ),
            Status.FAIL,
            "https://alternativet.dk/ redirects back to http://: http://shop.example/",
        ),
        (
            RedirectTrace(
                (
                    _hop("http://alternativet.dk/", 301, "https://alternativet.dk/"),
                    _hop("https://alternativet.dk/", 302, None),
                ),
                stopped="it sends 2 different Location headers",
            ),
            Status.FAIL,
            "https://alternativet.dk/ answers 302, but it sends 2 different Location headers",
        ),
        (
            RedirectTrace((_hop("http://alternativet.dk/", 301, "https://alternativet.dk:8443/"),)),
            Status.FAIL,
            "another host",
        ),
        (
            RedirectTrace(
                (
                    _hop("http://alternativet.dk/", 301, "https://alternativet.dk/"),
                    _hop("https://alternativet.dk/", 301, "http://alternativet.dk/"),
                ),
                stopped="redirect loop",
                loop=True,
            ),
            Status.FAIL,
            "https://alternativet.dk/ redirects back to http://: http://alternativet.dk/.",
        ),
        (
            RedirectTrace(
                (
                    _hop("http://alternativet.dk/", 301, "https://alternativet.dk/"),
                    _hop("https://alternativet.dk/", 301, "https://alternativet.dk/#top"),
                ),
                stopped="redirect loop",
                loop=True,
            ),
            Status.FAIL,
            "The redirects loop.",
        ),
        (
            RedirectTrace(
                (_hop("http://alternativet.dk/", 301, "https://alternativet.dk/"),) * 10,
                stopped="more than 10 redirects",
                too_many=True,
            ),
            Status.FAIL,
            "Too many",
        ),
        (
            # Why the second request failed names its URL and the server's words: they
            # are not the auditor's "more than 10 redirects".
            RedirectTrace(
                (_hop("http://alternativet.dk/", 301, "https://alternativet.dk/more-than-10"),),
                stopped="https://alternativet.dk/more-than-10 did not answer HTTP: "
                "HTTPException: more than 10 interim (1xx) answers",
            ),
            Status.PASS,
            "redirects (301)",
        ),
        (
            RedirectTrace(error="connection to http://alternativet.dk/ refused"),
            Status.WARN,
            "not served",
        ),
        (
            RedirectTrace(error="no answer from http://alternativet.dk/ within 5 s"),
            Status.ERROR,
            "Could not",
        ),
    ],
)
def test_redirect_verdicts(trace: RedirectTrace, status: Status, words: str) -> None:
    finding = check_redirect(_scan(trace), TARGET)
    assert finding.status is status
    assert words in finding.message


@pytest.mark.parametrize(
    ("sts", "status"),
    [
        (("max-age=31536000",), Status.PASS),
        (("max-age=31535999",), Status.WARN),
        (("max-age=0",), Status.FAIL),
        ((), Status.FAIL),
        (("max-age=1; max-age=1",), Status.FAIL),
        (("max-age=63072000", "max-age=0"), Status.PASS),  # only the first counts
    ],
)
def test_hsts_verdicts(sts: tuple[str, ...], status: Status) -> None:
    assert check_hsts(_scan(RedirectTrace(), sts), TARGET).status is status


def test_no_https_answer_is_an_error_not_a_pass() -> None:
    scan = HttpsScan("http://a/", "https://a/", RedirectTrace(error="refused"), None, "refused")
    target = SiteTarget(SiteConfig(host="a", platform=""), "192.0.2.1")
    statuses = {f.check: f.status for f in evaluate(scan, target)}
    assert statuses == {"https.redirect": Status.WARN, "https.hsts": Status.ERROR}


def test_a_huge_location_is_cut_short_in_the_message_and_kept_in_the_evidence() -> None:
    location = "https://evil.test/" + "a" * 65000
    trace = RedirectTrace((_hop("http://alternativet.dk/", 301, location),))
    finding = check_redirect(_scan(trace), TARGET)
    assert finding.message == f"http:// redirects to another host: {location[:200]}….", (
        finding.message[:300]
    )
    assert finding.evidence["location"] == location


def test_the_record_holds_the_answers_as_facts() -> None:
    target = SiteTarget(SiteConfig(host=HOST, platform="", port=8443), "192.0.2.1")
    trace = RedirectTrace((_hop("http://alternativet.dk/", 301, "https://alternativet.dk:8443/"),))
    scan = _scan(trace, ("max-age=63072000; preload", "max-age=0"))
    findings = evaluate(scan, target)
    answers = record.scanned_record(target, scan, findings[0])
    assert (answers.target, answers.site, answers.port, answers.address) == (
        "alternativet.dk:8443",
        HOST,
        8443,
        "192.0.2.1",
    )
    assert (answers.http_served, answers.redirect_status, answers.redirects_to_https) == (
        True,
        301,
        True,
    )
    assert answers.redirect_location == "https://alternativet.dk:8443/"
    assert (answers.https_status, answers.hsts_max_age, answers.hsts_preload) == (
        200,
        63072000,
        True,
    )
    assert answers.hsts_include_subdomains is False
    # Nothing on plain HTTP, and a header no browser obeys.
    scan = _scan(RedirectTrace(error="connection refused"), ("max-age=abc",))
    answers = record.scanned_record(target, scan, evaluate(scan, target)[0])
    assert (answers.http_served, answers.redirect_status, answers.redirects_to_https) == (
        False,
        None,
        False,
    )
    assert (answers.hsts_header, answers.hsts_max_age) == ("max-age=abc", None)
    # No answer at all: nothing is known, and nothing reads as a pass.
    scan = HttpsScan("http://a/", "https://a/", RedirectTrace(error="timed out"), None, "refused")
    answers = record.scanned_record(target, scan, evaluate(scan, target)[0])
    assert (answers.http_served, answers.https_status, answers.hsts_header) == (None, None, None)


@pytest.mark.parametrize(
    ("host", "site", "on_site"),
    [
        ("www.alternativet.dk", "alternativet.dk", True),
        ("alternativet.dk", "www.alternativet.dk", True),  # up to the registrable domain
        ("dialog.alternativet.dk", "www.alternativet.dk", True),
        ("alternativet.example", "alternativet.dk", False),
        ("b.github.io", "a.github.io", False),  # a public suffix's names are not one site
        ("dk", "alternativet.dk", False),
        ("127.0.0.2", "127.0.0.1", False),
        (None, "alternativet.dk", False),
    ],
)
def test_a_site_is_its_registrable_domain(host: str | None, site: str, on_site: bool) -> None:
    assert within(host, site) is on_site


@pytest.mark.parametrize(
    ("scheme", "host", "port", "url"),
    [
        ("https", "alternativet.dk", 443, "https://alternativet.dk/"),
        ("http", "alternativet.dk", 8080, "http://alternativet.dk:8080/"),
        ("https", "2001:db8::1", 443, "https://[2001:db8::1]/"),
        ("https", "2001:db8::1", 8443, "https://[2001:db8::1]:8443/"),
    ],
)
def test_a_sites_url_brackets_an_ipv6_address(scheme: str, host: str, port: int, url: str) -> None:
    assert site_url(scheme, host, port) == url
