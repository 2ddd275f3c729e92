"""A small DNS server on loopback that answers from a table, for the resolution tests.

Built on dnspython's message layer (the library the auditor resolves with): names in the
table answer with their A/AAAA records, or an empty answer for a type they lack (a name
with a CNAME answers with it and its target's records); unknown
names are NXDOMAIN; names listed as silent get no answer at all, (name, type) pairs listed
as failing a SERVFAIL. Every question is counted,
so a test can show that a run asks each one once.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Mapping

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

Records = Mapping[str, Mapping[str, list[str]]]  # name -> type -> values


class LoopbackDns:
    def __init__(
        self,
        address: str,
        records: Records,
        silent: frozenset[str] = frozenset(),
        failing: frozenset[tuple[str, str]] = frozenset(),
    ):
        self.records = records
        self.silent = silent
        self.failing = failing
        self.questions: Counter[tuple[str, str]] = Counter()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, 0))
        self.sock.settimeout(0.2)
        self.address = address
        self.port: int = self.sock.getsockname()[1]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="lab-dns")
        self._thread.start()

    def config(self) -> str:
        return f'[dns]\nnameservers = ["{self.address}"]\nport = {self.port}\n'

    def asked(self, name: str, rdtype: str) -> int:
        with self._lock:
            return self.questions[(name, rdtype)]

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            query = dns.message.from_wire(data)
            question = query.question[0]
            name = question.name.to_text(omit_final_dot=True).lower()
            rdtype = dns.rdatatype.to_text(question.rdtype)
            with self._lock:
                self.questions[(name, rdtype)] += 1
            if name in self.silent:
                continue
            response = dns.message.make_response(query)
            if (name, rdtype) in self.failing:
                response.set_rcode(dns.rcode.SERVFAIL)
            elif name not in self.records:
                response.set_rcode(dns.rcode.NXDOMAIN)
            else:
                self._answer(response, name, rdtype)
            self.sock.sendto(response.to_wire(), peer)

    def _answer(self, response: dns.message.Message, name: str, rdtype: str) -> None:
        """The records asked for; a name with a CNAME answers with it and its target's."""
        owner = dns.name.from_text(name)
        alias = self.records[name].get("CNAME", [])
        if alias and rdtype != "CNAME":
            response.answer.append(dns.rrset.from_text_list(owner, 60, "IN", "CNAME", alias))
            target = alias[0].rstrip(".").lower()
            owner, name = dns.name.from_text(target), target
        values = self.records.get(name, {}).get(rdtype, [])
        if values:
            response.answer.append(dns.rrset.from_text_list(owner, 60, "IN", rdtype, values))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()
