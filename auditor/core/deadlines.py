"""Cuts a connection off when its time is up, whatever the peer is still sending.

A socket timeout bounds each wait for data, not the exchange: a peer that sends a byte
every half second never lets it expire, and a TLS handshake (nassl's loop, ssl's reads) or
an HTTP response head (http.client's line reads) then lasts as long as the peer likes. The
threads blocked in it would also keep the process alive after the report is written:
concurrent.futures joins its workers at exit. So each connection is registered here with
its deadline, and one daemon thread shuts the socket down when the deadline passes. That
ends the blocked read at once; the probe sees `expired` and reports that no answer came in
time, never a refusal.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Cutoff:
    """One connection's registration; `expired` once its deadline has cut it off."""

    def __init__(self, cut: Callable[[], None]) -> None:
        self.cut = cut
        self.finished = False  # the connection's work is over: nothing to cut
        self.expired = False


class Deadlines:
    """A deadline for each registered connection, kept by one daemon thread started on first use."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._due: list[tuple[float, int, Cutoff]] = []
        self._order = itertools.count()  # ties on the deadline never compare two Cutoffs
        self._keeper: threading.Thread | None = None
        self._finished = 0  # finished registrations still in the heap

    @contextmanager
    def limit(self, seconds: float, cut: Callable[[], None]) -> Iterator[Cutoff]:
        """Call `cut` if the block is still running `seconds` from now."""
        cutoff = Cutoff(cut)
        with self._changed:
            heapq.heappush(self._due, (time.monotonic() + seconds, next(self._order), cutoff))
            if self._keeper is None:
                self._keeper = threading.Thread(
                    target=self._keep, daemon=True, name="auditor-deadlines"
                )
                self._keeper.start()
            if self._due[0][2] is cutoff:  # sooner than what the keeper is waiting for
                self._changed.notify()
        try:
            yield cutoff
        finally:
            with self._changed:
                self._finish(cutoff)

    def _finish(self, cutoff: Cutoff) -> None:
        """Called with the lock held. Drops what the cut would have used (a socket, an HTTP
        connection with its buffers) now, not at the deadline; once most of the heap is
        finished registrations, they go, so it stays the size of what is still open."""
        cutoff.finished = True
        cutoff.cut = _nothing
        self._finished += 1
        if self._finished * 2 > len(self._due):
            self._due = [entry for entry in self._due if not entry[2].finished]
            heapq.heapify(self._due)
            self._finished = 0

    def pending(self) -> int:
        """Registrations in the heap: the open ones, and at most as many finished."""
        with self._changed:
            return len(self._due)

    def _keep(self) -> None:
        while True:
            with self._changed:
                while not self._due:
                    self._changed.wait()
                due, _, cutoff = self._due[0]
                left = due - time.monotonic()
                if left > 0:
                    self._changed.wait(left)
                    continue
                heapq.heappop(self._due)
                if cutoff.finished:
                    self._finished -= 1
                    continue
                cutoff.expired = True
            cutoff.cut()  # outside the lock: shutting a socket down may take a moment


def _nothing() -> None:
    """The cut of a finished registration."""


def shut_down(sock: socket.socket | None) -> None:
    """End every read and write on `sock` now, from any thread; closing it stays its owner's job.

    The plain socket's shutdown, also under an SSLSocket: ssl's own would drop the TLS object
    that the reading thread is still using.
    """
    if sock is None:
        return
    with contextlib.suppress(OSError):  # closed already, or never connected: nothing to end
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


# The process's one keeper: connections from every family and thread register here.
DEADLINES = Deadlines()
