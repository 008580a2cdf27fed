#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers for the nlb-hc integration tests: small servers with known
misbehaviours, an event stream recorder, and waiters that assert on what
nlb-hc reported. Every command is bounded in time and exits non-zero with a
message when its condition is not met."""
import argparse
import json
import os
import selectors
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.request


def log_hit(path, what):
    if path:
        with open(path, "a") as f:
            f.write("%d %s\n" % (int(time.time() * 1000), what))


def serve(a):
    """HTTP(S) or bare TCP server on 127.0.0.1 (or ::1) with a mode:
    ok: 200 with body "status: ok"; 503: 503; silent: accept, never answer;
    toggle: 503 while the file --toggle exists, else 200;
    accept: accept and close at once; sink: never accept (see below)."""
    fam = socket.AF_INET6 if ":" in a.bind else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.bind, a.port))
    ls.listen(4096)
    ctx = None
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        if a.allow_no_dhe:
            # SSL_OP_ALLOW_NO_DHE_KEX, which Python does not name: TLS 1.3
            # resumption without a key exchange (psk_ke) for clients that
            # offer it
            ctx.options |= 1 << 10
        if a.ciphers:
            # the client's order decides, as with nginx's default
            ctx.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(ls.getsockname()[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    held = []

    if a.mode == "sink":
        # the handshake completes in the kernel, but with no data ever sent
        # the listener is never woken: a TCP check target that costs no
        # user-space CPU, so it does not compete with the checker
        ls.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 3600)
        while True:
            time.sleep(3600)
    if a.mode == "accept":
        ls.setblocking(False)
        sel = selectors.DefaultSelector()
        sel.register(ls, selectors.EVENT_READ)
        while True:
            sel.select()
            while True:
                try:
                    c, _ = ls.accept()
                except BlockingIOError:
                    break
                c.close()

    def handle(c):
        try:
            c.settimeout(5)
            if ctx:
                c = ctx.wrap_socket(c, server_side=True)
                if a.ciphers:
                    log_hit(a.ciphers, c.cipher()[0])
            if a.mode == "silent":
                held.append(c)
                return
            data = b""
            while b"\r\n\r\n" not in data:
                d = c.recv(4096)
                if not d:
                    return
                data += d
            code = 200
            if a.mode == "503" or (a.mode == "toggle" and
                                   os.path.exists(a.toggle)):
                code = 503
            log_hit(a.hits, str(code))
            if a.segs:
                # struct tcp_info's tcpi_segs_in (offset 140): segments
                # received from the client, its SYN included
                info = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 144)
                log_hit(a.segs, str(struct.unpack_from("I", info, 140)[0]))
            if a.hosts:
                for line in data.split(b"\r\n"):
                    if line.lower().startswith(b"host:"):
                        log_hit(a.hosts, line[5:].strip().decode())
            body = b"status: ok\n" if code == 200 else b"down\n"
            c.sendall(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n"
                      b"Connection: close\r\n\r\n" % (code, len(body)) + body)
            c.close()
        except (OSError, ssl.SSLError):
            pass

    while True:
        c, _ = ls.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


def record(a):
    """Connects to the event stream and appends every line to --out."""
    deadline = time.time() + 10
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(a.sock)
            break
        except OSError:
            if time.time() > deadline:
                sys.exit("record: cannot connect to %s" % a.sock)
            time.sleep(0.05)
    # a consumer's protocol: snapshot first, then the events after it
    s.sendall(b"snapshot\n")
    with open(a.out, "a") as f:
        buf = b""
        while True:
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                ev = json.loads(line)
                if ev.get("event") != "snapshot":
                    f.write(line.decode() + "\n")
                    continue
                for b in ev["backends"]:
                    e = {"event": "state", "seq": ev["seq"],
                         "from_snapshot": True}
                    e.update(b)
                    del e["checks"]
                    f.write(json.dumps(e) + "\n")
                f.write('{"event":"connected"}\n')
            f.flush()
            d = s.recv(65536)
            if not d:
                return
            buf += d


def events(path):
    # the recorder may be writing the last line right now: only whole lines
    try:
        with open(path) as f:
            return [json.loads(l) for l in f if l.endswith("\n") and l.strip()]
    except FileNotFoundError:
        return []


def matches(ev, a):
    for kv in a.match or []:
        k, v = kv.split("=", 1)
        got = ev.get(k)
        if isinstance(got, list):
            got = ",".join(got)
        if str(got) != v:
            return False
    if a.reason and a.reason not in ev.get("reason", ""):
        return False
    return True


def wait(a):
    """Waits until --count events in --out match; prints them."""
    deadline = time.time() + a.timeout
    while True:
        found = [e for e in events(a.out) if matches(e, a)]
        if len(found) >= a.count:
            for e in found:
                print(json.dumps(e))
            return
        if time.time() > deadline:
            sys.exit("wait: %d of %d events matching %s reason~%r in %s; "
                     "all events:\n%s" % (len(found), a.count, a.match,
                                          a.reason, a.out,
                                          open(a.out).read()
                                          if os.path.exists(a.out) else ""))
        time.sleep(0.05)


def count(a):
    print(len([e for e in events(a.out) if matches(e, a)]))


def snapshot(a):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(a.sock)
    s.sendall(b"snapshot\n")
    buf = b""
    while b"\n" not in buf:
        d = s.recv(1 << 20)
        if not d:
            break
        buf += d
    line = json.loads(buf.split(b"\n", 1)[0])
    if line.get("event") != "snapshot":
        sys.exit("snapshot: got %r" % line)
    print(json.dumps(line))


def metric(a):
    """Prints the value of one sample, e.g. 'nlb_hc_probes' or
    'nlb_hc_checks_total{type="tcp",result="pass"}'."""
    text = urllib.request.urlopen(a.url, timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        name, _, val = line.rpartition(" ")
        if name == a.name:
            print(val)
            return
    if a.default is not None:
        print(a.default)
        return
    sys.exit("metric %s not found" % a.name)


def lag_ok(a):
    """Asserts from the metrics: p99 schedule lag under --p99-ms, no missed
    checks, and at least --min-checks passes with no failures."""
    text = urllib.request.urlopen(a.url, timeout=5).read().decode()
    vals = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            name, _, val = line.rpartition(" ")
            vals[name] = float(val)
    total = vals["nlb_hc_schedule_lag_seconds_count"]
    le = vals['nlb_hc_schedule_lag_seconds_bucket{le="%g"}' %
              (a.p99_ms / 1000)]
    passes = vals['nlb_hc_checks_total{type="tcp",result="pass"}']
    fails = vals['nlb_hc_checks_total{type="tcp",result="fail"}']
    missed = vals["nlb_hc_missed_checks_total"]
    print("lag: %d of %d probes started within %g ms (%.3f%%); passes %d "
          "fails %d missed %d" % (le, total, a.p99_ms,
                                  100.0 * le / max(total, 1), passes, fails,
                                  missed))
    for b in (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25):
        print("  lag <= %g s: %d" % (
            b, vals['nlb_hc_schedule_lag_seconds_bucket{le="%g"}' % b]))
    bad = []
    if le < 0.99 * total:
        bad.append("p99 lag above %g ms" % a.p99_ms)
    if missed:
        bad.append("%d missed checks" % missed)
    if fails:
        bad.append("%d failed checks" % fails)
    if passes < a.min_checks:
        bad.append("%d passes < %d" % (passes, a.min_checks))
    if bad:
        sys.exit("; ".join(bad))


def agree(a):
    """The state file and a stream snapshot describe the same states, and
    the last recorded event of each backend says the same."""
    with open(a.state) as f:
        st = json.load(f)
    snap = None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(a.sock)
    s.sendall(b"snapshot\n")
    buf = b""
    while b"\n" not in buf:
        buf += s.recv(1 << 20)
    snap = json.loads(buf.split(b"\n", 1)[0])

    def states(doc):
        return {(b["backend"], ",".join(b["vips"])): b["state"]
                for b in doc["backends"]}
    if st["seq"] != snap["seq"]:
        sys.exit("seq: state file %d, snapshot %d" % (st["seq"], snap["seq"]))
    if states(st) != states(snap):
        sys.exit("state file %s != snapshot %s" % (states(st), states(snap)))
    last = {}
    for e in events(a.out):
        if e.get("event") == "state":
            last[(e["backend"], ",".join(e["vips"]))] = (e["state"], e["seq"])
    for k, v in states(st).items():
        if k not in last or last[k][0] != v:
            sys.exit("backend %s: state file %s, stream %s" %
                     (k, v, last.get(k)))
    if max(v[1] for v in last.values()) != st["seq"]:
        sys.exit("last streamed seq %d != state file seq %d" %
                 (max(v[1] for v in last.values()), st["seq"]))
    print("agree: %d backends, seq %d" % (len(last), st["seq"]))


def hits(a):
    """Counts server hits with code --code between two wall-clock ms."""
    n = 0
    with open(a.file) as f:
        for line in f:
            ts, code = line.split()
            if code == a.code and a.since <= int(ts) <= a.until:
                n += 1
    print(n)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("mode")
    s.add_argument("--port-file", required=True)
    s.add_argument("--bind", default="0.0.0.0")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--toggle")
    s.add_argument("--hits")
    s.add_argument("--hosts", help="log each request's Host header here")
    s.add_argument("--cert")
    s.add_argument("--key")
    s.add_argument("--allow-no-dhe", action="store_true")
    s.add_argument("--segs", help="log how many segments each request "
                   "took to arrive, the SYN included")
    s.add_argument("--ciphers",
                   help="log each TLS connection's cipher here (and let "
                   "the client's order decide)")
    s = sub.add_parser("record")
    s.add_argument("sock")
    s.add_argument("out")
    for name in ("wait", "count"):
        s = sub.add_parser(name)
        s.add_argument("out")
        s.add_argument("--match", action="append")
        s.add_argument("--reason")
        s.add_argument("--count", type=int, default=1)
        s.add_argument("--timeout", type=float, default=10)
    s = sub.add_parser("snapshot")
    s.add_argument("sock")
    s = sub.add_parser("metric")
    s.add_argument("url", help="the endpoint, or file:// of a saved copy")
    s.add_argument("name")
    s.add_argument("--default", help="printed when there is no such sample")
    s = sub.add_parser("lag_ok")
    s.add_argument("url")
    s.add_argument("--p99-ms", type=float, default=50)
    s.add_argument("--min-checks", type=int, default=0)
    s = sub.add_parser("agree")
    s.add_argument("sock")
    s.add_argument("state")
    s.add_argument("out")
    s = sub.add_parser("hits")
    s.add_argument("file")
    s.add_argument("code")
    s.add_argument("since", type=int)
    s.add_argument("until", type=int)
    a = p.parse_args()
    globals()[a.cmd](a)


if __name__ == "__main__":
    main()
