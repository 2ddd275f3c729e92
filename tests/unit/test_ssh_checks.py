"""ssh.* verdicts over hand-built probe results and sshd -T readings."""

from __future__ import annotations

import pytest

from auditor.model import Status
from checks.ssh import check_effective
from checks.ssh_model import ServerRead

KEY_ONLY = {
    "passwordauthentication": "no",
    "permitemptypasswords": "no",
    "pubkeyauthentication": "yes",
    "permitrootlogin": "prohibit-password",
}


@pytest.mark.parametrize(
    ("methods", "status"),
    [
        ("any", Status.FAIL),
        ("publickey keyboard-interactive", Status.FAIL),  # either one alone lets you in
        ("keyboard-interactive", Status.FAIL),
        ("keyboard-interactive:pam,publickey", Status.FAIL),
        ("publickey,keyboard-interactive", Status.PASS),  # a key first, then the prompt
        ("publickey,keyboard-interactive publickey", Status.PASS),
    ],
)
def test_keyboard_interactive_is_judged_by_what_authenticationmethods_lets_in(
    methods: str, status: Status
) -> None:
    config = KEY_ONLY | {"kbdinteractiveauthentication": "yes", "authenticationmethods": methods}
    finding = check_effective("web", ServerRead(effective={"root": config}), None, True)
    assert finding.status is status
    if status is Status.FAIL:
        assert finding.message == "sshd -T for root: kbdinteractiveauthentication yes."
