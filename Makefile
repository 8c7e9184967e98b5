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
# CPPFLAGS: e.g. dpkg-buildflags' -D_FORTIFY_SOURCE=2.
MPK_CFLAGS += $(CPPFLAGS)
CRASH_BUILD_VERSION := $(shell crash --version 2>/dev/null | sed -n 's/^crash \([0-9.]*\).*/\1/p' | head -1)
# Reproducible builds: the date is SOURCE_DATE_EPOCH's when it is set.
BUILD_DATE := $(shell date -u -d @$${SOURCE_DATE_EPOCH:-$$(date +%s)} +%Y-%m-%d)
# Core files see crash's defs.h, never Python.h; bindings the reverse.
CORE_CPPFLAGS := -DX86_64 -D_GNU_SOURCE -Iinclude -I$(CRASH_INCLUDE) $(BPF_CFLAGS)
PY_CPPFLAGS := -D_GNU_SOURCE -Iinclude -Isrc $(PY_CFLAGS) \
	-DMPK_BUILD_DATE='"$(BUILD_DATE)"' \
	-DMPK_CRASH_BUILD='"$(CRASH_BUILD_VERSION)"'
# The one version number (epython -v, the extend line, the .deb, make dist).
MPK_VERSION := $(shell cat VERSION)
MPK_VERSION_NUM := $(shell awk -F. '{ print $$1 * 10000 + $$2 * 100 + $$3 }' VERSION)
VERSION_DEFS := -DMPK_VERSION='"$(MPK_VERSION)"' -DMPK_VERSION_NUM=$(MPK_VERSION_NUM)
CORE_CPPFLAGS += $(VERSION_DEFS)
PY_CPPFLAGS += $(VERSION_DEFS)

CORE_SRCS := src/extension.c src/session.c src/guard.c src/command.c \
	src/memory.c src/symbols.c src/system.c src/error.c src/types.c \
	src/ptype_parse.c src/btf.c src/elf.c src/console.c
CORE_SRCS += src/cmdline.c src/fork.c src/output.c src/errstream.c
PY_SRCS := src/interp.c $(wildcard src/py/*.c)
CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/%.o)
PY_OBJS := $(PY_SRCS:%.c=$(BUILD)/%.o)
GEN_OBJS := $(BUILD)/progs.o

PROGS := $(sort $(wildcard progs/*.py))
PYKDUMP := $(sort $(wildcard pykdump/*.py pykdump/*/*.py))

.PHONY: all clean distclean install check demo bench
all: $(SO)

config.mk: configure.ac config.mk.in VERSION
	autoconf && ./configure

$(PY_OBJS): $(BUILD)/%.o: %.c $(wildcard include/mpk/*.h src/py/*.h) config.mk VERSION
	@mkdir -p $(dir $@)
	$(CC) $(PY_CPPFLAGS) $(MPK_CFLAGS) -c $< -o $@

$(CORE_OBJS): $(BUILD)/%.o: %.c $(wildcard include/mpk/*.h) config.mk VERSION
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CPPFLAGS) $(MPK_CFLAGS) -c $< -o $@

$(BUILD)/progs.c: tools/gen_progs.py tools/proghelp.py $(PROGS)
	@mkdir -p $(BUILD)
	$(PYTHON) tools/gen_progs.py $@ $(PROGS)

$(BUILD)/progs.o: $(BUILD)/progs.c include/mpk/progs.h
	$(CC) -Iinclude $(MPK_CFLAGS) -c $< -o $@

$(BUILD)/core.so: $(CORE_OBJS) $(PY_OBJS) $(GEN_OBJS)
	$(CC) -shared $(MPK_CFLAGS) $(LDFLAGS) -o $@ $^ $(PY_LIBS) $(BPF_LIBS)

# The zip must be made by the embedded Python: .pyc magic is per version.
# SO_STRIP (e.g. strip --strip-unneeded, from debian/rules) runs before the
# zip is appended: strip would drop data past the ELF sections.
$(SO): $(BUILD)/core.so tools/mkzip.py $(PROGS) $(PYKDUMP)
	cp $(BUILD)/core.so $@.tmp
	$(if $(SO_STRIP),$(SO_STRIP) $@.tmp)
	$(PYTHON) tools/mkzip.py $@.tmp
	mv $@.tmp $@

# Tests and benchmarks keep their rules next to them.
-include tests/tests.mk
-include bench/bench.mk

# The main job on the fixture dump (built or reused from the cache).
demo: $(SO)
	tools/demo.sh $(abspath $(SO))

.PHONY: uninstall dist docs
# The man page is installed when it was built (make docs, Sphinx).
MANDIR ?= $(prefix)/share/man
MAN7 := $(BUILD)/docs/man/mpykdump.7

install: $(SO)
	install -D -m 0644 $(SO) $(DESTDIR)$(EXTENSIONS_DIR)/$(SO)
	if [ -f $(MAN7) ]; then \
		install -D -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/mpykdump.7; fi

uninstall:
	rm -f $(DESTDIR)$(EXTENSIONS_DIR)/$(SO) $(DESTDIR)$(MANDIR)/man7/mpykdump.7

clean:
	rm -rf $(BUILD) $(SO) $(SO).tmp

distclean: clean
	rm -rf config.mk config.log config.status configure autom4te.cache

# A source tarball of the committed tree, with configure made: unpacked,
# "./configure && make" builds it. Reproducible (SOURCE_DATE_EPOCH, else
# the last commit's date). Needs a git checkout.
DIST := mpykdump-$(MPK_VERSION)
dist:
	@git rev-parse --git-dir >/dev/null 2>&1 || \
		{ echo 'make dist: needs a git checkout' >&2; exit 1; }
	rm -rf $(BUILD)/dist && mkdir -p $(BUILD)/dist/$(DIST)
	git archive HEAD | tar -x -C $(BUILD)/dist/$(DIST)
	cd $(BUILD)/dist/$(DIST) && autoconf && rm -rf autom4te.cache
	epoch=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct)}; \
	tar -C $(BUILD)/dist --sort=name --mtime=@$$epoch --owner=0 \
		--group=0 --numeric-owner -cf - $(DIST) | gzip -9n >$(DIST).tar.gz
	rm -rf $(BUILD)/dist
	@echo "$(DIST).tar.gz"

# The reference (HTML) and the man page, with Sphinx; warnings are errors.
SPHINX_BUILD ?= sphinx-build
docs:
	$(SPHINX_BUILD) -W --keep-going -q -b html docs $(BUILD)/docs/html
	$(SPHINX_BUILD) -W --keep-going -q -b man docs $(BUILD)/docs/man

# The .deb built from make dist, installed, used in crash, purged (root).
.PHONY: check-deb
check-deb:
	@bash tests/deb/check-deb.sh
