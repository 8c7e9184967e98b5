/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The epython console's input: crash's own GNU readline (crash links it
 * and exports it) with the console's history and completion, and crash's
 * readline state put back when the console ends.
 */
#ifndef MPK_CONSOLE_H
#define MPK_CONSOLE_H

#include <stdbool.h>

#include "mpk/error.h"

/**
 * Tab completion: the @state'th match of @text (0, 1, ...) as a malloc'd
 * string, or NULL when there are no more.
 */
typedef char *(*mpk_complete_fn)(const char *text, int state, void *arg);

/**
 * Called when a signal interrupts the read: true ends the line as
 * interrupted (the caller has noted why, e.g. a pending KeyboardInterrupt).
 */
typedef bool (*mpk_interrupted_fn)(void *arg);

/**
 * Start a console. When crash reads a terminal through readline, save
 * crash's history and completion, start the console's history from
 * @history_path (NULL: none; a missing file is an empty history) and
 * complete with @complete. Set *@ret to whether readline is used; without
 * it, lines are read as crash reads a pipe. A console already started is
 * an MPK_ERROR_INVALID.
 */
struct mpk_error *mpk_console_begin(const char *history_path,
				    mpk_complete_fn complete,
				    mpk_interrupted_fn interrupted, void *arg,
				    bool *ret);

/**
 * Read one line, without its newline, into *@ret (malloc'd; NULL at end
 * of input). MPK_ERROR_INTERRUPT if @interrupted ended it.
 */
struct mpk_error *mpk_console_read(const char *prompt, char **ret);

/**
 * End the console: write its history (bounded) and give crash back its
 * own history, completion and signal handling. A no-op without a console.
 */
struct mpk_error *mpk_console_end(void);

#endif /* MPK_CONSOLE_H */
