#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End-to-end figures of the whole system (scripts/system.sh), as lines
# "name: value unit":
#   e2e_apply_to_traffic_*       E2E_LBS new load balancers, one at a time:
#                                from `nlbctl apply` to the first TCP
#                                connection answered through the VIP
#   e2e_update_propagation_*     E2E_UPDATES weight changes: from the API
#                                call to both nodes' maps holding it
#   e2e_backend_down_avoid_ms_*  E2E_ROUNDS times a backend's server stops
#                                while the client opens connections back to
#                                back: from the configured detection time
#                                (stop + interval x fall) to the start of the
#                                last connection the dead backend received
#                                (refused); negative: avoided before
#   e2e_node_failover_*          E2E_ROUNDS times an LB node dies: from its
#                                death to the router's route without it
#                                (BFD), and to the start of the last client
#                                connection that failed
# Root; brings the system up, tears it down at the end (also on Ctrl-C).
set -eu
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "bench-e2e: run as root"; exit 1; }
E2E_LBS=${E2E_LBS:-50}
E2E_UPDATES=${E2E_UPDATES:-20}
E2E_ROUNDS=${E2E_ROUNDS:-5}
TOPO_TAG=bench$$
. scripts/system.sh
trap sys_down EXIT
trap 'exit 143' TERM INT
CONNS=$NLB_TOP/bench/e2e/conns.py
# health check of the benchmark's load balancers: detection in 600 ms
HC="{ type: HTTP, path: /, intervalMs: 200, timeoutMs: 150, rise: 1, fall: 3 }"
DETECT_MS=600

# stats NAME UNIT: p50, p99 and max of the numbers on stdin
stats() {
	sort -n | awk -v n="$1" -v u="$2" '{v[NR] = $1}
		END {
			if (!NR) { print n "_p50: none"; exit }
			p99 = int(NR * 0.99 + 0.999); if (p99 > NR) p99 = NR
			printf "%s_p50: %d %s\n%s_p99: %d %s\n%s_max: %d %s\n%s_samples: %d\n",
				n, v[int((NR + 1) / 2)], u, n, v[p99], u, n, v[NR], u, n, NR
		}'
}

# lb NAME WEIGHT: a load balancer over the three backends, b1 weighted
lb() {
	cat <<-EOF
		kind: LoadBalancer
		name: $1
		spec:
		  listeners:
		    - port: 80
		      healthCheck: $HC
		      backends:
		        - { address: $(b4 1), weight: ${2:-100} }
		        - { address: $(b4 2) }
		        - { address: $(b4 3) }
	EOF
}

on_both_weight() { # VIP W: b1 has weight W in both nodes' maps
	local i
	for i in 1 2; do
		sys_nodecli "$i" vip list | grep -q "^  backend $(b4 1) id [0-9]* state [a-z]* weight $2 " ||
			return 1
	done
}

apply_to_traffic() {
	local i t0 vip
	for i in $(seq 1 "$E2E_LBS"); do
		t0=$(sys_now_ms)
		lb "lb$i" | sys_ctl apply -f - >/dev/null
		vip=$(sys_vip "lb$i")
		in_ns client python3 "$CONNS" first "$vip" "$t0" 10
	done | stats e2e_apply_to_traffic ms
	# shellcheck disable=SC2046
	sys_ctl delete $(seq -f 'lb%g' 1 "$E2E_LBS") --wait >/dev/null 2>&1
}

update_propagation() {
	local i t0 w vip
	vip=$(sys_vip probe)
	for i in $(seq 1 "$E2E_UPDATES"); do
		w=$((100 - i))
		t0=$(sys_now_ms)
		lb probe "$w" | sys_ctl apply -f - >/dev/null
		sys_wait "weight $w on both nodes" 5000 on_both_weight "$vip" "$w"
		echo $(($(sys_now_ms) - t0))
	done | stats e2e_update_propagation ms
}

# the start of the last connection b1 received (refused) after its server
# stopped at STOP_MS, relative to the configured detection time
backend_down_avoid() {
	local r vip stop
	vip=$(sys_vip probe)
	for r in $(seq 1 "$E2E_ROUNDS"); do
		sys_wait "b1 healthy again" 10000 b1_healthy
		in_ns client python3 "$CONNS" log "$vip" 3 "$SYS_RUN/conns" &
		sleep 0.5
		stop=$(sys_now_ms)
		sys_server_stop 1
		wait $!
		awk -v s="$stop" -v d=$DETECT_MS '$2 == "refused" && $1 >= s {last = $1}
			END {if (last) print int(last - s - d); else print -d}' "$SYS_RUN/conns"
		sys_server_start 1
	done | stats e2e_backend_down_avoid ms
}

b1_healthy() {
	sys_ctl get probe -o json | python3 -c "import json,sys
b = [x for x in json.load(sys.stdin)['status']['backends'] if x['address'] == '$(b4 1)']
sys.exit(b[0]['health'] != 'healthy')"
}

node_failover() {
	local r n vip kill ms
	vip=$(sys_vip probe)
	: >"$SYS_RUN/client-ms"
	for r in $(seq 1 "$E2E_ROUNDS"); do
		n=$((r % 2 + 1))
		sys_wait "both nodes next hops" 30000 sys_hops_are "$vip" "lb1 lb2"
		in_ns client python3 "$CONNS" log "$vip" 3 "$SYS_RUN/conns" &
		sleep 0.5
		kill=$(sys_now_ms)
		sys_node_kill "$n"
		ms=$(sys_wait_hops "$vip" "lb$((3 - n))" 5000)
		wait $!
		awk -v k="$kill" '$2 !~ /^b[0-9]$/ && $1 >= k {last = $1}
			END {print (last ? int(last - k) : 0)}' "$SYS_RUN/conns" >>"$SYS_RUN/client-ms"
		echo "$ms"
		sys_node_restore "$n"
	done | stats e2e_node_failover ms
	stats e2e_node_failover_client ms <"$SYS_RUN/client-ms"
	sys_wait "both nodes next hops" 30000 sys_hops_are "$vip" "lb1 lb2"
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
sys_down
sys_up
apply_to_traffic
lb probe | sys_ctl apply -f - >/dev/null
sys_wait "probe over both nodes" 10000 sys_hops_are "$(sys_vip probe)" "lb1 lb2"
update_propagation
backend_down_avoid
node_failover
