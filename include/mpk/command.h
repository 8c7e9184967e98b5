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

/**
 * Run @cmd in a forked child that reopens the dump file (so parent and
 * child do not share a file offset) and writes the output to a pipe:
 * @ret_fd is the pipe's read end, @ret_pid the child to reap.
 */
struct mpk_error *mpk_crash_command_fork(const char *cmd, int *ret_fd,
					 int *ret_pid);

/**
 * Send crash's error messages to @target (a path, or "default") and return
 * the previous target in @ret (malloc'ed, or NULL if crash has none).
 */
struct mpk_error *mpk_set_error_target(const char *target, char **ret);

/** Write @len bytes to crash's current output (fp): pipes, > and >>. */
struct mpk_error *mpk_output_write(const char *buf, size_t len);
/** Flush crash's current output. */
void mpk_output_flush(void);
/** The file descriptor behind crash's current output. */
int mpk_output_fileno(void);
/** Read one line of crash's input (stdin) for the console; NULL at EOF. */
char *mpk_input_line(const char *prompt);

#endif /* MPK_COMMAND_H */
