/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ELF files on disk: what their section headers say. libc only. */
#ifndef MPK_ELF_H
#define MPK_ELF_H

#include <stdbool.h>

#include "mpk/error.h"

/**
 * Whether the 64-bit ELF file @path has a section named @name, in @ret;
 * MPK_ERROR_OS if it cannot be read, MPK_ERROR_INVALID if it is not such
 * a file or its section headers do not fit in it.
 */
struct mpk_error *mpk_elf_has_section(const char *path, const char *name,
				      bool *ret);

#endif /* MPK_ELF_H */
