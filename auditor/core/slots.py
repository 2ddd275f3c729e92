"""At most N connections open at once to one server, across every family of a run.

The tls probe, the https checks and the ssh probe of the same address run concurrently;
each takes a slot for every connection it opens, so a server sees at most
`limits.per_server_connections` of ours at a time, whatever the families do.

Time a target spends queued behind that limit, with no connection of its own open, is our
own doing, not the server's: each target gets a view of the slots (`for_target`) that
counts it, and the runner leaves it out of the target's timeout.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

Gate = Callable[[], AbstractContextManager[object]]


def no_gate() -> AbstractContextManager[object]:
    return nullcontext()


class _HeldUp:
    """How long one target has waited for a slot while holding none (its threads together)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting = 0
        self._open = 0
        self._since: float | None = None
        self._total = 0.0

    def change(self, waiting: int = 0, opened: int = 0) -> None:
        with self._lock:
            self._waiting += waiting
            self._open += opened
            now = time.monotonic()
            held_up = self._waiting > 0 and self._open == 0
            if held_up and self._since is None:
                self._since = now
            elif not held_up and self._since is not None:
                self._total += now - self._since
                self._since = None

    def seconds(self, now: float) -> float:
        with self._lock:
            return self._total + (now - self._since if self._since is not None else 0.0)


class ConnectionSlots:
    def __init__(self, per_server: int) -> None:
        self.per_server = max(1, per_server)
        self._lock = threading.Lock()
        self._servers: dict[str, threading.BoundedSemaphore] = {}
        self._held_up = _HeldUp()

    def for_target(self) -> ConnectionSlots:
        """The same slots (the same limit, shared), counting this target's waits apart."""
        view = copy.copy(self)
        view._held_up = _HeldUp()
        return view

    def held_up(self, now: float) -> float:
        """Seconds this view's target has waited for a slot with none open, until `now`."""
        return self._held_up.seconds(now)

    @contextmanager
    def slot(self, address: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._servers.setdefault(
                address, threading.BoundedSemaphore(self.per_server)
            )
        self._held_up.change(waiting=1)
        try:
            semaphore.acquire()
        finally:
            self._held_up.change(waiting=-1)
        self._held_up.change(opened=1)
        try:
            yield
        finally:
            self._held_up.change(opened=-1)
            semaphore.release()

    def gate(self, address: str) -> Gate:
        """A zero-argument context-manager factory for one server, for the probes."""
        return lambda: self.slot(address)
