#!/bin/bash
# Builds, once, a real kdump-compressed vmcore of one of Debian's kernels
# running a known scenario, plus truth.json describing that scenario.
# Everything lives in a cache outside the checkout; see README.md here.
#
#   make-fixture.sh              build if needed, print a summary
#   make-fixture.sh --print-env  build if needed, print only VAR=value lines
#   make-fixture.sh --force      rebuild even if cached
#   make-fixture.sh --kernel L   kernel line L: 6.1 (default, bookworm),
#                                5.10 (bullseye), 6.12 (trixie), 7.2 (sid)
#   make-fixture.sh --lines      list the kernel lines, one a line
#
# Packages of other releases are downloaded with a separate apt
# configuration (CACHE/apt-SUITE) and unpacked, never installed; testmod is
# built, and crash checks the dump, in that release's chroot
# (tools/distro-env.sh) when the host's compiler or crash cannot.
#
# Environment:
#   PYKDUMP_FIXTURE_CACHE    cache root (default $HOME/.cache/pykdump-fixture)
#   PYKDUMP_FIXTURE_KVER     kernel to use, e.g. 6.1.0-50-amd64 (default: the
#                            newest one of the line already in the cache, else
#                            the newest with -dbg and headers in the index)
#   PYKDUMP_SCENARIO_SOCKETS extra established loopback TCP connections
#                            (benchmark variant; default 0)
#   PYKDUMP_FIXTURE_TIMEOUT  seconds to wait for the guest's panic (300)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
TESTMOD_SRC=$TOP/tests/testmod
CACHE=${PYKDUMP_FIXTURE_CACHE:-$HOME/.cache/pykdump-fixture}
NSOCK=${PYKDUMP_SCENARIO_SOCKETS:-0}
TIMEOUT=${PYKDUMP_FIXTURE_TIMEOUT:-300}
TOOL=$HERE/fixture_tool.py
KEEP_FIXTURES=6

# In-tree modules the guest loads (their dependencies are added).
# crc32c_generic: ext4's metadata checksums ask the crypto API for crc32c,
# and the guest has no modprobe to load it on demand. A trailing "?" marks a
# module some kernels lack: Linux commit f2b4fa19647e ("ext4: switch to
# using the crc32c library") (v6.15) made ext4 call lib/crc32c directly.
GUEST_MODULES=(qemu_fw_cfg 'crc32c_generic?' ext4 brd dummy)

# Inputs of the scenario: a change to any of them makes a new fixture.
INPUTS=("$HERE/make-fixture.sh" "$HERE/init.sh" "$HERE/scenario.c"
	"$HERE/fixture_tool.py" "$TESTMOD_SRC/testmod.c"
	"$TESTMOD_SRC/Makefile" "$TESTMOD_SRC/expected.json")

die() {
	printf 'make-fixture: error: %s\n' "$*" >&2
	exit 1
}
say() { printf 'make-fixture: %s\n' "$*" >&2; }

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

# Kernel lines: the Debian release, the release names' pattern, and where
# testmod is built and crash opens the dump ("host" or a distro-env suite:
# crash 8.0.2 cannot open 6.12 and later, and their kbuild tools need a newer
# glibc than bookworm's).
declare -A LINE_SUITE=([5.10]=bullseye [6.1]=bookworm [6.12]=trixie [7.2]=sid)
declare -A LINE_RE=([5.10]='5\.10\.0-[0-9]+-amd64' [6.1]='6\.1\.0-[0-9]+-amd64'
	[6.12]='6\.12\.[0-9]+\+deb13-amd64' [7.2]='7\.2\.[0-9]+\+deb14-amd64')
declare -A LINE_ENV=([5.10]=host [6.1]=host [6.12]=trixie [7.2]=sid)
# crash options a line needs (PYKDUMP_CRASH_ARGS): crash 9.0.2 stops in
# module_init() on 7.2 ("invalid structure member offset:
# module_num_gpl_syms"), so it opens that dump without its modules.
declare -A LINE_CRASH_ARGS=([7.2]=--no_modules)

MODE=summary
FORCE=0
LINE=6.1
while (($#)); do
	case $1 in
	--print-env) MODE="env" ;;
	--force) FORCE=1 ;;
	--kernel)
		(($# >= 2)) || die "--kernel needs a kernel line"
		LINE=$2
		shift
		;;
	--kernel=*) LINE=${1#--kernel=} ;;
	--lines)
		printf '%s\n' "${!LINE_SUITE[@]}" | sort -V
		exit 0
		;;
	-h | --help) usage 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
if [[ -n ${PYKDUMP_FIXTURE_KVER:-} ]]; then
	# a kernel named in full belongs to the line whose pattern it matches
	for l in "${!LINE_RE[@]}"; do
		[[ $PYKDUMP_FIXTURE_KVER =~ ^${LINE_RE[$l]}$ ]] && LINE=$l
	done
fi
[[ -n ${LINE_SUITE[$LINE]:-} ]] || die "unknown kernel line '$LINE' (one of: $(printf '%s ' "${!LINE_SUITE[@]}"))"
SUITE=${LINE_SUITE[$LINE]}
KRE=${LINE_RE[$LINE]}
BUILD_ENV=${LINE_ENV[$LINE]}
CRASH_ARGS=${LINE_CRASH_ARGS[$LINE]:-}
[[ $NSOCK =~ ^[0-9]+$ ]] || die "PYKDUMP_SCENARIO_SOCKETS must be a number, not '$NSOCK'"
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "PYKDUMP_FIXTURE_TIMEOUT must be a number of seconds"

scenario_hash() {
	local f
	for f in "${INPUTS[@]}"; do
		[[ -f $f ]] || die "missing input file $f"
		printf '%s\n' "${f##*/}"
		cat "$f"
	done | {
		cat
		printf 'sockets=%s\n' "$NSOCK"
	} | sha256sum | cut -c1-16
}

# The newest kernel with a finished fixture of this scenario, if any.  No
# package index look-ups here: the cached path must stay instant.
find_built() {
	local d k best=
	for d in "$CACHE"/*/"$HASH"/truth.json; do
		[[ -f $d ]] || continue
		k=${d%/"$HASH"/truth.json}
		[[ -f $k/vmlinux ]] || continue
		[[ ${NEED_NOINDEX:-1} == 0 || -f $k/vmlinux.noindex ]] || continue
		k=${k##*/}
		if [[ -n ${PYKDUMP_FIXTURE_KVER:-} && $k != "$PYKDUMP_FIXTURE_KVER" ]]; then
			continue
		fi
		[[ $k =~ ^$KRE$ ]] || continue
		best=$(printf '%s\n%s\n' "$best" "$k" | sed '/^$/d' | sort -V | tail -n1)
	done
	printf '%s' "$best"
}

print_env() {
	local fix=$CACHE/$KVER/$HASH
	if [[ $MODE == env ]]; then
		printf 'PYKDUMP_VMLINUX=%q\n' "$CACHE/$KVER/vmlinux"
		printf 'PYKDUMP_VMLINUX_NOINDEX=%q\n' "$CACHE/$KVER/vmlinux.noindex"
		printf 'PYKDUMP_VMCORE=%q\n' "$fix/vmcore"
		printf 'PYKDUMP_VMCORE_ELF=%q\n' "$fix/vmcore.elf"
		printf 'PYKDUMP_TRUTH=%q\n' "$fix/truth.json"
		printf 'PYKDUMP_TESTMOD=%q\n' "$fix/testmod.ko"
		printf 'PYKDUMP_KVER=%q\n' "$KVER"
		printf 'PYKDUMP_KLINE=%q\n' "$LINE"
		printf 'PYKDUMP_CRASH_ARGS=%q\n' "$CRASH_ARGS"
	else
		printf 'fixture for %s (line %s, scenario %s, sockets=%s):\n' "$KVER" "$LINE" "$HASH" "$NSOCK"
		printf '  vmlinux      %s\n' "$CACHE/$KVER/vmlinux"
		printf '  no index     %s\n' "$CACHE/$KVER/vmlinux.noindex"
		printf '  vmcore       %s\n' "$fix/vmcore"
		printf '  vmcore.elf   %s\n' "$fix/vmcore.elf"
		printf '  truth.json   %s\n' "$fix/truth.json"
		printf '  testmod.ko   %s\n' "$fix/testmod.ko"
		printf '  serial log   %s\n' "$fix/serial.log"
		printf 'shell variables: %s --print-env\n' "$0"
	fi
}

# ------------------------------------------------------------ package index

# The host's own index serves the host's release (bookworm); any other
# release gets its own apt configuration, lists and cache in CACHE/apt-SUITE,
# so nothing of it reaches the host's apt state.
APT_OPTS=()
setup_apt() {
	local host_suite d mirror
	host_suite=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
	[[ $SUITE == "$host_suite" ]] && return 0
	d=$CACHE/apt-$SUITE
	mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Identifier: Packages' 2>/dev/null |
		grep -v -e security -e updates | grep '/debian/$' | head -n1)
	mirror=${mirror:-http://deb.debian.org/debian/}
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	printf 'deb %s %s main\n' "$mirror" "$SUITE" >"$d/sources.list"
	APT_OPTS=(-o "Dir::Etc::sourcelist=$d/sources.list" -o Dir::Etc::sourceparts=-
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o Acquire::Check-Valid-Until=false)
}

APT_UPDATED=0
apt_update_once() {
	[[ $APT_UPDATED == 1 ]] && return 0
	APT_UPDATED=1
	say "refreshing the package index of $SUITE (apt-get update)"
	apt-get "${APT_OPTS[@]}" update -qq >&2 || die "apt-get update failed"
}

# Candidate version of a package, empty if the index does not offer it.
apt_candidate() {
	local v
	v=$(apt-cache "${APT_OPTS[@]}" policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
	[[ $v == "(none)" ]] && v=
	printf '%s' "$v"
}

newest_in_index() {
	local names k
	names=$(apt-cache "${APT_OPTS[@]}" pkgnames linux-image- 2>/dev/null || true)
	if [[ -z $names ]]; then
		apt_update_once
		names=$(apt-cache "${APT_OPTS[@]}" pkgnames linux-image- 2>/dev/null || true)
	fi
	for k in $(printf '%s\n' "$names" | sed -n 's/^linux-image-\(.*\)-dbg$/\1/p' |
		grep -E "^$KRE$" | sort -rV); do
		if [[ -n $(apt_candidate "linux-image-$k") &&
			-n $(apt_candidate "linux-image-$k-dbg") &&
			-n $(apt_candidate "linux-headers-$k") ]]; then
			printf '%s' "$k"
			return 0
		fi
	done
}

cached_deb() { # newest cached .deb of package $1, or nothing
	local f
	f=$(find "$CACHE/debs" -maxdepth 1 -name "$1_*.deb" 2>/dev/null | sort -V | tail -n1)
	printf '%s' "$f"
}

# A kernel already prepared or fully downloaded wins over a newer one in the
# index: ~950 MB of downloads is by far the dearest part of a first build,
# and tests want a stable kernel.  PYKDUMP_FIXTURE_KVER overrides.
choose_kver() {
	local k f best=()
	if [[ -n ${PYKDUMP_FIXTURE_KVER:-} ]]; then
		printf '%s' "$PYKDUMP_FIXTURE_KVER"
		return 0
	fi
	for f in "$CACHE"/*/kernel.ok; do
		[[ -f $f ]] || continue
		k=${f%/kernel.ok}
		k=${k##*/}
		[[ $k =~ ^$KRE$ ]] && best+=("$k")
	done
	for f in "$CACHE"/debs/linux-image-*-amd64-dbg_*.deb "$CACHE"/x/usr/lib/debug/boot/vmlinux-*-amd64; do
		[[ -f $f ]] || continue
		k=${f##*/}
		k=${k#linux-image-}
		k=${k#vmlinux-}
		k=${k%%-dbg_*}
		[[ $k =~ ^$KRE$ ]] || continue
		if [[ -n $(cached_deb "linux-headers-$k") ]] &&
			[[ -n $(cached_deb "linux-image-$k") || -n $(cached_deb "linux-binary-$k") ]]; then
			best+=("$k")
		fi
	done
	if ((${#best[@]})); then
		printf '%s\n' "${best[@]}" | sort -V | tail -n1 | tr -d '\n'
		return 0
	fi
	k=$(newest_in_index)
	[[ -n $k ]] || die "no kernel of line $LINE ($KRE) with -dbg and headers in the $SUITE package index"
	printf '%s' "$k"
}

# Path of the .deb of package $1 in the cache, downloading it if needed.
fetch_deb() {
	local pkg=$1 f ver part
	f=$(cached_deb "$pkg")
	if [[ -n $f ]]; then
		printf '%s' "$f"
		return 0
	fi
	ver=$(apt_candidate "$pkg")
	if [[ -z $ver ]]; then
		apt_update_once
		ver=$(apt_candidate "$pkg")
	fi
	[[ -n $ver ]] || die "$pkg is not in the package index (kernel $KVER gone?) and not cached in $CACHE/debs"
	say "downloading $pkg $ver"
	part=$(mktemp -d "$CACHE/debs/.partial.XXXXXX")
	if ! (cd "$part" && apt-get "${APT_OPTS[@]}" download -q "$pkg=$ver" >"$part/log" 2>&1); then
		tail -n 5 "$part/log" >&2
		rm -rf "$part"
		die "download of $pkg=$ver failed"
	fi
	f=$(find "$part" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
	[[ -n $f ]] || die "apt-get download $pkg left no .deb"
	mv "$f" "$CACHE/debs/"
	rm -rf "$part"
	printf '%s' "$CACHE/debs/${f##*/}"
}

# --------------------------------------------------------- kernel, once

first_path() { # -f|-d PATH...: the first PATH that is a file|directory
	local kind=$1 p
	shift
	for p; do
		if test "$kind" "$p"; then
			printf '%s' "$p"
			return 0
		fi
	done
	return 1
}

# Module file path (relative to the extracted tree) by module name.
declare -A MODPATH=()
declare -A MODSEEN=()
MODORDER=()

index_modules() {
	local root=$1 f n
	while IFS= read -r f; do
		n=${f##*/}
		n=${n%%.ko*}
		MODPATH[${n//-/_}]=$f
	done < <(find "$root" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
}

# Copy module $1 and its dependencies into $2, recording the load order.
# Debian may ship compressed modules; busybox insmod cannot read those.
add_module() {
	local name=${1//-/_} out=$2 src dep deps optional=0
	if [[ $name == *\? ]]; then
		name=${name%\?}
		optional=1
	fi
	[[ -n ${MODSEEN[$name]:-} ]] && return 0
	MODSEEN[$name]=1
	src=${MODPATH[$name]:-}
	if [[ -z $src ]]; then
		((optional)) && return 0
		die "module $name not found in the packages of $KVER"
	fi
	case $src in
	*.ko.xz) xz -dc "$src" >"$out/$name.ko" ;;
	*.ko.zst) zstd -qdc "$src" >"$out/$name.ko" || die "need zstd to unpack $src" ;;
	*.ko.gz) gzip -dc "$src" >"$out/$name.ko" ;;
	*) cp "$src" "$out/$name.ko" ;;
	esac
	deps=$(readelf -p .modinfo "$out/$name.ko" | sed -n 's/.*]  depends=//p')
	for dep in ${deps//,/ }; do
		add_module "$dep" "$out"
	done
	MODORDER+=("$name")
}

# Run "$@" where this kernel line's testmod is built and its dumps are
# opened: on the host, or in a chroot of the kernel's release.
in_env() {
	if [[ $BUILD_ENV == host ]]; then
		"$@"
	else
		PYKDUMP_FIXTURE_CACHE=$CACHE "$TOP/tools/distro-env.sh" "$BUILD_ENV" do "$@"
	fi
}

# The kbuild tree testmod is built against (KBUILD_DIR), and extra make
# arguments (KBUILD_ARGS). The host's own release: linux-headers installed
# as usual. Another release: its headers, -common and kbuild packages
# unpacked into CACHE/KVER/headers, never installed on the host.
KBUILD_DIR=
KBUILD_ARGS=()
ensure_headers() {
	local h c log kdir=$CACHE/$KVER dep k pkgs=() compilers=()
	if [[ -z ${APT_OPTS[*]} ]]; then
		KBUILD_DIR=/lib/modules/$KVER/build
		[[ -f $KBUILD_DIR/Makefile ]] && return 0
		h=$(fetch_deb "linux-headers-$KVER")
		c=$(fetch_deb "linux-headers-${KVER%-amd64}-common")
		log=$CACHE/$KVER/headers-install.log
		say "installing linux-headers-$KVER"
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$h" "$c" >"$log" 2>&1; then
			apt_update_once
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$h" "$c" >"$log" 2>&1 ||
				die "installing linux-headers-$KVER failed (see $log)"
		fi
		[[ -f $KBUILD_DIR/Makefile ]] || die "linux-headers-$KVER installed but $KBUILD_DIR is missing"
		return 0
	fi
	KBUILD_DIR=$kdir/headers/usr/src/linux-headers-$KVER
	h=$(fetch_deb "linux-headers-$KVER")
	for dep in $(dpkg-deb -f "$h" Depends | tr -d ' ' | tr ',|' '\n\n' | sed 's/(.*//'); do
		case $dep in
		linux-headers-*-common | linux-kbuild-*) pkgs+=("$dep") ;;
		gcc-* | linux-compiler-gcc-*) compilers+=("$dep") ;;
		esac
	done
	if [[ ! -f $kdir/headers.ok ]]; then
		say "unpacking linux-headers-$KVER and ${pkgs[*]}"
		rm -rf "$kdir/headers"
		dpkg-deb -x "$h" "$kdir/headers" || die "cannot unpack $h"
		for k in "${pkgs[@]}"; do
			c=$(fetch_deb "$k")
			dpkg-deb -x "$c" "$kdir/headers" || die "cannot unpack $c"
		done
		touch "$kdir/headers.ok"
	fi
	# Debian's per-flavour Makefile names the -common one (and from 7.x
	# its own directory, KBUILD_OUTPUT) by the installed path
	sed -i "s#^\(include \|KBUILD_OUTPUT=\)/usr/src/#\1$kdir/headers/usr/src/#" "$KBUILD_DIR/Makefile"
	# what kbuild's tools need at run time (libelf for objtool, pahole for
	# the modules' BTF), by that release's package names
	for k in "${pkgs[@]}"; do
		[[ $k == linux-kbuild-* ]] || continue
		for dep in $(dpkg-deb -f "$(fetch_deb "$k")" Depends | tr -d ' ' | tr ',' '\n' | sed 's/[(|].*//'); do
			compilers+=("$dep")
		done
	done
	if [[ $BUILD_ENV == host ]]; then
		# e.g. 5.10 asks for gcc-10, which bookworm lacks; modules built by
		# a newer gcc load fine (no plugins, no LTO in Debian's config)
		KBUILD_ARGS=(CC=gcc)
	else
		"$TOP/tools/distro-env.sh" "$BUILD_ENV" setup
		say "installing ${compilers[*]} in the $BUILD_ENV chroot"
		in_env sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" make >/dev/null' \
			sh "${compilers[@]}" || die "cannot install ${compilers[*]} in the $BUILD_ENV chroot"
	fi
}

# Debian's 7.x packaging made linux-image-KVER a metapackage over
# linux-binary-KVER (vmlinuz), linux-modules-KVER and linux-base-KVER
# (config); earlier kernels have it all in linux-image-KVER.
image_packages() {
	local split=0
	if [[ -n $(cached_deb "linux-binary-$KVER") ]]; then
		split=1
	elif [[ -z $(cached_deb "linux-image-$KVER") ]]; then
		[[ -z $(apt_candidate "linux-image-$KVER") ]] && apt_update_once
		[[ -n $(apt_candidate "linux-binary-$KVER") ]] && split=1
	fi
	if ((split)); then
		printf '%s\n' "linux-binary-$KVER" "linux-modules-$KVER" "linux-base-$KVER"
	else
		printf '%s\n' "linux-image-$KVER"
	fi
}

# Extract the vmlinux of linux-image-KVER-dbg to $1: the distribution's file
# as it is. Its path moved from /usr/lib/debug/boot/vmlinux-KVER to
# /usr/lib/debug/lib/modules/KVER/vmlinux (the other is a symlink).
extract_vmlinux() {
	local out=$1 dbg tmp f
	dbg=$(fetch_deb "linux-image-$KVER-dbg")
	say "extracting vmlinux from ${dbg##*/} (takes a minute or two)"
	tmp=$(mktemp -d "$CACHE/$KVER/.img.XXXXXX")
	dpkg-deb --fsys-tarfile "$dbg" | tar -x -C "$tmp" --wildcards '*/vmlinux*' ||
		die "cannot extract vmlinux from $dbg"
	f=$(first_path -f "$tmp/usr/lib/debug/lib/modules/$KVER/vmlinux" \
		"$tmp/usr/lib/debug/boot/vmlinux-$KVER") || die "no vmlinux in $dbg"
	mv "$(realpath "$f")" "$out"
	rm -rf "$tmp"
}

prepare_kernel() {
	local kdir=$CACHE/$KVER tmp legacy pkg f
	[[ -f $kdir/kernel.ok ]] && return 0
	say "preparing kernel $KVER in $kdir"
	mkdir -p "$kdir"
	tmp=$(mktemp -d "$kdir/.img.XXXXXX")
	for pkg in $(image_packages); do
		f=$(fetch_deb "$pkg")
		dpkg-deb -x "$f" "$tmp" || die "cannot unpack $f"
	done
	rm -rf "$kdir/modules"
	mkdir -p "$tmp/modules"
	# merged /usr: trixie's and later packages put modules in /usr/lib
	f=$(first_path -d "$tmp/usr/lib/modules/$KVER/kernel" "$tmp/lib/modules/$KVER/kernel") ||
		die "no modules directory in $(image_packages | tr '\n' ' ')"
	index_modules "$f"
	local m
	for m in "${GUEST_MODULES[@]}"; do
		add_module "$m" "$tmp/modules"
	done
	printf '%s\n' "${MODORDER[@]}" >"$tmp/modules/load.list"
	mv "$tmp/modules" "$kdir/modules"
	f=$(first_path -f "$tmp/boot/vmlinuz-$KVER" "$tmp/usr/lib/modules/$KVER/vmlinuz") ||
		die "no vmlinuz in $(image_packages | tr '\n' ' ')"
	mv "$f" "$kdir/vmlinuz"
	f=$(first_path -f "$tmp/boot/config-$KVER" "$tmp/usr/lib/modules/$KVER/config") ||
		die "no kernel config in $(image_packages | tr '\n' ' ')"
	mv "$f" "$kdir/config"
	f=$(first_path -f "$tmp/boot/System.map-$KVER" "$tmp/usr/lib/modules/$KVER/System.map") &&
		mv "$f" "$kdir/System.map"
	rm -rf "$tmp"

	if [[ ! -f $kdir/vmlinux ]]; then
		# an earlier layout of this cache kept the extracted vmlinux here
		legacy=$CACHE/x/usr/lib/debug/boot/vmlinux-$KVER
		if [[ -f $legacy ]]; then
			cp "$legacy" "$kdir/.vmlinux.tmp"
		else
			extract_vmlinux "$kdir/.vmlinux.tmp"
		fi
		# the distribution's file, for what must see it as shipped (timing
		# crash's start without an index, BTF/DWARF readers)
		[[ -f $kdir/vmlinux.noindex ]] ||
			cp "$kdir/.vmlinux.tmp" "$kdir/vmlinux.noindex"
		# .gdb_index: crash starts in ~5 s instead of ~12 s.  Not -dwarf-5:
		# .debug_names makes crash's gdb 10.2 far slower.
		if ! readelf -S "$kdir/.vmlinux.tmp" | grep -q '\.gdb_index'; then
			say "adding .gdb_index to vmlinux"
			gdb-add-index "$kdir/.vmlinux.tmp" >&2 || die "gdb-add-index failed"
		fi
		mv "$kdir/.vmlinux.tmp" "$kdir/vmlinux"
	fi
	touch "$kdir/kernel.ok"
}

# A kernel prepared before vmlinux.noindex existed gets it from the cached
# -dbg package.
ensure_noindex() {
	local kdir=$CACHE/$KVER
	[[ -f $kdir/vmlinux.noindex ]] && return 0
	extract_vmlinux "$kdir/.vmlinux.noindex.tmp"
	mv "$kdir/.vmlinux.noindex.tmp" "$kdir/vmlinux.noindex"
}

# --------------------------------------------------------- the fixture

QEMU_PID=
WORK=
QMPDIR=
cleanup() {
	if [[ -n $QEMU_PID ]] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill "$QEMU_PID" 2>/dev/null || true
		wait "$QEMU_PID" 2>/dev/null || true
	fi
	[[ -n $WORK ]] && rm -rf "$WORK"
	[[ -n $QMPDIR ]] && rm -rf "$QMPDIR"
	return 0
}

fail_with_log() { # keep the serial log of a failed run for a post-mortem
	cp "$WORK/serial.log" "$CACHE/last-failed-serial.log" 2>/dev/null || true
	die "$1 (serial log: $CACHE/last-failed-serial.log)"
}

make_ext4() {
	local root=$WORK/ext4root i
	mkdir -p "$root/data"
	printf 'hello from ext4\n' >"$root/hello.txt"
	head -c 4096 /dev/zero >"$root/data/zero-4k.bin"
	for ((i = 0; i < 1000; i++)); do
		printf '%099d\n' "$i"
	done >"$root/data/big.bin"
	head -c 8192 /dev/zero | tr '\0' 'k' >"$root/keep-open.bin"
	truncate -s 16M "$WORK/ext4.img"
	# fixed UUID and hash seed: the image is the same on every build
	mkfs.ext4 -q -F -L pkfixture -U 0c0ffee0-5eed-4a11-9d00-000000000001 \
		-E root_owner=0:0,hash_seed=0c0ffee0-5eed-4a11-9d00-000000000002 \
		-d "$root" "$WORK/ext4.img" >&2 || die "mkfs.ext4 failed"
	rm -rf "$root"
}

make_initramfs() {
	local r=$WORK/initramfs
	mkdir -p "$r"/{bin,dev,proc,sys,run,mnt,lib/modules}
	cp /bin/busybox "$r/bin/busybox"
	cp "$WORK/scenario" "$r/bin/scenario"
	cp "$HERE/init.sh" "$r/init"
	chmod 755 "$r/init"
	cp "$CACHE/$KVER/modules/"*.ko "$CACHE/$KVER/modules/load.list" "$r/lib/modules/"
	cp "$WORK/testmod.ko" "$r/testmod.ko"
	mv "$WORK/ext4.img" "$r/ext4.img"
	mknod "$r/dev/console" c 5 1
	(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) >"$WORK/initramfs.img" ||
		die "cannot pack the initramfs"
	rm -rf "$r"
}

run_guest() {
	local mem=512 deadline log=$WORK/serial.log
	# ~20k sockets and their files need more than the default guest RAM
	((NSOCK > 0)) && mem=1024
	QMPDIR=$(mktemp -d /tmp/pykdump-qmp.XXXXXX)
	: >"$log"
	# TCG only: KVM hangs on this machine class.
	qemu-system-x86_64 -accel tcg -nodefaults -no-user-config -machine pc \
		-smp 2 -m "$mem" -nic none -device vmcoreinfo -display none \
		-serial "file:$log" -monitor none \
		-qmp "unix:$QMPDIR/qmp.sock,server=on,wait=off" \
		-kernel "$CACHE/$KVER/vmlinuz" -initrd "$WORK/initramfs.img" \
		-append "console=ttyS0 panic=0 rdinit=/init pk_sockets=$NSOCK" \
		>"$WORK/qemu.log" 2>&1 &
	QEMU_PID=$!
	deadline=$((SECONDS + TIMEOUT))
	say "guest booting (TCG; serial log $log)"
	while :; do
		if grep -q 'end Kernel panic' "$log"; then
			break
		fi
		if grep -q '^FIXTURE-FAIL' "$log"; then
			tail -n 40 "$log" >&2
			fail_with_log "guest scenario failed: $(grep -m1 '^FIXTURE-FAIL' "$log" | tr -d '\r')"
		fi
		if ! kill -0 "$QEMU_PID" 2>/dev/null; then
			tail -n 40 "$log" >&2
			cat "$WORK/qemu.log" >&2
			fail_with_log "QEMU exited before the guest panicked"
		fi
		if ((SECONDS >= deadline)); then
			tail -n 40 "$log" >&2
			fail_with_log "the guest did not panic within ${TIMEOUT}s (PYKDUMP_FIXTURE_TIMEOUT)"
		fi
		sleep 1
	done
	say "guest panicked; dumping memory"
	python3 "$TOOL" qmp-dump "$QMPDIR/qmp.sock" "$WORK/vmcore.flat" "$WORK/vmcore.elf" ||
		die "dump-guest-memory over QMP failed"
	wait "$QEMU_PID" 2>/dev/null || true
	QEMU_PID=
	# QEMU writes makedumpfile's flattened format; tools want the plain one
	makedumpfile -R "$WORK/vmcore" <"$WORK/vmcore.flat" >"$WORK/makedumpfile.log" 2>&1 ||
		die "makedumpfile -R failed (see $WORK/makedumpfile.log)"
	rm -f "$WORK/vmcore.flat"
}

# Build-time oracle for layouts: gdb on the .ko, independent of our readers.
testmod_layouts() {
	local s args=()
	for s in testmod_bits ASID_ANON testmod_outer ASID S1 AA ASID_ptr estruct \
		testmod_flex timer_rand_state node testmod_item testmod_hitem \
		testmod_rbnode testmod_xitem testmod_iditem testmod_loopitem testmod_point; do
		args+=(-ex "ptype /o struct $s")
	done
	gdb -batch -nx "${args[@]}" "$WORK/testmod.ko" >"$WORK/layouts.txt" 2>&1 ||
		die "gdb could not read testmod.ko"
	python3 "$TOOL" layouts "$WORK/layouts.txt" >"$WORK/layouts.json" ||
		die "cannot parse gdb layouts"
	rm -f "$WORK/layouts.txt"
}

write_static() {
	local pkgver=$1
	python3 - "$WORK/static.json" "$KVER" "$pkgver" "$NSOCK" "$HASH" <<'EOF'
import json, sys
out, kver, pkgver, nsock, h = sys.argv[1:]
json.dump({
    "kernel": {"release": kver, "package_version": pkgver,
               "image_package": f"linux-image-{kver}",
               "dbg_package": f"linux-image-{kver}-dbg",
               "panic_message": "sysrq triggered crash",
               "ncpus": 2},
    "files": {"vmlinux": "../vmlinux", "vmcore": "vmcore", "vmcore_elf": "vmcore.elf",
              "testmod": "testmod.ko", "serial_log": "serial.log",
              "scenario_hash": h, "sockets_variant": int(nsock)},
    "fs": {"ext4": {"mountpoint": "/mnt/ext4", "device": "/dev/ram0", "label": "pkfixture",
                    "uuid": "0c0ffee0-5eed-4a11-9d00-000000000001", "size_bytes": 16 << 20},
           "tmpfs": {"mountpoint": "/mnt/tmpfs", "source": "pktmp", "size_bytes": 16 << 20}},
    "modules": {"testmod": {"name": "testmod", "file": "testmod.ko"}},
}, open(out, "w"), indent=1)
EOF
}

check_with_crash() { # a fixture crash cannot open is no fixture
	local f out
	for f in vmcore vmcore.elf; do
		# shellcheck disable=SC2086 # CRASH_ARGS: separate words
		out=$(printf 'sys\nquit\n' | in_env timeout 300 crash -s $CRASH_ARGS "$CACHE/$KVER/vmlinux" "$WORK/$f" 2>&1) || true
		if ! grep -q 'sysrq triggered crash' <<<"$out"; then
			printf '%s\n' "$out" | tail -n 20 >&2
			die "crash cannot open the new $f"
		fi
	done
}

build_fixture() {
	local kdir=$CACHE/$KVER pkgver
	mkdir -p "$kdir"
	WORK=$(mktemp -d "$kdir/.build-$HASH.XXXXXX")
	trap cleanup EXIT
	ensure_headers

	say "building testmod"
	mkdir -p "$WORK/testmod"
	cp "$TESTMOD_SRC/testmod.c" "$TESTMOD_SRC/Makefile" "$WORK/testmod/"
	if ! in_env make -C "$KBUILD_DIR" M="$WORK/testmod" "${KBUILD_ARGS[@]}" modules >"$WORK/testmod.log" 2>&1; then
		tail -n 30 "$WORK/testmod.log" >&2
		die "building testmod against linux-headers-$KVER failed"
	fi
	cp "$WORK/testmod/testmod.ko" "$WORK/testmod.ko"
	rm -rf "$WORK/testmod"
	nm "$WORK/testmod.ko" >"$WORK/testmod.nm"
	python3 "$TOOL" check-symbols "$TESTMOD_SRC/expected.json" "$WORK/testmod.nm" ||
		die "testmod.ko does not match expected.json"
	rm -f "$WORK/testmod.nm"
	testmod_layouts

	say "building the scenario helper"
	gcc -static -O2 -pthread -Wall -o "$WORK/scenario" "$HERE/scenario.c" 2>"$WORK/scenario.log" ||
		die "building scenario.c failed (see $WORK/scenario.log)"
	make_ext4
	make_initramfs
	rm -f "$WORK/scenario"

	run_guest
	pkgver=$(dpkg-deb -f "$(cached_deb "$(image_packages | head -n1)")" Version 2>/dev/null || echo unknown)
	write_static "$pkgver"
	python3 "$TOOL" truth --serial "$WORK/serial.log" \
		--expected "$TESTMOD_SRC/expected.json" --static "$WORK/static.json" \
		--layouts "$WORK/layouts.json" --out "$WORK/truth.json" ||
		fail_with_log "cannot build truth.json from the guest's report"
	rm -f "$WORK/static.json" "$WORK/layouts.json"
	say "checking that crash opens the dumps"
	check_with_crash

	# mktemp made the directory private and QEMU the dumps owner-only
	chmod 755 "$WORK"
	chmod 644 "$WORK"/*
	# publish atomically: a directory with truth.json is a finished fixture
	if [[ -e $kdir/$HASH ]]; then
		mv "$kdir/$HASH" "$kdir/.old-$HASH.$$"
		rm -rf "$kdir/.old-$HASH.$$"
	fi
	mv "$WORK" "$kdir/$HASH"
	WORK=
	prune_fixtures "$kdir"
}

# Each fixture is ~600 MB; keep the newest few so a scenario edit does not
# slowly fill the disk, while a recent variant (e.g. sockets) survives.
prune_fixtures() {
	local kdir=$1 d n=0
	while IFS= read -r d; do
		n=$((n + 1))
		((n > KEEP_FIXTURES)) || continue
		say "removing old fixture ${d##*/}"
		rm -rf "$d"
	done < <(find "$kdir" -mindepth 2 -maxdepth 2 -name truth.json -printf '%T@ %h\n' |
		sort -rn | cut -d' ' -f2-)
}

# ----------------------------------------------------------------- main

HASH=$(scenario_hash)
KVER=
if [[ $FORCE == 0 ]]; then
	KVER=$(find_built)
fi
if [[ -z $KVER ]]; then
	[[ $(id -u) == 0 ]] || die "building the fixture needs root (apt-get, mknod)"
	for t in qemu-system-x86_64 makedumpfile crash gdb gdb-add-index busybox cpio mkfs.ext4 gcc python3 flock; do
		command -v "$t" >/dev/null || die "missing tool: $t"
	done
	mkdir -p "$CACHE/debs"
	# one build at a time; a second caller waits, then finds it built
	exec 9>"$CACHE/.lock"
	if ! flock -n 9; then
		say "waiting for another fixture build to finish"
		flock 9
	fi
	# under the lock, temp names can only be left over from killed runs
	rm -rf "$CACHE"/debs/.partial.* "$CACHE"/*/.build-* "$CACHE"/*/.old-* \
		"$CACHE"/*/.img.* "$CACHE"/*/.vmlinux.tmp "$CACHE"/*/.vmlinux.noindex.tmp
	setup_apt
	[[ $FORCE == 0 ]] && KVER=$(NEED_NOINDEX=0 find_built)
	if [[ -z $KVER ]]; then
		KVER=$(choose_kver)
		[[ $KVER =~ ^$KRE$ ]] || die "unexpected kernel version '$KVER' for line $LINE"
		start=$SECONDS
		prepare_kernel
		ensure_noindex
		build_fixture
		say "fixture built in $((SECONDS - start)) s"
	else
		ensure_noindex
	fi
	exec 9>&-
fi
print_env
