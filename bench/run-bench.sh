#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`: one crash session on the fixture. mpkfloor (bench/floor.c)
# is loaded first so that it can stamp the time between commands: crash's
# own start, extend + first epython, repeated epython runs and crash's own
# commands are timed by those marks, then bench/bench.py measures the rest
# and prints the table.
#
#   bench/run-bench.sh [bench.py options]
# Environment: MPK_SO (default mpykdump.so), MPK_FLOOR (bench/mpkfloor.so),
# MPK_BENCH_REPEAT (20), the fixture's PYKDUMP_* (else make-fixture.sh).
set -euo pipefail

# shellcheck source=bench/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
REPEAT=${MPK_BENCH_REPEAT:-20}
export MPK_BENCH_REPEAT=$REPEAT
if [[ -z ${PYKDUMP_VMCORE:-} ]]; then
	eval "$(tests/vmcore/make-fixture.sh --print-env)"
	export PYKDUMP_VMLINUX PYKDUMP_VMCORE PYKDUMP_TRUTH
fi

# Each command REPEAT times, bracketed by marks.
repeat() {
	local i
	for ((i = 0; i < REPEAT; i++)); do echo "$1"; done
}

script() {
	echo "extend $FLOOR"
	echo "mpkfloor mark crash-ready"
	echo "extend $SO"
	echo "epython $TOP/bench/empty.py"
	echo "mpkfloor mark first-epython"
	repeat "epython $TOP/bench/empty.py"
	echo "mpkfloor mark repeated-done"
	repeat "mpkfloor noop"
	echo "mpkfloor mark noop-done"
	echo "mpkfloor mark list-start"
	repeat "list task_struct.tasks -h init_task > /dev/null"
	echo "mpkfloor mark list-end"
	echo "mpkfloor mark rd-start"
	repeat "rd -64 init_task 8 > /dev/null"
	echo "mpkfloor mark rd-end"
	echo "mpkfloor mark struct-start"
	repeat "struct task_struct -o > /dev/null"
	echo "mpkfloor mark struct-end"
	echo "epython $TOP/bench/bench.py $*"
	echo "quit"
}

script "$@" >/dev/null # fail early on a bad argument, not inside crash
MPK_BENCH_T0=$(date +%s.%N)
export MPK_BENCH_T0
script "$@" | crash -s "$PYKDUMP_VMLINUX" "$PYKDUMP_VMCORE"
