#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every kind of test, each part on its own, and ends with one line
# "N passed, N failed" over all of them (tests/tally.py). A part that
# fails, or cannot run, is counted and the others still run. Called by
# `make check` and `make check-asan` (tests/tests.mk); it can be run by
# hand from the top of the tree.
#
#   tests/run-tests.sh [PART ...]
#
# Parts, in order: build fixture unit python lint host integration
# integration-elf fixture-kdump integration-kdump-made (default: all).
# Environment:
#   MPK_SO            the mpykdump.so under test (default mpykdump.so)
#   MPK_BUILD_CMD     how to build it (default: make MPK_SO)
#   MPK_CRASH         the command that starts crash (default crash); e.g.
#                     "env LD_PRELOAD=.../libasan.so.8 crash" under ASan
#   MPK_PYTHON        the Python of the host-side tests (config.mk PYTHON)
#   MPK_TEST_PATTERN  passed to tests/integration/runner.py
#   MPK_TEST_LOGS     where each run's logs go (build/test-logs/latest/)
#   MPK_TEST_TIMEOUT  seconds one crash session may take (900)
#   MPK_HOST_TESTS    the host part's test modules, e.g. "test_docs" (default:
#                     all of tests/host; tests/check-matrix.sh picks)
#   PYKDUMP_VMCORE... the fixture; else tests/vmcore/make-fixture.sh
#   PYKDUMP_VMCORE_KDUMP... the kdump-made dump; else, as root,
#                     tests/vmcore/make-kdump-fixture.sh builds it (a
#                     non-root run without it skips integration-kdump-made)
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit 2
MAKE=${MAKE:-make}
SO=$(realpath -m "${MPK_SO:-mpykdump.so}")
BUILD_CMD=${MPK_BUILD_CMD:-$MAKE --no-print-directory ${MPK_SO:-mpykdump.so}}
CRASH=${MPK_CRASH:-crash}
PY=${MPK_PYTHON:-}
if [[ -z $PY ]]; then
	PY=$(sed -n 's/^PYTHON *= *//p' config.mk 2>/dev/null)
	PY=${PY:-python3}
fi
LOGS=${MPK_TEST_LOGS:-build/test-logs}
TIMEOUT=${MPK_TEST_TIMEOUT:-900}
PATTERN=${MPK_TEST_PATTERN:-}
PARTS=("$@")
if ((${#PARTS[@]} == 0)); then
	read -r -a PARTS <<<"${MPK_TEST_PARTS:-build fixture unit python lint host integration integration-elf fixture-kdump integration-kdump-made}"
fi

# One directory per run, LOGS/latest pointing at it: people share this
# checkout, and two runs at once must not mix their logs. The last 10 stay.
mkdir -p "$LOGS"
BASE=$(cd "$LOGS" && pwd)
LOGS=$(mktemp -d "$BASE/run-$(date -u +%Y%m%dT%H%M%S)-XXXX")
ln -sfn "${LOGS##*/}" "$BASE/latest"
ls -dt "$BASE"/run-* 2>/dev/null | tail -n +11 | xargs -r rm -rf
START=$SECONDS

wants() {
	local p
	for p in "${PARTS[@]}"; do [[ $p == "$1" ]] && return 0; done
	return 1
}

# run_part NAME CMD...: run CMD, show and log its output, keep its status.
run_part() {
	local name=$1 t0=$SECONDS rc
	shift
	printf '\n=== %s: %s\n' "$name" "$*"
	"$@" 2>&1 | tee "$LOGS/$name.log"
	rc=${PIPESTATUS[0]}
	echo "$rc" >"$LOGS/$name.rc"
	echo "$name" >>"$LOGS/parts"
	printf '=== %s: exit status %s, %d s\n' "$name" "$rc" $((SECONDS - t0))
	return "$rc"
}

# A part that could not run: one failure, with the reason in its log.
not_run() {
	printf '\n=== %s: not run: %s\n' "$1" "$2"
	echo "not run: $2" >"$LOGS/$1.log"
	echo 1 >"$LOGS/$1.rc"
	echo "$1" >>"$LOGS/parts"
}

# PEP 8 over our Python (flake8's default settings): one test, passed
# when flake8 reports nothing.
LINT_PATHS=(pykdump progs tools tests bench)
run_flake8() {
	local out rc
	out=$(flake8 "${LINT_PATHS[@]}" 2>&1)
	rc=$?
	if [[ -z $out && $rc == 0 ]]; then
		echo "flake8 ${LINT_PATHS[*]}: no findings"
		echo "lint: 1 passed, 0 failed"
		return 0
	fi
	printf '%s\n' "$out"
	printf 'flake8 %s: %d lines of findings, exit status %d\n' \
		"${LINT_PATHS[*]}" "$(grep -c . <<<"$out")" "$rc"
	echo "lint: 0 passed, 1 failed"
	return 1
}

# One crash session running the integration tests on one dump.
crash_runner() {
	local format=$1 core=$2 dir
	dir=$(mktemp -d)
	# crash's cwd is scratch: tests may write files
	printf 'extend %s\nepython %s/tests/integration/runner.py --format %s %s\nquit\n' \
		"$SO" "$TOP" "$format" "$PATTERN" |
		(cd "$dir" && timeout -k 10 "$TIMEOUT" $CRASH -s ${PYKDUMP_CRASH_ARGS:-} "$PYKDUMP_VMLINUX" "$core")
	local rc=$?
	rm -rf "$dir"
	return "$rc"
}

no_kdump_dump() {
	echo "no kdump-made dump: tests/vmcore/make-kdump-fixture.sh builds it as root"
	echo "0 passed, 0 failed, 1 skipped"
}

have_so=0
if wants build; then
	# a command line, with its own quoting
	run_part build bash -c "$BUILD_CMD" && have_so=1
elif [[ -f $SO ]]; then
	have_so=1
fi

have_fixture=0
if [[ -n ${PYKDUMP_VMCORE:-} && -f ${PYKDUMP_VMCORE:-} ]]; then
	have_fixture=1
elif wants fixture; then
	if run_part fixture tests/vmcore/make-fixture.sh --print-env; then
		eval "$(grep '^PYKDUMP_[A-Z_]*=' "$LOGS/fixture.log")"
		export PYKDUMP_VMLINUX PYKDUMP_VMCORE PYKDUMP_VMCORE_ELF \
			PYKDUMP_TRUTH PYKDUMP_TESTMOD PYKDUMP_KVER PYKDUMP_CRASH_ARGS
		have_fixture=1
	fi
fi

if wants unit; then
	if [[ -f tests/unit/unit.mk ]]; then
		run_part unit $MAKE --no-print-directory unit-check
	else
		printf '\n=== unit: tests/unit/unit.mk absent, no C unit tests\n'
	fi
fi

if wants python; then
	run_part python "$PY" -m unittest discover -s tests/python -t .
fi

if wants lint; then
	if command -v flake8 >/dev/null; then
		run_part lint run_flake8
	else
		not_run lint "flake8 is not installed (tools/install-deps.sh installs it)"
	fi
fi

export MPK_SO=$SO MPK_CRASH=$CRASH
why=
((have_so)) || why="$SO was not built"
((have_fixture)) || why="${why:+$why; }no vmcore fixture"

if wants host; then
	if [[ -n $why ]]; then
		not_run host "$why"
	elif [[ -n ${MPK_HOST_TESTS:-} ]]; then
		read -r -a mods <<<"$MPK_HOST_TESTS"
		run_part host "$PY" -m unittest -v "${mods[@]/#/tests.host.}"
	else
		run_part host "$PY" -m unittest discover -s tests/host -t . -v
	fi
fi

if wants integration; then
	if [[ -z $why ]]; then
		run_part integration crash_runner kdump "$PYKDUMP_VMCORE"
	else
		not_run integration "$why"
	fi
fi

if wants integration-elf; then
	if [[ -n $why ]]; then
		not_run integration-elf "$why"
	elif [[ ! -f ${PYKDUMP_VMCORE_ELF:-} ]]; then
		not_run integration-elf "no ELF dump in the fixture"
	else
		run_part integration-elf crash_runner elf "$PYKDUMP_VMCORE_ELF"
	fi
fi

# The dump a crash kernel made (tests/vmcore/make-kdump-fixture.sh): its
# own session, the modules with 'kdump-made' in DUMP_FORMATS.
have_kdump=0
if [[ -n ${PYKDUMP_VMCORE_KDUMP:-} && -f ${PYKDUMP_VMCORE_KDUMP:-} ]]; then
	have_kdump=1
elif wants fixture-kdump && [[ $(id -u) == 0 ]]; then
	if run_part fixture-kdump tests/vmcore/make-kdump-fixture.sh --print-env; then
		eval "$(grep '^PYKDUMP_[A-Z_]*=' "$LOGS/fixture-kdump.log")"
		export PYKDUMP_VMCORE_KDUMP PYKDUMP_KDUMP_TRUTH PYKDUMP_KDUMP_VMLINUX
		have_kdump=1
	fi
elif wants fixture-kdump && kenv=$(tests/vmcore/make-kdump-fixture.sh --print-env --cached 2>/dev/null); then
	eval "$kenv"
	export PYKDUMP_VMCORE_KDUMP PYKDUMP_KDUMP_TRUTH PYKDUMP_KDUMP_VMLINUX
	have_kdump=1
fi

if wants integration-kdump-made; then
	if [[ -n $why ]]; then
		not_run integration-kdump-made "$why"
	elif ((have_kdump)); then
		PYKDUMP_VMLINUX=${PYKDUMP_KDUMP_VMLINUX:-$PYKDUMP_VMLINUX} PYKDUMP_CRASH_ARGS= \
			run_part integration-kdump-made crash_runner kdump-made "$PYKDUMP_VMCORE_KDUMP"
	else
		# building it needs root (mknod): skipped, not failed
		run_part integration-kdump-made no_kdump_dump
	fi
fi

printf '\n=== all parts done in %d s\n' $((SECONDS - START))
# the tally's last line is the run's last line
exec "$PY" tests/tally.py "$LOGS"
