#!/bin/bash
# The main job on the bundled demo vmcore: open the fixture dump in crash,
# load mpykdump.so and run the bundled programs a new user starts with.
set -euo pipefail
cd "$(dirname "$0")/.."
so=${1:-$PWD/mpykdump.so}
env_file=$(mktemp)
trap 'rm -f "$env_file"' EXIT
tests/vmcore/make-fixture.sh --print-env > "$env_file"
# shellcheck disable=SC1090
. "$env_file"
commands="extend $so
epython -v
"
for prog in crashinfo pstree taskinfo xportshow modinfo; do
	if [ -f "progs/$prog.py" ]; then
		case $prog in
		xportshow) commands+="xportshow -l
xportshow
xportshow -i
" ;;
		*) commands+="$prog
" ;;
		esac
	fi
done
commands+="quit
"
printf '%s' "$commands" | crash -s "$PYKDUMP_VMLINUX" "$PYKDUMP_VMCORE"
