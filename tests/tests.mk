# SPDX-License-Identifier: GPL-2.0-or-later
# Test targets, included by the top-level Makefile. tests/run-tests.sh does
# the work (each part on its own, one closing "N passed, N failed" line);
# these rules only choose what it builds and how it starts crash.
#
#   make check               everything, on mpykdump.so
#   make check-asan          the .so rebuilt with ASan+UBSan into build/asan,
#                            then the host and integration tests in crash
#   make check-integration   only the integration tests; T=PATTERN selects
#   make check-host          only the host-side tests (they drive crash)
#   make check-matrix        the suite on every (kernel, crash) pair

# The C unit tests and fuzz replay (unit-check, fuzz-replay) live there.
-include tests/unit/unit.mk

TEST_PYTHON = $(or $(PYTHON),/usr/bin/python3.11)
RUN_TESTS = MAKE='$(MAKE)' MPK_PYTHON='$(TEST_PYTHON)' bash tests/run-tests.sh

ASAN_BUILD := build/asan
ASAN_SO := $(ASAN_BUILD)/mpykdump.so
ASAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
# crash itself is not instrumented: the ASan runtime must be loaded first.
# No leak check: crash never frees much of what it allocates. No
# alloc/dealloc matching: crash's gdb (C++) frees with operator delete what
# it got from malloc at startup; our C code has no new/delete to check.
# tests/asan-crash.supp: libc calls crash's own code makes.
ASAN_CRASH = env LD_PRELOAD=$(realpath $(shell $(CC) -print-file-name=libasan.so)) \
	ASAN_OPTIONS=detect_leaks=0:alloc_dealloc_mismatch=0:suppressions=$(CURDIR)/tests/asan-crash.supp \
	UBSAN_OPTIONS=print_stacktrace=1 crash

.PHONY: check check-asan check-integration check-host

check:
	@MPK_SO='$(SO)' MPK_BUILD_CMD='$(MAKE) --no-print-directory $(SO)' \
		$(RUN_TESTS)

check-asan:
	@MPK_SO='$(ASAN_SO)' MPK_TEST_LOGS=build/test-logs-asan \
		MPK_BUILD_CMD='$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SO=$(ASAN_SO) EXTRA_CFLAGS="$(ASAN_CFLAGS)"' \
		MPK_CRASH='$(ASAN_CRASH)' \
		MPK_TEST_PARTS='build fixture host integration integration-elf fixture-kdump integration-kdump-made' \
		$(RUN_TESTS)

check-integration:
	@MPK_SO='$(SO)' MPK_BUILD_CMD='$(MAKE) --no-print-directory $(SO)' \
		MPK_TEST_PATTERN='$(T)' \
		MPK_TEST_PARTS='build fixture integration integration-elf fixture-kdump integration-kdump-made' \
		$(RUN_TESTS)

check-host:
	@MPK_SO='$(SO)' MPK_BUILD_CMD='$(MAKE) --no-print-directory $(SO)' \
		MPK_TEST_PARTS='build fixture host' $(RUN_TESTS)

# README's test command and CI's: check, the .deb, optionally the matrix.
.PHONY: check-all
check-all:
	@bash tests/check-all.sh

# Every (kernel line, crash) pair: tests/check-matrix.sh (root: fixtures of
# four kernels, trixie and sid chroots). P="6.12:sid 7.2:sid" picks pairs.
.PHONY: check-matrix
check-matrix:
	@bash tests/check-matrix.sh $(P)

# Issue 9: crash's RSS over 1000 runs of a program with a 10 MiB global,
# 200 `xportshow -a` and 20 `extend -u`/`extend` (each must stay under
# 10 MiB); prints the figures. make check runs a short version.
.PHONY: soak
soak: $(SO)
	@MPK_SOAK=full MPK_SO='$(SO)' $(TEST_PYTHON) -m unittest -v \
		tests.host.test_epython_soak
