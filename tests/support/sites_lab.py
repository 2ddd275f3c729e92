"""The sites lab: one real nginx on 127.0.10.0/24, one loopback address per case.

Each case is a site the way a real one can be healthy or broken; `EXPECTED` says what the
auditor must conclude about each. The lab writes an auditor config naming every case with
its pinned address and the lab's root CA as `ca_file`.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from auditor.lab.pki import Issued, LeafFiles, TestCA
from checks.tls.policy import MOZILLA_INTERMEDIATE_STRING
from tests.support.nginx import Nginx, free_port

NET = "127.0.10"
DOMAIN = "lab.test"
HSTS_GOOD = "max-age=63072000; includeSubDomains"
# Debian nginx's default ssl_ciphers also accepts CBC and static-RSA suites, which warn: a
# healthy site serves Mozilla intermediate's suites.
INTERMEDIATE = f"ssl_ciphers '{MOZILLA_INTERMEDIATE_STRING}';"
MODERN = "ssl_protocols TLSv1.2 TLSv1.3;"
# OpenSSL 3 refuses old protocols, weak keys and SHA-1 below security level 0. Debian builds
# it without RC4, DES and 3DES, so the weak-cipher case serves NULL and anonymous suites.
LEGACY_CIPHERS = "ssl_ciphers 'DEFAULT:@SECLEVEL=0';"
HEALTHY_LEGACY_CIPHERS = f"ssl_ciphers '{MOZILLA_INTERMEDIATE_STRING}:@SECLEVEL=0';"
# Outside Mozilla intermediate: two static-RSA suites (NCSC phase out), one CBC (sufficient).
PHASE_OUT_SUITES = ("AES128-GCM-SHA256", "AES256-SHA", "ECDHE-RSA-AES128-SHA")


@dataclass(frozen=True)
class LabSite:
    case: str
    address: str
    https_port: int
    http_port: int

    @property
    def host(self) -> str:
        return f"{self.case}.{DOMAIN}"

    @property
    def label(self) -> str:
        return f"{self.host}:{self.https_port}"


@dataclass
class SitesLab:
    folder: Path
    ca: TestCA
    root_pem: Path
    sites: dict[str, LabSite]
    nginx: Nginx
    config_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.config_path = self.folder / "auditor.toml"

    def site(self, case: str) -> LabSite:
        return self.sites[case]

    def config_text(self, cases: list[str] | None = None, extra: str = "") -> str:
        chosen = [self.sites[c] for c in (cases or list(self.sites))]
        blocks = [
            f'[[sites]]\nhost = "{s.host}"\nplatform = "Lab"\nport = {s.https_port}\n'
            f'http_port = {s.http_port}\naddresses = ["{s.address}"]\nca_file = "{self.root_pem}"\n'
            for s in chosen
        ]
        limits = "[limits]\nconnect_timeout = 2\ntarget_timeout = 30\n"
        # lab.test's mail is not this lab's: the mail family has its own (mail_lab.py).
        # Before [limits], which tests that add tables of their own cut off.
        no_mail = "[mail]\ndomains = []\n"
        return "\n".join(blocks) + "\n" + no_mail + limits + extra

    def write_config(self, path: Path, cases: list[str] | None = None, extra: str = "") -> Path:
        path.write_text(self.config_text(cases, extra))
        return path

    def log_mark(self) -> int:
        """Where nginx's access log ends now: count from here with `connections_to`."""
        return self.nginx.access_log.stat().st_size

    def connections_to(self, site: LabSite, since: int = 0) -> int:
        """Distinct TCP connections nginx logged for this site's address (HTTP requests)."""
        with self.nginx.access_log.open("rb") as log:
            log.seek(since)
            lines = log.read().decode().splitlines()
        return len({line.split()[1] for line in lines if line.startswith(f"{site.address}:")})


# Each case's address ends in its place in this list; 19 and 20 have no nginx behind them.
CASES = [
    "good",
    "expired",
    "expiring",
    "selfsigned",
    "wronghost",
    "nochain",
    "weakkey",
    "sha1",
    "legacy",
    "weakciphers",
    "tls13only",
    "noredirect",
    "offhost",
    "tohttp",
    "loop",
    "nohsts",
    "shorthsts",
    "badhsts",
    "closed",
    "silent",
    "hostile",
    "ed25519",
    "tls12rare",
    "extrasha1",
    "phaseout",
]


def _leaf(ca: TestCA, case: str, host: str, now: datetime) -> tuple[Issued, str]:
    """The certificate each case serves, and the extra ssl_* directives it needs."""
    if case == "expired":
        return ca.issue([host], not_before=now - timedelta(days=100), valid_days=30), ""
    if case == "expiring":
        return ca.issue([host], not_before=now - timedelta(days=80), valid_days=90), ""
    if case == "selfsigned":
        return ca.issue([host], self_signed=True), ""
    if case == "wronghost":
        return ca.issue([f"other.{DOMAIN}"]), ""
    if case == "weakkey":
        return ca.issue([host], key="rsa1024"), HEALTHY_LEGACY_CIPHERS
    if case in ("weakciphers", "phaseout"):
        return ca.issue([host], key="rsa2048"), ""
    if case == "ed25519":
        return ca.issue([host], key="ed25519"), ""
    if case == "extrasha1":  # OpenSSL 3 loads a SHA-1 certificate into a chain at level 0 only
        return ca.issue([host]), HEALTHY_LEGACY_CIPHERS
    if case == "hostile":
        evil = '<script>alert("x")</script>\' "quoted" & <b>bold</b>'
        return ca.issue([host], common_name=evil, organization=evil), ""
    return ca.issue([host]), ""


def _protocols(case: str) -> str:
    if case == "legacy":
        return "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n" + LEGACY_CIPHERS
    if case == "weakciphers":
        weak = "ECDHE-RSA-NULL-SHA:NULL-SHA256:AECDH-AES128-SHA"
        return f"ssl_protocols TLSv1.2;\nssl_ciphers 'ECDHE+AESGCM:{weak}:@SECLEVEL=0';"
    if case == "phaseout":
        suites = ":".join(PHASE_OUT_SUITES)
        return f"ssl_protocols TLSv1.2 TLSv1.3;\nssl_ciphers 'ECDHE+AESGCM:{suites}';"
    if case == "tls13only":
        return "ssl_protocols TLSv1.3;"
    if case == "tls12rare":  # strong, but outside OpenSSL's default list of suites
        return "ssl_protocols TLSv1.2;\nssl_ciphers 'ECDHE-ECDSA-AES256-CCM';"
    return MODERN


def _hsts(case: str) -> str:
    header = {
        "nohsts": None,
        "shorthsts": "max-age=86400",
        "badhsts": "max-age=31536000; max-age=63072000",
    }.get(case, HSTS_GOOD)
    return "" if header is None else f'add_header Strict-Transport-Security "{header}" always;'


def _http_block(site: LabSite) -> str:
    https_url = f"https://{site.host}:{site.https_port}$request_uri"
    action = {
        "noredirect": 'return 200 "plain http\\n";',
        # Another registrable domain (a name beside the site's, under lab.test, is still the
        # site's own): never connected to, the redirect is judged without following it.
        "offhost": f"return 301 https://elsewhere.example:{site.https_port}/;",
        "tohttp": f"return 301 http://{site.host}:{site.http_port}/moved;",
    }.get(site.case, f"return 301 {https_url};")
    return (
        f"server {{ listen {site.address}:{site.http_port}; server_name {site.host};\n"
        f"    {action} }}"
    )


def _https_block(site: LabSite, files: LeafFiles, extra: str) -> str:
    chain = files.leaf_only if site.case == "nochain" else files.fullchain
    protocols = _protocols(site.case)
    if "ssl_ciphers" not in protocols + extra:
        protocols += "\n    " + INTERMEDIATE
    answer = 'return 200 "ok\\n";'
    if site.case == "loop":  # https:// sends the visitor back to http://, which sends it here
        answer = f"return 301 http://{site.host}:{site.http_port}$request_uri;"
    return f"""server {{
    listen {site.address}:{site.https_port} ssl;
    server_name {site.host};
    ssl_certificate {chain};
    ssl_certificate_key {files.key};
    {protocols}
    {extra}
    {_hsts(site.case)}
    location / {{ {answer} }}
}}"""


def sha1_leaf(ca: TestCA, host: str, folder: Path) -> Issued:
    """A leaf signed with SHA-1 by the intermediate.

    cryptography refuses to sign with SHA-1, so Debian's openssl command does the signing.
    """
    folder.mkdir(parents=True, exist_ok=True)
    leaf = ca.issue([host])
    key, ca_key, ca_cert, csr, ext, out = (
        folder / n
        for n in ("sha1.key", "inter.key", "inter.pem", "sha1.csr", "sha1.ext", "sha1.pem")
    )
    key.write_bytes(leaf.key_pem)
    ca_key.write_bytes(ca.intermediate.key_pem)
    ca_cert.write_bytes(ca.intermediate.cert_pem)
    ext.write_text(
        f"subjectAltName=DNS:{host}\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
    )
    openssl = ["openssl"]
    subprocess.run(
        [*openssl, "req", "-new", "-key", str(key), "-subj", f"/CN={host}", "-out", str(csr)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *openssl,
            "x509",
            "-req",
            "-in",
            str(csr),
            "-CA",
            str(ca_cert),
            "-CAkey",
            str(ca_key),
            "-CAcreateserial",
            "-sha1",
            "-days",
            "90",
            "-extfile",
            str(ext),
            "-out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    cert = x509.load_pem_x509_certificate(out.read_bytes())
    private = serialization.load_pem_private_key(leaf.key_pem, password=None)
    return Issued(cert, private)  # type: ignore[arg-type]


def add_unrelated_sha1(files: LeafFiles, folder: Path) -> None:
    """Appends to the sent chain a SHA-1-signed certificate of another CA, on no path."""
    stray = sha1_leaf(TestCA("Unrelated Old"), "old.unrelated.test", folder)
    files.fullchain.write_bytes(files.fullchain.read_bytes() + stray.cert_pem)


class SilentListener:
    """Accepts TCP connections and never says a word: the host that stalls naive scanners."""

    def __init__(self, address: str, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.listen(64)
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def build_sites_lab(
    folder: Path, cases: list[str] | None = None
) -> tuple[SitesLab, SilentListener]:
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca = TestCA("Auditor Lab", now=now - timedelta(days=200))
    root_pem = ca.write_root(folder / "root-ca.pem")
    https_port = free_port(f"{NET}.1")
    http_port = free_port(f"{NET}.1")
    sites: dict[str, LabSite] = {}
    servers: list[str] = []
    for index, case in enumerate(cases or CASES, start=1):
        site = LabSite(case, f"{NET}.{index}", https_port, http_port)
        sites[case] = site
        if case in ("closed", "silent"):
            continue
        if case == "sha1":
            leaf, extra = sha1_leaf(ca, site.host, folder / "sha1"), HEALTHY_LEGACY_CIPHERS
        else:
            leaf, extra = _leaf(ca, case, site.host, now)
        files = ca.write_leaf(leaf, folder / "certs", case)
        if case == "extrasha1":
            add_unrelated_sha1(files, folder / "unrelated")
        servers += [_https_block(site, files, extra), _http_block(site)]
    nginx = Nginx(folder / "nginx", servers)
    waits = [
        (s.address, s.https_port) for s in sites.values() if s.case not in ("closed", "silent")
    ]
    nginx.start(waits)
    silent = SilentListener(sites["silent"].address, https_port) if "silent" in sites else None
    lab = SitesLab(folder=folder, ca=ca, root_pem=root_pem, sites=sites, nginx=nginx)
    return lab, silent  # type: ignore[return-value]


@pytest.fixture(scope="session")
def sites_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SitesLab]:
    lab, silent = build_sites_lab(tmp_path_factory.mktemp("sites-lab"))
    try:
        yield lab
    finally:
        if silent is not None:
            silent.close()
        lab.nginx.stop()
