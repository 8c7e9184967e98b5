# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`: mpykdump's figures beside a C floor and crash's own
# commands, in one crash session on the fixture (bench/run-bench.sh).
# Not a test: nothing checks a speed. BENCH_ARGS go to bench/bench.py.

FLOOR_SO := bench/mpkfloor.so
FLOOR_CFLAGS := -std=gnu11 -O2 -g -fPIC -Wall -Wextra -Wshadow -Wformat=2 \
	-Wmissing-prototypes -Wstrict-prototypes $(EXTRA_CFLAGS)

.PHONY: bench bench-sockets
bench: $(SO) $(FLOOR_SO)
	MPK_SO='$(SO)' MPK_FLOOR='$(FLOOR_SO)' bash bench/run-bench.sh $(BENCH_ARGS)
	MPK_SO='$(SO)' bash bench/run-bench-types.sh

# xportshow -a on the 10,000-connection fixture variant beside a C walk of
# the same hash table (builds that variant once: ~20 s, ~1.5 GB of cache).
bench-sockets: $(SO) $(FLOOR_SO)
	MPK_SO='$(SO)' MPK_FLOOR='$(FLOOR_SO)' bash bench/run-bench-sockets.sh

# -isystem: crash's defs.h is not ours to make -Wextra clean.
$(FLOOR_SO): bench/floor.c
	$(CC) $(FLOOR_CFLAGS) -DX86_64 -isystem $(or $(CRASH_INCLUDE),/usr/include/crash) \
		-shared -o $@ $<
