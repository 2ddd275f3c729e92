"""Hand-built reports for renderer tests: every record type, private facts, hostile strings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from auditor.core.inventory import (
    CertificateRecord,
    CloudResource,
    CtCertificate,
    CtLog,
    DiscoveredName,
    FoundKey,
    HttpsRecord,
    Inventory,
    KeyHolderRecord,
    KeyLocation,
    SshServerRecord,
)
from auditor.core.messages import N_, joined
from auditor.core.model import Finding, Severity, Status
from auditor.core.report import Report, RunInfo, evaluate_claims
from checks import families
from checks.dns import CHECKS as DNS_CHECKS

HOSTILE = '<script>window.__pwned=1</script>"\' onmouseover="window.__pwned=2"'
SERVER_ADDRESS = "198.51.100.23"  # documentation range: private fact, never on the public page
HOLDER = "Bente Bjerregaard"
KEY_COMMENT = "bente@private-laptop"
TRACE = "Traceback (most recent call last): secret-internal-path.py"
ERROR_MESSAGE = "Could not check: connection refused by 198.51.100.99"

FP_BENTE = "SHA256:" + "B" * 43
FP_UNKNOWN = "SHA256:" + "U" * 43


def certificate(site: str, hostile: bool = False, **changes: object) -> CertificateRecord:
    record = CertificateRecord(
        target=site,
        site=site,
        port=443,
        platform="Alternativet.dk",
        address=SERVER_ADDRESS,
        subject=f"CN={site}",
        common_name=HOSTILE if hostile else site,
        organization=HOSTILE if hostile else "Alternativet",
        sans=(site, f"www.{site}"),
        issuer="CN=R11,O=Let's Encrypt,C=US",
        issuer_organization=HOSTILE if hostile else "Let's Encrypt",
        serial="04:AB:CD",
        not_before="2026-10-01T00:00:00+00:00",
        not_after="2026-12-30T00:00:00+00:00",
        days_left=35,
        sha256="AA:" * 31 + "AA",
        key_type="EC",
        key_size=256,
        signature_algorithm="ecdsa-with-SHA384",
        chain=(f"CN={site}", "CN=R11"),
        tls_versions=("TLS 1.2", "TLS 1.3"),
        ocsp_stapling=False,
        trusted=True,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def https_record(site: str) -> HttpsRecord:
    """The redirect and HSTS that `findings` judge."""
    return HttpsRecord(
        target=site,
        site=site,
        port=443,
        address=SERVER_ADDRESS,
        http_served=True,
        redirect_status=301,
        redirect_location=f"https://{site}/",
        redirects_to_https=True,
        https_status=200,
        hsts_header="max-age=31536000; includeSubDomains",
        hsts_max_age=31536000,
        hsts_include_subdomains=True,
    )


def findings(site: str) -> list[Finding]:
    return [
        Finding("tls.connect", site, Status.PASS, Severity.HIGH, f"TLS on {SERVER_ADDRESS}:443"),
        Finding("tls.cert.expiry", site, Status.PASS, Severity.HIGH, "35 days left."),
        Finding(
            "https.hsts",
            site,
            Status.PASS,
            Severity.MEDIUM,
            "HSTS for 365 days.",
            {
                "header": "max-age=31536000; includeSubDomains",
                "max_age": 31536000,
                "include_subdomains": True,
                "preload": False,
            },
        ),
        Finding(
            "https.redirect",
            site,
            Status.PASS,
            Severity.HIGH,
            "redirects",
            {"location": f"https://{site}/"},
        ),
        Finding(
            "ssh.auth.password",
            "web-1",
            Status.FAIL,
            Severity.CRITICAL,
            f"Offers password login to root on {SERVER_ADDRESS}.",
            {"address": SERVER_ADDRESS},
        ),
        Finding(
            "ssh.connect", "db-1", Status.ERROR, Severity.HIGH, ERROR_MESSAGE, {"trace": TRACE}
        ),
        Finding(
            "access.key.unknown",
            FP_UNKNOWN,
            Status.FAIL,
            Severity.HIGH,
            f"Key on web-1 belongs to nobody ({KEY_COMMENT}).",
        ),
        Finding("access.key.unknown", FP_BENTE, Status.PASS, Severity.HIGH, f"Held by {HOLDER}."),
        Finding("do.droplet.region", "droplet:web-1", Status.PASS, Severity.HIGH, "in ams3"),
    ]


def sample_report(hostile: bool = False, finished: str = "2026-11-25T04:30:00+00:00") -> Report:
    site = "alternativet.dk"
    location = KeyLocation(
        "web-1", "root", "/root/.ssh/authorized_keys", 3, 'from="10.0.0.1"', KEY_COMMENT
    )
    inventory = Inventory(
        certificates=(certificate(site, hostile),),
        https=(https_record(site),),
        cloud=(
            CloudResource(
                "droplet",
                "101",
                "web-1",
                "ams3",
                (SERVER_ADDRESS,),
                ("2001:db8::1",),
                ("web",),
                ("backups",),
                ("fw-web",),
                "active",
                Status.PASS,
            ),
        ),
        ssh_servers=(
            SshServerRecord(
                "web-1",
                "web-1",
                22,
                "SSH-2.0-OpenSSH_9.2",
                "OpenSSH_9.2",
                {"root": ("publickey", "password")},
                ("ssh-ed25519 SHA256:x",),
                {"passwordauthentication": "yes"},
                True,
            ),
        ),
        found_keys=(
            FoundKey(FP_BENTE, "ED25519", 256, location),
            FoundKey(FP_UNKNOWN, "RSA", 1024, replace(location, line=4)),
        ),
        key_holders=(
            KeyHolderRecord(
                FP_BENTE, "ED25519", 256, HOLDER, "Landssekretariatet", True, locations=(location,)
            ),
            KeyHolderRecord(
                FP_UNKNOWN, "RSA", 1024, locations=(replace(location, line=4),), unknown=True
            ),
        ),
        cloud_account="Alternativet",
    )
    found = findings(site)
    run = RunInfo("2026-11-25T04:29:00+00:00", finished, 60.5, "0.1.0", "/etc/auditor.toml")
    return with_findings(Report(run, (), (), inventory), found)


def with_findings(report: Report, found: Sequence[Finding]) -> Report:
    """The report with these findings, and its claims judged again from them."""
    claim_of = {spec.id: spec.claim for family in families() for spec in family.specs}
    return replace(report, claims=evaluate_claims(found, claim_of), findings=tuple(found))


def hosting_findings(site: str, hostile: bool = False) -> list[Finding]:
    """The hosting verdicts of a fronted site and a data processor's site, as the dns family
    gives them (its templates, the origin's address in the evidence): the pages word them
    from `hosting`, never from the message or the addresses."""
    spec = DNS_CHECKS.spec("dns.points_to_inventory")
    same_key = N_("the same certificate key as the public address")
    fronted = N_(
        "{site} is behind {front}; its origin is the account's resources in {regions} "
        "and serves the site ({ways}).",
        site=site,
        front="cloudflare",
        regions="ams3",
        ways=joined([same_key], "; "),
    )
    processor = N_(
        "{site} is hosted by the data processor {name}, not on the party's own servers: {reason}.",
        site=f"medlem.{site}",
        name=HOSTILE if hostile else "Acme",
        reason=HOSTILE if hostile else "the members' system",
    )
    return [
        spec.finding(
            site,
            Status.PASS,
            fronted,
            {
                "origins": [{"address": SERVER_ADDRESS, "resource": "droplet:web-1"}],
                "hosting": {"via": "front", "front": "cloudflare", "regions": ["ams3"]},
            },
        ),
        spec.finding(
            f"medlem.{site}",
            Status.SKIPPED,
            processor,
            {
                "hosting": {
                    "via": "processor",
                    "processor": HOSTILE if hostile else "Acme",
                    "reason": HOSTILE if hostile else "the members' system",
                }
            },
        ),
    ]


def with_discovery(report: Report) -> Report:
    """The report as a run with [discovery] makes it: names found, CT certificates (one from
    a hostile issuer name), where the CT list came from; every part of the pages' discovery
    sections has something to show."""
    discovered = (
        DiscoveredName("alternativet.dk", ("config", "crt.sh"), "site", configured=True),
        DiscoveredName(
            "gammel.alternativet.dk", ("crt.sh",), "site", (SERVER_ADDRESS,), serves=("https",)
        ),
        DiscoveredName("ops.alternativet.dk", ("dns-zone",), "server", ssh_addresses=("::1",)),
        DiscoveredName("*.alternativet.dk", ("crt.sh",), "wildcard"),
        DiscoveredName("test.alternativet.dk", ("dns-zone",), "excluded", excluded_reason=HOSTILE),
    )
    logged = report.run.finished_at[:19]
    certificates = (
        CtCertificate(1, "C=US, O=Let's Encrypt, CN=R11", ("alternativet.dk",), logged, logged),
        CtCertificate(2, f"O={HOSTILE}", ("login.alternativet.dk",), logged, logged),
    )
    log = CtLog("https://crt.sh/", report.run.finished_at, domains=("alternativet.dk",))
    inventory = replace(
        report.inventory, discovered=discovered, ct_certificates=certificates, ct_log=log
    )
    return replace(report, inventory=inventory)
