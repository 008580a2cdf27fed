#!/usr/bin/env bash
# Every libFuzzer harness (build/fuzz/fuzz_*) runs briefly (NLB_FUZZ_SECONDS,
# default 5 s each), seeded from tests/fuzz/corpus/<name> (and the example
# manifests for the control plane's): a crash or sanitizer report fails it.
# `make fuzz` runs them for longer.
. "$(dirname "$0")/../lib/nlbtest.sh"

fuzz_one() {
	local name=${FUZZER##*/fuzz_} dir
	dir=$(mktemp -d /tmp/nlbt-fuzz.XXXXXX)
	t_cleanup rm -rf "$dir"
	cp "$NLBT_TOP/tests/fuzz/corpus/$name"/* "$dir/" 2>/dev/null || true
	case $name in cp_*) cp "$NLBT_TOP"/examples/*.yaml "$dir/" ;; esac
	"$FUZZER" -max_total_time="${NLB_FUZZ_SECONDS:-5}" -max_len=8192 \
		-rss_limit_mb=1024 -artifact_prefix="$dir/" "$dir" >"$dir/log" 2>&1 ||
		{ tail -n 30 "$dir/log"; return 1; }
	# it ran: libFuzzer ends with "Done N runs"
	grep -q 'Done [0-9]* runs' "$dir/log"
}

found=0
for FUZZER in "$NLBT_BUILD"/fuzz/fuzz_*; do
	[ -x "$FUZZER" ] || continue
	found=1
	t_run "fuzz_smoke/$(basename "$FUZZER")" fuzz_one
done
[ $found = 1 ] || { echo "FAIL fuzz_smoke: no harness built in $NLBT_BUILD/fuzz"; exit 1; }
t_done
