"""`--deep`: every accepted cipher suite of every version, through sslyze's own scan commands.

This is sslyze's exhaustive enumeration (one connection per suite): for the list, not for
the verdicts, which the fast probe already gives.
"""

from __future__ import annotations

from sslyze.plugins.scan_commands import ScanCommand
from sslyze.scanner.models import ServerScanRequest, ServerScanStatusEnum
from sslyze.scanner.scanner import Scanner
from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

from checks.tls_probe import Endpoint, TlsVersion

_COMMANDS: dict[TlsVersion, ScanCommand] = {
    TlsVersion.SSL_2_0: ScanCommand.SSL_2_0_CIPHER_SUITES,
    TlsVersion.SSL_3_0: ScanCommand.SSL_3_0_CIPHER_SUITES,
    TlsVersion.TLS_1_0: ScanCommand.TLS_1_0_CIPHER_SUITES,
    TlsVersion.TLS_1_1: ScanCommand.TLS_1_1_CIPHER_SUITES,
    TlsVersion.TLS_1_2: ScanCommand.TLS_1_2_CIPHER_SUITES,
    TlsVersion.TLS_1_3: ScanCommand.TLS_1_3_CIPHER_SUITES,
}
_ATTRIBUTES: dict[TlsVersion, str] = {
    TlsVersion.SSL_2_0: "ssl_2_0_cipher_suites",
    TlsVersion.SSL_3_0: "ssl_3_0_cipher_suites",
    TlsVersion.TLS_1_0: "tls_1_0_cipher_suites",
    TlsVersion.TLS_1_1: "tls_1_1_cipher_suites",
    TlsVersion.TLS_1_2: "tls_1_2_cipher_suites",
    TlsVersion.TLS_1_3: "tls_1_3_cipher_suites",
}


def enumerate_suites(endpoint: Endpoint, max_connections: int) -> dict[TlsVersion, tuple[str, ...]]:
    """Accepted suites per version (OpenSSL names); an empty dict when sslyze could not connect."""
    request = ServerScanRequest(
        server_location=ServerNetworkLocation(
            hostname=endpoint.host, port=endpoint.port, ip_address=endpoint.address
        ),
        network_configuration=ServerNetworkConfiguration(
            tls_server_name_indication=endpoint.host,
            network_timeout=max(1, round(endpoint.timeout)),
            network_max_retries=0,
        ),
        scan_commands=set(_COMMANDS.values()),
    )
    scanner = Scanner(per_server_concurrent_connections_limit=max_connections)
    scanner.queue_scans([request])
    suites: dict[TlsVersion, tuple[str, ...]] = {}
    for result in scanner.get_results():
        if result.scan_status != ServerScanStatusEnum.COMPLETED or result.scan_result is None:
            continue
        for version, attribute in _ATTRIBUTES.items():
            attempt = getattr(result.scan_result, attribute)
            if attempt.result is not None:
                suites[version] = tuple(
                    accepted.cipher_suite.openssl_name
                    for accepted in attempt.result.accepted_cipher_suites
                )
    return suites
