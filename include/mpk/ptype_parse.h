/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure parser of gdb's type text: what `ptype /o struct X`, `ptype X`
 * and `whatis X` print (gdb 10.2 inside crash 8.0.2, also gdb 13) becomes
 * a tree of plain C structs that a consumer walks with indexes and counts.
 *
 * It needs libc only, keeps no global state, takes (text, len) that need not
 * be NUL-terminated and bounds its recursion (MPK_PTYPE_MAX_DEPTH), so it is
 * unit-tested and fuzzed outside crash.
 *
 * Every result lives in one allocation arena owned by its struct mpk_ptype:
 * all pointers reachable from it stay valid until mpk_ptype_destroy().
 *
 * A declared type is kept the way C spells it, in groups:
 *
 *	dims[0] x dims[1] x ... array of  ->  stars pointers to  ->  kind
 *
 * so `char *argv[4]` is {dims {4}, stars 1, NAME "char"}, and
 * `void (*fn)(int)` is {stars 1, FUNCTION, target NAME "void", params {int}}.
 * When pointers and arrays alternate (`int (*p)[4]`) the group ends in
 * kind ARRAY whose target is the pointed-to array: {stars 1, ARRAY,
 * target {dims {4}, NAME "int"}}.
 *
 * Walking the members of `ptype /o struct X`, nested bodies included
 * (positions only with MPK_MEMBER_HAS_OFFSET: plain `ptype` has none):
 *
 *	static void walk(const struct mpk_body *b)
 *	{
 *		for (size_t i = 0; i < b->nmembers; i++) {
 *			const struct mpk_member *m = &b->members[i];
 *
 *			// m->name ("" if anonymous), m->abs_offset (from
 *			// the start of X; m->offset is from b's), m->bit_offset,
 *			// m->bitsize, m->size, m->type
 *			if (m->type.body && !m->type.stars)
 *				walk(m->type.body);  // element 0 of an array
 *		}
 *	}
 *	walk(ptype->type.body);
 */
#ifndef MPK_PTYPE_PARSE_H
#define MPK_PTYPE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpk/error.h"

/** Deepest nesting of bodies, parentheses and array suffixes accepted. */
enum { MPK_PTYPE_MAX_DEPTH = 100 };

/** What is left of a type once its dimensions and pointers are taken off. */
enum mpk_ctype_kind {
	MPK_CTYPE_NAME,		/* base or typedef name: "unsigned long" */
	MPK_CTYPE_STRUCT,	/* name is the tag or NULL; body if printed */
	MPK_CTYPE_UNION,	/* same as STRUCT */
	MPK_CTYPE_ENUM,		/* name is the tag or NULL; enumerators */
	MPK_CTYPE_FUNCTION,	/* target: return type; params */
	MPK_CTYPE_ARRAY,	/* pointer to array: target is the array type */
	MPK_CTYPE_UNKNOWN,	/* gdb's placeholder: "<unknown return type>" */
};

/** Qualifiers seen in one group, merged: a flag, not their exact place. */
enum mpk_qualifier {
	MPK_QUAL_CONST = 1 << 0,
	MPK_QUAL_VOLATILE = 1 << 1,
	MPK_QUAL_RESTRICT = 1 << 2,
	MPK_QUAL_ATOMIC = 1 << 3,
};

/** Bits of mpk_ctype.flags. */
enum mpk_ctype_flag {
	/* STRUCT/UNION/ENUM: gdb printed `{...}` instead of the body */
	MPK_CTYPE_ELIDED = 1 << 0,
	/* ENUM: gdb printed the enumerators (possibly none) */
	MPK_CTYPE_ENUM_BODY = 1 << 1,
	/* FUNCTION: the parameter list ends in `...` */
	MPK_CTYPE_VARARGS = 1 << 2,
	/* FUNCTION: `()`, an unprototyped function; `(void)` is prototyped */
	MPK_CTYPE_UNPROTOTYPED = 1 << 3,
	/* dims[0] is 0 because gdb printed `[]` (no bound), not `[0]` */
	MPK_CTYPE_FLEXIBLE = 1 << 4,
};

struct mpk_body;
struct mpk_enumerator;

/** A declared type: arrays of pointers to what `kind` says (see above). */
struct mpk_ctype {
	enum mpk_ctype_kind kind;
	unsigned int quals;		/* enum mpk_qualifier bits */
	unsigned int flags;		/* enum mpk_ctype_flag bits */
	size_t ndims;
	/* outermost first; 0 for `[]`, `[0]` and `[variable length]` */
	const uint64_t *dims;
	unsigned int stars;		/* pointer levels inside the arrays */
	/*
	 * NAME: the type's words joined by one space; STRUCT, UNION, ENUM:
	 * the tag, NULL when anonymous; UNKNOWN: gdb's text with its <>.
	 */
	const char *name;
	/* STRUCT/UNION: the members, when gdb printed them; else NULL */
	const struct mpk_body *body;
	/* ENUM: the enumerators, when MPK_CTYPE_ENUM_BODY is set */
	const struct mpk_enumerator *enumerators;
	size_t nenumerators;
	/* FUNCTION: the return type; ARRAY: the array pointed to */
	const struct mpk_ctype *target;
	/* FUNCTION: the parameter types, in order */
	const struct mpk_ctype *params;
	size_t nparams;
};

/** One enumerator, with its value computed where gdb left it implicit. */
struct mpk_enumerator {
	const char *name;
	int64_t value;
};

/** Bits of mpk_member.flags. */
enum mpk_member_flag {
	/* offset and bit_offset are known: ptype /o printed them, or a union */
	MPK_MEMBER_HAS_OFFSET = 1 << 0,
	/* size is known: ptype /o printed it */
	MPK_MEMBER_HAS_SIZE = 1 << 1,
	/* declared with `: bitsize`; bitsize may be 0 (unnamed `int : 0`) */
	MPK_MEMBER_BITFIELD = 1 << 2,
};

/** A member of a struct or union body. */
struct mpk_member {
	const char *name;	/* "" for an anonymous struct/union member */
	struct mpk_ctype type;
	/*
	 * Position relative to the start of the body that holds the member:
	 * it starts bit_offset (0-7) bits into byte offset, so its bit
	 * position is offset * 8 + bit_offset.  Nested bodies have their
	 * own relative offsets, although ptype /o prints absolute ones.
	 */
	uint64_t offset;
	unsigned int bit_offset;
	unsigned int bitsize;	/* bitfield width, with MPK_MEMBER_BITFIELD */
	/* bytes; for a bitfield the size of its declared type, as gdb says */
	uint64_t size;
	/* byte offset from the start of the outermost type (gdb's number) */
	uint64_t abs_offset;
	unsigned int flags;	/* enum mpk_member_flag bits */
	unsigned int line;	/* 1-based line of the declaration */
};

/** Bits of mpk_body.flags. */
enum mpk_body_flag {
	MPK_BODY_UNION = 1 << 0,	/* a union, else a struct */
	MPK_BODY_HAS_SIZE = 1 << 1,	/* size comes from `total size` */
	MPK_BODY_INCOMPLETE = 1 << 2,	/* gdb printed <incomplete type> */
	MPK_BODY_NO_FIELDS = 1 << 3,	/* gdb printed <no data fields> */
};

/** The members of a struct or union, as gdb printed them. */
struct mpk_body {
	unsigned int flags;	/* enum mpk_body_flag bits */
	const struct mpk_member *members;
	size_t nmembers;
	uint64_t size;		/* with MPK_BODY_HAS_SIZE */
	unsigned int line;	/* 1-based line of the `{` */
};

/** Bits of mpk_ptype.flags. */
enum mpk_ptype_flag {
	/*
	 * ptype /o output: its header or offset comments were seen (gdb
	 * prints no header for `ptype /o struct x *`, but the offsets)
	 */
	MPK_PTYPE_OFFSETS = 1 << 0,
};

struct mpk_ptype_arena;

/** A parse result: the type and the arena that holds everything. */
struct mpk_ptype {
	struct mpk_ctype type;
	/* the declarator's name, e.g. `comm` of `char comm[16]`, or NULL */
	const char *name;
	unsigned int flags;	/* enum mpk_ptype_flag bits */
	struct mpk_ptype_arena *arena;	/* private */
};

/**
 * Parse the whole output of one gdb `ptype`, `ptype /o` or `whatis`
 * command: `type = ...`, optionally after the /o header.
 *
 * gdb's "No symbol ...", "No struct type named ...", "There is no member
 * named ..." answers give MPK_ERROR_LOOKUP with gdb's line as the message;
 * any other text gives MPK_ERROR_PARSE, "line N: ...".
 */
struct mpk_error *mpk_ptype_parse(const char *text, size_t len,
				  struct mpk_ptype **ret);

/**
 * Rewrite, in place, the integer type names gdb's `ptype /r` and `whatis
 * /r` print as the debuginfo has them ("long unsigned int") to the names
 * their plain forms print ("unsigned long"); the new length. Plain ptype
 * canonicalizes each type name it prints by looking it up as a symbol,
 * and a name that is no symbol (a struct tag) costs a search of every
 * compilation unit (ptype /o struct task_struct: 2.3 s, with /r 23 ms
 * on a vmlinux without .gdb_index); /r leaves every other name as plain
 * ptype prints it in C.
 */
size_t mpk_ptype_canonical_ints(char *text, size_t len);

/**
 * gdb's name for the integer type DWARF (and BTF, which copies it) calls
 * @name ("long unsigned int" -> "unsigned long"), a static string; @name
 * itself when it is not made of integer keywords only ("_Bool",
 * "long double", a typedef).
 */
const char *mpk_ptype_int_name(const char *name);

/**
 * An empty result (kind NAME, no name) for another producer of the same
 * tree (src/btf.c): fill it with memory from mpk_ptype_alloc(). NULL when
 * out of memory.
 */
struct mpk_ptype *mpk_ptype_create(void);

/** Zeroed memory that lives as long as @ptype; NULL when out of memory. */
void *mpk_ptype_alloc(struct mpk_ptype *ptype, size_t size);

/** Free a parse result and everything it points to; NULL is a no-op. */
void mpk_ptype_destroy(struct mpk_ptype *ptype);

#endif /* MPK_PTYPE_PARSE_H */
