#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# nlb-hc holds its schedule: 5,000 TCP backends (127.0.x.y in a namespace,
# all served by one listener) checked every second for 30 s, with p99
# schedule lag under 50 ms, no missed slot, and every check passing.
source "$(dirname "$0")/../lib/nlbtest.sh"
source "$(dirname "$0")/lib.sh"

HC_SCALE_N=${HC_SCALE_N:-5000}
HC_SCALE_S=${HC_SCALE_S:-30}

case_scale() {
	hc_env
	hc_in sysctl -qw net.core.somaxconn=65535
	hc_serve sink sink
	local p
	p=$(hc_port sink)
	python3 - "$p" "$HC_SCALE_N" >"$HC_TMP/cfg.json" <<-'EOF2'
	import json, sys
	port, n = int(sys.argv[1]), int(sys.argv[2])
	b = [{"address": "127.0.%d.%d" % (1 + i // 250, 1 + i % 250),
	      "vips": ["vip-%d" % (i % 100)],
	      "checks": [{"type": "tcp", "port": port}]} for i in range(n)]
	json.dump({"defaults": {"interval_ms": 1000, "timeout_ms": 500},
	           "backends": b}, sys.stdout)
	EOF2
	# the checker outranks batch work (deploy/systemd/nlb-hc.service gives it a
	# real-time class too): this measures nlb-hc's loop, not how busy the
	# rest of a shared 2-core machine is. HC_SCALE_WRAP="" to see without.
	HC_WRAP="${HC_SCALE_WRAP-chrt -f 10}" hc_start
	t_check "$HC_SCALE_N probes" [ "$(hc_metric nlb_hc_probes)" = "$HC_SCALE_N" ]
	local t0 t1 cpu0 cpu1
	t0=$(date +%s%N)
	cpu0=$(awk '{print $14 + $15}' /proc/$HC_PID/stat)
	sleep "$HC_SCALE_S"
	cpu1=$(awk '{print $14 + $15}' /proc/$HC_PID/stat)
	t1=$(date +%s%N)
	echo "nlb-hc cpu: $(( (cpu1 - cpu0) * 1000 / ((t1 - t0) / 1000000) ))% of a core"
	echo "state changes by reason:"
	sed -n 's/.*event=state .* state=\([a-z]*\) .*reason="\([^"]*\)".*/\1 \2/p' \
		"$HC_TMP/hc.log" | sort | uniq -c | sort -rn | head
	grep -v 'event=state ' "$HC_TMP/hc.log" | tail -5
	t_check "all up" [ "$(hc_metric 'nlb_hc_backends{state="up"}')" = "$HC_SCALE_N" ]
	hc_in $HC_PY lag_ok "$HC_METRICS" --p99-ms 50 \
		--min-checks $((HC_SCALE_N * HC_SCALE_S * 98 / 100))
}

t_run hc_scale_5000 case_scale
t_done
