"""The demo's mail: two domains on the lab's DNS server, one that keeps the mail promise
and one that does not.

demo.test sends through Google Workspace and is protected against spoofing (SPF, a 2048-bit
DKIM key, DMARC reject, TLS-RPT, CAA for the demo's own CA, DNSSEC under a lab root that is
the run's trust anchor); it publishes no MTA-STS, which warns. nyhedsbrev.demo-mail.test
delivers to a web hotel's mail server, lets any server send in its name (?all) and asks
receivers to do nothing (DMARC p=none): the promise breaks.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from auditor.lab.dns_server import LabDnsServer, sign, zone

# The CAA identity the demo's CA goes by, and its certificates' issuer organisation.
DEMO_CA_IDENTITY = "ca.demo.test"
KEEPS = "demo.test"
BREAKS = "nyhedsbrev.demo-mail.test"


def _dkim_record() -> str:
    public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    value = f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
    return " ".join(f'"{value[i : i + 200]}"' for i in range(0, len(value), 200))


def mail_dns(address: str) -> tuple[LabDnsServer, str]:
    """The lab's DNS server, and the trust anchor (a lab root's DS) demo.test is signed under."""
    keeps = zone(
        KEEPS,
        "@ MX 1 smtp.google.com.\n"
        '@ TXT "v=spf1 include:_spf.google.com -all"\n'
        f"google._domainkey TXT {_dkim_record()}\n"
        '_dmarc TXT "v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@demo.test"\n'
        '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls-rapporter@demo.test"\n'
        f'@ CAA 0 issue "{DEMO_CA_IDENTITY}"\n',
    )
    breaks = zone(
        "demo-mail.test",
        "nyhedsbrev MX 10 mail.webhotel.example.\n"
        'nyhedsbrev TXT "v=spf1 include:_spf.google.com include:_spf.webhotel.example ?all"\n'
        '_dmarc.nyhedsbrev TXT "v=DMARC1; p=none"\n',
    )
    google = zone(
        "google.com",
        '_spf TXT "v=spf1 include:_netblocks.google.com ~all"\n'
        '_netblocks TXT "v=spf1 ip4:35.190.247.0/24 ~all"\n',
    )
    webhotel = zone("webhotel.example", '_spf TXT "v=spf1 ip4:192.0.2.0/24 ~all"\n')
    _, ds = sign(keeps)
    owner, record = ds.split(None, 1)
    root, anchor = sign(zone(".", f"{owner} DS {record}\n"))
    return LabDnsServer(address, [root, keeps, breaks, google, webhotel]), anchor
