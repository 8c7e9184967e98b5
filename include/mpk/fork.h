/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A crash command run in a forked child, its output read through a pipe. */
#ifndef MPK_FORK_H
#define MPK_FORK_H

#include "mpk/error.h"

/**
 * Run @cmd in a forked child that reopens the dump file (so parent and
 * child do not share a file offset) and writes the output to a pipe:
 * @ret_fd is the pipe's read end, @ret_pid the child to reap.
 */
struct mpk_error *mpk_crash_command_fork(const char *cmd, int *ret_fd,
					 int *ret_pid);

#endif /* MPK_FORK_H */
