#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The whole LBaaS on one machine (scripts/system.sh), real processes only:
# nlb-controlplane on SQLite, a router running FRR (BGP, ECMP, BFD), two LB
# nodes in two zones each running FRR, the XDP forwarder, nlblet and nlb-hc,
# three backends, a client. The system comes up once; the cases run in order
# on it, and each leaves it as it found it (every node up, every server up).
. "$(dirname "$0")/../lib/nlbtest.sh"
TOPO_TAG=sys$$
. "$NLBT_TOP/scripts/system.sh"

CLIENT_PY=$NLB_TOP/scripts/client.py
# examples/web.yaml's health check: interval 500 ms, fall 3
WEB_DETECT_MS=1500

t_cleanup sys_down
# the runner's timeout sends TERM: still clean up
trap 'exit 143' TERM INT

count_of() { awk -v k="$1" '$1 == k {print $2}' <<<"$2"; }

# spread VIP N: N HTTP requests from the client; prints "bI COUNT" lines
spread() { in_ns client python3 "$CLIENT_PY" spread "$1" "$2"; }

# no_errors OUT: every request of a spread was answered
no_errors() {
	if grep -q '^error' <<<"$1"; then
		echo "  failed requests: $(tr '\n' ' ' <<<"$1")"
		return 1
	fi
}

# (outputs are captured before grep -q: under pipefail, grep -q exiting at
# the first match would fail the pipeline with the writer's SIGPIPE)

# has_vip I SPEC: lb I's maps hold the VIP (ADDR:PORT/PROTO)
has_vip() {
	local out
	out=$(sys_nodecli "$1" vip list)
	grep -q "^vip $2 " <<<"$out"
}

# backend_is I SPEC ADDR PATTERN: lb I's maps show ADDR of SPEC matching
# PATTERN ("state drained", "weight 50")
backend_is() {
	local out
	out=$(sys_nodecli "$1" vip list |
		awk -v v="$2" '$1 == "vip" {on = ($2 == v)} on && $1 == "backend"')
	grep -q "^  backend $3 id [0-9]* .*$4 " <<<"$out"
}

# on_both CMD ARGS...: CMD 1 ARGS and CMD 2 ARGS
on_both() { "$1" 1 "${@:2}" && "$1" 2 "${@:2}"; }

# timed DESC TIMEOUT_MS CMD...: sys_wait, printing how long it took
timed() {
	local t0
	t0=$(sys_now_ms)
	sys_wait "$@" || return 1
	echo "  $1: $(($(sys_now_ms) - t0)) ms"
}

# lb_status NAME EXPR: a Python expression over the LB's JSON (as j)
lb_status() {
	sys_ctl get "$1" -o json | python3 -c "import json,sys; j=json.load(sys.stdin); print($2)"
}

# backend_health NAME PORT ADDR: "health reason" of one backend in status
backend_health() {
	lb_status "$1" "' '.join(next(([b['health'], b.get('reason','')] for b in j['status']['backends'] if b['port']==$2 and b['address']=='$3'), ['none']))"
}

# status_is NAME EXPR WANT: lb_status NAME EXPR prints WANT
status_is() { [ "$(lb_status "$1" "$2")" = "$3" ]; }

healthy_in_status() { [ "$(backend_health "$1" "$2" "$3" | cut -d' ' -f1)" = healthy ]; }

# hold_start VIP SECONDS TAG: a long-lived echo connection from the client
hold_start() {
	rm -f "$SYS_RUN/hold-$3" "$SYS_RUN/hold-$3.ready"
	in_ns client python3 "$CLIENT_PY" hold "$1" "$2" "$SYS_RUN/hold-$3" &
	echo $! >"$SYS_RUN/hold-$3.pid"
	sys_wait "long-lived connection $3 established" 5000 test -s "$SYS_RUN/hold-$3.ready"
}

# hold_ok TAG: it ended with every reply from the one backend it started on
hold_ok() {
	local pid r
	pid=$(cat "$SYS_RUN/hold-$1.pid")
	while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
	r=$(cat "$SYS_RUN/hold-$1")
	echo "  long-lived connection $1: $r"
	[ "${r%% *}" = ok ]
}

# carrier VIP: the LB node whose connection table has a flow to VIP:7
carrier() {
	local i
	for i in 1 2; do
		has_flow_to "$i" "$1:7/" && { echo "$i"; return 0; }
	done
	return 1
}

# watch_hops VIP WANT: in the background, log every moment the router's
# next hops for VIP are not WANT; watch_stop reports them
watch_hops() {
	: >"$SYS_RUN/watch"
	(while :; do
		h=$(sys_hops "$1")
		[ "$h" = "$2" ] || echo "$(date +%T.%N) '$h'" >>"$SYS_RUN/watch"
		sleep 0.1
	done) &
	echo $! >"$SYS_RUN/watch.pid"
	t_cleanup "kill $!"
}
watch_stop() {
	kill "$(cat "$SYS_RUN/watch.pid")" 2>/dev/null || true
	if [ -s "$SYS_RUN/watch" ]; then
		echo "  router's next hops changed: $(head -5 "$SYS_RUN/watch" | tr '\n' ' ')"
		return 1
	fi
}

# need_up: the system came up, every node and server is back (an earlier
# failed case may have left one down)
need_up() {
	local i
	[ -e "$SYS_RUN/ready" ] || t_skip "no system (setup failed)"
	for i in $(seq 1 $NBACKENDS); do
		[ -e "$SYS_RUN/server-b$i.pid" ] || sys_server_start "$i"
	done
	for i in 1 2; do
		kill -0 "$(sys_nlblet_pid "$i")" 2>/dev/null || sys_node_restore "$i"
		sys_wait "lb$i's sessions up" 20000 sys_sessions_up "lb$i"
	done
}

# manifest NAME HC BACKEND...: a one-listener LB on port 80; HC is its
# healthCheck in YAML flow style (empty: none); a BACKEND is "ADDR",
# "ADDR,weight: W" or "ADDR,state: drained"
manifest() {
	local name=$1 hc=$2 b
	shift 2
	echo "kind: LoadBalancer"
	echo "name: $name"
	echo "spec:"
	echo "  listeners:"
	echo "    - port: 80"
	[ -n "$hc" ] && echo "      healthCheck: $hc"
	echo "      backends:"
	for b in "$@"; do
		if [[ $b == *,* ]]; then
			echo "        - { address: ${b%%,*}, ${b#*,} }"
		else
			echo "        - { address: $b }"
		fi
	done
}

apply() { sys_ctl apply -f - >/dev/null; }

test_up() {
	[ "$(id -u)" = 0 ] || t_skip "needs root"
	command -v vtysh >/dev/null && [ -x /usr/lib/frr/bgpd ] ||
		t_skip "FRR not installed (scripts/deps.sh)"
	for b in nlblet nlb-hc nlb-controlplane nlbctl nlb-node; do
		[ -x "$NLB_BIN/$b" ] || t_skip "$b not built"
	done
	local t0
	t0=$(sys_now_ms)
	sys_up
	echo "  system up in $(($(sys_now_ms) - t0)) ms"
	touch "$SYS_RUN/ready"
}

# nlbctl apply to TCP through the router's BGP-learned ECMP routes; a node
# is never a next hop before its maps hold the VIP
test_apply_to_traffic() {
	need_up
	local t0 vip h early="" out i n
	t0=$(sys_now_ms)
	sys_ctl apply -f "$NLB_TOP/examples/web.yaml"
	vip=$(sys_vip web)
	until [ "$(sys_hops "$vip")" = "lb1 lb2" ]; do
		for h in $(sys_hops "$vip"); do
			has_vip "${h#lb}" "$vip:80/tcp" || early="$early $h"
		done
		[ $(($(sys_now_ms) - t0)) -lt 15000 ] || { echo "  router: '$(sys_hops "$vip")'"; return 1; }
		sleep 0.01
	done
	echo "  apply to ECMP over both nodes: $(($(sys_now_ms) - t0)) ms"
	t_check "no node advertised before its maps held the VIP:$early" test -z "$early"
	t_check "the router learned $vip over BGP" sys_bgp_learned "$vip"
	out=$(spread "$vip" 300)
	no_errors "$out"
	for i in $(seq 1 $NBACKENDS); do
		n=$(count_of "b$i" "$out")
		t_check "b$i got a share of 300 (${n:-0})" [ "${n:-0}" -ge 60 ]
	done
	t_check "both nodes forwarded" on_both has_flow_to "$vip:80/"
	sys_wait "status: advertised from 2 of 2" 5000 \
		status_is web 'j["status"]["advertised"]' "2 of 2"
	# IPv6: a /128 over the IPv6 sessions
	manifest web6 "" "$(b6 1)" "$(b6 2)" "$(b6 3)" |
		sed 's/^spec:/spec:\n  ipFamily: IPv6/' | apply
	vip=$(sys_vip web6)
	timed "IPv6 VIP $vip over both nodes" 15000 sys_hops_are "$vip" "lb1 lb2"
	out=$(spread "$vip" 60)
	no_errors "$out"
	sys_ctl delete web6 >/dev/null
}

has_flow_to() {
	local out
	out=$(sys_nodecli "$1" flows)
	grep -q -- "-> $2" <<<"$out"
}

# a VIP whose backends are all unhealthy is programmed but not advertised;
# one recovering backend brings it; all down again withdraws it
test_advertise_only_when_healthy() {
	need_up
	local vip out pid
	manifest gated "{ type: TCP, port: 9000, intervalMs: 200, timeoutMs: 100, rise: 1, fall: 1 }" \
		"$(b4 1)" "$(b4 2)" "$(b4 3)" | apply
	vip=$(sys_vip gated)
	timed "programmed on both nodes" 5000 on_both has_vip "$vip:80/tcp"
	sys_wait "every backend unhealthy in status" 5000 \
		status_is gated '[b["health"] for b in j["status"]["backends"]]' \
		"['unhealthy', 'unhealthy', 'unhealthy']"
	sleep 1
	t_check "not advertised with every backend down ('$(sys_hops "$vip")')" sys_hops_are "$vip" ""
	t_check "status: advertised from 0 of 2" \
		test "$(lb_status gated 'j["status"]["advertised"]')" = "0 of 2"

	ip netns exec "$(ns b2)" socat TCP-LISTEN:9000,fork,reuseaddr SYSTEM:true &
	pid=$!
	t_cleanup "kill $pid"
	timed "advertised once b2 is healthy" 5000 sys_hops_are "$vip" "lb1 lb2"
	out=$(spread "$vip" 30)
	t_check "only b2 answers: $(tr '\n' ' ' <<<"$out")" test "$out" = "b2 30"

	kill "$pid"
	timed "withdrawn when b2 is down again" 5000 sys_hops_are "$vip" ""
	ip netns exec "$(ns b3)" socat TCP-LISTEN:9000,fork,reuseaddr SYSTEM:true &
	pid=$!
	t_cleanup "kill $pid"
	timed "back when b3 recovers" 5000 sys_hops_are "$vip" "lb1 lb2"
	kill "$pid"
	sys_ctl delete gated >/dev/null
}

# a backend whose server stops gets no new connection after
# interval x fall + 1 s, and status names the reason
test_backend_down() {
	need_up
	local vip out st
	vip=$(sys_vip web)
	sys_server_stop 1
	t_cleanup "sys_server_start 1"
	sleep $(((WEB_DETECT_MS + 1000) / 1000)).$(((WEB_DETECT_MS + 1000) % 1000 / 100))
	out=$(spread "$vip" 150)
	t_check "b1 got no new connection: $(tr '\n' ' ' <<<"$out")" test -z "$(count_of b1 "$out")"
	no_errors "$out"
	t_check "down in lb1's maps" backend_is 1 "$vip:80/tcp" "$(b4 1)" "state down"
	t_check "down in lb2's maps" backend_is 2 "$vip:80/tcp" "$(b4 1)" "state down"
	sys_wait "status names b1 unhealthy" 5000 t_not healthy_in_status web 80 "$(b4 1)"
	st=$(backend_health web 80 "$(b4 1)")
	echo "  status of b1: $st"
	t_check "unhealthy with a reason" grep -q '^unhealthy .' <<<"$st"
	t_check "still advertised from both nodes" sys_hops_are "$vip" "lb1 lb2"
	sys_server_start 1
	timed "b1 healthy again" 10000 healthy_in_status web 80 "$(b4 1)"
}

# an LB node dies: the router drops it through BFD within 1 s, and a
# long-lived connection it carried goes on through the other node to the
# same backend
test_node_failover() {
	need_up
	local vip c o ms
	vip=$(sys_vip web)
	hold_start "$vip" 6 failover
	sleep 0.3
	c=$(carrier "$vip")
	o=$((3 - c))
	echo "  the connection goes through lb$c"
	sys_node_kill "$c"
	ms=$(sys_wait_hops "$vip" "lb$o" 3000)
	echo "  router dropped lb$c after $ms ms"
	t_check "within 1 s with BFD ($ms ms)" [ "$ms" -lt 1000 ]
	t_check "the connection survived" hold_ok failover
	t_check "lb$o took the flow over" has_flow_to "$o" "$vip:7/"
	# once the scheduler has taken the VIP off the dead node, with nowhere
	# to move it, status still shows the lost replica
	timed "placed on lb$o alone" 15000 status_is web \
		'[n["name"] for n in j["status"]["nodes"]]' "['lb$o']"
	t_check "status: advertised from 1 of 2" status_is web \
		'j["status"]["advertised"]' "1 of 2"
	sys_node_restore "$c"
	timed "lb$c back as a next hop" 30000 sys_hops_are "$vip" "lb1 lb2"
}

# hc_replaced I OLD_PID: lb I's nlblet runs an nlb-hc other than OLD_PID
hc_replaced() {
	local p
	p=$(sys_hc_pid "$1") && [ "$p" != "$2" ]
}

# kill -9 of nlblet and of nlb-hc, then 60 s without the gateway: no flow
# lost, nothing withdrawn; afterwards the state converges
test_fail_static() {
	need_up
	local vip hc
	vip=$(sys_vip web)
	hold_start "$vip" 75 static
	watch_hops "$vip" "lb1 lb2"
	t_check "nlblet runs on lb1" kill -9 "$(sys_nlblet_pid 1)"
	sleep 1
	sys_nlblet_start 1
	sys_wait "nlb-hc runs on lb2" 5000 sys_hc_pid 2
	hc=$(sys_hc_pid 2)
	kill -9 "$hc"
	timed "nlblet restarted nlb-hc on lb2" 5000 hc_replaced 2 "$hc"
	sleep 2
	sys_cp_stop
	echo "  gateway stopped for 60 s"
	sleep 60
	sys_cp_start
	t_check "nothing withdrawn while the gateway was away" watch_stop
	watch_hops "$vip" "lb1 lb2"
	# an update made now reaches both nodes
	sed "s/{ address: $(b4 3), weight: 100 }/{ address: $(b4 3), weight: 50 }/" \
		"$NLB_TOP/examples/web.yaml" | apply
	timed "update on both nodes after the gateway came back" 10000 \
		on_both backend_is "$vip:80/tcp" "$(b4 3)" "weight 50"
	timed "status converged: ACTIVE, 2 of 2" 10000 status_is web \
		'j["status"]["provisioningStatus"] + " " + j["status"]["advertised"]' "ACTIVE 2 of 2"
	t_check "nothing withdrawn after the gateway came back" watch_stop
	t_check "the connection survived" hold_ok static
	sys_ctl apply -f "$NLB_TOP/examples/web.yaml" >/dev/null
}

# backend added, weight changed, backend drained: on both nodes within 1 s
test_update_propagation() {
	need_up
	local vip t0 ms
	manifest upd "" "$(b4 1)" "$(b4 2)" | apply
	vip=$(sys_vip upd)
	sys_wait "upd on both nodes" 5000 on_both has_vip "$vip:80/tcp"
	# step DESC CHECK ARGS... (manifest on stdin): apply, then time CHECK
	step() {
		local desc=$1
		shift
		t0=$(sys_now_ms)
		apply
		sys_wait "$desc on both nodes" 1000 on_both "$@" || return 1
		ms=$(($(sys_now_ms) - t0))
		echo "  $desc: on both nodes $ms ms after the API call"
	}
	manifest upd "" "$(b4 1)" "$(b4 2)" "$(b4 3)" |
		step "backend added" backend_is "$vip:80/tcp" "$(b4 3)" "state enabled"
	manifest upd "" "$(b4 1),weight: 50" "$(b4 2)" "$(b4 3)" |
		step "weight changed" backend_is "$vip:80/tcp" "$(b4 1)" "weight 50"
	manifest upd "" "$(b4 1),weight: 50" "$(b4 2),state: drained" "$(b4 3)" |
		step "backend drained" backend_is "$vip:80/tcp" "$(b4 2)" "state drained"
}

lb_gone() { ! sys_ctl get "$1" >/dev/null 2>&1; }

pool_used() { sys_admin pools | awk '$1 == "vips4" {print $3}'; }

# delete: withdrawn first, then the maps go, then the VIP is free again
test_delete() {
	need_up
	local vip t0 tw="" tm="" tf="" used0
	vip=$(sys_vip upd)
	timed "upd advertised" 10000 sys_hops_are "$vip" "lb1 lb2"
	used0=$(pool_used)
	t0=$(sys_now_ms)
	sys_ctl delete upd >/dev/null
	while [ -z "$tf" ]; do
		local now
		now=$(($(sys_now_ms) - t0))
		[ $now -lt 15000 ] || { echo "  withdrawn $tw, maps $tm, freed $tf"; return 1; }
		[ -z "$tw" ] && sys_hops_are "$vip" "" && tw=$now
		[ -z "$tm" ] && ! has_vip 1 "$vip:80/tcp" && ! has_vip 2 "$vip:80/tcp" && tm=$now
		[ -z "$tf" ] && [ "$(pool_used)" -lt "$used0" ] && tf=$now
		sleep 0.02
	done
	echo "  withdrawn after ${tw:-?} ms, maps removed after ${tm:-?} ms, VIP freed after $tf ms"
	t_check "withdrawn" [ -n "$tw" ]
	t_check "maps removed" [ -n "$tm" ]
	t_check "withdrawn before the maps went" [ "$tw" -le "$tm" ]
	t_check "maps gone before the VIP was freed" [ "$tm" -le "$tf" ]
	t_check "the LB is gone" lb_gone upd
}

# progs_replaced "ID1 ID2": neither node runs the program it ran before
progs_replaced() { [ "$(sys_prog_id 1)" != "${1% *}" ] && [ "$(sys_prog_id 2)" != "${1#* }" ]; }

# a forwarder upgrade driven by nlblet: a restarted nlblet replaces the
# program under the pinned link; every established flow stays, nothing is
# withdrawn
test_forwarder_upgrade() {
	need_up
	local vip p1 p2 i
	vip=$(sys_vip web)
	p1="$(sys_prog_id 1) $(sys_prog_id 2)"
	hold_start "$vip" 6 upgrade
	watch_hops "$vip" "lb1 lb2"
	for i in 1 2; do
		sys_nlblet_stop "$i"
		sys_nlblet_start "$i"
	done
	sys_wait "new programs attached on both nodes" 10000 progs_replaced "$p1"
	p2="$(sys_prog_id 1) $(sys_prog_id 2)"
	echo "  program ids: $p1 -> $p2"
	t_check "the connection survived" hold_ok upgrade
	t_check "nothing withdrawn" watch_stop
}

t_run system_up test_up
t_run system_apply_to_bgp_ecmp_traffic test_apply_to_traffic
t_run system_advertise_only_when_healthy test_advertise_only_when_healthy
t_run system_backend_down_no_new_connections test_backend_down
t_run system_node_failover_bfd test_node_failover
t_run system_update_propagation test_update_propagation
t_run system_delete_withdraw_then_maps_then_pool test_delete
t_run system_forwarder_upgrade_keeps_flows test_forwarder_upgrade
t_run system_fail_static_nlblet_hc_gateway test_fail_static
# a failed case: the daemons' last words, before sys_down removes them
if [ "$NLBT_FAILED" != 0 ]; then
	for f in "$SYS_RUN"/lb*/nlblet.log "$SYS_RUN/cp.log"; do
		[ -e "$f" ] || continue
		echo "  -- tail of ${f#"$SYS_RUN"/}"
		tail -n 40 "$f" | sed 's/^/    /'
	done
fi
t_done
