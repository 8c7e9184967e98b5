/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running crash and gdb commands with their output captured. */
#ifndef MPK_COMMAND_H
#define MPK_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "mpk/error.h"

/**
 * Run the crash command line @cmd (no pipes or redirections) and return its
 * output in @ret (malloc'ed, NUL-terminated; length in @ret_len if not
 * NULL). crash's fp, args, argcnt, optind and current command are restored
 * afterwards on every path. A command that fails with error(FATAL) gives
 * MPK_ERROR_CRASH whose message is the text crash printed.
 */
struct mpk_error *mpk_crash_command(const char *cmd, char **ret,
				    size_t *ret_len);

/**
 * Run the gdb command @cmd through crash's gdb and return its output in
 * @ret (malloc'ed). gdb's failure gives MPK_ERROR_CRASH with gdb's text.
 */
struct mpk_error *mpk_gdb_command(const char *cmd, char **ret,
				  size_t *ret_len);

#endif /* MPK_COMMAND_H */
