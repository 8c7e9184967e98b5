/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A crash command line as the captured and the forked runs share it: the
 * checks before it reaches crash, and running it in crash's own argv.
 */
#ifndef MPK_CMDLINE_H
#define MPK_CMDLINE_H

#include <stdbool.h>

#include "mpk/error.h"

/**
 * MPK_ERROR_INVALID if @cmd cannot go to crash's command line: longer
 * than its buffer, more words than its argv holds (unless @gdb: gdb gets
 * the line whole), or '|', '>' or ';' outside quotes (unless @gdb).
 */
struct mpk_error *mpk_cmdline_check(const char *cmd, bool gdb);

/**
 * Put @cmd (checked) in crash's command line, parse it into args/argcnt
 * and run it under the guard. The caller saves and restores what a
 * command overwrites.
 */
struct mpk_error *mpk_cmdline_exec(const char *cmd);

#endif /* MPK_CMDLINE_H */
