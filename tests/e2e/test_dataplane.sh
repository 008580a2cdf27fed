#!/usr/bin/env bash
# End to end through the XDP forwarder, in network namespaces (scripts/topo.sh):
# real TCP and UDP from a client, through one or two LB nodes, to backends that
# decapsulate and answer the client directly.
. "$(dirname "$0")/../lib/nlbtest.sh"
. "$(dirname "$0")/../../scripts/topo.sh"

CLIENT_PY="$NLB_TOP/scripts/client.py"

count_of() { awk -v k="$1" '$1 == k {print $2}' <<<"$2"; }

# assert_spread OUT TOTAL: every backend got total/3 within ±20%, no errors
assert_spread() {
	local out=$1 total=$2 i n even=$(($2 / NBACKENDS))
	if grep -q '^error' <<<"$out"; then
		echo "  connection errors: $(grep '^error' <<<"$out" | tr '\n' ' ')"
		return 1
	fi
	for i in $(seq 1 $NBACKENDS); do
		n=$(count_of "b$i" "$out")
		n=${n:-0}
		if [ "$n" -lt $((even * 8 / 10)) ] || [ "$n" -gt $((even * 12 / 10)) ]; then
			echo "  b$i got $n of $total, want $even ±20%: $(tr '\n' ' ' <<<"$out")"
			return 1
		fi
	done
}

link_stat() { in_ns "$1" cat "/sys/class/net/$2/statistics/$3"; }

has_flow() { nodecli "$1" flows | grep -q -- "-> $2"; }

vip_packets() { nodecli "$1" vip list | awk -v v="$2" '$1 == "vip" && $2 == v {print $6}'; }

test_spread_tcp_v4_dsr() {
	t_cleanup topo_down
	topo_up 1
	topo_servers
	topo_service "$VIP4:80/tcp"
	local to_lb0 replies0=0 replies1=0 i out
	to_lb0=$(link_stat router rl1 tx_packets)
	for i in $(seq 1 $NBACKENDS); do replies0=$((replies0 + $(link_stat "b$i" eth0 tx_packets))); done
	out=$(in_ns client python3 "$CLIENT_PY" spread $VIP4 1000)
	assert_spread "$out" 1000
	# DSR: the LB node gets the client's packets only; the replies (at
	# least one per connection) leave the backends and never reach it
	local to_lb=$(( $(link_stat router rl1 tx_packets) - to_lb0 ))
	local seen; seen=$(vip_packets lb1 "$VIP4:80/tcp")
	for i in $(seq 1 $NBACKENDS); do replies1=$((replies1 + $(link_stat "b$i" eth0 tx_packets))); done
	t_check "backends sent replies ($((replies1 - replies0)))" [ $((replies1 - replies0)) -ge 1000 ]
	t_check "forwarder counted the VIP's packets ($seen)" [ "$seen" -ge 3000 ]
	t_check "router sent the LB only client packets ($to_lb vs $seen forwarded)" \
		[ "$to_lb" -le $((seen + seen / 10 + 20)) ]
}

test_spread_tcp_v6() {
	t_cleanup topo_down
	topo_up 1
	topo_servers
	topo_service "[$VIP6]:80/tcp" 6
	local out
	# 1000, as for IPv4: at 300, ±20 % is only 2.4 standard deviations
	out=$(in_ns client python3 "$CLIENT_PY" spread $VIP6 1000)
	assert_spread "$out" 1000
}

test_udp_v4_v6() {
	t_cleanup topo_down
	topo_up 1
	topo_servers
	topo_service "$VIP4:53/udp"
	topo_service "[$VIP6]:53/udp" 6
	local out
	# 1000 each: at 300, ±20 % is only 2.4 standard deviations per backend
	out=$(in_ns client python3 "$CLIENT_PY" udp $VIP4 1000)
	assert_spread "$out" 1000
	out=$(in_ns client python3 "$CLIENT_PY" udp $VIP6 1000)
	assert_spread "$out" 1000
}

counter() { nodecli "$1" stats | awk -v k="$2" '$1 == k {print $2}'; }

test_icmp_echo_answered_by_node() {
	t_cleanup topo_down
	topo_up 1
	topo_service "$VIP4:80/tcp"
	topo_service "[$VIP6]:80/tcp" 6
	t_check "ping $VIP4" in_ns client ping -q -c 3 -i 0.2 -W 2 $VIP4
	t_check "ping $VIP6" in_ns client ping -q -6 -c 3 -i 0.2 -W 2 $VIP6
	t_check "the node answered all six ($(counter lb1 icmp_echo_reply))" \
		[ "$(counter lb1 icmp_echo_reply)" -eq 6 ]
	t_check "nothing was tunnelled" [ "$(counter lb1 tx)" -eq 0 ]
}

# starts a long-lived connection; waits until it is established
hold_start() {
	in_ns client python3 "$CLIENT_PY" hold "$1" "$2" "$TOPO_RUN/hold" &
	HOLD_PID=$!
	local tries=50
	until [ -s "$TOPO_RUN/hold.ready" ]; do
		tries=$((tries - 1))
		[ $tries -gt 0 ] || { echo "  long-lived connection did not start"; return 1; }
		sleep 0.1
	done
}

hold_result() {
	wait "$HOLD_PID"
	local r; r=$(cat "$TOPO_RUN/hold")
	t_check "long-lived connection: $r" [ "${r%% *}" = ok ]
}

test_long_lived_survives_changes() {
	t_cleanup topo_down
	topo_up 1
	topo_servers
	# two backends first; the third is added while the connection lives
	nodecli lb1 vip add "$VIP4:7/tcp" >/dev/null
	nodecli lb1 backend add "$VIP4:7/tcp" "$(b4 1)" >/dev/null
	nodecli lb1 backend add "$VIP4:7/tcp" "$(b4 2)" >/dev/null
	hold_start $VIP4 6
	local own; own=$(cat "$TOPO_RUN/hold.ready")
	sleep 0.5
	nodecli lb1 backend add "$VIP4:7/tcp" "$(b4 3)" >/dev/null
	sleep 0.5
	nodecli lb1 backend set "$VIP4:7/tcp" "$(b4 "${own#b}")" --state drained >/dev/null
	sleep 0.5
	# upgrade: a new program instance behind the same link, same maps
	nodecli lb1 attach eth0 >/dev/null
	sleep 0.5
	hold_result
	t_check "conntrack kept the flow" has_flow lb1 "$VIP4:7/"
}

test_down_backend_gets_no_new_connections() {
	t_cleanup topo_down
	topo_up 1
	topo_servers
	topo_service "$VIP4:80/tcp"
	nodecli lb1 backend set "$VIP4:80/tcp" "$(b4 1)" --state down >/dev/null
	local out; out=$(in_ns client python3 "$CLIENT_PY" spread $VIP4 300)
	t_check "no errors: $(tr '\n' ' ' <<<"$out")" t_not grep -q '^error' <<<"$out"
	t_check "b1 (down) got none: $(tr '\n' ' ' <<<"$out")" [ -z "$(count_of b1 "$out")" ]
	t_check "b2 and b3 got all" [ "$(( $(count_of b2 "$out") + $(count_of b3 "$out") ))" -eq 300 ]
	# drained: no new connections either
	nodecli lb1 backend set "$VIP4:80/tcp" "$(b4 1)" --state enabled >/dev/null
	nodecli lb1 backend set "$VIP4:80/tcp" "$(b4 2)" --state drained >/dev/null
	out=$(in_ns client python3 "$CLIENT_PY" spread $VIP4 300)
	t_check "b2 (drained) got none: $(tr '\n' ' ' <<<"$out")" [ -z "$(count_of b2 "$out")" ]
}

test_ecmp_failover_same_backend() {
	t_cleanup topo_down
	topo_up 2
	topo_servers
	topo_service "$VIP4:7/tcp"
	hold_start $VIP4 5
	sleep 0.5
	# which LB node carries it? the one with the flow in its table
	local carrier other
	if has_flow lb1 "$VIP4:7/"; then carrier=1 other=2; else carrier=2 other=1; fi
	t_check "the carrier lb$carrier has the flow" has_flow "lb$carrier" "$VIP4:7/"
	t_check "lb$other has not seen it yet" t_not has_flow "lb$other" "$VIP4:7/"
	topo_route_vips "$other"
	sleep 1
	t_check "lb$other took the flow over" has_flow "lb$other" "$VIP4:7/"
	hold_result
}

[ "$(id -u)" = 0 ] || t_skip "needs root"
t_run e2e_spread_tcp_v4_dsr test_spread_tcp_v4_dsr
t_run e2e_spread_tcp_v6 test_spread_tcp_v6
t_run e2e_udp_v4_v6 test_udp_v4_v6
t_run e2e_icmp_echo_answered_by_node test_icmp_echo_answered_by_node
t_run e2e_long_lived_survives_changes test_long_lived_survives_changes
t_run e2e_down_backend_gets_no_new_connections test_down_backend_gets_no_new_connections
t_run e2e_ecmp_failover_same_backend test_ecmp_failover_same_backend
t_done
