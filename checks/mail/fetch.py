"""Fetching an MTA-STS policy as a sending server would (RFC 8461 §3.3).

`https://mta-sts.<domain>/.well-known/mta-sts.txt`, the name resolved through the run's
resolver (the one the rest of the audit asks; /etc/hosts is not read), the certificate
checked against Mozilla's roots (and the configured extra CA) and the name, no redirect
followed, nothing but a 200 accepted, at most 64 KiB read, every step bounded by the
connect timeout. It is the only connection the mail family opens; it never speaks SMTP.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from auditor.core.addresses import Resolution
from auditor.core.messages import N_, Message, joined
from checks.tls.certificate import mozilla_roots

POLICY_PATH = "/.well-known/mta-sts.txt"
MAX_POLICY_BYTES = 65536


@dataclass(frozen=True)
class Fetched:
    url: str
    text: str | None = None  # the policy, when a 200 came back over a trusted connection
    problem: Message | None = None  # why there is no policy (a certificate, a status, ...)
    unreachable: bool = False  # the host did not answer at all: could not check


@cache
def _mozilla_pem() -> str:
    return "".join(c.public_bytes(Encoding.PEM).decode() for c in mozilla_roots())


def _context(ca_file: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cadata=_mozilla_pem())
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def fetch_policy(
    domain: str, addresses: Resolution, port: int, timeout: float, ca_file: Path | None
) -> Fetched:
    host = f"mta-sts.{domain}"
    url = f"https://{host}{'' if port == 443 else f':{port}'}{POLICY_PATH}"
    if not addresses.addresses:
        problem = N_("{host} does not resolve ({error})", host=host, error=addresses.error or "")
        return Fetched(url, problem=problem)
    problems: list[Message] = []
    timed_out = False
    for address in addresses.addresses:  # a sender tries each address in turn
        try:
            return _get(url, host, address, port, timeout, _context(ca_file))
        except ssl.SSLCertVerificationError as exc:
            reason = exc.verify_message or str(exc)
            problem = N_(
                "the certificate of {host} is not valid: {reason}", host=host, reason=reason
            )
            return Fetched(url, problem=problem)
        except (ssl.SSLError, http.client.HTTPException) as exc:
            problem = N_("{host} did not serve HTTPS properly: {error}", host=host, error=str(exc))
            return Fetched(url, problem=problem)
        except TimeoutError:
            timed_out = True
            seconds = f"{timeout:g}"
            problems.append(
                N_("{address}: no answer in {seconds} s", address=address, seconds=seconds)
            )
        except OSError as exc:  # refused, unreachable: a sender finds no policy either
            problems.append(
                N_("{address}: {error}", address=address, error=str(exc.strerror or exc))
            )
    # Refused everywhere is what every sender sees; a timeout may be this run's own network.
    problem = N_("{host} did not answer ({problems})", host=host, problems=joined(problems, "; "))
    return Fetched(url, problem=problem, unreachable=timed_out)


def _get(
    url: str, host: str, address: str, port: int, timeout: float, context: ssl.SSLContext
) -> Fetched:
    raw = socket.create_connection((address, port), timeout=timeout)
    try:
        secure = context.wrap_socket(raw, server_hostname=host)
    except BaseException:
        raw.close()
        raise
    connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    connection.sock = secure
    try:
        connection.request("GET", POLICY_PATH, headers={"User-Agent": "auditor (MTA-STS)"})
        response = connection.getresponse()
        body = response.read(MAX_POLICY_BYTES + 1)
    finally:
        connection.close()
    if response.status != 200:  # §3.3: a redirect is not followed
        problem = N_("the policy URL answered HTTP {status}, not 200", status=response.status)
        return Fetched(url, problem=problem)
    if len(body) > MAX_POLICY_BYTES:
        problem = N_("the policy is larger than {limit} bytes", limit=MAX_POLICY_BYTES)
        return Fetched(url, problem=problem)
    kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
    if kind != "text/plain":
        served = kind or N_("no type")
        problem = N_("the policy is served as {kind}, not text/plain", kind=served)
        return Fetched(url, problem=problem)
    try:
        return Fetched(url, text=body.decode("utf-8"))
    except UnicodeDecodeError:
        return Fetched(url, problem=N_("the policy is not UTF-8 text"))
