#!/usr/bin/env bash
# The README's test command: install what is needed, build, run every test.
set -u
cd "$(dirname "$0")/.."
if ! ./scripts/deps.sh; then
	echo "deps failed"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! make -j"$(nproc)" all >/tmp/nlb-build.log 2>&1; then
	tail -n 60 /tmp/nlb-build.log
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
exec tests/run "$@"
