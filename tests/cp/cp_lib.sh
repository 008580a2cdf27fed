# SPDX-License-Identifier: GPL-2.0
# Helpers for the control-plane tests: start a real nlb-controlplane (or
# gateway/scheduler) on 127.0.0.1 with a kernel-picked port and a temp
# SQLite store, talk to it with curl, always clean up (t_cleanup).
# Sourced after tests/lib/nlbtest.sh.

CP_BIN=$NLBT_BUILD/bin
ADMIN_TOKEN=nlbt-cp-admin-token-0123456789abcdef

# cp_dir: a fresh temp dir, removed at the end of the case
cp_dir() {
	CP_DIR=$(mktemp -d /tmp/nlbt-cp.XXXXXX)
	t_cleanup "rm -rf $CP_DIR"
	echo "$ADMIN_TOKEN" >"$CP_DIR/admin"
}

# cp_wait_port FILE: wait for a daemon to write its port
cp_wait_port() {
	local i
	for i in $(seq 100); do
		[ -s "$1" ] && { cat "$1"; return 0; }
		sleep 0.05
	done
	echo "no port in $1" >&2
	return 1
}

# cp_start [flags...]: nlb-controlplane on $CP_DIR/db; sets CP_URL, CP_PID
cp_start() {
	[ -n "${CP_DIR:-}" ] || cp_dir
	rm -f "$CP_DIR/port"
	"$CP_BIN/nlb-controlplane" --store "sqlite:$CP_DIR/db" --port 0 \
		--port-file "$CP_DIR/port" --admin-token-file "$CP_DIR/admin" \
		--heartbeat-timeout-ms 1500 --interval-ms 100 "$@" \
		>>"$CP_DIR/cp.log" 2>&1 &
	CP_PID=$!
	t_cleanup "kill -9 $CP_PID"
	CP_PORT=$(cp_wait_port "$CP_DIR/port")
	CP_URL=http://127.0.0.1:$CP_PORT
}

cp_stop() {
	kill "$CP_PID" 2>/dev/null || true
	wait "$CP_PID" 2>/dev/null || true
}

# api METHOD PATH TOKEN [BODY]: body to $CP_DIR/out, prints the status
api() {
	local m=$1 p=$2 tok=$3 body=${4:-}
	local args=(-s -o "$CP_DIR/out" -w '%{http_code}' -X "$m"
		-H "Authorization: Bearer $tok" -H 'Content-Type: application/json')
	[ -n "$body" ] && args+=(--data-binary "$body")
	[ -n "${IF_MATCH:-}" ] && args+=(-H "If-Match: $IF_MATCH")
	curl "${args[@]}" "$CP_URL$p"
}

# expect CODE METHOD PATH TOKEN [BODY]: fail the case on another status
expect() {
	local want=$1 got
	shift
	got=$(api "$@")
	if [ "$got" != "$want" ]; then
		echo "  $1 $2: got $got, want $want: $(head -c 300 "$CP_DIR/out")"
		return 1
	fi
}

# jget EXPR: evaluate a Python expression on the last body (as j)
jget() {
	python3 -c "import json,sys; j=json.load(open('$CP_DIR/out')); print($1)"
}

# mk_tenant NAME [dev]: creates a tenant, prints a tenant token
mk_tenant() {
	local dev=false
	[ "${2:-}" = dev ] && dev=true
	expect 201 POST /v1/tenants "$ADMIN_TOKEN" "{\"name\":\"$1\",\"dev\":$dev}" >&2
	expect 201 POST /v1/tokens "$ADMIN_TOKEN" "{\"role\":\"tenant\",\"tenant\":\"$1\"}" >&2
	jget 'j["token"]'
}

mk_node_token() {
	expect 201 POST /v1/tokens "$ADMIN_TOKEN" "{\"role\":\"node\",\"node\":\"$1\"}" >&2
	jget 'j["token"]'
}

mk_pool() { # NAME CIDR [TENANT]
	local t=""
	[ -n "${3:-}" ] && t=",\"tenant\":\"$3\""
	expect 201 POST /v1/pools "$ADMIN_TOKEN" "{\"name\":\"$1\",\"cidr\":\"$2\"$t}"
}

lb_json() { # NAME [BACKEND]
	echo "{\"name\":\"$1\",\"spec\":{\"replicas\":1,\"listeners\":[{\"port\":80,\"backends\":[{\"address\":\"${2:-10.1.0.11}\"}]}]}}"
}

# sqlite_count PREFIX: rows of the store whose key starts with PREFIX
sqlite_count() {
	sqlite3 "$CP_DIR/db" "SELECT count(*) FROM kv WHERE key >= '$1' AND key < '$1~'"
}

# wait_for DESC TIMEOUT_S CMD...: poll CMD until it succeeds
wait_for() {
	local desc=$1 t=$2 i
	shift 2
	for i in $(seq $((t * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "  timed out: $desc"
	return 1
}

# store_snapshot: every key and its revision, less the scheduler's lease
# (renewed on its own clock); equal snapshots mean nothing was written
store_snapshot() {
	sqlite3 "$CP_DIR/db" "SELECT key, mod_rev FROM kv WHERE key NOT LIKE 'leader/%' ORDER BY key" | md5sum
}

# settle: wait until the scheduler has nothing left to write
settle() {
	local a b i
	for i in $(seq 50); do
		a=$(store_snapshot)
		sleep 0.3
		b=$(store_snapshot)
		[ "$a" = "$b" ] && return 0
	done
	echo "  store never settled"
	return 1
}

# heartbeats NODE TOKEN: keep a node alive in the background until cleanup
heartbeats() {
	(while :; do
		curl -s -o /dev/null -X POST -H "Authorization: Bearer $2" \
			"$CP_URL/v1/nodes/$1/heartbeat"
		sleep 0.3
	done) &
	t_cleanup "kill $!"
}

# free_ports N: N currently free loopback TCP ports
free_ports() {
	python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# etcd_start: a three-member etcd cluster on loopback; sets ETCD_EPS
# (comma-separated client URLs) and ETCD_PID[1..3], ETCD_URL[1..3]
etcd_start() {
	command -v etcd >/dev/null || t_skip "etcd not installed (etcd-server)"
	[ -n "${CP_DIR:-}" ] || cp_dir
	local p i cluster=""
	read -r -a p <<<"$(free_ports 6)"
	for i in 1 2 3; do
		cluster+="${cluster:+,}m$i=http://127.0.0.1:${p[$((i * 2 - 1))]}"
	done
	ETCD_EPS=""
	for i in 1 2 3; do
		ETCD_URL[$i]=http://127.0.0.1:${p[$((i * 2 - 2))]}
		etcd --name "m$i" --data-dir "$CP_DIR/etcd$i" \
			--listen-client-urls "${ETCD_URL[$i]}" \
			--advertise-client-urls "${ETCD_URL[$i]}" \
			--listen-peer-urls "http://127.0.0.1:${p[$((i * 2 - 1))]}" \
			--initial-advertise-peer-urls "http://127.0.0.1:${p[$((i * 2 - 1))]}" \
			--initial-cluster "$cluster" --initial-cluster-state new \
			--initial-cluster-token "nlbt-cp-$$" --max-txn-ops 20000 \
			--heartbeat-interval 50 --election-timeout 500 \
			>"$CP_DIR/etcd$i.log" 2>&1 &
		ETCD_PID[$i]=$!
		t_cleanup "kill -9 ${ETCD_PID[$i]}"
		ETCD_EPS+="${ETCD_EPS:+,}${ETCD_URL[$i]}"
	done
	wait_for "etcd cluster healthy" 20 etcdctl --endpoints "$ETCD_EPS" endpoint health
}
