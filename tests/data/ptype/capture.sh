#!/bin/sh
# Capture gdb type text for the parser's tests, one file per line of
# commands.list, from one debugger run (loading vmlinux debuginfo is slow).
#
#   capture.sh crash OUTDIR    crash -s $PYKDUMP_VMLINUX $PYKDUMP_VMCORE
#                              (gdb 10.2 inside crash 8.0.2: what we parse)
#   capture.sh gdb OUTDIR      system gdb on $PYKDUMP_VMLINUX (comparison only)
#
# PYKDUMP_TESTMOD, when set, is loaded with `mod -s testmod` first (crash
# mode) so that commands-testmod.list can be captured too.
# The output files are written by this script only: never edit them by hand.
set -eu

mode=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
cmdfile=${CMDFILE:-$here/commands.list}
: "${PYKDUMP_VMLINUX:?run tests/vmcore/make-fixture.sh --print-env}"
mkdir -p "$out"
mark='@@@@MPK-CAPTURE@@@@'
raw=$(mktemp)
trap 'rm -f "$raw" "$raw.in"' EXIT

case $mode in
gdb)
	set --
	while IFS='	' read -r name cmd; do
		case $name in '#'*|'') continue ;; *.cwhatis) continue ;; esac
		set -- "$@" -ex "echo $mark $name\\n" -ex "${cmd#gdb }"
	done < "$cmdfile"
	# gdb prints errors on stderr: merge so each lands after its marker.
	gdb -batch -nx "$@" "$PYKDUMP_VMLINUX" > "$raw" 2>&1 || true
	;;
crash)
	: "${PYKDUMP_VMCORE:?}"
	{
		if [ -n "${PYKDUMP_TESTMOD:-}" ]; then
			echo "mod -s testmod $PYKDUMP_TESTMOD"
		fi
		while IFS='	' read -r name cmd; do
			case $name in '#'*|'') continue ;; esac
			echo "!echo $mark $name"
			echo "$cmd"
		done < "$cmdfile"
		echo quit
	} > "$raw.in"
	crash -s "$PYKDUMP_VMLINUX" "$PYKDUMP_VMCORE" < "$raw.in" > "$raw" 2>&1 || true
	;;
*)
	echo "usage: $0 crash|gdb OUTDIR" >&2
	exit 2
	;;
esac

awk -v mark="$mark" -v out="$out" '
	index($0, mark) == 1 { if (f) close(f); f = out "/" $2 ".txt"; printf "" > f; next }
	f { print > f }
' "$raw"
