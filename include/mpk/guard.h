/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The only place that catches crash's longjmp (error(FATAL), gdb errors). */
#ifndef MPK_GUARD_H
#define MPK_GUARD_H

#include <stdbool.h>

#include "mpk/error.h"

/**
 * Run @fn(@arg) so that a longjmp to crash's main loop (an error(FATAL) or a
 * ^C inside crash) comes back here as an MPK_ERROR_CRASH error instead of
 * unwinding through Python; a ^C while @fn runs (ours, crash's restart()
 * or gdb's) gives MPK_ERROR_INTERRUPT. The caller's SIGINT handler is
 * restored on both paths (Python's, if crash left its restart() behind).
 * @fn must be tiny: no Python, no cleanup attributes, nothing to free if
 * it is cut short.
 */
struct mpk_error *mpk_guard(void (*fn)(void *), void *arg);

/**
 * mpk_guard() for a call that prints nothing of its own (a lookup, a
 * translation): crash's messages are kept from the program's output, a
 * failure becomes MPK_ERROR_CRASH "@what: <crash's message>", and a
 * warning crash printed on success goes to crash's error stream.
 */
struct mpk_error *mpk_guard_quiet(void (*fn)(void *), void *arg,
				  const char *what);

/** Stop the thread that takes held ^Cs (before the .so is unloaded). */
void mpk_guard_fini(void);

/** Longest name (symbol, type, member) handed to crash, with its NUL. */
enum { MPK_NAME_MAX = 1024 };

/**
 * Copy @name into @buf (MPK_NAME_MAX bytes) for a crash function that may
 * write into its argument or copy it into a BUFSIZE buffer. False (and
 * @buf untouched) for "" (crash's symbol hash error(FATAL)s on it) and
 * names too long to be any symbol or type: callers answer "not found".
 */
bool mpk_crash_name(const char *name, char *buf);

#endif /* MPK_GUARD_H */
