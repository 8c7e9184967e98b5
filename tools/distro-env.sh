#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A build-and-test environment for another Debian release's crash: a
# debootstrap chroot (cached outside the checkout) with that release's
# crash, gdb and Python, and a copy of this tree built inside it against
# that crash's defs.h and that Python (mpykdump.so is per distribution:
# a bookworm .so needs libpython3.11, which trixie and sid do not have).
#
#   tools/distro-env.sh SUITE setup        make the chroot (once) and its packages
#   tools/distro-env.sh SUITE build        copy this tree in, configure, make
#   tools/distro-env.sh SUITE run CMD...   run CMD in the tree copy, as root
#   tools/distro-env.sh SUITE do CMD...    run CMD in /, no copy of the tree
#   tools/distro-env.sh SUITE crash-version  print the chroot's crash version
#   tools/distro-env.sh SUITE path         print the chroot's root directory
#   tools/distro-env.sh SUITE tree         print where this checkout's copy is
#
# SUITE: trixie (crash 8.0.6, Python 3.13) or sid (crash 9.0.2, Python 3.14).
# Needs root (mmdebstrap, else debootstrap; chroot, mount). Environment:
#   PYKDUMP_CHROOTS        cache of chroots (default $HOME/.cache/pykdump-chroots)
#   PYKDUMP_MIRROR         Debian mirror (default: the one apt already uses)
#   PYKDUMP_FIXTURE_CACHE  the vmcore fixtures, bound into the chroot at the
#                          same path (default $HOME/.cache/pykdump-fixture)
# Every PYKDUMP_* variable of the caller is passed to CMD. The tree copy is
# /work/pykdump-NAME-HASH inside the chroot, one per checkout (NAME is its
# directory's name, HASH of its path): `run` and `build` copy the
# checkout's current files there first (tracked and untracked, not ignored
# ones), holding the chroot's lock, so that two checkouts tested in one
# chroot never run each other's files. A copy whose checkout is gone, or
# that no run used for PRUNE_DAYS, is removed (CI clones anew each time).
set -euo pipefail
# a stop by signal (a time budget) still runs the EXIT trap: it unmounts
trap 'exit 143' TERM
trap 'exit 130' INT

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHROOTS=${PYKDUMP_CHROOTS:-$HOME/.cache/pykdump-chroots}
FIXTURES=${PYKDUMP_FIXTURE_CACHE:-$HOME/.cache/pykdump-fixture}
INNER=/work/pykdump-${TOP##*/}-$(printf '%s' "$TOP" | sha256sum | cut -c1-8)
PRUNE_DAYS=3

die() {
	printf 'distro-env: error: %s\n' "$*" >&2
	exit 1
}
say() { printf 'distro-env: %s\n' "$*" >&2; }

usage() {
	sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

(($# >= 2)) || usage 2
SUITE=$1
ACTION=$2
shift 2
case $SUITE in
trixie | sid | forky) ;;
*) die "unknown suite '$SUITE' (trixie or sid)" ;;
esac
ROOT=$CHROOTS/$SUITE

# The mirror apt already uses for Debian itself: no other network is needed.
mirror() {
	local m
	if [[ -n ${PYKDUMP_MIRROR:-} ]]; then
		printf '%s' "$PYKDUMP_MIRROR"
		return
	fi
	m=$(apt-get indextargets --format '$(REPO_URI)' 'Identifier: Packages' 2>/dev/null |
		grep -v -e security -e updates | grep '/debian/$' | head -n1)
	printf '%s' "${m:-http://deb.debian.org/debian/}"
}

# Whatever is still mounted at or below directory $1: a run stopped by
# SIGKILL (or a killed mmdebstrap) leaves its mounts, and rm -rf must never
# walk into the host's /dev or the fixtures.
unmount_below() {
	local d m
	d=$(realpath -m "$1")
	awk -v d="$d" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while IFS= read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
}

remove_tree() {
	[[ -e $1 ]] || return 0
	unmount_below "$1"
	rm -rf --one-file-system "$1"
}

# A minimal system of SUITE in directory $1. mmdebstrap (one apt run,
# parallel downloads) takes a minute or two where debootstrap takes ~6.
# dpkg's fsyncs are off for both: a chroot cut short is made again.
bootstrap() {
	local dir=$1 log=$CHROOTS/$SUITE.debootstrap.log
	if command -v mmdebstrap >/dev/null; then
		say "mmdebstrap $SUITE from $(mirror)"
		mmdebstrap --mode=root --variant=minbase --dpkgopt=force-unsafe-io \
			--aptopt='Acquire::Check-Valid-Until "false"' \
			"$SUITE" "$dir" "$(mirror)" >"$log" 2>&1 ||
			die "mmdebstrap $SUITE failed (see $log)"
		return 0
	fi
	command -v debootstrap >/dev/null ||
		die "missing tool: mmdebstrap or debootstrap (apt-get install mmdebstrap)"
	say "debootstrap $SUITE from $(mirror) (a few minutes)"
	debootstrap --variant=minbase "$SUITE" "$dir" "$(mirror)" >"$log" 2>&1 ||
		die "debootstrap $SUITE failed (see $log)"
	mkdir -p "$dir/etc/dpkg/dpkg.cfg.d"
	printf 'force-unsafe-io\n' >"$dir/etc/dpkg/dpkg.cfg.d/99pykdump-unsafe-io"
}

# The tree copy's own packages: tools/install-deps.sh --build-only, as on a
# real machine of that release (what it installs is listed there). One
# set-up of a suite at a time: tests/check-matrix.sh makes the chroots in
# the background while a fixture build may ask for the same one.
setup() {
	[[ $(id -u) == 0 ]] || die "making a chroot needs root"
	mkdir -p "$CHROOTS"
	exec 7>"$CHROOTS/.$SUITE.setup.lock"
	flock 7
	if [[ ! -f $ROOT/.debootstrap.ok ]]; then
		local tmp=$CHROOTS/.$SUITE.tmp
		remove_tree "$tmp"
		bootstrap "$tmp"
		remove_tree "$ROOT"
		mv "$tmp" "$ROOT"
		touch "$ROOT/.debootstrap.ok"
	fi
	# the mirror may be a dated snapshot whose sid Release file has expired
	printf 'Acquire::Check-Valid-Until "false";\n' \
		>"$ROOT/etc/apt/apt.conf.d/99pykdump-no-expiry"
	local stamp
	stamp=$(sha256sum "$TOP/tools/install-deps.sh" | cut -c1-16)
	if [[ $(cat "$ROOT/.deps.ok" 2>/dev/null) != "$stamp" ]]; then
		say "installing the build and test packages in $SUITE"
		install -D -m 0755 "$TOP/tools/install-deps.sh" "$ROOT/tmp/install-deps.sh"
		# an install stopped half-way (a time budget) must be finished first
		in_chroot / sh -c 'dpkg --configure -a && /tmp/install-deps.sh --build-only' \
			>"$CHROOTS/$SUITE.deps.log" 2>&1 ||
			die "installing packages in $SUITE failed (see $CHROOTS/$SUITE.deps.log)"
		printf '%s\n' "$stamp" >"$ROOT/.deps.ok"
	fi
	exec 7>&-
}

MOUNTED=()
unmount_all() {
	local i
	for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
		umount -l "${MOUNTED[i]}" 2>/dev/null || true
	done
	MOUNTED=()
}

bind() { # bind host directory $1 at the same path inside the chroot
	mkdir -p "$ROOT$1"
	mount --bind "$1" "$ROOT$1" || die "cannot bind $1 into $ROOT"
	MOUNTED+=("$ROOT$1")
}

# Run "$@" inside the chroot in directory $1, with the caller's PYKDUMP_*
# variables. One user of a chroot at a time: the mounts are per run.
in_chroot() {
	local dir=$1 v envs=()
	shift
	exec 8>"$CHROOTS/.$SUITE.lock"
	flock 8
	# under the lock, a mount in the chroot is a killed run's
	unmount_below "$ROOT"
	# the copy is made under the lock: it is what this run tests
	[[ $dir != "$INNER" ]] || sync_tree
	trap unmount_all EXIT
	mkdir -p "$ROOT/proc" "$ROOT/dev"
	mount -t proc proc "$ROOT/proc" && MOUNTED+=("$ROOT/proc")
	mount --rbind /dev "$ROOT/dev" && MOUNTED+=("$ROOT/dev")
	mkdir -p "$FIXTURES"
	bind "$FIXTURES"
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
	while IFS= read -r v; do
		envs+=("$v=${!v}")
	done < <(compgen -e | grep '^PYKDUMP_' || true)
	local rc=0
	chroot "$ROOT" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 PYKDUMP_FIXTURE_CACHE="$FIXTURES" "${envs[@]}" \
		/bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$dir" "$@" || rc=$?
	unmount_all
	trap - EXIT
	exec 8>&-
	return "$rc"
}

# Copy the checkout's current files (tracked, and untracked but not ignored)
# into the chroot; mtimes are kept, so make rebuilds only what changed. A
# file the previous copy had and the checkout no longer has (a deleted
# test, say) is removed, or it would still run in the chroot: the list of
# what was copied is kept beside the copy.
sync_tree() {
	local list=$ROOT$INNER/.pykdump-files f
	mkdir -p "$ROOT$INNER"
	(cd "$TOP" && git ls-files -z -c -o --exclude-standard |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) \
		>"$list.new" || die "cannot list the checkout's files"
	(cd "$TOP" && tar -c --null -T - -f -) <"$list.new" |
		tar -x -C "$ROOT$INNER" ||
		die "cannot copy the tree into $ROOT$INNER"
	if [[ -f $list ]]; then
		while IFS= read -r -d '' f; do
			rm -f -- "$ROOT$INNER/$f"
		done < <(comm -z -23 <(sort -z "$list") <(sort -z "$list.new"))
	fi
	mv "$list.new" "$list"
	printf '%s\n' "$TOP" >"$ROOT$INNER/.pykdump-checkout"
	prune_copies
}

# Other checkouts' copies: gone with their checkout, or unused for
# PRUNE_DAYS (a copy of an earlier layout, without .pykdump-checkout, by
# its directory's age). Called under the chroot's lock.
prune_copies() {
	local d mark origin
	for d in "$ROOT"/work/pykdump "$ROOT"/work/pykdump-*; do
		[[ -d $d && $d != "$ROOT$INNER" ]] || continue
		mark=$d/.pykdump-checkout
		[[ -f $mark ]] || mark=$d
		origin=$(cat "$d/.pykdump-checkout" 2>/dev/null || true)
		if [[ -n $origin && ! -d $origin ]] ||
			[[ -n $(find "$mark" -maxdepth 0 -mtime +"$((PRUNE_DAYS - 1))") ]]; then
			say "removing ${d#"$ROOT"}, the copy of ${origin:-an old checkout}"
			remove_tree "$d"
		fi
	done
}

build() {
	in_chroot "$INNER" sh -c 'autoconf && ./configure >/dev/null && make -j"$(nproc)"'
}

[[ $ACTION == path ]] && {
	printf '%s\n' "$ROOT"
	exit 0
}
[[ $ACTION == tree ]] && {
	printf '%s\n' "$ROOT$INNER"
	exit 0
}
[[ $ACTION == crash-version ]] && {
	[[ -x $ROOT/usr/bin/crash ]] || die "no crash in $ROOT: run '$0 $SUITE setup'"
	chroot "$ROOT" crash --version 2>/dev/null | sed -n 's/^crash \([0-9.]*\).*/\1/p' | head -n1
	exit 0
}
[[ $(id -u) == 0 ]] || die "chroot needs root"
case $ACTION in
setup) setup ;;
build)
	setup
	build
	;;
run)
	(($#)) || die "run: no command"
	[[ -f $ROOT/.deps.ok ]] || setup
	in_chroot "$INNER" "$@"
	;;
do)
	(($#)) || die "do: no command"
	[[ -f $ROOT/.deps.ok ]] || setup
	in_chroot / "$@"
	;;
-h | --help) usage 0 ;;
*) die "unknown action '$ACTION' (see --help)" ;;
esac
