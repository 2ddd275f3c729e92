"""The roster's validation, and the access verdicts over a hand-built inventory."""

from __future__ import annotations

import base64
import struct
from dataclasses import replace

import pytest

from auditor.core.errors import ConfigError
from auditor.core.inventory import FoundKey, Inventory, KeyLocation, SshServerRecord
from auditor.core.model import Status
from auditor.core.roster import HolderKind, parse_roster
from auditor.core.sshkeys import parse_public_key_line
from checks.access import AccessTarget, evaluate


def _pub(seed: int) -> str:
    blob = b"".join(struct.pack(">I", len(p)) + p for p in (b"ssh-ed25519", bytes([seed]) * 32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()}"


def _found(seed: int, server: str = "web", kind: str = "ED25519", bits: int = 256) -> FoundKey:
    fp = parse_public_key_line(_pub(seed)).fingerprint
    return FoundKey(
        fp, kind, bits, KeyLocation(server=server, user="root", path="/root/.ssh/authorized_keys")
    )


ROSTER = f"""
[[people]]
name = "Anna"
team = "Landssekretariatet"
approved = true
keys = ["{_pub(1)}"]

[[people]]
name = "Bo"
team = "Landssekretariatet"
approved = false
keys = ["{parse_public_key_line(_pub(2)).fingerprint}"]
"""


def _inventory(*keys: FoundKey) -> Inventory:
    server = SshServerRecord(target="web", host="web", port=22, keys_read=True)
    return Inventory(ssh_servers=(server,), found_keys=keys)


def test_the_roster_accepts_keys_and_fingerprints() -> None:
    roster = parse_roster(ROSTER, "roster.toml")
    assert [p.name for p in roster.people] == ["Anna", "Bo"]
    anna = roster.owner_of(parse_public_key_line(_pub(1)).fingerprint)
    assert anna is not None
    assert anna.name == "Anna"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[[people]]\nteam = "x"\n', "people[0].name"),
        ('[[people]]\nname = "a"\nteam = "x"\nkeys = ["SHA256:short"]\n', "people[0].keys[0]"),
        ('[[people]]\nname = "a"\nteam = "x"\nkeys = ["ssh-rsa AAAA"]\n', "people[0].keys[0]"),
        ('[[people]]\nname = "a"\nteam = "x"\napproved = "yes"\n', "people[0].approved"),
        ('[[people]]\nname = "a"\nteam = "x"\nkey = []\n', "people[0].key"),
        (
            f'[[people]]\nname = "a"\nteam = "x"\nkeys = ["{_pub(1)}"]\n'
            f'[[people]]\nname = "b"\nteam = "x"\nkeys = ["{_pub(1)}"]\n',
            "people[1].keys[0]",
        ),
    ],
)
def test_roster_errors_name_the_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_roster(text, "roster.toml")
    assert caught.value.key == key


def test_a_person_listed_twice_is_refused() -> None:
    # Held by name: two Annas would count as one holder, the second's approval would win.
    text = ROSTER + f'[[people]]\nname = "Anna"\nteam = "Kommunikation"\nkeys = ["{_pub(3)}"]\n'
    with pytest.raises(ConfigError) as caught:
        parse_roster(text, "roster.toml")
    assert (
        str(caught.value)
        == "roster.toml: people[2].name: Anna is listed twice: one entry per person"
    )


def test_access_verdicts() -> None:
    roster = parse_roster(ROSTER, "roster.toml")
    target = AccessTarget(
        _inventory(
            _found(1), _found(1, "db"), _found(2), _found(3), _found(4, kind="RSA", bits=2048)
        )
    )
    outcome = evaluate(target, roster, "Landssekretariatet", maximum=2)
    verdicts = {(f.check, f.target): f.status for f in outcome.findings}
    fp = {i: parse_public_key_line(_pub(i)).fingerprint for i in (1, 2, 3, 4)}
    assert verdicts[("access.key.unknown", fp[1])] is Status.PASS
    assert verdicts[("access.key.unapproved", fp[1])] is Status.PASS
    assert verdicts[("access.key.unapproved", fp[2])] is Status.FAIL
    assert verdicts[("access.key.unknown", fp[3])] is Status.FAIL
    assert verdicts[("access.key.unapproved", fp[3])] is Status.SKIPPED
    assert verdicts[("access.key.weak", fp[4])] is Status.WARN
    assert verdicts[("access.holders.count", "access")] is Status.FAIL  # Anna, Bo + 2 unknown
    anna = next(r for r in outcome.inventory.key_holders if r.fingerprint == fp[1])
    assert sorted(loc.server for loc in anna.locations) == ["db", "web"]


def test_nothing_read_is_never_a_pass() -> None:
    unread = Inventory(ssh_servers=(SshServerRecord(target="web", host="web", port=22),))
    outcome = evaluate(AccessTarget(unread), None, "Landssekretariatet", 5)
    assert [f.status for f in outcome.findings] == [Status.SKIPPED]


def test_an_unreadable_server_makes_the_count_an_error() -> None:
    roster = parse_roster(ROSTER, "roster.toml")
    inventory = Inventory(
        ssh_servers=(
            SshServerRecord(target="web", host="web", port=22, keys_read=True),
            SshServerRecord(target="db", host="db", port=22, keys_read=False),
        ),
        found_keys=(_found(1),),
    )
    count = evaluate(AccessTarget(inventory), roster, "Landssekretariatet", 5).findings[-1]
    assert count.check == "access.holders.count"
    assert count.status is Status.ERROR
    assert "db" in count.message


SERVICE = f"""
[[people]]
kind = "service"
name = "auditor"
team = "Landssekretariatet"
approved = true
keys = ["{_pub(5)}"]
"""


def test_a_service_key_is_listed_and_judged_but_not_counted_as_a_person() -> None:
    roster = parse_roster(ROSTER + SERVICE, "roster.toml")
    assert [p.kind for p in roster.people] == [HolderKind.PERSON] * 2 + [HolderKind.SERVICE]
    target = AccessTarget(_inventory(_found(1), _found(5)))
    outcome = evaluate(target, roster, "Landssekretariatet", maximum=1)
    verdicts = {(f.check, f.target): f for f in outcome.findings}
    service = parse_public_key_line(_pub(5)).fingerprint
    assert verdicts[("access.key.unknown", service)].status is Status.PASS
    assert verdicts[("access.key.unknown", service)].message == "Held by the service auditor."
    assert verdicts[("access.key.unapproved", service)].status is Status.PASS
    count = verdicts[("access.holders.count", "access")]
    assert count.status is Status.PASS  # Anna alone: at most one
    assert (count.evidence["people"], count.evidence["services"]) == (["Anna"], ["auditor"])
    record = next(r for r in outcome.inventory.key_holders if r.fingerprint == service)
    assert (record.person, record.service, record.unknown) == ("auditor", True, False)


def test_a_service_is_still_held_to_approval() -> None:
    unapproved = SERVICE.replace("approved = true", "approved = false")
    roster = parse_roster(ROSTER + unapproved, "roster.toml")
    outcome = evaluate(AccessTarget(_inventory(_found(5))), roster, "Landssekretariatet", 5)
    verdicts = {f.check: f.status for f in outcome.findings}
    assert verdicts["access.key.unapproved"] is Status.FAIL


def test_an_entry_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_roster(SERVICE.replace('"service"', '"robot"'), "roster.toml")
    assert caught.value.key == "people[0].kind"
    assert 'must be "person" or "service", not \'robot\'' in str(caught.value)


def test_a_comment_naming_someone_on_the_roster_does_not_make_the_key_theirs() -> None:
    # DigitalOcean's droplet agent writes the e-mail of whoever opened a console; anyone who
    # can write authorized_keys can write the same comment on a key of their own.
    roster = parse_roster(
        ROSTER.replace("approved = true\n", 'approved = true\nemails = ["anna@x.dk"]\n', 1),
        "roster.toml",
    )
    forged = replace(_found(6), managed_by="digitalocean-droplet-agent", named_person="anna@x.dk")
    outcome = evaluate(AccessTarget(_inventory(_found(1), forged)), roster, "Landssekretariatet", 5)
    verdicts = {(f.check, f.target): f for f in outcome.findings}
    unknown = verdicts[("access.key.unknown", forged.fingerprint)]
    assert unknown.status is Status.FAIL
    assert unknown.message == (
        "ED25519 key on web belongs to nobody on the roster (added by DigitalOcean's droplet "
        "agent); its comment names anna@x.dk, but only the roster says whose it is."
    )
    assert verdicts[("access.holders.count", "access")].evidence["unknown_keys"] == 1
    record = next(r for r in outcome.inventory.key_holders if r.fingerprint == forged.fingerprint)
    assert (record.person, record.team, record.named_in_line) == (None, None, "anna@x.dk")
