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

/** A variable passed by address to @fn when it goes out of scope. */
#define _cleanup_(fn) __attribute__((cleanup(fn)))
/** A malloc'ed pointer freed when it goes out of scope. */
#define _cleanup_free_ _cleanup_(mpk_freep)

#endif /* MPK_CLEANUP_H */
