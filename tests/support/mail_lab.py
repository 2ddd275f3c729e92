"""The mail lab: an authoritative DNS server on loopback (auditor.lab.dns_server, the demo's
own) answering one test zone per case, and nginx serving the MTA-STS policies over HTTPS
with certificates from a test CA the lab makes.

Each case is a zone `<case>.test`; its `mta-sts.<case>.test` resolves, through the same DNS
server, to the nginx on 127.0.63.2 (or to 127.0.63.3, where nothing listens).
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dns.zone
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from auditor.lab.dns_server import LabDnsServer, sign, zone
from auditor.lab.pki import TestCA
from tests.support.nginx import Nginx, free_port

DNS_ADDRESS = "127.0.63.1"
LAB_CA = "Auditor Mail Lab"  # the issuer organisation of the lab's certificates
LAB_CA_IDENTITY = "ca.mail-lab.test"  # and the CAA identity good.test allows it by
STS_ADDRESS = "127.0.63.2"
DEAD_ADDRESS = "127.0.63.3"  # nothing listens here

GOOGLE_MX = "@ MX 1 aspmx.l.google.com.\n@ MX 5 alt1.aspmx.l.google.com.\n"
SPF_GOOGLE = '@ TXT "v=spf1 include:_spf.google.com -all"\n'
DMARC_REJECT = '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{case}.test"\n'
TLS_RPT = '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@{case}.test"\n'
STS_TXT = '_mta-sts TXT "v=STSv1; id=20261204"\nmta-sts A {address}\n'
GOOD_POLICY = "version: STSv1\nmode: enforce\nmx: aspmx.l.google.com\nmx: *.aspmx.l.google.com\nmax_age: 604800\n"  # noqa: E501


def _txt(value: str) -> str:
    """A TXT value as zone-file strings of at most 255 bytes each."""
    return " ".join(f'"{value[i : i + 200]}"' for i in range(0, len(value), 200))


def rsa_key_text(bits: int) -> str:
    """A DKIM key record of `bits` bits; below 1024 a made-up modulus (cryptography will
    not generate one so small, and a receiver only parses it)."""
    if bits >= 1024:
        public = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    else:
        modulus = secrets.randbits(bits) | (1 << (bits - 1)) | 1
        public = rsa.RSAPublicNumbers(65537, modulus).public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"


def _dkim(bits: int) -> str:
    return f"google._domainkey TXT {_txt(rsa_key_text(bits))}\n"


def _google(case: str, dkim: str, sts: bool = True) -> str:
    """A domain that keeps every rule: Google's MX, SPF, DKIM, DMARC reject, TLS-RPT, MTA-STS."""
    text = GOOGLE_MX + SPF_GOOGLE + dkim + DMARC_REJECT + TLS_RPT
    if sts:
        text += STS_TXT.replace("{address}", STS_ADDRESS)
    return text.replace("{case}", case)


def _includes(count: int, case: str) -> str:
    """A chain of `count` includes under `case`.test, the last one Google's."""
    lines = []
    for i in range(count - 1):
        nxt = f"c{i + 1}.{case}.test" if i + 1 < count - 1 else "_spf.google.com"
        lines.append(f'c{i} TXT "v=spf1 include:{nxt} ~all"')
    return "\n".join(lines) + "\n"


# case -> (zone body, MTA-STS policy served or None). `{case}` is the case's name.
def cases(dkim2048: str) -> dict[str, tuple[str, str | None]]:
    base = GOOGLE_MX + DMARC_REJECT + dkim2048 + TLS_RPT
    return {
        "good": (_google("good", dkim2048) + f'@ CAA 0 issue "{LAB_CA_IDENTITY}"\n', GOOD_POLICY),
        "caaforbid": (
            _google("caaforbid", dkim2048) + '@ CAA 0 issue "letsencrypt.org"\n',
            GOOD_POLICY,
        ),
        "smtp": (
            "@ MX 1 smtp.google.com.\n" + SPF_GOOGLE + DMARC_REJECT + dkim2048 + TLS_RPT,
            None,
        ),
        "othermx": (
            GOOGLE_MX + "@ MX 20 mx.elsewhere.example.\n" + SPF_GOOGLE + DMARC_REJECT + dkim2048,
            None,
        ),
        "nullmx": ('@ MX 0 .\n@ TXT "v=spf1 -all"\n' + DMARC_REJECT, None),
        "nomx": ('@ TXT "v=spf1 -all"\n' + DMARC_REJECT, None),
        "nomxgoogle": (SPF_GOOGLE + DMARC_REJECT, None),
        "nomxopen": ('@ TXT "v=spf1 +all"\n' + DMARC_REJECT, None),
        "nullmxnospf": ("@ MX 0 .\n" + DMARC_REJECT, None),
        "nospf": (base, None),
        "plusall": (base + '@ TXT "v=spf1 include:_spf.google.com +all"\n', None),
        "qall": (base + '@ TXT "v=spf1 include:_spf.google.com ?all"\n', None),
        "noall": (base + '@ TXT "v=spf1 include:_spf.google.com"\n', None),
        "softall": (base + '@ TXT "v=spf1 include:_spf.google.com ~all"\n', None),
        "nogoogle": (base + '@ TXT "v=spf1 ip4:192.0.2.0/24 -all"\n', None),
        "twospf": (base + SPF_GOOGLE + '@ TXT "v=spf1 ip4:192.0.2.1 -all"\n', None),
        # 1 (_spf.google.com) + 8 own + 1 = 10 lookups: the limit, still fine.
        "tenlookups": (
            base + '@ TXT "v=spf1 include:c0.tenlookups.test -all"\n' + _includes(9, "tenlookups"),
            None,
        ),
        "elevenlookups": (
            base
            + '@ TXT "v=spf1 include:c0.elevenlookups.test -all"\n'
            + _includes(10, "elevenlookups"),
            None,
        ),
        "twovoids": (
            base + '@ TXT "v=spf1 a:gone1.twovoids.test a:gone2.twovoids.test '
            'include:_spf.google.com -all"\n',
            None,
        ),
        "threevoids": (
            base + '@ TXT "v=spf1 a:gone1.threevoids.test a:gone2.threevoids.test '
            'mx:gone3.threevoids.test include:_spf.google.com -all"\n',
            None,
        ),
        "loop": (
            base + '@ TXT "v=spf1 include:a.loop.test -all"\n'
            'a TXT "v=spf1 include:b.loop.test ~all"\n'
            'b TXT "v=spf1 include:a.loop.test include:_spf.google.com ~all"\n',
            None,
        ),
        "nonascii": (
            base + '@ TXT "v=spf1 include:_spf.google.com ip4:192.0.2.1\\195\\166 -all"\n',
            None,
        ),
        "oversized": (
            base + SPF_GOOGLE + f"@ TXT {_txt('x' * 3000)}\n",
            None,
        ),
        "hugetxt": (base + SPF_GOOGLE + f"@ TXT {_txt('y' * 20000)}\n", None),
        "splitdmarc": (
            GOOGLE_MX
            + SPF_GOOGLE
            + dkim2048
            + TLS_RPT
            + '_dmarc TXT "v=DMARC1; p=re" "ject; rua=mailto:dmarc@splitdmarc.test"\n',
            None,
        ),
        "quarantine": (
            GOOGLE_MX
            + SPF_GOOGLE
            + dkim2048
            + TLS_RPT
            + '_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:d@quarantine.test"\n',
            None,
        ),
        "dmarcnone": (
            GOOGLE_MX
            + SPF_GOOGLE
            + dkim2048
            + TLS_RPT
            + '_dmarc TXT "v=DMARC1; p=none; rua=mailto:d@dmarcnone.test"\n',
            None,
        ),
        "nodmarc": (GOOGLE_MX + SPF_GOOGLE + dkim2048 + TLS_RPT, None),
        "twodmarc": (base + SPF_GOOGLE + '_dmarc TXT "v=DMARC1; p=none"\n', None),
        "pct": (
            GOOGLE_MX
            + SPF_GOOGLE
            + dkim2048
            + TLS_RPT
            + '_dmarc TXT "v=DMARC1; p=reject; pct=50; rua=mailto:d@pct.test"\n',
            None,
        ),
        "norua": (
            GOOGLE_MX + SPF_GOOGLE + dkim2048 + TLS_RPT + '_dmarc TXT "v=DMARC1; p=reject"\n',
            None,
        ),
        "outside": (
            GOOGLE_MX
            + SPF_GOOGLE
            + dkim2048
            + TLS_RPT
            + '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:r@reports.test"\n',
            None,
        ),
        "authorised": (
            GOOGLE_MX
            + SPF_GOOGLE
            + dkim2048
            + TLS_RPT
            + '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:r@reports.test"\n',
            None,
        ),
        # The org domain's record: p=reject for itself, sp=none for its subdomains.
        "parent": (
            GOOGLE_MX
            + SPF_GOOGLE
            + dkim2048
            + TLS_RPT
            + '_dmarc TXT "v=DMARC1; p=reject; sp=none; rua=mailto:d@parent.test"\n'
            + "news MX 1 smtp.google.com.\n"
            + 'news TXT "v=spf1 include:_spf.google.com -all"\n'
            + "shop MX 1 smtp.google.com.\n"
            + 'shop TXT "v=spf1 include:_spf.google.com -all"\n'
            + '_dmarc.shop TXT "v=DMARC1; p=reject; rua=mailto:d@parent.test"\n',
            None,
        ),
        "nodkim": (GOOGLE_MX + SPF_GOOGLE + DMARC_REJECT + TLS_RPT, None),
        "dkim1024": (GOOGLE_MX + SPF_GOOGLE + DMARC_REJECT + TLS_RPT + _dkim(1024), None),
        "dkim512": (GOOGLE_MX + SPF_GOOGLE + DMARC_REJECT + TLS_RPT + _dkim(512), None),
        "notlsrpt": (GOOGLE_MX + SPF_GOOGLE + DMARC_REJECT + dkim2048, None),
        "ststesting": (_google("ststesting", dkim2048), GOOD_POLICY.replace("enforce", "testing")),
        "stsuncovered": (
            _google("stsuncovered", dkim2048),
            GOOD_POLICY.replace("mx: *.aspmx.l.google.com\n", ""),
        ),
        "stsshortage": (_google("stsshortage", dkim2048), GOOD_POLICY.replace("604800", "3600")),
        "stsnotxt": (_google("stsnotxt", dkim2048, sts=False), None),
        "sts404": (_google("sts404", dkim2048), None),
        "stsbadcert": (_google("stsbadcert", dkim2048), GOOD_POLICY),
        "stsrefused": (
            _google("stsrefused", dkim2048).replace(STS_ADDRESS, DEAD_ADDRESS),
            None,
        ),
    }


EXTRA_ZONES = {
    "google.com": '_spf TXT "v=spf1 include:_netblocks.google.com ~all"\n'
    '_netblocks TXT "v=spf1 ip4:35.190.247.0/24 ~all"\n',
    "reports.test": 'authorised.test._report._dmarc TXT "v=DMARC1"\n',
    # Every name under silent.test goes unanswered: a nameserver that is down.
    "silent.test": GOOGLE_MX + SPF_GOOGLE,
}


@dataclass
class MailLab:
    dns: LabDnsServer
    nginx: Nginx
    root_pem: Path
    sts_port: int
    case_names: tuple[str, ...]
    anchor: str  # the lab root's DS: the trust anchor its DNSSEC chains end in

    def config_text(self, domains: list[str], extra: str = "") -> str:
        listed = ", ".join(f'"{d}"' for d in domains)
        return (
            f"[limits]\nconnect_timeout = 1\n{self.dns.config()}"
            f"[mail]\ndomains = [{listed}]\nmta_sts_port = {self.sts_port}\n"
            f'ca_file = "{self.root_pem}"\ndnssec_anchors = ["{self.anchor}"]\n{extra}'
        )


def _sts_server(case: str, port: int, folder: Path, ca: TestCA, policy: str | None) -> str:
    host = f"mta-sts.{case}.test"
    files = ca.write_leaf(ca.issue([host]), folder / "certs", case)
    root = folder / "www" / case
    (root / ".well-known").mkdir(parents=True, exist_ok=True)
    if policy is not None:
        (root / ".well-known" / "mta-sts.txt").write_text(policy)
    return f"""server {{
    listen {STS_ADDRESS}:{port} ssl;
    server_name {host};
    ssl_certificate {files.fullchain};
    ssl_certificate_key {files.key};
    root {root};
    default_type text/plain;
    types {{ }}
}}"""


def build_mail_lab(folder: Path) -> MailLab:
    now = datetime.now(UTC)
    ca = TestCA(LAB_CA, now=now - timedelta(days=30))
    stranger = TestCA("Somebody Else", now=now - timedelta(days=30))
    root_pem = ca.write_root(folder / "root-ca.pem")
    dkim2048 = _dkim(2048)
    table = cases(dkim2048)
    port = free_port(STS_ADDRESS)
    servers = []
    for case, (_, policy) in table.items():
        if "_mta-sts" in table[case][0]:
            signer = stranger if case == "stsbadcert" else ca
            servers.append(_sts_server(case, port, folder, signer, policy))
    zones = {c: zone(f"{c}.test", body.replace("{case}", c)) for c, (body, _) in table.items()}
    zones |= {origin: zone(origin, body) for origin, body in EXTRA_ZONES.items()}
    anchor = _sign(zones)
    nginx = Nginx(folder / "nginx", servers)
    nginx.start([(STS_ADDRESS, port)])
    server = LabDnsServer(DNS_ADDRESS, zones.values(), silent=("silent.test",))
    return MailLab(server, nginx, root_pem, port, (*table, *DNSSEC_CASES), anchor)


# Signed zones: one that validates, one whose signatures do not, one whose have expired.
DNSSEC_CASES = ("signed", "bogus", "expired")


def _sign(zones: dict[str, dns.zone.Zone]) -> str:
    """Sign good.test and the DNSSEC cases, and a root above them that publishes their DS
    (and none for every other zone, which is unsigned); returns the root's trust anchor."""
    delegations = []
    for case in ("good", *DNSSEC_CASES):
        if case not in zones:
            body = GOOGLE_MX + SPF_GOOGLE + DMARC_REJECT.replace("{case}", case)
            zones[case] = zone(f"{case}.test", body)
        past = time.time() - 40 * 86400 if case == "expired" else None
        _, ds = sign(zones[case], inception=past, corrupt=case == "bogus")
        owner, record = ds.split(None, 1)
        delegations.append(f"{owner} DS {record}")
    root, anchor = sign(zone(".", "\n".join(delegations) + "\n"))
    zones["."] = root
    return anchor


@pytest.fixture(scope="session")
def mail_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailLab]:
    lab = build_mail_lab(tmp_path_factory.mktemp("mail-lab"))
    try:
        yield lab
    finally:
        lab.dns.close()
        lab.nginx.stop()
