#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Graceful node drain against a real nlb-controlplane on SQLite, with the
# nodes played over the real HTTP API (node tokens, heartbeats, status
# reports): a drained node keeps its VIPs, told it is drained, until the
# nodes taking them over advertise them, or until --drain-timeout-ms.
. "$(dirname "$0")/../lib/nlbtest.sh"
. "$(dirname "$0")/cp_lib.sh"

CTL=$NLBT_BUILD/bin/nlbctl

# actl ARGS...: nlbctl as admin, output in $CP_DIR/ctl, prints the exit code
actl() {
	local rc=0
	"$CTL" --endpoint "$CP_URL" --token "$ADMIN_TOKEN" "$@" >"$CP_DIR/ctl" 2>&1 || rc=$?
	echo $rc
}

# node_up NAME ZONE: registers a node and keeps it heartbeating; sets
# NODE_TOKEN[NAME]
declare -A NODE_TOKEN
node_up() {
	NODE_TOKEN[$1]=$(mk_node_token "$1")
	expect 201 POST "/v1/nodes/$1/register" "${NODE_TOKEN[$1]}" "{\"zone\":\"$2\"}"
	heartbeats "$1" "${NODE_TOKEN[$1]}"
}

# assigned NODE: the ids in NODE's assignments, space-separated, then
# "drained=true|false"
assigned() {
	curl -s -H "Authorization: Bearer ${NODE_TOKEN[$1]}" \
		"$CP_URL/v1/nodes/$1/assignments?revision=0" |
		python3 -c 'import json,sys; j=json.load(sys.stdin); print(" ".join(v["id"] for v in j["vips"]), "drained=%s" % str(j["drained"]).lower())'
}

has_vip() { [[ " $(assigned "$1") " == *" $2 "* ]]; }
lacks_vip() { [[ " $(assigned "$1") " != *" $2 "* ]]; }

# report NODE ID GENERATION: NODE's status report, the VIP advertised
report() {
	expect 204 PUT "/v1/nodes/$1/status" "${NODE_TOKEN[$1]}" \
		"{\"vips\":[{\"id\":\"$2\",\"generation\":$3,\"advertised\":true}]}"
}

node_field() { # NODE EXPR
	expect 200 GET "/v1/nodes/$1" "$ADMIN_TOKEN" >/dev/null && jget "$2"
}

# nodes_of ID: the nodes an LB is placed on, from the store
nodes_of() {
	sqlite3 "$CP_DIR/db" "SELECT key FROM kv WHERE key LIKE 'nodeassign/%/$1'" |
		cut -d/ -f2 | sort | tr '\n' ' '
}

handover() {
	cp_start --drain-timeout-ms 60000
	mk_pool p4 10.220.0.0/24
	local T
	T=$(mk_tenant shop)
	node_up n1 az1
	node_up n2 az2
	node_up n3 az3
	expect 201 POST /v1/loadbalancers "$T" \
		'{"name":"web","spec":{"replicas":2,"listeners":[{"port":80}]}}'
	wait_for "placed on two nodes" 5 bash -c "[ \$(sqlite3 $CP_DIR/db \"SELECT count(*) FROM kv WHERE key LIKE 'nodeassign/%/shop/web'\") = 2 ]"
	local placed d s r n
	placed=$(nodes_of shop/web)
	read -r d s <<<"$placed"
	for n in n1 n2 n3; do [[ " $placed " == *" $n "* ]] || r=$n; done
	t_check "$d holds the VIP, not drained" has_vip "$d" shop/web
	[[ "$(assigned "$d")" == *drained=false ]]
	report "$s" shop/web 1
	report "$d" shop/web 1

	# the long poll of the node to drain wakes on the drain itself
	local rev start
	rev=$(curl -s -H "Authorization: Bearer ${NODE_TOKEN[$d]}" \
		"$CP_URL/v1/nodes/$d/assignments?revision=0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["revision"])')
	start=$(date +%s%N)
	curl -s -o "$CP_DIR/poll" -H "Authorization: Bearer ${NODE_TOKEN[$d]}" \
		"$CP_URL/v1/nodes/$d/assignments?revision=$rev&timeoutMs=20000" &
	local poll=$!
	t_cleanup "kill $poll"
	sleep 0.3
	expect 200 POST "/v1/nodes/$d/drain" "$ADMIN_TOKEN" '{"drained":true}'
	[ "$(jget 'j["state"]')" = draining ]
	[ "$(jget 'j["vips"]')" = 1 ]
	wait "$poll"
	t_check "long poll woke within 5 s" [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000 ]
	python3 -c "import json; j=json.load(open('$CP_DIR/poll')); assert j['drained'] is True and [v['id'] for v in j['vips']] == ['shop/web'], j"

	# the operator waits for the drain in the background
	"$CTL" --endpoint "$CP_URL" --token "$ADMIN_TOKEN" drain "$d" --wait \
		--timeout 30 >"$CP_DIR/wait.out" 2>&1 &
	local waiter=$!
	t_cleanup "kill $waiter"

	# the spare node takes it over; the drained one keeps it meanwhile
	wait_for "$r gets the VIP" 5 has_vip "$r" shop/web
	has_vip "$d" shop/web
	[[ "$(assigned "$d")" == *drained=true ]]
	[ "$(node_field "$d" 'j["state"]')" = draining ]
	expect 200 GET /v1/loadbalancers/web "$T"
	[ "$(jget 'j["status"].get("message")')" = None ]
	# an old generation, or only one of the two serving nodes, is not enough
	report "$r" shop/web 0
	sleep 1 # ten scheduler passes (--interval-ms 100)
	t_check "held while $r advertises an old generation" has_vip "$d" shop/web
	report "$r" shop/web 1
	wait_for "$d lets the VIP go" 5 lacks_vip "$d" shop/web
	[ "$(nodes_of shop/web)" = "$(echo "$s $r" | tr ' ' '\n' | sort | tr '\n' ' ')" ]
	[[ "$(assigned "$d")" == " drained=true" ]]
	wait "$waiter"
	grep -q "node/$d draining: 1 VIP still on it" "$CP_DIR/wait.out"
	tail -n1 "$CP_DIR/wait.out" | grep -qx "node/$d drained"
	[ "$(node_field "$d" 'j["state"]')" = drained ]
	[ "$(node_field "$d" 'j["vips"]')" = 0 ]

	# undrain: a candidate again, told so through its long poll
	[ "$(actl drain "$d" --undo)" = 0 ]
	grep -qx "node/$d undrained" "$CP_DIR/ctl"
	[ "$(node_field "$d" 'j["state"]')" = ready ]
	[[ "$(assigned "$d")" == *drained=false ]]
}

timeout_alone() {
	cp_start --drain-timeout-ms 3000
	mk_pool p4 10.221.0.0/24
	local T
	T=$(mk_tenant solo)
	node_up n1 az1
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json one)"
	wait_for "placed" 5 has_vip n1 solo/one
	report n1 solo/one 1
	# no other node: the VIP stays until the drain timeout
	[ "$(actl drain n1)" = 0 ]
	grep -qx 'node/n1 draining: 1 VIP still on it' "$CP_DIR/ctl"
	# a node agent restarting meanwhile does not undo the drain
	expect 200 POST /v1/nodes/n1/register "${NODE_TOKEN[n1]}" '{"zone":"az1"}'
	[ "$(jget 'j["drained"]')" = True ]
	[ "$(node_field n1 'j["state"]')" = draining ]
	[ "$(actl drain n1 --wait --timeout 1)" = 7 ]
	grep -q 'error: node/n1 still holds 1 VIP after 1 s' "$CP_DIR/ctl"
	has_vip n1 solo/one
	[ "$(actl drain n1 --wait --timeout 20)" = 0 ]
	grep -qx 'node/n1 drained' "$CP_DIR/ctl"
	lacks_vip n1 solo/one
	expect 200 GET /v1/loadbalancers/one "$T"
	[ "$(jget 'j["status"]["provisioningStatus"]')" = ERROR ]
}

bad_input() {
	cp_start
	node_up n1 az1
	expect 422 POST /v1/nodes/n1/drain "$ADMIN_TOKEN" '{"drained":"yes"}'
	[ "$(jget 'j["error"]["field"]')" = drained ]
	expect 422 POST /v1/nodes/n1/drain "$ADMIN_TOKEN" '{"drain":true}'
	[ "$(jget 'j["error"]["field"]')" = drain ]
	expect 404 POST /v1/nodes/nosuch/drain "$ADMIN_TOKEN" '{"drained":true}'
	[ "$(actl drain n1 --wait --timeout x)" = 2 ]
	grep -q 'error: --timeout:' "$CP_DIR/ctl"
	[ "$(actl drain n1 --undo --wait)" = 2 ]
	[ "$(actl drain nosuch --wait)" = 3 ]
	# nothing above drained it
	[ "$(node_field n1 'j["state"]')" = ready ]
}

t_run cp_drain_handover handover
t_run cp_drain_timeout_alone timeout_alone
t_run cp_drain_bad_input bad_input
t_done
