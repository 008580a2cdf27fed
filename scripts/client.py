#!/usr/bin/env python3
# The test client, run inside the client namespace.
#   client.py spread ADDR N        N new TCP connections (HTTP GET): count per backend
#   client.py udp ADDR N           N UDP datagrams from N source ports: count per backend
#   client.py hold ADDR SECONDS FILE  one long-lived TCP connection to the echo
#       port: a line every 50 ms; writes "ok NAME" when every line came back
#       from one backend, or "fail REASON"; touches FILE.ready once connected
import socket
import sys
import time
from collections import Counter


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def http_get(addr, timeout=3):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((addr, 80))
        s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.split(b"\r\n\r\n", 1)[1].decode().strip()
    finally:
        s.close()


def spread(addr, n):
    c = Counter()
    for _ in range(n):
        try:
            c[http_get(addr)] += 1
        except OSError as e:
            c["error:" + type(e).__name__] += 1
    for k, v in sorted(c.items()):
        print(k, v)


def udp(addr, n):
    c = Counter()
    for _ in range(n):
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        s.settimeout(2)
        try:
            s.sendto(b"hello", (addr, 53))
            data, _ = s.recvfrom(4096)
            c[data.split(b" ")[0].decode()] += 1
        except OSError as e:
            c["error:" + type(e).__name__] += 1
        s.close()
    for k, v in sorted(c.items()):
        print(k, v)


def hold(addr, seconds, out):
    def result(msg):
        with open(out, "w") as f:
            f.write(msg + "\n")
    try:
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect((addr, 7))
        f = s.makefile("rwb")
        names = set()
        end = time.time() + seconds
        i = 0
        while time.time() < end:
            f.write(b"ping %d\n" % i)
            f.flush()
            line = f.readline()
            if not line.endswith(b"ping %d\n" % i):
                return result("fail bad reply %r" % line)
            names.add(line.split(b" ")[0].decode())
            if i == 0:
                with open(out + ".ready", "w") as r:
                    r.write(line.split(b" ")[0].decode() + "\n")
            i += 1
            time.sleep(0.05)
        if len(names) != 1:
            return result("fail backends changed: %s" % sorted(names))
        result("ok %s %d" % (names.pop(), i))
    except OSError as e:
        result("fail %s at line %d" % (e, i if 'i' in dir() else -1))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "spread":
        spread(sys.argv[2], int(sys.argv[3]))
    elif cmd == "udp":
        udp(sys.argv[2], int(sys.argv[3]))
    elif cmd == "hold":
        hold(sys.argv[2], float(sys.argv[3]), sys.argv[4])
