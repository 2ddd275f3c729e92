"""The keeper of connection deadlines: cuts what overruns, leaves what finished alone."""

from __future__ import annotations

import socket
import threading
import weakref
from collections.abc import Callable

from auditor.core.deadlines import Deadlines, shut_down

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


class _Connection:
    """Stands for what a cut holds on to: a socket, an HTTP connection and its buffers."""


def _cut_holding(connection: _Connection) -> Callable[[], None]:
    return lambda: print(connection)


def test_finished_connections_are_let_go_at_once_not_at_their_deadline() -> None:
    # A run opens hundreds of connections within one deadline's span: memory must not grow
    # with them (the growth target of issue 7 caught this).
    deadlines = Deadlines()
    connection = _Connection()
    held = weakref.ref(connection)
    cut = _cut_holding(connection)
    del connection
    with deadlines.limit(3600, lambda: None):  # one connection still open throughout
        with deadlines.limit(3600, cut):
            pass
        del cut
        assert held() is None
        for _ in range(100):
            with deadlines.limit(3600, lambda: None):
                pass
        assert deadlines.pending() <= 2


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
