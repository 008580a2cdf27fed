# SPDX-License-Identifier: GPL-2.0
# Shared by tests/nlblet: nlblet in a namespace nlbt-let-<pid> behind a veth,
# the control plane on the root side of it, maps on a private bpffs.
# Sourced after tests/lib/nlbtest.sh and tests/cp/cp_lib.sh.

LET_BIN=$NLBT_BUILD/bin

need() {
	[ "$(id -u)" = 0 ] || t_skip "needs root (netns, bpffs, XDP)"
	for b in nlblet nlb-controlplane nlb-node; do
		[ -x "$LET_BIN/$b" ] || t_skip "$b not built"
	done
}

# let_topology: namespace + veth + bpffs; sets LET_NS, LET_IF, LET_PIN, LET_GW
let_topology() {
	local id=$((BASHPID % 100000)) sub=$((BASHPID % 250 + 1))
	LET_NS=nlbt-let-$BASHPID
	LET_IF=nlbtlet${id}n
	LET_RUN=/run/nlbt-let-$BASHPID
	LET_GW=10.250.$sub.1
	ip netns add "$LET_NS"
	t_cleanup "ip netns del $LET_NS"
	ip link add "nlbtlet${id}h" type veth peer name "$LET_IF"
	t_cleanup "ip link del nlbtlet${id}h"
	ip link set "$LET_IF" netns "$LET_NS"
	ip addr add "$LET_GW/30" dev "nlbtlet${id}h"
	ip link set "nlbtlet${id}h" up
	ip -n "$LET_NS" addr add "10.250.$sub.2/30" dev "$LET_IF"
	ip -n "$LET_NS" link set "$LET_IF" up
	ip -n "$LET_NS" link set lo up
	mkdir -p "$LET_RUN"
	t_cleanup "rmdir $LET_RUN"
	mount -t bpf bpf "$LET_RUN"
	t_cleanup "umount $LET_RUN"
	LET_PIN=$LET_RUN/nlb
}

# let_cp_start [flags]: the control plane on the root side of the veth
let_cp_start() {
	cp_start --listen "$LET_GW" "$@"
	CP_URL=http://$LET_GW:$CP_PORT
}

# let_start NODE TOKEN [NLBLET_ARGS...]: nlblet in the namespace; sets
# LET_PID
let_start() {
	local node=$1
	echo "$2" >"$CP_DIR/node-token"
	shift 2
	ip netns exec "$LET_NS" "$LET_BIN/nlblet" --gateway "$CP_URL" \
		--token-file "$CP_DIR/node-token" --node "$node" --zone az1 \
		--iface "$LET_IF" --pin-dir "$LET_PIN" \
		--hc-config "$CP_DIR/hc.json" --hc-state "$CP_DIR/hc-state.json" \
		--status-interval-ms 1000 "$@" >>"$CP_DIR/nlblet.log" 2>&1 &
	LET_PID=$!
	t_cleanup "let_stop $LET_PID"
}

# let_stop PID: SIGTERM, wait up to 5 s, then SIGKILL
let_stop() {
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "  nlblet $1 ignored SIGTERM for 5 s" >&2
	kill -9 "$1"
}

vips() { "$LET_BIN/nlb-node" --pin-dir "$LET_PIN" vip list 2>/dev/null; }
has_vip() { vips | grep -qF "vip $1 "; }
no_vip() { ! vips | grep -qF "vip $1 "; }
backend_state() { # ADDR STATE
	vips | grep -q "^  backend $1 id [0-9]* state $2 "
}
lb_synced() { # NAME TOKEN
	[ "$(api GET "/v1/loadbalancers/$1" "$2")" = 200 ] || return 1
	jget '[n for n in j["status"]["nodes"] if n["name"]=="let1" and n["syncedGeneration"]==j["metadata"]["generation"]] != [] or exit(1)' >/dev/null
}

# timed DESC SECONDS CMD...: like wait_for, and prints how long it took
timed() {
	local t0 desc=$1
	t0=$(date +%s%N)
	wait_for "$@" || return 1
	echo "  $desc: $((($(date +%s%N) - t0) / 1000000)) ms"
}
