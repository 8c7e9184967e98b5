#!/bin/busybox sh
# PID 1 of the fixture guest (see tests/vmcore/README.md).  It configures the
# scenario, lets /bin/scenario report the truth on the console, and crashes
# the kernel.  Any failure prints FIXTURE-FAIL, which the host script turns
# into an error instead of waiting for its time-out.
# shellcheck shell=sh

/bin/busybox --install -s /bin
export PATH=/bin

fail() {
	echo "FIXTURE-FAIL: $*"
	# keep the console readable for the host's error message, then stop
	sleep 2
	poweroff -f
}

mount -t proc proc /proc || fail "mount /proc"
mount -t sysfs sysfs /sys || fail "mount /sys"
mount -t devtmpfs devtmpfs /dev || fail "mount /dev"
mkdir -p /run /mnt/ext4 /mnt/tmpfs
mount -t tmpfs -o mode=0755 run /run || fail "mount /run"

hostname pykdump-fixture || fail "hostname"

# Parameters of the in-tree modules are scenario facts (dummy0/dummy1, ram0).
modparams() {
	case $1 in
	dummy) echo "numdummies=2" ;;
	brd) echo "rd_nr=1 rd_size=16384" ;;
	esac
}
# load.list is written by the host in dependency order
while read -r mod; do
	# shellcheck disable=SC2046 # the parameters are separate words
	insmod "/lib/modules/$mod.ko" $(modparams "$mod") || fail "insmod $mod"
done </lib/modules/load.list
insmod /testmod.ko || fail "insmod testmod"

# ---- network: loopback and two dummy interfaces (the guest has no NIC)
ip link set lo up || fail "lo up"
ip link set dummy0 address 02:00:00:00:00:01 || fail "dummy0 mac"
ip link set dummy0 mtu 1400 || fail "dummy0 mtu"
ip addr add 198.51.100.1/24 dev dummy0 || fail "dummy0 addr"
ip addr add 198.51.100.2/24 dev dummy0 || fail "dummy0 addr2"
ip addr add 10.98.0.1/16 dev dummy0 || fail "dummy0 addr3"
ip link set dummy0 up || fail "dummy0 up"
ip -6 addr add 2001:db8:0:1::1/64 dev dummy0 || fail "dummy0 ipv6"
ip link set dummy1 address 02:00:00:00:00:02 || fail "dummy1 mac"
ip addr add 203.0.113.1/24 dev dummy1 || fail "dummy1 addr"
ip addr add 192.0.2.1/24 dev dummy1 || fail "dummy1 addr2"
ip link set dummy1 up || fail "dummy1 up"
ip route add 10.99.0.0/16 via 198.51.100.254 dev dummy0 || fail "route"

# ---- file systems: ext4 on a brd ramdisk (image made on the host) and tmpfs
dd if=/ext4.img of=/dev/ram0 bs=1M 2>/dev/null || fail "dd ext4.img"
rm -f /ext4.img
mount -t ext4 /dev/ram0 /mnt/ext4 || fail "mount ext4"
mount -t tmpfs -o size=16m,mode=1777 pktmp /mnt/tmpfs || fail "mount tmpfs"
echo "tmpfs note" >/mnt/tmpfs/note.txt
dd if=/dev/zero of=/mnt/tmpfs/sized.bin bs=1024 count=64 2>/dev/null
mkdir -p /mnt/tmpfs/dir1
echo "nested" >/mnt/tmpfs/dir1/nested.txt

# ---- processes, threads, zombies, sockets, open files
nsock=0
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in pk_sockets=*) nsock=${arg#pk_sockets=} ;; esac
done
/bin/scenario run "$nsock" &
i=0
while [ ! -e /run/scenario.ready ]; do
	i=$((i + 1))
	[ $i -gt 1800 ] && fail "scenario not ready after 180 s"
	sleep 0.1
done

# ---- the rest of the truth
ip -o addr >/run/ip-addr.txt
ip -o link >/run/ip-link.txt
ip route >/run/ip-route.txt
/bin/scenario report-system || fail "report-system"
# PID 1 sleeps in wait() here, as it will at the crash
/bin/scenario report-task 1 init || fail "report-task"
/bin/scenario report-net || fail "report-net"
/bin/scenario report-lines proc_modules /proc/modules || fail "report modules"
/bin/scenario report-lines mounts /proc/mounts || fail "report mounts"
/bin/scenario report-lines ip_addr /run/ip-addr.txt || fail "report ip"
/bin/scenario report-lines ip_link /run/ip-link.txt || fail "report ip"
/bin/scenario report-lines ip_route /run/ip-route.txt || fail "report ip"
if [ "$nsock" = 0 ]; then
	# the big-sockets variant would print tens of thousands of lines
	for f in tcp tcp6 udp udp6 unix; do
		/bin/scenario report-lines "proc_net_$f" "/proc/net/$f" ||
			fail "report $f"
	done
fi
/bin/scenario report-stat /mnt/ext4 /mnt/ext4/hello.txt \
	/mnt/ext4/keep-open.bin /mnt/ext4/data /mnt/ext4/data/zero-4k.bin \
	/mnt/ext4/data/big.bin /mnt/tmpfs /mnt/tmpfs/note.txt \
	/mnt/tmpfs/sized.bin /mnt/tmpfs/dir1 /mnt/tmpfs/dir1/nested.txt \
	/mnt/tmpfs/open-tmp.dat /mnt/tmpfs/pk_unix_b.sock || fail "report-stat"

# quiet the console so no kernel message splits a TRUTH line
dmesg -n 1
/bin/scenario panic
fail "sysrq did not crash the kernel"
