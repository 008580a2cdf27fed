#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# nlbctl against a real nlb-controlplane: apply (idempotent, prints what
# changed), diff, get, describe, delete, admin verbs, output formats, exit
# codes and field-naming errors.
. "$(dirname "$0")/../lib/nlbtest.sh"
. "$(dirname "$0")/cp_lib.sh"

CTL=$NLBT_BUILD/bin/nlbctl

# ctl ARGS...: nlbctl as the tenant, output in $CP_DIR/ctl, prints rc
ctl() {
	local rc=0
	"$CTL" --config "$CP_DIR/tenant.yaml" "$@" >"$CP_DIR/ctl" 2>&1 || rc=$?
	echo $rc
}

actl() {
	local rc=0
	"$CTL" --endpoint "$CP_URL" --token "$ADMIN_TOKEN" "$@" >"$CP_DIR/ctl" 2>&1 || rc=$?
	echo $rc
}

want() { # RC ARGS...: run ctl, fail unless it exits RC
	local w=$1 got
	shift
	got=$(ctl "$@")
	[ "$got" = "$w" ] || { echo "  nlbctl $*: exit $got, want $w:"; sed 's/^/    /' "$CP_DIR/ctl"; return 1; }
}

setup() {
	cp_start
	[ "$(actl pools create p4 10.210.0.0/24)" = 0 ]
	grep -q 'pool/p4 created' "$CP_DIR/ctl"
	[ "$(actl tenants create shop --max-lbs 10)" = 0 ]
	[ "$(actl token create --role tenant --tenant shop)" = 0 ]
	printf 'endpoint: %s\ntoken: %s\n' "$CP_URL" "$(cat "$CP_DIR/ctl")" >"$CP_DIR/tenant.yaml"
	cat >"$CP_DIR/lb.yaml" <<'YAML'
kind: LoadBalancer
name: web
labels: { app: shop }
spec:
  vip: auto
  replicas: 2
  listeners:
    - port: 443
      protocol: TCP
      backends:
        - { address: 10.1.0.11, weight: 100 }
        - { address: 10.1.0.12, weight: 100, state: drained }
      healthCheck: { type: HTTPS, port: 8443, path: /healthz, intervalMs: 1000, rise: 2, fall: 3 }
---
kind: LoadBalancer
name: dns
spec:
  listeners:
    - { port: 53, protocol: UDP }
YAML
}

apply_idempotent() {
	setup
	want 1 diff -f "$CP_DIR/lb.yaml"
	grep -q 'loadbalancer/web: would be created' "$CP_DIR/ctl"
	! grep -q error "$CP_DIR/ctl"
	want 0 apply -f "$CP_DIR/lb.yaml"
	grep -q 'loadbalancer/web created (vip 10.210.0.1)' "$CP_DIR/ctl"
	grep -q 'loadbalancer/dns created' "$CP_DIR/ctl"
	want 0 apply -f "$CP_DIR/lb.yaml"
	grep -q 'loadbalancer/web unchanged' "$CP_DIR/ctl"
	grep -q 'loadbalancer/dns unchanged' "$CP_DIR/ctl"
	want 0 diff -f "$CP_DIR/lb.yaml"
	sed -i 's/replicas: 2/replicas: 3/; s/weight: 100, state/weight: 50, state/' "$CP_DIR/lb.yaml"
	want 1 diff -f "$CP_DIR/lb.yaml"
	grep -q '~ spec.replicas: 2 -> 3' "$CP_DIR/ctl"
	grep -q '~ spec.listeners\[0\].backends\[1\].weight: 100 -> 50' "$CP_DIR/ctl"
	want 0 apply -f "$CP_DIR/lb.yaml"
	grep -q 'loadbalancer/web configured (generation 2)' "$CP_DIR/ctl"
	grep -q '~ spec.replicas: 2 -> 3' "$CP_DIR/ctl"
	want 0 apply -f "$CP_DIR/lb.yaml"
	grep -q 'loadbalancer/web unchanged' "$CP_DIR/ctl"
}

get_describe_delete() {
	setup
	want 0 apply -f "$CP_DIR/lb.yaml"
	want 0 get
	grep -q '^NAME *VIP *PROVISIONING' "$CP_DIR/ctl"
	grep -q '^web *10.210.0.1 ' "$CP_DIR/ctl"
	grep -q '^dns *10.210.0.2 ' "$CP_DIR/ctl"
	want 0 get -l app=shop -o json
	python3 -c "import json; j=json.load(open('$CP_DIR/ctl')); assert [x['name'] for x in j]==['web'], j"
	want 0 get web -o yaml
	python3 -c "import yaml; j=yaml.safe_load(open('$CP_DIR/ctl')); assert j['spec']['listeners'][0]['healthCheck']['path']=='/healthz', j; assert j['status']['vip']=='10.210.0.1'"
	# YAML output reads back as a manifest
	"$CTL" --config "$CP_DIR/tenant.yaml" get web -o yaml >"$CP_DIR/roundtrip.yaml"
	want 0 apply -f "$CP_DIR/roundtrip.yaml"
	grep -q 'loadbalancer/web unchanged' "$CP_DIR/ctl"
	settle # no node registered: the scheduler reports why
	want 0 describe web
	grep -q 'Provisioning status: ERROR' "$CP_DIR/ctl"
	grep -q 'Message: *placed on 0 of 2 replicas: not enough ready nodes' "$CP_DIR/ctl"
	grep -q 'Advertised from:     0 of 2 nodes' "$CP_DIR/ctl"
	grep -q '10.1.0.12 *drained *unknown *not reported yet' "$CP_DIR/ctl"
	want 3 get nosuch
	grep -q 'error: name: load balancer nosuch not found' "$CP_DIR/ctl"
	want 3 describe nosuch
	want 0 delete web --wait
	grep -q 'loadbalancer/web deleted' "$CP_DIR/ctl"
	want 3 delete web
	want 0 apply -f "$CP_DIR/lb.yaml"
	want 0 delete -f "$CP_DIR/lb.yaml" --wait
	want 3 get dns
	want 3 get web
}

errors_and_exit_codes() {
	setup
	# a manifest error names document and field, nothing is sent
	cat >"$CP_DIR/bad.yaml" <<'YAML'
kind: LoadBalancer
name: ok
spec: { listeners: [ { port: 80 } ] }
---
kind: LoadBalancer
name: bad
spec:
  listeners:
    - port: 80
      backends: [ { address: 10.1.0.999 } ]
YAML
	want 5 apply -f "$CP_DIR/bad.yaml"
	grep -q 'document 2: spec.listeners\[0\].backends\[0\].address: not an IPv4 or IPv6 address' "$CP_DIR/ctl"
	want 3 get ok
	printf 'name: x\nspec: [unclosed\n' >"$CP_DIR/syntax.yaml"
	want 2 apply -f "$CP_DIR/syntax.yaml"
	grep -q 'line' "$CP_DIR/ctl"
	want 2 apply -f "$CP_DIR/missing.yaml"
	want 2 apply
	want 2 frobnicate
	want 2 -o xml get
	# server-side rejections: conflict, auth, unreachable
	[ "$(actl pools create tiny 10.211.0.0/31 --tenant shop)" = 0 ]
	printf 'kind: LoadBalancer\nname: fixed\nspec: { vip: 10.211.0.0, listeners: [ { port: 80 } ] }\n' >"$CP_DIR/fixed.yaml"
	want 0 apply -f "$CP_DIR/lb.yaml"
	want 4 apply -f "$CP_DIR/fixed.yaml"
	grep -q 'error: spec.vip: 10.211.0.0 is already in use (HTTP 409)' "$CP_DIR/ctl"
	[ "$("$CTL" --endpoint "$CP_URL" --token nlb_wrongwrongwrongwrong get >/dev/null 2>&1; echo $?)" = 6 ]
	[ "$("$CTL" --config "$CP_DIR/tenant.yaml" nodes >/dev/null 2>&1; echo $?)" = 6 ]
	[ "$("$CTL" --endpoint http://127.0.0.1:1 --token x get >/dev/null 2>&1; echo $?)" = 7 ]
	printf 'endpoint: http://x\nbogus: 1\n' >"$CP_DIR/badconf.yaml"
	[ "$("$CTL" --config "$CP_DIR/badconf.yaml" get 2>&1 >/dev/null)" = "error: config $CP_DIR/badconf.yaml: bogus: unknown key" ]
}

admin_verbs() {
	setup
	local N
	[ "$(actl token create --role node --node n1 -o json)" = 0 ]
	N=$(python3 -c "import json; print(json.load(open('$CP_DIR/ctl'))['token'])")
	expect 201 POST /v1/nodes/n1/register "$N" '{"zone":"az1","capacity":50}'
	heartbeats n1 "$N"
	[ "$(actl nodes)" = 0 ]
	grep -q '^n1 *az1 *ready *0 *50' "$CP_DIR/ctl"
	[ "$(actl drain n1)" = 0 ]
	grep -q 'node/n1 drained' "$CP_DIR/ctl"
	[ "$(actl nodes -o json)" = 0 ]
	python3 -c "import json; j=json.load(open('$CP_DIR/ctl')); assert j[0]['state']=='drained', j"
	[ "$(actl drain n1 --undo)" = 0 ]
	[ "$(actl drain nosuch)" = 3 ]
	[ "$(actl pools)" = 0 ]
	grep -q '^p4 *10.210.0.0/24 *0 *254' "$CP_DIR/ctl"
	[ "$(actl pools create p4 10.212.0.0/24)" = 4 ]
	[ "$(actl pools create q 10.212.0.1/24)" = 5 ]
	grep -q 'error: cidr:' "$CP_DIR/ctl"
	[ "$(actl tenants)" = 0 ]
	grep -q '^shop *false *0 *10' "$CP_DIR/ctl"
	[ "$(actl tenants create lab --dev -o yaml)" = 0 ]
	grep -q '^dev: true' "$CP_DIR/ctl"
	[ "$(actl tenants delete lab)" = 0 ]
	[ "$(actl pools delete p4)" = 0 ]
}

t_run cp_nlbctl_apply_idempotent apply_idempotent
t_run cp_nlbctl_get_describe_delete get_describe_delete
t_run cp_nlbctl_errors_exit_codes errors_and_exit_codes
t_run cp_nlbctl_admin admin_verbs
t_done
