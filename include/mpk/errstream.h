/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where crash sends its error messages (SuppressCrashErrors). */
#ifndef MPK_ERRSTREAM_H
#define MPK_ERRSTREAM_H

#include "mpk/error.h"

/**
 * Send crash's error messages to @target (a path, or "default") and return
 * the previous target in @ret (malloc'ed, or NULL if crash has none).
 */
struct mpk_error *mpk_set_error_target(const char *target, char **ret);

#endif /* MPK_ERRSTREAM_H */
