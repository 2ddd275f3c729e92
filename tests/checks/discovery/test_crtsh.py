"""Reading crt.sh: its real JSON shape, politely, and never a truncated or empty pass.

Against a fake crt.sh on loopback (tests/support/crtsh_fake.py) that answers as crt.sh
does: one row per (certificate, log), several names per row, any case, trailing dots.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from checks.discovery import crtsh
from tests.support.crtsh_fake import FakeCrtSh, Scripted, domains_asked, entry, now_minus

NOW = datetime.now(UTC)
ADDRESS = "127.0.17.40"


def _rows() -> list[dict[str, object]]:
    logged = now_minus(NOW, 5)
    return [
        entry(1001, ["lab.test", "WWW.Lab.Test."], logged),
        entry(1001, ["lab.test", "WWW.Lab.Test."], now_minus(NOW, 4)),  # the same, another log
        entry(1002, ["*.lab.test", "lab.test"], logged),
        entry(1003, ["forgotten.lab.test\nCAMPAIGN.lab.test."], logged, common_name=""),
        entry(1004, ["mail@lab.test", "1.2.3.4"], logged),  # an S/MIME name, an address
    ]


@pytest.fixture
def fake() -> Iterator[FakeCrtSh]:
    server = FakeCrtSh(ADDRESS, {"lab.test": _rows()})
    try:
        yield server
    finally:
        server.close()


def test_each_certificate_once_with_its_names_cleaned(fake: FakeCrtSh) -> None:
    certificates = crtsh.fetch_domain(crtsh.CtQuery(fake.base, 2.0), "lab.test")
    assert [c.id for c in certificates] == [1001, 1002, 1003, 1004]
    first = certificates[0]
    assert first.names == ("lab.test", "www.lab.test")
    assert first.issuer == "C=US, O=Let's Encrypt, CN=R11"
    assert first.logged_at < now_minus(NOW, 4).isoformat()  # its first logging, not its last
    assert certificates[1].names == ("*.lab.test", "lab.test")
    assert certificates[2].names == ("forgotten.lab.test", "campaign.lab.test")
    assert certificates[3].names == ()  # no host name among them
    assert domains_asked(fake) == ["%.lab.test"]  # one query for the apex


def test_a_502_is_retried_with_backoff(fake: FakeCrtSh) -> None:
    fake.script(Scripted(502), Scripted(429, headers={"retry-after": "3"}))
    waits: list[float] = []
    query = crtsh.CtQuery(fake.base, 2.0, sleep=waits.append)
    certificates = crtsh.fetch_domain(query, "lab.test")
    assert len(certificates) == 4
    assert waits == [crtsh.BACKOFF_SECONDS, 3.0]  # backoff, then crt.sh's own retry-after
    assert len(fake.queries) == 3


def test_crtsh_down_is_an_error_never_an_empty_list(fake: FakeCrtSh) -> None:
    fake.down()
    waits: list[float] = []
    with pytest.raises(crtsh.CtError, match="502"):
        crtsh.fetch_domain(crtsh.CtQuery(fake.base, 2.0, sleep=waits.append), "lab.test")
    assert len(fake.queries) == crtsh.MAX_RETRIES + 1  # polite: a bounded number of tries
    assert waits == [crtsh.BACKOFF_SECONDS * 2**n for n in range(crtsh.MAX_RETRIES)]


def test_an_answer_too_large_to_keep_is_refused_not_truncated(fake: FakeCrtSh) -> None:
    big = [entry(5000 + n, [f"n{n}.lab.test"], now_minus(NOW, 1)) for n in range(2000)]
    fake.entries["lab.test"] = big
    size = len(json.dumps(big))
    with pytest.raises(crtsh.CtError, match="larger than"):
        crtsh.fetch_domain(crtsh.CtQuery(fake.base, 2.0, max_bytes=size // 2), "lab.test")
    # Without a Content-Length, the bound holds while reading.
    fake.script(Scripted(200, json.dumps(big).encode(), declare_length=False))
    with pytest.raises(crtsh.CtError, match="larger than"):
        crtsh.fetch_domain(crtsh.CtQuery(fake.base, 2.0, max_bytes=size // 2), "lab.test")
    assert len(fake.queries) == 2  # a runaway answer is no outage: never asked again


def test_an_answer_that_is_not_json_is_an_error(fake: FakeCrtSh) -> None:
    fake.script(Scripted(200, b"<html>busy</html>"))
    with pytest.raises(crtsh.CtError, match="not JSON"):
        crtsh.fetch_domain(crtsh.CtQuery(fake.base, 2.0), "lab.test")


def test_nothing_listens_is_an_error() -> None:
    with pytest.raises(crtsh.CtError, match="no answer"):
        crtsh.fetch_domain(crtsh.CtQuery("http://127.0.17.41:9/", 0.5), "lab.test")
