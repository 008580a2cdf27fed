#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The REST API against a real nlb-controlplane on 127.0.0.1: CRUD round
# trips, tenant isolation, VIP allocation, validation, node API and status.
. "$(dirname "$0")/../lib/nlbtest.sh"
. "$(dirname "$0")/cp_lib.sh"

crud_http() {
	cp_start
	mk_pool p4 10.200.0.0/24
	local T
	T=$(mk_tenant acme)
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json web)"
	[ "$(jget 'j["status"]["vip"]')" = 10.200.0.1 ]
	[ "$(jget 'j["metadata"]["generation"]')" = 1 ]
	# no node registered: the scheduler may already have said so
	[[ "$(jget 'j["status"]["provisioningStatus"]')" =~ ^(PENDING_CREATE|ERROR)$ ]]
	expect 200 GET /v1/loadbalancers/web "$T"
	[ "$(jget 'j["spec"]["listeners"][0]["backends"][0]["weight"]')" = 100 ]
	# replace: generation moves, ETag guards it
	IF_MATCH='"1"' expect 200 PUT /v1/loadbalancers/web "$T" \
		"$(lb_json web 10.1.0.12)"
	[ "$(jget 'j["metadata"]["generation"]')" = 2 ]
	IF_MATCH='"1"' expect 409 PUT /v1/loadbalancers/web "$T" "$(lb_json web 10.1.0.13)"
	[ "$(jget 'j["error"]["field"]')" = If-Match ]
	# the same spec again is no change
	expect 200 PUT /v1/loadbalancers/web "$T" "$(lb_json web 10.1.0.12)"
	[ "$(jget 'j["metadata"]["generation"]')" = 2 ]
	# merge patch
	expect 200 PATCH /v1/loadbalancers/web "$T" '{"labels":{"app":"shop"},"spec":{"replicas":2}}'
	[ "$(jget 'j["spec"]["replicas"]')" = 2 ]
	[ "$(jget 'j["labels"]["app"]')" = shop ]
	[ "$(jget 'j["spec"]["listeners"][0]["backends"][0]["address"]')" = 10.1.0.12 ]
	# batch replace of one listener's backends
	expect 200 PUT /v1/loadbalancers/web/listeners/80/backends "$T" \
		'{"backends":[{"address":"10.1.0.21","weight":0},{"address":"10.1.0.22","state":"drained"}]}'
	[ "$(jget 'len(j["spec"]["listeners"][0]["backends"])')" = 2 ]
	[ "$(jget 'j["metadata"]["generation"]')" = 4 ]
	expect 404 PUT /v1/loadbalancers/web/listeners/81/backends "$T" '{"backends":[]}'
	# a body over 1 KiB: curl sends "Expect: 100-continue" and must not
	# wait for its one-second fallback
	local many start
	many=$(python3 -c 'import json; print(json.dumps({"backends":[{"address":"10.9.0.%d" % i} for i in range(1,60)]}))')
	start=$(date +%s%N)
	expect 200 PUT /v1/loadbalancers/web/listeners/80/backends "$T" "$many"
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 900 ]
	[ "$(jget 'len(j["spec"]["listeners"][0]["backends"])')" = 59 ]
	expect 200 PUT /v1/loadbalancers/web/listeners/80/backends "$T" \
		'{"backends":[{"address":"10.1.0.21","weight":0},{"address":"10.1.0.22","state":"drained"}]}'
	[ "$(jget 'j["metadata"]["generation"]')" = 6 ]
	# list: pagination and filters
	local i
	for i in 1 2 3 4; do expect 201 POST /v1/loadbalancers "$T" "$(lb_json app$i)"; done
	expect 200 GET '/v1/loadbalancers?limit=2' "$T"
	[ "$(jget 'len(j["items"])')" = 2 ]
	local cont
	cont=$(jget 'j["continue"]')
	expect 200 GET "/v1/loadbalancers?limit=2&continue=$cont" "$T"
	[ "$(jget '",".join(i["name"] for i in j["items"])')" = app3,app4 ]
	expect 200 GET "/v1/loadbalancers?limit=2&continue=app4" "$T"
	[ "$(jget '",".join(i["name"] for i in j["items"])')" = web ]
	[ "$(jget '"continue" in j')" = False ]
	expect 200 GET '/v1/loadbalancers?label=app=shop' "$T"
	[ "$(jget '",".join(i["name"] for i in j["items"])')" = web ]
	expect 200 GET '/v1/loadbalancers?name=app2' "$T"
	[ "$(jget '",".join(i["name"] for i in j["items"])')" = app2 ]
	# delete of an unplaced LB is immediate and frees the VIP
	expect 204 DELETE /v1/loadbalancers/app1 "$T"
	expect 404 GET /v1/loadbalancers/app1 "$T"
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json again)"
	[ "$(jget 'j["status"]["vip"]')" = 10.200.0.2 ]
	# explicit VIP from the pool, taken twice is a conflict
	expect 201 POST /v1/loadbalancers "$T" \
		'{"name":"fixed","spec":{"vip":"10.200.0.77","listeners":[{"port":53,"protocol":"UDP"}]}}'
	[ "$(jget 'j["status"]["vip"]')" = 10.200.0.77 ]
	expect 409 POST /v1/loadbalancers "$T" \
		'{"name":"fixed2","spec":{"vip":"10.200.0.77","listeners":[{"port":53,"protocol":"UDP"}]}}'
	expect 409 POST /v1/loadbalancers "$T" "$(lb_json web)"
	[ "$(jget 'j["error"]["field"]')" = name ]
}

isolation() {
	cp_start
	mk_pool p4 10.201.0.0/24
	local A B N
	A=$(mk_tenant alpha)
	B=$(mk_tenant beta)
	N=$(mk_node_token n1)
	expect 201 POST /v1/loadbalancers "$A" "$(lb_json secret)"
	local before
	settle
	before=$(store_snapshot)
	# every verb of another tenant on alpha's resource is a 404
	expect 404 GET /v1/loadbalancers/secret "$B"
	expect 404 PUT /v1/loadbalancers/secret "$B" "$(lb_json secret)"
	expect 404 PATCH /v1/loadbalancers/secret "$B" '{"spec":{"replicas":3}}'
	expect 404 DELETE /v1/loadbalancers/secret "$B"
	expect 404 PUT /v1/loadbalancers/secret/listeners/80/backends "$B" '{"backends":[]}'
	expect 200 GET /v1/loadbalancers "$B"
	[ "$(jget 'len(j["items"])')" = 0 ]
	[ "$(store_snapshot)" = "$before" ]
	# beta may use the same name: its own namespace
	expect 201 POST /v1/loadbalancers "$B" "$(lb_json secret)"
	settle
	before=$(store_snapshot)
	# node tokens: no load balancers, no admin, no other node
	expect 403 POST /v1/loadbalancers "$N" "$(lb_json evil)"
	expect 403 GET /v1/loadbalancers "$N"
	expect 403 GET /v1/pools "$N"
	expect 403 POST /v1/nodes/n2/register "$N" '{"zone":"a"}'
	expect 403 GET /v1/nodes/n2/assignments "$N"
	# tenants cannot administer
	expect 403 POST /v1/pools "$A" '{"name":"x","cidr":"10.9.0.0/24"}'
	expect 403 GET /v1/tenants "$A"
	expect 403 POST /v1/tokens "$A" '{"role":"admin"}'
	expect 403 POST /v1/nodes/n1/register "$A" '{"zone":"a"}'
	# admin tokens do not act as a tenant
	expect 403 POST /v1/loadbalancers "$ADMIN_TOKEN" "$(lb_json x)"
	# bad tokens
	expect 401 GET /v1/loadbalancers "nlb_0000000000000000000000000000000000000000"
	expect 401 GET /v1/loadbalancers ""
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$CP_URL/v1/loadbalancers")" = 401 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Basic eDp5' "$CP_URL/v1/loadbalancers")" = 401 ]
	# none of these wrote anything
	[ "$(store_snapshot)" = "$before" ]
	# tokens are stored hashed, never in clear
	! sqlite3 "$CP_DIR/db" 'SELECT key, value FROM kv' | grep -q "$A"
	# a deleted tenant's token dies with it
	expect 204 DELETE /v1/loadbalancers/secret "$B"
	expect 204 DELETE /v1/tenants/beta "$ADMIN_TOKEN"
	expect 401 GET /v1/loadbalancers "$B"
	expect 409 DELETE /v1/tenants/alpha "$ADMIN_TOKEN"
}

concurrent_vips() {
	cp_start
	mk_pool p4 10.202.0.0/24
	local T
	T=$(mk_tenant conc)
	expect 200 PUT /v1/tenants/conc "$ADMIN_TOKEN" '{"quotas":{"loadBalancers":500}}'
	seq 100 | xargs -P 100 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
		-H "Authorization: Bearer $T" -X POST \
		--data-binary '{"name":"c{}","spec":{"listeners":[{"port":80}]}}' \
		"$CP_URL/v1/loadbalancers" >"$CP_DIR/codes"
	[ "$(grep -c '^201$' "$CP_DIR/codes")" = 100 ]
	expect 200 GET '/v1/loadbalancers?limit=1000' "$T"
	[ "$(jget 'len(j["items"])')" = 100 ]
	[ "$(jget 'len(set(i["status"]["vip"] for i in j["items"]))')" = 100 ]
	[ "$(sqlite_count vip/p4/)" = 100 ]
}

pool_exhaustion() {
	cp_start
	mk_pool tiny 10.203.0.0/30 # two usable addresses
	local T i
	T=$(mk_tenant ex)
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json e1)"
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json e2)"
	expect 409 POST /v1/loadbalancers "$T" "$(lb_json e3)"
	[ "$(jget 'j["error"]["field"]')" = spec.vip ]
	expect 404 GET /v1/loadbalancers/e3 "$T"
	# no IPv6 pool at all: 409 naming the family
	expect 409 POST /v1/loadbalancers "$T" \
		'{"name":"v6","spec":{"ipFamily":"IPv6","listeners":[{"port":80}]}}'
	[ "$(jget 'j["error"]["field"]')" = spec.ipFamily ]
	mk_pool six fd00:10::/120
	expect 201 POST /v1/loadbalancers "$T" \
		'{"name":"v6","spec":{"ipFamily":"IPv6","listeners":[{"port":80}]}}'
	[ "$(jget 'j["status"]["vip"]')" = fd00:10::1 ]
	# per-tenant pools serve their tenant first and nobody else
	local O
	O=$(mk_tenant other)
	mk_pool mine 10.204.0.0/30 other
	expect 201 POST /v1/loadbalancers "$O" "$(lb_json o1)"
	[ "$(jget 'j["status"]["vip"]')" = 10.204.0.1 ]
	expect 409 POST /v1/loadbalancers "$T" "$(lb_json e4)"
	# quota
	expect 200 PUT /v1/tenants/other "$ADMIN_TOKEN" '{"quotas":{"loadBalancers":1}}'
	expect 409 POST /v1/loadbalancers "$O" "$(lb_json o2)"
	for i in 1; do :; done
}

# Each bad request: its status, its field, and the store revision unchanged.
bad_requests() {
	# a lease that is never renewed during the case: then the store
	# revision moves only when a request writes
	cp_start --max-body 4096 --max-listeners 4 --max-backends 8 --lease-ms 600000
	mk_pool p4 10.205.0.0/24
	local T
	T=$(mk_tenant bad)
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json ok)"
	settle
	local L='"listeners":[{"port":80}]'
	local big
	big=$(python3 -c 'print("{\"name\":\"big\",\"labels\":{\"a\":\"" + "x"*5000 + "\"}}")')
	many_be=$(python3 -c 'import json; print(json.dumps({"name":"mb","spec":{"listeners":[{"port":80,"backends":[{"address":"10.0.0.%d"%i} for i in range(1,10)]}]}}))')
	many_l=$(python3 -c 'import json; print(json.dumps({"name":"ml","spec":{"listeners":[{"port":p} for p in range(1,6)]}}))')
	local -a cases=(
		# code|field|method|path|body
		"400||POST|/v1/loadbalancers|{\"name\":"
		"400||POST|/v1/loadbalancers|not json"
		"400||POST|/v1/loadbalancers|"
		"400||POST|/v1/loadbalancers|{\"name\":\"a\"} trailing"
		"422||POST|/v1/loadbalancers|[1,2]"
		"422|name|POST|/v1/loadbalancers|{\"name\":5,\"spec\":{$L}}"
		"422|name|POST|/v1/loadbalancers|{\"name\":\"Bad_Name\",\"spec\":{$L}}"
		"422|name|POST|/v1/loadbalancers|{\"spec\":{$L}}"
		"422|bogus|POST|/v1/loadbalancers|{\"name\":\"x\",\"bogus\":1,\"spec\":{$L}}"
		"422|spec.flavor|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"flavor\":\"big\",$L}}"
		"422|spec|POST|/v1/loadbalancers|{\"name\":\"x\"}"
		"422|spec.listeners|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{}}"
		"422|spec.listeners|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[]}}"
		"422|spec.listeners[0].port|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":65536}]}}"
		"422|spec.listeners[0].port|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":-1}]}}"
		"422|spec.listeners[0].port|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":\"80\"}]}}"
		"422|spec.listeners[0].port|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80.5}]}}"
		"422|spec.listeners[0].portEnd|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80,\"portEnd\":79}]}}"
		"422|spec.listeners[0].portEnd|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":1000,\"portEnd\":2024}]}}"
		"422|spec.listeners[1].port|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80,\"portEnd\":90},{\"port\":85}]}}"
		"422|spec.listeners[0].protocol|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80,\"protocol\":\"SCTP\"}]}}"
		"422|spec.listeners[0].backends[0].address|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80,\"backends\":[{\"address\":\"10.1.0.300\"}]}]}}"
		"422|spec.listeners[0].backends[0].address|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80,\"backends\":[{\"address\":\"10.1.0.0/24\"}]}]}}"
		"422|spec.listeners[0].backends[0].weight|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80,\"backends\":[{\"address\":\"10.1.0.1\",\"weight\":257}]}]}}"
		"422|spec.listeners[0].backends[0].state|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80,\"backends\":[{\"address\":\"10.1.0.1\",\"state\":\"off\"}]}]}}"
		"422|spec.listeners[0].backends[1].address|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80,\"backends\":[{\"address\":\"10.1.0.1\"},{\"address\":\"10.1.0.1\"}]}]}}"
		"422|spec.listeners[0].healthCheck.type|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80,\"healthCheck\":{\"type\":\"FTP\"}}]}}"
		"422|spec.listeners[0].healthCheck.path|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80,\"healthCheck\":{\"type\":\"HTTP\",\"path\":\"nope\"}}]}}"
		"422|spec.listeners[0].healthCheck.timeoutMs|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"listeners\":[{\"port\":80,\"healthCheck\":{\"type\":\"TCP\",\"intervalMs\":1000,\"timeoutMs\":2000}}]}}"
		"422|spec.vip|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"vip\":\"10.205.0.999\",$L}}"
		"422|spec.vip|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"vip\":\"192.0.2.1\",$L}}"
		"422|spec.ipFamily|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"vip\":\"10.205.0.9\",\"ipFamily\":\"IPv6\",$L}}"
		"422|spec.replicas|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"replicas\":0,$L}}"
		"422|spec.replicas|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"replicas\":true,$L}}"
		"422|spec.expiresAt|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"expiresAt\":\"tomorrow\",$L}}"
		"422|spec.panicThresholdPercent|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"panicThresholdPercent\":101,$L}}"
		"422|spec.panicThresholdPercent|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"panicThresholdPercent\":-1,$L}}"
		"422|spec.panicThresholdPercent|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"panicThresholdPercent\":\"50\",$L}}"
		"422|spec.panicThresholdPercent|PATCH|/v1/loadbalancers/ok|{\"spec\":{\"panicThresholdPercent\":12.5}}"
		"422|spec.expiresAt|POST|/v1/loadbalancers|{\"name\":\"x\",\"spec\":{\"expiresAt\":\"2001-01-01T00:00:00Z\",$L}}"
		"422|labels.bad key|POST|/v1/loadbalancers|{\"name\":\"x\",\"labels\":{\"bad key\":\"v\"},\"spec\":{$L}}"
		"422|spec.listeners[0].backends[8]|POST|/v1/loadbalancers|$many_be"
		"422|spec.listeners|POST|/v1/loadbalancers|$many_l"
		"413||POST|/v1/loadbalancers|$big"
		"422|name|PUT|/v1/loadbalancers/ok|{\"name\":\"other\",\"spec\":{$L}}"
		"422|spec.vip|PATCH|/v1/loadbalancers/ok|{\"spec\":{\"vip\":\"10.205.0.50\"}}"
		"422|spec.listeners[0].portEnd|PATCH|/v1/loadbalancers/ok|{\"spec\":{\"listeners\":[{\"port\":0,\"portEnd\":5}]}}"
		"422|status|PATCH|/v1/loadbalancers/ok|{\"status\":{}}"
		"422|backends[0].weight|PUT|/v1/loadbalancers/ok/listeners/80/backends|{\"backends\":[{\"address\":\"10.1.1.1\",\"weight\":-1}]}"
		"404|name|GET|/v1/loadbalancers/nope|"
		"404|name|PATCH|/v1/loadbalancers/nope|{}"
		"404||GET|/v1/nothing|"
		"422|cidr|POST|/v1/pools|{\"name\":\"q\",\"cidr\":\"10.0.0.1/24\"}"
		"422|cidr|POST|/v1/pools|{\"name\":\"q\",\"cidr\":\"10.0.0.0/33\"}"
		"422|cidr|POST|/v1/pools|{\"name\":\"q\",\"cidr\":\"fd00::/129\"}"
		"409|cidr|POST|/v1/pools|{\"name\":\"q\",\"cidr\":\"10.205.0.128/25\"}"
		"422|role|POST|/v1/tokens|{\"role\":\"root\"}"
		"422|tenant|POST|/v1/tokens|{\"role\":\"tenant\",\"tenant\":\"ghost\"}"
		"422|quotas.loadBalancers|POST|/v1/tenants|{\"name\":\"q\",\"quotas\":{\"loadBalancers\":-1}}"
	)
	local c code field method path body rev0 rev1 tok n=0
	for c in "${cases[@]}"; do
		IFS='|' read -r code field method path body <<<"$c"
		tok=$T
		case "$path" in /v1/pools* | /v1/tokens* | /v1/tenants*) tok=$ADMIN_TOKEN ;; esac
		rev0=$(sqlite3 "$CP_DIR/db" 'SELECT rev FROM meta')
		expect "$code" "$method" "$path" "$tok" "$body"
		if [ "$code" != 413 ]; then
			got=$(grep -o '"field":"[^"]*"' "$CP_DIR/out")
			[ "$got" = "\"field\":\"$field\"" ] || { echo "  $method $path: $got, want field '$field'"; return 1; }
		fi
		rev1=$(sqlite3 "$CP_DIR/db" 'SELECT rev FROM meta')
		[ "$rev0" = "$rev1" ] || { echo "  $method $path $body: wrote to the store"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 50 ]
	# the untouched LB is exactly as created
	expect 200 GET /v1/loadbalancers/ok "$T"
	[ "$(jget 'j["metadata"]["generation"]')" = 1 ]
}

node_api() {
	cp_start
	mk_pool p4 10.206.0.0/24
	local T N1 N2
	T=$(mk_tenant nodes)
	N1=$(mk_node_token n1)
	N2=$(mk_node_token n2)
	expect 201 POST /v1/nodes/n1/register "$N1" '{"zone":"az1","addresses":["192.0.2.1"],"capacity":10}'
	expect 201 POST /v1/nodes/n2/register "$N2" '{"zone":"az2","addresses":["192.0.2.2"],"capacity":10}'
	heartbeats n1 "$N1"
	heartbeats n2 "$N2"
	expect 422 POST /v1/nodes/n1/register "$N1" '{"zone":"az1","capacity":"ten"}'
	expect 200 GET '/v1/nodes/n1/assignments?revision=0&timeoutMs=0' "$N1"
	local r0
	r0=$(jget 'j["revision"]')
	# a long poll returns as soon as the node's state moves
	curl -s -H "Authorization: Bearer $N1" \
		"$CP_URL/v1/nodes/n1/assignments?revision=$r0&timeoutMs=20000" >"$CP_DIR/poll" &
	local poll=$!
	t_cleanup "kill $poll"
	sleep 0.3
	expect 201 POST /v1/loadbalancers "$T" \
		'{"name":"web","spec":{"replicas":2,"listeners":[{"port":443,"backends":[{"address":"10.1.0.11"},{"address":"10.1.0.12"}],"healthCheck":{"type":"TCP"}}]}}'
	local start=$SECONDS
	wait $poll
	[ $((SECONDS - start)) -lt 5 ]
	python3 -c "import json; j=json.load(open('$CP_DIR/poll')); assert j['vips'][0]['id']=='nodes/web', j; assert j['revision']>$r0"
	# both nodes, distinct zones
	expect 200 GET /v1/loadbalancers/web "$T"
	[ "$(jget 'sorted(n["zone"] for n in j["status"]["nodes"])')" = "['az1', 'az2']" ]
	[ "$(jget 'j["status"]["advertised"]')" = "0 of 2" ]
	# an unchanged revision waits for the timeout
	expect 200 GET '/v1/nodes/n1/assignments?revision=0' "$N1"
	local r1
	r1=$(jget 'j["revision"]')
	start=$(date +%s%N)
	expect 200 GET "/v1/nodes/n1/assignments?revision=$r1&timeoutMs=500" "$N1"
	[ $(( ($(date +%s%N) - start) / 1000000 )) -ge 450 ]
	# status roll-up
	expect 204 PUT /v1/nodes/n1/status "$N1" \
		'{"vips":[{"id":"nodes/web","generation":1,"advertised":true,"backends":[{"address":"10.1.0.11","port":443,"health":"healthy","reason":"tcp connect ok"},{"address":"10.1.0.12","port":443,"health":"unhealthy","reason":"connection refused"}]}]}'
	expect 200 GET /v1/loadbalancers/web "$T"
	[ "$(jget 'j["status"]["provisioningStatus"]')" = PENDING_UPDATE ]
	[ "$(jget 'j["status"]["operatingStatus"]')" = DEGRADED ]
	[ "$(jget 'j["status"]["advertised"]')" = "1 of 2" ]
	[ "$(jget '[b["reason"] for b in j["status"]["backends"]]')" = "['tcp connect ok', 'connection refused']" ]
	expect 204 PUT /v1/nodes/n2/status "$N2" \
		'{"vips":[{"id":"nodes/web","generation":1,"advertised":true,"backends":[{"address":"10.1.0.11","health":"healthy"},{"address":"10.1.0.12","health":"healthy"}]}]}'
	expect 422 PUT /v1/nodes/n2/status "$N2" '{"vips":[{"id":"nodes/web","generation":"1"}]}'
	expect 200 GET /v1/loadbalancers/web "$T"
	[ "$(jget 'j["status"]["provisioningStatus"]')" = ACTIVE ]
	[ "$(jget 'j["status"]["observedGeneration"]')" = 1 ]
	[ "$(jget 'j["status"]["advertised"]')" = "2 of 2" ]
	# an update is PENDING_UPDATE until the nodes sync it
	expect 200 PATCH /v1/loadbalancers/web "$T" '{"spec":{"listeners":[{"port":443}]}}'
	[ "$(jget 'j["status"]["provisioningStatus"]')" = PENDING_UPDATE ]
	[ "$(jget 'j["status"]["generation"]')" = 2 ]
	[ "$(jget 'j["status"]["observedGeneration"]')" = 1 ]
	[ "$(jget 'j["status"]["operatingStatus"]')" = NO_MONITOR ]
	# the panic threshold reaches the nodes; a node's panic shows per node
	expect 200 PATCH /v1/loadbalancers/web "$T" '{"spec":{"panicThresholdPercent":50}}'
	[ "$(jget 'j["spec"]["panicThresholdPercent"]')" = 50 ]
	expect 200 GET '/v1/nodes/n1/assignments?revision=0' "$N1"
	[ "$(jget 'j["vips"][0]["panicThresholdPercent"]')" = 50 ]
	expect 204 PUT /v1/nodes/n1/status "$N1" '{"vips":[{"id":"nodes/web","generation":3,"panic":true}]}'
	expect 422 PUT /v1/nodes/n1/status "$N1" '{"vips":[{"id":"nodes/web","generation":3,"panic":"yes"}]}'
	expect 200 GET /v1/loadbalancers/web "$T"
	[ "$(jget '[n.get("panic", False) for n in sorted(j["status"]["nodes"], key=lambda n: n["name"])]')" = "[True, False]" ]
	# 0 turns it off: the field leaves the spec
	expect 200 PATCH /v1/loadbalancers/web "$T" '{"spec":{"panicThresholdPercent":0}}'
	[ "$(jget '"panicThresholdPercent" in j["spec"]')" = False ]
	# delete waits until every node reports the VIP gone
	expect 202 DELETE /v1/loadbalancers/web "$T"
	[ "$(jget 'j["status"]["provisioningStatus"]')" = PENDING_DELETE ]
	wait_for "unplaced" 5 bash -c "[ \$(sqlite3 $CP_DIR/db \"SELECT count(*) FROM kv WHERE key LIKE 'nodeassign/%'\") = 0 ]"
	sleep 0.5
	[ "$(sqlite_count vip/p4/)" = 1 ]
	expect 200 GET /v1/loadbalancers/web "$T"
	expect 204 PUT /v1/nodes/n1/status "$N1" '{"vips":[]}'
	sleep 0.5
	[ "$(sqlite_count vip/p4/)" = 1 ]
	expect 204 PUT /v1/nodes/n2/status "$N2" '{"vips":[]}'
	wait_for "VIP freed" 5 bash -c "[ \$(sqlite3 $CP_DIR/db \"SELECT count(*) FROM kv WHERE key LIKE 'vip/p4/%'\") = 0 ]"
	expect 404 GET /v1/loadbalancers/web "$T"
}

reschedule() {
	cp_start
	mk_pool p4 10.207.0.0/24
	local T N1 N2 N3
	T=$(mk_tenant res)
	N1=$(mk_node_token n1)
	N2=$(mk_node_token n2)
	N3=$(mk_node_token n3)
	expect 201 POST /v1/nodes/n1/register "$N1" '{"zone":"az1"}'
	expect 201 POST /v1/nodes/n2/register "$N2" '{"zone":"az2"}'
	expect 201 POST /v1/loadbalancers "$T" "$(lb_json a)"
	wait_for "placed" 5 bash -c "[ \$(sqlite3 $CP_DIR/db \"SELECT count(*) FROM kv WHERE key LIKE 'nodeassign/%'\") = 1 ]"
	local first
	first=$(sqlite3 "$CP_DIR/db" "SELECT key FROM kv WHERE key LIKE 'nodeassign/%'")
	# drain the node it is on: it moves to the other one (and stays on
	# the drained one, which no node report lets go of, for now)
	local node=${first#nodeassign/}
	node=${node%%/*}
	expect 200 POST /v1/nodes/$node/drain "$ADMIN_TOKEN" '{"drained":true}'
	[ "$(jget 'j["state"]')" = draining ]
	wait_for "moved off drained" 5 bash -c "sqlite3 $CP_DIR/db \"SELECT key FROM kv WHERE key LIKE 'nodeassign/%'\" | grep -qv 'nodeassign/$node/'"
	expect 200 POST /v1/nodes/$node/drain "$ADMIN_TOKEN" '{"drained":false}'
	# no churn: undrain does not move it back
	sleep 0.5
	! sqlite3 "$CP_DIR/db" "SELECT key FROM kv WHERE key LIKE 'nodeassign/%'" | grep -q "nodeassign/$node/"
	# heartbeats: keep n1 and n3 alive, let n2 die
	expect 201 POST /v1/nodes/n3/register "$N3" '{"zone":"az3"}'
	local i
	for i in $(seq 30); do
		api POST /v1/nodes/n1/heartbeat "$N1" >/dev/null
		api POST /v1/nodes/n3/heartbeat "$N3" >/dev/null
		sleep 0.1
	done
	! sqlite3 "$CP_DIR/db" "SELECT key FROM kv WHERE key LIKE 'nodeassign/%'" | grep -q 'nodeassign/n2/'
	[ "$(sqlite3 "$CP_DIR/db" "SELECT count(*) FROM kv WHERE key LIKE 'nodeassign/%'")" = 1 ]
	expect 200 GET /v1/nodes "$ADMIN_TOKEN"
	[ "$(jget '[n["state"] for n in j["items"]]')" = "['ready', 'not-ready', 'ready']" ]
	expect 204 POST /v1/nodes/n1/heartbeat "$N1"
}

dev_expiry() {
	cp_start
	mk_pool p4 10.208.0.0/24
	local D
	D=$(mk_tenant devs dev)
	expect 422 POST /v1/loadbalancers "$D" "$(lb_json d1)"
	[ "$(jget 'j["error"]["field"]')" = spec.expiresAt ]
	local soon
	soon=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)
	expect 201 POST /v1/loadbalancers "$D" \
		"{\"name\":\"d1\",\"spec\":{\"expiresAt\":\"$soon\",\"listeners\":[{\"port\":80}]}}"
	wait_for "expired LB deleted" 8 bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $D' $CP_URL/v1/loadbalancers/d1) = 404 ]"
	[ "$(sqlite_count vip/p4/)" = 0 ]
}

health_metrics() {
	cp_start
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$CP_URL/healthz")" = 200 ]
	curl -s "$CP_URL/v1/loadbalancers" >/dev/null
	curl -s "$CP_URL/metrics" >"$CP_DIR/metrics"
	grep -q '^nlb_gateway_requests_total{code="4xx"} [1-9]' "$CP_DIR/metrics"
	grep -q '^nlb_gateway_request_duration_ms_count [1-9]' "$CP_DIR/metrics"
	# one log line per request, key=value
	grep -q 'msg=request method=GET path=/v1/loadbalancers status=401' "$CP_DIR/cp.log"
}

https() {
	cp_dir
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$CP_DIR/key.pem" \
		-out "$CP_DIR/cert.pem" -days 1 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
	cp_start --tls-cert "$CP_DIR/cert.pem" --tls-key "$CP_DIR/key.pem"
	[ "$(curl -s --cacert "$CP_DIR/cert.pem" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$CP_PORT/healthz")" = 200 ]
	[ "$(curl -s --cacert "$CP_DIR/cert.pem" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ADMIN_TOKEN" "https://127.0.0.1:$CP_PORT/v1/pools")" = 200 ]
}

t_run cp_crud_http crud_http
t_run cp_isolation isolation
t_run cp_concurrent_vips concurrent_vips
t_run cp_pool_exhaustion pool_exhaustion
t_run cp_bad_requests bad_requests
t_run cp_node_api node_api
t_run cp_reschedule reschedule
t_run cp_dev_expiry dev_expiry
t_run cp_health_metrics health_metrics
t_run cp_https https
t_done
