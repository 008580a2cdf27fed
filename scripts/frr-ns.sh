#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs one FRR instance (zebra, bgpd, bfdd) inside a network namespace, with
# its own directory, so that several instances share one machine (one per
# namespace) without touching /etc/frr or /var/run/frr:
#
#   frr-ns.sh start NETNS DIR [DAEMON...]  start (default: zebra bgpd bfdd)
#   frr-ns.sh stop DIR                     stop them by the PIDs in DIR/run
#   frr-ns.sh vtysh DIR ARG...             vtysh against this instance
#
# DIR holds <daemon>.conf (an empty one is made when missing; bgpd starts
# from it, nlb then reloads it), <daemon>.log, vtysh.conf (vtysh and
# frr-reload.py read it from --config_dir DIR), and run/ with the pid files,
# the vty sockets (--vty_socket DIR/run), zebra's socket (-z) and bfdd's
# control socket. The daemons drop to the frr user as in a packaged install,
# so DIR/run belongs to frr. TCP vty ports are off (-P 0): vtysh goes through
# the sockets only.
set -eu

FRR_SBIN=${FRR_SBIN:-/usr/lib/frr}
VTYSH=${VTYSH:-vtysh}

usage() {
	sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# wait_for PATH: until it exists, at most 5 s
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	echo "frr-ns: $1 did not appear" >&2
	return 1
}

start_one() {
	local netns=$1 dir=$2 d=$3 run=$2/run extra=()

	[ -e "$dir/$d.conf" ] || : >"$dir/$d.conf"
	chgrp frr "$dir/$d.conf" && chmod 0640 "$dir/$d.conf"
	case $d in
	bfdd) extra=(--bfdctl "$run/bfdd.sock") ;;
	esac
	rm -f "$run/$d.vty" "$run/$d.pid"
	# not -d: a daemonizing FRR names its crash-log directory
	# (/var/tmp/frr/<daemon>.<pid>) after its pid before the fork, which
	# stop could then not find after a kill -9. ip netns exec execs, so
	# $! is the daemon.
	ip netns exec "$netns" "$FRR_SBIN/$d" -P 0 \
		-f "$dir/$d.conf" -i "$run/$d.pid" -z "$run/zserv.api" \
		--vty_socket "$run" --log "file:$dir/$d.log" "${extra[@]}" \
		</dev/null >>"$dir/$d.log" 2>&1 &
	wait_for "$run/$d.pid"
	wait_for "$run/$d.vty"
	# zebra is ready for clients once its API socket listens
	if [ "$d" = zebra ]; then
		wait_for "$run/zserv.api"
	fi
}

do_start() {
	[ $# -ge 2 ] || usage
	local netns=$1 dir=$2 d
	shift 2
	[ $# -gt 0 ] || set -- zebra bgpd bfdd
	ip netns pids "$netns" >/dev/null || {
		echo "frr-ns: no network namespace $netns" >&2
		return 1
	}
	mkdir -p "$dir/run"
	[ -e "$dir/vtysh.conf" ] || echo "service integrated-vtysh-config" >"$dir/vtysh.conf"
	chown frr:frr "$dir/run"
	chmod 0750 "$dir/run"
	for d in "$@"; do
		start_one "$netns" "$dir" "$d"
	done
}

do_stop() {
	[ $# -eq 1 ] || usage
	local dir=$1 f pid pids=() dead=() i
	for f in "$dir"/run/*.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f")
		case $pid in '' | *[!0-9]*) continue ;; esac
		dead+=("$pid")
		# only a live FRR daemon: a stale pid file must not kill a
		# process that reused the number
		if [ -d "/proc/$pid" ] &&
			[[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$FRR_SBIN"/* ]]; then
			kill -CONT "$pid" 2>/dev/null || true
			kill -TERM "$pid" 2>/dev/null || true
			pids+=("$pid")
		fi
		rm -f "$f"
	done
	for ((i = 0; i < 40; i++)); do
		local alive=0
		for pid in "${pids[@]}"; do
			[ -d "/proc/$pid" ] && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.05
	done
	for pid in "${pids[@]}"; do
		if [ -d "/proc/$pid" ]; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	# libfrr's per-process crash log directories, also of daemons that
	# died on their own (or were killed by a test)
	for pid in "${dead[@]}"; do
		rm -rf /var/tmp/frr/*."$pid"
	done
	rm -rf "$dir/run"
}

do_vtysh() {
	[ $# -ge 1 ] || usage
	local dir=$1
	shift
	"$VTYSH" --config_dir "$dir" --vty_socket "$dir/run" "$@"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
start) do_start "$@" ;;
stop) do_stop "$@" ;;
vtysh) do_vtysh "$@" ;;
*) usage ;;
esac
