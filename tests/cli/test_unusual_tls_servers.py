"""`auditor tls` against TLS servers that nginx will not be, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import warnings
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.utils import CryptographyDeprecationWarning

from auditor.lab.pki import TestCA
from checks.tls.certificate import mozilla_roots
from tests.support.cli import run_auditor
from tests.support.tls_servers import (
    anonymous_context,
    certificate_context,
    client_certificate_context,
    serving,
)

ADDRESS = "127.0.71.1"


def _tls(host: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_auditor("tls", host, "--address", ADDRESS, *args)


def _statuses(stdout: str) -> dict[str, str]:
    return {f["check"]: f["status"] for f in json.loads(stdout)["findings"]}


def test_a_server_with_anonymous_suites_only_fails_and_is_not_called_unreachable() -> None:
    with serving(ADDRESS, anonymous_context()) as port:
        result = _tls(f"anon.test:{port}", "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    statuses = _statuses(result.stdout)
    assert statuses["tls.connect"] == "pass"
    assert statuses["tls.ciphers"] == "fail"
    assert statuses["tls.cert.trusted"] == "fail"
    assert statuses["tls.cert.hostname"] == "fail"
    assert "error" not in statuses.values()
    assert "ValueError" not in result.stdout
    protocols = next(
        f for f in json.loads(result.stdout)["findings"] if f["check"] == "tls.protocols"
    )
    assert protocols["evidence"]["accepted"] == ["TLS 1.2"]  # with weak suites, but spoken


def test_a_server_that_demands_a_client_certificate_is_an_error_in_the_auditors_words(
    tmp_path: Path,
) -> None:
    with serving(ADDRESS, client_certificate_context(tmp_path)) as port:
        result = _tls(f"clientauth.test:{port}", "--format", "json")
    assert result.returncode == 3, result.stdout + result.stderr
    connect = next(f for f in json.loads(result.stdout)["findings"] if f["check"] == "tls.connect")
    assert connect["status"] == "error"
    assert connect["message"] == (
        "Could not connect: TLS handshake failed: the server asks for a client certificate."
    )
    assert set(_statuses(result.stdout).values()) == {"error", "skipped"}


def test_a_first_name_the_verifier_cannot_take_does_not_make_a_good_chain_untrusted(
    tmp_path: Path,
) -> None:
    ca = TestCA("Underscore")
    leaf = ca.issue(["_dmarc.site.test", "site.test"])
    files = ca.write_leaf(leaf, tmp_path, "site")
    root = ca.write_root(tmp_path / "root.pem")
    with serving(ADDRESS, certificate_context(files)) as port:
        result = _tls(f"site.test:{port}", "--ca-file", str(root), "--format", "json")
    statuses = _statuses(result.stdout)
    assert statuses["tls.cert.hostname"] == "pass"
    assert statuses["tls.cert.trusted"] == "pass", result.stdout


def test_a_served_certificate_with_a_negative_serial_prints_no_python_warning(
    tmp_path: Path,
) -> None:
    ca = TestCA("Serial")
    files = ca.write_leaf(ca.issue(["site.test"]), tmp_path, "site")
    # Mozilla's store holds roots with serials below 1: one is sent as an extra certificate.
    with warnings.catch_warnings():  # cryptography's own warning, in this process
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        odd = next(r for r in mozilla_roots() if r.serial_number <= 0)
    files.fullchain.write_bytes(
        files.fullchain.read_bytes() + odd.public_bytes(serialization.Encoding.PEM)
    )
    root = ca.write_root(tmp_path / "root.pem")
    with serving(ADDRESS, certificate_context(files)) as port:
        result = _tls(f"site.test:{port}", "--ca-file", str(root), "--format", "json")
    assert len(json.loads(result.stdout)["inventory"]["certificates"][0]["chain"]) == 3
    assert result.stderr == ""
