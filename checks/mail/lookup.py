"""The mail family's DNS questions: each asked once per run, whichever domain needs it.

Five domains that all include `_spf.google.com` ask for it once; a domain listed twice, or
an SPF include loop, asks nothing new. The answer keeps what a judge needs to tell "there
is no such record" (NXDOMAIN, no data: a verdict) from "the question was not answered"
(a timeout, SERVFAIL: could not check).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from auditor.core.addresses import resolver as run_resolver
from auditor.core.config import AuditConfig
from auditor.core.messages import N_, Message

if TYPE_CHECKING:
    import dns.message

# dnspython is imported by the first question (~25 ms of start-up that a command with no
# mail domain never pays; see tests/cli/test_startup_imports.py).

# A TXT answer larger than this is not read: no SPF, DMARC or policy record comes near it,
# and a zone that serves megabytes of text must not fill the report.
MAX_TXT_BYTES = 16384


class Rcode(StrEnum):
    OK = "ok"
    NXDOMAIN = "nxdomain"  # the name does not exist
    NODATA = "nodata"  # the name exists, without records of this type
    FAILED = "failed"  # timeout, SERVFAIL, refused: nothing is known


@dataclass(frozen=True)
class Answer:
    """One question's answer: the records as text (TXT: each record's strings joined)."""

    name: str
    rdtype: str
    rcode: Rcode
    records: tuple[str, ...] = ()
    error: str | None = None  # the resolver's own text, or a `Message` the auditor words
    # The rdatas themselves, for judges that read fields (MX, DS, DNSKEY, RRSIG).
    response: dns.message.Message | None = None

    @property
    def void(self) -> bool:
        """No record (RFC 7208 §4.6.4's "void lookup")."""
        return self.rcode in (Rcode.NXDOMAIN, Rcode.NODATA)

    @property
    def failed(self) -> bool:
        return self.rcode is Rcode.FAILED

    def why(self) -> Message:
        """The answer's problem as a phrase for a message."""
        if self.rcode is Rcode.NXDOMAIN:
            return N_("{name} does not exist", name=self.name)
        if self.rcode is Rcode.NODATA:
            return N_("{name} has no {rdtype} record", name=self.name, rdtype=self.rdtype)
        return N_(
            "the {rdtype} lookup of {name} failed: {error}",
            rdtype=self.rdtype,
            name=self.name,
            error=self.error or "",
        )


def txt_text(strings: tuple[bytes, ...]) -> str:
    """A TXT record's strings joined, as RFC 7208 §3.3 and RFC 7489 §6.4 say to read them.

    Bytes outside ASCII are kept visible (U+FFFD), so a parser refuses them rather than
    seeing a different record."""
    return b"".join(strings).decode("utf-8", "replace")


class MailDns:
    """The run's resolver ([dns] nameservers and port, the connect timeout), with every
    answer kept for the run. Thread-safe: a second asker waits for the first's answer."""

    def __init__(self, config: AuditConfig) -> None:
        import dns.flags  # noqa: PLC0415 (see above)

        self._resolver = run_resolver(config)
        # DO: the RRSIGs come with the answers, so DNSSEC is validated from what was asked.
        self._resolver.use_edns(0, dns.flags.DO, 1232)
        self._resolver.cache = None
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], Future[Answer]] = {}

    def ask(self, name: str, rdtype: str) -> Answer:
        key = (name.lower().rstrip(".") or ".", rdtype)
        with self._lock:
            answer = self._answers.get(key)
            asks = answer is None
            if answer is None:
                answer = self._answers[key] = Future()
        if asks:
            try:
                answer.set_result(self._resolve(*key))
            except Exception as exc:  # handed to every asker, as its own result would be
                answer.set_exception(exc)
        return answer.result()

    def questions(self) -> int:
        with self._lock:
            return len(self._answers)

    def _resolve(self, name: str, rdtype: str) -> Answer:
        import dns.exception  # noqa: PLC0415 (see above)
        import dns.name  # noqa: PLC0415
        import dns.resolver  # noqa: PLC0415

        try:
            result = self._resolver.resolve(
                dns.name.from_text(name), rdtype, raise_on_no_answer=False, search=False
            )
        except dns.resolver.NXDOMAIN:
            return Answer(name, rdtype, Rcode.NXDOMAIN)
        except dns.exception.Timeout:
            return Answer(name, rdtype, Rcode.FAILED, error=N_("no answer in time"))
        except dns.resolver.NoNameservers as exc:  # SERVFAIL or REFUSED from every server
            return Answer(name, rdtype, Rcode.FAILED, error=_first_line(exc))
        except dns.exception.DNSException as exc:
            return Answer(name, rdtype, Rcode.FAILED, error=_first_line(exc))
        if result.rrset is None:
            return Answer(name, rdtype, Rcode.NODATA, response=result.response)
        records = tuple(_record_text(rdata) for rdata in result.rrset)
        if sum(len(r) for r in records) > MAX_TXT_BYTES:
            size = sum(len(r) for r in records)
            error = N_(
                "the answer holds {size} bytes of text, more than {limit}",
                size=size,
                limit=MAX_TXT_BYTES,
            )
            return Answer(name, rdtype, Rcode.FAILED, error=error)
        return Answer(name, rdtype, Rcode.OK, records, response=result.response)


def _record_text(rdata: object) -> str:
    import dns.rdatatype  # noqa: PLC0415 (loaded already: an answer came)

    strings = getattr(rdata, "strings", None)
    if getattr(rdata, "rdtype", None) == dns.rdatatype.TXT and strings is not None:
        return txt_text(tuple(strings))
    return str(rdata)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
