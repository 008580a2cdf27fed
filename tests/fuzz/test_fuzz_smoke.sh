#!/usr/bin/env bash
# Every libFuzzer harness runs briefly (NLB_FUZZ_SECONDS, default 5 s each):
# a crash or sanitizer report fails it. `make fuzz` runs them for longer.
. "$(dirname "$0")/../lib/nlbtest.sh"

fuzz_one() {
	local corpus
	corpus=$(mktemp -d /tmp/nlbt-fuzz.XXXXXX)
	t_cleanup rm -rf "$corpus"
	"$FUZZER" -max_total_time="${NLB_FUZZ_SECONDS:-5}" -print_final_stats=0 "$corpus" >"$corpus.log" 2>&1 ||
		{ tail -30 "$corpus.log"; rm -f "$corpus.log"; return 1; }
	rm -f "$corpus.log"
}

found=0
for FUZZER in "$NLBT_BUILD"/fuzz/fuzz_*; do
	[ -x "$FUZZER" ] || continue
	found=1
	t_run "fuzz_smoke/$(basename "$FUZZER")" fuzz_one
done
[ $found = 1 ] || { echo "FAIL fuzz_smoke: no harness built in $NLBT_BUILD/fuzz"; exit 1; }
t_done
