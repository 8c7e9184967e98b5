// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Type information through crash's public interface only: gdb's ptype and
 * whatis text (crash 8.0.2 has no type-drilling callbacks), parsed by
 * ptype_parse.c and cached per expression and type generation.
 */

#include <stdlib.h>
#include <string.h>

#include "defs.h"
#include "mpk/command.h"
#include "mpk/guard.h"
#include "mpk/types.h"

/* One cached answer: the parse, or the lookup error gdb gave. */
struct cache_entry {
	char *key;		/* "o:EXPR", "p:EXPR" or "w:EXPR" */
	struct mpk_ptype *ptype;
	char *error;		/* gdb's message when ptype is NULL */
	long size;		/* "s:" entries: datatype_info's answer */
	struct cache_entry *next;
};

enum { CACHE_BUCKETS = 4096 };

static struct cache_entry *cache[CACHE_BUCKETS];
static unsigned long generation = 1;
static unsigned long modules_signature;

static size_t key_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % CACHE_BUCKETS;
}

static void cache_clear(void)
{
	size_t i;

	for (i = 0; i < CACHE_BUCKETS; i++) {
		struct cache_entry *e = cache[i];

		while (e) {
			struct cache_entry *next = e->next;

			mpk_ptype_destroy(e->ptype);
			free(e->error);
			free(e->key);
			free(e);
			e = next;
		}
		cache[i] = NULL;
	}
}

/*
 * Which modules have debuginfo loaded, folded into a number: `mod -s` and
 * `mod -d` change it whether typed in crash or run by a program.
 */
static unsigned long current_modules_signature(void)
{
	unsigned long sig = st->mods_installed;
	int i;

	for (i = 0; i < st->mods_installed; i++) {
		struct load_module *lm = &st->load_modules[i];

		if (lm->mod_flags & MOD_LOAD_SYMS)
			sig = sig * 31 + lm->module_struct + 1;
	}
	return sig;
}

unsigned long mpk_type_generation(void)
{
	unsigned long sig = current_modules_signature();

	if (sig != modules_signature) {
		modules_signature = sig;
		cache_clear();
		generation++;
	}
	return generation;
}

static struct cache_entry *cache_find(const char *key)
{
	struct cache_entry *e;

	for (e = cache[key_hash(key)]; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

static struct mpk_error *cached_answer(const struct cache_entry *e,
				       const struct mpk_ptype **ret)
{
	if (e->ptype) {
		*ret = e->ptype;
		return NULL;
	}
	return mpk_error_create(MPK_ERROR_LOOKUP, "%s", e->error);
}

/* Run one gdb type command and parse it; store the answer either way. */
static struct mpk_error *query(const char *kind, const char *command,
			       const char *expr, const struct mpk_ptype **ret)
{
	struct cache_entry *e;
	struct mpk_error *err;
	struct mpk_ptype *ptype = NULL;
	char *key = NULL, *cmd = NULL, *text = NULL;
	size_t len;

	/* gdb answers an empty ptype/whatis with the last value's type. */
	if (!expr[strspn(expr, " \t\n")])
		return mpk_error_create(MPK_ERROR_LOOKUP, "no %s '%s'",
					*kind == 'w' ? "symbol" : "type", expr);
	mpk_type_generation();
	if (asprintf(&key, "%s:%s", kind, expr) < 0)
		return &mpk_enomem;
	e = cache_find(key);
	if (e) {
		free(key);
		return cached_answer(e, ret);
	}
	if (asprintf(&cmd, "%s %s", command, expr) < 0) {
		free(key);
		return &mpk_enomem;
	}
	err = mpk_gdb_command(cmd, &text, &len);
	free(cmd);
	if (err && err->code == MPK_ERROR_CRASH) {
		/* gdb keeps its reason to itself with GNU_RETURN_ON_ERROR. */
		mpk_error_destroy(err);
		err = mpk_error_create(MPK_ERROR_LOOKUP, "no %s %s",
				       *kind == 'w' ? "symbol" : "type", expr);
	}
	if (!err)
		err = mpk_ptype_parse(text, len, &ptype);
	free(text);
	/* Only lookups are answers to keep: a parse error is our bug. */
	if (err && err->code != MPK_ERROR_LOOKUP &&
	    err->code != MPK_ERROR_CRASH) {
		free(key);
		return err;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		mpk_ptype_destroy(ptype);
		mpk_error_destroy(err);
		free(key);
		return &mpk_enomem;
	}
	e->key = key;
	e->ptype = ptype;
	if (err) {
		e->error = strdup(err->message);
		mpk_error_destroy(err);
		if (!e->error) {
			free(e->key);
			free(e);
			return &mpk_enomem;
		}
	}
	e->next = cache[key_hash(key)];
	cache[key_hash(key)] = e;
	return cached_answer(e, ret);
}

struct mpk_error *mpk_type_ptype(const char *expr, bool offsets,
				 const struct mpk_ptype **ret)
{
	return offsets ? query("o", "ptype /o", expr, ret) :
			 query("p", "ptype", expr, ret);
}

struct mpk_error *mpk_type_whatis(const char *expr,
				  const struct mpk_ptype **ret)
{
	return query("w", "whatis", expr, ret);
}

/* True if the space-separated @name contains the word @word. */
static bool has_word(const char *name, const char *word)
{
	size_t n = strlen(word);
	const char *p = name;

	while ((p = strstr(p, word))) {
		if ((p == name || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

bool mpk_base_type(const char *name, struct mpk_base_type *ret)
{
	static const char *const words[] = {
		"char", "short", "int", "long", "signed", "unsigned",
		"_Bool", "float", "double", "void", "__int128",
	};
	const char *p = name;
	struct mpk_base_type t = { MPK_TYPE_CODE_INT, 4, false };

	/* Every word must be a base-type keyword: "u32" is a typedef. */
	while (*p) {
		size_t len = strcspn(p, " "), i;
		bool known = false;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i]) == len &&
			    !strncmp(words[i], p, len))
				known = true;
		if (!known)
			return false;
		p += len;
		while (*p == ' ')
			p++;
	}
	if (!*name)
		return false;
	if (has_word(name, "void")) {
		t.code = MPK_TYPE_CODE_VOID;
		t.size = 1;
	} else if (has_word(name, "_Bool")) {
		t.code = MPK_TYPE_CODE_BOOL;
		t.size = 1;
		t.is_unsigned = true;
	} else if (has_word(name, "float")) {
		t.code = MPK_TYPE_CODE_FLT;
		t.size = 4;
	} else if (has_word(name, "double")) {
		t.code = MPK_TYPE_CODE_FLT;
		t.size = has_word(name, "long") ? 16 : 8;
	} else {
		if (has_word(name, "char"))
			t.size = 1;
		else if (has_word(name, "short"))
			t.size = 2;
		else if (has_word(name, "__int128"))
			t.size = 16;
		else if (has_word(name, "long"))
			t.size = 8;
		t.is_unsigned = has_word(name, "unsigned");
	}
	*ret = t;
	return true;
}

/* datatype_info() under the guard, on copies of the names. */
struct datatype_call {
	char name[MPK_NAME_MAX];
	char member[MPK_NAME_MAX];
	bool has_member;
	struct datatype_member *request;
	long ret;
};

static void run_datatype_info(void *arg)
{
	struct datatype_call *c = arg;

	c->ret = datatype_info(c->name, c->has_member ? c->member : NULL,
			       c->request);
}

static struct mpk_error *datatype(const char *name, const char *member,
				  struct datatype_member *request, long *ret)
{
	struct datatype_call c = { .request = request };
	struct mpk_error *err;

	if (!mpk_crash_name(name, c.name) ||
	    (member && !mpk_crash_name(member, c.member))) {
		*ret = -1;	/* no type or member can be called that */
		return NULL;
	}
	c.has_member = member != NULL;
	err = mpk_guard_quiet(run_datatype_info, &c, "datatype_info");
	if (err)
		return err;
	*ret = c.ret;
	return NULL;
}

/* gdb's symbol lookup behind datatype_info costs ~0.1 ms: keep answers. */
struct mpk_error *mpk_type_size(const char *name, long *ret)
{
	struct cache_entry *e;
	struct mpk_error *err;
	char *key;
	long size;

	mpk_type_generation();
	if (asprintf(&key, "s:%s", name) < 0)
		return &mpk_enomem;
	e = cache_find(key);
	if (e) {
		free(key);
		*ret = e->size;
		return NULL;
	}
	/* An interrupted or failed lookup is not an answer: never cached. */
	err = datatype(name, NULL, STRUCT_SIZE_REQUEST, &size);
	if (err) {
		free(key);
		return err;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		free(key);
		return &mpk_enomem;
	}
	e->key = key;
	e->size = size;
	e->next = cache[key_hash(key)];
	cache[key_hash(key)] = e;
	*ret = size;
	return NULL;
}

struct mpk_error *mpk_member_offset(const char *name, const char *member,
				    long *ret)
{
	return datatype(name, member, NULL, ret);
}

struct mpk_error *mpk_member_size(const char *name, const char *member,
				  long *ret)
{
	return datatype(name, member, MEMBER_SIZE_REQUEST, ret);
}
