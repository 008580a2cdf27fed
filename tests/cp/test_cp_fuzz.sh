#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A brief libFuzzer run of each control-plane harness (make fuzz-cp runs
# them longer), seeded with the example manifests.
. "$(dirname "$0")/../lib/nlbtest.sh"

FUZZ_SECONDS=${NLB_CP_FUZZ_SECONDS:-5}

fuzz_one() {
	local bin=$NLBT_BUILD/fuzz/$1 d
	[ -x "$bin" ] || t_skip "$bin not built (clang with libFuzzer needed)"
	d=$(mktemp -d /tmp/nlbt-cp-fuzz.XXXXXX)
	t_cleanup "rm -rf $d"
	cp "$NLBT_TOP"/examples/*.yaml "$d/"
	"$bin" -max_total_time="$FUZZ_SECONDS" -max_len=4096 "$d" >"$d/log" 2>&1 ||
		{ tail -n 30 "$d/log"; return 1; }
	grep -q 'Done [0-9]* runs' "$d/log"
}

fuzz_lb() { fuzz_one fuzz_cp_lb; }
fuzz_yaml() { fuzz_one fuzz_cp_yaml; }

t_run cp_fuzz_lb_json fuzz_lb
t_run cp_fuzz_yaml fuzz_yaml
t_done
