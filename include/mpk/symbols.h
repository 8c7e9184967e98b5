/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel and module symbols from crash's symbol tables. */
#ifndef MPK_SYMBOLS_H
#define MPK_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpk/error.h"

/** Address of the first symbol named @name; MPK_ERROR_LOOKUP if none. */
struct mpk_error *mpk_symbol_address(const char *name, uint64_t *ret);

/**
 * All addresses of symbols named @name (a static may exist in several
 * modules or files) in @ret (malloc'ed, @ret_n entries; may be 0).
 */
struct mpk_error *mpk_symbol_addresses(const char *name, uint64_t **ret,
				       size_t *ret_n);

/** Whether crash knows a symbol named @name ("" is none), in @ret. */
struct mpk_error *mpk_symbol_exists(const char *name, bool *ret);

/**
 * The symbol containing @addr: its name (static storage of crash, valid
 * until modules change) in @ret and the offset in @ret_offset;
 * MPK_ERROR_LOOKUP if none.
 */
struct mpk_error *mpk_symbol_at(uint64_t addr, const char **ret,
				uint64_t *ret_offset);

/** Name of the module whose symbols contain @addr, or NULL, in @ret. */
struct mpk_error *mpk_module_of(uint64_t addr, const char **ret);

/** One loaded kernel module as crash knows it. */
struct mpk_module {
	const char *name;
	uint64_t base;		/* struct module address */
	uint64_t size;
	bool debuginfo;		/* its debuginfo was loaded (mod -s) */
	const char *objfile;	/* the loaded file, or NULL */
};

/** The modules crash knows: @ret points into crash's table. */
size_t mpk_modules(struct mpk_module *ret, size_t max);

#endif /* MPK_SYMBOLS_H */
