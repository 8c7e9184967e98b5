#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian packages that building, the vmcore fixture and the tests need
# (run as root; CI runs this too). The fixture's kernel packages are
# fetched by tests/vmcore/make-fixture.sh itself.
set -euo pipefail
packages=(
	# build: autoconf makes ./configure; crash brings defs.h
	autoconf make gcc libc6-dev binutils pkg-config python3 python3-dev
	python3.11 crash zip
	# the console uses crash's own readline: its headers only
	libreadline-dev
	# the kernel's BTF, read with libbpf
	libbpf-dev
	# the fixture: a kernel under QEMU, dumped and read back
	qemu-system-x86 makedumpfile busybox-static gdb cpio e2fsprogs
	xz-utils zstd kmod util-linux dpkg apt coreutils
	# C unit tests (checkmk); the lint part of make check (PEP 8)
	check flake8
	# make docs (the reference, the man page); the .deb and its test
	python3-sphinx python3-myst-parser debhelper dpkg-dev lintian man-db
)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null
