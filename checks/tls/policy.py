"""The cipher-suite policy `tls.ciphers` judges by: named, versioned, shipped with the auditor.

The pass bar is Mozilla's Server Side TLS "intermediate" configuration, version 5.7: every
TLS 1.3 suite, and in TLS 1.2 only the suites in `MOZILLA_INTERMEDIATE` (forward secret,
AEAD). What lies outside it is graded by NCSC-NL's "IT Security Guidelines for Transport
Layer Security (TLS)", version 2.1 (2021): good, sufficient, phase out, insufficient.

- insufficient (and 3DES): the verdict fails. These are the suites the auditor failed before
  this policy: NULL, EXPORT, anonymous, RC4, DES and 3DES. NCSC 2.1 puts 3DES in "phase out";
  the auditor keeps failing it (Sweet32, and Mozilla intermediate left it out long ago), as
  it did before: this policy adds warnings, it never turns a failure into a pass.
- phase out, sufficient, or not classified here: the verdict warns, naming every such suite
  accepted, with its NCSC level. A suite whose NCSC level could not be confirmed is
  "unclassified", never "insufficient": a guess must not make a failure (a false alarm).

The NCSC levels below are those of NCSC 2.1's cipher-suite table as internet.nl (NCSC's own
test site) encoded it for 2.1 (ECDHE with AES-GCM or ChaCha20 there "good", the rest of
ECDHE and DHE with AES "sufficient", static RSA key exchange and 3DES "phase out"). CCM,
CAMELLIA, ARIA, SEED, IDEA, DSS and PSK suites were not confirmed: unclassified (warn).
Names are OpenSSL's, as the probe reports them.
"""

from __future__ import annotations

from enum import StrEnum

POLICY = (
    "Mozilla Server Side TLS intermediate 5.7; NCSC-NL IT Security Guidelines for TLS 2.1 (2021)"
)


class Level(StrEnum):
    GOOD = "good"
    SUFFICIENT = "sufficient"
    PHASE_OUT = "phase out"
    INSUFFICIENT = "insufficient"
    UNCLASSIFIED = "unclassified"


# Mozilla intermediate 5.7's TLS 1.2 suites (every TLS 1.3 suite is in it too).
MOZILLA_INTERMEDIATE = (
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES256-GCM-SHA384",
    "DHE-RSA-CHACHA20-POLY1305",
)
# As a server's cipher list (nginx ssl_ciphers, Python's set_ciphers).
MOZILLA_INTERMEDIATE_STRING = ":".join(MOZILLA_INTERMEDIATE)

_GOOD = (
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-RSA-AES128-GCM-SHA256",
)
_SUFFICIENT = (
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-ECDSA-AES256-SHA",
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA",
    "DHE-RSA-AES256-GCM-SHA384",
    "DHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES256-SHA256",
    "DHE-RSA-AES256-SHA",
    "DHE-RSA-AES128-SHA256",
    "DHE-RSA-AES128-SHA",
)
_PHASE_OUT = (
    "ECDHE-ECDSA-DES-CBC3-SHA",
    "ECDHE-RSA-DES-CBC3-SHA",
    "EDH-RSA-DES-CBC3-SHA",  # OpenSSL 1.0.2's name
    "DHE-RSA-DES-CBC3-SHA",
    "DES-CBC3-SHA",
    "AES256-GCM-SHA384",
    "AES128-GCM-SHA256",
    "AES256-SHA256",
    "AES256-SHA",
    "AES128-SHA256",
    "AES128-SHA",
)
NCSC_LEVELS: dict[str, Level] = (
    dict.fromkeys(_GOOD, Level.GOOD)
    | dict.fromkeys(_SUFFICIENT, Level.SUFFICIENT)
    | dict.fromkeys(_PHASE_OUT, Level.PHASE_OUT)
)


def ncsc_level(suite: str, failing: bool) -> Level:
    """A suite's NCSC 2.1 level; `failing`: found among the suites the auditor fails."""
    if suite in NCSC_LEVELS:
        return NCSC_LEVELS[suite]
    return Level.INSUFFICIENT if failing else Level.UNCLASSIFIED
