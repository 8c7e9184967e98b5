# SPDX-License-Identifier: GPL-2.0-or-later
# Unit tests and fuzzing of the pure gdb-type-text parser, src/ptype_parse.c,
# and unit tests of the ELF section reader, src/elf.c.
# Included from the top-level Makefile; paths are relative to the top.
#
#   make unit-check     Check tests, plain and under ASan+UBSan, + fuzz-replay
#   make fuzz-replay    gcc-built replay of the corpus under ASan+UBSan
#   make fuzz-run       libFuzzer for FUZZ_TIME seconds (clang); finds land
#                       in tests/fuzz/crashers/, to be turned into tests
#   make unit-clean

UNIT_DIR := tests/unit
FUZZ_DIR := tests/fuzz
PTYPE_DATA := tests/data/ptype

UNIT_WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes \
	-Wstrict-prototypes -Wvla
UNIT_CFLAGS := -std=gnu11 -g -O1 $(UNIT_WARN) $(EXTRA_CFLAGS)
UNIT_CPPFLAGS := -D_GNU_SOURCE -Iinclude -I$(UNIT_DIR) \
	-DMPK_TEST_DATA='"$(CURDIR)/$(PTYPE_DATA)"'
UNIT_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)

PTYPE_SRCS := src/ptype_parse.c src/error.c
PTYPE_DEPS := $(PTYPE_SRCS) include/mpk/ptype_parse.h include/mpk/error.h \
	$(UNIT_DIR)/render.c $(UNIT_DIR)/render.h

ELF_SRCS := src/elf.c src/error.c
ELF_DEPS := $(ELF_SRCS) include/mpk/elf.h include/mpk/error.h

UNIT_TESTS := $(UNIT_DIR)/check_ptype_parse $(UNIT_DIR)/check_ptype_parse_asan \
	$(UNIT_DIR)/check_elf $(UNIT_DIR)/check_elf_asan
FUZZ_REPLAY := $(FUZZ_DIR)/replay
FUZZ_TARGET := $(FUZZ_DIR)/fuzz_ptype

FUZZ_CC ?= clang
FUZZ_TIME ?= 300
FUZZ_WORK ?= build/fuzz-corpus
FUZZ_CORPUS := $(PTYPE_DATA) $(PTYPE_DATA)/gdb13 $(FUZZ_DIR)/crashers

.PHONY: unit-check unit-check-plain unit-check-asan fuzz-replay fuzz-run \
	unit-clean

$(UNIT_DIR)/check_ptype_parse.c: $(UNIT_DIR)/test_ptype_parse.ts
	checkmk $< > $@.tmp && mv $@.tmp $@

$(UNIT_DIR)/check_ptype_parse: $(UNIT_DIR)/check_ptype_parse.c $(PTYPE_DEPS)
	$(CC) $(UNIT_CPPFLAGS) $(CHECK_CFLAGS) $(UNIT_CFLAGS) -o $@ \
		$< $(UNIT_DIR)/render.c $(PTYPE_SRCS) $(CHECK_LIBS)

$(UNIT_DIR)/check_ptype_parse_asan: $(UNIT_DIR)/check_ptype_parse.c $(PTYPE_DEPS)
	$(CC) $(UNIT_CPPFLAGS) $(CHECK_CFLAGS) $(UNIT_CFLAGS) $(UNIT_SAN) \
		-o $@ $< $(UNIT_DIR)/render.c $(PTYPE_SRCS) $(CHECK_LIBS)

$(UNIT_DIR)/check_elf.c: $(UNIT_DIR)/test_elf.ts
	checkmk $< > $@.tmp && mv $@.tmp $@

$(UNIT_DIR)/check_elf: $(UNIT_DIR)/check_elf.c $(ELF_DEPS)
	$(CC) $(UNIT_CPPFLAGS) $(CHECK_CFLAGS) $(UNIT_CFLAGS) -o $@ \
		$< $(ELF_SRCS) $(CHECK_LIBS)

$(UNIT_DIR)/check_elf_asan: $(UNIT_DIR)/check_elf.c $(ELF_DEPS)
	$(CC) $(UNIT_CPPFLAGS) $(CHECK_CFLAGS) $(UNIT_CFLAGS) $(UNIT_SAN) \
		-o $@ $< $(ELF_SRCS) $(CHECK_LIBS)

# No fork under the sanitizers: LeakSanitizer checks the whole run at exit.
RUN_REPLAY = ASAN_OPTIONS=detect_leaks=1 $(FUZZ_REPLAY) $(FUZZ_CORPUS)
RUN_ASAN = CK_FORK=no ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1 $(UNIT_DIR)/check_ptype_parse_asan
RUN_PLAIN = $(UNIT_DIR)/check_ptype_parse
RUN_ELF_ASAN = CK_FORK=no ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1 $(UNIT_DIR)/check_elf_asan
RUN_ELF = $(UNIT_DIR)/check_elf

unit-check-plain: $(UNIT_DIR)/check_ptype_parse $(UNIT_DIR)/check_elf
	$(RUN_PLAIN)
	$(RUN_ELF)

unit-check-asan: $(UNIT_DIR)/check_ptype_parse_asan $(UNIT_DIR)/check_elf_asan
	$(RUN_ASAN)
	$(RUN_ELF_ASAN)

# One recipe, so that make -j cannot interleave the runs: Check's summary
# of the plain run comes last.
unit-check: $(UNIT_TESTS) $(FUZZ_REPLAY)
	$(RUN_REPLAY)
	$(RUN_ASAN)
	$(RUN_ELF_ASAN)
	$(RUN_ELF)
	$(RUN_PLAIN)

$(FUZZ_REPLAY): $(FUZZ_DIR)/replay.c $(FUZZ_DIR)/fuzz_ptype.c $(PTYPE_DEPS)
	$(CC) $(UNIT_CPPFLAGS) $(UNIT_CFLAGS) $(UNIT_SAN) -o $@ \
		$(FUZZ_DIR)/replay.c $(FUZZ_DIR)/fuzz_ptype.c \
		$(UNIT_DIR)/render.c $(PTYPE_SRCS)

fuzz-replay: $(FUZZ_REPLAY)
	$(RUN_REPLAY)

# clang's -Wformat=2 would also want mpk_error_vcreate() marked printf-like.
$(FUZZ_TARGET): $(FUZZ_DIR)/fuzz_ptype.c $(PTYPE_DEPS)
	$(FUZZ_CC) $(UNIT_CPPFLAGS) $(UNIT_CFLAGS) -Wno-format-nonliteral \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $(FUZZ_DIR)/fuzz_ptype.c $(UNIT_DIR)/render.c $(PTYPE_SRCS)

# The work corpus stays out of the tree; only finds are kept.
fuzz-run: $(FUZZ_TARGET)
	@mkdir -p $(FUZZ_WORK) $(FUZZ_DIR)/crashers
	$(FUZZ_TARGET) -max_total_time=$(FUZZ_TIME) -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 \
		-dict=$(FUZZ_DIR)/ptype.dict \
		-artifact_prefix=$(FUZZ_DIR)/crashers/ \
		$(FUZZ_WORK) $(FUZZ_CORPUS)

unit-clean:
	rm -f $(UNIT_TESTS) $(UNIT_DIR)/check_ptype_parse.c \
		$(UNIT_DIR)/check_ptype_parse.c.tmp $(UNIT_DIR)/check_elf.c \
		$(UNIT_DIR)/check_elf.c.tmp $(FUZZ_REPLAY) $(FUZZ_TARGET)
