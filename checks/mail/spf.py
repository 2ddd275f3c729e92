"""SPF (RFC 7208), read as a receiver would, for what the mail claim needs to know.

Not a check_host() for one sender's address: the record is walked once, every include and
redirect followed, and what any evaluation could meet is counted. DNS-querying terms
(`include`, `a`, `mx`, `ptr`, `exists`, `redirect`) are counted recursively against the
limit of 10 (§4.6.4), and the lookups those terms make that find nothing ("void lookups")
against the limit of 2. Past either limit every receiver returns permerror, so the record
protects nothing: that, a loop, a syntax error, or two records are all `permerror` here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from auditor.core.messages import N_, Message
from checks.mail.lookup import Answer

LOOKUP_LIMIT = 10
VOID_LIMIT = 2
GOOGLE_INCLUDE = "_spf.google.com"

_MECHANISMS = {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"}
_QUERYING = {"include", "a", "mx", "ptr", "exists"}
_TERM = re.compile(r"^([+\-~?]?)([a-z0-9][a-z0-9_.\-]*)(?:([:=/])(.*))?$", re.IGNORECASE)
_MODIFIER = re.compile(r"^([a-z][a-z0-9_.\-]*)=(.*)$", re.IGNORECASE)

Ask = Callable[[str, str], Answer]


class SpfError(Exception):
    """The record cannot be evaluated: a receiver's permerror (or temperror: `temporary`)."""

    def __init__(self, message: Message, temporary: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.temporary = temporary


def is_spf(record: str) -> bool:
    """A TXT record that is an SPF record: "v=spf1" alone or followed by a space (§4.5)."""
    lowered = record.lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


@dataclass
class SpfWalk:
    """What walking a domain's SPF found."""

    domain: str
    record: str | None = None  # the domain's own record
    lookups: int = 0
    voids: int = 0
    includes: list[str] = field(default_factory=list)  # every domain included, in order
    all_qualifier: str | None = None  # of the `all` that ends evaluation: "-", "~", "+", "?"
    terms: list[str] = field(default_factory=list)  # the domain's own terms
    warnings: list[Message] = field(default_factory=list)

    @property
    def includes_google(self) -> bool:
        return GOOGLE_INCLUDE in self.includes

    def evidence(self) -> dict[str, object]:
        return {
            "record": self.record,
            "dns_lookups": self.lookups,
            "void_lookups": self.voids,
            "includes": list(self.includes),
            "all": None if self.all_qualifier is None else f"{self.all_qualifier}all",
        }


def spf_record(answer: Answer) -> str | None:
    """The one SPF record among a name's TXT records; None when there is none.

    Raises SpfError for two or more (§4.5: permerror), or a TXT lookup that failed."""
    if answer.failed:
        raise SpfError(answer.why(), temporary=True)
    records = [r for r in answer.records if is_spf(r)]
    if len(records) > 1:
        raise SpfError(
            N_(
                "{name} publishes {count} SPF records; receivers reject all",
                name=answer.name,
                count=len(records),
            )
        )
    return records[0] if records else None


def walk(domain: str, ask: Ask) -> SpfWalk:
    """Walk `domain`'s SPF record; raises SpfError for a permerror or a temperror."""
    result = SpfWalk(domain)
    record = spf_record(ask(domain, "TXT"))
    result.record = record
    if record is None:
        return result
    result.all_qualifier = _evaluate(record, domain, ask, result, chain=(domain,), top=True)
    return result


def _evaluate(
    record: str, domain: str, ask: Ask, result: SpfWalk, chain: tuple[str, ...], top: bool
) -> str | None:
    """Walk one record; returns the qualifier of the `all` that ends it (None: no `all`)."""
    if any(ord(c) > 126 or (ord(c) < 32) for c in record):
        raise SpfError(
            N_("the SPF record of {domain} holds characters outside printable ASCII", domain=domain)
        )
    terms = record.split()[1:]
    if top:
        result.terms = terms
    redirect: str | None = None
    ending: str | None = None
    for term in terms:
        name, qualifier, value = _term(term, domain)
        if name in _QUERYING:
            _count(result)
        if name == "redirect":
            if redirect is not None:
                raise SpfError(
                    N_("the SPF record of {domain} has two redirect modifiers", domain=domain)
                )
            redirect = value
            continue
        if name == "all":
            # Terms after `all` are never reached (§5.1); a redirect beside it is ignored.
            return qualifier
        if name == "include":
            _include(value, ask, result, chain)
        elif name == "a":
            _void_check(value or domain, ("A", "AAAA"), ask, result)
        elif name == "mx":
            _void_check(value or domain, ("MX",), ask, result)
        elif name == "ptr" and top:
            result.warnings.append(N_("the ptr mechanism is deprecated (RFC 7208 §5.5)"))
    if redirect is not None:
        _count(result)
        target = _target(redirect)
        if target in chain:
            raise SpfError(N_("SPF redirect loop: {chain}", chain=" -> ".join((*chain, target))))
        included = spf_record(ask(target, "TXT"))
        if included is None:
            raise SpfError(N_("the SPF redirect target {target} has no SPF record", target=target))
        ending = _evaluate(included, target, ask, result, (*chain, target), top=False)
    return ending


def _term(term: str, domain: str) -> tuple[str, str, str]:
    """(name, qualifier, value) of a term; SpfError for one no receiver understands."""
    modifier = _MODIFIER.match(term)
    if modifier and modifier.group(1).lower() not in _MECHANISMS:
        return modifier.group(1).lower(), "", modifier.group(2)
    match = _TERM.match(term)
    if not match or match.group(2).lower() not in _MECHANISMS:
        raise SpfError(
            N_(
                "the SPF record of {domain} has a term no receiver knows: {term}",
                domain=domain,
                term=repr(term),
            )
        )
    qualifier, name, separator, value = match.groups()
    name = name.lower()
    if name == "all" and separator:
        raise SpfError(
            N_(
                "the SPF record of {domain} has a malformed all: {term}",
                domain=domain,
                term=repr(term),
            )
        )
    if name in ("include", "exists") and (separator != ":" or not value):
        raise SpfError(
            N_(
                "the SPF record of {domain} has {mechanism} without a domain: {term}",
                domain=domain,
                mechanism=name,
                term=repr(term),
            )
        )
    domain_part = value if separator == ":" else ""
    return name, qualifier or "+", domain_part.split("/")[0]


def _count(result: SpfWalk) -> None:
    result.lookups += 1
    if result.lookups > LOOKUP_LIMIT:
        raise SpfError(N_("the SPF record needs more than {limit} DNS lookups", limit=LOOKUP_LIMIT))


def _include(value: str, ask: Ask, result: SpfWalk, chain: tuple[str, ...]) -> None:
    target = _target(value)
    if "%" in value:  # a macro, expanded per message: nothing to follow here
        result.includes.append(value)
        return
    if target in chain:
        raise SpfError(N_("SPF include loop: {chain}", chain=" -> ".join((*chain, target))))
    result.includes.append(target)
    answer = ask(target, "TXT")
    if answer.void:
        _void(result)
    included = spf_record(answer)
    if included is None:  # §5.2: an include that finds no record is a permerror
        raise SpfError(N_("the SPF include {target} has no SPF record", target=target))
    _evaluate(included, target, ask, result, (*chain, target), top=False)


def _void_check(name: str, rdtypes: tuple[str, ...], ask: Ask, result: SpfWalk) -> None:
    """A term's lookup, void when it finds nothing of any type a sender could match."""
    if "%" in name:
        return
    answers = [ask(_target(name), rdtype) for rdtype in rdtypes]
    failed = next((a for a in answers if a.failed), None)
    if failed is not None:
        raise SpfError(failed.why(), temporary=True)
    if all(a.void for a in answers):
        _void(result)


def _void(result: SpfWalk) -> None:
    result.voids += 1
    if result.voids > VOID_LIMIT:
        raise SpfError(
            N_("the SPF record makes more than {limit} lookups that find nothing", limit=VOID_LIMIT)
        )


def _target(value: str) -> str:
    return value.lower().rstrip(".")
