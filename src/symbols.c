// SPDX-License-Identifier: GPL-2.0-or-later
/* symbol_search(), value_search() and the module table of crash. */

#include <stdlib.h>
#include <string.h>

#include "defs.h"
#include "mpk/symbols.h"

/* crash's prototypes take char * for names they only read. */
static char *name_arg(const char *name)
{
	return (char *)name;
}

struct mpk_error *mpk_symbol_address(const char *name, uint64_t *ret)
{
	struct syment *sp = symbol_search(name_arg(name));

	if (!sp)
		return mpk_error_lookup(MPK_LOOKUP_SYMBOL, name, "no symbol %s",
					name);
	*ret = sp->value;
	return NULL;
}

struct mpk_error *mpk_symbol_addresses(const char *name, uint64_t **ret,
				       size_t *ret_n)
{
	struct syment *sp;
	uint64_t *addrs = NULL;
	size_t n = 0, cap = 0;

	for (sp = symbol_search(name_arg(name)); sp;
	     sp = symbol_search_next(name_arg(name), sp)) {
		if (n == cap) {
			uint64_t *bigger;

			cap = cap ? 2 * cap : 4;
			bigger = realloc(addrs, cap * sizeof(*addrs));
			if (!bigger) {
				free(addrs);
				return &mpk_enomem;
			}
			addrs = bigger;
		}
		addrs[n++] = sp->value;
	}
	*ret = addrs;
	*ret_n = n;
	return NULL;
}

bool mpk_symbol_exists(const char *name)
{
	return symbol_exists(name_arg(name));
}

struct mpk_error *mpk_symbol_at(uint64_t addr, const char **ret,
				uint64_t *ret_offset)
{
	ulong offset = 0;
	struct syment *sp = value_search(addr, &offset);

	if (!sp)
		return mpk_error_lookup(MPK_LOOKUP_SYMBOL, NULL,
					"no symbol at 0x%llx",
					(unsigned long long)addr);
	*ret = sp->name;
	*ret_offset = offset;
	return NULL;
}

const char *mpk_module_of(uint64_t addr)
{
	struct load_module *lm = NULL;

	if (!module_symbol(addr, NULL, &lm, NULL, 0) || !lm)
		return NULL;
	return lm->mod_name;
}

size_t mpk_modules(struct mpk_module *ret, size_t max)
{
	size_t i, n = st->mods_installed;

	for (i = 0; i < n && i < max; i++) {
		struct load_module *lm = &st->load_modules[i];

		ret[i].name = lm->mod_name;
		ret[i].base = lm->module_struct;
		ret[i].size = lm->mod_size;
		ret[i].debuginfo = lm->mod_flags & MOD_LOAD_SYMS;
		ret[i].objfile = lm->mod_namelist[0] ? lm->mod_namelist : NULL;
	}
	return n;
}
