// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Type information from two sources, cached per expression and type
 * generation:
 * - the kernel's BTF (src/btf.c), loaded once per session from the
 *   vmlinux file or, when the file has none, from the dump's memory: it
 *   answers struct, union, enum and typedef names in microseconds;
 * - gdb through crash's public interface: `ptype /o` and `whatis` text
 *   (crash 8.0.2 has no type-drilling callbacks) parsed by ptype_parse.c,
 *   and datatype_info() for sizes and offsets. gdb answers what BTF
 *   cannot (globals, expressions, types of modules) and everything when
 *   the kernel has no BTF or PYKDUMP_TYPES=gdb.
 * Every call into crash or gdb goes through the gdb_*() wrappers below.
 */

#include <stdlib.h>
#include <string.h>

#include "defs.h"
#include "mpk/btf.h"
#include "mpk/cleanup.h"
#include "mpk/command.h"
#include "mpk/elf.h"
#include "mpk/guard.h"
#include "mpk/memory.h"
#include "mpk/symbols.h"
#include "mpk/types.h"

/* One cached answer: the parse, or the lookup error gdb gave. */
struct cache_entry {
	char *key;		/* "o:EXPR", "p:EXPR" or "w:EXPR" */
	struct mpk_ptype *ptype;
	char *error;		/* gdb's message when ptype is NULL */
	enum mpk_lookup_kind lookup;	/* what error says was not found */
	long size;		/* "s:" entries: datatype_info's answer */
	struct cache_entry *next;
};

enum { CACHE_BUCKETS = 4096 };

static struct cache_entry *cache[CACHE_BUCKETS];
/*
 * Entries in the cache: an empty cache is not walked, so that the first
 * type question of a session (the type generation starts there) does not
 * write all of cache[], 8 fresh pages (~20 us each on some VMs).
 */
static size_t cache_entries;
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

	for (i = 0; cache_entries && i < CACHE_BUCKETS; i++) {
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
	cache_entries = 0;
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
	/* The key is "K:EXPR": name the expression that was looked up. */
	return mpk_error_lookup(e->lookup, e->key + 2, "%s", e->error);
}

/* ---- the only calls into gdb/crash for types ---- */

/* gdb requests made for types: ptype/whatis commands, datatype_info() */
static unsigned long gdb_requests;

unsigned long mpk_type_gdb_requests(void)
{
	return gdb_requests;
}

/* of which ptype answers describing a whole struct or union */
static unsigned long gdb_layouts;

unsigned long mpk_type_gdb_layouts(void)
{
	return gdb_layouts;
}

static struct mpk_error *gdb_type_text(const char *cmd, char **text,
				       size_t *len)
{
	gdb_requests++;
	return mpk_gdb_command(cmd, text, len);
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
	gdb_requests++;
	err = mpk_guard_quiet(run_datatype_info, &c, "datatype_info");
	if (err)
		return err;
	*ret = c.ret;
	return NULL;
}

static struct mpk_error *gdb_type_size(const char *name, long *ret)
{
	return datatype(name, NULL, STRUCT_SIZE_REQUEST, ret);
}

static struct mpk_error *gdb_member_offset(const char *name,
					   const char *member, long *ret)
{
	return datatype(name, member, NULL, ret);
}

static struct mpk_error *gdb_member_size(const char *name,
					 const char *member, long *ret)
{
	return datatype(name, member, MEMBER_SIZE_REQUEST, ret);
}

/* @name as crash's datatype_info() was always given it: the bare tag. */
static const char *bare_tag(const char *name)
{
	if (!strncmp(name, "struct ", 7))
		return name + 7;
	if (!strncmp(name, "union ", 6))
		return name + 6;
	return name;
}

/* ---- the kernel's BTF ---- */

static enum mpk_type_source source = MPK_TYPES_AUTO;
static bool source_read;
static struct mpk_btf *kernel_btf;
static bool kernel_btf_tried;
static char btf_origin[512] = "not loaded yet";

static void read_source_env(void)
{
	const char *env = getenv("PYKDUMP_TYPES");

	source_read = true;
	if (!env || !*env || !strcmp(env, "auto"))
		return;
	if (!strcmp(env, "btf"))
		source = MPK_TYPES_BTF;
	else if (!strcmp(env, "gdb"))
		source = MPK_TYPES_GDB;
}

enum mpk_type_source mpk_type_source(void)
{
	if (!source_read)
		read_source_env();
	return source;
}

enum mpk_type_source mpk_type_source_set(enum mpk_type_source s)
{
	enum mpk_type_source old = mpk_type_source();

	if (s != old) {
		/* what was built from the other source must go */
		cache_clear();
		generation++;
	}
	source = s;
	return old;
}

/* The BTF between __start_BTF and __stop_BTF in the dump's memory. */
static struct mpk_error *btf_from_memory(struct mpk_btf **ret)
{
	uint64_t start, stop;
	_cleanup_free_ void *buf = NULL;

	if (!symbol_exists("__start_BTF") || !symbol_exists("__stop_BTF"))
		return mpk_error_create(MPK_ERROR_LOOKUP,
					"no __start_BTF/__stop_BTF symbols");
	start = symbol_value("__start_BTF");
	stop = symbol_value("__stop_BTF");
	if (stop <= start || stop - start > (256 << 20))
		return mpk_error_create(MPK_ERROR_INVALID,
					"bad BTF bounds %#llx-%#llx",
					(unsigned long long)start,
					(unsigned long long)stop);
	buf = malloc(stop - start);
	if (!buf)
		return &mpk_enomem;
	struct mpk_error *err = mpk_read(start, KVADDR, buf, stop - start);

	return err ? err : mpk_btf_open_raw(buf, stop - start, NULL, ret);
}

static void load_kernel_btf(void)
{
	const char *files[] = { pc->namelist_debug, pc->namelist };
	struct mpk_error *err = NULL;
	size_t i;

	kernel_btf_tried = true;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!files[i])
			continue;
		mpk_error_destroy(err);
		err = mpk_btf_open_file(files[i], &kernel_btf);
		if (!err) {
			snprintf(btf_origin, sizeof(btf_origin),
				 "BTF from the file %s (%zu types, %zu names "
				 "BTF cannot decide asked to gdb)", files[i],
				 mpk_btf_ntypes(kernel_btf),
				 mpk_btf_nambiguous(kernel_btf));
			return;
		}
	}
	mpk_error_destroy(err);
	err = btf_from_memory(&kernel_btf);
	if (!err) {
		snprintf(btf_origin, sizeof(btf_origin),
			 "BTF from the dump's memory, __start_BTF (%zu types, "
			 "%zu names BTF cannot decide asked to gdb)",
			 mpk_btf_ntypes(kernel_btf),
			 mpk_btf_nambiguous(kernel_btf));
		return;
	}
	snprintf(btf_origin, sizeof(btf_origin),
		 "no BTF (%s): types from gdb", err->message);
	mpk_error_destroy(err);
}

/* The kernel's BTF if types may come from it now, else NULL. */
static const struct mpk_btf *usable_btf(void)
{
	if (mpk_type_source() == MPK_TYPES_GDB)
		return NULL;
	if (!kernel_btf_tried)
		load_kernel_btf();
	return kernel_btf;
}

/* ---- modules' split BTF ---- */

/* One loaded module's split BTF, on top of the kernel's. */
struct module_btf {
	uint64_t module;	/* its struct module */
	struct mpk_btf *btf;
	char *checked;		/* the file module_has_dwarf() last read */
	bool dwarf;		/* whether that file has .debug_info */
};

static struct module_btf *module_btfs;
static size_t nmodule_btfs;
static bool module_btfs_tried;
static char module_btf_origin[160];

/* Member @member of @type in the kernel's BTF: its offset, or false. */
static bool kernel_offset(const char *type, const char *member,
			  uint64_t *ret)
{
	struct mpk_error *err = mpk_btf_member(kernel_btf, type, member, ret,
					       NULL);

	mpk_error_destroy(err);
	return !err;
}

static struct mpk_error *read_u64(uint64_t addr, uint64_t *ret)
{
	return mpk_read(addr, KVADDR, ret, sizeof(*ret));
}

/* Split BTF of @size bytes at @data in the dump's memory. */
static struct mpk_error *module_btf_at(uint64_t data, uint64_t size,
				       struct mpk_btf **ret)
{
	_cleanup_free_ void *buf = NULL;

	if (!data || !size || size > (64 << 20))
		return mpk_error_create(MPK_ERROR_INVALID,
					"bad module BTF %#llx (%llu bytes)",
					(unsigned long long)data,
					(unsigned long long)size);
	buf = malloc(size);
	if (!buf)
		return &mpk_enomem;
	struct mpk_error *err = mpk_read(data, KVADDR, buf, size);

	return err ? err : mpk_btf_open_raw(buf, size, kernel_btf, ret);
}

static struct mpk_error *module_btf_add(uint64_t module, struct mpk_btf *btf)
{
	struct module_btf *m = realloc(module_btfs, (nmodule_btfs + 1) *
				       sizeof(*m));

	if (!m) {
		mpk_btf_destroy(btf);
		return &mpk_enomem;
	}
	module_btfs = m;
	m[nmodule_btfs] = (struct module_btf){ .module = module, .btf = btf };
	nmodule_btfs++;
	return NULL;
}

/*
 * The split BTF the BPF subsystem keeps for each module (struct btf's
 * data, on the list btf_modules): what the kernel itself parsed, there
 * also when struct module's btf_data is gone (cleared after the
 * module's init before Linux 6.11).
 */
static struct mpk_error *load_module_btfs_from_list(void)
{
	uint64_t o_list, o_module, o_btf, o_data, o_size, head, pos;
	size_t guard = 0;
	struct mpk_error *err;

	if (!symbol_exists("btf_modules") ||
	    !kernel_offset("struct btf_module", "list", &o_list) ||
	    !kernel_offset("struct btf_module", "module", &o_module) ||
	    !kernel_offset("struct btf_module", "btf", &o_btf) ||
	    !kernel_offset("struct btf", "data", &o_data) ||
	    !kernel_offset("struct btf", "data_size", &o_size))
		return mpk_error_create(MPK_ERROR_LOOKUP,
					"no btf_modules list in this kernel");
	head = symbol_value("btf_modules");
	err = read_u64(head, &pos);
	for (; !err && pos != head; err = read_u64(pos, &pos)) {
		uint64_t entry = pos - o_list, module, btf, data;
		uint32_t size;
		struct mpk_btf *b;

		if (++guard > 65536)
			return mpk_error_create(MPK_ERROR_INVALID,
						"btf_modules does not end");
		err = read_u64(entry + o_module, &module);
		if (!err)
			err = read_u64(entry + o_btf, &btf);
		if (!err && btf)
			err = read_u64(btf + o_data, &data);
		if (!err && btf)
			err = mpk_read(btf + o_size, KVADDR, &size,
				       sizeof(size));
		if (err)
			return err;
		if (!btf || !module)
			continue;
		err = module_btf_at(data, size, &b);
		if (!err)
			err = module_btf_add(module, b);
		if (err && err != &mpk_enomem) {
			/* one bad module's BTF does not hide the others' */
			mpk_error_destroy(err);
			err = NULL;
		}
	}
	return err;
}

/* Every loaded module's split BTF, once per session, on first need. */
static void load_module_btfs(void)
{
	struct mpk_error *err;

	module_btfs_tried = true;
	err = load_module_btfs_from_list();
	if (err) {
		snprintf(module_btf_origin, sizeof(module_btf_origin),
			 "modules' types from gdb (%s)", err->message);
		mpk_error_destroy(err);
		return;
	}
	snprintf(module_btf_origin, sizeof(module_btf_origin),
		 "split BTF of %zu of %d modules from the dump's memory",
		 nmodule_btfs, st->mods_installed);
}

/*
 * Whether the file crash loaded for module @m (mod -s) has DWARF, read
 * once per file: a stripped .ko (Debian's /lib/modules ones) gives gdb no
 * types, while its split BTF still has them all. A file that cannot be
 * read counts as DWARF: gdb answers, as it did before this check.
 */
static bool module_has_dwarf(struct module_btf *m)
{
	const struct load_module *lm = NULL;
	struct mpk_error *err;
	int i;

	for (i = 0; i < st->mods_installed && !lm; i++)
		if (st->load_modules[i].module_struct == m->module)
			lm = &st->load_modules[i];
	if (!lm || !(lm->mod_flags & MOD_LOAD_SYMS))
		return false;
	if (m->checked && !strcmp(m->checked, lm->mod_namelist))
		return m->dwarf;
	free(m->checked);
	m->checked = strdup(lm->mod_namelist);
	err = mpk_elf_has_section(lm->mod_namelist, ".debug_info", &m->dwarf);
	if (err || !m->checked)
		m->dwarf = true;
	mpk_error_destroy(err);
	return m->dwarf;
}

/*
 * The module split BTF that defines @name, NULL if none does or two
 * define it differently (each module carries its own copy of a type from
 * a shared header: alike copies are one answer). A module whose
 * debuginfo the user loaded is left to gdb, which then knows the
 * module's types with their DWARF names and scopes.
 */
static const struct mpk_btf *module_btf_for(const char *name)
{
	const struct mpk_btf *found = NULL;
	size_t i;

	if (!module_btfs_tried)
		load_module_btfs();
	for (i = 0; i < nmodule_btfs; i++) {
		if (!mpk_btf_knows(module_btfs[i].btf, name))
			continue;
		if (module_has_dwarf(&module_btfs[i]) ||
		    (found && !mpk_btf_same(found, module_btfs[i].btf, name)))
			return NULL;
		if (!found)
			found = module_btfs[i].btf;
	}
	if (found && mpk_type_source() == MPK_TYPES_AUTO &&
	    mpk_btf_ambiguous(found, name))
		return NULL;
	return found;
}

static void module_btfs_release(void)
{
	size_t i;

	for (i = 0; i < nmodule_btfs; i++) {
		mpk_btf_destroy(module_btfs[i].btf);
		free(module_btfs[i].checked);
	}
	free(module_btfs);
	module_btfs = NULL;
	nmodule_btfs = 0;
	module_btfs_tried = false;
}

/*
 * The BTF that should answer for @name: the kernel's, else the one
 * module's that defines it; not when two definitions share the name,
 * unless BTF is forced (gdb's pick is the one programs always got).
 */
static const struct mpk_btf *btf_for(const char *name)
{
	const struct mpk_btf *btf = usable_btf(), *module;

	if (!btf)
		return NULL;
	if (mpk_type_source() == MPK_TYPES_AUTO &&
	    mpk_btf_ambiguous(btf, name))
		return NULL;
	if (!mpk_btf_is_name(name) || mpk_btf_knows(btf, name))
		return btf;
	module = module_btf_for(name);
	return module ? module : btf;
}

/*
 * Whether BTF not knowing a name is the final answer: gdb reads the same
 * vmlinux DWARF that BTF was made from (and asking gdb for a name it lacks
 * costs a search of every compilation unit), unless module debuginfo is
 * loaded (mod -s): then gdb knows that module's types too.
 */
static bool btf_miss_is_final(void)
{
	int i;

	if (mpk_type_source() == MPK_TYPES_BTF)
		return true;
	for (i = 0; i < st->mods_installed; i++)
		if (st->load_modules[i].mod_flags & MOD_LOAD_SYMS)
			return false;
	return true;
}

/* BTF answers for the name @name, found or not: gdb need not be asked. */
static bool btf_decides(const char *name)
{
	return btf_for(name) && mpk_btf_is_name(name) && btf_miss_is_final();
}

void mpk_types_release(void)
{
	cache_clear();
	module_btfs_release();
	mpk_btf_destroy(kernel_btf);
	kernel_btf = NULL;
	kernel_btf_tried = false;
}

const char *mpk_type_origin(void)
{
	static char both[sizeof(btf_origin) + sizeof(module_btf_origin) + 8];

	if (mpk_type_source() == MPK_TYPES_GDB)
		return "gdb (PYKDUMP_TYPES=gdb)";
	if (!usable_btf() || !module_btfs_tried)
		return btf_origin;
	/* said once the modules' BTF was needed: loading it costs reads */
	snprintf(both, sizeof(both), "%s; %s", btf_origin, module_btf_origin);
	return both;
}

/* Store an answer under @key (taken); NULL or &mpk_enomem. */
static struct mpk_error *cache_store(char *key, struct mpk_ptype *ptype,
				     struct mpk_error *err,
				     struct cache_entry **ret)
{
	struct cache_entry *e = calloc(1, sizeof(*e));

	if (!e) {
		mpk_ptype_destroy(ptype);
		mpk_error_destroy(err);
		free(key);
		return &mpk_enomem;
	}
	e->key = key;
	e->ptype = ptype;
	if (err) {
		/* gdb's own text says what it missed; crash's does not. */
		e->lookup = err->lookup != MPK_LOOKUP_OTHER ? err->lookup :
			    *key == 'w' ? MPK_LOOKUP_SYMBOL : MPK_LOOKUP_TYPE;
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
	cache_entries++;
	*ret = e;
	return NULL;
}

/*
 * A base type name: what gdb says of `ptype unsigned long` is the name
 * as given, so no source is asked.
 */
static struct mpk_error *base_type_ptype(const char *expr,
					 struct mpk_ptype **ret)
{
	struct mpk_ptype *p = mpk_ptype_create();
	char *name;

	if (!p)
		return &mpk_enomem;
	name = mpk_ptype_alloc(p, strlen(expr) + 1);
	if (!name) {
		mpk_ptype_destroy(p);
		return &mpk_enomem;
	}
	strcpy(name, expr);
	p->type.kind = MPK_CTYPE_NAME;
	p->type.name = name;
	*ret = p;
	return NULL;
}

/* BTF's answer cached under @key, freeing @key, in *@ret: false if none. */
static bool btf_cached(char *key, const struct mpk_ptype **ret)
{
	struct cache_entry *e = cache_find(key);

	if (!e)
		return false;
	free(key);
	*ret = e->ptype;
	return true;
}

/*
 * Cache BTF's @ptype, or its miss @err when @miss, under @key (taken) and
 * set *@ret to it (NULL for a miss); any other error is returned, uncached.
 */
static struct mpk_error *btf_remember(char *key, struct mpk_ptype *ptype,
				      struct mpk_error *err, bool miss,
				      const struct mpk_ptype **ret)
{
	struct cache_entry *e;

	if (err && !miss) {
		free(key);
		return err;
	}
	/* a miss is remembered too: the next ask goes straight to gdb */
	err = cache_store(key, ptype, err, &e);
	if (err)
		return err;
	*ret = e->ptype;
	return NULL;
}

/*
 * The BTF answer to ptype of @expr, cached under "b:EXPR"; NULL *ret
 * (and no error) when BTF cannot say and gdb should be asked.
 */
static struct mpk_error *btf_query(const char *expr,
				   const struct mpk_ptype **ret)
{
	const struct mpk_btf *btf = btf_for(expr);
	struct mpk_base_type base;
	struct mpk_error *err;
	struct mpk_ptype *ptype = NULL;
	char *key;

	*ret = NULL;
	if (!btf)
		return NULL;
	if (asprintf(&key, "b:%s", expr) < 0)
		return &mpk_enomem;
	if (btf_cached(key, ret))
		return NULL;
	if (mpk_base_type(expr, &base))
		err = base_type_ptype(expr, &ptype);
	else
		err = mpk_btf_ptype(btf, expr, &ptype);
	return btf_remember(key, ptype, err,
			    err && err->code == MPK_ERROR_LOOKUP, ret);
}

/* The BTF btf_query() would ask for struct/union @name, or NULL. */
static const struct mpk_btf *su_btf(const char *name)
{
	mpk_type_generation();
	return mpk_btf_is_name(name) ? btf_for(name) : NULL;
}

struct mpk_error *mpk_type_su_members(const char *name, long index,
				      bool *answered, uint64_t *size,
				      int (*fn)(const struct mpk_member *m,
						void *arg),
				      void *arg, int *rc)
{
	const struct mpk_btf *btf = su_btf(name);
	struct mpk_error *err;

	*answered = false;
	*rc = 0;
	if (!btf)
		return NULL;
	err = mpk_btf_su_members(btf, name, index, size, fn, arg, rc);
	if (err && err != &mpk_enomem && !*rc &&
	    (err->code == MPK_ERROR_LOOKUP || err->code == MPK_ERROR_INVALID)) {
		/* not a struct or union BTF has: the long way says what */
		mpk_error_destroy(err);
		return NULL;
	}
	*answered = true;
	return err;
}

struct mpk_error *mpk_type_su_find(const char *name, const char *member,
				   bool *answered, uint64_t *size,
				   long *ret)
{
	const struct mpk_btf *btf = su_btf(name);
	struct mpk_error *err;

	*answered = false;
	if (!btf)
		return NULL;
	err = mpk_btf_su_find(btf, name, member, size, ret);
	if (err && err->code == MPK_ERROR_LOOKUP &&
	    err->lookup == MPK_LOOKUP_MEMBER) {
		mpk_error_destroy(err);
		*ret = -1;
		err = NULL;
	} else if (err && err != &mpk_enomem) {
		/* not a struct or union BTF has: the long way says what */
		mpk_error_destroy(err);
		return NULL;
	}
	*answered = !err;
	return err;
}

/*
 * whatis of a per-CPU variable of the kernel from its BTF VAR entry,
 * cached under "v:EXPR"; NULL *ret (and no error) when BTF has no such
 * variable and gdb should be asked.
 */
static struct mpk_error *btf_whatis(const char *expr,
				    const struct mpk_ptype **ret)
{
	const struct mpk_btf *btf = usable_btf();
	char name[MPK_NAME_MAX];
	struct mpk_error *err;
	struct mpk_ptype *ptype = NULL;
	char *key;

	*ret = NULL;
	/* a vmlinux symbol: whatis finds the kernel's before a module's */
	if (!btf || !mpk_btf_is_name(expr) || strchr(expr, ' ') ||
	    !mpk_crash_name(expr, name) || !kernel_symbol_exists(name))
		return NULL;
	if (asprintf(&key, "v:%s", expr) < 0)
		return &mpk_enomem;
	if (btf_cached(key, ret))
		return NULL;
	err = mpk_btf_var_whatis(btf, expr,
				 mpk_type_source() == MPK_TYPES_BTF, &ptype);
	return btf_remember(key, ptype, err,
			    err && (err->code == MPK_ERROR_LOOKUP ||
				    err->code == MPK_ERROR_INVALID), ret);
}

int mpk_type_each_btf_var(int (*fn)(const char *name, void *arg), void *arg)
{
	const struct mpk_btf *btf = usable_btf();

	return btf ? mpk_btf_each_var(btf, fn, arg) : 0;
}

/*
 * gdb 16 (crash 9.0.2) refuses `ptype /o` of a struct with a flexible
 * array member: it warns "ptype/o does not work with dynamic types;
 * disabling '/o'" and prints plain ptype. The offsets and sizes then come
 * from crash's datatype_info, member by member (one cheap request each
 * once gdb has the type); bitfields, which datatype_info cannot place to
 * the bit, follow the x86-64 ABI from the member before them.
 */
static const char *skip_warnings(const char *text, size_t *len)
{
	while (*len >= 8 && !strncmp(text, "warning:", 8)) {
		const char *nl = memchr(text, '\n', *len);

		if (!nl)
			break;
		*len -= nl + 1 - text;
		text = nl + 1;
	}
	return text;
}

/* The first named member down the first members of @body, or NULL. */
static const char *first_leaf(const struct mpk_body *body, int depth)
{
	const struct mpk_member *m;

	if (!body->nmembers || depth > MPK_PTYPE_MAX_DEPTH)
		return NULL;
	m = &body->members[0];
	if (*m->name)
		return m->name;
	return m->type.body ? first_leaf(m->type.body, depth + 1) : NULL;
}

static struct mpk_error *no_offset(const char *tag, const char *member)
{
	return mpk_error_create(MPK_ERROR_LOOKUP,
				"no offset of %s in %s from crash", member,
				tag);
}

/*
 * gdb's type commands, raw (/r): without it gdb canonicalizes every type
 * name it prints, a symbol lookup per name, and a name that is no symbol
 * (a struct tag) costs a search of every compilation unit the first time
 * (~15 ms on a vmlinux without .gdb_index): `ptype /o struct task_struct`
 * took 2.3 s, with /r 23 ms. In C the raw text differs only in the
 * integer type names, made canonical again by mpk_ptype_canonical_ints().
 */
#define PTYPE_OFFSETS "ptype /ro"
#define PTYPE "ptype /r"
#define WHATIS "whatis /r"

/*
 * Fill the offsets and sizes of @body, which starts @base bytes into
 * @tag; *@end_ret: where its last member ends (its size, but for the
 * padding at the end).
 */
static struct mpk_error *query(const char *kind, const char *command,
			       const char *expr, const struct mpk_ptype **ret);

/*
 * The body of named member @m (of an untagged struct/union type, or an
 * array of one) at member path @path of @expr, from `ptype /o ((EXPR
 * *)0)->PATH.NAME`, with `[0]` per dimension for an array (a flexible
 * one is a dynamic type gdb 16 would refuse again): that answer stays
 * in the cache as long as the one being filled.
 */
static struct mpk_error *member_body(const char *expr, const char *path,
				     struct mpk_member *m)
{
	const struct mpk_ptype *p;
	struct mpk_error *err;
	char index[4 * 8 + 1] = "";
	char *e;
	size_t d;

	for (d = 0; d < m->type.ndims && d < 8; d++)
		strcat(index, "[0]");
	if (asprintf(&e, "((%s *)0)->%s%s%s%s", expr, path, *path ? "." : "",
		     m->name, index) < 0)
		return &mpk_enomem;
	err = query("o", PTYPE_OFFSETS, e, &p);
	free(e);
	if (err)
		return err;
	if (!p->type.body || !(p->flags & MPK_PTYPE_OFFSETS))
		return no_offset(expr, m->name);
	m->type.body = p->type.body;
	return NULL;
}

/* Alignment of a body: its widest member's, guessed from sizes (<= 8). */
static uint64_t body_align(const struct mpk_body *body)
{
	uint64_t align = 1;
	size_t i;

	for (i = 0; i < body->nmembers; i++) {
		const struct mpk_member *m = &body->members[i];
		uint64_t elements = 1, size, a;
		size_t d;

		for (d = 0; d < m->type.ndims; d++)
			elements *= m->type.dims[d];
		size = m->type.stars ? 8 : elements ? m->size / elements :
			m->size;
		if (!m->name[0] && m->type.body)
			a = body_align(m->type.body);
		else
			for (a = 8; a > 1 && (!size || size % a); a /= 2)
				;
		if (a > align)
			align = a;
	}
	return align;
}

/*
 * An anonymous member's size with its padding: up to the next member
 * (exact), else its end rounded to its alignment (guessed from sizes).
 */
static void pad_anonymous(struct mpk_body *body)
{
	bool is_union = body->flags & MPK_BODY_UNION;
	size_t i;

	for (i = 0; i < body->nmembers; i++) {
		struct mpk_member *m = (struct mpk_member *)&body->members[i];
		const struct mpk_member *next = i + 1 < body->nmembers ?
			&body->members[i + 1] : NULL;
		struct mpk_body *inner = (struct mpk_body *)m->type.body;
		uint64_t size, align;

		if (m->name[0] || !inner)
			continue;
		if (!is_union && next && !(next->flags & MPK_MEMBER_BITFIELD) &&
		    next->offset > m->offset) {
			size = next->offset - m->offset;
		} else {
			align = body_align(inner);
			size = (m->size + align - 1) / align * align;
		}
		m->size = size;
		inner->size = size;
		inner->flags |= MPK_BODY_HAS_SIZE;
	}
}

static struct mpk_error *fill_body(const char *expr, const char *path,
				   struct mpk_body *body, uint64_t base,
				   int depth, uint64_t *end_ret)
{
	const char *tag = bare_tag(expr);
	bool is_union = body->flags & MPK_BODY_UNION;
	uint64_t prev_end_bits = 0, end = 0;
	size_t i;

	if (depth > MPK_PTYPE_MAX_DEPTH)
		return mpk_error_create(MPK_ERROR_PARSE,
					"%s nests too deeply", tag);
	for (i = 0; i < body->nmembers; i++) {
		/* the parse's arena: ours to write */
		struct mpk_member *m = (struct mpk_member *)&body->members[i];
		uint64_t rel_bits, size;
		long off, sz;

		if (!*m->name && m->type.body) {
			const char *leaf = first_leaf(m->type.body, 0);
			struct mpk_error *err;

			off = -1;
			if (leaf) {
				err = gdb_member_offset(tag, leaf, &off);
				if (err)
					return err;
			}
			if (off < 0 || (uint64_t)off < base)
				return no_offset(tag, leaf ? leaf : "<anonymous>");
			err = fill_body(expr, path,
					(struct mpk_body *)m->type.body, off,
					depth + 1, &size);
			if (err)
				return err;
			rel_bits = (off - base) * 8;
		} else if (!*m->name) {
			return no_offset(tag, "<unnamed bitfield>");
		} else {
			struct mpk_error *err;

			err = gdb_member_offset(tag, m->name, &off);
			if (!err)
				err = gdb_member_size(tag, m->name, &sz);
			if (err)
				return err;
			if (off < 0 || sz < 0 || (uint64_t)off < base)
				return no_offset(tag, m->name);
			size = sz;
			rel_bits = (off - base) * 8;
			if (m->flags & MPK_MEMBER_BITFIELD) {
				uint64_t unit = size * 8;

				/*
				 * crash gives the byte: the bits continue
				 * the member before unless that is an
				 * earlier byte (an unnamed `: 0` between)
				 */
				if (!is_union && prev_end_bits > rel_bits)
					rel_bits = prev_end_bits;
				if (unit && (!m->bitsize ||
					     rel_bits / unit !=
					     (rel_bits + m->bitsize - 1) / unit))
					rel_bits = (rel_bits + unit - 1) /
						   unit * unit;
			} else if (m->type.body && !m->type.stars) {
				/*
				 * a named member of an untagged struct type
				 * (or an array of one): datatype_info does
				 * not look inside it, gdb prints it with
				 * offsets as an expression
				 */
				err = member_body(expr, path, m);
				if (err)
					return err;
			}
		}
		if (is_union)
			rel_bits = 0;
		m->offset = rel_bits / 8;
		m->bit_offset = rel_bits % 8;
		m->abs_offset = base + m->offset;
		m->size = size;
		m->flags |= MPK_MEMBER_HAS_OFFSET | MPK_MEMBER_HAS_SIZE;
		prev_end_bits = (m->flags & MPK_MEMBER_BITFIELD) ?
			rel_bits + m->bitsize : rel_bits + size * 8;
		if ((prev_end_bits + 7) / 8 > end)
			end = (prev_end_bits + 7) / 8;
	}
	pad_anonymous(body);
	if (!(body->flags & MPK_BODY_HAS_SIZE)) {
		body->flags |= MPK_BODY_HAS_SIZE;
		body->size = end;
	}
	*end_ret = end;
	return NULL;
}

/* Plain ptype of struct/union @expr made into what ptype /o would say. */
static struct mpk_error *fill_offsets(const char *expr, struct mpk_ptype *p)
{
	struct mpk_body *body = (struct mpk_body *)p->type.body;
	struct mpk_error *err;
	uint64_t end;
	long size;

	if (p->flags & MPK_PTYPE_OFFSETS || !body || p->type.stars ||
	    p->type.ndims || (p->type.kind != MPK_CTYPE_STRUCT &&
			      p->type.kind != MPK_CTYPE_UNION))
		return NULL;
	err = gdb_type_size(expr, &size);
	if (err)
		return err;
	if (size >= 0) {
		body->flags |= MPK_BODY_HAS_SIZE;
		body->size = size;
	}
	p->flags |= MPK_PTYPE_OFFSETS;
	return fill_body(expr, "", body, 0, 0, &end);
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
	if (*kind == 'w') {
		err = btf_whatis(expr, ret);
		if (err || *ret)
			return err;
	}
	if (*kind == 'o' || *kind == 'p') {
		err = btf_query(expr, ret);
		if (err || *ret)
			return err;
		/* a bare identifier may be a variable or an enumerator */
		if (strchr(expr, ' ') && btf_decides(expr))
			return mpk_error_lookup(MPK_LOOKUP_TYPE, expr,
						"no type %s in the BTF of "
						"the kernel or its modules",
						expr);
	}
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
	err = gdb_type_text(cmd, &text, &len);
	free(cmd);
	if (err && err->code == MPK_ERROR_CRASH) {
		/* gdb keeps its reason to itself with GNU_RETURN_ON_ERROR. */
		mpk_error_destroy(err);
		err = mpk_error_lookup(*kind == 'w' ? MPK_LOOKUP_SYMBOL :
				       MPK_LOOKUP_TYPE, expr, "no %s %s",
				       *kind == 'w' ? "symbol" : "type", expr);
	}
	if (!err) {
		const char *body;

		len = mpk_ptype_canonical_ints(text, len);
		body = skip_warnings(text, &len);

		err = mpk_ptype_parse(body, len, &ptype);
		if (!err && *kind != 'w' && ptype->type.body &&
		    !ptype->type.stars && !ptype->type.ndims)
			gdb_layouts++;
		/* "o": gdb 16's plain answer; "f": the same asked on purpose */
		if (!err && (*kind == 'o' || *kind == 'f'))
			err = fill_offsets(expr, ptype);
		if (err && ptype) {
			mpk_ptype_destroy(ptype);
			ptype = NULL;
		}
	}
	free(text);
	/* Only lookups are answers to keep: a parse error is our bug. */
	if (err && err->code != MPK_ERROR_LOOKUP &&
	    err->code != MPK_ERROR_CRASH) {
		free(key);
		return err;
	}
	err = cache_store(key, ptype, err, &e);
	if (err)
		return err;
	return cached_answer(e, ret);
}

struct mpk_error *mpk_type_ptype(const char *expr, bool offsets,
				 const struct mpk_ptype **ret)
{
	return offsets ? query("o", PTYPE_OFFSETS, expr, ret) :
			 query("p", PTYPE, expr, ret);
}

struct mpk_error *mpk_type_ptype_filled(const char *expr,
					const struct mpk_ptype **ret)
{
	return query("f", PTYPE, expr, ret);
}

struct mpk_error *mpk_type_whatis(const char *expr,
				  const struct mpk_ptype **ret)
{
	return query("w", WHATIS, expr, ret);
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

/* ---- crash's GNU_GET_DATATYPE request ---- */

struct gnu_call {
	char name[MPK_NAME_MAX];
	struct gnu_request req;
};

static void run_gnu_request(void *arg)
{
	struct gnu_call *c = arg;

	memset(&c->req, 0, sizeof(c->req));
	c->req.command = GNU_GET_DATATYPE;
	c->req.flags = GNU_RETURN_ON_ERROR;
	c->req.name = c->name;
	c->req.fp = pc->nullfp;
	gdb_interface(&c->req);
}

/* gdb's GNU_GET_DATATYPE of @name; false in *@ok when gdb has none. */
static struct mpk_error *gnu_datatype(struct gnu_call *c, const char *name,
				      bool *ok)
{
	struct mpk_error *err;

	if (!mpk_crash_name(name, c->name)) {
		*ok = false;
		return NULL;
	}
	gdb_requests++;
	err = mpk_guard_quiet(run_gnu_request, c, "gdb_interface");
	if (err)
		return err;
	*ok = !(c->req.flags & GNU_COMMAND_FAILED);
	return NULL;
}

/*
 * The size of "struct tag" or "union tag" from gdb's lookup of the bare
 * tag (~0.1 ms; the whole name goes through gdb's expression parser,
 * whose failed lookup of the tag as a variable costs ~50 ms on a vmlinux
 * without .gdb_index); -2: not such a name, or the tag is another kind.
 */
static struct mpk_error *tag_size(const char *name, long *ret)
{
	struct gnu_call *c;
	struct mpk_error *err;
	int want;
	bool ok;

	*ret = -2;
	if (!strncmp(name, "struct ", 7))
		want = MPK_TYPE_CODE_STRUCT;
	else if (!strncmp(name, "union ", 6))
		want = MPK_TYPE_CODE_UNION;
	else
		return NULL;
	c = malloc(sizeof(*c));
	if (!c)
		return &mpk_enomem;
	err = gnu_datatype(c, bare_tag(name), &ok);
	if (!err && ok && c->req.typecode == want)
		*ret = c->req.length;
	free(c);
	return err;
}

/* gdb's symbol lookup behind datatype_info costs ~0.1 ms: keep answers. */
struct mpk_error *mpk_type_size(const char *name, long *ret)
{
	const struct mpk_btf *btf = btf_for(name);
	struct cache_entry *e;
	struct mpk_error *err;
	char *key;
	long size;

	if (btf) {
		static const char *const tags[] = { "", "struct ", "union " };
		const struct mpk_btf *tbtf;
		uint64_t bsize;
		size_t i;

		/* a bare name is a typedef, else a tag, as crash takes it */
		for (i = 0; i < 3; i++) {
			char tagged[512];

			if (i && (strchr(name, ' ') || !mpk_btf_is_name(name)))
				break;
			snprintf(tagged, sizeof(tagged), "%s%s", tags[i],
				 name);
			tbtf = btf_for(tagged);
			if (!tbtf)
				continue;
			err = mpk_btf_size(tbtf, tagged, &bsize);
			if (!err) {
				*ret = bsize;
				return NULL;
			}
			mpk_error_destroy(err);
		}
		if (btf_decides(name)) {
			*ret = -1;
			return NULL;
		}
	}
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
	err = tag_size(name, &size);
	if (!err && size == -2)
		err = gdb_type_size(name, &size);
	if (err) {
		free(key);
		return err;
	}
	err = cache_store(key, NULL, NULL, &e);
	if (err)
		return err;
	e->size = size;
	*ret = size;
	return NULL;
}

/* BTF's offset (@want_size false) or size of a member; -2: ask gdb. */
static long btf_member(const char *name, const char *member, bool want_size)
{
	static const char *const tags[] = { "struct", "union" };
	const struct mpk_btf *btf;
	struct mpk_error *err;
	uint64_t offset, size;
	char tagged[512];
	size_t i;

	if (!usable_btf())
		return -2;
	/* crash's callers name the bare tag: try it as struct, then union */
	for (i = 0; i < 2; i++) {
		if (strchr(name, ' ')) {
			if (i)
				break;
			snprintf(tagged, sizeof(tagged), "%s", name);
		} else {
			snprintf(tagged, sizeof(tagged), "%s %s", tags[i],
				 name);
		}
		btf = btf_for(tagged);
		if (!btf)
			return -2;
		err = mpk_btf_member(btf, tagged, member, &offset, &size);
		if (!err)
			return want_size ? (long)size : (long)offset;
		mpk_error_destroy(err);
		/* the struct is there, with one definition: no such member */
		err = mpk_btf_size(btf, tagged, &size);
		mpk_error_destroy(err);
		if (!err && !strchr(member, '.'))
			return -1;
	}
	return btf_decides(name) ? -1 : -2;
}

/* A member's offset (@want_size false) or size: BTF first, else crash. */
static struct mpk_error *member_info(const char *name, const char *member,
				     bool want_size, long *ret)
{
	long v = btf_member(name, member, want_size);

	if (v != -2) {
		*ret = v;
		return NULL;
	}
	name = bare_tag(name);
	return want_size ? gdb_member_size(name, member, ret) :
			   gdb_member_offset(name, member, ret);
}

struct mpk_error *mpk_member_offset(const char *name, const char *member,
				    long *ret)
{
	return member_info(name, member, false, ret);
}

struct mpk_error *mpk_member_size(const char *name, const char *member,
				  long *ret)
{
	return member_info(name, member, true, ret);
}

/*
 * Enumerator @name from the modules' split BTF: 1 found (*@ret set), 0
 * none has it, -1 leave it to gdb (two modules give two values, or a
 * module whose debuginfo the user loaded has it).
 */
static int module_enumerator(const char *name, int64_t *ret)
{
	bool found = false;
	int64_t v;
	size_t i;

	if (!module_btfs_tried)
		load_module_btfs();
	for (i = 0; i < nmodule_btfs; i++) {
		/* the kernel's BTF, this one's base, was asked before */
		struct mpk_error *err = mpk_btf_enumerator(module_btfs[i].btf,
							   name, &v);

		if (err && err->code == MPK_ERROR_LOOKUP) {
			mpk_error_destroy(err);
			continue;
		}
		mpk_error_destroy(err);
		if (err || module_has_dwarf(&module_btfs[i]) ||
		    (found && v != *ret))
			return -1;
		found = true;
		*ret = v;
	}
	return found;
}

static struct mpk_error *no_enumerator(const char *name)
{
	return mpk_error_lookup(MPK_LOOKUP_SYMBOL, name, "no enumerator %s",
				name);
}

/*
 * Enumerator @name from gdb. crash's enumerator_value() first looks the
 * name up as a struct tag, a failed search of every compilation unit
 * (~15 ms) on each call, and takes a variable of an enum type for an
 * enumerator (with no meaningful value). whatis of the name costs that
 * search once (the answer, found or not, is cached); an enum type then
 * gets its ptype, which lists the enumerators: the name must be one.
 */
static struct mpk_error *gdb_enumerator(const char *name, int64_t *ret)
{
	const struct mpk_ptype *p;
	struct mpk_error *err;
	size_t i;

	/* a tag name, an expression or a name no symbol has is none */
	if (!mpk_btf_is_name(name) || strchr(name, ' ') ||
	    strlen(name) >= MPK_NAME_MAX)
		return no_enumerator(name);
	err = mpk_type_whatis(name, &p);
	if (err)
		return err;
	if (p->type.kind != MPK_CTYPE_ENUM || p->type.stars || p->type.ndims)
		return no_enumerator(name);
	err = mpk_type_ptype(name, false, &p);
	if (err)
		return err;
	if (p->type.kind != MPK_CTYPE_ENUM || p->type.stars ||
	    p->type.ndims || !(p->type.flags & MPK_CTYPE_ENUM_BODY))
		return no_enumerator(name);
	for (i = 0; i < p->type.nenumerators; i++)
		if (!strcmp(p->type.enumerators[i].name, name)) {
			*ret = p->type.enumerators[i].value;
			return NULL;
		}
	return no_enumerator(name);
}

struct mpk_error *mpk_type_enumerator(const char *name, int64_t *ret)
{
	const struct mpk_btf *btf = usable_btf();
	struct mpk_error *err;
	int64_t v = 0;
	int rc;

	if (btf) {
		err = mpk_btf_enumerator(btf, name, ret);
		if (!err)
			return err;
		/* two values in BTF: gdb's pick, as before */
		if (err->code == MPK_ERROR_LOOKUP) {
			rc = module_enumerator(name, &v);
			if (rc > 0) {
				mpk_error_destroy(err);
				*ret = v;
				return NULL;
			}
			if (!rc && btf_miss_is_final())
				return err;
		}
		mpk_error_destroy(err);
	}
	return gdb_enumerator(name, ret);
}

bool mpk_type_from_btf(const char *name)
{
	const struct mpk_btf *btf = btf_for(name);
	uint64_t size;
	struct mpk_error *err;

	if (!btf)
		return false;
	err = mpk_btf_size(btf, name, &size);
	mpk_error_destroy(err);
	return !err;
}

int mpk_type_each_btf_type(bool ambiguous_only,
			   int (*fn)(const char *name, void *arg), void *arg)
{
	const struct mpk_btf *btf = usable_btf();

	return btf ? mpk_btf_each_type(btf, ambiguous_only, fn, arg) : 0;
}
