#!/usr/bin/env python3
"""Per-request latency a proxy adds, from a packet capture of both its sides (standard library).

benchmarks/proxy/run.sh captures its 1-connection runs and its streaming probe rounds on the
loopback interface with tcpdump (nanosecond timestamps, the first bytes of each packet) and runs
this on each capture. With
FRONT_PORT (where the proxy listens) and BACK_PORT (the upstream it forwards to), every request
of the client makes four HTTP messages:

  A  the client's request to the proxy        (to FRONT_PORT)
  B  the proxy's request to the upstream      (to BACK_PORT)
  C  the upstream's answer to the proxy       (from BACK_PORT)
  D  the proxy's answer to the client         (from FRONT_PORT)

and what the proxy added to that request is

  added = in + out,   in = B - A,   out = D - C

with each message's time the capture timestamp of the segment that carried its last byte (the
message is complete there: the proxy cannot finish forwarding a request it has not all, and its
peer has the message only once the last byte is there). The upstream's own time (C - B) and the
client's (D - A) are not in it. Without BACK_PORT, the capture is of a server on its own and the
script reports its own time per request (response's last byte - request's last byte).

How the messages are found, without reading the HTTP (the capture holds only the first bytes of
each packet): each TCP connection is followed in both directions by sequence number; segments
without payload (pure ACKs, SYN, FIN) carry no message; a segment whose bytes were all seen
before is a retransmission and is ignored (the first transmission's time counts); a segment
that starts beyond the bytes seen so far means the capture missed bytes (a "gap"), and the
message holding it is not used. Requests on a keep-alive connection are sequential (no
pipelining), so a message is every byte one side sends until the other side sends data: one
request, then its answer, however many segments each takes. A request must begin with a method
("POST "...) and an answer with "HTTP/", or the message is not used. An exchange (request and
answer) of a FRONT_PORT connection is paired with the one exchange of a BACK_PORT connection
that lies inside it (its request starting after A began, its answer ending before D ended);
exchanges with none or several inside are counted as unpaired. This works across any number of
connections on either side as long as the client sends one request at a time.

With --ttft, the answers are streams of server-sent events and what counts is the time to the
first event (TTFT) rather than to the answer's end: C and D are then the segments that carried
the first "data:" of the upstream's answer and of the proxy's, so that

  added = in + out,   in = B - A,   out = D(first data:) - C(first data:)

is what the proxy added to the time to first token of that request. An answer whose first
"data:" the capture cannot place (the bytes before it were cut off by the snap length, or missed)
is not used ("no_data"). The capture must then hold enough of each packet to see where "data:"
begins (run.sh captures the streams with 512 bytes).

Usage:
  added_latency.py [--from NS] [--to NS] [--ttft] [--kv] PCAP FRONT_PORT [BACK_PORT]

  --from/--to  only exchanges whose request A starts at or after --from and whose answer D ends
               at or before --to (nanoseconds since the epoch, the capture's clock) count: the
               measured run, not its warm-up
  --ttft       to the first "data:" of each answer instead of its end (above)
  --kv         one line of key=value pairs (run.sh reads it) instead of a table

Percentiles are nearest-rank, in microseconds. The file is pcap (tcpdump -w), micro- or
nanosecond timestamps, either byte order; link types Ethernet (tcpdump -i lo), Linux cooked (v1,
v2), BSD loopback and raw IP; IPv4 and IPv6.
"""

import bisect
import math
import re
import struct
import sys

PCAP_MAGIC_US = 0xA1B2C3D4
PCAP_MAGIC_NS = 0xA1B23C4D
PCAPNG_MAGIC = 0x0A0D0D0A
REQUEST_HEAD = re.compile(rb"[A-Z]{1,16} ")  # "POST /v1/chat/completions HTTP/1.1"
FIRST_EVENT = b"data:"
SEQ_MOD = 1 << 32
FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10


class CaptureError(Exception):
    pass


def packets(path):
    """Yields (timestamp_ns, src, sport, dst, dport, seq, flags, payload_len, captured_payload)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise CaptureError(f"{path}: too short for a pcap file ({len(data)} bytes)")
    magic_le = struct.unpack_from("<I", data, 0)[0]
    if magic_le == PCAPNG_MAGIC:
        raise CaptureError(f"{path}: pcapng; write pcap (tcpdump -w does)")
    for order in ("<", ">"):
        magic = struct.unpack_from(order + "I", data, 0)[0]
        if magic in (PCAP_MAGIC_US, PCAP_MAGIC_NS):
            break
    else:
        raise CaptureError(f"{path}: not a pcap file (magic {magic_le:#010x})")
    frac_ns = 1 if magic == PCAP_MAGIC_NS else 1000
    linktype = struct.unpack_from(order + "I", data, 20)[0] & 0x0FFFFFFF
    record = struct.Struct(order + "IIII")
    off = 24
    end = len(data)
    while off + 16 <= end:
        sec, frac, incl, orig = record.unpack_from(data, off)
        off += 16
        if off + incl > end:
            break  # the capture was cut short while writing this packet
        pkt = data[off:off + incl]
        off += incl
        parsed = ip_of(linktype, pkt)
        if parsed is None:
            continue
        link, version = parsed
        tcp = tcp_of(pkt, link, version, orig)
        if tcp is not None:
            yield (sec * 1_000_000_000 + frac * frac_ns,) + tcp


def ip_of(linktype, pkt):
    """(offset of the IP header, IP version) or None when the packet is not IP."""
    if linktype == 1:  # Ethernet (tcpdump -i lo)
        off, ethertype = 14, struct.unpack_from(">H", pkt, 12)[0] if len(pkt) >= 14 else 0
        while ethertype in (0x8100, 0x88A8) and len(pkt) >= off + 4:  # VLAN tags
            ethertype = struct.unpack_from(">H", pkt, off + 2)[0]
            off += 4
        version = {0x0800: 4, 0x86DD: 6}.get(ethertype)
    elif linktype == 113:  # Linux cooked v1 (tcpdump -i any)
        off = 16
        version = {0x0800: 4, 0x86DD: 6}.get(struct.unpack_from(">H", pkt, 14)[0]) if len(pkt) >= 16 else None
    elif linktype == 276:  # Linux cooked v2
        off = 20
        version = {0x0800: 4, 0x86DD: 6}.get(struct.unpack_from(">H", pkt, 0)[0]) if len(pkt) >= 20 else None
    elif linktype in (0, 108):  # BSD loopback: a 4-byte address family
        off = 4
        version = pkt[off] >> 4 if len(pkt) > off else None
    elif linktype in (12, 14, 101):  # raw IP
        off = 0
        version = pkt[0] >> 4 if pkt else None
    else:
        raise CaptureError(f"link type {linktype} is not supported (Ethernet, Linux cooked, loopback, raw IP are)")
    if version not in (4, 6):
        return None
    return off, version


def tcp_of(pkt, off, version, orig):
    if version == 4:
        if len(pkt) < off + 20 or pkt[off + 9] != 6:
            return None
        ihl = (pkt[off] & 0x0F) * 4
        total = struct.unpack_from(">H", pkt, off + 2)[0]
        if struct.unpack_from(">H", pkt, off + 6)[0] & 0x1FFF:
            return None  # a fragment other than the first
        src, dst = bytes(pkt[off + 12:off + 16]), bytes(pkt[off + 16:off + 20])
        if total == 0:  # segmentation offload: the length is not in the header
            total = orig - off
        ip_payload = total - ihl
    else:
        if len(pkt) < off + 40 or pkt[off + 6] != 6:
            return None  # not TCP, or behind extension headers (not used on loopback)
        ihl = 40
        ip_payload = struct.unpack_from(">H", pkt, off + 4)[0]
        src, dst = bytes(pkt[off + 8:off + 24]), bytes(pkt[off + 24:off + 40])
        if ip_payload == 0:  # jumbogram
            ip_payload = orig - off - 40
    t = off + ihl
    if len(pkt) < t + 14:
        return None  # snaplen too small for the TCP header
    sport, dport, seq = struct.unpack_from(">HHI", pkt, t)
    doff = (pkt[t + 12] >> 4) * 4
    flags = pkt[t + 13]
    plen = ip_payload - doff
    if plen < 0:
        return None
    return src, sport, dst, dport, seq, flags, plen, bytes(pkt[t + doff:t + doff + plen])


class Message:
    __slots__ = ("start", "end", "head", "bad", "first_data", "data_unknown", "tail")

    def __init__(self, ts, head):
        self.start = self.end = ts
        self.head = head
        self.bad = False
        self.first_data = None     # time of the segment in which the first "data:" was complete
        self.data_unknown = False  # bytes before it were not captured: that time is not known
        self.tail = b""            # the last bytes of the previous segment, for a split "data:"

    def look_for_data(self, ts, captured, plen):
        if self.first_data is not None or self.data_unknown:
            return
        if FIRST_EVENT in self.tail + captured:
            self.first_data = ts
        elif len(captured) < plen:
            self.data_unknown = True  # "data:" may be in what the snap length cut off
        else:
            self.tail = captured[-(len(FIRST_EVENT) - 1):]


class Direction:
    """One direction of a connection: where its bytes have got to."""
    __slots__ = ("base", "high")

    def __init__(self):
        self.base = None  # sequence number of relative byte 0
        self.high = 0     # relative end of the bytes seen

    def place(self, seq):
        rel = (seq - self.base) % SEQ_MOD
        return rel + ((self.high - rel + (SEQ_MOD >> 1)) // SEQ_MOD) * SEQ_MOD


class Connection:
    """One TCP connection to a server port: its requests (direction 0) and answers (1)."""

    def __init__(self):
        self.dirs = (Direction(), Direction())
        self.messages = []  # (direction, Message), in order
        self.current = None  # (direction, Message) still growing
        self.fresh = True    # nothing seen but the handshake

    def close_current(self):
        self.current = None

    def segment(self, d, ts, seq, flags, plen, captured, stats):
        way = self.dirs[d]
        if flags & SYN:
            way.base, way.high = (seq + 1) % SEQ_MOD, 0
            return
        if plen == 0:
            if flags & (FIN | RST):
                self.close_current()
            return
        if way.base is None:
            way.base = seq  # joined mid-connection: its first message may lack its start
        start = way.place(seq)
        end = start + plen
        if end <= way.high:
            stats["retransmitted"] += 1
            return
        gap = start > way.high
        if gap:
            stats["gaps"] += 1
        way.high = end
        self.fresh = False
        if self.current is None or self.current[0] != d:
            self.close_current()
            msg = Message(ts, captured[:16] if start >= 0 and not gap else b"")
            self.current = (d, msg)
            self.messages.append(self.current)
        else:
            msg = self.current[1]
        msg.end = ts
        if gap:
            msg.bad = True  # its exchange is not used
        if d == 1:
            msg.look_for_data(ts, captured, plen)
        if flags & (FIN | RST):
            self.close_current()

    def exchanges(self):
        """(request start, request end, answer start, answer end, answer's first data: or None)
        of each whole exchange."""
        out, skipped = [], 0
        msgs = self.messages
        i = 0
        while i < len(msgs):
            d, req = msgs[i]
            if d != 0:
                i += 1  # an answer without its request (the capture began after it)
                continue
            if i + 1 >= len(msgs):
                break  # a request without an answer (the run ended)
            ans = msgs[i + 1][1]
            ok = (not req.bad and not ans.bad
                  and REQUEST_HEAD.match(req.head) is not None and ans.head.startswith(b"HTTP/"))
            if ok:
                out.append((req.start, req.end, ans.start, ans.end,
                            None if ans.data_unknown else ans.first_data))
            else:
                skipped += 1
            i += 2
        return out, skipped


def read_capture(path, ports):
    """Exchanges per server port: {port: [(a_start, a_end, d_start, d_end, d_first_data), ...]},
    and counters."""
    stats = {"retransmitted": 0, "gaps": 0, "skipped": 0}
    live = {}
    done = {port: [] for port in ports}
    for ts, src, sport, dst, dport, seq, flags, plen, captured in packets(path):
        if dport in ports:
            key, d, port = (src, sport, dst, dport), 0, dport
        elif sport in ports:
            key, d, port = (dst, dport, src, sport), 1, sport
        else:
            continue
        conn = live.get(key)
        if flags & SYN and not flags & ACK and conn is not None and not conn.fresh:
            done[port].append(live.pop(key))  # the same ports again: a new connection
            conn = None
        if conn is None:
            conn = live[key] = Connection()
        conn.segment(d, ts, seq, flags, plen, captured, stats)
    for key, conn in live.items():
        done[key[3]].append(conn)
    result = {}
    for port, conns in done.items():
        rows = []
        for conn in conns:
            ex, skipped = conn.exchanges()
            rows.extend(ex)
            stats["skipped"] += skipped
        rows.sort(key=lambda row: row[:4])
        result[port] = rows
    return result, stats


def pct(values, p):
    if not values:
        return "?"
    s = sorted(values)
    return f"{s[max(1, math.ceil(p / 100 * len(s))) - 1] / 1000:.1f}"


def analyse(path, front, back, t_from, t_to, ttft=False):
    ports = (front,) if back is None else (front, back)
    ex, stats = read_capture(path, ports)
    fronts = [e for e in ex[front] if e[0] >= t_from and e[3] <= t_to]
    out = {"requests": 0, "unpaired": 0, "retransmitted": stats["retransmitted"],
           "gaps": stats["gaps"], "skipped": stats["skipped"]}
    if ttft:
        out["no_data"] = 0
    series = {}
    if back is None:
        own = []
        for _, a_end, _, d_end, d_first in fronts:
            if ttft and d_first is None:
                out["no_data"] += 1
                continue
            own.append((d_first if ttft else d_end) - a_end)
        series["own"] = own
        out["requests"] = len(own)
    else:
        backs = ex[back]
        starts = [e[0] for e in backs]
        added, inb, outb, upstream, total = [], [], [], [], []
        for a_start, a_end, _, d_end, d_first in fronts:
            lo = bisect.bisect_left(starts, a_start)
            hi = bisect.bisect_right(starts, d_end)
            inside = backs[lo:hi]
            if len(inside) != 1 or inside[0][3] > d_end:
                out["unpaired"] += 1
                continue
            _, b_end, _, c_end, c_first = inside[0]
            if ttft and (d_first is None or c_first is None):
                out["no_data"] += 1
                continue
            # When the answers count: their last bytes, or with --ttft their first events.
            c_at, d_at = (c_first, d_first) if ttft else (c_end, d_end)
            inb.append(b_end - a_end)
            outb.append(d_at - c_at)
            added.append(b_end - a_end + d_at - c_at)
            upstream.append(c_at - b_end)
            total.append(d_at - a_end)
        out["requests"] = len(added)
        series.update(added=added, **{"in": inb, "out": outb}, upstream=upstream, total=total)
    for name, values in series.items():
        for p in (50, 90, 99):
            out[f"{name}_p{p}"] = pct(values, p)
        out[f"{name}_max"] = f"{max(values) / 1000:.1f}" if values else "?"
    return out, list(series)


def main(argv):
    args, t_from, t_to, kv, ttft = [], 0, float("inf"), False, False
    it = iter(argv)
    for a in it:
        if a in ("--from", "--to"):
            value = next(it, None)
            if value is None or not value.isdigit():
                return usage(f"{a} wants nanoseconds since the epoch")
            if a == "--from":
                t_from = int(value)
            else:
                t_to = int(value)
        elif a == "--kv":
            kv = True
        elif a == "--ttft":
            ttft = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("-"):
            return usage(f"unknown option {a}")
        else:
            args.append(a)
    if len(args) not in (2, 3) or not all(x.isdigit() for x in args[1:]):
        return usage("want PCAP FRONT_PORT [BACK_PORT]")
    front = int(args[1])
    back = int(args[2]) if len(args) == 3 else None
    if back == front:
        return usage("FRONT_PORT and BACK_PORT must differ")
    try:
        out, names = analyse(args[0], front, back, t_from, t_to, ttft)
    except (OSError, CaptureError) as e:
        print(f"added_latency: {e}", file=sys.stderr)
        return 1
    if kv:
        print(" ".join(f"{k}={v}" for k, v in out.items()))
        return 0
    print(f"{out['requests']} requests; {out['unpaired']} unpaired, {out['skipped']} exchanges not used"
          f" (malformed or incomplete), {out['retransmitted']} retransmitted segments,"
          f" {out['gaps']} gaps" + (f", {out['no_data']} without a first data: in the capture" if ttft else ""))
    print(f"{'us':10s} {'p50':>10s} {'p90':>10s} {'p99':>10s} {'max':>10s}")
    for name in names:
        print(f"{name:10s}" + "".join(f" {out[f'{name}_{q}']:>10s}" for q in ("p50", "p90", "p99", "max")))
    return 0


def usage(why):
    print(f"added_latency: {why}\nusage: added_latency.py [--from NS] [--to NS] [--ttft] [--kv] PCAP FRONT_PORT [BACK_PORT]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
