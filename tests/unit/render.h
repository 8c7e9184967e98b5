/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helper: print a parse result back the way gdb prints types, so a
 * test can hold the parser against gdb's own text (see render_normalize()).
 */
#ifndef MPK_TEST_RENDER_H
#define MPK_TEST_RENDER_H

#include <stddef.h>

#include "mpk/ptype_parse.h"

/* gdb-style `type = ...` text of a whole result (malloc'd). */
char *render_ptype(const struct mpk_ptype *ptype);
/* One declaration, `char *(*get_name)(struct device *, int)` (malloc'd). */
char *render_decl(const struct mpk_ctype *type, const char *name);
/*
 * gdb text made comparable with render_ptype(): hole comments dropped
 * (the parser skips them), whitespace runs made one space (malloc'd).
 */
char *render_normalize(const char *text, size_t len);

#endif /* MPK_TEST_RENDER_H */
