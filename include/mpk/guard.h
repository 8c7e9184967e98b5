/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The only place that catches crash's longjmp (error(FATAL), gdb errors). */
#ifndef MPK_GUARD_H
#define MPK_GUARD_H

#include "mpk/error.h"

/**
 * Run @fn(@arg) so that a longjmp to crash's main loop (an error(FATAL) or a
 * ^C inside crash) comes back here as an MPK_ERROR_CRASH error instead of
 * unwinding through Python. crash's SIGINT handler is active while @fn runs;
 * the caller's handler is restored on both paths. @fn must be tiny: no
 * Python, no cleanup attributes, nothing to free if it is cut short.
 */
struct mpk_error *mpk_guard(void (*fn)(void *), void *arg);

#endif /* MPK_GUARD_H */
