# SPDX-License-Identifier: GPL-2.0
# The shell side of nlb's test runner (see tests/lib/nlbtest.h for the C side):
# one function per case, run by t_run, one PASS/FAIL/SKIP line each.
#   t_run NAME FUNC   runs FUNC in a subshell; it fails if FUNC returns non-zero
#   t_skip REASON     inside FUNC: report a skip (exit 77)
#   t_check DESC CMD  run CMD; on failure print DESC and fail the case
# Cleanup: register with t_cleanup "cmd"; all run at exit, also on failure.

NLBT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NLBT_BUILD=${NLB_BUILD:-$NLBT_TOP/build}
NLBT_FILTER=${NLB_TEST_FILTER:-}
NLBT_CLEANUPS=()
NLBT_FAILED=0

t_cleanup() { NLBT_CLEANUPS+=("$*"); }

nlbt_run_cleanups() {
	local i
	for ((i = ${#NLBT_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${NLBT_CLEANUPS[$i]}" >/dev/null 2>&1 || true
	done
	NLBT_CLEANUPS=()
}
trap nlbt_run_cleanups EXIT

t_skip() { echo "skip: $*" >&2; exit 77; }

# t_not CMD: succeeds when CMD fails (for t_check)
t_not() { ! "$@"; }

t_check() {
	local desc=$1
	shift
	if ! "$@"; then
		echo "  check failed: $desc ($*)"
		return 1
	fi
}

t_run() {
	local name=$1 fn=$2 rc
	if [ -n "$NLBT_FILTER" ] && [[ "$name" != *"$NLBT_FILTER"* ]]; then
		return 0
	fi
	(
		NLBT_CLEANUPS=()
		trap nlbt_run_cleanups EXIT
		set -e -o pipefail
		"$fn"
	) 2> >(tee /tmp/nlbt-err.$$ >&2)
	rc=$?
	if [ $rc = 0 ]; then
		echo "PASS $name"
	elif [ $rc = 77 ]; then
		echo "SKIP $name: $(tail -n1 /tmp/nlbt-err.$$ 2>/dev/null)"
	else
		echo "FAIL $name"
		NLBT_FAILED=1
	fi
	rm -f /tmp/nlbt-err.$$
}

t_done() { exit $NLBT_FAILED; }
