#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench-hc: nlb-hc and HAProxy side by side on the same targets, and a
# bare epoll loop as the floor. Everything runs in a namespace nlbt-hc-bench-*
# on its loopback: N backends are 127.0.x.y, all served by one target server.
# For each run: checks started per second against the configured rate
# (counted by the kernel as active TCP opens in the namespace, so the same
# way for every checker), for HTTP(S) the checks the target answered (its
# own count), CPU per check (utime+stime of the checker), and nlb-hc's p99
# schedule lag. Prints "name: value unit" lines. Figures, not asserts.
#   bench/hc/run.sh BUILD_DIR
#   env: HC_BENCH_SECONDS (10), HC_BENCH_QUICK=1 (1,000 only),
#        HC_BENCH_ONLY=https, HC_BENCH_ROUNDS (1): rounds of every run,
#        interleaved; each round's lines come as comments, then the medians
set -eu
build=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${HC_BENCH_SECONDS:-10}
warm=3
bin=$build/bin/nlb-hc
bdir=$build/bench/hc
ns=nlbt-hc-bench-$$
tmp=$(mktemp -d /tmp/nlbt-hc-bench.XXXXXX)
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
	sleep 0.2
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

in_ns() { ip netns exec "$ns" "$@"; }

ip netns add "$ns"
ip -n "$ns" link set lo up
in_ns sysctl -qw net.core.somaxconn=65535
in_ns sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
in_ns sysctl -qw net.ipv4.tcp_max_syn_backlog=65535
ulimit -n "$(ulimit -Hn)" # 10,000 probes may be in flight at once

# certificates: ECDSA P-256, self-signed (checks do not verify here)
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/key.pem"
openssl req -x509 -new -key "$tmp/key.pem" -subj /CN=hc.bench -days 2 \
	-out "$tmp/cert.pem" 2>/dev/null

start_target() { # name args...
	local name=$1
	shift
	ip netns exec "$ns" "$@" --port-file "$tmp/$name.port" \
		>"$tmp/$name.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.05; done
	[ -s "$tmp/$name.port" ] || { echo "target $name failed"; cat "$tmp/$name.log"; exit 1; }
}
start_target sink python3 "$top/tests/hc/hctest.py" serve sink
start_target http "$bdir/httpd"
http_pid=${pids[-1]}
port_tcp=$(cat "$tmp/sink.port")
port_http=$(cat "$tmp/http.port")

addr() { echo "127.0.$((1 + $1 / 250)).$((1 + $1 % 250))"; }

# ActiveOpens, found by name: a check that a checker closes cleanly (as
# HAProxy's HTTP checks do) leaves no reset behind, so counting resets, as
# this script once did by taking the wrong column, misses it
active_opens() {
	in_ns awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "ActiveOpens") c = i; h = 1 } else print $c }' /proc/net/snmp
}
# the current HTTP(S) target (if any) logs how many requests it answered
mark_answered() {
	[ -z "${target_pid:-}" ] || kill -USR1 "$target_pid"
}
# answers between the last two marks; empty without a target
answered() {
	[ -n "${target_pid:-}" ] || return 0
	sleep 0.1
	awk '$1 == "answered" { a = b; b = $2 } END { print b - a }' "$target_log"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
tick_us=$((1000000 / $(getconf CLK_TCK)))

# measure NAME PID N: after the warm-up, count checks and CPU for $secs
measure() {
	local name=$1 pid=$2 n=$3 o0 o1 c0 c1 t0 t1 checks cpu_us
	sleep "$warm"
	mark_answered
	o0=$(active_opens) c0=$(cpu_ticks "$pid") t0=$(date +%s%N)
	sleep "$secs"
	o1=$(active_opens) c1=$(cpu_ticks "$pid") t1=$(date +%s%N)
	mark_answered
	checks=$((o1 - o0))
	cpu_us=$(((c1 - c0) * tick_us))
	awk -v c="$checks" -v n="$n" -v t="$(((t1 - t0) / 1000))" \
		-v cpu="$cpu_us" -v name="$name" -v a="$(answered)" 'BEGIN {
		printf "%s_rate_pct: %.1f %%\n", name, 100 * c / (n * t / 1e6)
		if (a != "")
			printf "%s_answered_pct: %.1f %%\n", name, 100 * a / (n * t / 1e6)
		printf "%s_cpu_us_per_check: %.1f us\n", name, c ? cpu / c : 0
	}'
}

run_hc() { # name type n port [extra check json]
	local name=$1 type=$2 n=$3 port=$4 extra=${5:-} pid mport
	python3 - "$type" "$n" "$port" "$extra" >"$tmp/hc.json" <<-'PY'
	import json, sys
	t, n, port, extra = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
	c = {"type": t, "port": port}
	if extra:
	    c.update(json.loads(extra))
	b = [{"address": "127.0.%d.%d" % (1 + i // 250, 1 + i % 250),
	      "vips": ["v"], "checks": [c]} for i in range(n)]
	json.dump({"defaults": {"interval_ms": 1000, "timeout_ms": 1000},
	           "backends": b}, sys.stdout)
	PY
	ip netns exec "$ns" "$bin" --config "$tmp/hc.json" \
		--stream "$tmp/hc.sock" --state "$tmp/hc.state" \
		--metrics 127.0.0.1:0 --log-level warn 2>"$tmp/hc.log" &
	pid=$!
	pids+=($pid)
	measure "$name" "$pid" "$n"
	mport=$(in_ns ss -ltnpH | awk -v p="pid=$pid," '$0 ~ p { split($4, a, ":"); print a[2] }' | head -1)
	in_ns curl -s "http://127.0.0.1:$mport/metrics" >"$tmp/hc.metrics" || true
	awk -v name="$name" '
		/^nlb_hc_schedule_lag_seconds_bucket/ {
			match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
			b[++nb] = le; v[nb] = $2 }
		/^nlb_hc_schedule_lag_seconds_count/ { total = $2 }
		END { for (i = 1; i <= nb; i++) if (v[i] >= 0.99 * total) {
			printf "%s_lag_p99_ms: %s ms\n", name, (b[i] == "+Inf" ? "inf" : b[i] * 1000); exit } }
	' "$tmp/hc.metrics"
	# checks that passed, by nlb-hc's own count over its whole run
	awk -v name="$name" -v n="$n" '
		/^nlb_hc_checks_total/ && /result="pass"/ { p += $2 }
		/^nlb_hc_checks_total/ && /result="fail"/ { f += $2 }
		END { printf "%s_pass_pct: %.1f %%\n", name, p + f ? 100 * p / (p + f) : 0 }
	' "$tmp/hc.metrics"
	# TLS handshakes that resumed a session, to see that resumption works
	awk -v name="$name" '
		/^nlb_hc_tls_handshakes_total/ && /resumed="yes"/ { y = $2 }
		/^nlb_hc_tls_handshakes_total/ && /resumed="no"/ { n = $2 }
		END { if (y + n) printf "%s_resumed_pct: %.1f %%\n", name, 100 * y / (y + n) }
	' "$tmp/hc.metrics"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

run_haproxy() { # name type n port
	local name=$1 type=$2 n=$3 port=$4 pid i opts=""
	case $type in
	http) opts="option httpchk GET /" ;;
	https) opts="option httpchk GET /" ;;
	esac
	{
		printf 'global\n  maxconn 1000\n  nbthread 1\n'
		printf 'defaults\n  mode tcp\n  timeout connect 1s\n'
		printf '  timeout check 1s\n  timeout client 1s\n  timeout server 1s\n'
		# HAProxy refuses to run without a listener; this one is unused
		printf 'frontend f\n  bind unix@%s/hap.sock\n  default_backend b\n' "$tmp"
		printf 'backend b\n  %s\n' "$opts"
		for ((i = 0; i < n; i++)); do
			printf '  server s%d %s:%d check inter 1s%s\n' "$i" \
				"$(addr $i)" "$port" \
				"$([ "$type" = https ] && echo ' check-ssl verify none no-ssl-reuse')"
		done
	} >"$tmp/haproxy.cfg"
	ip netns exec "$ns" haproxy -db -q -f "$tmp/haproxy.cfg" \
		>"$tmp/haproxy.log" 2>&1 &
	pid=$!
	pids+=($pid)
	sleep 1
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "# $name: haproxy did not start: $(tail -n 2 "$tmp/haproxy.log")"
		return 0
	fi
	measure "$name" "$pid" "$n"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

run_ref() { # name type n port
	local out
	out=$(in_ns "$bdir/epoll_ref" "$2" "$4" "$3" "$secs")
	echo "$out" | awk -v name="$1" -v n="$3" -v s="$secs" '{
		printf "%s_rate_pct: %.1f %%\n", name, 100 * $2 / (n * s)
		printf "%s_cpu_us_per_check: %.1f us\n", name, $2 ? $6 / $2 : 0 }'
}

rounds=${HC_BENCH_ROUNDS:-1}
case $("$bin" --version) in
*GnuTLS*) chosen=gnutls ;;
*wolfSSL*) chosen=wolfssl ;;
*) chosen=openssl ;;
esac
echo "# nlb-hc benchmark: ${secs}s per run after ${warm}s warm-up, $rounds round(s), $(nproc) cores, $(date -u +%FT%TZ)"
sizes="1000 10000"
[ "${HC_BENCH_QUICK:-0}" = 1 ] && sizes=1000
# HC_BENCH_ONLY=https skips the TCP and HTTP runs
[ "${HC_BENCH_ONLY:-}" = https ] && sizes=
val() { awk -v k="$2" '$1 == k ":" { print $2 }' "$1"; }
# A fresh TLS target for every HTTPS run: one that fell behind on
# handshakes in the run before would still be clogged. $1: extra options.
https_target() {
	[ -n "${tls_pid:-}" ] && { kill "$tls_pid" 2>/dev/null || true; }
	rm -f "$tmp/tls.port"
	start_target tls "$bdir/httpd" --tls "$tmp/cert.pem" "$tmp/key.pem" "$@"
	tls_pid=${pids[-1]}
	tls_port=$(cat "$tmp/tls.port")
	target_pid=$tls_pid target_log=$tmp/tls.log
}
# CPU per check of run 1 over run 2: checks per core of 2 against 1
speedup() { # line-name file1 run1 file2 run2
	awk -v a="$(val "$2" "$3"_cpu_us_per_check)" \
		-v b="$(val "$4" "$5"_cpu_us_per_check)" -v k="$1" \
		'BEGIN { printf "%s: %.2f x\n", k, (b > 0 ? a / b : 0) }'
}
# CPU per check of run 1 over run 2 (nothing without run 2)
ratio() { # line-name file1 run1 file2 run2
	[ -s "$4" ] || return 0
	speedup "$@"
}

# the three resumption runs at N backends, named *_K
resume_runs() { # N K
	https_target
	run_hc hc_https_resume_$2 https "$1" "$tls_port" '{"resume": true}' | tee "$tmp/resume_$2"
	https_target --no-dhe
	run_hc hc_https_resume_psk_ke_$2 https "$1" "$tls_port" '{"resume": "psk_ke"}' |
		tee "$tmp/resume_psk_ke_$2"
	https_target
	run_hc hc_https_resume_tls12_$2 https "$1" "$tls_port" \
		'{"resume": true, "tls_max": "1.2"}' | tee "$tmp/resume_tls12_$2"
}

one_round() {
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $sizes; do
	k=$((n / 1000))k
	target_pid=
	run_ref "ref_tcp_$k" tcp "$n" "$port_tcp"
	run_hc "hc_tcp_$k" tcp "$n" "$port_tcp"
	command -v haproxy >/dev/null && run_haproxy "haproxy_tcp_$k" tcp "$n" "$port_tcp"
	target_pid=$http_pid target_log=$tmp/http.log
	run_ref "ref_http_$k" http "$n" "$port_http"
	run_hc "hc_http_$k" http "$n" "$port_http"
	command -v haproxy >/dev/null && run_haproxy "haproxy_http_$k" http "$n" "$port_http"
done
# Full handshakes: the target issues no tickets and caches no sessions, and
# the checkers are told not to resume. 250 backends, where neither checker
# nor the one-thread target runs short of CPU on a small box, and 1,000, the
# rate of the issue's figures (HAProxy falls behind there).
https_target --no-tickets
run_hc hc_https_250 https 250 "$tls_port" | tee "$tmp/full_250"
if command -v haproxy >/dev/null; then
	https_target --no-tickets
	run_haproxy haproxy_https_250 https 250 "$tls_port" | tee "$tmp/hap_250"
fi
# Resumption, three ways (docs/nlb-hc.md says what each proves): TLS 1.3
# psk_dhe_ke (an ECDHE exchange each time, any server that issues tickets),
# TLS 1.3 psk_ke (no public-key math; a server that allows it), TLS 1.2
# tickets (no public-key math)
resume_runs 250 250
https_target --no-tickets
run_hc hc_https_1k https 1000 "$tls_port" | tee "$tmp/full_1k"
# the chosen library's bare handshake in every round, next to the checks it
# is compared with: on this VM it drifts by a fifth between hours
https_target --no-tickets
in_ns "$bdir/tls_bench" "$tls_port" 3 "$chosen" >"$tmp/bare"
bare=$(val "$tmp/bare" "tls_${chosen}_x25519_handshake_cpu_us")
echo "tls_handshake_cpu_us: $bare us ($chosen, X25519, AES-128-GCM)"
for r in 250 1k; do
	awk -v c="$(val "$tmp/full_$r" hc_https_${r}_cpu_us_per_check)" -v b="$bare" -v r="$r" \
		'BEGIN { if (b > 0 && c > 0) printf "hc_https_vs_bare_%s: %.2f x\n", r, c / b }'
done
if command -v haproxy >/dev/null; then
	https_target --no-tickets
	run_haproxy haproxy_https_1k https 1000 "$tls_port" | tee "$tmp/hap_1k"
fi
# Resumption again at 1,000 a second: checks per core is what a busy core
# gives, and at 250 a second the wake-ups a check costs whatever its kind
# weigh more on the cheaper, resumed ones
resume_runs 1000 1k
# The issue's lines are at 1,000 a second, as are its HAProxy figures
echo "hc_https_cpu_us_per_check: $(val "$tmp/full_1k" hc_https_1k_cpu_us_per_check) us"
[ -s "$tmp/hap_1k" ] && echo "haproxy_https_cpu_us_per_check: $(val "$tmp/hap_1k" haproxy_https_1k_cpu_us_per_check) us"
ratio hc_https_vs_haproxy_250 "$tmp/full_250" hc_https_250 "$tmp/hap_250" haproxy_https_250
ratio hc_https_vs_haproxy_1k "$tmp/full_1k" hc_https_1k "$tmp/hap_1k" haproxy_https_1k
for k in "" _psk_ke _tls12; do
	speedup hc_https_resume${k}_speedup_250 "$tmp/full_250" hc_https_250 "$tmp/resume${k}_250" hc_https_resume${k}_250
	speedup hc_https_resume${k}_speedup "$tmp/full_1k" hc_https_1k "$tmp/resume${k}_1k" hc_https_resume${k}_1k
done
}

if [ "$rounds" = 1 ]; then
	one_round
else
	for ((r = 1; r <= rounds; r++)); do
		one_round >"$tmp/round$r" 2>&1
		sed "s/^\(# \)\{0,1\}/# round $r: /" "$tmp/round$r"
	done
	# the median of each line over the rounds
	cat "$tmp"/round* | awk '$1 ~ /:$/ && $1 !~ /^#/ {
		if (!($1 in n)) order[++m] = $1
		v[$1, ++n[$1]] = $2; u[$1] = $3
	} END {
		for (i = 1; i <= m; i++) {
			k = order[i]; c = n[k]
			for (a = 1; a <= c; a++) s[a] = v[k, a] + 0
			for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++)
				if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
			printf "%s %g %s\n", k, c % 2 ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2, u[k]
		}
	}'
	echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
# the bare client handshake of each library, median of three runs
# (P-256 key share, then X25519 with TLS_AES_128_GCM_SHA256: nlb-hc's
# first offer, and so the bare cost of its checks)
https_target --no-tickets
for i in 1 2 3; do
	in_ns "$bdir/tls_bench" "$tls_port" 2
done >"$tmp/tls"
for lib in openssl gnutls wolfssl openssl_x25519 gnutls_x25519 wolfssl_x25519; do
	v=$(awk -v k="tls_${lib}_handshake_cpu_us:" '$1 == k { print $2 }' "$tmp/tls" | sort -n | sed -n 2p)
	[ -n "$v" ] && echo "tls_${lib}_handshake_cpu_us: $v us"
done
