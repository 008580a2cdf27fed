#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-veth: packets per second forwarded live by nlb's XDP forwarder.
#
#   nlbt-veth-<pid>-gen                      nlbt-veth-<pid>-lb
#   gen (XDP, live frames) -> eth0 ==veth== eth0 -> nlb forwarder (XDP)
#   pass (XDP)             <- eth0 <======= eth0 <- IPIP encap, XDP_TX
#
# The generator (bench/veth/gen.c) sends UDP to an all-ports UDP VIP with
# three backends, FLOWS source ports; the forwarder encapsulates each packet
# and sends it back out of the same veth. Forwarded = the generator's eth0
# rx_packets (veth counts every frame its XDP program sees), generated = the
# generator program's own counter; both as the median of one-second
# intervals after a warm-up, printed by gen. Everything runs in the
# generator thread's softirqs on one CPU, which is shared: *_pps_per_cpu is
# the same count per second of that thread's CPU time, what one whole CPU
# running generator, veth and forwarder does, less sensitive to the load. The forwarder's next hop MAC is
# a router that is not there, so the generator's stack drops the returned
# frames at once (PACKET_OTHERHOST). Cross-check: the forwarder's tx counter
# against the returned frames over the whole run.
#
# usage: bench/veth/run.sh [BUILD]; environment: VETH_FLOWS (4096),
# VETH_SIZE (64 bytes), VETH_BATCH (64), VETH_INTERVALS (7), VETH_V6 (1: also
# IPv6), VETH_BASELINE (1: also the path without the forwarder, see
# baseline()), VETH_CPU (pin the generator to this CPU).
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
NODE=$BUILD/bin/nlb-node
GEN=$BUILD/bench/veth/gen
REFLECT=$BUILD/bench/veth/reflect.bpf.o
FLOWS=${VETH_FLOWS:-4096}
SIZE=${VETH_SIZE:-64}
BATCH=${VETH_BATCH:-64}
INTERVALS=${VETH_INTERVALS:-7}
V6=${VETH_V6:-1}
BASELINE=${VETH_BASELINE:-1}
CPU=${VETH_CPU:-}

PFX=nlbt-veth-$$
RUN=/run/$PFX
GEN_NS=$PFX-gen
LB_NS=$PFX-lb
ROUTER_MAC=02:00:5e:00:00:01 # the forwarder's next hop: nobody

cleanup() {
	local n
	for n in "$GEN_NS" "$LB_NS"; do
		[ -e "/run/netns/$n" ] || continue
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$n" 2>/dev/null || true
	done
	if mountpoint -q "$RUN/bpf" 2>/dev/null; then
		umount "$RUN/bpf" || true
	fi
	rm -rf "$RUN"
}
for f in "$NODE" "$GEN" "$REFLECT"; do
	[ -e "$f" ] || { echo "bench-veth: $f missing: make bench-veth" >&2; exit 1; }
done
trap cleanup EXIT
trap 'exit 130' INT TERM

in_gen() { ip netns exec "$GEN_NS" "$@"; }
in_lb() { ip netns exec "$LB_NS" "$@"; }
lbcli() { in_lb "$NODE" --pin-dir "$RUN/bpf" "$@"; }
lb_tx() { lbcli stats | awk '$1 == "tx" { print $2 }'; }
gen_rx() { in_gen cat /sys/class/net/eth0/statistics/rx_packets; }

setup() {
	local i
	mkdir -p "$RUN/bpf"
	mount -t bpf bpf "$RUN/bpf"
	ip netns add "$GEN_NS"
	ip netns add "$LB_NS"
	# no IPv6 on the veth: the stacks stay quiet (no MLD, no RS) and the
	# forwarder's tx counter matches the returned frames exactly
	in_gen sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	in_lb sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip link add eth0 netns "$GEN_NS" type veth peer name eth0 netns "$LB_NS"
	in_gen ip link set lo up
	in_lb ip link set lo up
	in_gen ip link set eth0 up
	in_lb ip link set eth0 up
	# frames that come back with XDP_TX need an XDP program here
	in_gen "$NODE" pass attach eth0
	lbcli attach eth0 --ct-size 262144 --ct6-size 262144 >/dev/null
	lbcli config --src-v4 10.98.200.0/24 --src-v6 fd98:200::/64 \
		--nexthop-mac $ROUTER_MAC >/dev/null
	lbcli vip add '10.98.100.1:*/udp' >/dev/null
	lbcli vip add '[fd98:100::1]:*/udp' >/dev/null
	for i in 1 2 3; do
		lbcli backend add '10.98.100.1:*/udp' "10.98.1$i.2" >/dev/null
		lbcli backend add '[fd98:100::1]:*/udp' "fd98:1$i::2" >/dev/null
	done
}

# gen_run SRC VIP LABEL: one run of the generator; its figures on stdout
gen_run() {
	local pin=()
	[ -z "$CPU" ] || pin=(taskset -c "$CPU")
	in_gen "${pin[@]}" "$GEN" --iface eth0 --dst-mac "$LB_MAC" \
		--src "$1" --dst "$2" --flows "$FLOWS" --size "$SIZE" \
		--batch "$BATCH" --intervals "$INTERVALS" --label "$3"
}

# forward LABEL SRC VIP: the forwarder's figures, then the cross-check of
# its tx counter against the frames that came back
forward() {
	local label=$1 tx0 rx0 out
	tx0=$(lb_tx)
	rx0=$(gen_rx)
	out=$(gen_run "$2" "$3" "$label")
	echo "$out"
	echo "veth_lb_tx_packets$label: $(($(lb_tx) - tx0)) packets"
	echo "veth_returned_packets$label: $(($(gen_rx) - rx0)) packets"
	FWD_CPU=$(figure "$out" "veth_forward_pps_per_cpu$label")
}

# figure OUTPUT NAME: the value of one "name: value unit" line
figure() { echo "$1" | awk -v n="$2:" '$1 == n { print $2 }'; }

# baseline FWD_CPU: the same path with reflect.bpf.c in place of the
# forwarder, what the generator, the veth pair and the returned frames
# cost alone; the difference in CPU time per packet is the forwarder's.
baseline() {
	local out ref
	lbcli detach eth0
	in_lb ip link set dev eth0 xdpdrv obj "$REFLECT" sec xdp
	out=$(gen_run 10.98.0.1 10.98.100.1 _baseline)
	echo "$out"
	ref=$(figure "$out" veth_forward_pps_per_cpu_baseline)
	awk -v f="$1" -v r="$ref" 'BEGIN {
		if (f > 0 && r > 0)
			printf "veth_forward_added_ns: %.0f ns/packet\n", 1e9 / f - 1e9 / r
	}'
}

setup
LB_MAC=$(in_lb cat /sys/class/net/eth0/address)
echo "veth_machine_cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "veth_machine_cpus: $(nproc) cpus"
echo "veth_machine_kernel: $(uname -r)"
echo "veth_flows: $FLOWS flows"
echo "veth_frame_size: $SIZE bytes"
forward "" 10.98.0.1 10.98.100.1
FWD4=$FWD_CPU
if [ "$V6" = 1 ]; then
	forward _v6 fd98::1 fd98:100::1
fi
if [ "$BASELINE" = 1 ]; then
	baseline "$FWD4"
fi
