#!/bin/busybox sh
# PID 1 of the kdump fixture's guest (make-kdump-fixture.sh), in both
# kernels: the same initramfs boots the first kernel and, loaded by it, the
# crash kernel. /proc/vmcore exists only in the crash kernel.
#
# First kernel: load the crash kernel (/boot/vmlinuz, /boot/crash.img),
# then kdump-scenario run panics it. Crash kernel: save /proc/vmcore with
# makedumpfile onto the ext4 virtio disk the host reads, and power off.
# Any failure prints KDUMP-FAIL, which the host turns into an error.
# shellcheck shell=sh

/bin/busybox --install -s /bin
export PATH=/bin

fail() {
	echo "KDUMP-FAIL: $*"
	sleep 2
	poweroff -f
}

mount -t proc proc /proc || fail "mount /proc"
mount -t sysfs sysfs /sys || fail "mount /sys"
mount -t devtmpfs devtmpfs /dev || fail "mount /dev"

if [ ! -e /proc/vmcore ]; then
	hostname pykdump-kdump || fail "hostname"
	# what a kdump service passes to the crash kernel (one CPU, devices
	# reset), plus this initramfs's PID 1
	kdump-scenario load /boot/vmlinuz /boot/crash.img \
		"console=ttyS0 rdinit=/init nr_cpus=1 reset_devices irqpoll panic=1" ||
		fail "loading the crash kernel"
	[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || fail "no crash kernel loaded"
	echo "KDUMP-LOADED"
	kdump-scenario run
	fail "kdump-scenario run returned"
fi

echo "KDUMP-CRASH-KERNEL"
# load.list is in dependency order (written by the host)
while read -r mod; do
	insmod "/lib/modules/$mod.ko" || fail "insmod $mod"
done </lib/modules/load.list
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkdir -p /mnt/dump /tmp
# makedumpfile keeps its work files (vmcoreinfo, bitmaps) in /tmp
mount -t tmpfs tmp /tmp || fail "mount /tmp"
mount -t ext4 /dev/vda /mnt/dump || fail "mount /dev/vda"
# what kdump-tools runs by default: compressed, every page kind excluded
# that -d 31 can exclude (zero, cache, private cache, user, free)
makedumpfile -c -d 31 /proc/vmcore /mnt/dump/vmcore >/mnt/dump/makedumpfile.log 2>&1 ||
	{ cat /mnt/dump/makedumpfile.log; umount /mnt/dump; fail "makedumpfile"; }
cat /mnt/dump/makedumpfile.log
umount /mnt/dump || fail "umount /mnt/dump"
sync
echo "KDUMP-SAVED"
poweroff -f
