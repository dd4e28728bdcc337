#!/usr/bin/env python3
"""Streaming client of benchmarks/proxy/run.sh (standard library only, one thread, epoll).

Two modes; both connect every stream's socket first and wait 200 ms, so that the server has
accepted them before any request is sent.

probe: the measurement the target applies to. Sends one streaming chat request on each of N
  background connections, spread evenly over RAMP_MS (so that opening them is not itself a
  burst), and reads every background stream to its end, as a client would. Once every
  background stream has had its first `data:` event (all open and flowing), it sends PROBES
  streaming requests one at a time, each on a new connection: connect, wait PROBE_GAP_MS (the
  server accepts the connection meanwhile), send the request, read that stream to its end, close
  it, then the next. The TTFT of each probe is what the target applies to; the background
  streams keep streaming throughout (BODY_FILE's chunk delay is chosen by run.sh so that they
  outlast the probes; `bg_open_min` and `bg_margin_ms` show whether they did).
burst: (information) sends the request on all N connections at once, in one loop, and reads
  every stream to its end. A stream that had its first event is left unread ("parked") until
  every stream had its first event, or for PARK_S at most, so that reading chunks does not delay
  the other streams' first reads.

TTFT, per stream: from just before the request's send() to the kernel's receive timestamp of the
bytes that carried the first `data:` event (SO_TIMESTAMPNS), so the time this client needs to get
round to a socket is not counted. A first read that finds the stream's next content chunk already
queued is counted as `late`: TCP may have merged it into the same buffer, whose timestamp is then
the later one. The client-observed TTFT (user-space clock at that read) is reported too. While
the streams run it samples VmRSS of PID (the sum over a comma-separated list) every 5 ms.

Usage:
  streams.py probe PORT N BODY_FILE PID EXPECTED_DATA_EVENTS CHUNK_DELAY_MS TIMEOUT_S
             RAMP_MS PROBES PROBE_BODY_FILE PROBE_EXPECTED_DATA_EVENTS PROBE_CHUNK_DELAY_MS
             PROBE_GAP_MS
  streams.py burst PORT N BODY_FILE PID EXPECTED_DATA_EVENTS CHUNK_DELAY_MS TIMEOUT_S

Prints one line of key=value pairs on stdout (see the end of each mode); problems go to stderr.
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
PARK_S = 0.5      # burst: longest a stream goes unread after its first event while others wait
RSS_EVERY_S = 0.005
CMSG_SPACE = socket.CMSG_SPACE(16)


def rss_kb(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def percentile(sorted_values, p):
    """Nearest rank."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def fail(message):
    print(f"streams: {message}", file=sys.stderr)
    sys.exit(1)


def build_request(port, body_file):
    with open(body_file, "rb") as f:
        body = f.read()
    return (b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
            b"Content-Type: application/json\r\nAccept: text/event-stream\r\n"
            b"Content-Length: %d\r\n\r\n" % (port, len(body))) + body


def new_socket(port):
    """A non-blocking socket with receive timestamps, connecting to 127.0.0.1:port.
    Returns (socket, connected_at_once, timestamps_enabled)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    ts = True
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    except OSError:
        ts = False
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    err = s.connect_ex(("127.0.0.1", port))
    if err not in (0, errno.EINPROGRESS):
        fail(f"connect failed: {os.strerror(err)}")
    return s, err == 0, ts


class Stream:
    __slots__ = ("sock", "t_send", "ttft_ns", "ttft_user_ns", "raw", "head_done", "status",
                 "chunked", "length", "body", "pos", "finished", "error", "late")

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
        self.late = False

    def send(self, request):
        self.t_send = time.time_ns()
        try:
            sent = self.sock.send(request)
        except OSError as e:
            self.error = f"send: {e}"
            return
        if sent != len(request):
            fail("request did not fit the socket buffer")

    def read(self, chunks, chunk_delay_ms):
        """One read. Returns (got_first_event_now, timestamps_missing)."""
        try:
            if self.ttft_ns is None:
                data, anc, _, _ = self.sock.recvmsg(FIRST_READ, CMSG_SPACE)
                t_user = time.time_ns()
                t_kernel = None
                for level, kind, cdata in anc:
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(cdata) >= 16:
                        sec, nsec = struct.unpack("qq", cdata[:16])
                        t_kernel = sec * 1_000_000_000 + nsec
            else:
                data = self.sock.recv(262144)
                t_user = t_kernel = None
        except (BlockingIOError, InterruptedError):
            return False, False
        except OSError as e:
            self.error = f"read: {e}"
            return False, False
        if not data:
            if not self.finished:
                self.error = "connection closed before the stream ended"
            return False, False
        try:
            first = self.feed(data)
        except ValueError as e:
            self.error = f"parse: {e}"
            return False, False
        if not first or self.ttft_ns is not None:
            return False, False
        missing = t_kernel is None
        if missing:
            t_kernel = t_user
        self.ttft_ns = t_kernel - self.t_send
        self.ttft_user_ns = t_user - self.t_send
        # TCP merges segments waiting in the receive queue and the merged buffer keeps the newest
        # timestamp: if the second content chunk (the third data event) is already queued, this
        # timestamp may be its arrival, up to a chunk delay late.
        if chunks >= 2 and chunk_delay_ms > 0:
            try:
                queued = self.sock.recv(262144, socket.MSG_PEEK)
            except (BlockingIOError, InterruptedError, OSError):
                queued = b""
            if self.body.count(b"data:") + self.raw.count(b"data:") + queued.count(b"data:") >= 3:
                self.late = True
        return True, missing

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

    def problem(self, expected_events):
        """None when the stream ended well."""
        if self.error:
            return self.error
        if not self.finished:
            return "not finished at the deadline"
        if self.status != 200:
            return f"status {self.status}: {bytes(self.body[:200])!r}"
        lines = [l for l in bytes(self.body).replace(b"\r\n", b"\n").split(b"\n")
                 if l.startswith(b"data:")]
        if not lines or lines[-1].strip() != b"data: [DONE]":
            return "no data: [DONE] at the end"
        if len(lines) != expected_events:
            return f"{len(lines)} data events, expected {expected_events}"
        return None


def connect_all(ep, port, n, deadline):
    """N connected sockets (registered with no events), then 200 ms for the server to accept."""
    streams, connecting, ts_ok = {}, set(), True
    t_connect = time.monotonic()
    for _ in range(n):
        s, _, ts = new_socket(port)
        ts_ok = ts_ok and ts
        streams[s.fileno()] = Stream(s)
        connecting.add(s.fileno())
        ep.register(s.fileno(), select.EPOLLOUT)
    while connecting and time.monotonic() < deadline:
        for fd, _ in ep.poll(0.05):
            if fd in connecting:
                err = streams[fd].sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(f"connect failed: {os.strerror(err)}")
                connecting.discard(fd)
                ep.modify(fd, 0)
    if connecting:
        fail(f"{len(connecting)} connections still pending at the deadline")
    connect_s = time.monotonic() - t_connect
    time.sleep(0.2)
    return streams, connect_s, ts_ok


def summarize(streams, expected_events, label):
    """ok, errors, sorted TTFTs (us), sorted client-observed TTFTs (us), late count."""
    ok, errors, ttft, ttft_user, late, shown = 0, 0, [], [], 0, 0
    for st in streams:
        if st.ttft_ns is not None:
            ttft.append(st.ttft_ns / 1000.0)
            ttft_user.append(st.ttft_user_ns / 1000.0)
        late += st.late
        problem = st.problem(expected_events)
        if problem:
            errors += 1
            if shown < 5:
                print(f"streams ({label}): {problem}", file=sys.stderr)
                shown += 1
        else:
            ok += 1
        if st.sock.fileno() != -1:
            st.sock.close()
    ttft.sort()
    ttft_user.sort()
    return ok, errors, ttft, ttft_user, late


def us(value):
    return f"{value:.1f}"


def run_burst(port, n, body_file, pids, expected_events, chunk_delay_ms, timeout_s):
    request = build_request(port, body_file)
    deadline = time.monotonic() + timeout_s
    ep = select.epoll()
    streams, connect_s, ts_ok = connect_all(ep, port, n, deadline)
    rss_before = rss_kb(pids)

    open_count = n
    waiting = n  # streams without their first event yet
    chunks = expected_events - 3  # role chunk, content chunks, finish chunk, [DONE]
    parked = collections.deque()  # (time parked, fd)

    def on_readable(fd):
        nonlocal open_count, waiting, ts_ok
        st = streams[fd]
        if st.finished or st.error:
            return
        first, missing = st.read(chunks, chunk_delay_ms)
        if missing:
            ts_ok = False
        if first:
            waiting -= 1
            if not st.finished:
                ep.modify(fd, 0)
                parked.append((time.monotonic(), fd))
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
        st.send(request)
        poll_once(0)

    # RSS samples: the highest while every stream is still open (none finished), and the
    # highest over the run with the number of streams open at that sample.
    rss_all_open, peak_rss, open_at_peak, last_sample = rss_before, rss_before, n, 0.0
    while open_count and time.monotonic() < deadline:
        now = time.monotonic()
        if now - last_sample >= RSS_EVERY_S:
            last_sample = now
            r = rss_kb(pids)
            if open_count == n and r > rss_all_open:
                rss_all_open = r
            if r > peak_rss:
                peak_rss, open_at_peak = r, open_count
        unpark()
        poll_once(0.005)
    elapsed = time.monotonic() - t_start
    rss_after = rss_kb(pids)

    ok, errors, ttft, ttft_user, late = summarize(streams.values(), expected_events, "burst")
    result = {
        "mode": "burst", "ok": ok, "errors": errors, "measured": len(ttft),
        "ttft_p50_us": us(percentile(ttft, 50)), "ttft_p99_us": us(percentile(ttft, 99)),
        "ttft_max_us": us(ttft[-1] if ttft else float("nan")),
        "user_p50_us": us(percentile(ttft_user, 50)),
        "user_p99_us": us(percentile(ttft_user, 99)),
        "late": late, "ts": "kernel" if ts_ok else "user",
        "rss_before_kb": rss_before, "rss_all_open_kb": rss_all_open, "rss_peak_kb": peak_rss,
        "open_at_peak": open_at_peak, "rss_after_kb": rss_after,
        "connect_s": f"{connect_s:.3f}", "elapsed_s": f"{elapsed:.3f}",
    }
    print(" ".join(f"{k}={v}" for k, v in result.items()))


def run_probe(port, n, body_file, pids, expected_events, chunk_delay_ms, timeout_s,
              ramp_ms, probes, probe_body_file, probe_expected, probe_chunk_delay_ms,
              probe_gap_ms):
    request = build_request(port, body_file)
    probe_request = build_request(port, probe_body_file)
    deadline = time.monotonic() + timeout_s
    ep = select.epoll()
    streams, connect_s, ts_ok = connect_all(ep, port, n, deadline)
    rss_before = rss_kb(pids)

    chunks = expected_events - 3  # role chunk, content chunks, finish chunk, [DONE]
    probe_chunks = probe_expected - 3
    order = list(streams.values())
    open_count = n
    waiting = n            # background streams without their first event yet
    sent_count = 0
    step_s = ramp_ms / 1000.0 / n
    t_all_first = None     # every background stream had its first event
    t_first_end = None     # the first background stream ended (or failed)
    done = []              # finished probes
    probe = None           # the probe in flight
    probe_state = None     # "connecting", "gap", "reading"
    probe_send_at = 0.0
    bg_open_min = n
    t_probes_start = t_probes_end = None
    wall_probes_start = wall_probes_end = None  # the same, on the clock of a packet capture

    def on_background(fd):
        nonlocal open_count, waiting, ts_ok, t_first_end
        st = streams[fd]
        if st.finished or st.error:
            return
        first, missing = st.read(chunks, chunk_delay_ms)
        if missing:
            ts_ok = False
        if first:
            waiting -= 1
        if st.finished or st.error:
            if st.ttft_ns is None:
                waiting -= 1
            ep.unregister(fd)
            st.sock.close()
            open_count -= 1
            if t_first_end is None:
                t_first_end = time.monotonic()

    def start_probe():
        nonlocal probe, probe_state, probe_send_at, ts_ok
        s, at_once, ts = new_socket(port)
        ts_ok = ts_ok and ts
        probe = Stream(s)
        if at_once:
            ep.register(s.fileno(), 0)
            probe_state, probe_send_at = "gap", time.monotonic() + probe_gap_ms / 1000.0
        else:
            ep.register(s.fileno(), select.EPOLLOUT)
            probe_state = "connecting"

    def end_probe():
        nonlocal probe, probe_state, t_probes_end, wall_probes_end
        ep.unregister(probe.sock.fileno())
        probe.sock.close()
        done.append(probe)
        probe, probe_state = None, None
        if len(done) < probes:
            start_probe()
        else:
            t_probes_end = time.monotonic()
            wall_probes_end = time.time_ns()

    def on_probe(events):
        nonlocal probe_state, probe_send_at, ts_ok
        if probe_state == "connecting":
            err = probe.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                probe.error = f"connect: {os.strerror(err)}"
                end_probe()
                return
            ep.modify(probe.sock.fileno(), 0)
            probe_state, probe_send_at = "gap", time.monotonic() + probe_gap_ms / 1000.0
        elif probe_state == "reading":
            _, missing = probe.read(probe_chunks, probe_chunk_delay_ms)
            if missing:
                ts_ok = False
            if probe.finished or probe.error:
                end_probe()

    # RSS samples: the highest from the moment every background stream had its first event
    # until the first one ends (all N open and flowing: the probes run in this window), and the
    # highest over the round with the number of background streams open at that sample.
    rss_all_open, peak_rss, open_at_peak, last_sample = None, rss_before, 0, 0.0
    t_start = time.monotonic()
    while time.monotonic() < deadline:
        now = time.monotonic()
        # background requests due by now (the ramp)
        while sent_count < n and now >= t_start + sent_count * step_s:
            st = order[sent_count]
            ep.modify(st.sock.fileno(), select.EPOLLIN)
            st.send(request)
            sent_count += 1
            if st.error:
                waiting -= 1
                open_count -= 1
                ep.unregister(st.sock.fileno())
                st.sock.close()
        if sent_count == n and waiting == 0 and t_all_first is None:
            # Every background stream had its first event (or failed): the probes start. Those
            # that failed or already ended show in `errors` and `bg_open_min`.
            t_all_first = t_probes_start = now
            wall_probes_start = time.time_ns()
            start_probe()
        if probe_state == "gap" and now >= probe_send_at:
            bg_open_min = min(bg_open_min, open_count)
            ep.modify(probe.sock.fileno(), select.EPOLLIN)
            probe.send(probe_request)
            probe_state = "reading"
            if probe.error:
                end_probe()
        if now - last_sample >= RSS_EVERY_S:
            last_sample = now
            r = rss_kb(pids)
            if t_all_first is not None and open_count == n and t_first_end is None:
                rss_all_open = r if rss_all_open is None else max(rss_all_open, r)
            if r > peak_rss:
                peak_rss, open_at_peak = r, open_count
        if open_count == 0 and t_probes_end is not None:
            break
        # sleep no longer than the next due action
        timeout = RSS_EVERY_S
        if sent_count < n:
            timeout = min(timeout, max(0.0, t_start + sent_count * step_s - now))
        if probe_state == "gap":
            timeout = min(timeout, max(0.0, probe_send_at - now))
        events = ep.poll(timeout)
        probe_fd = probe.sock.fileno() if probe is not None else -1
        for fd, ev in events:  # the probe first
            if fd == probe_fd:
                on_probe(ev)
                break
        for fd, ev in events:
            if fd != probe_fd and fd in streams:
                on_background(fd)
    elapsed = time.monotonic() - t_start
    rss_after = rss_kb(pids)
    if probe is not None:
        probe.error = probe.error or "not finished at the deadline"
        done.append(probe)

    ok, errors, ttft, ttft_user, late = summarize(streams.values(), expected_events, "background")
    p_ok, p_errors, p_ttft, p_user, p_late = summarize(done, probe_expected, "probe")
    p_errors += probes - len(done)  # probes never sent
    if t_probes_end is not None and t_first_end is not None:
        margin_ms = f"{(t_first_end - t_probes_end) * 1000:.0f}"
    elif t_probes_end is not None:
        margin_ms = "inf"  # no background stream ended before this client stopped
    else:
        margin_ms = "?"
    result = {
        "mode": "probe", "ok": ok, "errors": errors, "measured": len(ttft),
        "ramp_p50_us": us(percentile(ttft, 50)), "ramp_p99_us": us(percentile(ttft, 99)),
        "late": late,
        "probes": probes, "probe_ok": p_ok, "probe_errors": p_errors, "probe_measured": len(p_ttft),
        "ttft_p50_us": us(percentile(p_ttft, 50)), "ttft_p99_us": us(percentile(p_ttft, 99)),
        "ttft_max_us": us(p_ttft[-1] if p_ttft else float("nan")),
        "user_p50_us": us(percentile(p_user, 50)), "user_p99_us": us(percentile(p_user, 99)),
        "probe_late": p_late, "ts": "kernel" if ts_ok else "user",
        "bg_open_min": bg_open_min if t_probes_start is not None else 0,
        "bg_margin_ms": margin_ms,
        "ramp_s": f"{(t_all_first - t_start) if t_all_first else float('nan'):.3f}",
        "probes_s": (f"{t_probes_end - t_probes_start:.3f}"
                     if t_probes_end is not None else "nan"),
        # the probe phase in ns since the epoch (CLOCK_REALTIME, a capture's clock); 0 = none
        "probes_from_ns": wall_probes_start or 0, "probes_to_ns": wall_probes_end or 0,
        "rss_before_kb": rss_before,
        "rss_all_open_kb": "?" if rss_all_open is None else rss_all_open,
        "rss_peak_kb": peak_rss, "open_at_peak": open_at_peak, "rss_after_kb": rss_after,
        "connect_s": f"{connect_s:.3f}", "elapsed_s": f"{elapsed:.3f}",
    }
    print(" ".join(f"{k}={v}" for k, v in result.items()))


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("probe", "burst"):
        fail("usage: streams.py probe|burst PORT N BODY_FILE PID ... (see the docstring)")
    mode, a = sys.argv[1], sys.argv[2:]
    want = 13 if mode == "probe" else 7
    if len(a) != want:
        fail(f"{mode} takes {want} arguments, got {len(a)}")
    port, n, body_file = int(a[0]), int(a[1]), a[2]
    pids = [int(p) for p in a[3].split(",") if p]
    expected, chunk_delay_ms, timeout_s = int(a[4]), float(a[5]), float(a[6])
    if mode == "burst":
        run_burst(port, n, body_file, pids, expected, chunk_delay_ms, timeout_s)
    else:
        run_probe(port, n, body_file, pids, expected, chunk_delay_ms, timeout_s,
                  float(a[7]), int(a[8]), a[9], int(a[10]), float(a[11]), float(a[12]))


if __name__ == "__main__":
    main()
