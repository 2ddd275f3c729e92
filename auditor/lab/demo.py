"""`auditor demo`: a whole lab on 127.0.40.0/24 in this process, audited end to end.

Nothing outside Python is needed: two HTTPS sites served by the standard library with a
throwaway CA, two SSH servers built with paramiko that offer chosen methods, and the fake
DigitalOcean API serving DigitalOcean's own example payloads. The lab is built so that
some promises hold and some are broken, and everything it starts is stopped again.

It is audited twice, "last week" and "now", so that the pages show what changed in
between: www's certificate, close to expiry, was renewed, and a key nobody on the roster
owns was removed from web-ams3.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from auditor.lab import mail_zones
from auditor.lab.dns_server import LabDnsServer
from auditor.lab.fake_digitalocean import FakeDigitalOcean, scenario
from auditor.lab.pki import TestCA
from auditor.lab.ssh_server import LabAccounts, LabSshServer
from auditor.lab.web_server import LabWebSite

NET = "127.0.40"
TOKEN_ENV = "AUDITOR_DEMO_TOKEN"  # noqa: S105 - a variable name; the demo never reads the real one


@dataclass(frozen=True)
class DemoLab:
    config: Path
    env: dict[str, str]
    folder: Path
    a_week_later: Callable[[], None]  # what the administrators did between the two audits


def _new_key(comment: str) -> tuple[ed25519.Ed25519PrivateKey, str]:
    private = ed25519.Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return private, f"{public.decode()} {comment}"


def _write_private(private: ed25519.Ed25519PrivateKey, path: Path) -> Path:
    path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return path


def _known_hosts(servers: list[tuple[str, LabSshServer]]) -> str:
    """The demo's pinned host keys, as `ssh-keyscan` would have written them."""
    lines = []
    for name, server in servers:
        key = server.host_key
        lines.append(
            f"[{name}]:{server.port},[{server.address}]:{server.port} "
            f"{key.get_name()} {key.get_base64()}"
        )
    return "\n".join(lines) + "\n"


def _mail_config(dns: LabDnsServer, anchor: str) -> list[str]:
    """The mail domains, and the lab's DNS server to ask about them (the sites' addresses
    are pinned, so nothing else asks it)."""
    return [
        "[dns]",
        f'nameservers = ["{dns.address}"]',
        f"port = {dns.port}",
        "",
        "[mail]",
        f'domains = ["{mail_zones.KEEPS}", "{mail_zones.BREAKS}"]',
        f'dnssec_anchors = ["{anchor}"]',
        "",
        "[mail.caa_identities]",
        f'"Auditor Demo" = ["{mail_zones.DEMO_CA_IDENTITY}"]',
        "",
    ]


def _config(
    sites: list[tuple[LabWebSite, str]],
    ssh: list[tuple[str, LabSshServer]],
    api: FakeDigitalOcean,
    ca_file: Path,
    roster: Path,
    dns: tuple[LabDnsServer, str],
) -> str:
    lines = [
        "# Written by `auditor demo`: the lab's own configuration, for reading.",
        "[limits]",
        "connect_timeout = 3.0",
        "target_timeout = 30.0",
        "",
    ]
    for site, platform in sites:
        lines += [
            "[[sites]]",
            f'host = "{site.host}"',
            f'platform = "{platform}"',
            f"port = {site.port}",
            f"http_port = {site.http_port}",
            f'addresses = ["{site.address}"]',
            f'ca_file = "{ca_file}"',
            "",
        ]
    lines += [
        "[ssh]",
        'users = ["root", "deploy"]',
        "from_inventory = false",
        'auditor_user = "auditor"',
        'auditor_key = "auditor_ed25519"',
        'known_hosts = "known_hosts"',
        "",
    ]
    for name, server in ssh:
        lines += [
            "[[ssh.servers]]",
            f'host = "{name}"',
            f"port = {server.port}",
            f'address = "{server.address}"',
            "",
        ]
    lines += [
        "[access]",
        f'roster = "{roster}"',
        "max_holders = 3",
        "",
        "[digitalocean]",
        f'token_env = "{TOKEN_ENV}"',
        f'endpoint = "{api.base}"',
        "",
        *_mail_config(*dns),
        "[pages]",  # the public page's links; the lab's own, under example.org
        'privacy_policy_url = "https://example.org/privatlivspolitik"',
        'contact = "sikkerhed@example.org"',
        "",
    ]
    return "\n".join(lines)


def _roster(anna: str, auditor: str) -> str:
    return (
        "[[people]]\n"
        'name = "Anna Andersen"\n'
        'team = "Landssekretariatet"\n'
        "approved = true\n"
        f'keys = ["{anna}"]\n'
        "\n"
        "[[people]]\n"
        'kind = "service"\n'
        'name = "auditor (dette værktøjs egen nøgle)"\n'
        'team = "Landssekretariatet"\n'
        "approved = true\n"
        f'keys = ["{auditor}"]\n'
    )


@contextmanager
def running_lab(folder: Path) -> Iterator[DemoLab]:
    """Start everything, yield the config that points at it, stop everything."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca = TestCA("Auditor Demo")
    ca_file = ca.write_root(folder / "demo-ca.pem")
    token = "dop_v1_" + secrets.token_hex(32)
    _, key = _new_key("anna@demo")
    _, forgotten = _new_key("old-laptop")  # on no roster: the first audit flags it
    auditor_private, auditor_key = _new_key("auditor@demo")
    _write_private(auditor_private, folder / "auditor_ed25519")
    keys_files = {"root": key + "\n", "auditor": auditor_key + "\n", "deploy": ""}
    cleaned = LabAccounts(
        auditor_user="auditor", auditor_key=auditor_key.split()[1], keys_files=keys_files
    )
    # web-ams3's root still has the old laptop's key at first; db-ams3 never had it.
    accounts = replace(cleaned, keys_files=keys_files | {"root": f"{key}\n{forgotten}\n"})
    with ExitStack() as stack:
        # www: a site as it should be. dialog: a certificate about to expire, no HSTS,
        # http:// that does not redirect, and an address on a droplet in New York.
        # www's certificate has 20 days left at first, and is renewed before the second audit.
        www_old = ca.issue(["www.demo.test"], valid_days=90, not_before=now - timedelta(days=70))
        www_files = ca.write_leaf(www_old, folder / "pki", "www-old")
        www_renewed = ca.write_leaf(ca.issue(["www.demo.test"]), folder / "pki", "www")
        dialog_cert = ca.issue(
            ["dialog.demo.test"], valid_days=40, not_before=now - timedelta(days=30)
        )
        dialog_files = ca.write_leaf(dialog_cert, folder / "pki", "dialog")
        www = LabWebSite("www.demo.test", f"{NET}.21", www_files)
        stack.callback(www.close)
        dialog = LabWebSite(
            "dialog.demo.test", f"{NET}.13", dialog_files, hsts=None, redirect=False
        )
        stack.callback(dialog.close)
        web = LabSshServer(f"{NET}.11", methods="publickey", accounts=accounts)
        stack.callback(web.close)
        db = LabSshServer(f"{NET}.12", methods="publickey", accounts=cleaned)
        stack.callback(db.close)
        servers = [("web-ams3", web), ("db-ams3", db)]
        (folder / "known_hosts").write_text(_known_hosts(servers), encoding="utf-8")
        items = scenario(NET, now, [("Anna (laptop)", key)], example_key=False)
        api = FakeDigitalOcean(f"{NET}.1", token, items=items)
        stack.callback(api.close)
        dns = mail_zones.mail_dns(f"{NET}.53")
        stack.callback(dns[0].close)
        roster = folder / "roster.toml"
        roster.write_text(_roster(key, auditor_key), encoding="utf-8")
        config = folder / "demo.toml"
        config.write_text(
            _config(
                [(www, "Alternativet.dk"), (dialog, "Dialog")],
                servers,
                api,
                ca_file,
                roster,
                dns,
            ),
            encoding="utf-8",  # as the config is read, whatever the locale
        )

        def a_week_later() -> None:
            www.serve_certificate(www_renewed)
            web.accounts = cleaned

        yield DemoLab(
            config=config, env={TOKEN_ENV: token}, folder=folder, a_week_later=a_week_later
        )
