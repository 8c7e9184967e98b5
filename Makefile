# SPDX-License-Identifier: GPL-2.0-or-later
# mpykdump.so: the C extension of crash, with pykdump/ and progs/ appended
# as a zip. Run ./configure first (make runs it if config.mk is missing).

-include config.mk

BUILD := build
SO := mpykdump.so

WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 \
	-Wmissing-prototypes -Wstrict-prototypes -Wvla
CFLAGS ?= -O2 -g
MPK_CFLAGS := -std=gnu11 -fPIC -fvisibility=hidden $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)
CRASH_BUILD_VERSION := $(shell crash --version 2>/dev/null | sed -n 's/^crash \([0-9.]*\).*/\1/p' | head -1)
# Core files see crash's defs.h, never Python.h; bindings the reverse.
CORE_CPPFLAGS := -DX86_64 -D_GNU_SOURCE -Iinclude -I$(CRASH_INCLUDE) $(BPF_CFLAGS)
PY_CPPFLAGS := -D_GNU_SOURCE -Iinclude -Isrc $(PY_CFLAGS) \
	-DMPK_BUILD_DATE='"$(shell date -u +%Y-%m-%d)"' \
	-DMPK_CRASH_BUILD='"$(CRASH_BUILD_VERSION)"'

CORE_SRCS := src/extension.c src/session.c src/guard.c src/command.c \
	src/memory.c src/symbols.c src/system.c src/error.c src/types.c \
	src/ptype_parse.c src/btf.c
PY_SRCS := src/interp.c $(wildcard src/py/*.c)
CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/%.o)
PY_OBJS := $(PY_SRCS:%.c=$(BUILD)/%.o)
GEN_OBJS := $(BUILD)/progs.o

PROGS := $(sort $(wildcard progs/*.py))
PYKDUMP := $(sort $(wildcard pykdump/*.py pykdump/*/*.py))

.PHONY: all clean distclean install check demo bench
all: $(SO)

config.mk: configure.ac config.mk.in
	autoconf && ./configure

$(PY_OBJS): $(BUILD)/%.o: %.c $(wildcard include/mpk/*.h src/py/*.h) config.mk
	@mkdir -p $(dir $@)
	$(CC) $(PY_CPPFLAGS) $(MPK_CFLAGS) -c $< -o $@

$(CORE_OBJS): $(BUILD)/%.o: %.c $(wildcard include/mpk/*.h) config.mk
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CPPFLAGS) $(MPK_CFLAGS) -c $< -o $@

$(BUILD)/progs.c: tools/gen_progs.py $(PROGS)
	@mkdir -p $(BUILD)
	$(PYTHON) tools/gen_progs.py $@ $(PROGS)

$(BUILD)/progs.o: $(BUILD)/progs.c include/mpk/progs.h
	$(CC) -Iinclude $(MPK_CFLAGS) -c $< -o $@

$(BUILD)/core.so: $(CORE_OBJS) $(PY_OBJS) $(GEN_OBJS)
	$(CC) -shared $(MPK_CFLAGS) $(LDFLAGS) -o $@ $^ $(PY_LIBS) $(BPF_LIBS)

# The zip must be made by the embedded Python: .pyc magic is per version.
$(SO): $(BUILD)/core.so tools/mkzip.py $(PROGS) $(PYKDUMP)
	cp $(BUILD)/core.so $@.tmp
	$(PYTHON) tools/mkzip.py $@.tmp
	mv $@.tmp $@

# Tests and benchmarks keep their rules next to them.
-include tests/tests.mk
-include bench/bench.mk

# The main job on the fixture dump (built or reused from the cache).
demo: $(SO)
	tools/demo.sh $(abspath $(SO))

install: $(SO)
	install -D -m 0644 $(SO) $(DESTDIR)$(EXTENSIONS_DIR)/$(SO)

clean:
	rm -rf $(BUILD) $(SO) $(SO).tmp

distclean: clean
	rm -rf config.mk config.log config.status configure autom4te.cache
