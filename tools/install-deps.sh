#!/bin/bash
# Debian packages that building, the fixture, the tests and the benchmarks
# need (run as root). The kernel packages of the fixture are fetched by
# tests/vmcore/make-fixture.sh itself.
set -euo pipefail
packages=(
	# build
	gcc make autoconf pkg-config python3-dev crash zip
	# the vmcore fixture
	makedumpfile busybox-static qemu-system-x86 gdb cpio e2fsprogs
	xz-utils kmod
	# tests
	check clang valgrind
)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -q "${packages[@]}"
