"""Which cipher suites a client offers, in OpenSSL's cipher-string language.

Kept apart from the probe (and nassl) so that any TLS client of the auditor, nassl's or
Python's own `ssl`, offers the same suites without loading the other.
"""

from __future__ import annotations

from checks.tls.policy import MOZILLA_INTERMEDIATE

# NULL, EXPORT, anonymous, RC4, DES and 3DES.
WEAK_CIPHER_STRING = "eNULL:NULL:aNULL:EXPORT:EXP:RC4:DES:3DES"
EVERYTHING = "ALL:COMPLEMENTOFALL"
# Every suite but the weak ones. A client's default list is narrower (OpenSSL's leaves out
# CCM, ARIA, CAMELLIA and DHE-DSS; Python's also every CBC suite with SHA-1), and a server
# that speaks only suites outside it must still be heard: whether it speaks TLS 1.2, what
# its certificate and headers are. No anonymous suite either: these handshakes want the chain.
STRONG_CIPHER_STRING = EVERYTHING + "".join(f":!{name}" for name in WEAK_CIPHER_STRING.split(":"))
# Every strong suite Mozilla's intermediate profile leaves out (static RSA key exchange, CBC,
# CCM, CAMELLIA, ...): accepted, each is a warning (checks/tls/policy.py).
OUTSIDE_INTERMEDIATE_STRING = STRONG_CIPHER_STRING + "".join(
    f":!{name}" for name in MOZILLA_INTERMEDIATE
)
