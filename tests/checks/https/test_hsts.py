"""HSTS parsing as RFC 6797 section 6.1 says, not as a naive split does."""

from __future__ import annotations

import pytest

from checks.https.hsts import MAX_AGE_LIMIT, HstsError, HstsPolicy, parse_hsts


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("max-age=31536000", HstsPolicy(31536000, False, False)),
        ("max-age=63072000; includeSubDomains; preload", HstsPolicy(63072000, True, True)),
        ('MAX-AGE="300"', HstsPolicy(300, False, False)),
        ("  max-age = 10 ;includesubdomains  ", HstsPolicy(10, True, False)),
        (";;max-age=5;;", HstsPolicy(5, False, False)),
        ('max-age=1; ext="a;b=c"; preload', HstsPolicy(1, False, True)),  # ; inside quotes
        ("max-age=1; unknown=token", HstsPolicy(1, False, False)),
        ('max-age="1\\0"', HstsPolicy(10, False, False)),  # quoted-pair
        ("max-age=" + "0" * 5000 + "1", HstsPolicy(1, False, False)),
        # Beyond 64 bits, clamped as curl and Chrome do: not a crash of int() at 4300 digits.
        ("max-age=" + "9" * 20, HstsPolicy(MAX_AGE_LIMIT, False, False)),
        ("max-age=" + "9" * 5000, HstsPolicy(MAX_AGE_LIMIT, False, False)),
        (f"max-age={MAX_AGE_LIMIT}", HstsPolicy(MAX_AGE_LIMIT, False, False)),
    ],
)
def test_valid_headers(header: str, expected: HstsPolicy) -> None:
    assert parse_hsts(header) == expected


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("", "max-age is missing"),
        ("includeSubDomains", "max-age is missing"),
        ("max-age=abc", "must be a number"),
        ("max-age=-1", "must be a number"),
        ("max-age=", "must be a number"),
        ("max-age", "must be a number"),
        ("max-age=1; max-age=2", "more than once"),
        ("max-age=1; MAX-AGE=2", "more than once"),
        ("max-age=1; includeSubDomains; includesubdomains", "more than once"),
        ('max-age="1', "not closed"),
        ("max-age=1 2", "unexpected character"),
        ("max-age=1, includeSubDomains", "unexpected character"),
        ("max-age=1; includeSubDomains=yes", "takes no value"),
        ("max-age=١٢", "unexpected character"),  # non-ASCII digits are not a token
    ],
)
def test_invalid_headers_say_why(header: str, reason: str) -> None:
    with pytest.raises(HstsError, match=reason):
        parse_hsts(header)


def test_a_naive_split_would_be_fooled_by_a_quoted_semicolon() -> None:
    # Splitting on ";" would see "includeSubDomains" as its own directive here.
    assert parse_hsts('max-age=1; x="; includeSubDomains"').include_subdomains is False
