#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian packages that building, the vmcore fixture and the tests need
# (run as root; CI runs this too). The fixture's kernel packages are
# fetched by tests/vmcore/make-fixture.sh itself. Works on Debian bookworm,
# trixie and sid: the Python is the release's default python3 (configure
# embeds it and the tests run with it), never a pinned minor version.
#
#   tools/install-deps.sh               everything
#   tools/install-deps.sh --build-only  build and test packages only, no
#                                       fixture tools (tools/distro-env.sh)
set -euo pipefail
packages=(
	# build: autoconf makes ./configure; crash brings defs.h
	autoconf make gcc libc6-dev binutils pkg-config python3 python3-dev
	crash zip
	# the console uses crash's own readline: its headers only
	libreadline-dev
	# the kernel's BTF, read with libbpf
	libbpf-dev
	# C unit tests (checkmk); the lint part of make check (PEP 8)
	check flake8
	# kbuild's objtool, to build testmod in a chroot (tools/distro-env.sh)
	libelf-dev
	# make docs (the reference, the man page; a part of make check)
	python3-sphinx python3-myst-parser
)
if [[ ${1:-} != --build-only ]]; then
	packages+=(
		# the fixture: a kernel under QEMU, dumped and read back
		qemu-system-x86 makedumpfile busybox-static gdb cpio e2fsprogs
		xz-utils zstd kmod util-linux dpkg apt coreutils
		# other releases' crash (tools/distro-env.sh): mmdebstrap makes a
		# chroot in a minute or two, debootstrap in ~6
		mmdebstrap debootstrap
		# the .deb and its test (tests/deb/check-deb.sh)
		debhelper dpkg-dev lintian man-db
	)
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null
