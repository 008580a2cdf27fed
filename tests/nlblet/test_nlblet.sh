#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nlblet against a real nlb-controlplane: register, assignments into the
# maps (pinned on a private bpffs), status synced, a drained backend, delete.
# nlblet runs in a namespace nlbt-let-<pid> behind a veth; the control plane
# listens on the root side of the veth.
. "$(dirname "$0")/../lib/nlbtest.sh"
. "$(dirname "$0")/../cp/cp_lib.sh"

. "$(dirname "$0")/let_lib.sh"

test_nlblet_gateway() {
	need
	let_topology
	cp_dir
	let_cp_start
	local tt nt vip lb
	mk_pool p1 10.99.0.0/24
	tt=$(mk_tenant acme)
	nt=$(mk_node_token let1)
	local out rc=0
	out=$("$LET_BIN/nlblet" --gateway "$CP_URL" --token-file /dev/null \
		--node let1 --src-v4 10.99.0.0/33 2>&1) || rc=$?
	t_check "a bad --src-v4 exits 2 ($rc)" [ "$rc" = 2 ]
	t_check "and names it ($out)" grep -q -- --src-v4 <<<"$out"
	rc=0
	out=$("$LET_BIN/nlblet" --gateway "$CP_URL" --token-file /dev/null \
		--node let1 --xdp-mode turbo 2>&1) || rc=$?
	t_check "a bad --xdp-mode exits 2 ($rc) naming it" \
		bash -c "[ $rc = 2 ] && grep -q -- --xdp-mode <<<'$out'"
	let_start let1 "$nt" --src-v4 10.99.201.0/24 --src-v6 fd99:201::/64 \
		--xdp-mode native
	wait_for "node registered and ready" 10 \
		bash -c "curl -sf -H 'Authorization: Bearer $ADMIN_TOKEN' $CP_URL/v1/nodes/let1 | grep -q '\"ready\"'"

	lb='{"name":"web","spec":{"replicas":1,"listeners":[{"port":80,
	     "healthCheck":{"type":"TCP","intervalMs":1000},
	     "backends":[{"address":"10.1.0.11"},{"address":"10.1.0.12","weight":50}]}]}}'
	expect 201 POST /v1/loadbalancers "$tt" "$lb"
	vip=$(jget 'j["status"]["vip"] or j["spec"]["vip"]')
	t_check "VIP allocated" test -n "$vip"
	timed "VIP with both backends in the maps" 2 \
		bash -c "'$LET_BIN/nlb-node' --pin-dir '$LET_PIN' vip list | grep -A2 '^vip $vip:80/tcp ' | grep -c 'state enabled' | grep -qx 2"
	vips | grep -q "backend 10.1.0.12 id [0-9]* state enabled weight 50 "
	timed "gateway shows let1 synced" 5 lb_synced web "$tt"
	t_check "hc config written" grep -q '"10.1.0.11"' "$CP_DIR/hc.json"
	t_check "XDP attached in the namespace, native" \
		bash -c "ip -n $LET_NS link show $LET_IF | grep -q 'xdp qdisc'"
	t_check "outer source prefixes in the forwarding config" bash -c \
		"'$LET_BIN/nlb-node' --pin-dir '$LET_PIN' config | grep 'src_v4 10.99.201.0/24 src_v6 fd99:201::/64'"

	# a backend drained in the API is drained in the maps
	expect 200 PUT "/v1/loadbalancers/web/listeners/80/backends?protocol=TCP" "$tt" \
		'{"backends":[{"address":"10.1.0.11","state":"drained"},{"address":"10.1.0.12","weight":50}]}'
	timed "drained backend in the maps" 2 backend_state 10.1.0.11 drained
	backend_state 10.1.0.12 enabled

	# nlb-hc's state turns a backend down in the maps
	printf '{"event":"snapshot","seq":1,"backends":[{"backend":"10.1.0.12","vips":["acme/web:80/TCP"],"state":"down","reason":"connection refused","since_ms":1}]}' \
		>"$CP_DIR/hc-state.json.tmp"
	mv "$CP_DIR/hc-state.json.tmp" "$CP_DIR/hc-state.json"
	timed "down backend in the maps" 3 backend_state 10.1.0.12 down
	wait_for "gateway shows the reason" 5 bash -c \
		"curl -sf -H 'Authorization: Bearer $tt' $CP_URL/v1/loadbalancers/web | grep -q 'connection refused'"

	# delete: the VIP leaves the maps, and the LB goes once reported gone
	api DELETE /v1/loadbalancers/web "$tt" >/dev/null
	timed "VIP removed from the maps" 2 no_vip "$vip:80/tcp"
	wait_for "LB deleted" 5 bash -c \
		"[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $tt' $CP_URL/v1/loadbalancers/web) = 404 ]"
	t_check "nlblet alive" kill -0 "$LET_PID"
	kill "$LET_PID"
	wait_for "nlblet exits on SIGTERM" 3 t_not kill -0 "$LET_PID"
	t_check "maps kept after exit" vips
	t_check "XDP stays attached after exit" \
		bash -c "ip -n $LET_NS link show $LET_IF | grep -q xdp"
}

# fail static: gateway gone, maps stay; it comes back, nlblet catches up
test_nlblet_fail_static() {
	need
	let_topology
	cp_dir
	let_cp_start
	local tt nt vip port code
	mk_pool p1 10.99.0.0/24
	tt=$(mk_tenant acme)
	nt=$(mk_node_token let1)
	let_start let1 "$nt"
	expect 201 POST /v1/loadbalancers "$tt" \
		'{"name":"web","spec":{"replicas":1,"listeners":[{"port":80,"backends":[{"address":"10.1.0.11"}]}]}}'
	vip=$(jget 'j["status"]["vip"] or j["spec"]["vip"]')
	wait_for "VIP in the maps" 5 has_vip "$vip:80/tcp"
	port=$CP_PORT
	cp_stop
	sleep 2
	t_check "VIP kept with the gateway down" has_vip "$vip:80/tcp"
	t_check "nlblet alive" kill -0 "$LET_PID"
	let_cp_start --port "$port"
	code=$(api DELETE /v1/loadbalancers/web "$tt")
	t_check "delete accepted ($code)" test "$code" = 202 -o "$code" = 204
	wait_for "VIP removed after the gateway came back" 10 no_vip "$vip:80/tcp"
}

# the whole health path: nlblet writes nlb-hc's config, a real nlb-hc checks
# (the gateway's own port answers; the namespace side refuses), nlblet reads
# its state file into the maps and reports health and reason
test_nlblet_hc() {
	need
	[ -x "$LET_BIN/nlb-hc" ] || t_skip "nlb-hc not built"
	let_topology
	cp_dir
	let_cp_start
	local tt nt vip ns_addr=${LET_GW%.1}.2
	mk_pool p1 10.99.0.0/24
	tt=$(mk_tenant acme)
	nt=$(mk_node_token let1)
	let_start let1 "$nt"
	expect 201 POST /v1/loadbalancers "$tt" "{\"name\":\"web\",\"spec\":{\"replicas\":1,
	  \"listeners\":[{\"port\":$CP_PORT,\"healthCheck\":{\"type\":\"TCP\",\"intervalMs\":500,
	  \"timeoutMs\":200,\"rise\":1,\"fall\":1},\"backends\":[{\"address\":\"$LET_GW\"},
	  {\"address\":\"$ns_addr\"}]}]}}"
	vip=$(jget 'j["status"]["vip"]')
	wait_for "hc config written" 3 test -s "$CP_DIR/hc.json"
	"$LET_BIN/nlb-hc" --config "$CP_DIR/hc.json" --state "$CP_DIR/hc-state.json" \
		--stream "$CP_DIR/hc.sock" --metrics "" >>"$CP_DIR/hc.log" 2>&1 &
	local hc_pid=$!
	t_cleanup "kill $hc_pid"
	timed "refusing backend down in the maps" 3 backend_state "$ns_addr" down
	backend_state "$LET_GW" enabled
	wait_for "gateway shows health and reason" 5 bash -c \
		"curl -sf -H 'Authorization: Bearer $tt' $CP_URL/v1/loadbalancers/web | python3 -c '
import json, sys
b = {x[\"address\"]: x for x in json.load(sys.stdin)[\"status\"][\"backends\"]}
assert b[\"$LET_GW\"][\"health\"] == \"healthy\", b
assert b[\"$ns_addr\"][\"health\"] == \"unhealthy\", b
assert b[\"$ns_addr\"][\"reason\"] == \"connection refused\", b'"
	has_vip "$vip:$CP_PORT/tcp"
}

# an IPv6 VIP is programmed; so is a listener with a port range: one VIP
# behind one key per port
test_nlblet_v6_and_range() {
	need
	let_topology
	cp_dir
	let_cp_start
	local tt nt v6 v4r
	mk_pool p4 10.99.0.0/24
	mk_pool p6 fd00:99::/120
	tt=$(mk_tenant acme)
	nt=$(mk_node_token let1)
	let_start let1 "$nt"
	expect 201 POST /v1/loadbalancers "$tt" \
		'{"name":"v6","spec":{"replicas":1,"ipFamily":"IPv6","listeners":[{"port":443,"backends":[{"address":"fd01::11"},{"address":"fd01::12","state":"drained"}]}]}}'
	v6=$(jget 'j["status"]["vip"]')
	expect 201 POST /v1/loadbalancers "$tt" \
		'{"name":"range","spec":{"replicas":1,"listeners":[{"port":80,"backends":[{"address":"10.1.0.1"}]},{"port":1000,"portEnd":1010,"protocol":"UDP","backends":[{"address":"10.1.0.2"}]}]}}'
	v4r=$(jget 'j["status"]["vip"]')
	timed "IPv6 VIP in the maps" 2 has_vip "[$v6]:443/tcp"
	backend_state fd01::11 enabled
	backend_state fd01::12 drained
	timed "IPv6 LB synced" 5 lb_synced v6 "$tt"
	timed "port range in the maps" 2 has_vip "$v4r:1000-1010/udp"
	t_check "its single port too" has_vip "$v4r:80/tcp"
	backend_state 10.1.0.2 enabled
	timed "range LB synced" 5 lb_synced range "$tt"
	t_check "nlblet alive" kill -0 "$LET_PID"
}

t_run nlblet_gateway test_nlblet_gateway
t_run nlblet_v6_and_range test_nlblet_v6_and_range
t_run nlblet_hc test_nlblet_hc
t_run nlblet_fail_static test_nlblet_fail_static
t_done
