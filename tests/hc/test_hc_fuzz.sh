#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A short libFuzzer run of the nlb-hc config parser and HTTP reader (the
# long one is `make fuzz-hc`).
source "$(dirname "$0")/../lib/nlbtest.sh"

fuzz_one() {
	local bin=$NLBT_BUILD/fuzz/$1 dir
	[ -x "$bin" ] || { echo "no $bin: build with make all"; return 1; }
	dir=$(mktemp -d /tmp/nlbt-hc-fuzz.XXXXXX)
	t_cleanup "rm -rf $dir"
	cp "$NLBT_TOP"/tests/fuzz/corpus/hc_config/* "$dir"/ 2>/dev/null || true
	"$bin" -max_total_time=10 -rss_limit_mb=1024 \
		-artifact_prefix="$dir/" "$dir" \
		>"$dir/log" 2>&1 || { tail -n 30 "$dir/log"; return 1; }
	grep -q 'Done [0-9]* runs' "$dir/log"
	grep 'Done' "$dir/log"
}

case_config() { fuzz_one fuzz_hc_config; }
case_http() { fuzz_one fuzz_hc_http; }

t_run hc_fuzz_config case_config
t_run hc_fuzz_http case_http
t_done
