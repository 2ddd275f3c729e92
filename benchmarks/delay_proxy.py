"""A TCP proxy on loopback that adds round-trip time and counts connections per upstream.

Each proxied connection costs one extra round trip to open (as a TCP handshake over a real
network would), and every chunk of data is delivered half a round trip after it was read,
in each direction, in order. Connections are counted per upstream, with the peak of
connections open at once, so a benchmark can report "how many connections did this tool
make to that site, and how many at a time".
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

Address = tuple[str, int]


@dataclass
class Counts:
    total: int = 0
    open: int = 0
    peak: int = 0


@dataclass
class DelayProxy:
    """Listeners (listen address -> upstream address), all served by one event loop thread."""

    rtt: float  # seconds added to every round trip
    routes: dict[Address, Address] = field(default_factory=dict)
    counts: dict[Address, Counts] = field(default_factory=lambda: defaultdict(Counts))

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.base_events.Server] = []
        self._lock = threading.Lock()
        # The loop holds tasks weakly: a relay waiting on a quiet peer would be collected
        # mid-run ("Task was destroyed but it is pending"). Held here until each ends.
        self._relays: set[asyncio.Task[None]] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def add(self, listen: Address, upstream: Address) -> Address:
        """Proxy `listen` (port 0: any free port) to `upstream`; returns the bound address."""
        future = asyncio.run_coroutine_threadsafe(self._listen(listen, upstream), self._loop)
        bound = future.result(timeout=10)
        self.routes[bound] = upstream
        return bound

    async def _listen(self, listen: Address, upstream: Address) -> Address:
        def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.ensure_future(self._relay(reader, writer, upstream))
            self._relays.add(task)
            task.add_done_callback(self._relays.discard)

        server = await asyncio.start_server(accepted, listen[0], listen[1])
        self._servers.append(server)
        host, port = server.sockets[0].getsockname()[:2]
        return str(host), int(port)

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()

    def snapshot(self) -> dict[Address, Counts]:
        with self._lock:
            return {k: Counts(v.total, v.open, v.peak) for k, v in self.counts.items()}

    def _opened(self, upstream: Address) -> None:
        with self._lock:
            c = self.counts[upstream]
            c.total += 1
            c.open += 1
            c.peak = max(c.peak, c.open)

    def _closed(self, upstream: Address) -> None:
        with self._lock:
            self.counts[upstream].open -= 1

    async def _relay(
        self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter, upstream: Address
    ) -> None:
        self._opened(upstream)
        # "Open" as the client sees it: until the client has finished sending. The relay
        # itself lingers half a round trip longer, delivering the close to the server.
        closed = False

        def client_done() -> None:
            nonlocal closed
            if not closed:
                closed = True
                self._closed(upstream)

        try:
            await asyncio.sleep(self.rtt)  # the handshake's round trip
            try:
                server_r, server_w = await asyncio.open_connection(*upstream)
            except OSError:
                return
            try:
                await asyncio.gather(
                    self._pipe(client_r, server_w, client_done),
                    self._pipe(server_r, client_w),
                    return_exceptions=True,
                )
            finally:
                with contextlib.suppress(Exception):
                    server_w.close()
        except asyncio.CancelledError:
            # Shutdown ends idle relays; asyncio would log a cancelled connection callback.
            return
        finally:
            client_done()
            with contextlib.suppress(Exception):
                client_w.close()

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        on_eof: Callable[[], None] | None = None,
    ) -> None:
        """Deliver each chunk half a round trip after it was read, keeping the order."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, chunk = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not chunk:
                    with contextlib.suppress(Exception):
                        writer.write_eof()
                    return
                try:
                    writer.write(chunk)
                    await writer.drain()
                except (ConnectionError, OSError):
                    return  # the receiver has gone: nothing left to deliver to

        sender = asyncio.ensure_future(deliver())
        try:
            while True:
                chunk = await reader.read(65536)
                await queue.put((time.monotonic() + self.rtt / 2, chunk))
                if not chunk:
                    if on_eof is not None:
                        on_eof()
                    break
            await sender
        except (ConnectionError, OSError):
            # A reset (a client closing with unread data, as a TLS client does that never
            # reads the server's session tickets) ends the connection as surely as an EOF.
            if on_eof is not None:
                on_eof()
        finally:
            if not sender.done():
                sender.cancel()
                # Wait for it, so no task outlives the proxy's loop.
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await sender
            with contextlib.suppress(Exception):
                await writer.drain()

    def close(self) -> None:
        async def stop() -> None:
            for server in self._servers:
                server.close()
            # Relays still open (a tool that left a connection idle) end here, not at exit.
            # Cancelling a relay can start its cleanup tasks: repeat until nothing is left.
            current = asyncio.current_task()
            for _ in range(5):
                pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
                if not pending:
                    break
                for task in pending:
                    task.cancel()
                await asyncio.wait(pending, timeout=1)

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
