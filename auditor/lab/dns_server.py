"""An authoritative DNS server on loopback that answers from zone files, built on dnspython.

`auditor demo` and the tests of the mail family use it: the demo must need nothing but
Python (no knot, nsd or bind9 to install), and the tests then run against the same server
the demo does. It serves several zones from one address, as a resolver sees them: a name
is answered from the deepest zone that holds it, a DS question from the zone above the
child's apex. It speaks UDP and TCP; an answer larger than the asker's UDP size (512 bytes
without EDNS) is sent truncated, so the asker retries over TCP, as with a real server.
With the DO bit set it adds the RRSIGs a signed zone holds (`sign` signs a zone with
dnspython's `dns.dnssec`).

Every question is counted, so a test or a benchmark can show that a run asks each one
once; names listed as `silent` get no answer at all (a dead nameserver); `delay` adds that
many seconds before every answer (a round trip over a real network).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping

import dns.dnssec
import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.node
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.RRSIG import RRSIG

from checks.mail.dnssec import signed_data

_NO_EDNS_SIZE = 512


def zone(origin: str, text: str) -> dns.zone.Zone:
    """A zone from zone-file text; `@` is `origin`. A default SOA and NS are added."""
    apex = origin.rstrip(".") + "."
    server = "ns.root-servers.test." if apex == "." else f"ns.{apex}"
    header = f"$TTL 300\n@ SOA {server} hostmaster.{server} 1 7200 900 1209600 300\n"
    header += f"@ NS {server}\n"
    return dns.zone.from_text(header + text, origin=apex, relativize=False)


def sign(
    signed: dns.zone.Zone,
    inception: float | None = None,
    lifetime: int = 30 * 86400,
    corrupt: bool = False,
) -> tuple[dns.zone.Zone, str]:
    """Sign `signed` in place with a fresh ECDSA P-256 key (algorithm 13; one key, flags 257,
    signs everything); return it and its DS as a trust anchor or a parent publishes it
    ("zone keytag algorithm digest-type digest"). `corrupt` spoils every signature but the
    DNSKEY set's: a zone whose data does not validate (bogus).

    dnspython signs only with cryptography 50 or newer (sslyze pins an older one), so the
    signatures are made here with what `checks.mail.dnssec` verifies them with."""
    private = ec.generate_private_key(ec.SECP256R1())
    point = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    apex = origin(signed)
    dnskey = DNSKEY(dns.rdataclass.IN, dns.rdatatype.DNSKEY, 257, 3, 13, point[1:])  # type: ignore[no-untyped-call]
    tag = dns.dnssec.key_id(dnskey)
    start = int(time.time() - 3600 if inception is None else inception)
    with signed.writer() as txn:
        txn.add(apex, 300, dnskey)
    with signed.writer() as txn:
        for name, node in list(signed.nodes.items()):
            for rdataset in list(node.rdatasets):
                if rdataset.rdtype == dns.rdatatype.RRSIG:
                    continue
                rrset = _rrset(name, rdataset)
                labels = len(name.labels) - 1 - (1 if name.labels[0] == b"*" else 0)
                template = RRSIG(  # type: ignore[no-untyped-call]
                    dns.rdataclass.IN, dns.rdatatype.RRSIG, rdataset.rdtype, 13, labels,
                    rdataset.ttl, start + lifetime, start, tag, apex, b"",
                )  # fmt: skip
                der = private.sign(signed_data(rrset, template), ECDSA(SHA256()))
                r, s = decode_dss_signature(der)
                signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
                if corrupt and rdataset.rdtype != dns.rdatatype.DNSKEY:
                    signature = bytes(b ^ 0xFF for b in signature)
                txn.add(name, rdataset.ttl, template.replace(signature=signature))
    ds = dns.dnssec.make_ds(apex, dnskey, "SHA256")
    return signed, f"{apex.to_text()} {ds.to_text()}"


def origin(found: dns.zone.Zone) -> dns.name.Name:
    assert found.origin is not None  # every zone here is made with its origin
    return found.origin


class LabDnsServer:
    """Answers for `zones` on `address`; `port` 0 picks a free one (UDP and TCP alike)."""

    def __init__(
        self,
        address: str,
        zones: Iterable[dns.zone.Zone],
        port: int = 0,
        silent: Iterable[str] = (),
        delay: float = 0.0,
    ) -> None:
        self.zones: dict[dns.name.Name, dns.zone.Zone] = {origin(z): z for z in zones}
        self.silent = {dns.name.from_text(n) for n in silent}
        self.delay = delay
        self.questions: Counter[tuple[str, str]] = Counter()
        self.truncated: Counter[tuple[str, str]] = Counter()
        self.address = address
        self.udp, self.tcp, self.port = _bind(address, port)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._serve_udp, daemon=True, name="lab-dns-udp"),
            threading.Thread(target=self._serve_tcp, daemon=True, name="lab-dns-tcp"),
        ]
        for thread in self._threads:
            thread.start()

    def config(self) -> str:
        """The `[dns]` table that points a run at this server."""
        return f'[dns]\nnameservers = ["{self.address}"]\nport = {self.port}\n'

    def asked(self, name: str, rdtype: str) -> int:
        with self._lock:
            return self.questions[(name.lower().rstrip("."), rdtype)]

    def repeated(self) -> dict[tuple[str, str], int]:
        """The questions asked more than once (a truncated answer's retry over TCP is not
        asking again)."""
        with self._lock:
            asked = self.questions - self.truncated
            return {q: n for q, n in asked.items() if n > 1}

    def reset(self) -> None:
        with self._lock:
            self.questions.clear()
            self.truncated.clear()

    def close(self) -> None:
        self._stop.set()
        for sock in (self.udp, self.tcp):
            sock.close()
        for thread in self._threads:
            thread.join(timeout=2)

    # -- serving

    def _serve_udp(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._udp_answer, args=(data, peer), daemon=True).start()

    def _udp_answer(self, data: bytes, peer: tuple[str, int]) -> None:
        wire = self._respond(data, tcp=False)
        if wire is not None:
            with contextlib.suppress(OSError):
                self.udp.sendto(wire, peer)

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._tcp_answer, args=(conn,), daemon=True).start()

    def _tcp_answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                size = struct.unpack("!H", _read(conn, 2))[0]
                wire = self._respond(_read(conn, size), tcp=True)
                if wire is not None:
                    conn.sendall(struct.pack("!H", len(wire)) + wire)
            except (OSError, struct.error):
                pass

    def _respond(self, data: bytes, tcp: bool) -> bytes | None:
        try:
            query = dns.message.from_wire(data)
            question = query.question[0]
        except (dns.exception.DNSException, IndexError):
            return None
        key = (
            question.name.to_text(omit_final_dot=True).lower(),
            dns.rdatatype.to_text(question.rdtype),
        )
        with self._lock:
            self.questions[key] += 1
        if any(question.name.is_subdomain(name) for name in self.silent):
            return None
        if self.delay:
            time.sleep(self.delay)
        response = self._answer(query, question.name, question.rdtype)
        limit = (
            65535
            if tcp
            else max(query.payload, _NO_EDNS_SIZE)
            if query.edns >= 0
            else _NO_EDNS_SIZE
        )
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            with self._lock:  # the asker comes back over TCP: one question, not two
                self.truncated[key] += 1
            truncated = dns.message.make_response(query)
            truncated.flags |= dns.flags.TC | dns.flags.AA
            return truncated.to_wire()

    def _answer(
        self, query: dns.message.Message, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> dns.message.Message:
        response = dns.message.make_response(query)
        found = self._zone_for(name, rdtype)
        if found is None:
            response.set_rcode(dns.rcode.REFUSED)
            return response
        response.flags |= dns.flags.AA
        dnssec = bool(query.ednsflags & dns.flags.DO)
        node = found.get_node(name)
        if node is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            self._authority(response, found, name, dnssec)
            return response
        cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
        rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype) or cname
        if rdataset is None:
            self._authority(response, found, name, dnssec)
            return response
        response.answer.append(_rrset(name, rdataset))
        if dnssec:
            response.answer += _signatures(node, name, rdataset.rdtype)
        return response

    def _zone_for(
        self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> dns.zone.Zone | None:
        """The deepest zone holding `name`; for a DS, the deepest strictly above its apex."""
        best: dns.zone.Zone | None = None
        for apex, candidate in self.zones.items():
            if not name.is_subdomain(apex):
                continue
            if rdtype == dns.rdatatype.DS and name == apex:
                continue
            if best is None or len(apex) > len(origin(best)):
                best = candidate
        return best

    def _authority(
        self, response: dns.message.Message, found: dns.zone.Zone, name: dns.name.Name, dnssec: bool
    ) -> None:
        """The SOA of a negative answer, and, in a signed zone, the NSEC records that prove it."""
        top = origin(found)
        apex = found.get_node(top)
        soa = None if apex is None else apex.get_rdataset(dns.rdataclass.IN, dns.rdatatype.SOA)
        if apex is None or soa is None:
            return
        response.authority.append(_rrset(top, soa))
        if not dnssec:
            return
        response.authority += _signatures(apex, top, dns.rdatatype.SOA)
        for owner, node in _nsec_covering(found, name):
            nsec = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC)
            if nsec is not None:
                response.authority.append(_rrset(owner, nsec))
                response.authority += _signatures(node, owner, dns.rdatatype.NSEC)


def _bind(address: str, port: int) -> tuple[socket.socket, socket.socket, int]:
    """A UDP and a TCP socket on the same port (the first free one when `port` is 0)."""
    for _ in range(20):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((address, port))
        chosen = int(udp.getsockname()[1])
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind((address, chosen))
        except OSError:
            udp.close()
            tcp.close()
            if port:
                raise
            continue
        tcp.listen(64)
        udp.settimeout(0.2)
        tcp.settimeout(0.2)
        return udp, tcp, chosen
    raise OSError(f"no port free for both UDP and TCP on {address}")


def _read(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def _rrset(name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    return dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset))


def _signatures(
    node: dns.node.Node, name: dns.name.Name, covered: dns.rdatatype.RdataType
) -> list[dns.rrset.RRset]:
    sigs = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, covered)
    return [] if sigs is None else [_rrset(name, sigs)]


def _nsec_covering(
    found: dns.zone.Zone, name: dns.name.Name
) -> list[tuple[dns.name.Name, dns.node.Node]]:
    """The NSEC at `name` (no such type), or the one whose span covers it (no such name)."""
    owners = sorted(found.nodes)
    previous = [o for o in owners if o <= name]
    owner = previous[-1] if previous else owners[-1]
    return [(owner, found.nodes[owner])]


def zones_from(texts: Mapping[str, str]) -> list[dns.zone.Zone]:
    return [zone(origin, text) for origin, text in texts.items()]
