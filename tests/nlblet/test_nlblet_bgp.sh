#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nlblet with BGP and nlb-hc it runs itself, against a real control plane
# and real FRR:
#
#   root: nlb-controlplane, backend server ── veth ── nlbt-let-<pid>: nlblet,
#   nlb-hc, FRR (bgpd configured only by nlblet) ── veth ── nlbt-letr-<pid>:
#   FRR router, learns the VIP
#
# A VIP is advertised only once it is in the maps with a healthy backend,
# withdrawn when its backend fails and back when it recovers; kill -9 of
# nlb-hc or of nlblet withdraws nothing; a drained node advertises with the
# graceful-shutdown community and a worse MED; a deleted VIP is withdrawn
# first and leaves the maps --withdraw-wait-ms later.
. "$(dirname "$0")/../lib/nlbtest.sh"
. "$(dirname "$0")/../cp/cp_lib.sh"
. "$(dirname "$0")/let_lib.sh"

FRRNS=$NLBT_TOP/scripts/frr-ns.sh
WITHDRAW_WAIT_MS=1500

now_ms() { echo $(($(date +%s%N) / 1000000)); }

bgp_need() {
	need
	[ -x "$LET_BIN/nlb-hc" ] || t_skip "nlb-hc not built"
	if ! command -v vtysh >/dev/null || [ ! -x /usr/lib/frr/bgpd ]; then
		t_skip "FRR not installed (scripts/deps.sh)"
	fi
}

# bgp_topology: a router namespace peering with the nlblet namespace, FRR
# in both; sets ROUTER_NS, FRR_DIR
bgp_topology() {
	local sub=$((BASHPID % 250 + 1))
	ROUTER_NS=nlbt-letr-$BASHPID
	# not under CP_DIR: the daemons run as frr and need to reach it
	FRR_DIR=/tmp/nlbt-letfrr-$BASHPID
	NODE_IP=10.251.$sub.2
	ROUTER_IP=10.251.$sub.1
	mkdir -p "$FRR_DIR"/{r,lb,state}
	t_cleanup "rm -rf $FRR_DIR"
	ip netns add "$ROUTER_NS"
	t_cleanup "ip netns del $ROUTER_NS"
	ip link add up0 netns "$LET_NS" type veth peer name down0 netns "$ROUTER_NS"
	ip -n "$LET_NS" addr add "$NODE_IP/30" dev up0
	ip -n "$LET_NS" link set up0 up
	ip -n "$ROUTER_NS" addr add "$ROUTER_IP/30" dev down0
	ip -n "$ROUTER_NS" link set down0 up
	ip -n "$ROUTER_NS" link set lo up
	cat >"$FRR_DIR/r/bgpd.conf" <<-EOF
		hostname router
		router bgp 65000
		 bgp router-id $ROUTER_IP
		 no bgp default ipv4-unicast
		 no bgp ebgp-requires-policy
		 neighbor $NODE_IP remote-as 65001
		 neighbor $NODE_IP timers 3 9
		 neighbor $NODE_IP timers connect 1
		 neighbor $NODE_IP bfd
		 address-family ipv4 unicast
		  neighbor $NODE_IP activate
		 exit-address-family
		exit
	EOF
	"$FRRNS" start "$ROUTER_NS" "$FRR_DIR/r" >/dev/null
	t_cleanup "$FRRNS stop $FRR_DIR/r"
	"$FRRNS" start "$LET_NS" "$FRR_DIR/lb" >/dev/null
	t_cleanup "$FRRNS stop $FRR_DIR/lb"
}

# the nlblet options of this topology
bgp_args() {
	echo --bgp-asn 65001 --bgp-router-id "$NODE_IP" \
		--bgp-neighbor "$ROUTER_IP,65000,bfd" \
		--frr-vty-socket "$FRR_DIR/lb/run" --frr-config-dir "$FRR_DIR/lb" \
		--bgp-state-dir "$FRR_DIR/state" --hc-bin "$LET_BIN/nlb-hc" \
		--withdraw-wait-ms $WITHDRAW_WAIT_MS
}

routed() { ip -n "$ROUTER_NS" route show "$1/32" | grep -q "via $NODE_IP"; }
not_routed() { ! routed "$1"; }

# backend_up PORT: a TCP listener on the root side; sets BE_PID
backend_up() {
	python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(64)
while True: s.accept()[0].close()' "$LET_GW" "$1" &
	BE_PID=$!
	t_cleanup "kill $BE_PID 2>/dev/null"
}

# stays_routed VIP SECONDS: the route never leaves during SECONDS
stays_routed() {
	local end=$(($(now_ms) + $2 * 1000))
	while [ "$(now_ms)" -lt $end ]; do
		routed "$1" || { echo "  route to $1 gone at $(now_ms)" >&2; return 1; }
		sleep 0.05
	done
}

hc_pid() { cat "$CP_DIR/hc-state.json.pid" 2>/dev/null; }

# router_path_has VIP PATTERN: the router's BGP entry for VIP, blanks
# removed, matches PATTERN
router_path_has() {
	ip netns exec "$ROUTER_NS" vtysh --vty_socket "$FRR_DIR/r/run" \
		-c "show bgp ipv4 unicast $1/32 json" | tr -d ' \n' | grep -q "$2"
}

test_nlblet_bgp() {
	bgp_need
	let_topology
	cp_dir
	let_cp_start
	bgp_topology
	t_cleanup "cp $CP_DIR/nlblet.log /tmp/nlblet-bgp-last.log"
	# nlblet leaves the nlb-hc it runs behind when it stops (fail static):
	# a case that fails half-way must still stop it
	t_cleanup 'kill "$(hc_pid)"'
	local tt nt vip port=18080 old t_route t_maps
	mk_pool p1 10.99.0.0/24
	tt=$(mk_tenant acme)
	nt=$(mk_node_token let1)
	# shellcheck disable=SC2046
	let_start let1 "$nt" $(bgp_args)
	expect 201 POST /v1/loadbalancers "$tt" "{\"name\":\"web\",\"spec\":{\"replicas\":1,
	  \"listeners\":[{\"port\":80,\"healthCheck\":{\"type\":\"TCP\",\"port\":$port,
	  \"intervalMs\":300,\"timeoutMs\":200,\"rise\":1,\"fall\":2},
	  \"backends\":[{\"address\":\"$LET_GW\"}]}]}}"
	vip=$(jget 'j["status"]["vip"]')

	# make before break: programmed, but no healthy backend: not advertised
	wait_for "VIP in the maps" 5 has_vip "$vip:80/tcp"
	wait_for "nlb-hc started by nlblet" 5 bash -c "[ -n \"\$(cat $CP_DIR/hc-state.json.pid 2>/dev/null)\" ]"
	wait_for "backend down in the maps" 5 backend_state "$LET_GW" down
	sleep 1
	t_check "not advertised without a healthy backend" not_routed "$vip"
	t_check "gateway: not advertised" t_not bash -c \
		"curl -sf -H 'Authorization: Bearer $tt' $CP_URL/v1/loadbalancers/web | grep -q '\"advertised\":true'"

	# nlblet configures the session with the first reconcile, VIP or not
	timed "gateway shows the session Established, BFD up" 20 bash -c \
		"curl -sf -H 'Authorization: Bearer $ADMIN_TOKEN' $CP_URL/v1/nodes/let1 | grep -q '\"peer\":\"$ROUTER_IP\",\"state\":\"Established\",\"bfd\":\"up\"'"
	t_check "still not advertised" not_routed "$vip"

	backend_up $port
	timed "advertised once the backend is healthy" 5 routed "$vip"
	backend_state "$LET_GW" enabled
	wait_for "gateway shows the VIP advertised" 5 bash -c \
		"curl -sf -H 'Authorization: Bearer $tt' $CP_URL/v1/loadbalancers/web | grep -q '\"advertised\":true'"

	# every backend down: withdrawn; back when it recovers
	kill "$BE_PID"
	timed "withdrawn when every backend is down" 5 not_routed "$vip"
	backend_up $port
	timed "advertised again after recovery" 5 routed "$vip"

	# kill -9 of nlb-hc: restarted by nlblet, nothing withdrawn meanwhile
	old=$(hc_pid)
	kill -9 "$old"
	t_check "route stays while nlb-hc restarts" stays_routed "$vip" 4
	t_check "nlb-hc restarted (was $old, now $(hc_pid))" \
		bash -c "[ -n '$(hc_pid)' ] && [ '$(hc_pid)' != '$old' ] && kill -0 $(hc_pid)"
	wait_for "nlb-hc really restarted" 3 bash -c "p=\$(cat $CP_DIR/hc-state.json.pid); [ \"\$p\" != '$old' ] && kill -0 \$p"

	# kill -9 of nlblet and a restart: nothing withdrawn, nlb-hc adopted
	old=$(hc_pid)
	kill -9 "$LET_PID"
	# shellcheck disable=SC2046
	let_start let1 "$nt" $(bgp_args)
	t_check "route stays across an nlblet restart" stays_routed "$vip" 4
	t_check "nlb-hc adopted, not restarted" test "$(hc_pid)" = "$old"
	t_check "adoption logged" grep -q "event=hc_adopted pid=$old" "$CP_DIR/nlblet.log"

	# drain: still advertised, but with the graceful-shutdown community
	# and a worse MED, so routers prefer any other node; undrain: back
	t_check "no drain policy before the drain" t_not router_path_has "$vip" graceful-shutdown
	expect 200 POST /v1/nodes/let1/drain "$ADMIN_TOKEN" '{"drained":true}'
	timed "drained node's route carries graceful-shutdown" 10 \
		router_path_has "$vip" '"community":{"string":"graceful-shutdown"'
	t_check "and MED 1000" router_path_has "$vip" '"metric":1000'
	t_check "and is still routed" routed "$vip"
	expect 200 POST /v1/nodes/let1/drain "$ADMIN_TOKEN" '{"drained":false}'
	timed "undrained: the community is gone" 10 t_not router_path_has "$vip" graceful-shutdown
	t_check "still routed after undrain" routed "$vip"

	# delete: withdrawn first, maps removed --withdraw-wait-ms later
	api DELETE /v1/loadbalancers/web "$tt" >/dev/null
	wait_for "withdrawn after delete" 5 not_routed "$vip"
	t_route=$(now_ms)
	t_check "maps still hold the VIP just after the withdrawal" has_vip "$vip:80/tcp"
	t_check "nlb-hc still checks the lingering VIP" grep -q '/web:80/' "$CP_DIR/hc.json"
	wait_for "maps removed" 10 no_vip "$vip:80/tcp"
	t_maps=$(now_ms)
	wait_for "and then its checks" 5 t_not grep -q '/web:80/' "$CP_DIR/hc.json"
	echo "  maps removed $((t_maps - t_route)) ms after the router lost the route"
	t_check "maps went >= 1 s after the withdrawal" [ $((t_maps - t_route)) -ge 1000 ]
	wait_for "LB deleted (VIP back in the pool)" 10 bash -c \
		"[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $tt' $CP_URL/v1/loadbalancers/web) = 404 ]"
	kill "$(hc_pid)" 2>/dev/null
}

t_run nlblet_bgp test_nlblet_bgp
t_done
