"""Reading an `auditor.report/1` document as `auditor.report/2`: the one place that knows /1.

/1 kept a site's TLS suites, redirect and HSTS only in its findings' evidence, and gave an
unreached site no record at all; /2 has a typed record of each. They are derived here from
the /1 findings, so a saved /1 report (a file, a history row) renders the pages it rendered
then, and nothing past this module reads evidence or parses a target label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditor.core.hosts import HTTPS_PORT, parse_host_port, target_label
from auditor.core.model import Finding, Status, worst_status

V1 = "auditor.report/1"
V2 = "auditor.report/2"

_BAD = (Status.FAIL, Status.WARN)
_NOT_RUN = (Status.ERROR, Status.SKIPPED)


def from_v1(document: Mapping[str, Any]) -> dict[str, Any]:
    """The /2 document a /1 one stands for. Malformed input raises KeyError or TypeError."""
    findings = [Finding.from_dict(f) for f in document["findings"]]
    inventory = dict(_object(document.get("inventory", {})))
    tls = _tls_records(_list(inventory.get("certificates")), findings)
    inventory |= {
        "certificates": tls,
        "https": _https_records(tls, findings),
        "key_holders": [_flagged(k, findings) for k in _list(inventory.get("key_holders"))],
        "cloud": [_judged(r, findings) for r in _list(inventory.get("cloud"))],
    }
    return {**document, "schema": V2, "inventory": inventory}


def _object(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return value


def _list(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list | tuple | type(None)):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return [_object(item) for item in value or ()]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _family(findings: Iterable[Finding], prefix: str) -> dict[str, dict[str, Finding]]:
    """Target -> check -> finding, for one family's checks, in the findings' order."""
    found: dict[str, dict[str, Finding]] = {}
    for finding in findings:
        if finding.check.startswith(prefix):
            found.setdefault(finding.target, {})[finding.check] = finding
    return found


def _site_of(target: str) -> tuple[str, int, str | None]:
    """Host, port and address from a /1 site target: "host[:port]" or that "@address"."""
    label, _, address = target.partition("@")
    try:
        host, port = parse_host_port(label, HTTPS_PORT)
    except ValueError:
        host, port = label, HTTPS_PORT
    return host, port, address or None


def _tls_records(
    old: Sequence[Mapping[str, Any]], findings: Sequence[Finding]
) -> list[dict[str, Any]]:
    by_target = _family(findings, "tls.")
    records: dict[str, dict[str, Any]] = {}
    for record in old:
        data = {k: v for k, v in record.items() if k not in ("hsts", "redirect")}
        base = target_label(
            str(data.get("site", "")), _int(data.get("port")) or HTTPS_PORT, HTTPS_PORT
        )
        address = data.get("address")
        target = f"{base}@{address}" if f"{base}@{address}" in by_target else base
        records.setdefault(target, {"target": target, **data})
    for target, checks in by_target.items():
        if target not in records:  # /1 listed an unreached site only in its findings
            host, port, address = _site_of(target)
            connect = checks.get("tls.connect")
            scanned = _str(connect.evidence.get("address")) if connect else None
            records[target] = {
                "target": target,
                "site": host,
                "port": port,
                "platform": "",
                "address": scanned or address,
            }
        ciphers = checks.get("tls.ciphers")
        if ciphers is not None:
            records[target] |= _suites(ciphers.evidence)
    # In the order /1's views listed them: by their findings, then any without one.
    order = {target: n for n, target in enumerate(by_target)}
    return sorted(records.values(), key=lambda r: order.get(r["target"], len(order)))


def _suites(evidence: Mapping[str, Any]) -> dict[str, Any]:
    weak: dict[str, list[str]] = {}
    for entry in _list(evidence.get("weak_accepted")):
        weak.setdefault(str(entry.get("version")), []).append(str(entry.get("suite")))
    suites: dict[str, Any] = {"weak_suites": weak}
    if "accepted_suites" in evidence:
        suites["accepted_suites"] = dict(_object(evidence["accepted_suites"]))
        suites["unlisted_suites"] = dict(_object(evidence.get("unlisted") or {}))
    return suites


def _https_records(
    tls: Sequence[Mapping[str, Any]], findings: Sequence[Finding]
) -> list[dict[str, Any]]:
    known = {r["target"]: r for r in tls}
    records = []
    for target, checks in _family(findings, "https.").items():
        if target in known:
            site = known[target]
            host, port, address = site["site"], site["port"], site.get("address")
        else:
            host, port, address = _site_of(target)
        records.append(
            {
                "target": target,
                "site": host,
                "port": port,
                "address": address,
                **_redirect(checks.get("https.redirect")),
                **_hsts(checks.get("https.hsts")),
            }
        )
    return records


def _redirect(finding: Finding | None) -> dict[str, Any]:
    if finding is None or finding.status in _NOT_RUN:
        return {}
    if finding.status is Status.WARN:  # /1's words for "nothing listens on plain HTTP"
        return {"http_served": False}
    hops = _list(finding.evidence.get("hops"))
    first = hops[0] if hops else {}
    return {
        "http_served": True,
        "redirect_status": _int(first.get("status")),
        "redirect_location": _str(first.get("location")),
        "redirects_to_https": finding.status is Status.PASS,
    }


def _hsts(finding: Finding | None) -> dict[str, Any]:
    if finding is None or finding.status in _NOT_RUN:
        return {}
    evidence = finding.evidence
    return {
        "https_status": _int(evidence.get("status")),
        "hsts_header": _str(evidence.get("header")),
        "hsts_max_age": _int(evidence.get("max_age")),
        "hsts_include_subdomains": evidence.get("include_subdomains") is True,
        "hsts_preload": evidence.get("preload") is True,
    }


def _flagged(holder: Mapping[str, Any], findings: Sequence[Finding]) -> dict[str, Any]:
    bad = {f.check for f in findings if f.target == holder.get("fingerprint") and f.status in _BAD}
    return {
        **holder,
        "unknown": "access.key.unknown" in bad,
        "unapproved": "access.key.unapproved" in bad,
        "weak": "access.key.weak" in bad,
    }


def _judged(resource: Mapping[str, Any], findings: Sequence[Finding]) -> dict[str, Any]:
    label = f"{resource.get('kind')}:{resource.get('name')}"
    ident = resource.get("id")
    mine = [
        f.status for f in findings if f.target == label and f.evidence.get("id", ident) == ident
    ]
    return {**resource, "verdict": worst_status(mine).value if mine else None}
