#!/usr/bin/env bash
# The whole LBaaS on one machine (scripts/system.sh): installs what it needs,
# builds, and runs in network namespaces the control plane, a router with
# BGP/ECMP/BFD, two LB nodes in two zones (FRR, XDP forwarder, nlblet,
# nlb-hc), three backends and a client. It applies examples/web.yaml, shows
# requests spread over the backends, stops one backend's server, kills one
# LB node while a long-lived connection runs through it, then restores
# both, printing `nlbctl describe web` at each step. Everything it creates
# is removed when it ends, also on Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (network namespaces, XDP)"; exit 1; }
./scripts/deps.sh
make -j"$(nproc)" all >/tmp/nlb-demo-build.log 2>&1 || { tail -40 /tmp/nlb-demo-build.log; exit 1; }

TOPO_TAG=demo
. scripts/system.sh
trap sys_down EXIT
sys_down

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }
describe() { run sys_ctl describe web; }
requests() {
	local i
	for i in $(seq 1 "$1"); do
		printf 'request %2d -> %s\n' "$i" \
			"$(in_ns client curl -s --max-time 2 "http://$vip/" || echo failed)"
	done
}
# until CMD succeeds, at most SECONDS
until_ok() {
	local t=$1
	shift
	sys_wait "$*" $((t * 1000)) "$@"
}
healthy() { [ "$(sys_ctl get web -o json | python3 -c "
import json, sys
j = json.load(sys.stdin)
print(sum(b['health'] == 'healthy' for b in j['status']['backends']))")" = "$1" ]; }

say "bringing up: control plane, router (FRR), lb1 (az1) and lb2 (az2), backends b1 b2 b3, client"
sys_up
run sys_admin nodes

say "a tenant applies examples/web.yaml"
run sys_ctl apply -f examples/web.yaml
vip=$(sys_vip web)
until_ok 20 sys_hops_are "$vip" "lb1 lb2"
until_ok 10 healthy 6
echo "the router learned $vip over BGP from both LB nodes (ECMP):"
run in_ns router ip route show "$vip"
describe

say "12 requests to http://$vip/ (each a new TCP connection, spread by the router and Maglev)"
requests 12

say "a long-lived connection to $vip:7 (a line every 50 ms for 15 s)"
in_ns client python3 scripts/client.py hold "$vip" 15 "$SYS_RUN/hold" &
hold=$!
until_ok 5 test -s "$SYS_RUN/hold.ready"
own=$(cat "$SYS_RUN/hold.ready")
stop=$((${own#b} % NBACKENDS + 1))
node=$(for i in 1 2; do
	sys_nodecli "$i" flows | grep -q -- "-> $vip:7/" && echo "$i"
done | head -1)
echo "it is on backend $own, through lb$node"

say "b$stop's server stops: nlb-hc sees it, nlblet takes it out of both nodes' maps"
sys_server_stop "$stop"
until_ok 10 healthy 4
describe
requests 12

say "lb$node dies (the router hears nothing from it any more): BFD tells the router"
sys_node_kill "$node"
ms=$(sys_wait_hops "$vip" "lb$((3 - node))" 5000)
echo "the router dropped lb$node $ms ms after it died"
run in_ns router ip route show "$vip"
requests 6
wait "$hold" || true
echo "the long-lived connection: $(cat "$SYS_RUN/hold") (ok = every reply came from $own)"
describe

say "restoring b$stop's server and lb$node"
sys_server_start "$stop"
sys_node_restore "$node"
until_ok 30 sys_hops_are "$vip" "lb1 lb2"
until_ok 10 healthy 6
run in_ns router ip route show "$vip"
requests 12
describe

say "done; cleaning up"
