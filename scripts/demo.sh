#!/usr/bin/env bash
# The all-in-one demo: installs what it needs, builds, and runs in network
# namespaces a client, a router, an LB node with the XDP forwarder and three
# backends (decapsulation + an HTTP server on the VIP). It shows which backend
# answers each request, then drains one backend and sets another down.
# Everything it creates is removed when it ends, also on Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (network namespaces, XDP)"; exit 1; }
./scripts/deps.sh
make -j"$(nproc)" all >/tmp/nlb-demo-build.log 2>&1 || { tail -40 /tmp/nlb-demo-build.log; exit 1; }

TOPO_TAG=demo
. scripts/topo.sh
trap topo_down EXIT
topo_down

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
requests() {
	local i
	for i in $(seq 1 "$1"); do
		printf 'request %2d -> %s\n' "$i" \
			"$(in_ns client curl -s --max-time 2 "http://$VIP4/" || echo failed)"
	done
}

say "topology: client -> router -> LB node (XDP forwarder) -> backends b1 b2 b3 (DSR)"
topo_up 1
topo_servers
topo_service "$VIP4:80/tcp"
topo_service "$VIP4:7/tcp"
nodecli lb1 vip list
nodecli lb1 table "$VIP4:80/tcp"

say "12 requests to http://$VIP4/ (each a new TCP connection)"
requests 12

say "a long-lived connection to $VIP4:7 (a line every 50 ms for 6 s)"
in_ns client python3 scripts/client.py hold "$VIP4" 6 "$TOPO_RUN/hold" &
hold=$!
for _ in $(seq 50); do [ -s "$TOPO_RUN/hold.ready" ] && break; sleep 0.1; done
own=$(cat "$TOPO_RUN/hold.ready")
other=$(( ${own#b} % NBACKENDS + 1 ))
echo "it is on $own"

say "drain $own: it keeps its established flows, gets no new ones"
nodecli lb1 backend set "$VIP4:80/tcp" "$(b4 "${own#b}")" --state drained
nodecli lb1 backend set "$VIP4:7/tcp" "$(b4 "${own#b}")" --state drained
requests 12

say "b$other goes down: its flows move at once, it gets nothing"
nodecli lb1 backend set "$VIP4:80/tcp" "$(b4 "$other")" --state down
requests 12

wait "$hold" || true
say "the long-lived connection: $(cat "$TOPO_RUN/hold") (ok = every reply came from $own)"

say "the forwarder's counters"
nodecli lb1 vip list
nodecli lb1 stats | awk '$2 != 0'
say "done; cleaning up"
