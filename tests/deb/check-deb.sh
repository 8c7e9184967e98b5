#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package, as a support engineer would use it (make check-deb;
# .ci/run runs it too). As root, on Debian with tools/install-deps.sh done:
#   make dist -> unpack -> dpkg-buildpackage -us -uc -b -> lintian (no E:)
#   -> apt-get install ./mpykdump_*.deb -> crash on the fixture with
#   "extend mpykdump.so" (no path), "help xportshow", "epython -v"
#   -> man mpykdump -> make install/uninstall in the unpacked tree
#   -> apt-get purge.
# One line per check (PASS/FAIL name), then "N passed, N failed".
# make dist packs HEAD: commit first, uncommitted changes are not tested.
# The installed package is purged at the end, whatever happened, so the
# tree's own tests never load the packaged .so.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
TOP=$PWD
passed=0
failed=0
WORK=$(mktemp -d /tmp/mpk-deb.XXXXXX)
installed_here=0

check() {	# check NAME COMMAND...: one PASS/FAIL line
	local name=$1
	shift
	if "$@" >"$WORK/last.log" 2>&1; then
		echo "PASS $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		sed 's/^/    /' "$WORK/last.log" | tail -n 25
		failed=$((failed + 1))
	fi
}

finish() {
	if ((installed_here)); then
		apt-get -o DPkg::Lock::Timeout=300 purge -y -q mpykdump \
			>"$WORK/purge.log" 2>&1 ||
			{ echo "FAIL purge"; cat "$WORK/purge.log"; failed=$((failed + 1)); }
	fi
	rm -rf "$WORK"
	echo "$passed passed, $failed failed"
	((failed == 0))
}
trap 'finish; exit $?' EXIT

if (($(id -u) != 0)); then
	echo "check-deb: must run as root (apt-get install)"
	failed=1
	exit 1
fi
if dpkg-query -W -f='${Status}' mpykdump 2>/dev/null | grep -q installed; then
	echo "check-deb: mpykdump is already installed; not touching it"
	failed=1
	exit 1
fi
version=$(cat VERSION)

# The source tarball: the committed tree with configure made.
check "make dist gives mpykdump-$version.tar.gz" \
	make --no-print-directory -s dist
tarball=$TOP/mpykdump-$version.tar.gz
tar -xzf "$tarball" -C "$WORK" && rm -f "$tarball"
src=$WORK/mpykdump-$version
check "the tarball ships configure" test -x "$src/configure"

# The package, built from the tarball.
build_deb() (
	cd "$src" && dpkg-buildpackage -us -uc -b
)
check "dpkg-buildpackage -us -uc -b" build_deb
deb=$(ls "$WORK"/mpykdump_*_amd64.deb 2>/dev/null | head -n1)
check "the .deb is version $version (debian/changelog = VERSION)" \
	test "$(dpkg-deb -f "$deb" Version 2>/dev/null)" = "$version"
no_lintian_errors() {
	lintian "$WORK"/mpykdump_*_amd64.changes >"$WORK/lintian.txt" 2>&1
	cat "$WORK/lintian.txt"
	! grep -q '^E:' "$WORK/lintian.txt"
}
check "lintian: no errors" no_lintian_errors
# the warnings and notes, for the log (only errors fail)
grep -E '^[WIPN]: ' "$WORK/lintian.txt" 2>/dev/null | sort | uniq -c |
	sed 's/^/    lintian: /'

# make install / make uninstall in the built tree leave nothing behind.
install_uninstall() {
	local dest=$WORK/dest
	make -C "$src" --no-print-directory install DESTDIR="$dest" &&
		test -f "$dest/usr/lib/crash/extensions/mpykdump.so" &&
		test -f "$dest/usr/share/man/man7/mpykdump.7" &&
		make -C "$src" --no-print-directory uninstall DESTDIR="$dest" &&
		test -z "$(find "$dest" -type f)"
}
check "make uninstall removes what make install put" install_uninstall

install_deb() {
	apt-get -o DPkg::Lock::Timeout=300 install -y -q "$deb"
}
if check "apt-get install ./mpykdump_${version}_amd64.deb" install_deb; then
	installed_here=1
fi

# crash finds it without a path; its pages and versions agree.
eval "$(tests/vmcore/make-fixture.sh --print-env)"
run_crash() (
	cd "$WORK" && env -u CRASH_EXTENSIONS crash -s "$PYKDUMP_VMLINUX" \
		"$PYKDUMP_VMCORE" <<-EOF
	extend mpykdump.so
	help xportshow
	epython -v
	exit
	EOF
)
run_crash >"$WORK/crash.out" 2>&1
cat_crash() { cat "$WORK/crash.out"; }
loaded_from_the_package() {
	cat_crash
	grep -qx "/usr/lib/crash/extensions/mpykdump.so: shared object loaded" \
		"$WORK/crash.out" &&
		grep -q "^mpykdump $version (Python" "$WORK/crash.out"
}
check "extend mpykdump.so loads /usr/lib/crash/extensions/mpykdump.so $version" \
	loaded_from_the_package
help_page() {
	cat_crash
	local s
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES; do
		grep -qx "$s" "$WORK/crash.out" || return 1
	done
	grep -q '^  xportshow - Networking of a dump' "$WORK/crash.out" &&
		grep -q -- '--tcpstate STATE' "$WORK/crash.out"
}
check "help xportshow is a full page" help_page
check "epython -v shows $version" \
	grep -q "^mpykdump C module $version " "$WORK/crash.out"
man_page() {
	MANPAGER=cat MANWIDTH=80 man mpykdump 2>&1 | tee "$WORK/man.txt" |
		head -n 12
	grep -q 'mpykdump - Python programs inside the crash dump' \
		"$WORK/man.txt"
}
check "man mpykdump" man_page
check "the HTML reference is installed" \
	test -f /usr/share/doc/mpykdump/html/reference/api.html
