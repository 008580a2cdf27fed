#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Crash safety on SQLite: kill -9 of the gateway during a stream of writes
# loses no acknowledged write; two schedulers elect one leader, and when the
# leader is killed the other takes over within the lease.
. "$(dirname "$0")/../lib/nlbtest.sh"
. "$(dirname "$0")/cp_lib.sh"

gw_start() {
	rm -f "$CP_DIR/port"
	"$CP_BIN/nlb-gateway" --store "sqlite:$CP_DIR/db" --port 0 \
		--port-file "$CP_DIR/port" --admin-token-file "$CP_DIR/admin" \
		>>"$CP_DIR/gw.log" 2>&1 &
	GW_PID=$!
	t_cleanup "kill -9 $GW_PID"
	CP_PORT=$(cp_wait_port "$CP_DIR/port")
	CP_URL=http://127.0.0.1:$CP_PORT
}

kill9_writes() {
	cp_dir
	gw_start
	mk_pool p4 10.220.0.0/16
	local T
	T=$(mk_tenant dur)
	expect 200 PUT /v1/tenants/dur "$ADMIN_TOKEN" '{"quotas":{"loadBalancers":100000}}'
	# four writers; each records the names the gateway acknowledged
	local w
	for w in 1 2 3 4; do
		(i=0
		while :; do
			i=$((i + 1))
			code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 \
				-H "Authorization: Bearer $T" -X POST \
				--data-binary "{\"name\":\"w$w-$i\",\"spec\":{\"listeners\":[{\"port\":80}]}}" \
				"$CP_URL/v1/loadbalancers") || code=000
			[ "$code" = 201 ] && echo "w$w-$i" >>"$CP_DIR/acked.$w"
			[ "$code" = 000 ] && break
		done) &
		t_cleanup "kill $!"
	done
	sleep 1.5
	kill -9 "$GW_PID"
	wait "$GW_PID" 2>/dev/null || true
	sleep 0.5
	cat "$CP_DIR"/acked.* >"$CP_DIR/acked"
	local n
	n=$(wc -l <"$CP_DIR/acked")
	echo "  acknowledged before kill -9: $n"
	[ "$n" -ge 20 ]
	gw_start
	expect 200 GET '/v1/loadbalancers?limit=1000' "$T"
	local cont have=$CP_DIR/have
	: >"$have"
	while :; do
		jget '"\n".join(i["name"] for i in j["items"])' >>"$have"
		cont=$(jget 'j.get("continue","")')
		[ -n "$cont" ] || break
		expect 200 GET "/v1/loadbalancers?limit=1000&continue=$cont" "$T"
	done
	local missing
	missing=$(sort "$CP_DIR/acked" | comm -23 - <(sort "$have") | wc -l)
	[ "$missing" = 0 ] || { echo "  lost $missing acknowledged writes"; return 1; }
	# and the store is consistent: one VIP per load balancer
	[ "$(sqlite_count vip/p4/)" = "$(sqlite_count lb/dur/)" ]
	expect 200 GET /v1/tenants/dur "$ADMIN_TOKEN"
	[ "$(jget 'j["usage"]["loadBalancers"]')" = "$(sqlite_count lb/dur/)" ]
}

sched_start() { # NAME
	"$CP_BIN/nlb-scheduler" --store "sqlite:$CP_DIR/db" --holder "$1" \
		--lease-ms 1000 --interval-ms 100 --heartbeat-timeout-ms 60000 \
		>>"$CP_DIR/sched-$1.log" 2>&1 &
	echo $!
}

leader() {
	sqlite3 "$CP_DIR/db" "SELECT json_extract(value, '$.holder') FROM kv WHERE key = 'leader/scheduler'"
}

leader_failover() {
	cp_dir
	gw_start
	mk_pool p4 10.221.0.0/24
	local T N S1 S2
	T=$(mk_tenant lf)
	N=$(mk_node_token n1)
	expect 201 POST /v1/nodes/n1/register "$N" '{"zone":"az1"}'
	S1=$(sched_start s1)
	t_cleanup "kill -9 $S1"
	wait_for "s1 leads" 5 bash -c "[ \"\$(sqlite3 $CP_DIR/db \"SELECT json_extract(value, '\$.holder') FROM kv WHERE key = 'leader/scheduler'\")\" = s1 ]"
	S2=$(sched_start s2)
	t_cleanup "kill -9 $S2"
	sleep 0.5
	[ "$(leader)" = s1 ]
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json a)"
	wait_for "placed by s1" 5 bash -c "[ \$(sqlite3 $CP_DIR/db \"SELECT count(*) FROM kv WHERE key LIKE 'nodeassign/%'\") = 1 ]"
	! grep -q 'became leader' "$CP_DIR/sched-s2.log"
	kill -9 "$S1"
	local t0=$SECONDS
	wait_for "s2 takes over" 5 bash -c "[ \"\$(sqlite3 $CP_DIR/db \"SELECT json_extract(value, '\$.holder') FROM kv WHERE key = 'leader/scheduler'\")\" = s2 ]"
	echo "  new leader after $((SECONDS - t0)) s"
	grep -q 'msg="became leader" holder=s2' "$CP_DIR/sched-s2.log"
	# the new leader schedules
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json b)"
	wait_for "placed by s2" 5 bash -c "[ \$(sqlite3 $CP_DIR/db \"SELECT count(*) FROM kv WHERE key LIKE 'nodeassign/%'\") = 2 ]"
	# a clean stop hands over at once
	S1=$(sched_start s1)
	t_cleanup "kill -9 $S1"
	sleep 0.3
	kill "$S2"
	wait_for "s1 leads again" 3 bash -c "[ \"\$(sqlite3 $CP_DIR/db \"SELECT json_extract(value, '\$.holder') FROM kv WHERE key = 'leader/scheduler'\")\" = s1 ]"
}

t_run cp_kill9_no_acked_write_lost kill9_writes
t_run cp_scheduler_leader_failover leader_failover
t_done
