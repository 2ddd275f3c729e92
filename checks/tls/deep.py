"""`--deep`: every accepted cipher suite of every version, through sslyze's own scan commands.

This is sslyze's exhaustive enumeration (one connection per suite): for the list, not for
the verdicts, which the fast probe already gives.
"""

from __future__ import annotations

import queue
import threading
import time

from sslyze.plugins.scan_commands import ScanCommand
from sslyze.scanner.models import ServerScanRequest, ServerScanResult, ServerScanStatusEnum
from sslyze.scanner.scanner import Scanner
from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

from checks.tls.probe import DeepSuites, Endpoint, TlsVersion

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


def enumerate_suites(endpoint: Endpoint, max_connections: int, deadline: float) -> DeepSuites:
    """Accepted suites per version (OpenSSL names), given up at `deadline` (time.monotonic).

    sslyze has no way to stop a scan and no deadline of its own: the scan runs in a daemon
    thread (as do sslyze's workers), and is left behind if it is not done in time.
    """
    seconds = deadline - time.monotonic()
    if seconds <= 0:
        return DeepSuites(errors={"scan": "no time was left for the enumeration"})
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
    done: queue.SimpleQueue[list[ServerScanResult] | Exception] = queue.SimpleQueue()

    def collect() -> None:
        try:
            done.put(list(scanner.get_results()))
        except Exception as exc:  # sslyze's own failure: reported at once, not waited out
            done.put(exc)

    threading.Thread(target=collect, daemon=True, name="auditor-deep").start()
    try:
        results = done.get(timeout=seconds)
    except queue.Empty:
        return DeepSuites(
            errors={"scan": f"sslyze's enumeration did not end within {seconds:.0f} s"}
        )
    if isinstance(results, Exception):
        return DeepSuites(errors={"scan": f"sslyze failed: {type(results).__name__}: {results}"})
    return _suites(results)


def _suites(results: list[ServerScanResult]) -> DeepSuites:
    accepted: dict[TlsVersion, tuple[str, ...]] = {}
    errors: dict[str, str] = {}
    for result in results:
        if result.scan_status != ServerScanStatusEnum.COMPLETED or result.scan_result is None:
            why = str(result.connectivity_error_trace or result.connectivity_status).rstrip(".")
            errors["scan"] = f"sslyze could not connect: {why}"
            continue
        for version, attribute in _ATTRIBUTES.items():
            attempt = getattr(result.scan_result, attribute)
            if attempt.result is None:
                reason = attempt.error_trace or attempt.error_reason or attempt.status
                errors[version.value] = f"sslyze's scan failed: {reason}"
                continue
            accepted[version] = tuple(
                accepted_suite.cipher_suite.openssl_name
                for accepted_suite in attempt.result.accepted_cipher_suites
            )
    return DeepSuites(accepted, errors)
