/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash's current output (fp), where Python's sys.stdout writes. */
#ifndef MPK_OUTPUT_H
#define MPK_OUTPUT_H

#include <stddef.h>

#include "mpk/error.h"

/** Write @len bytes to crash's current output (fp): pipes, > and >>. */
struct mpk_error *mpk_output_write(const char *buf, size_t len);
/** Flush crash's current output. */
void mpk_output_flush(void);
/** The file descriptor behind crash's current output. */
int mpk_output_fileno(void);

#endif /* MPK_OUTPUT_H */
