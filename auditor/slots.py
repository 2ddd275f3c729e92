"""At most N connections open at once to one server, across every family of a run.

The tls probe, the https checks and the ssh probe of the same address run concurrently;
each takes a slot for every connection it opens, so a server sees at most
`limits.per_server_connections` of ours at a time, whatever the families do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

Gate = Callable[[], AbstractContextManager[object]]


def no_gate() -> AbstractContextManager[object]:
    return nullcontext()


class ConnectionSlots:
    def __init__(self, per_server: int) -> None:
        self.per_server = max(1, per_server)
        self._lock = threading.Lock()
        self._servers: dict[str, threading.BoundedSemaphore] = {}

    @contextmanager
    def slot(self, address: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._servers.setdefault(
                address, threading.BoundedSemaphore(self.per_server)
            )
        with semaphore:
            yield

    def gate(self, address: str) -> Gate:
        """A zero-argument context-manager factory for one server, for the probes."""
        return lambda: self.slot(address)
