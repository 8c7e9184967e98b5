#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench-sockets`: xportshow -a on the fixture variant with 10,000
# extra established loopback TCP connections (PYKDUMP_SCENARIO_SOCKETS),
# beside a C floor walking the same TCP hash table in the same session
# (mpkfloor tcp) and crash's own `net` (which lists only interfaces).
set -euo pipefail

# shellcheck source=bench/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
SOCKETS=${MPK_BENCH_SOCKETS:-10000}
eval "$(PYKDUMP_SCENARIO_SOCKETS=$SOCKETS tests/vmcore/make-fixture.sh --print-env)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

{
	echo "extend $FLOOR"
	echo "extend $SO"
	for run in first second third; do
		echo "mpkfloor mark $run-start"
		echo "xportshow -a > /dev/null"
		echo "mpkfloor mark $run-end"
	done
	echo "xportshow -a -t | wc -l"
	echo "mpkfloor tcp 1 cached"
	echo "mpkfloor tcp 1 cached"
	echo "mpkfloor tcp 1"
	echo "mpkfloor marks"
	echo "quit"
} | crash -s "$PYKDUMP_VMLINUX" "$PYKDUMP_VMCORE" > "$out" 2>&1

awk -v sockets="$SOCKETS" '
	/^mark / { mark[$2] = $3 }
	/^floor tcp / { floor[++nf] = $4; count = $3 }
	/^[0-9]+$/ { lines = $1 }
	END {
		if (nf < 3 || !("first-start" in mark)) {
			print "bench-sockets: crash printed no figures"; exit 1
		}
		printf "xportshow -a on %d extra connections (%d TCP sockets in the ehash, %d lines of -a -t)\n", sockets, count, lines
		printf "%-34s %10s\n", "what", "seconds"
		for (r = 1; r <= 3; r++) {
			split("first second third", name, " ")
			printf "%-34s %10.3f\n", "xportshow -a, " name[r] " run", mark[name[r] "-end"] - mark[name[r] "-start"]
		}
		printf "%-34s %10.3f\n", "C floor, page-cached, first", floor[1]
		printf "%-34s %10.3f\n", "C floor, page-cached, second", floor[2]
		printf "%-34s %10.3f\n", "C floor, plain readmem", floor[3]
		printf "first run / first cached floor: %.2f; second / second: %.2f\n", (mark["first-end"] - mark["first-start"]) / floor[1], (mark["second-end"] - mark["second-start"]) / floor[2]
	}' "$out"
