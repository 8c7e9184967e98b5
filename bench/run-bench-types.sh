#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`, part 2: what types cost on a vmlinux WITHOUT .gdb_index
# (the file linux-image-*-dbg installs), each figure in a fresh crash
# session, in CPU seconds of the crash process (bench/cpu_mark.py):
# - each bundled program's first and second run;
# - the first use of struct task_struct through the object model;
# - crash's own `struct task_struct -o` as the first command.
# Targets (issue 10): crashinfo first run <= 1.0 s; the five programs'
# first runs together <= 2.0 s; first use of a struct from BTF <= 1 ms.
#
#   bench/run-bench-types.sh [auto|btf|gdb ...]   (PYKDUMP_TYPES per row set;
#                                                  default: auto gdb)
# Environment: PYKDUMP_VMLINUX_NOINDEX (required; the fixture's
# --print-env gives it when it offers one), MPK_SO (default mpykdump.so).
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP"
SO=$(realpath "${MPK_SO:-mpykdump.so}")
if [[ -z ${PYKDUMP_VMCORE:-} || -z ${PYKDUMP_VMLINUX_NOINDEX:-} ]]; then
	eval "$(tests/vmcore/make-fixture.sh --print-env)"
fi
if [[ -z ${PYKDUMP_VMLINUX_NOINDEX:-} || ! -f ${PYKDUMP_VMLINUX_NOINDEX} ]]; then
	echo "bench types: skipped: PYKDUMP_VMLINUX_NOINDEX is not set (or not a" \
		"file): give it the vmlinux WITHOUT .gdb_index, e.g. extracted from" \
		"~/.cache/pykdump-fixture/debs/linux-image-*-dbg_*.deb" >&2
	exit 0
fi
PROGS=(crashinfo modinfo pstree taskinfo xportshow)
MODES=("${@:-auto gdb}")
read -r -a MODES <<<"${MODES[*]}"

# One fresh session: marks around the given crash commands.
session() {
	local mode=$1
	shift
	{
		echo "extend $SO"
		echo "epython $TOP/bench/cpu_mark.py start"
		local i=0 cmd
		for cmd in "$@"; do
			echo "$cmd > /dev/null"
			echo "epython $TOP/bench/cpu_mark.py $((i += 1))"
		done
		echo "quit"
	} | PYKDUMP_TYPES=$mode crash -s "$PYKDUMP_VMLINUX_NOINDEX" \
		"$PYKDUMP_VMCORE" 2>&1 | awk '$1 == "cpumark" { print $2, $3 }'
}

# "a b" marks -> CPU seconds between them
between() {
	awk -v a="$2" -v b="$3" '$1 == a { x = $2 } $1 == b { y = $2 }
		END { printf "%.3f", y - x }' <<<"$1"
}

echo "types on a vmlinux without .gdb_index: $PYKDUMP_VMLINUX_NOINDEX"
echo "CPU seconds of the crash process, each row a fresh session"
for mode in "${MODES[@]}"; do
	echo
	echo "PYKDUMP_TYPES=$mode"
	printf '%-28s %10s %10s\n' figure first second
	total=0
	for prog in "${PROGS[@]}"; do
		m=$(session "$mode" "$prog" "$prog")
		first=$(between "$m" start 1)
		second=$(between "$m" 1 2)
		total=$(awk -v t="$total" -v f="$first" 'BEGIN { print t + f }')
		printf '%-28s %10s %10s\n' "$prog" "$first" "$second"
	done
	printf '%-28s %10.3f %10s   (target <= 2.0; crashinfo <= 1.0)\n' \
		"five programs, first runs" "$total" ""
	out=$({ echo "extend $SO"; echo "epython $TOP/bench/first_struct.py"
		echo quit; } | PYKDUMP_TYPES=$mode crash -s \
		"$PYKDUMP_VMLINUX_NOINDEX" "$PYKDUMP_VMCORE" 2>&1 |
		awk '$1 == "typesload" { printf "%.2f ms (%.2f ms CPU)|", $2 * 1000, $3 * 1000 }
		$1 == "firststruct" { printf "%.2f ms (%.2f ms CPU)", $2 * 1000, $3 * 1000 }')
	printf '%-28s %s   (once per session)\n' "loading types" "${out%%|*}"
	printf '%-28s %s   (target <= 1 ms from BTF)\n' \
		"first struct task_struct" "${out#*|}"
done
echo
m=$(session auto "struct task_struct -o")
printf '%-28s %10s   (crash itself, first command)\n' \
	"crash struct task_struct -o" "$(between "$m" start 1)"
