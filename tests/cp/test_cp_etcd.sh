#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The control plane on a real three-member etcd cluster on loopback: two
# gateways and two schedulers behave as one system; a member killed during a
# stream of writes and a killed gateway lose no acknowledged write; a killed
# scheduler leader is replaced within seconds.
. "$(dirname "$0")/../lib/nlbtest.sh"
. "$(dirname "$0")/cp_lib.sh"

# gw_on N: gateway N on the etcd store; sets GW_URL[N], GW_PID[N]
gw_on() {
	rm -f "$CP_DIR/port$1"
	"$CP_BIN/nlb-gateway" --store "etcd:$ETCD_EPS" --port 0 \
		--port-file "$CP_DIR/port$1" --admin-token-file "$CP_DIR/admin" \
		--heartbeat-timeout-ms 60000 >>"$CP_DIR/gw$1.log" 2>&1 &
	GW_PID[$1]=$!
	t_cleanup "kill -9 ${GW_PID[$1]}"
	GW_URL[$1]=http://127.0.0.1:$(cp_wait_port "$CP_DIR/port$1")
}

sched_on() { # NAME
	"$CP_BIN/nlb-scheduler" --store "etcd:$ETCD_EPS" --holder "$1" \
		--lease-ms 1000 --interval-ms 100 --heartbeat-timeout-ms 60000 \
		>>"$CP_DIR/sched-$1.log" 2>&1 &
	SCHED_PID=$!
	t_cleanup "kill -9 $SCHED_PID"
}

leader() {
	etcdctl --endpoints "$ETCD_EPS" get leader/scheduler --print-value-only |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["holder"])'
}

count_prefix() {
	etcdctl --endpoints "$ETCD_EPS" get "$1" --prefix --keys-only | grep -c .
}

two_gateways() {
	etcd_start
	gw_on 1
	gw_on 2
	CP_URL=${GW_URL[1]}
	mk_pool p4 10.240.0.0/24
	local T
	T=$(mk_tenant et)
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json one)"
	CP_URL=${GW_URL[2]}
	expect 200 GET /v1/loadbalancers/one "$T"
	[ "$(jget 'j["status"]["vip"]')" = 10.240.0.1 ]
	IF_MATCH='"1"' expect 200 PATCH /v1/loadbalancers/one "$T" '{"spec":{"replicas":2}}'
	CP_URL=${GW_URL[1]}
	IF_MATCH='"1"' expect 409 PATCH /v1/loadbalancers/one "$T" '{"spec":{"replicas":3}}'
	# 60 concurrent creates split over both gateways: distinct VIPs
	seq 60 | xargs -P 60 -I{} sh -c 'i={}; u=$([ $((i % 2)) = 0 ] && echo '"${GW_URL[1]}"' || echo '"${GW_URL[2]}"');
		curl -s -o /dev/null -w "%{http_code}\n" -H "Authorization: Bearer '"$T"'" -X POST \
		--data-binary "{\"name\":\"c$i\",\"spec\":{\"listeners\":[{\"port\":80}]}}" $u/v1/loadbalancers' >"$CP_DIR/codes"
	[ "$(grep -c '^201$' "$CP_DIR/codes")" = 60 ] || { sort "$CP_DIR/codes" | uniq -c; return 1; }
	expect 200 GET '/v1/loadbalancers?limit=1000' "$T"
	[ "$(jget 'len(set(i["status"]["vip"] for i in j["items"]))')" = 61 ]
	[ "$(count_prefix vip/p4/)" = 61 ]
	# the other tenant sees nothing on either gateway
	local O
	O=$(mk_tenant other)
	expect 404 GET /v1/loadbalancers/one "$O"
	CP_URL=${GW_URL[2]}
	expect 404 DELETE /v1/loadbalancers/one "$O"
}

member_kill_writes() {
	etcd_start
	gw_on 1
	gw_on 2
	CP_URL=${GW_URL[1]}
	mk_pool p4 10.241.0.0/16
	local T w
	T=$(mk_tenant mk)
	expect 200 PUT /v1/tenants/mk "$ADMIN_TOKEN" '{"quotas":{"loadBalancers":100000}}'
	for w in 1 2 3; do
		(i=0
		while [ ! -e "$CP_DIR/stop" ]; do
			i=$((i + 1))
			code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 \
				-H "Authorization: Bearer $T" -X POST \
				--data-binary "{\"name\":\"w$w-$i\",\"spec\":{\"listeners\":[{\"port\":80}]}}" \
				"${GW_URL[1]}/v1/loadbalancers") || code=000
			[ "$code" = 201 ] && echo "w$w-$i" >>"$CP_DIR/acked.$w"
		done) &
		t_cleanup "kill $!"
	done
	sleep 1.5
	kill -9 "${ETCD_PID[1]}" # one member dies mid-stream
	local before
	before=$(cat "$CP_DIR"/acked.* 2>/dev/null | wc -l)
	sleep 2.5
	kill -9 "${GW_PID[1]}" # and the gateway, too
	touch "$CP_DIR/stop"
	sleep 0.5
	cat "$CP_DIR"/acked.* >"$CP_DIR/acked"
	echo "  acknowledged: $before before the member died, $(wc -l <"$CP_DIR/acked") in all"
	[ "$before" -ge 3 ]
	[ "$(wc -l <"$CP_DIR/acked")" -gt "$before" ]
	# every acknowledged write is there, read through the other gateway
	CP_URL=${GW_URL[2]}
	: >"$CP_DIR/have"
	expect 200 GET '/v1/loadbalancers?limit=1000' "$T"
	local cont
	while :; do
		jget '"\n".join(i["name"] for i in j["items"])' >>"$CP_DIR/have"
		cont=$(jget 'j.get("continue","")')
		[ -n "$cont" ] || break
		expect 200 GET "/v1/loadbalancers?limit=1000&continue=$cont" "$T"
	done
	local missing
	missing=$(sort "$CP_DIR/acked" | comm -23 - <(sort "$CP_DIR/have") | wc -l)
	[ "$missing" = 0 ] || { echo "  lost $missing acknowledged writes"; return 1; }
	# and writes go on with two of three members
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json after)"
}

leader_kill() {
	etcd_start
	gw_on 1
	CP_URL=${GW_URL[1]}
	mk_pool p4 10.242.0.0/24
	local T N S1 S2
	T=$(mk_tenant lk)
	N=$(mk_node_token n1)
	expect 201 POST /v1/nodes/n1/register "$N" '{"zone":"az1"}'
	sched_on s1
	S1=$SCHED_PID
	wait_for "s1 leads" 10 bash -c "[ \"\$(etcdctl --endpoints $ETCD_EPS get leader/scheduler --print-value-only)\" != '' ]"
	sched_on s2
	S2=$SCHED_PID
	sleep 0.5
	[ "$(leader)" = s1 ]
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json a)"
	wait_for "placed" 10 bash -c "[ \$(etcdctl --endpoints $ETCD_EPS get nodeassign/ --prefix --keys-only | grep -c .) = 1 ]"
	kill -9 "$S1"
	local t0
	t0=$(date +%s%N)
	wait_for "s2 leads" 10 bash -c "etcdctl --endpoints $ETCD_EPS get leader/scheduler --print-value-only | grep -q '\"s2\"'"
	echo "  new leader after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json b)"
	wait_for "placed by s2" 10 bash -c "[ \$(etcdctl --endpoints $ETCD_EPS get nodeassign/ --prefix --keys-only | grep -c .) = 2 ]"
	kill -0 "$S2"
}

t_run cp_etcd_two_gateways two_gateways
t_run cp_etcd_member_kill_no_acked_write_lost member_kill_writes
t_run cp_etcd_scheduler_leader_kill leader_kill
t_done
