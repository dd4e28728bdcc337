#!/usr/bin/env python3
"""Checks added_latency.py on captures written here, with known times (standard library only).

Run: python3 benchmarks/proxy/added_latency_test.py   (exits 1 on a failure)

Each case writes a pcap the way `tcpdump -i lo -s 128 --time-stamp-precision=nano -w` does
(Ethernet, IPv4, TCP with a 12-byte timestamp option, packets cut at 128 bytes, or at 512 for the
streams of --ttft) and compares what added_latency.py makes of it with the times the case put in.
"""

import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import added_latency  # noqa: E402

LO = bytes([127, 0, 0, 1])
SNAPLEN = 128
FRONT, BACK = 9000, 9001
US = 1000  # ns
T0 = 1_800_000_000 * 1_000_000_000


class Capture:
    def __init__(self, snaplen=SNAPLEN):
        self.records = []
        self.snaplen = snaplen

    def tcp(self, ts, sport, dport, seq, payload=b"", flags=0x18, length=None):
        """One segment; payload is its first bytes, length (default len(payload)) its size."""
        length = len(payload) if length is None else length
        options = b"\x01\x01\x08\x0a" + b"\0" * 8
        tcp = struct.pack(">HHIIBBHHH", sport, dport, seq % (1 << 32), 1, (32 // 4) << 4, flags,
                          512, 0, 0) + options
        total = 20 + len(tcp) + length
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, LO, LO)
        frame = b"\0" * 12 + b"\x08\x00" + ip + tcp + payload.ljust(length, b"x")[:length]
        self.records.append((ts, frame))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, self.snaplen, 1))
            for ts, frame in self.records:
                cut = frame[:self.snaplen]
                f.write(struct.pack("<IIII", ts // 1_000_000_000, ts % 1_000_000_000, len(cut),
                                    len(frame)))
                f.write(cut)


class Conn:
    """One TCP connection from cport to sport, tracking both sequence numbers."""

    def __init__(self, cap, cport, sport, ts, isn_c=1000, isn_s=5000, handshake=True):
        self.cap, self.cport, self.sport = cap, cport, sport
        self.c, self.s = isn_c, isn_s
        if handshake:
            cap.tcp(ts, cport, sport, self.c, flags=0x02)
            cap.tcp(ts + 1, sport, cport, self.s, flags=0x12)
            cap.tcp(ts + 2, cport, sport, self.c + 1, flags=0x10)
        self.c += 1
        self.s += 1

    def send(self, ts, to_server, payload, length=None):
        length = len(payload) if length is None else length
        if to_server:
            self.cap.tcp(ts, self.cport, self.sport, self.c, payload, length=length)
            self.c += length
        else:
            self.cap.tcp(ts, self.sport, self.cport, self.s, payload, length=length)
            self.s += length

    def ack(self, ts, from_server):
        if from_server:
            self.cap.tcp(ts, self.sport, self.cport, self.s, flags=0x10)
        else:
            self.cap.tcp(ts, self.cport, self.sport, self.c, flags=0x10)


REQ = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
ANS = b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n"


def proxied(cap, front, back, t, a, b, c, d):
    """One request through the proxy; a..d are the four messages' times after t (us)."""
    front.send(t + a * US, True, REQ, 1100)
    back.send(t + b * US, True, REQ, 1150)
    back.send(t + c * US, False, ANS, 1500)
    front.send(t + d * US, False, ANS, 1520)


def run(cap, *args, ttft=False):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "c.pcap")
        cap.write(path)
        out, _ = added_latency.analyse(path, *args, ttft=ttft)
    return out


failures = 0


def expect(case, out, **want):
    global failures
    for key, value in want.items():
        if str(out.get(key)) != str(value):
            failures += 1
            print(f"FAIL {case}: {key} = {out.get(key)}, want {value}  ({out})")
            return
    print(f"ok   {case}")


def case_plain():
    cap = Capture()
    front = Conn(cap, 40000, FRONT, T0)
    back = Conn(cap, 40001, BACK, T0 + 10)
    t = T0 + 1000 * US
    for i in range(100):  # in = 10 + i % 5 us, out = 20 us
        proxied(cap, front, back, t, 0, 10 + i % 5, 100, 120)
        t += 200 * US
    out = run(cap, FRONT, BACK, 0, float("inf"))
    expect("plain", out, requests=100, unpaired=0, added_p50="32.0", added_max="34.0",
           in_p50="12.0", out_p99="20.0", upstream_p50="88.0")


def case_split_ack_retransmit():
    cap = Capture()
    front = Conn(cap, 40000, FRONT, T0)
    back = Conn(cap, 40001, BACK, T0 + 10)
    t = T0 + 1000 * US
    for _ in range(10):
        # the request in two segments with an ACK between: A is the second one (t + 5)
        front.send(t, True, REQ, 600)
        front.ack(t + 2 * US, True)
        front.send(t + 5 * US, True, b"", 500)
        back.send(t + 20 * US, True, REQ, 1150)       # in = 15
        back.ack(t + 21 * US, True)
        back.send(t + 100 * US, False, ANS, 1500)     # C
        # the answer to the client in three segments: D is the last (t + 140)
        front.send(t + 110 * US, False, ANS, 700)
        front.ack(t + 111 * US, False)
        front.send(t + 130 * US, False, b"y", 400)
        front.send(t + 140 * US, False, b"z", 420)
        # a retransmission of the upstream's answer after the proxy answered: ignored
        cap.tcp(t + 150 * US, BACK, 40001, back.s - 1500, ANS, length=1500)
        t += 300 * US
    out = run(cap, FRONT, BACK, 0, float("inf"))
    expect("split segments, pure ACKs, a retransmission", out, requests=10, unpaired=0,
           added_max="55.0", in_p50="15.0", out_p50="40.0", retransmitted=10)


def case_gap_and_head():
    cap = Capture()
    front = Conn(cap, 40000, FRONT, T0)
    back = Conn(cap, 40001, BACK, T0 + 10)
    t = T0 + 1000 * US
    proxied(cap, front, back, t, 0, 10, 100, 120)
    t += 200 * US
    # the capture misses the first 100 bytes of the proxy's answer: that request is not used
    front.send(t, True, REQ, 1100)
    back.send(t + 10 * US, True, REQ, 1150)
    back.send(t + 100 * US, False, ANS, 1500)
    front.s += 100
    front.send(t + 120 * US, False, b"rest", 1420)
    t += 200 * US
    proxied(cap, front, back, t, 0, 11, 100, 121)
    out = run(cap, FRONT, BACK, 0, float("inf"))
    expect("a gap in the capture", out, requests=2, gaps=1, skipped=1, unpaired=0, added_max="32.0")


def case_wrap_and_window():
    cap = Capture()
    front = Conn(cap, 40000, FRONT, T0, isn_c=(1 << 32) - 3000, isn_s=(1 << 32) - 700)
    back = Conn(cap, 40001, BACK, T0 + 10, isn_c=(1 << 32) - 5, isn_s=(1 << 32) - 2000)
    t = T0 + 1000 * US
    for i in range(20):  # the first 5 (warm-up) add 1000 us; then 30 us
        slow = 1000 if i < 5 else 0
        proxied(cap, front, back, t, 0, 10 + slow, 100 + slow, 120 + slow)
        t += 2000 * US
    window_from = T0 + (1000 + 5 * 2000) * US
    out = run(cap, FRONT, BACK, window_from, t)
    expect("sequence numbers wrapping, a window", out, requests=15, added_max="30.0",
           retransmitted=0, gaps=0)


def case_two_upstream_connections_midstream():
    cap = Capture()
    # the capture starts on established connections (no handshake); the first front message is
    # the tail of an answer, then the proxy changes upstream connection halfway
    front = Conn(cap, 40000, FRONT, T0, handshake=False)
    back1 = Conn(cap, 40001, BACK, T0, handshake=False)
    front.send(T0 + 10 * US, False, b"tail of an answer", 300)
    t = T0 + 1000 * US
    for _ in range(5):
        proxied(cap, front, back1, t, 0, 10, 100, 120)
        t += 200 * US
    back2 = Conn(cap, 40002, BACK, t)
    t += 100 * US
    for _ in range(5):
        proxied(cap, front, back2, t, 0, 20, 100, 120)
        t += 200 * US
    cap.tcp(t, 40000, FRONT, front.c, flags=0x11)  # the client's FIN
    out = run(cap, FRONT, BACK, 0, float("inf"))
    expect("joined mid-connection, two upstream connections", out, requests=10, unpaired=0,
           in_p90="20.0", in_p50="10.0", added_max="40.0")


def case_server_alone():
    cap = Capture()
    conn = Conn(cap, 40000, BACK, T0)
    t = T0 + 1000 * US
    for i in range(10):
        conn.send(t, True, REQ, 1100)
        conn.send(t + (50 + i) * US, False, ANS, 1500)
        t += 100 * US
    conn.send(t, True, REQ, 1100)  # the run ends before this one's answer
    out = run(cap, BACK, None, 0, float("inf"))
    expect("a server on its own", out, requests=10, own_p50="54.0", own_max="59.0")


def case_unpaired():
    cap = Capture()
    front = Conn(cap, 40000, FRONT, T0)
    back = Conn(cap, 40001, BACK, T0 + 10)
    t = T0 + 1000 * US
    proxied(cap, front, back, t, 0, 10, 100, 120)
    t += 200 * US
    # answered by the proxy itself, no upstream exchange
    front.send(t, True, REQ, 1100)
    front.send(t + 30 * US, False, ANS, 200)
    cap.tcp(t + 40 * US, 40000, FRONT, front.c, flags=0x11)  # the client's FIN
    out = run(cap, FRONT, BACK, 0, float("inf"))
    expect("a request the proxy answered itself", out, requests=1, unpaired=1)


# Streams (--ttft). Each segment's bytes are given whole: where "data:" is matters. The heads are
# as long as real ones (fake-llm's ~110 bytes, sluice's ~180), so a 128-byte capture cuts before
# the first event when head and event share a segment.
UP_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n".ljust(108, b"h") + b"\r\n\r\n"
PROXY_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n".ljust(176, b"h") + b"\r\n\r\n"
EVENT = b'data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n'
CHUNK = b'data: {"choices":[{"delta":{"content":"x"}}]}\n\n'


def streamed(cap, front, back, t, a, b, c_head, c, d, more=3):
    """One streamed request through the proxy (times in us after t): the upstream sends its head
    alone at c_head and its first event at c; the proxy sends its head and first event in one
    segment at d; then `more` events on each side, 1 ms apart."""
    front.send(t + a * US, True, REQ, 1100)
    back.send(t + b * US, True, REQ, 1150)
    back.send(t + c_head * US, False, UP_HEAD)
    back.send(t + c * US, False, EVENT)
    front.send(t + d * US, False, PROXY_HEAD + EVENT)
    for i in range(1, more + 1):
        back.send(t + (c + 1000 * i) * US, False, CHUNK)
        front.send(t + (d + 1000 * i) * US, False, CHUNK)


def case_ttft_streams():
    cap = Capture(512)
    front = Conn(cap, 40000, FRONT, T0)
    back = Conn(cap, 40001, BACK, T0 + 10)
    t = T0 + 1000 * US
    for i in range(10):  # in = 10 us, out = 20 + i us; the answers' ends are 3 ms later
        streamed(cap, front, back, t, 0, 10, 50, 100, 120 + i)
        t += 10_000 * US
    out = run(cap, FRONT, BACK, 0, float("inf"), ttft=True)
    expect("ttft: streams", out, requests=10, unpaired=0, no_data=0, in_p50="10.0",
           out_p50="24.0", added_max="39.0", upstream_p50="90.0", total_p99="129.0")
    # the same capture, to the answers' ends: out is then 3 ms later on both sides alike
    out = run(cap, FRONT, BACK, 0, float("inf"))
    expect("ttft: the same streams to their ends", out, requests=10, out_p50="24.0",
           upstream_p50="3090.0")


def case_ttft_split_and_cut():
    # "data:" split across two segments: the second, where it is complete, is the time
    cap = Capture(512)
    front = Conn(cap, 40000, FRONT, T0)
    back = Conn(cap, 40001, BACK, T0 + 10)
    t = T0 + 1000 * US
    front.send(t, True, REQ, 1100)
    back.send(t + 10 * US, True, REQ, 1150)
    back.send(t + 100 * US, False, UP_HEAD + EVENT)
    front.send(t + 110 * US, False, PROXY_HEAD + b"da")
    front.send(t + 150 * US, False, EVENT[2:])
    out = run(cap, FRONT, BACK, 0, float("inf"), ttft=True)
    expect("ttft: data: split across segments", out, requests=1, out_p50="50.0", in_p50="10.0")
    # cut at 128 bytes, the proxy's first segment hides where its first event begins: not used
    cap = Capture(128)
    front = Conn(cap, 40000, FRONT, T0)
    back = Conn(cap, 40001, BACK, T0 + 10)
    streamed(cap, front, back, T0 + 1000 * US, 0, 10, 50, 100, 120)
    out = run(cap, FRONT, BACK, 0, float("inf"), ttft=True)
    expect("ttft: a capture too short", out, requests=0, no_data=1, unpaired=0)


def case_ttft_server_alone():
    cap = Capture(512)
    conn = Conn(cap, 40000, BACK, T0)
    t = T0 + 1000 * US
    for i in range(5):
        conn.send(t, True, REQ, 1100)
        conn.send(t + 40 * US, False, UP_HEAD)
        conn.send(t + (60 + i) * US, False, EVENT)
        conn.send(t + 2000 * US, False, CHUNK)
        t += 5000 * US
    out = run(cap, BACK, None, 0, float("inf"), ttft=True)
    expect("ttft: a server on its own", out, requests=5, own_p50="62.0", own_max="64.0")


for case in (case_plain, case_split_ack_retransmit, case_gap_and_head, case_wrap_and_window,
             case_two_upstream_connections_midstream, case_server_alone, case_unpaired,
             case_ttft_streams, case_ttft_split_and_cut, case_ttft_server_alone):
    case()
if failures:
    print(f"{failures} failed")
    sys.exit(1)
print("all passed")
