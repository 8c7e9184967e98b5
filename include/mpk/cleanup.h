/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scope guards: a variable declared with one of these is released when it
 * goes out of scope, so every function keeps one exit path. Never use them
 * in code that crash may longjmp out of: a longjmp skips the cleanup.
 */
#ifndef MPK_CLEANUP_H
#define MPK_CLEANUP_H

#include <stdlib.h>

static inline void mpk_freep(void *p)
{
	free(*(void **)p);
}

#define _cleanup_free_ __attribute__((cleanup(mpk_freep)))

#endif /* MPK_CLEANUP_H */
