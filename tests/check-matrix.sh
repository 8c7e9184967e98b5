#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The test suite on every (kernel, crash) pair a support engineer meets:
# each kernel line's fixture (tests/vmcore/make-fixture.sh --kernel) opened
# by each crash that can open it, bookworm's on the host, trixie's and sid's
# in their chroots (tools/distro-env.sh), each with its own mpykdump.so
# built against that crash and that release's Python. Called by
# `make check-matrix`; needs root (fixtures, chroots).
#
#   tests/check-matrix.sh [KERNEL:ENV ...]   default: all pairs below
#   tests/check-matrix.sh --pairs            print the default pairs
#   tests/check-matrix.sh --prepare [PAIRS]  make the pairs' chroots only
#
# ENV is host (bookworm, crash 8.0.2), trixie (8.0.6) or sid (9.0.2). One
# closing line per pair, then the sum; the last line is "N passed, N
# failed[, N skipped]". A pair whose fixture or environment cannot be made
# counts one failure.
#
# What runs where: the first pair of each environment runs the whole suite;
# the later ones only what the kernel can change (the build, the
# integration tests on both dump formats, and the host tests not listed in
# SESSION_HOST_TESTS). The chroots are made in the background while the
# first pairs' fixtures are built (one waits on the network and dpkg, the
# other on QEMU).
#
# Environment:
#   MPK_MATRIX_DEADLINE     a time (seconds since the epoch): a pair is not
#                           started with less than MIN_LEFT seconds to go,
#                           and one still running then is stopped; both
#                           count one skipped test and are named with the
#                           reason, never passed (.ci/run's time budget)
#   MPK_MATRIX_TESTED_ENVS  environments whose once-per-environment parts
#                           already ran (check-all: "host", by make check)
# Each pair's logs: build/test-logs-matrix/KERNEL-ENV/latest (on the host;
# for a chroot under its root, printed at the end of the pair); the
# background chroot set-up's: build/test-logs-matrix/prepare.log.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit 2
SELF=$TOP/tests/check-matrix.sh
# crash 8.0.2 cannot open 6.12 and later (it stops at "page_offset_base");
# 6.1 is also run by the newer crash versions, first in each environment:
# the docs' examples show a 6.1 dump.
DEFAULT_PAIRS=(6.1:host 5.10:host 6.1:trixie 6.12:trixie 6.1:sid 6.12:sid 7.2:sid)
# Host tests of crash's session (the console, ^C, the help pages, the
# docs, memory over many runs): what they check depends on crash, gdb and
# Python, not on the dump, so they run in the first pair of each
# environment. A host test module not listed here runs in every pair.
SESSION_HOST_TESTS=(test_docs test_epython_console test_epython_console_pty
	test_epython_safety test_epython_session test_epython_sigint
	test_epython_soak test_epython_version test_help_pages
	test_run_lifecycle test_scratch test_tally)
DEADLINE=${MPK_MATRIX_DEADLINE:-}
MIN_LEFT=120
# timeout(1)'s status when it stopped the command (TERM, then KILL)
TIMED_OUT=(124 137)

# The environments (other than the host) of pairs "$@", in order, once.
pair_envs() {
	local p
	for p; do
		[[ ${p#*:} == host ]] || printf '%s\n' "${p#*:}"
	done | awk '!seen[$0]++'
}

# Seconds to the deadline; a large number when there is none.
seconds_left() {
	if [[ -z $DEADLINE ]]; then
		echo 999999
	else
		echo $((DEADLINE - $(date +%s)))
	fi
}

# LIMIT: the command that runs a command in its own process group and
# stops it (the whole group: QEMU, crash, the chroot's commands; TERM, then
# KILL) at the deadline.
set_limit() {
	local left=0 # timeout 0: no limit
	[[ -n $DEADLINE ]] && left=$(seconds_left)
	LIMIT=(timeout -k 30 "$left")
}

# Tests of one pair, run as a child of its own so that the deadline can stop
# it with all it started: the fixture, the environment, make check.
one_pair() { # KLINE ENV PARTS LOGS HOST_TESTS
	local kline=$1 envname=$2 parts=$3 logs=$4 host_tests=$5 fx cv
	fx=$(tests/vmcore/make-fixture.sh --kernel "$kline" --print-env) || {
		echo "matrix: no fixture for kernel line $kline"
		return 1
	}
	eval "$fx"
	export PYKDUMP_VMLINUX PYKDUMP_VMCORE PYKDUMP_VMCORE_ELF \
		PYKDUMP_TRUTH PYKDUMP_TESTMOD PYKDUMP_KVER PYKDUMP_CRASH_ARGS
	if [[ $envname == host ]]; then
		cv=$(crash --version 2>/dev/null | sed -n 's/^crash \([0-9.]*\).*/\1/p' | head -n1)
		printf 'matrix-pair: %s %s\n' "$PYKDUMP_KVER" "${cv:-?}"
		MPK_TEST_PARTS=$parts MPK_TEST_LOGS=$logs MPK_HOST_TESTS=$host_tests \
			make --no-print-directory check
		return
	fi
	tools/distro-env.sh "$envname" setup || {
		echo "matrix: no $envname environment"
		return 1
	}
	cv=$(tools/distro-env.sh "$envname" crash-version)
	printf 'matrix-pair: %s %s\n' "$PYKDUMP_KVER" "${cv:-?}"
	# distro-env passes the PYKDUMP_* variables into the chroot
	tools/distro-env.sh "$envname" run sh -c \
		'[ -f config.mk ] || { autoconf && ./configure >/dev/null; } &&
		MPK_TEST_PARTS="$1" MPK_TEST_LOGS="$2" MPK_HOST_TESTS="$3" \
			make --no-print-directory check' \
		sh "$parts" "$logs" "$host_tests"
	local rc=$?
	printf 'logs: %s\n' "$(tools/distro-env.sh "$envname" tree)/$logs/latest"
	return "$rc"
}

case ${1:-} in
--pairs)
	printf '%s\n' "${DEFAULT_PAIRS[@]}"
	exit 0
	;;
--prepare)
	shift
	(($#)) || set -- "${DEFAULT_PAIRS[@]}"
	rc=0
	for e in $(pair_envs "$@"); do
		printf '=== matrix: setting up %s (%s)\n' "$e" "$(date -u +%H:%M:%S)"
		t0=$SECONDS
		tools/distro-env.sh "$e" setup || rc=1
		printf '=== matrix: %s set up in %d s\n' "$e" $((SECONDS - t0))
	done
	exit "$rc"
	;;
--one-pair)
	shift
	one_pair "$@"
	exit
	;;
esac

PAIRS=("$@")
((${#PAIRS[@]})) || PAIRS=("${DEFAULT_PAIRS[@]}")
CRASH_PARTS="build host integration integration-elf"

# Host test modules that run in every pair: all but the session ones.
kernel_host_tests() {
	local f m s
	for f in tests/host/test_*.py; do
		m=${f##*/}
		m=${m%.py}
		for s in "${SESSION_HOST_TESTS[@]}"; do
			[[ $m == "$s" ]] && continue 2
		done
		printf '%s ' "$m"
	done
}
KERNEL_HOST_TESTS=$(kernel_host_tests)

total_pass=0
total_fail=0
total_skip=0
summary=()
skipped_pairs=()
declare -A env_seen=()
for e in ${MPK_MATRIX_TESTED_ENVS:-}; do
	env_seen[$e]=1
done

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

# A pair the time budget left out: one skipped test, named, with why.
skip_pair() { # PAIR LABEL REASON
	total_skip=$((total_skip + 1))
	skipped_pairs+=("$1")
	summary+=("$(printf 'matrix: %-34s skipped: %s' "$2" "$3")")
	printf '\n=== matrix: %s: skipped: %s\n' "$2" "$3"
}

# The chroots, in the background, in pair order; a pair that needs one
# waits for it (distro-env's set-up lock).
mkdir -p build/test-logs-matrix
prep_pid=
if [[ -n $(pair_envs "${PAIRS[@]}") && $(id -u) == 0 && $(seconds_left) -gt $MIN_LEFT ]]; then
	set_limit
	"${LIMIT[@]}" bash "$SELF" --prepare "${PAIRS[@]}" >build/test-logs-matrix/prepare.log 2>&1 &
	prep_pid=$!
fi

for pair in "${PAIRS[@]}"; do
	kline=${pair%%:*}
	envname=${pair#*:}
	t0=$SECONDS
	left=$(seconds_left)
	if ((left < MIN_LEFT)); then
		skip_pair "$pair" "$kline x $envname" \
			"not started: $((left > 0 ? left : 0)) s of the time budget left"
		continue
	fi
	out=$(mktemp)
	printf '\n=== matrix: kernel %s with the crash of %s (%s)\n' "$kline" "$envname" "$(date -u +%H:%M:%S)"
	# the pure-Python and C unit parts, lint and the session host tests
	# once per environment; the rest in every pair
	parts=$CRASH_PARTS
	host_tests=$KERNEL_HOST_TESTS
	first=0
	if [[ -z ${env_seen[$envname]:-} ]]; then
		first=1
		parts="build unit python host integration integration-elf"
		[[ $envname == host ]] && parts="build unit python lint host integration integration-elf"
		host_tests=
	elif [[ -z ${host_tests// /} ]]; then
		parts=${parts/host /}
	fi
	logs=build/test-logs-matrix/$kline-$envname
	set_limit
	"${LIMIT[@]}" bash "$SELF" --one-pair "$kline" "$envname" "$parts" "$logs" "$host_tests" \
		</dev/null 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	kver='' cv=''
	read -r kver cv < <(sed -n 's/^matrix-pair: //p' "$out" | tail -n1)
	label="$kline (${kver:-?}) x crash ${cv:-?} ($envname)"
	if [[ -n $DEADLINE && " ${TIMED_OUT[*]} " == *" $rc "* ]]; then
		skip_pair "$pair" "$label" \
			"stopped at the end of the time budget after $((SECONDS - t0)) s"
		rm -f "$out"
		continue
	fi
	((first)) && env_seen[$envname]=1
	line=$(closing_line "$out")
	[[ -n $line ]] || line="0 passed, 1 failed"
	record "$label" "$line" $((SECONDS - t0))
	rm -f "$out"
done

# the set-up of environments whose pairs were all skipped stops here
if [[ -n $prep_pid ]]; then
	[[ -n $DEADLINE ]] && kill -TERM "$prep_pid" 2>/dev/null
	wait "$prep_pid" 2>/dev/null
	prep_rc=$?
	if ((prep_rc != 0)) && [[ " ${TIMED_OUT[*]} 143 " != *" $prep_rc "* ]]; then
		printf '\n=== matrix: the chroots'"'"' set-up failed:\n'
		tail -n 20 build/test-logs-matrix/prepare.log
	fi
fi

printf '\n'
printf '%s\n' "${summary[@]}"
if ((${#skipped_pairs[@]})); then
	printf 'matrix: not run in the time budget: %s\n' "${skipped_pairs[*]}"
fi
printf 'matrix: %d pairs\n' "${#PAIRS[@]}"
if ((total_skip)); then
	printf '%d passed, %d failed, %d skipped\n' "$total_pass" "$total_fail" "$total_skip"
else
	printf '%d passed, %d failed\n' "$total_pass" "$total_fail"
fi
((total_fail == 0))
