#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The test suite on every (kernel, crash) pair a support engineer meets:
# each kernel line's fixture (tests/vmcore/make-fixture.sh --kernel) opened
# by each crash that can open it, bookworm's on the host, trixie's and sid's
# in their chroots (tools/distro-env.sh), each with its own mpykdump.so
# built against that crash and that release's Python. Called by
# `make check-matrix`; needs root (fixtures, chroots).
#
#   tests/check-matrix.sh [KERNEL:ENV ...]     default: all pairs below
#
# ENV is host (bookworm, crash 8.0.2), trixie (8.0.6) or sid (9.0.2). One
# closing line per pair, then the sum; the last line is "N passed, N failed".
# A pair whose fixture or environment cannot be made counts one failure.
# Each pair's logs: build/test-logs-matrix/KERNEL-ENV/latest (on the host;
# for a chroot under its root, printed at the end of the pair).
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit 2
# crash 8.0.2 cannot open 6.12 and later (it stops at "page_offset_base");
# 6.1 is also run by the newer crash versions.
DEFAULT_PAIRS=(6.1:host 5.10:host 6.1:trixie 6.12:trixie 6.1:sid 6.12:sid 7.2:sid)
PAIRS=("$@")
((${#PAIRS[@]})) || PAIRS=("${DEFAULT_PAIRS[@]}")
CRASH_PARTS="build host integration integration-elf"

total_pass=0
total_fail=0
total_skip=0
summary=()
declare -A env_seen=()

# The closing "N passed, N failed[, N skipped]" line of a run's output.
closing_line() {
	grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$1" | tail -n1
}

record() { # PAIR-LABEL LINE SECONDS
	local label=$1 line=$2 secs=$3 p f s
	p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
	s=$(sed -nE 's/.*, ([0-9]+) skipped$/\1/p' <<<"$line")
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + ${s:-0}))
	summary+=("$(printf 'matrix: %-34s %s (%d s)' "$label" "$line" "$secs")")
	printf '\n=== matrix: %s: %s (%d s)\n' "$label" "$line" "$secs"
}

for pair in "${PAIRS[@]}"; do
	kline=${pair%%:*}
	envname=${pair#*:}
	t0=$SECONDS
	out=$(mktemp)
	printf '\n=== matrix: kernel %s with the crash of %s (%s)\n' "$kline" "$envname" "$(date -u +%H:%M:%S)"
	if ! fx=$(tests/vmcore/make-fixture.sh --kernel "$kline" --print-env); then
		record "$kline x $envname" "0 passed, 1 failed" $((SECONDS - t0))
		rm -f "$out"
		continue
	fi
	kver=$(sed -n 's/^PYKDUMP_KVER=//p' <<<"$fx")
	# the pure-Python and C unit parts once per environment; lint once
	parts=$CRASH_PARTS
	if [[ -z ${env_seen[$envname]:-} ]]; then
		parts="build unit python host integration integration-elf"
		[[ $envname == host ]] && parts="build unit python lint host integration integration-elf"
		env_seen[$envname]=1
	fi
	logs=build/test-logs-matrix/$kline-$envname
	if [[ $envname == host ]]; then
		cv=$(crash --version 2>/dev/null | sed -n 's/^crash \([0-9.]*\).*/\1/p' | head -n1)
		(
			eval "$fx"
			export PYKDUMP_VMLINUX PYKDUMP_VMCORE PYKDUMP_VMCORE_ELF \
				PYKDUMP_TRUTH PYKDUMP_TESTMOD PYKDUMP_KVER PYKDUMP_CRASH_ARGS
			MPK_TEST_PARTS=$parts MPK_TEST_LOGS=$logs make --no-print-directory check
		) 2>&1 | tee "$out"
	else
		if ! tools/distro-env.sh "$envname" setup; then
			record "$kline ($kver) x $envname" "0 passed, 1 failed" $((SECONDS - t0))
			rm -f "$out"
			continue
		fi
		cv=$(tools/distro-env.sh "$envname" crash-version)
		# distro-env passes the PYKDUMP_* variables into the chroot
		(
			eval "$fx"
			export PYKDUMP_VMLINUX PYKDUMP_VMCORE PYKDUMP_VMCORE_ELF \
				PYKDUMP_TRUTH PYKDUMP_TESTMOD PYKDUMP_KVER PYKDUMP_CRASH_ARGS
			tools/distro-env.sh "$envname" run sh -c \
				'[ -f config.mk ] || { autoconf && ./configure >/dev/null; } &&
				MPK_TEST_PARTS="$1" MPK_TEST_LOGS="$2" make --no-print-directory check' \
				sh "$parts" "$logs"
		) 2>&1 | tee "$out"
		printf 'logs: %s\n' "$(tools/distro-env.sh "$envname" tree)/$logs/latest"
	fi
	line=$(closing_line "$out")
	[[ -n $line ]] || line="0 passed, 1 failed"
	record "$kline ($kver) x crash ${cv:-?} ($envname)" "$line" $((SECONDS - t0))
	rm -f "$out"
done

printf '\n'
printf '%s\n' "${summary[@]}"
printf 'matrix: %d pairs, %d skipped\n' "${#PAIRS[@]}" "$total_skip"
printf '%d passed, %d failed\n' "$total_pass" "$total_fail"
((total_fail == 0))
