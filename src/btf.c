// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * BTF -> struct mpk_ptype: the tree ptype_parse.c makes of gdb's `ptype /o`
 * text, made from the kernel's BTF with libbpf, so that src/py/types.c
 * builds the same dictionaries whichever source answered.
 *
 * How gdb prints, and so what is produced here:
 * - at the top (gdb's show > 0), typedefs are taken off (`ptype pid_t`
 *   says `int`), also under the pointers and arrays and in the return
 *   type of a function, and a struct, union or enum body is printed even
 *   when it has a tag;
 * - inside, a type is dims x stars x kind, typedefs stay names, tagged
 *   types stay tags, anonymous struct/union/enum bodies are printed
 *   (except in function parameters, where gdb writes `{...}`);
 * - qualifiers (const, volatile, restrict, type tags) are not kept: the
 *   dictionaries do not carry them.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "mpk/btf.h"

/* Name -> type id for struct, union, enum and typedef names. */
struct index_slot {
	uint32_t id;		/* 0: empty */
	uint32_t hash;
	bool ambiguous;		/* more than one definition has the name */
};

/* Enumerator name -> value, for every enum of this BTF. */
struct enumerator_slot {
	const char *name;	/* NULL: empty */
	int64_t value;
	uint32_t hash;
	bool ambiguous;		/* two enums give the name other values */
};

struct mpk_btf {
	struct btf *btf;
	struct enumerator_slot *enumerators;
	size_t nenumerator_slots;	/* a power of two */
	uint32_t first_id;	/* a split BTF's own types start here */
	uint32_t ntypes;	/* ids < ntypes exist */
	struct index_slot *slots;
	size_t nslots;		/* a power of two */
	size_t nambiguous;
	/*
	 * pahole < 1.24 (kernels before ~5.19: no ENUM64, no enum with
	 * kflag set) wrote every enum without its sign: a 32-bit value with
	 * the high bit set may be -1 (enum perf_event_state) or 0xffffffff
	 * (PROC_IPC_INIT_INO). Such enumerators and enum types are left to
	 * gdb (DWARF has the sign).
	 */
	bool enum_signs_unknown;
	const struct mpk_btf *base;
};

/* NS_VAR: BTF's VAR entries, the kernel's per-CPU variables */
enum name_space { NS_STRUCT, NS_UNION, NS_ENUM, NS_TYPEDEF, NS_VAR, NS_NONE };

static enum name_space kind_space(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
		return NS_STRUCT;
	case BTF_KIND_UNION:
		return NS_UNION;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return NS_ENUM;
	case BTF_KIND_TYPEDEF:
		return NS_TYPEDEF;
	case BTF_KIND_VAR:
		return NS_VAR;
	default:
		return NS_NONE;
	}
}

static uint32_t name_hash(enum name_space ns, const char *s, size_t len)
{
	uint32_t h = 2166136261u ^ ns;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h | 1;		/* never 0 */
}

/* The slot of @name in @ns among this BTF's own types, or NULL. */
static struct index_slot *index_slot(const struct mpk_btf *b,
				     enum name_space ns, const char *name,
				     size_t len)
{
	uint32_t h = name_hash(ns, name, len);
	size_t mask = b->nslots - 1, i;

	for (i = h & mask; b->slots[i].id; i = (i + 1) & mask) {
		const struct btf_type *t;
		const char *n;

		if (b->slots[i].hash != h)
			continue;
		t = btf__type_by_id(b->btf, b->slots[i].id);
		n = btf__name_by_offset(b->btf, t->name_off);
		if (kind_space(t) == ns && n && strlen(n) == len &&
		    !memcmp(n, name, len))
			return &b->slots[i];
	}
	return NULL;
}

/* Whether this BTF writes enums without their sign (see mpk_btf). */
static bool enum_signs_unknown(const struct btf *btf, uint32_t first,
			       uint32_t n)
{
	uint32_t id;

	for (id = first; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_enum64(t) || (btf_is_enum(t) && btf_kflag(t)))
			return false;
	}
	return true;
}

/* Whether BTF @b does not give the sign of value @i of enum @t. */
static bool value_sign_unknown(const struct mpk_btf *b,
			       const struct btf_type *t, uint16_t i)
{
	/* -1 or 0xffffffff: the same 32 bits */
	return b->enum_signs_unknown && btf_is_enum(t) &&
	       btf_enum(t)[i].val < 0;
}

/* Whether enum @t has a value whose sign BTF @b does not give. */
static bool enum_sign_unknown(const struct mpk_btf *b,
			      const struct btf_type *t)
{
	uint16_t i;

	for (i = 0; btf_is_enum(t) && i < btf_vlen(t); i++)
		if (value_sign_unknown(b, t, i))
			return true;
	return false;
}

/*
 * First definition wins, as btf__find_by_name_kind() would answer; a name
 * that BTF dedup left with two definitions (a struct private to two .c
 * files) is marked: gdb may find the other one. So is an enum whose
 * values' signs BTF does not give.
 */
static struct mpk_error *index_build(struct mpk_btf *b)
{
	uint32_t id, n = 0;
	size_t nslots = 1024;

	for (id = b->first_id; id < b->ntypes; id++)
		if (kind_space(btf__type_by_id(b->btf, id)) != NS_NONE)
			n++;
	while (nslots < 2 * (size_t)n)
		nslots *= 2;
	b->slots = calloc(nslots, sizeof(*b->slots));
	if (!b->slots)
		return &mpk_enomem;
	b->nslots = nslots;
	for (id = b->first_id; id < b->ntypes; id++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);
		enum name_space ns = kind_space(t);
		struct index_slot *slot;
		const char *name;
		size_t len, i;
		uint32_t h;

		if (ns == NS_NONE || !t->name_off)
			continue;
		name = btf__name_by_offset(b->btf, t->name_off);
		if (!name || !*name)
			continue;
		len = strlen(name);
		slot = index_slot(b, ns, name, len);
		if (!slot) {
			h = name_hash(ns, name, len);
			for (i = h & (nslots - 1); b->slots[i].id;
			     i = (i + 1) & (nslots - 1))
				;
			b->slots[i].id = id;
			b->slots[i].hash = h;
			/* gdb also answers an enum whose signs BTF lacks */
			if (!enum_sign_unknown(b, t))
				continue;
			slot = &b->slots[i];
		}
		if (!slot->ambiguous)
			b->nambiguous++;
		slot->ambiguous = true;
	}
	return NULL;
}

/* Value of enumerator @i of enum @t, signed if BTF says so (kflag). */
static int64_t enumerator_value(const struct btf_type *t, uint16_t i)
{
	if (btf_is_enum64(t))
		/* beyond int64 only when unsigned: kept as bits */
		return (int64_t)btf_enum64_value(&btf_enum64(t)[i]);
	/* kflag: signed values (pahole >= 1.24) */
	return btf_kflag(t) ? (int64_t)btf_enum(t)[i].val :
			      (int64_t)(uint32_t)btf_enum(t)[i].val;
}

static const char *enumerator_name(const struct btf *btf,
				   const struct btf_type *t, uint16_t i)
{
	return btf__name_by_offset(btf, btf_is_enum64(t) ?
				   btf_enum64(t)[i].name_off :
				   btf_enum(t)[i].name_off);
}

static struct mpk_error *enumerators_build(struct mpk_btf *b)
{
	size_t n = 0, nslots = 1024, mask;
	uint32_t id;

	for (id = b->first_id; id < b->ntypes; id++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);

		if (btf_is_enum(t) || btf_is_enum64(t))
			n += btf_vlen(t);
	}
	while (nslots < 2 * n)
		nslots *= 2;
	b->enumerators = calloc(nslots, sizeof(*b->enumerators));
	if (!b->enumerators)
		return &mpk_enomem;
	b->nenumerator_slots = nslots;
	mask = nslots - 1;
	for (id = b->first_id; id < b->ntypes; id++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);
		uint16_t i;

		if (!(btf_is_enum(t) || btf_is_enum64(t)))
			continue;
		for (i = 0; i < btf_vlen(t); i++) {
			const char *name = enumerator_name(b->btf, t, i);
			int64_t value = enumerator_value(t, i);
			uint32_t h;
			size_t j;

			if (!name || !*name)
				continue;
			h = name_hash(NS_NONE, name, strlen(name));
			for (j = h & mask; b->enumerators[j].name;
			     j = (j + 1) & mask)
				if (b->enumerators[j].hash == h &&
				    !strcmp(b->enumerators[j].name, name))
					break;
			if (b->enumerators[j].name) {
				if (b->enumerators[j].value != value)
					b->enumerators[j].ambiguous = true;
				continue;
			}
			b->enumerators[j].name = name;
			b->enumerators[j].value = value;
			b->enumerators[j].hash = h;
			/* gdb tells */
			if (value_sign_unknown(b, t, i))
				b->enumerators[j].ambiguous = true;
		}
	}
	return NULL;
}

struct mpk_error *mpk_btf_enumerator(const struct mpk_btf *btf,
				     const char *name, int64_t *ret)
{
	const struct mpk_btf *b;

	for (b = btf; b; b = b->base) {
		uint32_t h = name_hash(NS_NONE, name, strlen(name));
		size_t mask = b->nenumerator_slots - 1, j;

		for (j = h & mask; b->enumerators[j].name; j = (j + 1) & mask) {
			const struct enumerator_slot *e = &b->enumerators[j];

			if (e->hash != h || strcmp(e->name, name))
				continue;
			if (e->ambiguous)
				return mpk_error_create(MPK_ERROR_INVALID,
							"BTF gives no one value "
							"of enumerator %s",
							name);
			*ret = e->value;
			return NULL;
		}
	}
	return mpk_error_lookup(MPK_LOOKUP_SYMBOL, name,
				"no enumerator %s in BTF", name);
}

static struct mpk_error *btf_wrap(struct btf *raw, const struct mpk_btf *base,
				  struct mpk_btf **ret)
{
	struct mpk_btf *b;
	struct mpk_error *err;

	b = calloc(1, sizeof(*b));
	if (!b) {
		btf__free(raw);
		return &mpk_enomem;
	}
	b->btf = raw;
	b->base = base;
	b->first_id = base ? base->ntypes : 1;
	b->ntypes = btf__type_cnt(raw);
	/* a module's BTF is made by the same pahole as the kernel's */
	b->enum_signs_unknown = base ? base->enum_signs_unknown :
		enum_signs_unknown(raw, b->first_id, b->ntypes);
	err = index_build(b);
	if (!err)
		err = enumerators_build(b);
	if (err) {
		mpk_btf_destroy(b);
		return err;
	}
	*ret = b;
	return NULL;
}

struct mpk_error *mpk_btf_open_file(const char *path, struct mpk_btf **ret)
{
	struct btf *raw = btf__parse_elf(path, NULL);

	if (!raw) {
		int e = errno;

		if (e == ENOENT || e == ENODATA)
			return mpk_error_create(MPK_ERROR_LOOKUP,
						"%s has no .BTF section", path);
		return mpk_error_create(MPK_ERROR_PARSE,
					"cannot read the BTF of %s: %s", path,
					strerror(e));
	}
	return btf_wrap(raw, NULL, ret);
}

/*
 * Debian 12's libbpf 1.1.2 declares btf__new_split() but does not export
 * it: split BTF in memory goes through a memfd and btf__parse_raw_split().
 */
static struct btf *new_split(const void *data, size_t size, struct btf *base)
{
	char path[64];
	struct btf *raw = NULL;
	int fd = memfd_create("mpk-btf", MFD_CLOEXEC), e;

	if (fd < 0)
		return NULL;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		raw = btf__parse_raw_split(path, base);
	} else if (!errno) {
		errno = EIO;
	}
	e = errno;
	close(fd);
	errno = e;
	return raw;
}

struct mpk_error *mpk_btf_open_raw(const void *data, size_t size,
				   const struct mpk_btf *base,
				   struct mpk_btf **ret)
{
	struct btf *raw = base ? new_split(data, size, base->btf) :
				 btf__new(data, size);

	if (!raw)
		return mpk_error_create(MPK_ERROR_PARSE,
					"bad BTF data (%zu bytes): %s", size,
					strerror(errno));
	return btf_wrap(raw, base, ret);
}

void mpk_btf_destroy(struct mpk_btf *btf)
{
	if (!btf)
		return;
	btf__free(btf->btf);
	free(btf->slots);
	free(btf->enumerators);
	free(btf);
}

size_t mpk_btf_ntypes(const struct mpk_btf *btf)
{
	return btf->ntypes - btf->first_id;
}

/* ---- lookups by the names gdb accepts ---- */

/*
 * The id @name stands for, searching this BTF then its base; 0 if none.
 * *@ambiguous (may be NULL) says whether another definition has the name.
 */
static uint32_t lookup_full(const struct mpk_btf *b, const char *name,
			    bool *ambiguous)
{
	static const struct {
		const char *word;
		enum name_space ns;
	} tags[] = {
		{ "struct ", NS_STRUCT },
		{ "union ", NS_UNION },
		{ "enum ", NS_ENUM },
	};
	enum name_space ns = NS_TYPEDEF;
	size_t i, len;

	while (*name == ' ')
		name++;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t n = strlen(tags[i].word);

		if (!strncmp(name, tags[i].word, n)) {
			ns = tags[i].ns;
			name += n;
			while (*name == ' ')
				name++;
			break;
		}
	}
	len = strlen(name);
	while (len && name[len - 1] == ' ')
		len--;
	if (!len)
		return 0;
	for (i = 0; i < len; i++)
		if (!(name[i] == '_' || (name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (i && name[i] >= '0' && name[i] <= '9')))
			return 0;	/* an expression: gdb's business */
	for (; b; b = b->base) {
		const struct index_slot *slot = index_slot(b, ns, name, len);

		if (slot) {
			if (ambiguous)
				*ambiguous = slot->ambiguous;
			return slot->id;
		}
	}
	return 0;
}

bool mpk_btf_is_name(const char *name)
{
	static const char *const tags[] = { "struct ", "union ", "enum " };
	size_t i;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (!strncmp(name, tags[i], strlen(tags[i]))) {
			name += strlen(tags[i]);
			break;
		}
	if (!*name)
		return false;
	for (i = 0; name[i]; i++)
		if (!(name[i] == '_' || (name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (i && name[i] >= '0' && name[i] <= '9')))
			return false;
	return true;
}

static uint32_t skip(const struct btf *btf, uint32_t id, bool typedefs);

static uint32_t lookup(const struct mpk_btf *b, const char *name)
{
	return lookup_full(b, name, NULL);
}

bool mpk_btf_knows(const struct mpk_btf *btf, const char *name)
{
	return lookup(btf, name) != 0;
}

static const char *type_name(const struct btf *btf, const struct btf_type *t)
{
	const char *n = t->name_off ? btf__name_by_offset(btf, t->name_off) :
				      NULL;

	return n ? n : "";
}

/* Names of @t's members (or enumerators) and their places agree. */
static bool same_members(const struct btf *ba, const struct btf_type *a,
			 const struct btf *bb, const struct btf_type *b)
{
	uint16_t i;

	for (i = 0; i < btf_vlen(a); i++) {
		if (btf_is_enum(a) || btf_is_enum64(a)) {
			if (strcmp(enumerator_name(ba, a, i) ?: "",
				   enumerator_name(bb, b, i) ?: "") ||
			    enumerator_value(a, i) != enumerator_value(b, i))
				return false;
			continue;
		}
		if (btf_member_bit_offset(a, i) != btf_member_bit_offset(b, i) ||
		    btf_member_bitfield_size(a, i) !=
		    btf_member_bitfield_size(b, i) ||
		    strcmp(btf__name_by_offset(ba, btf_members(a)[i].name_off) ?:
			   "",
			   btf__name_by_offset(bb, btf_members(b)[i].name_off) ?:
			   ""))
			return false;
	}
	return true;
}

bool mpk_btf_same(const struct mpk_btf *a, const struct mpk_btf *b,
		  const char *name)
{
	uint32_t ia = lookup(a, name), ib = lookup(b, name);
	const struct btf_type *ta, *tb;

	if (!ia || !ib ||
	    btf__resolve_size(a->btf, ia) != btf__resolve_size(b->btf, ib))
		return false;
	ta = btf__type_by_id(a->btf, ia);
	tb = btf__type_by_id(b->btf, ib);
	if (btf_is_typedef(ta) && btf_is_typedef(tb)) {
		/* what the typedef names, one level down */
		ta = btf__type_by_id(a->btf, skip(a->btf, ta->type, false));
		tb = btf__type_by_id(b->btf, skip(b->btf, tb->type, false));
		if (!ta || !tb || strcmp(type_name(a->btf, ta),
					 type_name(b->btf, tb)))
			return false;
	}
	if (btf_kind(ta) != btf_kind(tb) || btf_vlen(ta) != btf_vlen(tb))
		return false;
	if (btf_is_composite(ta) || btf_is_enum(ta) || btf_is_enum64(ta))
		return same_members(a->btf, ta, b->btf, tb);
	return true;
}

bool mpk_btf_ambiguous(const struct mpk_btf *btf, const char *name)
{
	bool ambiguous = false;

	lookup_full(btf, name, &ambiguous);
	return ambiguous;
}

size_t mpk_btf_nambiguous(const struct mpk_btf *btf)
{
	return btf->nambiguous;
}

static struct mpk_error *not_found(const char *name)
{
	return mpk_error_lookup(MPK_LOOKUP_TYPE, name, "no type %s in BTF",
				name);
}

/* Skip qualifiers (and typedefs if @typedefs) down to the type that matters. */
static uint32_t skip(const struct btf *btf, uint32_t id, bool typedefs)
{
	int guard;

	for (guard = 0; id && guard < MPK_PTYPE_MAX_DEPTH; guard++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return 0;
		switch (btf_kind(t)) {
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		case BTF_KIND_TYPEDEF:
			if (typedefs) {
				id = t->type;
				continue;
			}
			return id;
		default:
			return id;
		}
	}
	return id;
}

struct conv {
	const struct btf *btf;
	struct mpk_ptype *pt;
};

static struct mpk_error *conv_type(struct conv *c, uint32_t id, bool top,
				   bool param, int depth,
				   struct mpk_ctype *ret);

static const char *name_of(const struct conv *c, const struct btf_type *t)
{
	const char *n = t->name_off ?
		btf__name_by_offset(c->btf, t->name_off) : NULL;

	return n && *n ? n : NULL;
}

/* Member @i of struct/union @t: its name and place, and its type if @typed. */
static struct mpk_error *conv_member(struct conv *c, const struct btf_type *t,
				     uint16_t i, bool typed, int depth,
				     struct mpk_member *m)
{
	const struct btf_member *bm = &btf_members(t)[i];
	uint32_t bits = btf_member_bit_offset(t, i);
	uint32_t bitsize = btf_member_bitfield_size(t, i);
	const char *name = bm->name_off ?
		btf__name_by_offset(c->btf, bm->name_off) : NULL;

	m->name = name ? name : "";
	typed = typed || !*m->name;	/* an anonymous member is its type */
	m->offset = bits / 8;
	m->bit_offset = bits % 8;
	m->flags = MPK_MEMBER_HAS_OFFSET;
	if (bitsize) {
		m->flags |= MPK_MEMBER_BITFIELD;
		m->bitsize = bitsize;
	}
	if (typed) {
		__s64 size = btf__resolve_size(c->btf, bm->type);

		/* the arena, made when a type is first converted */
		if (!c->pt && !(c->pt = mpk_ptype_create()))
			return &mpk_enomem;
		m->size = size > 0 ? (uint64_t)size : 0;
		m->flags |= MPK_MEMBER_HAS_SIZE;
		return conv_type(c, bm->type, false, false, depth + 1,
				 &m->type);
	}
	m->type.kind = MPK_CTYPE_UNKNOWN;
	return NULL;
}

static struct mpk_error *conv_body(struct conv *c, const struct btf_type *t,
				   int depth, const struct mpk_body **ret)
{
	struct mpk_body *body = mpk_ptype_alloc(c->pt, sizeof(*body));
	struct mpk_member *members;
	uint16_t i, n = btf_vlen(t);

	if (!body)
		return &mpk_enomem;
	members = mpk_ptype_alloc(c->pt, (n ? n : 1) * sizeof(*members));
	if (!members)
		return &mpk_enomem;
	body->flags = MPK_BODY_HAS_SIZE |
		      (btf_is_union(t) ? MPK_BODY_UNION : 0) |
		      (n ? 0 : MPK_BODY_NO_FIELDS);
	body->size = t->size;
	for (i = 0; i < n; i++) {
		struct mpk_error *err = conv_member(c, t, i, true, depth,
						    &members[i]);

		if (err)
			return err;
	}
	body->members = members;
	body->nmembers = n;
	*ret = body;
	return NULL;
}

static struct mpk_error *conv_enum(struct conv *c, const struct btf_type *t,
				   struct mpk_ctype *ret)
{
	uint16_t i, n = btf_vlen(t);
	struct mpk_enumerator *e;

	e = mpk_ptype_alloc(c->pt, (n ? n : 1) * sizeof(*e));
	if (!e)
		return &mpk_enomem;
	for (i = 0; i < n; i++) {
		const char *name = enumerator_name(c->btf, t, i);

		e[i].value = enumerator_value(t, i);
		e[i].name = name ? name : "";
	}
	ret->enumerators = e;
	ret->nenumerators = n;
	ret->flags |= MPK_CTYPE_ENUM_BODY;
	return NULL;
}

static struct mpk_error *conv_function(struct conv *c,
				       const struct btf_type *t, bool top,
				       int depth, struct mpk_ctype *ret)
{
	const struct btf_param *p = btf_params(t);
	uint16_t i, n = btf_vlen(t);
	struct mpk_ctype *target, *params;
	struct mpk_error *err;

	ret->kind = MPK_CTYPE_FUNCTION;
	target = mpk_ptype_alloc(c->pt, sizeof(*target));
	params = mpk_ptype_alloc(c->pt, (n ? n : 1) * sizeof(*params));
	if (!target || !params)
		return &mpk_enomem;
	/* gdb prints the return type as it prints the function, the
	 * parameters by name */
	err = conv_type(c, t->type, top, false, depth + 1, target);
	if (err)
		return err;
	/* a last parameter of type 0 without a name is the `...` */
	if (n && !p[n - 1].type && !p[n - 1].name_off) {
		n--;
		ret->flags |= MPK_CTYPE_VARARGS;
	}
	for (i = 0; i < n; i++) {
		err = conv_type(c, p[i].type, false, true, depth + 1,
				&params[i]);
		if (err)
			return err;
	}
	ret->target = target;
	ret->params = params;
	ret->nparams = n;
	return NULL;
}

/*
 * One declared type: dims, then stars, then what is left (see the top of
 * ptype_parse.h). @top: what ptype prints after `type =`; @param: inside a
 * function's parameter list.
 */
static struct mpk_error *conv_type(struct conv *c, uint32_t id, bool top,
				   bool param, int depth,
				   struct mpk_ctype *ret)
{
	const struct btf_type *t;
	uint64_t dims[MPK_PTYPE_MAX_DEPTH];
	size_t ndims = 0;
	bool anon;

	if (depth > MPK_PTYPE_MAX_DEPTH)
		return mpk_error_create(MPK_ERROR_PARSE,
					"BTF type %u nests too deeply", id);
	memset(ret, 0, sizeof(*ret));
	id = skip(c->btf, id, top);
	for (t = btf__type_by_id(c->btf, id); id && btf_is_array(t);
	     t = btf__type_by_id(c->btf, id)) {
		if (ndims == MPK_PTYPE_MAX_DEPTH)
			return mpk_error_create(MPK_ERROR_PARSE,
						"BTF array %u nests too deeply",
						id);
		dims[ndims++] = btf_array(t)->nelems;
		id = skip(c->btf, btf_array(t)->type, top);
	}
	if (ndims) {
		uint64_t *d = mpk_ptype_alloc(c->pt, ndims * sizeof(*d));

		if (!d)
			return &mpk_enomem;
		memcpy(d, dims, ndims * sizeof(*d));
		ret->dims = d;
		ret->ndims = ndims;
		if (!dims[0])
			ret->flags |= MPK_CTYPE_FLEXIBLE;
	}
	for (t = btf__type_by_id(c->btf, id); id && btf_is_ptr(t);
	     t = btf__type_by_id(c->btf, id)) {
		ret->stars++;
		id = skip(c->btf, t->type, top);
	}
	if (!id) {
		ret->kind = MPK_CTYPE_NAME;
		ret->name = "void";
		return NULL;
	}
	if (!t)
		return mpk_error_create(MPK_ERROR_PARSE, "no BTF type %u", id);
	if (btf_is_array(t)) {
		/* a pointer to an array: the array is the target */
		struct mpk_ctype *target = mpk_ptype_alloc(c->pt,
							   sizeof(*target));

		if (!target)
			return &mpk_enomem;
		ret->kind = MPK_CTYPE_ARRAY;
		ret->target = target;
		return conv_type(c, id, top, param, depth + 1, target);
	}
	ret->name = name_of(c, t);
	anon = !ret->name;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPEDEF:
		ret->kind = MPK_CTYPE_NAME;
		if (!ret->name)
			return mpk_error_create(MPK_ERROR_PARSE,
						"BTF type %u has no name", id);
		if (!btf_is_typedef(t))
			ret->name = mpk_ptype_int_name(ret->name);
		return NULL;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		ret->kind = btf_is_union(t) ? MPK_CTYPE_UNION :
					      MPK_CTYPE_STRUCT;
		if (param && anon) {
			ret->flags |= MPK_CTYPE_ELIDED;
			return NULL;
		}
		if (anon || top)
			return conv_body(c, t, depth, &ret->body);
		return NULL;
	case BTF_KIND_FWD:
		ret->kind = btf_kflag(t) ? MPK_CTYPE_UNION : MPK_CTYPE_STRUCT;
		return NULL;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		ret->kind = MPK_CTYPE_ENUM;
		if (param && anon) {
			ret->flags |= MPK_CTYPE_ELIDED;
			return NULL;
		}
		if (anon || top)
			return conv_enum(c, t, ret);
		return NULL;
	case BTF_KIND_FUNC_PROTO:
		ret->name = NULL;
		return conv_function(c, t, top, depth, ret);
	default:
		return mpk_error_create(MPK_ERROR_PARSE,
					"BTF type %u of kind %u is not a C type",
					id, btf_kind(t));
	}
}

/* The BTF that holds @id: a split BTF answers for its base's ids too. */
struct mpk_error *mpk_btf_ptype(const struct mpk_btf *btf, const char *name,
				struct mpk_ptype **ret)
{
	uint32_t id = lookup(btf, name);
	struct conv c = { btf->btf, NULL };
	struct mpk_error *err;

	if (!id)
		return not_found(name);
	c.pt = mpk_ptype_create();
	if (!c.pt)
		return &mpk_enomem;
	c.pt->flags = MPK_PTYPE_OFFSETS;
	err = conv_type(&c, id, true, false, 0, &c.pt->type);
	if (err) {
		mpk_ptype_destroy(c.pt);
		return err;
	}
	*ret = c.pt;
	return NULL;
}

/* The struct or union @name stands for (typedefs taken off) in *@ret. */
static struct mpk_error *su_type(const struct mpk_btf *btf, const char *name,
				 const struct btf_type **ret)
{
	uint32_t id = lookup(btf, name);
	const struct btf_type *t;

	if (!id)
		return not_found(name);
	t = btf__type_by_id(btf->btf, skip(btf->btf, id, true));
	if (!t || !(btf_is_struct(t) || btf_is_union(t)))
		return mpk_error_create(MPK_ERROR_INVALID,
					"%s is not a struct or union", name);
	*ret = t;
	return NULL;
}

struct mpk_error *mpk_btf_su_members(const struct mpk_btf *btf,
				     const char *name, long index,
				     uint64_t *size,
				     int (*fn)(const struct mpk_member *m,
					       void *arg),
				     void *arg, int *rc)
{
	/* conv_member() makes an arena if a type is converted */
	struct conv c = { btf->btf, NULL };
	const struct btf_type *t;
	struct mpk_error *err = su_type(btf, name, &t);
	uint16_t i;

	*rc = 0;
	if (err)
		return err;
	if (index >= btf_vlen(t))
		return mpk_error_create(MPK_ERROR_INVALID,
					"%s has no member number %ld", name,
					index);
	*size = t->size;
	for (i = index < 0 ? 0 : index; i < btf_vlen(t); i++) {
		struct mpk_member m = { 0 };

		err = conv_member(&c, t, i, i == index, 0, &m);
		if (err)
			break;
		*rc = fn(&m, arg);
		if (*rc || index >= 0)
			break;
	}
	mpk_ptype_destroy(c.pt);
	return err;
}

struct mpk_error *mpk_btf_su_find(const struct mpk_btf *btf, const char *name,
				  const char *member, uint64_t *size, long *ret)
{
	const struct btf_type *t;
	struct mpk_error *err = su_type(btf, name, &t);
	uint16_t i;

	if (err)
		return err;
	*size = t->size;
	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = &btf_members(t)[i];
		const char *n = m->name_off ?
			btf__name_by_offset(btf->btf, m->name_off) : NULL;

		if (n && *n && !strcmp(n, member)) {
			*ret = i;
			return NULL;
		}
	}
	return mpk_error_lookup(MPK_LOOKUP_MEMBER, member,
				"no member %s directly in %s", member, name);
}

struct mpk_error *mpk_btf_size(const struct mpk_btf *btf, const char *name,
			       uint64_t *ret)
{
	uint32_t id = lookup(btf, name);
	__s64 size;

	if (!id)
		return not_found(name);
	size = btf__resolve_size(btf->btf, id);
	if (size < 0)
		return mpk_error_create(MPK_ERROR_PARSE,
					"no size for BTF type %s", name);
	*ret = size;
	return NULL;
}

/* Find @member in struct/union @id, through anonymous members. */
static bool find_member(const struct btf *btf, uint32_t id,
			const char *member, int depth, uint64_t *bits,
			uint32_t *type)
{
	const struct btf_type *t = btf__type_by_id(btf, skip(btf, id, true));
	const struct btf_member *m;
	uint16_t i;

	if (!t || depth > MPK_PTYPE_MAX_DEPTH ||
	    !(btf_is_struct(t) || btf_is_union(t)))
		return false;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++) {
		const char *n = m[i].name_off ?
			btf__name_by_offset(btf, m[i].name_off) : NULL;

		if (n && *n) {
			if (strcmp(n, member))
				continue;
			*bits = btf_member_bit_offset(t, i);
			*type = m[i].type;
			return true;
		}
		if (find_member(btf, m[i].type, member, depth + 1, bits,
				type)) {
			*bits += btf_member_bit_offset(t, i);
			return true;
		}
	}
	return false;
}

struct mpk_error *mpk_btf_member(const struct mpk_btf *btf, const char *name,
				 const char *member, uint64_t *offset,
				 uint64_t *size)
{
	uint32_t id = lookup(btf, name), type;
	uint64_t bits;
	__s64 sz;

	if (!id)
		return not_found(name);
	if (!find_member(btf->btf, id, member, 0, &bits, &type))
		return mpk_error_lookup(MPK_LOOKUP_MEMBER, member,
					"no member %s in %s", member, name);
	sz = btf__resolve_size(btf->btf, type);
	if (sz < 0)
		return mpk_error_create(MPK_ERROR_PARSE,
					"no size for %s.%s in BTF", name,
					member);
	if (offset)
		*offset = bits / 8;
	if (size)
		*size = sz;
	return NULL;
}

int mpk_btf_each_type(const struct mpk_btf *btf, bool ambiguous_only,
		      int (*fn)(const char *name, void *arg), void *arg)
{
	static const char *const words[] = {
		[NS_STRUCT] = "struct", [NS_UNION] = "union", [NS_ENUM] = "enum",
	};
	size_t i;

	/* index order is hash order: walk the ids for a stable order */
	for (i = btf->first_id; i < btf->ntypes; i++) {
		const struct btf_type *t = btf__type_by_id(btf->btf, i);
		const struct index_slot *slot;
		enum name_space ns = kind_space(t);
		const char *n;
		char buf[512];
		int rc;

		if (ns == NS_NONE || ns == NS_TYPEDEF || ns == NS_VAR ||
		    !t->name_off)
			continue;
		n = btf__name_by_offset(btf->btf, t->name_off);
		if (!n || !*n)
			continue;
		slot = index_slot(btf, ns, n, strlen(n));
		if (!slot || slot->id != i ||
		    (ambiguous_only && !slot->ambiguous))
			continue;
		snprintf(buf, sizeof(buf), "%s %s", words[ns], n);
		rc = fn(buf, arg);
		if (rc)
			return rc;
	}
	return 0;
}

/* The VAR entry of this BTF (not its base) called @name, or 0. */
static uint32_t var_id(const struct mpk_btf *btf, const char *name,
		       bool *ambiguous)
{
	const struct index_slot *slot;

	if (!mpk_btf_is_name(name) || strchr(name, ' '))
		return 0;
	slot = index_slot(btf, NS_VAR, name, strlen(name));
	if (!slot)
		return 0;
	*ambiguous = slot->ambiguous;
	return slot->id;
}

struct mpk_error *mpk_btf_var_whatis(const struct mpk_btf *btf,
				     const char *name, bool ambiguous_ok,
				     struct mpk_ptype **ret)
{
	bool ambiguous = false;
	uint32_t id = var_id(btf, name, &ambiguous);
	struct conv c = { btf->btf, NULL };
	struct mpk_error *err;

	if (!id)
		return mpk_error_lookup(MPK_LOOKUP_SYMBOL, name,
					"no variable %s in BTF", name);
	if (ambiguous && !ambiguous_ok)
		return mpk_error_create(MPK_ERROR_INVALID,
					"two variables %s in BTF", name);
	c.pt = mpk_ptype_create();
	if (!c.pt)
		return &mpk_enomem;
	/* whatis: the declared type, typedefs and tags kept as names */
	err = conv_type(&c, btf__type_by_id(btf->btf, id)->type, false, false,
			0, &c.pt->type);
	if (err) {
		mpk_ptype_destroy(c.pt);
		return err;
	}
	*ret = c.pt;
	return NULL;
}

int mpk_btf_each_var(const struct mpk_btf *btf,
		     int (*fn)(const char *name, void *arg), void *arg)
{
	uint32_t i;

	for (i = btf->first_id; i < btf->ntypes; i++) {
		const struct btf_type *t = btf__type_by_id(btf->btf, i);
		const char *n;
		int rc;

		if (!btf_is_var(t) || !t->name_off)
			continue;
		n = btf__name_by_offset(btf->btf, t->name_off);
		if (!n || !*n)
			continue;
		rc = fn(n, arg);
		if (rc)
			return rc;
	}
	return 0;
}
