#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Health checks through the tunnel, with real pieces only: nlb-hc in an
# LB-node namespace (its TC program on the uplink lb0) probes a backend
# namespace that decapsulates with nlb's XDP program and has the VIPs on its
# loopback. The VIPs' route on the LB node leads to a gateway whose MAC
# nobody has, so a probe to a VIP reaches the backend only inside the
# tunnel. Tunneled checks must fail when the backend loses a VIP or its
# decapsulation, while a plain check of the same backend stays up.
source "$(dirname "$0")/../lib/nlbtest.sh"
source "$(dirname "$0")/lib.sh"

NLB_NODE=$NLBT_BUILD/bin/nlb-node
LB4=10.77.0.1 BE4=10.77.0.2 LB6=fd77::1 BE6=fd77::2
VIP4=10.99.100.1 VIP6=fd99::1

be_in() { ip netns exec "$BE_NS" "$@"; }

# tun_env: the LB node ($HC_NS, from hc_env) and the backend ($BE_NS) on
# a veth, the backend with decap, both VIPs on lo, an HTTP server on 8080
# and an HTTPS one on 8443 (all addresses, both families).
tun_env() {
	[ -x "$NLB_NODE" ] || { echo "no $NLB_NODE (build first)"; return 1; }
	hc_env
	BE_NS=nlbt-hct-be-${HC_TMP##*.}
	ip netns add "$BE_NS"
	t_cleanup "ip netns del $BE_NS"
	t_cleanup "ip netns pids $BE_NS | xargs -r kill"
	ip -n "$BE_NS" link set lo up
	ip -n "$HC_NS" link add lb0 type veth peer name be0 netns "$BE_NS"
	ip -n "$HC_NS" addr add $LB4/24 dev lb0
	ip -n "$HC_NS" addr add $LB6/64 dev lb0 nodad
	ip -n "$BE_NS" addr add $BE4/24 dev be0
	ip -n "$BE_NS" addr add $BE6/64 dev be0 nodad
	ip -n "$HC_NS" link set lb0 up
	ip -n "$BE_NS" link set be0 up
	# checksums in software: the decap program sees finished packets
	hc_in ethtool -K lb0 tx off >/dev/null
	be_in ethtool -K be0 tx off >/dev/null
	ip -n "$HC_NS" neigh add 10.77.0.254 lladdr 02:00:00:00:00:fe \
		dev lb0 nud permanent
	ip -n "$HC_NS" neigh add fd77::fe lladdr 02:00:00:00:00:fe \
		dev lb0 nud permanent
	ip -n "$HC_NS" route add default via 10.77.0.254
	ip -n "$HC_NS" -6 route add default via fd77::fe
	be_in sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2
	ip -n "$BE_NS" addr add $VIP4/32 dev lo
	ip -n "$BE_NS" addr add $VIP6/128 dev lo nodad
	be_in "$NLB_NODE" decap attach be0
	hc_certs
	be_serve web ok 8080 --hosts "$HC_TMP/hosts"
	be_serve tls ok 8443 --cert "$HC_TMP/srv.pem" --key "$HC_TMP/srv.key"
}

be_serve() {
	local name=$1 mode=$2 port=$3
	shift 3
	ip netns exec "$BE_NS" $HC_PY serve "$mode" --bind :: --port "$port" \
		--port-file "$HC_TMP/$name.port" "$@" >"$HC_TMP/$name.log" 2>&1 &
	t_cleanup "kill $!"
	hc_port "$name" >/dev/null
}

tun_config() {
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"defaults": {"interval_ms": 300, "timeout_ms": 250, "rise": 1,
	  "fall": 2},
	 "backends": [
	  {"address": "$BE4", "vips": ["plain"],
	   "checks": [{"type": "tcp", "port": 8080}]},
	  {"address": "$BE4", "vips": ["t-tcp4"], "checks": [
	    {"type": "tcp", "port": 8080, "tunnel": {"vip": "$VIP4"}}]},
	  {"address": "$BE4", "vips": ["t-http4"], "checks": [
	    {"type": "http", "port": 8080, "path": "/healthz",
	     "tunnel": {"vip": "$VIP4"}}]},
	  {"address": "$BE4", "vips": ["t-https4"], "checks": [
	    {"type": "https", "port": 8443, "tunnel": {"vip": "$VIP4"}}]},
	  {"address": "$BE4", "vips": ["t-icmp4"], "checks": [
	    {"type": "icmp", "tunnel": {"vip": "$VIP4"}}]},
	  {"address": "$BE6", "vips": ["t-http6"], "checks": [
	    {"type": "http", "port": 8080, "tunnel": {"vip": "$VIP6"}}]},
	  {"address": "$BE6", "vips": ["t-4in6"], "checks": [
	    {"type": "tcp", "port": 8080, "tunnel": {"vip": "$VIP4"}}]},
	  {"address": "$BE4", "vips": ["t-6in4"], "checks": [
	    {"type": "tcp", "port": 8080, "tunnel": {"vip": "$VIP6"}}]}]}
	EOF2
}

TUNNELED="t-tcp4 t-http4 t-https4 t-icmp4 t-http6 t-4in6"

# all_state STATE [COUNT]: every tunneled backend reaches STATE (for the
# COUNT-th time); prints each one's reason.
all_state() {
	local v ev
	for v in $TUNNELED; do
		ev=$(hc_wait --match vips=$v --match state=$1 --count "${2:-1}")
		echo "  $v $1: $(echo "$ev" | python3 -c 'import json,sys; e=json.loads(sys.stdin.readline()); print(e["check"], "-", e["reason"])')"
	done
}

plain_stayed_up() {
	t_check "the plain check never went down" \
		[ "$(hc_count --match vips=plain --match state=down)" = 0 ]
}

# Healthy through the tunnel in every form: TCP, HTTP, HTTPS and ICMP to
# an IPv4 VIP in IPv4, HTTP to an IPv6 VIP in IPv6, TCP to an IPv4 VIP in
# IPv6; the Host header names the VIP. The backend losing its VIPs takes
# the tunneled checks down, the plain one stays up; back, they recover.
case_vip_binding() {
	tun_env
	tun_config
	hc_start --tunnel-iface lb0
	grep -q 'event=tunnel_attached iface=lb0' "$HC_TMP/hc.log"
	hc_wait --match vips=plain --match state=up --reason connected >/dev/null
	all_state up
	hc_wait --match vips=t-http4 --match state=up --reason "HTTP 200" >/dev/null
	hc_wait --match vips=t-icmp4 --match state=up --reason "echo reply" >/dev/null
	hc_wait --match vips=t-6in4 --match state=down \
		--reason "tunnel: an IPv6 VIP cannot be tunneled to an IPv4 backend" \
		>/dev/null
	t_check "Host header names the VIP" grep -q " $VIP4:8080\$" "$HC_TMP/hosts"
	ip -n "$BE_NS" addr del $VIP4/32 dev lo
	ip -n "$BE_NS" addr del $VIP6/128 dev lo
	all_state down
	plain_stayed_up
	ip -n "$BE_NS" addr add $VIP4/32 dev lo
	ip -n "$BE_NS" addr add $VIP6/128 dev lo nodad
	all_state up 2
	plain_stayed_up
}

# Without decapsulation on the backend the tunneled checks time out, the
# plain one stays up; decap back, they recover.
case_decap() {
	tun_env
	tun_config
	hc_start --tunnel-iface lb0
	all_state up
	be_in "$NLB_NODE" decap detach be0
	all_state down
	local v
	for v in t-tcp4 t-http4 t-http6 t-4in6; do
		hc_wait --match vips=$v --match state=down --match reason=timeout >/dev/null
	done
	plain_stayed_up
	be_in "$NLB_NODE" decap attach be0
	all_state up 2
	plain_stayed_up
}

# Without --tunnel-iface a tunneled check fails with a reason that says
# so, and the plain one runs; the VIP is part of a probe's identity.
case_no_iface() {
	tun_env
	tun_config
	hc_start
	hc_wait --match vips=plain --match state=up >/dev/null
	hc_wait --match vips=t-tcp4 --match state=down \
		--reason "tunnel: nlb-hc runs without --tunnel-iface" >/dev/null
	t_check "eight probes (tcp:8080 plain and tunneled are two)" \
		[ "$(hc_metric nlb_hc_probes)" = 8 ]
}

# nlb-hc removes its filter when it stops; a second start replaces one
# that a killed predecessor left.
case_attach_detach() {
	tun_env
	tun_config
	hc_start --tunnel-iface lb0
	t_check "filter attached" hc_in sh -c "tc filter show dev lb0 egress | grep -q nlb_hc_tunnel"
	kill -9 $HC_PID
	wait $HC_PID 2>/dev/null || true
	hc_start --tunnel-iface lb0
	t_check "one filter after a restart" \
		[ "$(hc_in tc filter show dev lb0 egress | grep -c nlb_hc_tunnel)" = 1 ]
	hc_wait --match vips=t-tcp4 --match state=up >/dev/null
	kill $HC_PID
	wait $HC_PID 2>/dev/null || true
	t_check "filter gone after SIGTERM" \
		[ "$(hc_in tc filter show dev lb0 egress | grep -c nlb_hc_tunnel)" = 0 ]
}

t_run hc_tunnel_vip_binding case_vip_binding
t_run hc_tunnel_decap case_decap
t_run hc_tunnel_no_iface case_no_iface
t_run hc_tunnel_attach_detach case_attach_detach
t_done
