"""Every ssh.* and access.* verdict against real OpenSSH servers (and paramiko for `none`)."""

from __future__ import annotations

import base64
import hashlib
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from auditor.core.config import load_config
from auditor.core.family import AuditContext
from auditor.core.model import ClaimId, Finding, Severity, Status
from auditor.core.report import Report
from auditor.core.roster import parse_roster
from auditor.core.runner import run_audit
from auditor.core.slots import ConnectionSlots
from auditor.core.sshkeys import parse_public_key_line
from auditor.lab.ssh_server import LabAccounts, LabSshServer
from checks import families
from checks.access import AccessTarget, evaluate
from checks.ssh.model import ReadRefused
from checks.ssh.probe import probe
from checks.ssh.read import read_server
from tests.support.sshd_lab import CASES, SSHD, LabSshd, SshdLab, keygen, lone_sshd

P, W, F, E, S = Status.PASS, Status.WARN, Status.FAIL, Status.ERROR, Status.SKIPPED
USERS = ("root", "nobody")


@pytest.fixture(scope="module")
def people(sshd_lab: SshdLab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Keys in root's authorized_keys, and a roster that knows some of them."""
    folder = tmp_path_factory.mktemp("people")
    keys = {
        "anna": keygen(folder / "anna", "ed25519", comment="anna@laptop"),
        "bo": keygen(folder / "bo", "ed25519", comment="bo@laptop"),  # approved, other team
        "carl": keygen(folder / "carl", "rsa", 2048, comment="carl@old"),  # weak-ish RSA
        "stranger": keygen(folder / "stranger", "ed25519", comment="who@knows"),
        "tiny": keygen(folder / "tiny", "rsa", 1024, comment="tiny@old"),
        "dsa": keygen(folder / "dsa", "dsa", comment="ancient"),
        "dotty": keygen(folder / "dotty", "ecdsa", comment="dotty"),
    }
    dotty_type, dotty_b64 = keys["dotty"].split()[:2]
    lines = [
        sshd_lab.auditor_pub,
        "# a comment line, then a blank one",
        "",
        keys["anna"],
        f'from="10.0.0.1,10.0.0.2",command="echo \\"a, b\\"",no-pty {keys["bo"]}',
        keys["carl"],
        keys["stranger"],
        keys["tiny"],
        keys["dsa"],
        "this line is garbage",
        f'cert-authority,principals="root" {keys["anna"]}',
        "# Added and Managed by DigitalOcean Droplet Agent (code name: DOTTY)",
        f'{dotty_type} {dotty_b64} {{"os_user":"root","actor_email":"anna@alternativet.dk",'
        f'"expire_at":"2026-12-01T00:00:00Z"}}-dotty_ssh',
    ]
    sshd_lab.authorized_keys("root").write_text("\n".join(lines) + "\n")
    roster = folder / "roster.toml"
    roster.write_text(
        f'[[people]]\nkind = "service"\nname = "Auditor"\nteam = "Landssekretariatet"\n'
        f'approved = true\nkeys = ["{sshd_lab.auditor_pub}"]\n\n'
        f'[[people]]\nname = "Anna"\nteam = "Landssekretariatet"\napproved = true\n'
        f'emails = ["anna@alternativet.dk"]\nkeys = ["{keys["anna"]}"]\n\n'
        f'[[people]]\nname = "Bo"\nteam = "IT-udvalget"\napproved = true\n'
        f'keys = ["{keys["bo"]}"]\n\n'
        f'[[people]]\nname = "Carl"\nteam = "Landssekretariatet"\napproved = false\n'
        f'keys = ["{keys["carl"]}"]\n'
    )
    return keys | {"roster": str(roster)}


@pytest.fixture(scope="module")
def ssh_report(
    sshd_lab: SshdLab, people: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Report:
    path = tmp_path_factory.mktemp("cfg") / "auditor.toml"
    path.write_text(sshd_lab.config_text(users=USERS, roster=Path(people["roster"]), max_holders=3))
    return run_audit(families("ssh", "access"), AuditContext(config=load_config(path)))


def _verdicts(report: Report, target: str) -> dict[str, Status]:
    return {f.check: f.status for f in report.findings if f.target == target}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "keyonly",
            {
                "ssh.connect": P,
                "ssh.auth.password": P,
                "ssh.auth.keyboard_interactive": P,
                "ssh.auth.other_methods": P,
                "ssh.auth.publickey": P,
                "ssh.config.effective": P,
            },
        ),
        (
            "password",
            {
                "ssh.connect": P,
                "ssh.auth.password": F,
                "ssh.auth.keyboard_interactive": P,
                "ssh.auth.other_methods": P,
                "ssh.auth.publickey": P,
                "ssh.config.effective": F,
            },
        ),
        (
            "kbdint",
            {
                "ssh.connect": P,
                "ssh.auth.password": P,
                "ssh.auth.keyboard_interactive": F,
                "ssh.auth.other_methods": P,
                "ssh.auth.publickey": P,
                "ssh.config.effective": F,
            },
        ),
        (
            "matchuser",
            {
                "ssh.connect": P,
                "ssh.auth.password": F,
                "ssh.auth.keyboard_interactive": P,
                "ssh.auth.other_methods": P,
                "ssh.auth.publickey": P,
                "ssh.config.effective": F,
            },
        ),
    ],
)
def test_login_method_verdicts(
    sshd_lab: SshdLab, ssh_report: Report, case: str, expected: dict[str, Status]
) -> None:
    assert _verdicts(ssh_report, sshd_lab.server(case).label) == expected


def test_a_match_block_is_seen_per_user(sshd_lab: SshdLab, ssh_report: Report) -> None:
    server = next(s for s in ssh_report.inventory.ssh_servers if s.host.startswith("matchuser"))
    assert server.methods == {"root": ("publickey",), "nobody": ("publickey", "password")}
    assert len(server.host_keys) == 3
    finding = next(
        f
        for f in ssh_report.findings
        if f.check == "ssh.auth.password" and f.target == sshd_lab.server("matchuser").label
    )
    assert finding.message == "Offers password login to nobody."


def test_the_auditor_never_tries_a_password(sshd_lab: SshdLab, ssh_report: Report) -> None:
    for server in sshd_lab.servers.values():
        log = server.log_text()
        requests = [line for line in log.splitlines() if "userauth-request for user" in line]
        assert requests, server.case  # the log does record authentication requests
        methods = {line.rsplit("method ", 1)[1].split()[0] for line in requests}
        assert methods <= {"none", "publickey"}, (server.case, methods)
        assert "Failed password" not in log


def _holder(report: Report, public_line: str) -> dict[str, Status]:
    from auditor.core.sshkeys import parse_public_key_line

    fingerprint = parse_public_key_line(public_line).fingerprint
    return _verdicts(report, fingerprint)


def test_access_verdicts_per_key(ssh_report: Report, people: dict[str, str]) -> None:
    assert _holder(ssh_report, people["anna"]) == {
        "access.key.unknown": P,
        "access.key.unapproved": P,
        "access.key.weak": P,
    }
    assert _holder(ssh_report, people["bo"])["access.key.unapproved"] is F  # wrong team
    assert _holder(ssh_report, people["carl"]) == {
        "access.key.unknown": P,
        "access.key.unapproved": F,
        "access.key.weak": W,
    }
    assert _holder(ssh_report, people["stranger"])["access.key.unknown"] is F
    assert _holder(ssh_report, people["tiny"])["access.key.weak"] is F
    assert _holder(ssh_report, people["dsa"])["access.key.weak"] is F
    # A droplet-agent comment naming Anna, on a key the roster does not list under her:
    # anyone who can write the file can write that comment. Unknown, not Anna's.
    assert _holder(ssh_report, people["dotty"])["access.key.unknown"] is F


def test_key_holders_list_every_location(ssh_report: Report, people: dict[str, str]) -> None:
    from auditor.core.sshkeys import parse_public_key_line

    by_fp = {r.fingerprint: r for r in ssh_report.inventory.key_holders}
    anna = by_fp[parse_public_key_line(people["anna"]).fingerprint]
    assert anna.person == "Anna"
    assert anna.cert_authority is True  # one of her lines is a cert-authority line
    assert len({loc.server for loc in anna.locations}) == 4  # every lab server shares the file
    bo = by_fp[parse_public_key_line(people["bo"]).fingerprint]
    assert bo.locations[0].options == 'from="10.0.0.1,10.0.0.2",command="echo \\"a, b\\"",no-pty'
    assert bo.locations[0].comment == "bo@laptop"
    dotty = by_fp[parse_public_key_line(people["dotty"]).fingerprint]
    assert dotty.managed_by == "digitalocean-droplet-agent"
    assert (dotty.person, dotty.named_in_line) == (None, "anna@alternativet.dk")  # a hint only


def test_garbage_lines_are_reported_and_the_rest_read(
    sshd_lab: SshdLab, ssh_report: Report
) -> None:
    garbage = [
        f
        for f in ssh_report.findings
        if f.check == "access.key.unknown" and ":10" in f.target and f.status is W
    ]
    assert len(garbage) == 4  # line 10 of the shared file, on each server
    assert "not a valid key" in garbage[0].message


def test_too_many_holders_fail_the_claim(ssh_report: Report) -> None:
    count = next(f for f in ssh_report.findings if f.check == "access.holders.count")
    assert count.status is F
    # Anna, Bo, Carl are known people and the auditor a service; stranger, tiny, dsa and
    # the key with the droplet agent's comment are unknown keys.
    assert count.evidence["people"] == ["Anna", "Bo", "Carl"]
    assert count.evidence["services"] == ["Auditor"]
    assert count.evidence["unknown_keys"] == 4
    assert ssh_report.claim(ClaimId.FEW_HOLDERS).status is F


def test_the_auditors_own_key_on_the_roster_as_a_service_is_listed_not_counted(
    sshd_lab: SshdLab, ssh_report: Report, people: dict[str, str]
) -> None:
    auditor = parse_public_key_line(sshd_lab.auditor_pub).fingerprint
    assert _holder(ssh_report, sshd_lab.auditor_pub) == {
        "access.key.unknown": P,
        "access.key.unapproved": P,
        "access.key.weak": P,
    }
    record = next(r for r in ssh_report.inventory.key_holders if r.fingerprint == auditor)
    assert (record.person, record.service) == ("Auditor", True)
    # The same keys against the roster without the auditor's entry: unknown, as before.
    roster = parse_roster(Path(people["roster"]).read_text().split("\n\n", 1)[1], "roster")
    outcome = evaluate(AccessTarget(ssh_report.inventory), roster, "Landssekretariatet", 3)
    verdicts = {(f.check, f.target): f for f in outcome.findings}
    assert verdicts[("access.key.unknown", auditor)].status is F
    assert verdicts[("access.holders.count", "access")].evidence["unknown_keys"] == 5


def _read_pinned_by(sshd_lab: SshdLab, tmp_path: Path, known_hosts: str) -> tuple[Finding, Report]:
    """Audit the key-only server with this known_hosts text: its ssh.config.effective finding."""
    known = tmp_path / "known_hosts"
    known.write_text(known_hosts)
    text = sshd_lab.config_text(["keyonly"]).replace(str(sshd_lab.known_hosts), str(known))
    (tmp_path / "auditor.toml").write_text(text)
    report = run_audit(families("ssh"), AuditContext(config=load_config(tmp_path / "auditor.toml")))
    effective = next(f for f in report.findings if f.check == "ssh.config.effective")
    return effective, report


def test_an_unknown_host_key_stops_the_read(sshd_lab: SshdLab, tmp_path: Path) -> None:
    effective, report = _read_pinned_by(sshd_lab, tmp_path, "")
    assert effective.status is E
    assert "not pinned" in effective.message
    assert report.inventory.found_keys == ()


def test_a_changed_host_key_stops_the_read(sshd_lab: SshdLab, tmp_path: Path) -> None:
    other = keygen(tmp_path / "other", "ed25519").split()
    server = sshd_lab.server("keyonly")
    pinned = f"[{server.address}]:{server.port} {other[0]} {other[1]}\n"
    effective, report = _read_pinned_by(sshd_lab, tmp_path, pinned)
    assert effective.status is E
    assert "HOST KEY CHANGED" in effective.message
    assert report.inventory.found_keys == ()


@pytest.fixture
def silent_listener() -> Iterator[tuple[str, int]]:
    sock = socket.socket()
    sock.bind(("127.0.20.60", 0))
    sock.listen(8)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(sock.accept()[0]), daemon=True).start()
    yield "127.0.20.60", sock.getsockname()[1]
    sock.close()
    for conn in held:
        conn.close()


def test_a_host_that_never_sends_a_banner_is_an_error_within_the_timeout(
    silent_listener: tuple[str, int],
) -> None:
    address, port = silent_listener
    started = time.monotonic()
    scan = probe("silent", address, port, ("root",), 2.0)
    assert time.monotonic() - started < 15
    assert scan.connect_error is not None
    assert "banner" in scan.connect_error


@pytest.mark.parametrize(
    ("methods", "accept_none", "message"),
    [("publickey,none", False, "Lists `none`"), ("publickey", True, "no credential at all")],
)
def test_a_server_that_takes_none_is_a_critical_failure(
    methods: str, accept_none: bool, message: str
) -> None:
    server = LabSshServer("127.0.20.61", methods, accept_none)
    try:
        from checks.ssh.family import ServerFacts, check_publickey

        scan = probe("lab", server.address, server.port, ("root",), 3.0)
        finding = check_publickey(ServerFacts("lab", scan))
    finally:
        server.close()
    assert finding.status is F
    assert finding.severity is Severity.CRITICAL
    assert message in finding.message
    assert {m for _, m in server.attempts.methods} == {"none"}


def test_the_probe_asks_in_parallel_within_the_servers_connection_slots(
    sshd_lab: SshdLab,
) -> None:
    """Every user and every host key type, never more connections at once than the gate allows."""
    server = sshd_lab.server("matchuser")
    lock = threading.Lock()
    open_now, peak = 0, 0
    slots = ConnectionSlots(2)

    @contextmanager
    def counting_gate() -> Iterator[None]:
        nonlocal open_now, peak
        with slots.slot(server.address):
            with lock:
                open_now += 1
                peak = max(peak, open_now)
            try:
                yield
            finally:
                with lock:
                    open_now -= 1

    users = ("root", "nobody", "daemon", "bin")
    scan = probe(server.host, server.address, server.port, users, 5.0, counting_gate, 4)
    assert [u.user for u in scan.users] == list(users)  # reported in the order asked
    assert {u.user: u.methods for u in scan.users}["nobody"] == ("publickey", "password")
    assert {kind for kind, _ in scan.host_keys} == {
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ssh-rsa",  # paramiko names the RSA key by its type, whatever signature it used
    }
    # One connection per user, one per host key type the user connections did not show.
    assert scan.connections == len(users) + 2
    assert peak == 2


def test_an_ecdsa_host_key_on_any_curve_is_found(tmp_path: Path) -> None:
    """A P-384 host key beside ed25519: still listed, in the same number of connections."""
    with lone_sshd(tmp_path, "127.0.20.62", {"ed25519": None, "ecdsa": 384}) as server:
        scan = probe(server.host, server.address, server.port, ("root",), 5.0)
    assert scan.connect_error is None
    assert {kind for kind, _ in scan.host_keys} == {"ssh-ed25519", "ecdsa-sha2-nistp384"}
    listed = (tmp_path / "ssh_host_ecdsa384_key.pub").read_text().split()[1]
    expected = f"SHA256:{_sha256(listed)}"
    assert dict(scan.host_keys)["ecdsa-sha2-nistp384"] == expected
    # The user's connection (ed25519), one for the ECDSA group, one for the RSA group.
    assert scan.connections == 3


def test_an_rsa_only_server_is_not_asked_for_rsa_twice(tmp_path: Path) -> None:
    with lone_sshd(tmp_path, "127.0.20.63", {"rsa": 2048}) as server:
        scan = probe(server.host, server.address, server.port, ("root",), 5.0)
    assert [kind for kind, _ in scan.host_keys] == ["ssh-rsa"]
    # The user's connection shows the RSA key; one more each for ed25519 and ECDSA.
    assert scan.connections == 3


def test_a_server_with_several_keys_is_read_by_the_one_pinned(
    sshd_lab: SshdLab, tmp_path: Path
) -> None:
    """Only the RSA key pinned (as an administrator copying one line would): no false alarm."""
    server = sshd_lab.server("keyonly")
    rsa_only = [
        line
        for line in sshd_lab.known_hosts.read_text().splitlines()
        if " ssh-rsa " in line and f"]:{server.port} " in line
    ]
    assert len(rsa_only) == 1
    effective, report = _read_pinned_by(sshd_lab, tmp_path, rsa_only[0] + "\n")
    assert effective.status is P, effective.message
    assert report.inventory.found_keys


def test_a_server_without_the_pinned_key_type_is_a_changed_host_key(
    sshd_lab: SshdLab, tmp_path: Path
) -> None:
    server = sshd_lab.server("keyonly")
    p384 = keygen(tmp_path / "p384", "ecdsa", 384).split()  # the server has no P-384 key
    pinned = f"[{server.address}]:{server.port} {p384[0]} {p384[1]}\n"
    effective, report = _read_pinned_by(sshd_lab, tmp_path, pinned)
    assert effective.status is E
    assert "HOST KEY CHANGED" in effective.message
    assert report.inventory.found_keys == ()


def _sha256(base64_key: str) -> str:
    """OpenSSH's fingerprint of a public key: unpadded base64 of its blob's SHA-256."""
    digest = hashlib.sha256(base64.b64decode(base64_key)).digest()
    return base64.b64encode(digest).decode().rstrip("=")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("web ssh-ed25519 AAAA!!!notbase64", "line 2 is not a valid host key entry"),
        # A hashed name whose salt is not base64, before a valid key.
        ("|1|not-base64!|x {key}", "a hashed host name is not base64"),
    ],
)
def test_a_malformed_known_hosts_stops_the_read_with_its_line(
    sshd_lab: SshdLab, tmp_path: Path, line: str, problem: str
) -> None:
    # The server's own pinned line is there too: a garbled neighbour must still stop the read.
    pinned = sshd_lab.known_hosts.read_text().splitlines()[0]
    line = line.format(key=" ".join(pinned.split()[1:3]))
    effective, report = _read_pinned_by(sshd_lab, tmp_path, f"# pinned\n{line}\n{pinned}\n")
    assert effective.status is E
    assert (
        effective.message == f"Could not read: known_hosts {tmp_path / 'known_hosts'}: {problem}."
    )
    assert report.inventory.found_keys == ()


def _audit_lone(
    server: LabSshd,
    folder: Path,
    auditor_key: Path,
    users: tuple[str, ...],
    known_hosts_before: str = "",
    roster: Path | None = None,
) -> Report:
    """Audit a lone sshd (host keys in `folder`, pinned after `known_hosts_before`) with
    authenticated reads as root; with a roster, its keys are judged by the access family."""
    pinned = [" ".join(path.read_text().split()[:2]) for path in folder.glob("ssh_host_*_key.pub")]
    known = folder / "known_hosts"
    known.write_text(
        known_hosts_before + "".join(f"[{server.address}]:{server.port} {key}\n" for key in pinned)
    )
    users_toml = ", ".join(f'"{u}"' for u in users)
    config = folder / "auditor.toml"
    config.write_text(
        f'[[ssh.servers]]\nhost = "{server.host}"\nport = {server.port}\n'
        f'address = "{server.address}"\nsshd_command = "{SSHD} -f {server.config}"\n'
        f"[ssh]\nusers = [{users_toml}]\nfrom_inventory = false\n"
        f'auditor_user = "root"\nauditor_key = "{auditor_key}"\nknown_hosts = "{known}"\n'
        "[limits]\nconnect_timeout = 3\ntarget_timeout = 60\n"
        + (f'[access]\nmax_holders = 3\nroster = "{roster}"\n' if roster else "")
    )
    names = ("ssh", "access") if roster else ("ssh",)
    return run_audit(families(*names), AuditContext(config=load_config(config)))


def _logs_in(server: LabSshd, folder: Path, key: Path) -> bool:
    """Whether OpenSSH's own client gets a shell as root with `key` (host key pinned)."""
    options = ["IdentitiesOnly=yes", "BatchMode=yes", "ConnectTimeout=5"]
    options.append(f"UserKnownHostsFile={folder / 'known_hosts'}")
    done = subprocess.run(
        [
            "ssh",
            *("-F", "/dev/null", "-p", str(server.port), "-i", str(key)),
            *(word for option in options for word in ("-o", option)),
            f"root@{server.address}",
            "echo logged-in",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.stdout.strip() == "logged-in"


def test_the_key_sshd_reads_after_an_escaped_backslash_is_the_one_listed(tmp_path: Path) -> None:
    """sshd reads two backslashes and a quote as a backslash and an escaped quote: the option
    runs on to the next quote, and the key that opens the server is the one after it."""
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    decoy = keygen(tmp_path / "decoy", "ed25519", comment="decoy")
    hidden = keygen(tmp_path / "hidden", "ed25519", comment="hidden")
    (tmp_path / "root").write_text(f'{auditor}\nenvironment="X=\\\\" {decoy} c" {hidden}\n')
    with lone_sshd(tmp_path, "127.0.74.10", {"ed25519": None}) as server:
        report = _audit_lone(server, tmp_path, tmp_path / "auditor", ("root",))
        assert _logs_in(server, tmp_path, tmp_path / "hidden")
        assert not _logs_in(server, tmp_path, tmp_path / "decoy")
    found = {key.fingerprint for key in report.inventory.found_keys}
    assert parse_public_key_line(hidden).fingerprint in found
    assert parse_public_key_line(decoy).fingerprint not in found


def test_a_form_feed_inside_an_option_does_not_hide_the_key(tmp_path: Path) -> None:
    """sshd reads lines up to "\\n": a form feed in an option's value is part of the line."""
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    hidden = keygen(tmp_path / "hidden", "ed25519", comment="hidden")
    (tmp_path / "root").write_text(f'{auditor}\nenvironment="X=a\fb" {hidden}\n')
    with lone_sshd(tmp_path, "127.0.74.11", {"ed25519": None}) as server:
        report = _audit_lone(server, tmp_path, tmp_path / "auditor", ("root",))
        assert _logs_in(server, tmp_path, tmp_path / "hidden")
    found = {key.fingerprint for key in report.inventory.found_keys}
    assert parse_public_key_line(hidden).fingerprint in found
    assert not [f for f in report.findings if f.check == "access.key.unknown"]


def test_keys_files_set_in_a_match_block_are_read_for_accounts_not_probed(tmp_path: Path) -> None:
    """Only nobody is probed; root's AuthorizedKeysFile comes from a Match block: it is that
    file the auditor reads for root, not the one the first probed user's settings name."""
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    hidden = keygen(tmp_path / "hidden", "ed25519", comment="hidden")
    unused = keygen(tmp_path / "unused", "ed25519", comment="unused")
    (tmp_path / "special").mkdir()
    (tmp_path / "special" / "root").write_text(f"{auditor}\n{hidden}\n")
    (tmp_path / "root").write_text(f"{unused}\n")  # the global AuthorizedKeysFile: not root's
    match = f"Match User root\n    AuthorizedKeysFile {tmp_path}/special/%u\n"
    with lone_sshd(tmp_path, "127.0.74.12", {"ed25519": None}, extra=match) as server:
        report = _audit_lone(server, tmp_path, tmp_path / "auditor", ("nobody",))
        assert _logs_in(server, tmp_path, tmp_path / "hidden")
        assert not _logs_in(server, tmp_path, tmp_path / "unused")
    found = {(key.location.user, key.fingerprint) for key in report.inventory.found_keys}
    assert ("root", parse_public_key_line(hidden).fingerprint) in found
    assert ("root", parse_public_key_line(unused).fingerprint) not in found


def test_a_known_hosts_with_markers_is_read_as_openssh_reads_it(tmp_path: Path) -> None:
    """A host CA line and a revoked key are valid known_hosts lines: the pin after them is
    used (by the auditor and by ssh alike), and a revoked key is never taken as a pin."""
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    (tmp_path / "root").write_text(f"{auditor}\n")
    host_ca = " ".join(keygen(tmp_path / "host_ca", "ed25519").split()[:2])
    with lone_sshd(tmp_path, "127.0.74.13", {"ed25519": None}) as server:
        own = " ".join((tmp_path / "ssh_host_ed25519_key.pub").read_text().split()[:2])
        before = f"@cert-authority *.ssh.test {host_ca}\n"
        report = _audit_lone(server, tmp_path, tmp_path / "auditor", ("root",), before)
        assert _logs_in(server, tmp_path, tmp_path / "auditor")  # ssh takes this file too
        revoked = _audit_lone(
            server, tmp_path, tmp_path / "auditor", ("root",), f"@revoked * {own}\n"
        )
        assert not _logs_in(server, tmp_path, tmp_path / "auditor")
    effective = next(f for f in report.findings if f.check == "ssh.config.effective")
    assert effective.status is P, effective.message
    assert report.inventory.found_keys
    effective = next(f for f in revoked.findings if f.check == "ssh.config.effective")
    assert effective.status is E
    assert "revoked" in effective.message
    assert revoked.inventory.found_keys == ()


def test_a_keys_file_too_large_to_read_whole_is_an_error_not_nothing(tmp_path: Path) -> None:
    """sshd reads an authorized_keys of any size; the auditor stops at 1 MiB and says so."""
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    padding = f"# {'x' * 1000}\n" * 1100
    (tmp_path / "root").write_text(f"{auditor}\n{padding}")
    with lone_sshd(tmp_path, "127.0.74.14", {"ed25519": None}) as server:
        report = _audit_lone(server, tmp_path, tmp_path / "auditor", ("root",))
    errors = [f for f in report.findings if f.check == "access.key.unknown"]
    assert [(f.status, f.target) for f in errors] == [(E, f"{server.label}:{tmp_path / 'root'}")]
    assert errors[0].message == (
        f"{tmp_path / 'root'} could not be read (larger than 1048576 bytes): "
        "the keys in it are not counted."
    )
    assert report.inventory.ssh_servers[0].keys_read is False


class _RootKeysUnreadable(LabAccounts):
    """An auditor that is not root: root's authorized_keys is there, but not for it to read."""

    def answer(self, command: str) -> tuple[int, str]:
        if "cat" in command and "/root/.ssh/authorized_keys" in command:
            return 1, "cat: /root/.ssh/authorized_keys: Permission denied\n"
        return super().answer(command)


def test_a_keys_file_the_auditor_may_not_read_is_an_error_not_an_absent_file(
    tmp_path: Path,
) -> None:
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    stranger = keygen(tmp_path / "stranger", "ed25519", comment="stranger")
    keys = {"auditor": f"{auditor}\n", "root": f"{stranger}\n"}
    accounts = _RootKeysUnreadable("auditor", auditor.split()[1], keys)
    server = LabSshServer("127.0.74.15", accounts=accounts)
    try:
        known = tmp_path / "known_hosts"
        name = f"[{server.address}]:{server.port}"
        known.write_text(f"{name} {server.host_key.get_name()} {server.host_key.get_base64()}\n")
        read = read_server(
            server.address,
            server.port,
            [name],
            ("root",),
            "auditor",
            tmp_path / "auditor",
            known,
            "sshd",
            3.0,
        )
    except ReadRefused as exc:
        pytest.fail(f"the read was refused: {exc}")
    finally:
        server.close()
    assert [(f.user, f.path, f.error) for f in read.keys_files if f.error] == [
        ("root", "/root/.ssh/authorized_keys", "cat: /root/.ssh/authorized_keys: Permission denied")
    ]
    assert [f.user for f in read.keys_files if f.keys] == ["auditor"]


def _finding(report: Report, check: str) -> Finding:
    return next(f for f in report.findings if f.check == check)


def _audit_lone_with(
    tmp_path: Path, address: str, extra: str, body: str = CASES["keyonly"]
) -> tuple[Report, LabSshd]:
    """A lone sshd with this config, audited as root (probing root) with an authenticated read."""
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    (tmp_path / "root").write_text(f"{auditor}\n")
    with lone_sshd(tmp_path, address, {"ed25519": None}, extra=extra, body=body) as server:
        return _audit_lone(server, tmp_path, tmp_path / "auditor", ("root",)), server


def test_a_password_after_a_key_is_a_second_factor_and_passes(tmp_path: Path) -> None:
    """AuthenticationMethods publickey,password: every login needs the key, then a password.
    (root, the auditor, logs in by key alone: a Match block the read evaluates too.)"""
    body = "PasswordAuthentication yes\nKbdInteractiveAuthentication no\n"
    body += "AuthenticationMethods publickey,password\n"
    extra = "Match User root\n    AuthenticationMethods publickey\n"
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    (tmp_path / "root").write_text(f"{auditor}\n")
    with lone_sshd(tmp_path, "127.0.74.20", {"ed25519": None}, extra, body) as server:
        report = _audit_lone(server, tmp_path, tmp_path / "auditor", ("nobody",))
    assert report.inventory.ssh_servers[0].methods == {"nobody": ("publickey",)}
    effective = _finding(report, "ssh.config.effective")
    assert effective.status is P, effective.message
    assert effective.message == (
        "sshd -T requires a key for every login; a password is asked for only after it, "
        "as a second factor (for nobody: passwordauthentication yes after publickey)."
    )
    assert effective.evidence["users"]["nobody"]["authenticationmethods"] == "publickey,password"
    assert _finding(report, "ssh.auth.password").status is P


@pytest.mark.parametrize(
    ("extra", "status", "offered"),
    [
        # Debian's sshd lists both GSSAPI methods to `none` once GSSAPIAuthentication is on.
        (
            "GSSAPIAuthentication yes\n",
            F,
            ("publickey", "gssapi-keyex", "gssapi-with-mic"),
        ),
        ("HostbasedAuthentication yes\n", W, ("publickey", "hostbased")),
    ],
)
def test_kerberos_and_hostbased_logins_are_flagged(
    tmp_path: Path, extra: str, status: Status, offered: tuple[str, ...]
) -> None:
    report, _ = _audit_lone_with(tmp_path, "127.0.74.21", extra)
    assert report.inventory.ssh_servers[0].methods == {"root": offered}
    other = _finding(report, "ssh.auth.other_methods")
    assert other.status is status, other.message
    setting = extra.split(maxsplit=1)[0].lower()
    assert other.evidence["configured"] == {"root": [f"{setting} yes"]}
    if status is F:
        assert other.message == (
            "Offers logins that are not a key the person holds: gssapi-keyex, gssapi-with-mic "
            "to root; gssapiauthentication yes in sshd -T for root."
        )


OFFICE = "Match Address 10.20.0.0/16\n"


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        # An office network gets passwords: invisible to a probe from loopback and to
        # `sshd -T` for the probed users.
        (
            f"{OFFICE}    PasswordAuthentication yes\n",
            F,
            "sshd -T for `Match Address 10.20.0.0/16` ({m1}): passwordauthentication yes.",
        ),
        # A block that only tightens keeps the pass.
        (f"{OFFICE}    X11Forwarding no\n    PasswordAuthentication no\n", P, None),
        (
            "Match Group nogroup\n    KbdInteractiveAuthentication yes\n",
            F,
            "sshd -T for `Match Group nogroup` ({m1}): kbdinteractiveauthentication yes.",
        ),
        # No account the auditor knows matches: not a pass.
        (
            "Match User ghost*\n    PasswordAuthentication yes\n",
            E,
            "Could not check every Match block: `Match User ghost*` ({m1}): "
            "no known account matches User ghost*.",
        ),
        # The connection built for the second block is decided by the first: not a pass.
        (
            f"Match Address 10.20.0.1\n    PasswordAuthentication no\n"
            f"{OFFICE}    PasswordAuthentication yes\n",
            E,
            "Could not check every Match block: `Match Address 10.20.0.0/16` ({m2}): "
            "an earlier block decides it for this connection: sshd -T shows "
            "passwordauthentication no where the block sets yes.",
        ),
    ],
)
def test_every_match_block_is_judged_for_a_connection_it_applies_to(
    tmp_path: Path, extra: str, status: Status, message: str | None
) -> None:
    report, server = _audit_lone_with(tmp_path, "127.0.74.22", extra)
    effective = _finding(report, "ssh.config.effective")
    assert effective.status is status, effective.message
    lines = enumerate(server.config.read_text().splitlines(), start=1)
    wheres = [f"{server.config} line {n}" for n, line in lines if line.startswith("Match")]
    assert [block["where"] for block in effective.evidence["match_blocks"]] == wheres
    if message is not None:
        assert effective.message == message.format(m1=wheres[0], m2=wheres[-1])


def test_a_match_block_in_an_included_file_is_found_and_judged(tmp_path: Path) -> None:
    """Include with a glob, as Debian's sshd_config has it; the block is for one port only,
    which `sshd -T -C` without lport refused to evaluate at all."""
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "office.conf").write_text(
        "Match LocalPort 2222\n    KbdInteractiveAuthentication yes\n"
    )
    (tmp_path / "conf.d" / "notes.txt").write_text("Match all\n    PasswordAuthentication yes\n")
    extra = f"Include {tmp_path}/conf.d/*.conf\n"
    report, server = _audit_lone_with(tmp_path, "127.0.74.23", extra)
    effective = _finding(report, "ssh.config.effective")
    assert effective.status is F, effective.message
    office = tmp_path / "conf.d" / "office.conf"
    assert effective.message == (
        f"sshd -T for `Match LocalPort 2222` ({office} line 1): kbdinteractiveauthentication yes."
    )
    assert effective.evidence["config_files"] == [str(server.config), str(office)]
    [block] = effective.evidence["match_blocks"]
    assert block["connection"].endswith(",lport=2222")
    assert _finding(report, "ssh.auth.keyboard_interactive").status is P  # not port 2222


def test_a_match_block_enabling_kerberos_for_a_network_is_flagged(tmp_path: Path) -> None:
    extra = f"{OFFICE}    GSSAPIAuthentication yes\n"
    report, server = _audit_lone_with(tmp_path, "127.0.74.24", extra)
    assert report.inventory.ssh_servers[0].methods == {"root": ("publickey",)}
    other = _finding(report, "ssh.auth.other_methods")
    assert other.status is F
    assert other.message == (
        "Offers logins that are not a key the person holds: gssapiauthentication yes in "
        f"sshd -T for `Match Address 10.20.0.0/16` ({server.config} line 15)."
    )


def _service_roster(folder: Path, auditor: str) -> Path:
    """A roster that knows only the auditor's own key (a service)."""
    roster = folder / "roster.toml"
    roster.write_text(
        '[[people]]\nkind = "service"\nname = "Auditor"\nteam = "Landssekretariatet"\n'
        f'approved = true\nkeys = ["{auditor}"]\n'
    )
    return roster


def _keys_script(folder: Path, key: str, run_as: str) -> Path:
    """A keys command that prints `key` for root, and only when run as `run_as`."""
    folder.chmod(0o755)
    script = folder / "keys.sh"
    script.write_text(
        f'#!/bin/sh\n[ "$(id -un)" = {run_as} ] && [ "$1" = root ] && echo "{key}"\nexit 0\n'
    )
    script.chmod(0o755)
    return script


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder any account may read (pytest's own are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="auditor-keys-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize(
    ("run_as", "address"), [("root", "127.0.74.30"), ("nobody", "127.0.74.31")]
)
def test_the_keys_an_authorized_keys_command_prints_are_counted_and_judged(
    tmp_path: Path, open_folder: Path, run_as: str, address: str
) -> None:
    """The command's keys open root as surely as authorized_keys: they are read by running it
    as sshd would (as AuthorizedKeysCommandUser, %u expanded), listed and judged."""
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    stranger = keygen(tmp_path / "stranger", "ed25519", comment="stranger")
    (tmp_path / "root").write_text(f"{auditor}\n")
    script = _keys_script(open_folder, stranger, run_as)
    extra = f"AuthorizedKeysCommand {script} %u\nAuthorizedKeysCommandUser {run_as}\n"
    roster = _service_roster(tmp_path, auditor)
    with lone_sshd(tmp_path, address, {"ed25519": None}, extra=extra) as server:
        report = _audit_lone(server, tmp_path, tmp_path / "auditor", ("root",), roster=roster)
    fingerprint = parse_public_key_line(stranger).fingerprint
    found = [k for k in report.inventory.found_keys if k.fingerprint == fingerprint]
    assert [(k.location.user, k.location.path) for k in found] == [
        ("root", f"AuthorizedKeysCommand {script} root")
    ]
    unknown = [f for f in report.findings if f.check == "access.key.unknown"]
    assert [(f.status, fingerprint in f.target) for f in unknown if f.status is not P] == [
        (F, True)
    ]
    assert _finding(report, "access.holders.count").evidence["unknown_keys"] == 1
    assert report.inventory.ssh_servers[0].keys_read is True


@pytest.mark.parametrize(
    ("command", "run_as", "address", "reason"),
    [
        (
            "{script} %f",
            "root",
            "127.0.74.32",
            "not run: it uses %f (the offered key's fingerprint), known only at a login attempt",
        ),
        ("{script} %u", "nobody", "127.0.74.33", "it exited with status 126"),
        (
            "{script} slow",
            "root",
            "127.0.74.36",
            "it did not finish within 3 s (not run again for other accounts)",
        ),
    ],
)
def test_a_keys_command_the_auditor_cannot_run_leaves_the_count_unchecked(
    tmp_path: Path, command: str, run_as: str, address: str, reason: str
) -> None:
    """A command that needs the key offered at a login (%f), one the command user cannot run,
    or one that does not finish: its keys are not read, and the count of holders is "could
    not check", not a pass."""
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    stranger = keygen(tmp_path / "stranger", "ed25519", comment="stranger")
    (tmp_path / "root").write_text(f"{auditor}\n")
    script = tmp_path / "keys.sh"  # in pytest's folder: nobody cannot reach it
    script.write_text(f'#!/bin/sh\n[ "$1" = slow ] && sleep 30\necho "{stranger}"\n')
    script.chmod(0o755)
    command = command.format(script=script)
    extra = f"AuthorizedKeysCommand {command}\nAuthorizedKeysCommandUser {run_as}\n"
    roster = _service_roster(tmp_path, auditor)
    with lone_sshd(tmp_path, address, {"ed25519": None}, extra=extra) as server:
        report = _audit_lone(server, tmp_path, tmp_path / "auditor", ("root",), roster=roster)
    count = _finding(report, "access.holders.count")
    assert count.status is E, count.message
    errors = [
        f.message for f in report.findings if f.check == "access.key.unknown" and f.status is E
    ]
    if "%u" not in command:  # the same command for every account: run once, listed once
        assert len(errors) == 1, errors
    # Run for root (and every other login account): %u is root's name there.
    run = command.replace("%u", "root")
    assert (
        f"AuthorizedKeysCommand {run} could not be read ({reason}): the keys in it are not counted."
        in errors
    )


def test_a_trusted_user_ca_key_is_a_holder(tmp_path: Path) -> None:
    """Anyone with a certificate the CA signed logs in (shown with OpenSSH's client): the CA
    key is listed as a holder, marked as a CA, and judged like any other key."""
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    ca = keygen(tmp_path / "ca", "ed25519", comment="user-ca")
    keygen(tmp_path / "person", "ed25519", comment="person")
    sign = ["ssh-keygen", "-q", "-s", str(tmp_path / "ca"), "-I", "person", "-n", "root"]
    subprocess.run(
        [*sign, str(tmp_path / "person.pub")],
        check=True,
        capture_output=True,
    )
    (tmp_path / "root").write_text(f"{auditor}\n")
    (tmp_path / "user_ca.pub").write_text(f"# the CA\n{ca}\n")
    extra = f"TrustedUserCAKeys {tmp_path / 'user_ca.pub'}\n"
    roster = _service_roster(tmp_path, auditor)
    with lone_sshd(tmp_path, "127.0.74.34", {"ed25519": None}, extra=extra) as server:
        report = _audit_lone(server, tmp_path, tmp_path / "auditor", ("root",), roster=roster)
        assert _logs_in(server, tmp_path, tmp_path / "person")  # by certificate alone
        approved = _service_roster(tmp_path, auditor)
        approved.write_text(
            approved.read_text()
            + '[[people]]\nname = "Anna"\nteam = "Landssekretariatet"\napproved = true\n'
            f'keys = ["{ca}"]\n'
        )
        with_ca = _audit_lone(server, tmp_path, tmp_path / "auditor", ("root",), roster=approved)
    fingerprint = parse_public_key_line(ca).fingerprint
    found = [k for k in report.inventory.found_keys if k.fingerprint == fingerprint]
    assert [(k.location.user, k.location.path, k.cert_authority) for k in found] == [
        ("*", str(tmp_path / "user_ca.pub"), True)
    ]
    holder = next(h for h in report.inventory.key_holders if h.fingerprint == fingerprint)
    assert holder.cert_authority
    assert holder.unknown
    assert _finding(report, "access.holders.count").evidence["unknown_keys"] == 1
    # The roster approves a CA key as it approves any other key.
    assert {f.status for f in with_ca.findings if f.check.startswith("access.")} == {P}
    assert _finding(with_ca, "access.holders.count").evidence["people"] == ["Anna"]


def test_an_unreadable_trusted_user_ca_file_leaves_the_count_unchecked(tmp_path: Path) -> None:
    """A CA file that is there but cannot be read whole may hold keys: "could not check"."""
    ca_file = tmp_path / "user_ca.pub"
    ca_file.write_text("# a CA\n" + f"# {'x' * 1000}\n" * 1100)
    report, _ = _audit_lone_with_roster(tmp_path, "127.0.74.35", f"TrustedUserCAKeys {ca_file}\n")
    assert _finding(report, "access.holders.count").status is E
    errors = [f for f in report.findings if f.check == "access.key.unknown" and f.status is E]
    assert [f.message for f in errors] == [
        f"{ca_file} could not be read (larger than 1048576 bytes): the keys in it are not counted."
    ]


def _audit_lone_with_roster(tmp_path: Path, address: str, extra: str) -> tuple[Report, LabSshd]:
    auditor = keygen(tmp_path / "auditor", "ed25519", comment="auditor")
    (tmp_path / "root").write_text(f"{auditor}\n")
    roster = _service_roster(tmp_path, auditor)
    with lone_sshd(tmp_path, address, {"ed25519": None}, extra=extra) as server:
        report = _audit_lone(server, tmp_path, tmp_path / "auditor", ("root",), roster=roster)
        return report, server
