"""Certificate Transparency through crt.sh's JSON endpoint: one polite query per apex domain.

crt.sh is a free public service that is often slow and sometimes down. The query is made
once per domain, with a timeout on every step and on the whole answer, retried with backoff
on 5xx and 429 only, and read up to a bound: a list too large to keep is a failure (the
run says it could not check), never a truncated list that would pass as complete.

An answer is a JSON array of one object per (certificate, log entry); `name_value` holds the
certificate's matching names separated by newlines, in whatever case and with whatever
trailing dot the certificate carries. The same certificate comes once per log it is in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import requests

from auditor.core.documents import json_value
from auditor.core.inventory import CtCertificate
from auditor.core.messages import N_, Message
from checks.discovery.names import clean_names

MAX_RETRIES = 3
BACKOFF_SECONDS = 0.5  # 0.5, 1, 2: a down crt.sh costs the run at most a few seconds
MAX_RETRY_WAIT = 10.0
MAX_BYTES = 32 * 1024 * 1024  # far beyond a party's certificates; a bound on a runaway answer
_CHUNK = 64 * 1024


class CtError(Exception):
    """crt.sh could not be read: its message says why, in one sentence fragment."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CtQuery:
    """How crt.sh is asked: where, how long each step may take, how much may be read."""

    base_url: str
    timeout: float
    max_bytes: int = MAX_BYTES
    sleep: Callable[[float], None] = time.sleep


def query_url(base_url: str) -> str:
    return base_url if base_url.endswith("/") else base_url + "/"


def fetch_domain(query: CtQuery, domain: str) -> list[CtCertificate]:
    """Every certificate crt.sh lists for `domain` and the names under it."""
    params = {"q": f"%.{domain}", "output": "json"}
    for attempt in range(MAX_RETRIES + 1):
        try:
            body = _get(query, params)
        except _Retry as retry:
            if attempt == MAX_RETRIES:
                times = MAX_RETRIES + 1
                failed = N_(
                    "crt.sh answered {status} {times} times", status=retry.status, times=times
                )
                raise CtError(failed) from None
            query.sleep(retry.wait if retry.wait is not None else BACKOFF_SECONDS * 2**attempt)
            continue
        return parse(body)
    raise AssertionError("unreachable")  # the loop always returns or raises


@dataclass
class _Retry(Exception):
    status: int
    wait: float | None


def _get(query: CtQuery, params: Mapping[str, str]) -> bytes:
    try:
        with requests.get(
            query_url(query.base_url),
            params=params,
            timeout=query.timeout,
            stream=True,
            allow_redirects=False,
            headers={"Accept": "application/json"},
        ) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retry(response.status_code, _retry_after(response))
            if response.status_code != 200:
                raise CtError(N_("crt.sh answered {status}", status=response.status_code))
            return _bounded(response, query)
    except requests.RequestException as exc:
        raise CtError(N_("no answer from crt.sh ({error})", error=type(exc).__name__)) from None


def _retry_after(response: requests.Response) -> float | None:
    try:
        return max(0.0, min(float(response.headers.get("retry-after", "")), MAX_RETRY_WAIT))
    except ValueError:
        return None


def _bounded(response: requests.Response, query: CtQuery) -> bytes:
    """The body, read up to `max_bytes` and within the timeout as a whole (a server that
    trickles one byte at a time resets every per-read timeout)."""
    too_large = N_("crt.sh's answer is larger than {limit} bytes", limit=query.max_bytes)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > query.max_bytes:
        raise CtError(too_large)
    ends = time.monotonic() + query.timeout * 4
    body = bytearray()
    for chunk in response.iter_content(_CHUNK):
        body += chunk
        if len(body) > query.max_bytes:
            raise CtError(too_large)
        if time.monotonic() > ends:
            raise CtError(N_("crt.sh's answer did not finish in time"))
    return bytes(body)


def parse(body: bytes) -> list[CtCertificate]:
    """crt.sh's JSON as certificates, each once, with its names cleaned (see `clean_name`)."""
    try:
        data = json_value(body)
    except ValueError:
        raise CtError(N_("crt.sh's answer is not JSON")) from None
    if not isinstance(data, list):
        raise CtError(N_("crt.sh's answer is not a JSON list"))
    by_id: dict[int, CtCertificate] = {}
    for entry in data:
        certificate = _certificate(entry)
        if certificate is None:
            continue
        seen = by_id.get(certificate.id)
        if seen is not None:  # the same certificate in another log: one entry, its first logging
            logged = [t for t in (seen.logged_at, certificate.logged_at) if t]
            certificate = replace(
                seen,
                names=tuple(dict.fromkeys(seen.names + certificate.names)),
                logged_at=min(logged, default=""),
            )
        by_id[certificate.id] = certificate
    return sorted(by_id.values(), key=lambda c: c.id)


def _certificate(entry: Any) -> CtCertificate | None:
    if not isinstance(entry, dict):
        return None
    cert_id = entry.get("id")
    if not isinstance(cert_id, int) or isinstance(cert_id, bool):
        return None
    names = [entry.get("name_value"), entry.get("common_name")]
    return CtCertificate(
        id=cert_id,
        issuer=_text(entry.get("issuer_name")),
        names=tuple(dict.fromkeys(clean_names(n for n in names if isinstance(n, str)))),
        not_before=_text(entry.get("not_before")),
        not_after=_text(entry.get("not_after")),
        serial=_text(entry.get("serial_number")),
        logged_at=_text(entry.get("entry_timestamp")),
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
