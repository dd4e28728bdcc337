#!/usr/bin/env python3
"""Streaming client of benchmarks/proxy/run.sh (standard library only).

Opens N connections to 127.0.0.1:PORT, then sends one streaming chat request on each, all at
once, and reads every stream to its end. Per stream it records the time to the first `data:`
event (TTFT): from just before the request's send() to the kernel's receive timestamp of the
bytes that carried that event (SO_TIMESTAMPNS), so the time this single-threaded client needs to
get round to a socket is not counted. A first read that finds the next content chunk already
queued is counted as `late`: TCP may have merged it into the same buffer, whose timestamp is then
the later one. While the streams run it samples VmRSS of PID every 5 ms.

Usage: streams.py PORT N BODY_FILE PID EXPECTED_DATA_EVENTS CHUNK_DELAY_MS TIMEOUT_S

Prints one line of key=value pairs on stdout (see the end of main); problems go to stderr.
"""

import collections
import errno
import math
import os
import select
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; Python does not export it
FIRST_READ = 256  # small reads until the first event: the timestamp then belongs to its bytes
PARK_S = 0.5      # longest a stream goes unread after its first event while others wait


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def percentile(sorted_values, p):
    """Nearest rank."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


class Stream:
    __slots__ = ("sock", "t_send", "ttft_ns", "ttft_user_ns", "raw", "head_done", "status",
                 "chunked", "length", "body", "pos", "finished", "error")

    def __init__(self, sock):
        self.sock = sock
        self.t_send = 0
        self.ttft_ns = None
        self.ttft_user_ns = None
        self.raw = bytearray()    # bytes not yet parsed
        self.head_done = False
        self.status = 0
        self.chunked = False
        self.length = None        # content-length, when not chunked
        self.body = bytearray()   # decoded body
        self.pos = 0              # chunk parser: bytes of the current chunk still due
        self.finished = False
        self.error = None

    def feed(self, data):
        """Parses what arrived; returns True once the body holds a `data:` event."""
        self.raw += data
        if not self.head_done:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return False
            head = bytes(self.raw[:end]).decode("latin-1").split("\r\n")
            del self.raw[:end + 4]
            self.head_done = True
            parts = head[0].split(" ")
            self.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                name, value = name.strip().lower(), value.strip()
                if name == "transfer-encoding" and "chunked" in value.lower():
                    self.chunked = True
                elif name == "content-length":
                    self.length = int(value)
        if self.chunked:
            self._dechunk()
        else:
            self.body += self.raw
            self.raw.clear()
            if self.length is not None and len(self.body) >= self.length:
                self.finished = True
        return b"data:" in self.body

    def _dechunk(self):
        raw = self.raw
        while not self.finished:
            if self.pos > 0:  # inside a chunk's data
                take = min(self.pos, len(raw))
                if take == 0:
                    return
                self.body += raw[:take]
                del raw[:take]
                self.pos -= take
                if self.pos == 0:
                    self.pos = -1  # its CRLF is due
                continue
            if self.pos == -1:
                if len(raw) < 2:
                    return
                del raw[:2]
                self.pos = 0
                continue
            end = raw.find(b"\r\n")
            if end < 0:
                return
            size = int(bytes(raw[:end]).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                # Last chunk; no trailers expected: the final CRLF may still be in flight, which
                # does not matter to this client.
                self.finished = True
                del raw[:]
                return
            del raw[:end + 2]
            self.pos = size


def main():
    port, n, body_file, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    expected_events, chunk_delay_ms = int(sys.argv[5]), float(sys.argv[6])
    timeout_s = float(sys.argv[7])
    with open(body_file, "rb") as f:
        body = f.read()
    request = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
               b"Content-Type: application/json\r\nAccept: text/event-stream\r\n"
               b"Content-Length: %d\r\n\r\n" % (port, len(body))) + body
    cmsg_space = socket.CMSG_SPACE(16)
    deadline = time.monotonic() + timeout_s
    ep = select.epoll()
    streams = {}
    ts_ok = True

    # -- connect all, then let the server accept them
    t_connect = time.monotonic()
    connecting = set()
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        except OSError:
            ts_ok = False
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        err = s.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            print(f"streams: connect failed: {os.strerror(err)}", file=sys.stderr)
            sys.exit(1)
        streams[s.fileno()] = Stream(s)
        connecting.add(s.fileno())
        ep.register(s.fileno(), select.EPOLLOUT)
    while connecting and time.monotonic() < deadline:
        for fd, _ in ep.poll(0.05):
            if fd in connecting:
                err = streams[fd].sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    print(f"streams: connect failed: {os.strerror(err)}", file=sys.stderr)
                    sys.exit(1)
                connecting.discard(fd)
                ep.modify(fd, 0)
    if connecting:
        print(f"streams: {len(connecting)} connections still pending at the deadline",
              file=sys.stderr)
        sys.exit(1)
    connect_s = time.monotonic() - t_connect
    time.sleep(0.2)
    rss_before = rss_kb(pid)

    # -- everything below is per stream: first-token reads are small recvmsg calls with the
    #    kernel's receive timestamp; later reads are plain and large. A stream that had its first
    #    event is parked (not read) until every stream had its first event, or for PARK_S at most,
    #    so that the first reads of the others are not delayed by reading chunks; what arrives
    #    meanwhile waits in the socket's receive buffer.
    open_count = n
    waiting = n  # streams without their first event yet
    late = 0
    chunks = expected_events - 3  # role chunk, content chunks, finish chunk, [DONE]
    parked = collections.deque()  # (time parked, fd)

    def on_readable(fd):
        nonlocal open_count, waiting, late, ts_ok
        st = streams[fd]
        if st.finished or st.error:
            return
        try:
            if st.ttft_ns is None:
                data, anc, _, _ = st.sock.recvmsg(FIRST_READ, cmsg_space)
                t_user = time.time_ns()
                t_kernel = None
                for level, kind, cdata in anc:
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(cdata) >= 16:
                        sec, nsec = struct.unpack("qq", cdata[:16])
                        t_kernel = sec * 1_000_000_000 + nsec
            else:
                data = st.sock.recv(262144)
                t_user = t_kernel = None
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            data, st.error = b"", f"read: {e}"
        if data:
            try:
                first = st.feed(data)
            except ValueError as e:
                first, st.error = False, f"parse: {e}"
            if first and st.ttft_ns is None:
                if t_kernel is None:
                    ts_ok = False
                    t_kernel = t_user
                st.ttft_ns = t_kernel - st.t_send
                st.ttft_user_ns = t_user - st.t_send
                # TCP merges segments waiting in the receive queue and the merged buffer keeps
                # the newest timestamp: if the second content chunk (the third data event) is
                # already queued, this timestamp may be its arrival, up to a chunk delay late.
                if chunks >= 2 and chunk_delay_ms > 0:
                    try:
                        queued = st.sock.recv(262144, socket.MSG_PEEK)
                    except (BlockingIOError, InterruptedError):
                        queued = b""
                    if st.body.count(b"data:") + st.raw.count(b"data:") + queued.count(b"data:") >= 3:
                        late += 1
                waiting -= 1
                if not st.finished:
                    ep.modify(fd, 0)
                    parked.append((time.monotonic(), fd))
        elif not st.error:
            st.error = "connection closed before the stream ended"
        if st.finished or st.error:
            if st.ttft_ns is None:
                waiting -= 1
            ep.unregister(fd)
            st.sock.close()
            open_count -= 1

    def unpark():
        now = time.monotonic()
        while parked and (waiting == 0 or now - parked[0][0] >= PARK_S):
            fd = parked.popleft()[1]
            st = streams[fd]
            if not (st.finished or st.error):
                ep.modify(fd, select.EPOLLIN)

    def poll_once(timeout):
        for fd, _ in ep.poll(timeout):
            on_readable(fd)

    # -- send all at once, reading what is already there between sends
    t_start = time.monotonic()
    for fd, st in streams.items():
        ep.modify(fd, select.EPOLLIN)
        st.t_send = time.time_ns()
        sent = st.sock.send(request)
        if sent != len(request):
            print("streams: request did not fit the socket buffer", file=sys.stderr)
            sys.exit(1)
        poll_once(0)

    # RSS samples: the highest while every stream is still open (none finished), and the
    # highest over the run with the number of streams open at that sample.
    rss_all_open, peak_rss, open_at_peak, last_sample = rss_before, rss_before, n, 0.0
    while open_count and time.monotonic() < deadline:
        now = time.monotonic()
        if now - last_sample >= 0.005:
            last_sample = now
            r = rss_kb(pid)
            if open_count == n and r > rss_all_open:
                rss_all_open = r
            if r > peak_rss:
                peak_rss, open_at_peak = r, open_count
        unpark()
        poll_once(0.005)
    elapsed = time.monotonic() - t_start
    rss_after = rss_kb(pid)

    ok, errors, ttft, ttft_user, shown = 0, 0, [], [], 0
    for st in streams.values():
        if st.ttft_ns is not None:
            ttft.append(st.ttft_ns / 1000.0)
            ttft_user.append(st.ttft_user_ns / 1000.0)
        problem = st.error
        if not problem and not st.finished:
            problem = "not finished at the deadline"
        if not problem and st.status != 200:
            problem = f"status {st.status}: {bytes(st.body[:200])!r}"
        if not problem:
            lines = [l for l in bytes(st.body).replace(b"\r\n", b"\n").split(b"\n")
                     if l.startswith(b"data:")]
            if not lines or lines[-1].strip() != b"data: [DONE]":
                problem = "no data: [DONE] at the end"
            elif len(lines) != expected_events:
                problem = f"{len(lines)} data events, expected {expected_events}"
        if problem:
            errors += 1
            if shown < 5:
                print(f"streams: {problem}", file=sys.stderr)
                shown += 1
        else:
            ok += 1
        if st.sock.fileno() != -1:
            st.sock.close()
    ttft.sort()
    ttft_user.sort()
    result = {
        "ok": ok, "errors": errors, "measured": len(ttft),
        "ttft_p50_us": f"{percentile(ttft, 50):.1f}", "ttft_p99_us": f"{percentile(ttft, 99):.1f}",
        "ttft_max_us": f"{ttft[-1] if ttft else float('nan'):.1f}",
        "user_p50_us": f"{percentile(ttft_user, 50):.1f}",
        "user_p99_us": f"{percentile(ttft_user, 99):.1f}",
        "late": late, "ts": "kernel" if ts_ok else "user",
        "rss_before_kb": rss_before, "rss_all_open_kb": rss_all_open, "rss_peak_kb": peak_rss, "open_at_peak": open_at_peak,
        "rss_after_kb": rss_after, "connect_s": f"{connect_s:.3f}", "elapsed_s": f"{elapsed:.3f}",
    }
    print(" ".join(f"{k}={v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
