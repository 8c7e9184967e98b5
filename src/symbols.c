// SPDX-License-Identifier: GPL-2.0-or-later
/* symbol_search(), value_search() and the module table of crash. */

#include <stdlib.h>
#include <string.h>

#include "defs.h"
#include "mpk/cleanup.h"
#include "mpk/guard.h"
#include "mpk/symbols.h"

/* One symbol-table call, run under the guard. */
struct sym_call {
	char name[MPK_NAME_MAX];	/* a copy: crash may write into it */
	struct syment *sp;	/* in: symbol_search_next's start; out */
	ulong addr;
	ulong offset;
	struct load_module *lm;
	int ok;
};

static void run_symbol_search(void *arg)
{
	struct sym_call *c = arg;

	c->sp = symbol_search(c->name);
}

static void run_symbol_search_next(void *arg)
{
	struct sym_call *c = arg;

	c->sp = symbol_search_next(c->name, c->sp);
}

static void run_symbol_exists(void *arg)
{
	struct sym_call *c = arg;

	c->ok = symbol_exists(c->name);
}

static void run_value_search(void *arg)
{
	struct sym_call *c = arg;

	c->sp = value_search(c->addr, &c->offset);
}

static void run_module_symbol(void *arg)
{
	struct sym_call *c = arg;

	c->ok = module_symbol(c->addr, NULL, &c->lm, NULL, 0);
}

static struct mpk_error *no_symbol(const char *name)
{
	return mpk_error_lookup(MPK_LOOKUP_SYMBOL, name, "no symbol %s", name);
}

struct mpk_error *mpk_symbol_address(const char *name, uint64_t *ret)
{
	struct sym_call c;
	struct mpk_error *err;

	if (!mpk_crash_name(name, c.name))
		return no_symbol(name);
	err = mpk_guard_quiet(run_symbol_search, &c, "symbol_search");
	if (err)
		return err;
	if (!c.sp)
		return no_symbol(name);
	*ret = c.sp->value;
	return NULL;
}

struct mpk_error *mpk_symbol_addresses(const char *name, uint64_t **ret,
				       size_t *ret_n)
{
	struct sym_call c;
	struct mpk_error *err = NULL;
	_cleanup_free_ uint64_t *addrs = NULL;
	size_t n = 0, cap = 0;

	if (!mpk_crash_name(name, c.name)) {
		*ret = NULL;
		*ret_n = 0;
		return NULL;
	}
	/* One guarded call per step: nothing malloc'ed inside the guard. */
	for (err = mpk_guard_quiet(run_symbol_search, &c, "symbol_search");
	     !err && c.sp;
	     err = mpk_guard_quiet(run_symbol_search_next, &c,
				   "symbol_search_next")) {
		if (n == cap) {
			uint64_t *bigger;

			cap = cap ? 2 * cap : 4;
			bigger = realloc(addrs, cap * sizeof(*addrs));
			if (!bigger)
				return &mpk_enomem;
			addrs = bigger;
		}
		addrs[n++] = c.sp->value;
	}
	if (err)
		return err;
	*ret = addrs;
	addrs = NULL;	/* now the caller's */
	*ret_n = n;
	return NULL;
}

struct mpk_error *mpk_symbol_exists(const char *name, bool *ret)
{
	struct sym_call c;
	struct mpk_error *err;

	if (!mpk_crash_name(name, c.name)) {
		*ret = false;
		return NULL;
	}
	err = mpk_guard_quiet(run_symbol_exists, &c, "symbol_exists");
	if (err)
		return err;
	*ret = c.ok;
	return NULL;
}

struct mpk_error *mpk_symbol_at(uint64_t addr, const char **ret,
				uint64_t *ret_offset)
{
	struct sym_call c = { .addr = addr };
	struct mpk_error *err;

	err = mpk_guard_quiet(run_value_search, &c, "value_search");
	if (err)
		return err;
	if (!c.sp)
		return mpk_error_lookup(MPK_LOOKUP_SYMBOL, NULL,
					"no symbol at 0x%llx",
					(unsigned long long)addr);
	*ret = c.sp->name;
	*ret_offset = c.offset;
	return NULL;
}

struct mpk_error *mpk_module_of(uint64_t addr, const char **ret)
{
	struct sym_call c = { .addr = addr };
	struct mpk_error *err;

	err = mpk_guard_quiet(run_module_symbol, &c, "module_symbol");
	if (err)
		return err;
	*ret = c.ok && c.lm ? c.lm->mod_name : NULL;
	return NULL;
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
