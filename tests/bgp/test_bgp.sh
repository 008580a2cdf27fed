#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# BGP through real FRR, in network namespaces nlbt-bgp-<pid>-*:
#
#   lb1 (FRR) ── router (FRR, ECMP) ── lb2 (FRR)
#
# The router peers over IPv4 and IPv6 with both LB nodes (one AS, 65001)
# with BFD at 100 ms x 3. The LB nodes' bgpd is configured only through
# libnlb (bgp_config + bgp_apply, driven by bgp-driver). The cases share one
# topology and run in order: each leaves both nodes advertising both VIPs
# (need_setup restores that when a failed case did not).
. "$(dirname "$0")/../lib/nlbtest.sh"

DRIVER=$NLBT_BUILD/tests/bgp/bgp-driver
FRRNS=$NLBT_TOP/scripts/frr-ns.sh
PFX=nlbt-bgp-$$
DIR=/tmp/$PFX
VIP4=10.99.100.1
VIP6=fd99:100::1
COMM=65000:100

ns() { echo "$PFX-$1"; }
in_ns() {
	local n=$1
	shift
	ip netns exec "$(ns "$n")" "$@"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

topo_down() {
	local h
	for h in r lb1 lb2; do
		[ -d "$DIR/$h" ] && "$FRRNS" stop "$DIR/$h" 2>/dev/null
	done
	for h in r lb1 lb2; do
		ip netns del "$(ns "$h")" 2>/dev/null
	done
	rm -rf "$DIR"
}
t_cleanup topo_down
# the runner's timeout sends TERM: still clean up
trap 'exit 143' TERM INT

router_conf() {
	cat >"$DIR/r/bgpd.conf" <<-EOF
		hostname router
		router bgp 65000
		 bgp router-id 10.97.0.1
		 no bgp default ipv4-unicast
		 neighbor LB4 peer-group
		 neighbor LB4 remote-as 65001
		 neighbor LB4 timers 3 9
		 neighbor LB4 timers connect 1
		 neighbor LB4 bfd
		 neighbor LB4 bfd profile fast
		 neighbor LB6 peer-group
		 neighbor LB6 remote-as 65001
		 neighbor LB6 timers 3 9
		 neighbor LB6 timers connect 1
		 neighbor LB6 bfd
		 neighbor LB6 bfd profile fast
		 neighbor 10.97.1.2 peer-group LB4
		 neighbor 10.97.2.2 peer-group LB4
		 neighbor fd97:1::2 peer-group LB6
		 neighbor fd97:2::2 peer-group LB6
		 address-family ipv4 unicast
		  maximum-paths 8
		  neighbor LB4 activate
		  neighbor LB4 route-map FROM-LB in
		  neighbor LB4 route-map TO-LB out
		 exit-address-family
		 address-family ipv6 unicast
		  maximum-paths 8
		  neighbor LB6 activate
		  neighbor LB6 route-map FROM-LB in
		  neighbor LB6 route-map TO-LB out
		 exit-address-family
		exit
		bgp community-list standard GSHUT seq 5 permit graceful-shutdown
		route-map FROM-LB permit 10
		 match community GSHUT
		 set local-preference 0
		exit
		route-map FROM-LB permit 20
		exit
		route-map TO-LB deny 10
		exit
	EOF
	cat >"$DIR/r/bfdd.conf" <<-EOF
		bfd
		 profile fast
		  detect-multiplier 3
		  receive-interval 100
		  transmit-interval 100
		 exit
		exit
	EOF
}

# drv NODE CMD ARGS...: bgp-driver against NODE's FRR
drv() {
	local n=$1
	shift
	"$DRIVER" --vty-socket "$DIR/$n/run" --config-dir "$DIR/$n" \
		--state "$DIR/$n/state" "$@"
}

# lb_conf I: node I's configuration, without VIPs
lb_conf() {
	echo --asn 65001 --router-id "10.97.$1.2" --hostname "lb$1" \
		--neighbor "10.97.$1.1,65000,bfd" --neighbor "fd97:$1::1,65000,bfd" \
		--bfd 3,100,100 --timers 3,9 --connect 1
}
VIPS=(--vip "$VIP4/32,$COMM" --vip "$VIP6/128,$COMM")

# apply NODE [ARGS...]: render and apply; prints the driver's line
apply() {
	local n=$1 i=${1#lb}
	shift
	# shellcheck disable=SC2046
	drv "$n" apply $(lb_conf "$i") "$@"
}

# hops PREFIX: the router's kernel next-hop devices for PREFIX, sorted
hops() {
	local fam=-4
	[[ $1 == *:* ]] && fam=-6
	# ip -n, not ip netns exec: cheaper, this is polled every 10 ms
	ip -n "$(ns r)" "$fam" route show "$1" 2>/dev/null |
		grep -o 'dev rl[0-9]' | awk '{print $2}' | sort | tr '\n' ' ' |
		sed 's/ $//'
}

# wait_hops PREFIX WANT TIMEOUT_MS: until the router's next hops are WANT;
# prints the milliseconds it took
wait_hops() {
	local start end
	start=$(now_ms)
	end=$((start + $3))
	while [ "$(hops "$1")" != "$2" ]; do
		if [ "$(now_ms)" -ge $end ]; then
			echo "  $1: next hops '$(hops "$1")', want '$2' after $3 ms" >&2
			return 1
		fi
		sleep 0.01
	done
	echo $(($(now_ms) - start))
}

# eventually TIMEOUT_MS CMD...: until CMD succeeds (the router learns of a
# change a little after the node's apply returned)
eventually() {
	local end=$(($(now_ms) + $1))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt $end ] || return 1
		sleep 0.05
	done
}

# router_path_has PREFIX PATTERN: the router's BGP entry, blanks removed
router_path_has() {
	local af=ipv4
	[[ $1 == *:* ]] && af=ipv6
	in_ns r vtysh --vty_socket "$DIR/r/run" -c "show bgp $af unicast $1 json" |
		tr -d ' \n' | grep -q "$2"
}

both_vips_on() {
	wait_hops $VIP4/32 "$1" "$2" >/dev/null && wait_hops $VIP6/128 "$1" "$2" >/dev/null
}

# established NODE: all of NODE's sessions Established with BFD up
established() {
	local out
	out=$(drv "$1" sessions) || return 1
	[ "$(grep -c 'state=Established.*bfd=up' <<<"$out")" = 2 ]
}

wait_established() {
	local i
	for ((i = 0; i < 150; i++)); do
		established "$1" && return 0
		sleep 0.1
	done
	echo "  $1 sessions: $(drv "$1" sessions | tr '\n' ' ')" >&2
	return 1
}

frr_pids() { cat "$DIR/$1"/run/{zebra,bgpd,bfdd}.pid; }

setup() {
	local i
	[ -x "$DRIVER" ] || t_skip "$DRIVER not built"
	if ! command -v vtysh >/dev/null || [ ! -x /usr/lib/frr/bgpd ]; then
		t_skip "FRR not installed (scripts/deps.sh)"
	fi
	mkdir -p "$DIR"/{r,lb1,lb2}/state
	for h in r lb1 lb2; do
		ip netns add "$(ns $h)"
		in_ns $h ip link set lo up
		in_ns $h sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
	for i in 1 2; do
		ip link add eth0 netns "$(ns lb$i)" type veth peer name "rl$i" netns "$(ns r)"
		in_ns lb$i ip link set eth0 up
		in_ns r ip link set "rl$i" up
		in_ns lb$i ip addr add "10.97.$i.2/24" dev eth0
		in_ns lb$i ip -6 addr add "fd97:$i::2/64" dev eth0 nodad
		in_ns r ip addr add "10.97.$i.1/24" dev "rl$i"
		in_ns r ip -6 addr add "fd97:$i::1/64" dev "rl$i" nodad
	done
	router_conf
	"$FRRNS" start "$(ns r)" "$DIR/r"
	"$FRRNS" start "$(ns lb1)" "$DIR/lb1"
	"$FRRNS" start "$(ns lb2)" "$DIR/lb2"
	# both nodes at once: a reload takes a couple of seconds
	apply lb1 "${VIPS[@]}" >"$DIR/apply1" &
	apply lb2 "${VIPS[@]}" >"$DIR/apply2" || { cat "$DIR/apply2"; return 1; }
	wait $! || { cat "$DIR/apply1"; return 1; }
	cat "$DIR/apply1" "$DIR/apply2"
	t_check "lb1 sessions Established, BFD up" wait_established lb1
	t_check "lb2 sessions Established, BFD up" wait_established lb2
	drv lb1 sessions
	touch "$DIR/ready"
}

# need_setup: the shared topology, back in its baseline (both nodes
# advertising both VIPs) should an earlier case have failed half-way
need_setup() {
	[ -e "$DIR/ready" ] || t_skip "no topology (setup failed)"
	both_vips_on "rl1 rl2" 3000 2>/dev/null && return 0
	echo "  restoring the baseline left by an earlier case"
	apply lb1 "${VIPS[@]}" && apply lb2 "${VIPS[@]}"
	wait_established lb1 && wait_established lb2
	both_vips_on "rl1 rl2" 10000
}

test_ecmp() {
	# no baseline restore here: this checks the first advertisement
	[ -e "$DIR/ready" ] || t_skip "no topology (setup failed)"
	t_check "$VIP4/32 over both nodes" both_vips_on "rl1 rl2" 5000
	t_check "router sees the community" router_path_has $VIP4/32 "\"$COMM\""
	t_check "router has IPv6 multipath" router_path_has $VIP6/128 '"multipath":true'
}

test_withdraw_one_node() {
	need_setup
	local out ms4 ms6
	out=$(apply lb1) # no VIPs
	echo "$out"
	t_check "withdraw applied" grep -q '^apply=ok changed=1' <<<"$out"
	ms4=$(wait_hops $VIP4/32 "rl2" 5000)
	ms6=$(wait_hops $VIP6/128 "rl2" 5000)
	echo "bgp_withdraw_router_after_apply_ms: v4 $ms4, then v6 $ms6"
	t_check "lb1 still Established" established lb1
	out=$(apply lb1 "${VIPS[@]}")
	t_check "re-advertised" grep -q '^apply=ok changed=1' <<<"$out"
	t_check "both next hops back" both_vips_on "rl1 rl2" 5000
}

# A VIP without communities added and removed: only its network line goes
# to bgpd (one vtysh -f), not a frr-reload.py run.
test_fast_path() {
	need_setup
	local out vip=10.99.100.2 ms
	out=$(apply lb1 "${VIPS[@]}" --vip $vip/32)
	echo "$out"
	t_check "added through the fast path" grep -q '^apply=ok changed=1 fast=1' <<<"$out"
	ms=$(wait_hops $vip/32 "rl1" 5000)
	echo "bgp_fast_add_router_after_apply_ms: $ms"
	out=$(apply lb1 "${VIPS[@]}")
	echo "$out"
	t_check "removed through the fast path" grep -q '^apply=ok changed=1 fast=1' <<<"$out"
	t_check "router dropped it" wait_hops $vip/32 "" 5000
	t_check "the others untouched" both_vips_on "rl1 rl2" 1000
}

test_bad_config_rejected() {
	need_setup
	local good out
	good=$(cat "$DIR/lb1/state/bgpd.conf")
	# a typo: vtysh's syntax check refuses it, nothing is touched
	sed 's/^  network /  netwrk /' "$DIR/lb1/state/bgpd.conf" >"$DIR/bad-syntax.conf"
	out=$(drv lb1 apply-file "$DIR/bad-syntax.conf" $VIP4/32 $VIP6/128 || true)
	echo "$out"
	t_check "syntax error fails the test step" grep -q 'apply=failed errno=22 step=test' <<<"$out"
	t_check "the error names the line" grep -q 'netwrk' <<<"$out"
	# passes the syntax check, refused by bgpd while reloading: rolled back
	sed 's/^ neighbor 10.97.1.1 timers 3 9$/ neighbor 10.97.1.1 peer-group NOPE/' \
		"$DIR/lb1/state/bgpd.conf" >"$DIR/bad-reload.conf"
	sed -i '/^  network /d' "$DIR/bad-reload.conf"
	out=$(drv lb1 apply-file "$DIR/bad-reload.conf" || true)
	echo "$out"
	t_check "bgpd's refusal fails the reload step" grep -q 'step=reload fast=0 rolled_back=1' <<<"$out"
	t_check "last good file kept" [ "$(cat "$DIR/lb1/state/bgpd.conf")" = "$good" ]
	t_check "running config is the last good one" \
		grep -q "neighbor 10.97.1.1 timers 3 9" <("$FRRNS" vtysh "$DIR/lb1" -c "show running-config bgpd")
	t_check "VIPs still over both nodes" both_vips_on "rl1 rl2" 3000
	t_check "lb1 still Established" established lb1
	out=$(apply lb1 "${VIPS[@]}")
	t_check "same config again: nothing to reload" grep -q '^apply=ok changed=0' <<<"$out"
}

# Both drain signals at once (one reload less): the router's GSHUT policy
# lowers lb1's local-pref to 0, so it prefers lb2 while lb1 still advertises.
test_drain() {
	need_setup
	local out ms4 ms6
	out=$(apply lb1 "${VIPS[@]}" --drain gshut --drain med=100)
	echo "$out"
	t_check "drain applied" grep -q '^apply=ok changed=1' <<<"$out"
	ms4=$(wait_hops $VIP4/32 "rl2" 5000)
	ms6=$(wait_hops $VIP6/128 "rl2" 5000)
	echo "bgp_drain_router_after_apply_ms: v4 $ms4, then v6 $ms6"
	t_check "lb1's path still known, with GSHUT" \
		router_path_has $VIP4/32 'gracefulShutdown.*"peerId":"10.97.1.2"'
	t_check "router set its local-pref to 0" router_path_has $VIP4/32 '"locPrf":0,'
	t_check "router got MED 100 from lb1" router_path_has $VIP4/32 '"metric":100'
	t_check "IPv6 path drained too" router_path_has $VIP6/128 gracefulShutdown
	out=$(apply lb1 "${VIPS[@]}")
	t_check "undrained" grep -q '^apply=ok changed=1' <<<"$out"
	t_check "both next hops back" both_vips_on "rl1 rl2" 5000
	t_check "no GSHUT community any more" \
		eventually 5000 t_not router_path_has $VIP4/32 gracefulShutdown
}

# fail_node HOW: lb1 stops answering; the router must drop it through BFD
fail_node() {
	local how=$1 t0 ms4 ms6 pids
	pids=$(frr_pids lb1)
	t0=$(now_ms)
	# shellcheck disable=SC2086
	kill -"$how" $pids
	ms4=$(wait_hops $VIP4/32 "rl2" 3000)
	wait_hops $VIP6/128 "rl2" 3000 >/dev/null
	ms6=$(($(now_ms) - t0))
	echo "bgp_failover_${how,,}_ms: v4 $ms4, v4+v6 $ms6"
	t_check "IPv4 next hop dropped within 1 s ($ms4 ms)" [ "$ms4" -lt 1000 ]
	t_check "IPv6 next hop dropped within 1 s ($ms6 ms)" [ "$ms6" -lt 1000 ]
}

test_bfd_hung_node() {
	need_setup
	# SIGSTOP: no FIN, no RST, the link stays up: only BFD can tell
	fail_node STOP
	t_check "router saw BFD go down" \
		grep -q '"status":"down"' <(in_ns r vtysh --vty_socket "$DIR/r/run" \
			-c "show bfd peers json" | tr -d ' \n')
	# shellcheck disable=SC2046
	kill -CONT $(frr_pids lb1)
	t_check "lb1 comes back" both_vips_on "rl1 rl2" 20000
}

test_bfd_killed_node() {
	need_setup
	local out
	fail_node KILL
	# a restarted FRR starts empty: the same apply notices and reloads
	"$FRRNS" stop "$DIR/lb1"
	"$FRRNS" start "$(ns lb1)" "$DIR/lb1"
	out=$(apply lb1 "${VIPS[@]}")
	echo "$out"
	t_check "restarted FRR reconfigured" grep -q '^apply=ok changed=1' <<<"$out"
	t_check "lb1 back" both_vips_on "rl1 rl2" 20000
	t_check "lb1 sessions Established" wait_established lb1
}

t_run bgp_setup_sessions_established setup
t_run bgp_ecmp_v4_v6_two_next_hops test_ecmp
t_run bgp_withdraw_one_node_one_next_hop test_withdraw_one_node
t_run bgp_fast_path_vip_add_remove test_fast_path
t_run bgp_bad_config_rejected_last_good_kept test_bad_config_rejected
t_run bgp_drain_graceful_shutdown_and_med test_drain
t_run bgp_bfd_hung_node_dropped_within_1s test_bfd_hung_node
t_run bgp_bfd_killed_node_dropped_within_1s test_bfd_killed_node
t_done
