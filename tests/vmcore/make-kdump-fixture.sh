#!/bin/bash
# Builds, once, a vmcore made the way kdump makes one: the guest loads a
# crash kernel (kexec_file_load, crashkernel=), panics through sysrq, the
# crash kernel runs `makedumpfile -c -d 31 /proc/vmcore` onto a virtio disk
# and powers off. Unlike make-fixture.sh's dumps (QEMU's dump-guest-memory,
# no crash kernel), this one has the per-CPU crash_notes filled in by the
# panicking kernel. See README.md here ("The kdump-made fixture").
#
#   make-kdump-fixture.sh              build if needed, print a summary
#   make-kdump-fixture.sh --print-env  build if needed, print VAR=value lines
#   make-kdump-fixture.sh --force      rebuild even if cached
#   make-kdump-fixture.sh --cached     never build: exit 3 if not cached
#
# It uses the default line's kernel as make-fixture.sh prepared it (it
# runs `make-fixture.sh --print-env` first, which builds that fixture if
# needed) and caches its dump in CACHE/KVER/kdump-HASH/.
#
# Environment: PYKDUMP_FIXTURE_CACHE as make-fixture.sh;
#   PYKDUMP_KDUMP_TIMEOUT  seconds for the whole guest run (300)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PYKDUMP_FIXTURE_CACHE:-$HOME/.cache/pykdump-fixture}
TIMEOUT=${PYKDUMP_KDUMP_TIMEOUT:-300}
# modules the crash kernel loads to write onto the virtio disk (their
# dependencies come first, from modinfo)
CRASH_MODULES=(virtio_blk virtio_pci crc32c_generic ext4)

INPUTS=("$HERE/make-kdump-fixture.sh" "$HERE/kdump-init.sh" "$HERE/kdump-scenario.c")

die() {
	printf 'make-kdump-fixture: error: %s\n' "$*" >&2
	exit 1
}
say() { printf 'make-kdump-fixture: %s\n' "$*" >&2; }

MODE=summary
FORCE=0
CACHED_ONLY=0
while (($#)); do
	case $1 in
	--print-env) MODE="env" ;;
	--force) FORCE=1 ;;
	--cached) CACHED_ONLY=1 ;;
	-h | --help)
		sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
		exit 0
		;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "PYKDUMP_KDUMP_TIMEOUT must be a number of seconds"

HASH=$(for f in "${INPUTS[@]}"; do
	printf '%s\n' "${f##*/}"
	cat "$f"
done | sha256sum | cut -c1-16)

print_env() {
	local fix=$CACHE/$KVER/kdump-$HASH
	if [[ $MODE == env ]]; then
		printf 'PYKDUMP_VMCORE_KDUMP=%q\n' "$fix/vmcore"
		printf 'PYKDUMP_KDUMP_TRUTH=%q\n' "$fix/kdump.json"
		printf 'PYKDUMP_KDUMP_VMLINUX=%q\n' "$CACHE/$KVER/vmlinux"
	else
		say "kdump fixture of $KVER in $fix"
		ls -l "$fix" >&2
	fi
}

# The newest kernel with this kdump fixture built, if any: of the default
# line, or PYKDUMP_FIXTURE_KVER as make-fixture.sh takes it. No
# make-fixture.sh call: the cached path stays instant.
find_built() {
	local f k best=
	for f in "$CACHE"/${PYKDUMP_FIXTURE_KVER:-6.1.0-*-amd64}/kdump-"$HASH"/kdump.json; do
		[[ -f $f ]] || continue
		k=${f%/kdump-"$HASH"/kdump.json}
		[[ -f $k/vmlinux ]] || continue
		k=${k##*/}
		best=$(printf '%s\n%s\n' "$best" "$k" | sed '/^$/d' | sort -V | tail -n1)
	done
	printf '%s' "$best"
}

KVER=
((FORCE)) || KVER=$(find_built)
if [[ -n $KVER ]]; then
	print_env
	exit 0
fi
((CACHED_ONLY)) && exit 3

[[ $(id -u) == 0 ]] || die "building the kdump fixture needs root (mknod)"
for t in qemu-system-x86_64 makedumpfile crash busybox cpio mkfs.ext4 debugfs gcc python3 flock modinfo; do
	command -v "$t" >/dev/null || die "missing tool: $t"
done
# the default fixture's kernel and vmlinux (built first if needed,
# before taking its lock)
BASE_ENV=$("$HERE/make-fixture.sh" --print-env) || die "make-fixture.sh failed"
eval "$BASE_ENV"
KVER=$PYKDUMP_KVER
KDIR=$CACHE/$KVER
FIX=$KDIR/kdump-$HASH
# one fixture build at a time, make-fixture.sh's lock
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
	say "waiting for another fixture build to finish"
	flock 9
fi
if [[ $FORCE == 0 && -f $FIX/kdump.json ]]; then
	print_env
	exit 0
fi
rm -rf "$KDIR"/.kdump-build-*
start=$SECONDS

QEMU_PID=
WORK=$(mktemp -d "$KDIR/.kdump-build-$HASH.XXXXXX")
cleanup() {
	if [[ -n $QEMU_PID ]] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill "$QEMU_PID" 2>/dev/null || true
		wait "$QEMU_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

fail_with_log() {
	cp "$WORK/serial.log" "$CACHE/last-failed-kdump-serial.log" 2>/dev/null || true
	die "$1 (serial log: $CACHE/last-failed-kdump-serial.log)"
}

# The crash kernel's modules come from the kernel's own package, which
# make-fixture.sh downloaded (fetched again if the cache lost it).
crash_modules() {
	local out=$1 deb tree name src
	deb=$(find "$CACHE/debs" -name "linux-image-${KVER}_*_amd64.deb" | head -n1)
	if [[ -z $deb ]]; then
		(cd "$CACHE/debs" && apt-get download "linux-image-$KVER" >&2) ||
			die "cannot download linux-image-$KVER"
		deb=$(find "$CACHE/debs" -name "linux-image-${KVER}_*_amd64.deb" | head -n1)
	fi
	tree=$WORK/image
	mkdir -p "$tree" "$out"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tree" --wildcards '*/kernel/drivers/virtio/*' '*/kernel/drivers/block/virtio_blk.ko' \
			'*/kernel/fs/ext4/*' '*/kernel/fs/jbd2/*' '*/kernel/fs/mbcache.ko' \
			'*/kernel/lib/crc16.ko' '*/kernel/crypto/crc32c_generic.ko' ||
		die "cannot unpack modules from $deb"
	declare -A path=() seen=()
	local order=()
	while IFS= read -r src; do
		name=${src##*/}
		name=${name%.ko}
		path[${name//-/_}]=$src
	done < <(find "$tree" -name '*.ko')
	visit() {
		local m=$1 d
		[[ -n ${seen[$m]:-} ]] && return 0
		seen[$m]=1
		[[ -n ${path[$m]:-} ]] || die "module $m not in $deb"
		for d in $(modinfo -F depends "${path[$m]}" | tr ',' ' '); do
			visit "${d//-/_}"
		done
		cp "${path[$m]}" "$out/$m.ko"
		order+=("$m")
	}
	for name in "${CRASH_MODULES[@]}"; do
		visit "$name"
	done
	printf '%s\n' "${order[@]}" >"$out/load.list"
	rm -rf "$tree"
}

# One tree for both kernels; the crash kernel's initrd is this tree packed
# before the kernel and that initrd are added to it.
make_initramfs() {
	local r=$WORK/initramfs lib
	mkdir -p "$r"/{bin,dev,proc,sys,mnt,boot,lib/modules,lib64}
	cp /bin/busybox "$r/bin/busybox"
	gcc -static -O2 -Wall -Wextra -o "$r/bin/kdump-scenario" "$HERE/kdump-scenario.c" ||
		die "building kdump-scenario.c failed"
	cp "$(command -v makedumpfile)" "$r/bin/makedumpfile"
	for lib in $(ldd "$(command -v makedumpfile)" | grep -o '/[^ ]*'); do
		cp -L "$lib" "$r/lib64/"
	done
	mkdir -p "$r/lib/x86_64-linux-gnu"
	for lib in "$r"/lib64/*; do
		ln -s "/lib64/${lib##*/}" "$r/lib/x86_64-linux-gnu/${lib##*/}"
	done
	cp "$HERE/kdump-init.sh" "$r/init"
	chmod 755 "$r/init"
	crash_modules "$r/lib/modules"
	mknod "$r/dev/console" c 5 1
	(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) >"$WORK/crash.img" ||
		die "cannot pack the crash kernel's initramfs"
	cp "$WORK/crash.img" "$r/boot/crash.img"
	cp "$KDIR/vmlinuz" "$r/boot/vmlinuz"
	(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) >"$WORK/initramfs.img" ||
		die "cannot pack the initramfs"
	rm -rf "$r" "$WORK/crash.img"
}

run_guest() {
	local log=$WORK/serial.log deadline
	truncate -s 256M "$WORK/disk.img"
	mkfs.ext4 -q -F -L pkkdump "$WORK/disk.img" >&2 || die "mkfs.ext4 failed"
	: >"$log"
	# TCG only (KVM hangs on these machines); 192M for the crash kernel,
	# which busybox and makedumpfile fit in with room to spare. panic=1
	# and -no-reboot: a panic that does not reach the crash kernel (or one
	# in it) ends QEMU at once instead of waiting for the time-out.
	qemu-system-x86_64 -accel tcg -nodefaults -no-user-config -machine pc \
		-smp 2 -m 768 -nic none -display none -no-reboot \
		-serial "file:$log" -monitor none \
		-drive "file=$WORK/disk.img,format=raw,if=virtio" \
		-kernel "$KDIR/vmlinuz" -initrd "$WORK/initramfs.img" \
		-append "console=ttyS0 rdinit=/init crashkernel=192M panic=1" \
		>"$WORK/qemu.log" 2>&1 &
	QEMU_PID=$!
	deadline=$((SECONDS + TIMEOUT))
	say "guest booting (TCG; serial log $log)"
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		if grep -q '^KDUMP-FAIL' "$log"; then
			tail -n 40 "$log" >&2
			fail_with_log "guest failed: $(grep -m1 '^KDUMP-FAIL' "$log" | tr -d '\r')"
		fi
		if ((SECONDS >= deadline)); then
			tail -n 40 "$log" >&2
			fail_with_log "the guest did not finish within ${TIMEOUT}s (PYKDUMP_KDUMP_TIMEOUT)"
		fi
		sleep 1
	done
	wait "$QEMU_PID" 2>/dev/null || true
	QEMU_PID=
	grep -q '^KDUMP-SAVED' "$log" || {
		tail -n 40 "$log" >&2
		fail_with_log "the crash kernel did not save the dump"
	}
	if ! debugfs -R "dump /vmcore $WORK/vmcore" "$WORK/disk.img" >/dev/null 2>&1 ||
		[[ ! -s $WORK/vmcore ]]; then
		die "no vmcore on the guest's disk"
	fi
	rm -f "$WORK/disk.img" "$WORK/initramfs.img"
}

write_truth() {
	python3 - "$WORK/serial.log" "$WORK/kdump.json" "$KVER" "$HASH" <<'EOF'
import json
import sys

log, out, kver, h = sys.argv[1:]
lines = open(log, errors='replace').read().splitlines()
truth = [json.loads(ln.split(' ', 1)[1]) for ln in lines
         if ln.startswith('KDUMP-TRUTH ')]
if len(truth) != 1:
    sys.exit('expected one KDUMP-TRUTH line in the serial log')
truth = truth[0]
truth.update(schema=1, kernel={'release': kver, 'ncpus': 2},
             made_by='kdump: kexec_file_load crash kernel, '
                     'makedumpfile -c -d 31', kdump_hash=h)
json.dump(truth, open(out, 'w'), indent=1)
EOF
}

check_with_crash() {
	local out
	out=$(printf 'sys\nquit\n' | timeout 300 crash -s "$PYKDUMP_VMLINUX" "$WORK/vmcore" 2>&1) || true
	if ! grep -q 'sysrq triggered crash' <<<"$out"; then
		printf '%s\n' "$out" | tail -n 20 >&2
		die "crash cannot open the new vmcore"
	fi
}

say "building the kdump fixture of $KVER"
make_initramfs
run_guest
write_truth || fail_with_log "cannot read the guest's report"
check_with_crash
chmod 755 "$WORK"
chmod 644 "$WORK"/*
rm -rf "$FIX"
mv "$WORK" "$FIX"
WORK=
# older kdump fixtures of this kernel
find "$KDIR" -mindepth 1 -maxdepth 1 -name 'kdump-*' ! -name "kdump-$HASH" -exec rm -rf {} +
say "kdump fixture built in $((SECONDS - start)) s"
exec 9>&-
print_env
