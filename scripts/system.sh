# SPDX-License-Identifier: GPL-2.0
# The whole LBaaS on one machine, as a sourced library (scripts/demo.sh,
# tests/e2e/test_system.sh, bench/e2e). It builds on scripts/topo.sh's
# namespaces and adds the control plane, BGP and the node agents:
#
#   cp (nlb-controlplane, SQLite) ─┐
#   client ──────────────── router (FRR: BGP, ECMP, BFD) ──┬── lb1 az1: FRR, XDP, nlblet, nlb-hc
#                                                          ├── lb2 az2: FRR, XDP, nlblet, nlb-hc
#                                                          └── b1 b2 b3: decap + servers
#
# The router has no static VIP route: it learns every VIP over BGP from the
# LB nodes that advertise it, and spreads flows over them (L4 hash ECMP).
# The nodes reach the control plane through the router. VIPs come from the
# pools 10.99.100.0/24 and fd99:100::/120, which every backend has on its
# loopback (a local route), so its servers, bound to the wildcard address,
# answer any VIP (and the health checks on the backend's own address).
#
# State lives in files under $SYS_RUN (pid files, tokens, FRR directories,
# the SQLite store), not in shell variables: tests run each case in a
# subshell. sys_down removes everything; callers make sure it runs (a trap,
# or t_cleanup).

TOPO_VIP_ROUTES=0
. "$(dirname "${BASH_SOURCE[0]}")/topo.sh"

SYS_RUN=$TOPO_RUN/sys
SYS_FRRNS=$NLB_TOP/scripts/frr-ns.sh
SYS_CP_ADDR=10.99.250.2
SYS_CP_URL=http://$SYS_CP_ADDR:8080
SYS_POOL4=10.99.100.0/24
SYS_POOL6=fd99:100::/120
SYS_ROUTER_ASN=65000
SYS_LB_ASN=65001
SYS_TENANT=acme
# a node missing heartbeats this long loses its VIPs to the others
SYS_HB_TIMEOUT_MS=${SYS_HB_TIMEOUT_MS:-5000}
# nlblet: withdraw, wait this long, then delete a removed VIP's maps
SYS_WITHDRAW_WAIT_MS=${SYS_WITHDRAW_WAIT_MS:-1000}

sys_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Background daemons are started with ip netns exec, not in_ns, so that $!
# is the daemon itself (ip netns exec execs), not a subshell; and disowned:
# they are stopped by pid, and sys_down's SIGKILL is no news to report.

# sys_wait DESC TIMEOUT_MS CMD...: until CMD succeeds; prints nothing
sys_wait() {
	local desc=$1 ms=$2 end=$(($(sys_now_ms) + $2))
	shift 2
	until "$@" >/dev/null 2>&1; do
		if [ "$(sys_now_ms)" -ge $end ]; then
			echo "  timed out after $ms ms: $desc" >&2
			return 1
		fi
		sleep 0.05
	done
}

# sys_ctl ARGS...: nlbctl as the tenant; sys_admin: as the admin. nlbctl
# runs in the cp namespace, where the gateway listens.
sys_ctl() { in_ns cp "$NLB_BIN/nlbctl" --config "$SYS_RUN/tenant.yaml" "$@"; }
sys_admin() { in_ns cp "$NLB_BIN/nlbctl" --config "$SYS_RUN/admin.yaml" "$@"; }

# sys_api METHOD PATH [BODY]: the REST API as the tenant; body on stdout
sys_api() {
	local args=(-s -X "$1" -H "Authorization: Bearer $(cat "$SYS_RUN/tenant.token")"
		-H 'Content-Type: application/json')
	[ $# -ge 3 ] && args+=(--data-binary "$3")
	in_ns cp curl "${args[@]}" "$SYS_CP_URL$2"
}

# sys_frr NAME ARGS...: vtysh against FRR instance NAME (router, lb1, lb2)
sys_frr() {
	local n=$1
	shift
	"$SYS_FRRNS" vtysh "$SYS_RUN/frr-$n" "$@"
}

# --- control plane ------------------------------------------------------

sys_cp_start() {
	ip netns exec "$(ns cp)" "$NLB_BIN/nlb-controlplane" --store "sqlite:$SYS_RUN/cp.db" \
		--listen $SYS_CP_ADDR --port 8080 \
		--admin-token-file "$SYS_RUN/admin.token" \
		--heartbeat-timeout-ms "$SYS_HB_TIMEOUT_MS" --interval-ms 100 \
		>>"$SYS_RUN/cp.log" 2>&1 &
	echo $! >"$SYS_RUN/cp.pid"
	disown
	sys_wait "control plane answers" 5000 in_ns cp curl -sf "$SYS_CP_URL/healthz"
}

sys_cp_stop() {
	local pid
	pid=$(cat "$SYS_RUN/cp.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	sys_wait "control plane exits" 5000 t_dead "$pid" || kill -9 "$pid" 2>/dev/null
	rm -f "$SYS_RUN/cp.pid"
}

t_dead() { ! kill -0 "$1" 2>/dev/null; }

# the admin's pools and tenant, a tenant token, a token per node
sys_cp_init() {
	local i
	openssl rand -hex 24 >"$SYS_RUN/admin.token"
	printf 'endpoint: %s\ntoken: %s\n' $SYS_CP_URL "$(cat "$SYS_RUN/admin.token")" \
		>"$SYS_RUN/admin.yaml"
	sys_cp_start
	sys_admin pools create vips4 $SYS_POOL4 >/dev/null
	sys_admin pools create vips6 $SYS_POOL6 >/dev/null
	sys_admin tenants create $SYS_TENANT >/dev/null
	sys_admin token create --role tenant --tenant $SYS_TENANT >"$SYS_RUN/tenant.token"
	printf 'endpoint: %s\ntoken: %s\n' $SYS_CP_URL "$(cat "$SYS_RUN/tenant.token")" \
		>"$SYS_RUN/tenant.yaml"
	for i in 1 2; do
		sys_admin token create --role node --node "lb$i" >"$SYS_RUN/lb$i/node.token"
	done
}

# --- FRR ----------------------------------------------------------------

# the router: one AS, the LB nodes in another; ECMP over every node that
# advertises a VIP; BFD at 100 ms x 3; nothing sent back to the nodes
sys_router_conf() {
	local d=$SYS_RUN/frr-router i
	mkdir -p "$d"
	{
		echo "hostname router"
		echo "router bgp $SYS_ROUTER_ASN"
		echo " bgp router-id 10.99.0.1"
		echo " no bgp default ipv4-unicast"
		echo " no bgp ebgp-requires-policy"
		for g in LB4 LB6; do
			echo " neighbor $g peer-group"
			echo " neighbor $g remote-as $SYS_LB_ASN"
			echo " neighbor $g timers 3 9"
			echo " neighbor $g timers connect 1"
			echo " neighbor $g bfd"
			echo " neighbor $g bfd profile fast"
		done
		for i in 1 2; do
			echo " neighbor 10.99.$i.2 peer-group LB4"
			echo " neighbor fd99:$i::2 peer-group LB6"
		done
		for af in ipv4:LB4 ipv6:LB6; do
			echo " address-family ${af%:*} unicast"
			echo "  maximum-paths 8"
			echo "  neighbor ${af#*:} activate"
			echo "  neighbor ${af#*:} route-map FROM-LB in"
			echo "  neighbor ${af#*:} route-map TO-LB out"
			echo " exit-address-family"
		done
		echo "exit"
		# a draining node (graceful-shutdown community) is least preferred
		echo "bgp community-list standard GSHUT seq 5 permit graceful-shutdown"
		echo "route-map FROM-LB permit 10"
		echo " match community GSHUT"
		echo " set local-preference 0"
		echo "exit"
		echo "route-map FROM-LB permit 20"
		echo "exit"
		echo "route-map TO-LB deny 10"
		echo "exit"
	} >"$d/bgpd.conf"
	cat >"$d/bfdd.conf" <<-EOF
		bfd
		 profile fast
		  detect-multiplier 3
		  receive-interval 100
		  transmit-interval 100
		 exit
		exit
	EOF
}

sys_frr_start() { "$SYS_FRRNS" start "$(ns "$1")" "$SYS_RUN/frr-$1"; }
sys_frr_stop() { "$SYS_FRRNS" stop "$SYS_RUN/frr-$1" 2>/dev/null || true; }

# sys_sessions_up NODE: the router's IPv4 and IPv6 sessions with NODE
# Established and their BFD sessions up
sys_sessions_up() {
	local i=${1#lb} out
	out=$(sys_frr router -c "show bgp summary json" | tr -d ' \n')
	for p in "10.99.$i.2" "fd99:$i::2"; do
		grep -q "\"$p\":{[^}]*\"state\":\"Established\"" <<<"$out" || return 1
	done
	out=$(sys_frr router -c "show bfd peers json" | tr -d ' \n')
	for p in "10.99.$i.2" "fd99:$i::2"; do
		grep -q "\"peer\":\"$p\"[^}]*\"status\":\"up\"" <<<"$out" ||
			return 1
	done
}

# --- the router's view of a VIP -----------------------------------------

# sys_hops VIP: the LB nodes the router's kernel routes VIP to ("lb1 lb2")
sys_hops() {
	local fam=-4 plen=32
	[[ $1 == *:* ]] && fam=-6 plen=128
	ip -n "$(ns router)" "$fam" route show "$1/$plen" 2>/dev/null |
		awk '{for (i = 1; i < NF; i++) if ($i == "dev" && $(i + 1) ~ /^rl[0-9]$/)
			print "lb" substr($(i + 1), 3)}' | sort | paste -sd ' '
}

# sys_hops_are VIP WANT: the router routes VIP over exactly WANT
sys_hops_are() { [ "$(sys_hops "$1")" = "$2" ]; }

# sys_wait_hops VIP WANT TIMEOUT_MS: until sys_hops_are; prints the ms it took
sys_wait_hops() {
	local start end
	start=$(sys_now_ms)
	end=$((start + $3))
	until sys_hops_are "$1" "$2"; do
		if [ "$(sys_now_ms)" -ge $end ]; then
			echo "  $1: router routes over '$(sys_hops "$1")', want '$2' after $3 ms" >&2
			return 1
		fi
		sleep 0.01
	done
	echo $(($(sys_now_ms) - start))
}

# sys_bgp_learned VIP: the router's route to VIP came from BGP
sys_bgp_learned() {
	local fam=-4 plen=32
	[[ $1 == *:* ]] && fam=-6 plen=128
	[[ "$(ip -n "$(ns router)" "$fam" route show "$1/$plen")" == *"proto bgp"* ]]
}

# --- the LB nodes ---------------------------------------------------------

# sys_nlblet_start I: the node agent of lb I, which attaches the forwarder,
# runs nlb-hc and configures the node's FRR
sys_nlblet_start() {
	local i=$1 d=$SYS_RUN/lb$1
	ip netns exec "$(ns "lb$i")" "$NLB_BIN/nlblet" --gateway $SYS_CP_URL \
		--token-file "$d/node.token" --node "lb$i" --zone "az$i" \
		--iface eth0 --pin-dir "$TOPO_RUN/bpf/lb$i" \
		--hc-config "$d/hc.json" --hc-state "$d/hc-state.json" \
		--hc-bin "$NLB_BIN/nlb-hc" --status-interval-ms 1000 \
		--bgp-asn $SYS_LB_ASN --bgp-router-id "10.99.$i.2" \
		--bgp-neighbor "10.99.$i.1,$SYS_ROUTER_ASN,bfd" \
		--bgp-neighbor "fd99:$i::1,$SYS_ROUTER_ASN,bfd" \
		--bfd-interval-ms 100 \
		--frr-vty-socket "$SYS_RUN/frr-lb$i/run" --frr-config-dir "$SYS_RUN/frr-lb$i" \
		--bgp-state-dir "$d/bgp" --withdraw-wait-ms "$SYS_WITHDRAW_WAIT_MS" \
		>>"$d/nlblet.log" 2>&1 &
	echo $! >"$d/nlblet.pid"
	disown
}

sys_nlblet_pid() { cat "$SYS_RUN/lb$1/nlblet.pid"; }

# sys_hc_pid I: the nlb-hc of lb I, found by its configuration file: it
# need not be nlblet's child (a restarted nlblet adopts the running one)
sys_hc_pid() { pgrep -f -x "$NLB_BIN/nlb-hc --config $SYS_RUN/lb$1/hc\.json .*"; }

# sys_nlblet_stop I: SIGTERM, up to 5 s, then SIGKILL
sys_nlblet_stop() {
	local pid
	pid=$(sys_nlblet_pid "$1" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || return 0
	sys_wait "nlblet on lb$1 exits" 5000 t_dead "$pid" || kill -9 "$pid" 2>/dev/null
	return 0
}

# sys_nodecli I ARGS...: nlb-node on lb I's maps
sys_nodecli() { nodecli "lb$1" "${@:2}"; }

# sys_prog_id I: the id of the XDP program attached to lb I's eth0
sys_prog_id() {
	ip -n "$(ns "lb$1")" -d link show eth0 | grep -o 'prog/xdp id [0-9]*' | awk '{print $3}'
}

# sys_node_kill I: lb I dies: the router hears nothing from it any more
# (ip rules blackhole what comes in from its link and what goes to its
# addresses, so only BFD can tell, as with a dead machine), then every
# process of the node is killed. The pinned forwarder stays in the kernel
# but what it sends never gets past the router.
sys_node_kill() {
	local i=$1
	in_ns router ip rule add pref 10 iif "rl$i" blackhole
	in_ns router ip rule add pref 11 to "10.99.$i.2" blackhole
	in_ns router ip -6 rule add pref 10 iif "rl$i" blackhole
	in_ns router ip -6 rule add pref 11 to "fd99:$i::2" blackhole
	ip netns pids "$(ns "lb$i")" | xargs -r kill -9
}

# sys_node_restore I: lb I boots again: FRR, then nlblet (which finds the
# pinned maps and link, restarts nlb-hc and re-advertises)
sys_node_restore() {
	local i=$1
	in_ns router ip rule del pref 10 2>/dev/null || true
	in_ns router ip rule del pref 11 2>/dev/null || true
	in_ns router ip -6 rule del pref 10 2>/dev/null || true
	in_ns router ip -6 rule del pref 11 2>/dev/null || true
	sys_frr_stop "lb$i"
	sys_frr_start "lb$i"
	sys_nlblet_start "$i"
}

# --- backends -----------------------------------------------------------

# sys_server_start I: backend I's HTTP, echo and UDP servers on every VIP
sys_server_start() {
	ip netns exec "$(ns "b$1")" python3 "$NLB_TOP/scripts/backend_server.py" "b$1" 0.0.0.0 :: \
		>>"$SYS_RUN/server-b$1.log" 2>&1 &
	echo $! >"$SYS_RUN/server-b$1.pid"
	disown
	sys_wait "server on b$1 listens" 5000 sys_listening "b$1" 80
}

# sys_listening HOST PORT: something listens on TCP PORT in HOST
sys_listening() { in_ns "$1" ss -Hltn "sport = :$2" | grep -q .; }

sys_server_stop() {
	local pid
	pid=$(cat "$SYS_RUN/server-b$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	sys_wait "server on b$1 exits" 5000 t_dead "$pid"
	rm -f "$SYS_RUN/server-b$1.pid"
}

sys_backends() {
	local i
	for i in $(seq 1 $NBACKENDS); do
		in_ns "b$i" ip route add local $SYS_POOL4 dev lo
		in_ns "b$i" ip -6 route add local $SYS_POOL6 dev lo
		# "::" must not also take IPv4 (0.0.0.0 has it); the VIPs are
		# local routes, not addresses: binding needs nonlocal_bind
		in_ns "b$i" sysctl -qw net.ipv6.bindv6only=1 net.ipv6.ip_nonlocal_bind=1
		sys_server_start "$i"
	done
}

# --- the whole system -----------------------------------------------------

# sys_up: everything, ready for `nlbctl apply`: both nodes registered,
# their BGP sessions with the router Established and BFD up
sys_up() {
	local i
	if ! "$NLB_BIN/nlblet" --help 2>&1 | grep -q -- --bgp-asn; then
		echo "system: this nlblet has no BGP (--bgp-asn)" >&2
		return 1
	fi
	topo_up 2
	mkdir -p "$SYS_RUN"/lb{1,2}/bgp
	topo_host cp
	topo_link cp eth0 router rm
	in_ns cp ip addr add $SYS_CP_ADDR/24 dev eth0
	in_ns router ip addr add 10.99.250.1/24 dev rm
	in_ns cp ip route add default via 10.99.250.1
	# sys_node_kill's rules must come before the local table
	in_ns router ip rule add pref 100 lookup local
	in_ns router ip rule del pref 0
	in_ns router ip -6 rule add pref 100 lookup local
	in_ns router ip -6 rule del pref 0

	sys_router_conf
	sys_frr_start router
	for i in 1 2; do
		mkdir -p "$SYS_RUN/frr-lb$i"
		sys_frr_start "lb$i"
	done
	sys_cp_init
	sys_backends
	for i in 1 2; do
		sys_nlblet_start "$i"
	done
	for i in 1 2; do
		sys_wait "lb$i registered and ready" 10000 sys_node_ready "$i"
		sys_wait "router's sessions with lb$i Established, BFD up" 20000 sys_sessions_up "lb$i"
	done
}

# sys_node_ready I: the control plane counts lb I as ready
sys_node_ready() { sys_admin nodes | awk -v n="lb$1" '$1 == n && $3 == "ready" {f = 1} END {exit !f}'; }

sys_down() {
	local h
	for h in router lb1 lb2; do
		[ -d "$SYS_RUN/frr-$h" ] && sys_frr_stop "$h"
	done
	topo_down
}

# sys_vip NAME: the VIP of load balancer NAME
sys_vip() {
	sys_ctl get "$1" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"]["vip"])'
}
