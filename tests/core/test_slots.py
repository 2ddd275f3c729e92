"""Connection slots: never more than the limit open at once to one server."""

from __future__ import annotations

import threading
import time

from auditor.core.slots import ConnectionSlots


def test_slots_bound_concurrency_per_server_not_across_servers() -> None:
    slots = ConnectionSlots(3)
    lock = threading.Lock()
    open_now: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0}

    def connect(server: str) -> None:
        with slots.slot(server):
            with lock:
                open_now[server] += 1
                peak[server] = max(peak[server], open_now[server])
            time.sleep(0.01)
            with lock:
                open_now[server] -= 1

    threads = [threading.Thread(target=connect, args=(s,)) for s in "ab" * 20]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == {"a": 3, "b": 3}
    assert open_now == {"a": 0, "b": 0}


def test_a_gate_is_a_reusable_factory() -> None:
    slots = ConnectionSlots(1)
    gate = slots.gate("a")
    with gate():
        pass
    with gate():  # released: a second use does not block
        pass
    assert slots.per_server == 1
