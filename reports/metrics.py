"""The run as a Prometheus textfile, for node_exporter's textfile collector.

Written atomically next to the pages (node_exporter must never read half a file); label
values are escaped as the exposition format says (backslash, double quote, newline).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from auditor.core.model import Status
from auditor.core.report import Report
from reports.danish import parse_time


def _label(value: str) -> str:
    # The format is UTF-8: a lone surrogate (a hand-edited report's "\\ud800") is written
    # as its escape's text, which the backslash rule below then escapes in turn.
    value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    inner = ",".join(f'{name}="{_label(value)}"' for name, value in pairs)
    return "{" + inner + "}" if inner else ""


class _Metrics:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str) -> None:
        self.lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]

    def sample(self, name: str, value: float, **labels: str) -> None:
        number = repr(float(value)) if not float(value).is_integer() else str(int(value))
        self.lines.append(f"{name}{_labels(sorted(labels.items()))} {number}")


def render(report: Report) -> str:
    m = _Metrics()
    m.family(
        "auditor_certificate_expiry_days", "gauge", "Days until the site's certificate expires."
    )
    for cert in sorted(
        report.inventory.certificates, key=lambda c: (c.site, c.port, c.address or "")
    ):
        if cert.days_left is not None:
            m.sample(
                "auditor_certificate_expiry_days",
                cert.days_left,
                site=cert.site,
                port=str(cert.port),
                address=cert.address or "",
            )
    m.family("auditor_claim_holds", "gauge", "1 when the published promise holds, else 0.")
    m.family("auditor_claim_status", "gauge", "The promise's status (1 for the current one).")
    for claim in report.claims:
        holds = claim.status in (Status.PASS, Status.WARN)
        m.sample("auditor_claim_holds", 1 if holds else 0, claim=claim.id.value)
        for status in Status:
            m.sample(
                "auditor_claim_status",
                1 if claim.status is status else 0,
                claim=claim.id.value,
                status=status.value,
            )
    m.family("auditor_findings", "gauge", "Findings of the last run per check and status.")
    counts = Counter((f.check, f.status.value) for f in report.findings)
    for (check, outcome), count in sorted(counts.items()):
        m.sample("auditor_findings", count, check=check, status=outcome)
    finished = parse_time(report.run.finished_at)
    m.family(
        "auditor_last_run_timestamp_seconds", "gauge", "When the last run finished (Unix time)."
    )
    m.sample("auditor_last_run_timestamp_seconds", finished.timestamp() if finished else 0)
    m.family("auditor_run_duration_seconds", "gauge", "How long the last run took.")
    m.sample("auditor_run_duration_seconds", round(report.run.duration_seconds, 3))
    m.family("auditor_exit_code", "gauge", "The exit code of the last run.")
    m.sample("auditor_exit_code", report.exit_code())
    return "\n".join(m.lines) + "\n"
