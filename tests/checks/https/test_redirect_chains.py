"""Redirect chains judged hop by hop, and HSTS on the answer they end on, against a real nginx.

Each case is a site on its own loopback address of 127.0.86.0/24; `@HTTPS@` and `@HTTP@` in
its locations stand for its own https:// and http:// base URLs. A `www.` case is a name under
another case's site: configured with its pinned address, or found through a DNS server on
loopback, never through the system's resolver.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.core.config import AuditConfig, DnsSettings, SiteConfig
from auditor.core.family import AuditContext
from auditor.core.model import Finding
from auditor.core.report import Report
from auditor.core.runner import run_audit
from auditor.lab.pki import TestCA
from checks import families
from tests.support.dns_lab import LoopbackDns
from tests.support.nginx import Nginx, free_port

NET = "127.0.86"
DNS_ADDRESS = "127.0.87.1"
DOMAIN = "chain.test"
GOOD = 'add_header Strict-Transport-Security "max-age=63072000" always;'
TO_HTTPS = "location / { return 301 @HTTPS@/; }"
PAGE = f'location / {{ {GOOD} return 200 "ok\\n"; }}'


def _numbered(last: int) -> str:
    """https://…/r1 redirects to /r2, and so on up to /r`last`, which is the page."""
    hops = [f"location = /r{n} {{ return 301 @HTTPS@/r{n + 1}; }}" for n in range(1, last)]
    return "\n".join([*hops, f'location = /r{last} {{ {GOOD} return 200 "ok\\n"; }}'])


# case -> (the plain-HTTP server's locations, the HTTPS server's locations)
CASES: dict[str, tuple[str, str]] = {
    "good": (TO_HTTPS, PAGE),
    # https:// sends the visitor back to cleartext, where a page is served.
    "downgrade": (
        'location = /x { return 200 "plain\\n"; }\n' + TO_HTTPS,
        f"location = / {{ {GOOD} return 301 @HTTP@/x; }}",
    ),
    # Three redirects on the site's host; HSTS only on the page they end on.
    "chain": (
        "location / { return 301 @HTTPS@/a; }",
        'location = / { return 200 "no hsts here\\n"; }\n'
        "location = /a { return 301 @HTTPS@/b; }\n"
        "location = /b { return 302 @HTTPS@/c; }\n"
        f'location = /c {{ {GOOD} return 200 "ok\\n"; }}',
    ),
    # HSTS on the first https:// answer, switched off by the one the visitor ends on.
    "hstsoff": (
        TO_HTTPS,
        f"location = / {{ {GOOD} return 301 @HTTPS@/end; }}\n"
        'location = /end { add_header Strict-Transport-Security "max-age=0" always;'
        ' return 200 "ok\\n"; }',
    ),
    "ten": ("location / { return 301 @HTTPS@/r1; }", _numbered(10)),  # 10 redirects: allowed
    "eleven": ("location / { return 301 @HTTPS@/r1; }", _numbered(11)),  # one too many
    "userinfo": (f"location / {{ return 301 https://evil@userinfo.{DOMAIN}:@PORT@/; }}", PAGE),
    # nginx reads '#' outside quotes as a comment.
    "fragment": ('location / { return 301 "@HTTPS@/#top"; }', PAGE),
    # To https:// on a name under the site's: the site's own, followed at its address.
    "apex": (f"location / {{ return 301 https://www.apex.{DOMAIN}:@PORT@/; }}", PAGE),
    "www.apex": (TO_HTTPS, PAGE),
    "wwwdown": (f"location / {{ return 301 https://www.wwwdown.{DOMAIN}:@PORT@/; }}", PAGE),
    "www.wwwdown": (
        'location / { return 200 "plain\\n"; }',
        f"location / {{ {GOOD} return 301 @HTTP@/; }}",
    ),
    # As wwwdown, but www.viadns is no configured site: the run's resolver finds it.
    "viadns": (f"location / {{ return 301 https://www.viadns.{DOMAIN}:@PORT@/; }}", PAGE),
    "www.viadns": (
        'location / { return 200 "plain\\n"; }',
        f"location / {{ {GOOD} return 301 @HTTP@/; }}",
    ),
    # From www. up to the name above it, on https://: the same registrable domain (the Public
    # Suffix List's: chain.test), so the site's own. Failed on main as "another host".
    "www.parent": (f"location / {{ return 301 https://parent.{DOMAIN}:@PORT@/; }}", PAGE),
    "parent": (TO_HTTPS, PAGE),
}
NOT_CONFIGURED = ("www.viadns",)


@dataclass(frozen=True)
class ChainLab:
    addresses: dict[str, str]  # case -> its address
    https_port: int
    http_port: int

    def site(self, case: str) -> SiteConfig:
        return SiteConfig(
            f"{case}.{DOMAIN}",
            "Lab",
            self.https_port,
            self.http_port,
            addresses=(self.addresses[case],),
        )

    def audit(self, cases: list[str], dns: LoopbackDns | None = None) -> Report:
        settings = DnsSettings(nameservers=(dns.address,), port=dns.port) if dns else DnsSettings()
        config = AuditConfig(source="test", sites=tuple(self.site(c) for c in cases), dns=settings)
        return run_audit(families("https"), AuditContext(config=config))


def _servers(case: str, address: str, files: tuple[Path, Path], ports: tuple[int, int]) -> str:
    host = f"{case}.{DOMAIN}"
    https_port, http_port = ports
    http, https = (
        text.replace("@HTTPS@", f"https://{host}:{https_port}")
        .replace("@HTTP@", f"http://{host}:{http_port}")
        .replace("@PORT@", str(https_port))
        for text in CASES[case]
    )
    cert, key = files
    return f"""server {{ listen {address}:{http_port}; server_name {host};
    {http}
}}
server {{ listen {address}:{https_port} ssl; server_name {host};
    ssl_certificate {cert}; ssl_certificate_key {key};
    {https}
}}"""


@pytest.fixture(scope="module")
def chain_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChainLab]:
    folder = tmp_path_factory.mktemp("chain-lab")
    ca = TestCA("Chain Lab")
    https_port, http_port = free_port(f"{NET}.1"), free_port(f"{NET}.1")
    addresses = {case: f"{NET}.{n}" for n, case in enumerate(CASES, start=1)}
    servers = []
    for case, address in addresses.items():
        files = ca.write_leaf(ca.issue([f"{case}.{DOMAIN}"]), folder / "certs", case)
        servers.append(
            _servers(case, address, (files.fullchain, files.key), (https_port, http_port))
        )
    nginx = Nginx(folder / "nginx", servers)
    nginx.start([(address, https_port) for address in addresses.values()])
    try:
        yield ChainLab(addresses, https_port, http_port)
    finally:
        nginx.stop()


@pytest.fixture(scope="module")
def report(chain_lab: ChainLab) -> Report:
    return chain_lab.audit([c for c in CASES if c not in NOT_CONFIGURED])


def _finding(report: Report, check: str, case: str, lab: ChainLab) -> Finding:
    return next(f for f in report.findings if f.key == (check, lab.site(case).label))


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("good", "pass", "http:// redirects (301) to https://{host}:{port}/."),
        (
            # Passed on main: only the first hop was judged.
            "downgrade",
            "fail",
            "https://{host}:{port}/ redirects back to http://: http://{host}:{http_port}/x.",
        ),
        (
            "chain",
            "pass",
            "http:// redirects (301) to https://{host}:{port}/a, and on through 2 more "
            "to https://{host}:{port}/c.",
        ),
        (
            # Failed on main, which stopped at 10 answers without asking the 11th.
            "ten",
            "pass",
            "http:// redirects (301) to https://{host}:{port}/r1, and on through 9 "
            "more to https://{host}:{port}/r10.",
        ),
        ("eleven", "fail", "Too many redirects (more than 10 redirects)."),
        (
            # Passed on main: the host compared equal, the user name unseen.
            "userinfo",
            "fail",
            "http:// redirects to a URL with a user name in it: https://evil@{host}:{port}/.",
        ),
        # Failed on main as "another host": www. is the site's own name.
        ("apex", "pass", "http:// redirects (301) to https://www.{host}:{port}/."),
        (
            "wwwdown",
            "fail",
            "https://www.{host}:{port}/ redirects back to http://: http://www.{host}:{http_port}/.",
        ),
    ],
)
def test_every_hop_of_the_chain_is_judged(
    chain_lab: ChainLab, report: Report, case: str, status: str, message: str
) -> None:
    redirect = _finding(report, "https.redirect", case, chain_lab)
    host, ports = f"{case}.{DOMAIN}", (chain_lab.https_port, chain_lab.http_port)
    expected = message.format(host=host, port=ports[0], http_port=ports[1])
    assert (redirect.status, redirect.message) == (status, expected)


def test_a_fragment_is_shown_for_review_but_keeps_the_promise(
    chain_lab: ChainLab, report: Report
) -> None:
    # RFC 9110 10.2.2: the browser keeps it and sends it to no server. Passed silently on main.
    redirect = _finding(report, "https.redirect", "fragment", chain_lab)
    port = chain_lab.https_port
    assert (redirect.status, redirect.message) == (
        "warn",
        f"http:// redirects (301) to https://fragment.chain.test:{port}/#top; "
        "a redirect carries a #fragment.",
    )
    assert redirect.evidence["fragment"] is True


@pytest.mark.parametrize(
    ("case", "status", "path"),
    [
        ("chain", "pass", "/c"),  # failed on main: judged on /, which has no HSTS
        ("hstsoff", "fail", "/end"),  # passed on main: judged on /, before max-age=0
        ("apex", "pass", "/"),  # http:// leaves the host: judged where https:// leads
    ],
)
def test_hsts_is_judged_on_the_final_https_answer_on_the_sites_host(
    chain_lab: ChainLab, report: Report, case: str, status: str, path: str
) -> None:
    hsts = _finding(report, "https.hsts", case, chain_lab)
    assert hsts.status == status
    url = f"https://{case}.{DOMAIN}:{chain_lab.https_port}{path}"
    assert hsts.evidence["url"] == url
    record = next(r for r in report.inventory.https if r.target == chain_lab.site(case).label)
    assert record.https_url == url


def test_the_record_says_where_the_chain_ends(chain_lab: ChainLab, report: Report) -> None:
    record = next(r for r in report.inventory.https if r.target == chain_lab.site("chain").label)
    port = chain_lab.https_port
    assert record.redirect_location == f"https://chain.{DOMAIN}:{port}/a"
    assert record.redirect_final == f"https://chain.{DOMAIN}:{port}/c"
    assert record.redirects_to_https is True
    down = next(r for r in report.inventory.https if r.target == chain_lab.site("downgrade").label)
    assert down.redirect_final == f"http://downgrade.{DOMAIN}:{chain_lab.http_port}/x"
    assert down.redirects_to_https is False


def test_a_name_under_the_site_is_found_through_the_runs_resolver(chain_lab: ChainLab) -> None:
    www = f"www.viadns.{DOMAIN}"
    dns = LoopbackDns(DNS_ADDRESS, {www: {"A": [chain_lab.addresses["www.viadns"]]}})
    try:
        report = chain_lab.audit(["viadns"], dns)
    finally:
        dns.close()
    assert dns.asked(www, "A") == 1
    redirect = _finding(report, "https.redirect", "viadns", chain_lab)
    assert (redirect.status, redirect.message) == (
        "fail",
        f"https://{www}:{chain_lab.https_port}/ redirects back to http://: "
        f"http://{www}:{chain_lab.http_port}/.",
    )


def test_a_redirect_up_to_the_registrable_domain_stays_on_the_site(
    chain_lab: ChainLab, report: Report
) -> None:
    redirect = _finding(report, "https.redirect", "www.parent", chain_lab)
    assert redirect.status == "pass", redirect.message
    assert f"https://parent.{DOMAIN}:{chain_lab.https_port}/" in redirect.message
