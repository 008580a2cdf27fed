# SPDX-License-Identifier: GPL-2.0
# Topology and helpers for the nlb-hc integration tests (sourced after
# tests/lib/nlbtest.sh). Each case gets a fresh network namespace nlbt-hc-*
# holding everything: the servers on its loopback, a black hole, and nlb-hc
# itself. The black hole: 198.18.0.2 sits behind a veth whose peer drops
# every frame (they carry a MAC nobody has), so a SYN or echo request simply
# vanishes, as with a backend that lost power.

HC_BIN=${HC_BIN:-$NLBT_BUILD/bin/nlb-hc}
HC_PY="python3 $NLBT_TOP/tests/hc/hctest.py"

# hc_env: temp dir, namespace, black hole; all removed at exit.
hc_env() {
	[ -x "$HC_BIN" ] || { echo "no $HC_BIN (build first)"; return 1; }
	HC_TMP=$(mktemp -d /tmp/nlbt-hc.XXXXXX)
	t_cleanup "rm -rf $HC_TMP"
	HC_NS=nlbt-hc-${HC_TMP##*.}
	ip netns add "$HC_NS"
	t_cleanup "ip netns del $HC_NS"
	# kill whatever is left in the namespace before it goes
	t_cleanup "ip netns pids $HC_NS | xargs -r kill"
	ip -n "$HC_NS" link set lo up
	ip -n "$HC_NS" link add hcbh0 type veth peer name hcbh1
	ip -n "$HC_NS" addr add 198.18.0.1/24 dev hcbh0
	ip -n "$HC_NS" link set hcbh0 up
	ip -n "$HC_NS" link set hcbh1 up
	ip -n "$HC_NS" neigh add 198.18.0.2 lladdr 02:00:00:00:00:02 \
		dev hcbh0 nud permanent
	hc_in sysctl -qw net.ipv4.ping_group_range="0 2147483647"
}

hc_in() { ip netns exec "$HC_NS" "$@"; }

# hc_serve NAME MODE [serve options]: a server in the namespace; its port
# is then in $HC_TMP/NAME.port (see hc_port).
hc_serve() {
	local name=$1 mode=$2
	shift 2
	# ip netns exec, not hc_in: $! must be the server itself
	ip netns exec "$HC_NS" $HC_PY serve "$mode" --port-file "$HC_TMP/$name.port" "$@" \
		>"$HC_TMP/$name.log" 2>&1 &
	t_cleanup "kill $!"
	hc_port "$name" >/dev/null
}

hc_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$HC_TMP/$1.port" ] && { cat "$HC_TMP/$1.port"; return 0; }
		sleep 0.05
	done
	echo "server $1 did not start: $(cat "$HC_TMP/$1.log")" >&2
	return 1
}

# hc_start: nlb-hc on $HC_TMP/cfg.json, and a recorder of its event stream
# into $HC_TMP/ev.jsonl. $HC_WRAP, if set, prefixes the command (nice, perf).
hc_start() {
	local i port
	ip netns exec "$HC_NS" $HC_WRAP "$HC_BIN" --config "$HC_TMP/cfg.json" --stream "$HC_TMP/ev.sock" \
		--state "$HC_TMP/state.json" --metrics 127.0.0.1:0 \
		--state-min-ms 50 "$@" 2>"$HC_TMP/hc.log" &
	HC_PID=$!
	t_cleanup "kill $HC_PID"
	# up to 15 s: loading the tunnel program through the verifier takes
	# seconds on a loaded 2-core machine
	for ((i = 0; i < 300; i++)); do
		grep -qs 'event=started' "$HC_TMP/hc.log" && break
		kill -0 $HC_PID 2>/dev/null || break
		sleep 0.05
	done
	grep -q 'event=started' "$HC_TMP/hc.log" ||
		{ echo "nlb-hc did not start:"; cat "$HC_TMP/hc.log"; return 1; }
	port=$(sed -n 's/.*what=metrics port=\([0-9]*\).*/\1/p' "$HC_TMP/hc.log")
	HC_METRICS=http://127.0.0.1:$port/metrics
	$HC_PY record "$HC_TMP/ev.sock" "$HC_TMP/ev.jsonl" &
	t_cleanup "kill $!"
	hc_wait --match event=connected --timeout 5 >/dev/null
}

# hc_wait [--match k=v]... [--reason S] [--count N] [--timeout S]
hc_wait() { $HC_PY wait "$HC_TMP/ev.jsonl" "$@"; }
hc_count() { $HC_PY count "$HC_TMP/ev.jsonl" "$@"; }
hc_metric() { hc_in $HC_PY metric "$HC_METRICS" "$@"; }
# hc_metrics_save FILE, then hc_metric_of FILE NAME: samples of one moment
hc_metrics_save() { hc_in curl -sf "$HC_METRICS" >"$1"; }
hc_metric_of() { $HC_PY metric "file://$1" "$2" --default 0; }

# hc_certs: a CA, a server certificate for hc.test signed by it, and a
# self-signed one, all ECDSA P-256, in $HC_TMP.
hc_certs() {
	local d=$HC_TMP
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/ca.key"
	openssl req -x509 -new -key "$d/ca.key" -subj /CN=nlbt-hc-ca -days 2 \
		-out "$d/ca.pem" 2>/dev/null
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/srv.key"
	openssl req -new -key "$d/srv.key" -subj /CN=hc.test \
		-out "$d/srv.csr" 2>/dev/null
	printf 'subjectAltName=DNS:hc.test\n' >"$d/san.ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/san.ext" \
		-out "$d/srv.pem" 2>/dev/null
	openssl req -x509 -new -key "$d/srv.key" -subj /CN=hc.test \
		-addext subjectAltName=DNS:hc.test -days 2 \
		-out "$d/self.pem" 2>/dev/null
	[ -s "$d/srv.pem" ] && [ -s "$d/self.pem" ]
}
