#!/usr/bin/env python3
# The benchmark's client, inside the client namespace: new TCP connections
# (HTTP GET) to a VIP, one after the other, with short timeouts.
#   conns.py first ADDR START_MS TIMEOUT_S  until one connection answers:
#       prints the ms from START_MS (epoch ms) to its answer
#   conns.py log ADDR SECONDS OUT  for SECONDS: one line per connection into
#       OUT, "START_MS RESULT" with RESULT the backend's name, or refused,
#       or timeout
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../scripts"))
from client import http_get  # noqa: E402


def now_ms():
    return time.time() * 1000


def get(addr, timeout):
    try:
        return http_get(addr, timeout)
    except ConnectionRefusedError:
        return "refused"
    except OSError:
        return "timeout"


def first(addr, start_ms, limit_s):
    while now_ms() - start_ms < limit_s * 1000:
        if get(addr, 0.1) not in ("refused", "timeout"):
            print(int(now_ms() - start_ms))
            return 0
        time.sleep(0.005)
    print("timeout")
    return 1


def log(addr, seconds, out):
    end = now_ms() + seconds * 1000
    with open(out, "w") as f:
        while now_ms() < end:
            t = now_ms()
            f.write("%d %s\n" % (t, get(addr, 0.2)))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "first":
        sys.exit(first(sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
    sys.exit(log(sys.argv[2], float(sys.argv[3]), sys.argv[4]))
