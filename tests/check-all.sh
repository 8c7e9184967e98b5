#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# README's test command (`make check-all`), what CI runs after building:
# `make check` (the quick suite on the default fixture), then the Debian
# package test (tests/deb/check-deb.sh: built from make dist, installed,
# used in crash, purged; root), then, with PYKDUMP_CHECK_MATRIX=1, every
# (kernel, crash) pair (tests/check-matrix.sh; .ci/run sets it, with a
# deadline): `make check` was the pair 6.1 x crash 8.0.2 on the host, so
# the matrix runs the other six, and on the host only what the kernel
# changes. Each part's closing line is
# summed into one last line "N passed, N failed[, N skipped]"; a part
# that prints none counts as one failure. Exit status: non-zero if
# anything failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
MAKE=${MAKE:-make}
passed=0 failed=0 skipped=0 rc=0

# part NAME CMD...: run CMD, add its last closing line to the totals.
part() {
	local name=$1 log line
	shift
	log=$(mktemp)
	printf '\n=== check-all: %s (%s)\n' "$name" "$(date -u +%H:%M:%S)"
	"$@" 2>&1 | tee "$log"
	((PIPESTATUS[0] == 0)) || rc=1
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' \
		"$log" | tail -n1)
	rm -f "$log"
	if [[ -z $line ]]; then
		echo "check-all: $name printed no closing line: one failure"
		failed=$((failed + 1))
		rc=1
		return
	fi
	passed=$((passed + $(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")))
	failed=$((failed + $(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")))
	skipped=$((skipped + $(sed -nE 's/.*, ([0-9]+) skipped$/\1/p' <<<"$line") + 0))
}

part "make check" "$MAKE" --no-print-directory check
part "Debian package" bash tests/deb/check-deb.sh
if [[ ${PYKDUMP_CHECK_MATRIX:-0} == 1 ]]; then
	if [[ -z ${PYKDUMP_VMCORE:-} ]]; then
		# make check ran on the default fixture: 6.1 with the host's crash
		mapfile -t pairs < <(bash tests/check-matrix.sh --pairs | grep -vx '6\.1:host')
		echo "check-all: make check above was the matrix's pair 6.1:host"
		part "make check-matrix" env MPK_MATRIX_TESTED_ENVS=host \
			bash tests/check-matrix.sh "${pairs[@]}"
	else
		part "make check-matrix" "$MAKE" --no-print-directory check-matrix
	fi
fi

echo
if ((skipped)); then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
((failed == 0 && rc == 0))
