#!/usr/bin/env bash
# make check: formatting drift (clang-format, .clang-format) and static
# analysis (cppcheck) over the project's C sources. Prints what is wrong and
# exits non-zero; changes nothing. scripts/check.sh --fix reformats in place.
set -u
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h')
rc=0
if [ "${1:-}" = --fix ]; then
	clang-format -i $files
	exit 0
fi
drift=$(for f in $files; do clang-format --dry-run "$f" 2>&1 | grep -q warning && echo "$f"; done)
if [ -n "$drift" ]; then
	echo "format drift (scripts/check.sh --fix):"
	echo "$drift" | sed 's/^/  /'
	rc=1
fi
if ! cppcheck -q --error-exitcode=1 --enable=warning,portability --inline-suppr \
	--suppress=missingIncludeSystem --suppress=unknownMacro -Iinclude -Isrc/lib $(git ls-files 'src/*.c'); then
	rc=1
fi
exit $rc
