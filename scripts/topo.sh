# SPDX-License-Identifier: GPL-2.0
# The namespaced test topology of nlb's data path, in one place:
#
#   client ── router ──┬── lb1 (forwarder)      every link a veth pair,
#                      ├── lb2 (forwarder)      every host a netns named
#                      ├── b1  (decap + servers) nlbt-e2e-<tag>-<host>
#                      ├── b2
#                      └── b3
#
# The router routes the VIPs to the LB nodes (ECMP over both when asked); an LB
# node encapsulates and sends the packet back to the router (XDP_TX), which
# forwards it to the backend; the backend decapsulates, answers from the VIP
# on its loopback straight to the client (DSR). Only addresses inside these
# namespaces are used. topo_down removes everything; callers make sure it runs
# (tests: t_cleanup before topo_up; the demo: a trap). Used by tests/e2e and
# scripts/demo.sh.

NLB_TOP=${NLB_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
NLB_BIN=${NLB_BIN:-${NLB_BUILD:-$NLB_TOP/build}/bin}
TOPO_TAG=${TOPO_TAG:-$$}
TOPO_PFX=nlbt-e2e-$TOPO_TAG
TOPO_RUN=/run/$TOPO_PFX
NLB_NODE=$NLB_BIN/nlb-node
VIP4=10.99.100.1
VIP6=fd99:100::1
CLIENT4=10.99.0.2
CLIENT6=fd99::2
NBACKENDS=3

ns() { echo "$TOPO_PFX-$1"; }
in_ns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }
b4() { echo "10.99.1$1.2"; }       # backend i's IPv4 address
b6() { echo "fd99:1$1::2"; }       # backend i's IPv6 address
lb4() { echo "10.99.$1.2"; }       # LB node i's IPv4 address (i = 1, 2)
lb6() { echo "fd99:$1::2"; }
nodecli() { local n=$1; shift; in_ns "$n" "$NLB_NODE" --pin-dir "$TOPO_RUN/bpf/$n" "$@"; }

# link HOST_A IF_A HOST_B IF_B: a veth pair straight into both namespaces
topo_link() {
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")"
	in_ns "$1" ip link set "$2" up
	in_ns "$3" ip link set "$4" up
	# checksums must be complete on the wire: XDP re-sends raw frames
	in_ns "$1" ethtool -K "$2" tx off >/dev/null 2>&1 || true
	in_ns "$3" ethtool -K "$4" tx off >/dev/null 2>&1 || true
}

topo_host() {
	ip netns add "$(ns "$1")"
	in_ns "$1" ip link set lo up
	in_ns "$1" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	in_ns "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

topo_down() {
	local n
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$TOPO_PFX-"); do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	if mountpoint -q "$TOPO_RUN/bpf" 2>/dev/null; then
		umount "$TOPO_RUN/bpf"
	fi
	rm -rf "$TOPO_RUN"
}

# topo_up NLBS: client, router, NLBS LB nodes (1 or 2) and the backends,
# addressed and routed, forwarders attached, decap on the backends. With
# TOPO_VIP_ROUTES=0 the router gets no static VIP routes (scripts/system.sh:
# it learns them over BGP).
topo_up() {
	local nlbs=${1:-1} i
	mkdir -p "$TOPO_RUN/bpf"
	mount -t bpf bpf "$TOPO_RUN/bpf"
	for h in client router $(seq -f lb%g 1 "$nlbs") $(seq -f b%g 1 $NBACKENDS); do
		topo_host "$h"
	done
	in_ns router sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# L4 hashing, so flows spread over the LB nodes as behind a real ECMP router
	in_ns router sysctl -qw net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1

	topo_link client eth0 router rc
	in_ns client ip addr add $CLIENT4/24 dev eth0
	in_ns client ip -6 addr add $CLIENT6/64 dev eth0 nodad
	in_ns router ip addr add 10.99.0.1/24 dev rc
	in_ns router ip -6 addr add fd99::1/64 dev rc nodad
	in_ns client ip route add default via 10.99.0.1
	in_ns client ip -6 route add default via fd99::1

	for i in $(seq 1 "$nlbs"); do
		topo_link "lb$i" eth0 router "rl$i"
		in_ns "lb$i" ip addr add "$(lb4 "$i")/24" dev eth0
		in_ns "lb$i" ip -6 addr add "$(lb6 "$i")/64" dev eth0 nodad
		in_ns router ip addr add "10.99.$i.1/24" dev "rl$i"
		in_ns router ip -6 addr add "fd99:$i::1/64" dev "rl$i" nodad
		in_ns "lb$i" ip route add default via "10.99.$i.1"
		in_ns "lb$i" ip -6 route add default via "fd99:$i::1"
		# frames the forwarder sends back (XDP_TX) need an XDP program
		# on the receiving veth
		in_ns router "$NLB_NODE" pass attach "rl$i"
		nodecli "lb$i" attach eth0 >/dev/null
		nodecli "lb$i" config --src-v4 "10.99.20$i.0/24" --src-v6 "fd99:20$i::/64" >/dev/null
	done
	if [ "${TOPO_VIP_ROUTES:-1}" = 1 ]; then
		topo_route_vips "$(seq -s " " 1 "$nlbs")"
	fi

	for i in $(seq 1 $NBACKENDS); do
		topo_link "b$i" eth0 router "rb$i"
		in_ns "b$i" ip addr add "$(b4 "$i")/24" dev eth0
		in_ns "b$i" ip -6 addr add "$(b6 "$i")/64" dev eth0 nodad
		in_ns router ip addr add "10.99.1$i.1/24" dev "rb$i"
		in_ns router ip -6 addr add "fd99:1$i::1/64" dev "rb$i" nodad
		in_ns "b$i" ip route add default via "10.99.1$i.1"
		in_ns "b$i" ip -6 route add default via "fd99:1$i::1"
		in_ns "b$i" ip addr add $VIP4/32 dev lo
		in_ns "b$i" ip -6 addr add $VIP6/128 dev lo nodad
		in_ns "b$i" "$NLB_NODE" decap attach eth0
	done
	# neighbours resolve before the first test packet
	in_ns client ping -c1 -W2 10.99.0.1 >/dev/null
	in_ns client ping -6 -c1 -W2 fd99::1 >/dev/null
}

# topo_route_vips "1 2": the router's routes to the VIPs over these LB nodes
topo_route_vips() {
	local hops4="" hops6="" i
	for i in $1; do
		hops4="$hops4 nexthop via 10.99.$i.2"
		hops6="$hops6 nexthop via fd99:$i::2"
	done
	in_ns router ip route replace $VIP4/32 $hops4
	in_ns router ip -6 route replace $VIP6/128 $hops6
}

# servers on backend i: HTTP :80 and TCP echo :7 and UDP echo :53 on both VIPs,
# each answering with the backend's name
topo_servers() {
	local i
	for i in $(seq 1 $NBACKENDS); do
		in_ns "b$i" python3 "$NLB_TOP/scripts/backend_server.py" "b$i" $VIP4 $VIP6 \
			>"$TOPO_RUN/server-b$i.log" 2>&1 &
	done
	for i in $(seq 1 $NBACKENDS); do
		local tries=50
		until in_ns "b$i" ss -ltn | grep -q ":80 "; do
			tries=$((tries - 1))
			[ $tries -gt 0 ] || { echo "server on b$i did not start"; return 1; }
			sleep 0.1
		done
	done
}

# topo_service VIP_SPEC: the VIP on every LB node with all backends
topo_service() {
	local spec=$1 fam=${2:-4} n i
	for n in $(ip netns list | awk '{print $1}' | grep "^$TOPO_PFX-lb" | sed "s/^$TOPO_PFX-//"); do
		nodecli "$n" vip add "$spec" >/dev/null
		for i in $(seq 1 $NBACKENDS); do
			if [ "$fam" = 6 ]; then
				nodecli "$n" backend add "$spec" "$(b6 "$i")" >/dev/null
			else
				nodecli "$n" backend add "$spec" "$(b4 "$i")" >/dev/null
			fi
		done
	done
}
