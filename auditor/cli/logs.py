"""Logging for `-v`: where it goes, how loud each library is, and what a run tells it.

Configured only here, by the CLI (the core and the checks only call their loggers).
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Sequence

from auditor.core.model import Finding, Status
from auditor.core.text import printable

LOG = logging.getLogger("auditor.run")


class PrintableFormatter(logging.Formatter):
    """Log lines quote what servers sent (paramiko logs the remote banner): escaped, like
    everything else the auditor prints. Tracebacks keep their lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))


def configure(verbose: int) -> None:
    """WARNING by default, INFO with -v, DEBUG with -vv; again when a later -v adds to it."""
    level = logging.WARNING - 10 * min(verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # Library chatter (paramiko's tracebacks for a probe it was asked to make fail, sslyze's
    # retries) is for debugging the auditor itself: only with -vv.
    # A Python warning too: a served certificate with a negative serial makes cryptography
    # print its file and line (the trust check already says what is wrong).
    logging.captureWarnings(True)
    for noisy in ("paramiko", "sslyze", "urllib3", "digitalocean", "py.warnings"):
        logging.getLogger(noisy).setLevel(level if verbose >= 2 else logging.CRITICAL)
    # Its debug lines carry request headers; it masks the token, but a token never needs logging.
    logging.getLogger("digitalocean").setLevel(max(level, logging.INFO))


def wanted() -> bool:
    """Whether a run's progress goes to the log (-v) rather than to a progress display."""
    return LOG.isEnabledFor(logging.INFO)


class LoggingObserver:
    """A run told to the log: each family and target, what failed or could not be checked
    and why (INFO), every other verdict and an unexpected crash's trace (DEBUG).

    Findings carry what the audited systems said, never a credential: the token is only
    ever in a request header, which nothing here sees.
    """

    def family_started(self, family: str, jobs: int) -> None:
        LOG.info("%s: %d target(s) to audit", family, jobs)

    def job_started(self, family: str, target: str) -> None:
        LOG.debug("%s: auditing %s", family, target)

    def job_finished(self, family: str, target: str, findings: Sequence[Finding]) -> None:
        counts = Counter(f.status.value for f in findings)
        LOG.info(
            "%s: %s done: %s", family, target, ", ".join(f"{n} {s}" for s, n in counts.items())
        )
        for finding in findings:
            bad = finding.status in (Status.FAIL, Status.ERROR)
            LOG.log(
                logging.INFO if bad else logging.DEBUG,
                "%s %s %s: %s",
                finding.status.value,
                finding.check,
                finding.target,
                finding.message,
            )
            trace = finding.evidence.get("trace")
            if trace:
                LOG.debug("%s %s crashed:\n%s", finding.check, finding.target, trace)

    def run_finished(self) -> None:
        LOG.info("audit finished")
