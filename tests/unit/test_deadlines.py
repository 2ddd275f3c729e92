"""The keeper of connection deadlines: cuts what overruns, leaves what finished alone."""

from __future__ import annotations

import socket
import threading

from auditor.deadlines import Deadlines, shut_down

WAIT = 10.0  # how long a test waits for the keeper before calling it broken


def test_a_block_that_overruns_is_cut_and_marked_expired() -> None:
    deadlines = Deadlines()
    cut = threading.Event()
    with deadlines.limit(0.05, cut.set) as cutoff:
        assert cut.wait(WAIT)
    assert cutoff.expired


def test_a_block_that_finished_is_never_cut() -> None:
    deadlines = Deadlines()
    calls: list[str] = []
    with deadlines.limit(0.01, lambda: calls.append("finished one")) as finished:
        pass
    later = threading.Event()
    with deadlines.limit(0.05, later.set):
        assert later.wait(WAIT)  # the keeper has gone past the first one's deadline
    assert calls == []
    assert not finished.expired


def test_a_sooner_deadline_registered_later_is_kept_first() -> None:
    deadlines = Deadlines()
    slow, soon = threading.Event(), threading.Event()
    with deadlines.limit(3600, slow.set), deadlines.limit(0.05, soon.set):
        assert soon.wait(WAIT)  # the keeper was waiting for the hour; it was woken
    assert not slow.is_set()


def test_shutting_a_socket_down_ends_a_blocked_read() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        got: list[bytes] = []
        reader = threading.Thread(target=lambda: got.append(ours.recv(10)))
        reader.start()
        shut_down(ours)
        reader.join(WAIT)
        assert got == [b""]
    shut_down(ours)  # closed: nothing left to end, and no error
    shut_down(None)
