/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the crash-facing side (extension.c) offers the interpreter. */
#ifndef MPK_EXTENSION_H
#define MPK_EXTENSION_H

#include <stddef.h>

/** Names of the crash commands this extension registered, in @ret. */
size_t mpk_command_names(const char *const **ret);

#endif /* MPK_EXTENSION_H */
