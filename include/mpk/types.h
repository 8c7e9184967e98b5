/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Types from the debuginfo gdb loaded, as parsed gdb text, cached per
 * expression until module debuginfo changes (the type generation).
 */
#ifndef MPK_TYPES_H
#define MPK_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "mpk/error.h"
#include "mpk/ptype_parse.h"

/**
 * `ptype /o EXPR` (@offsets) or `ptype EXPR`, parsed; cached, owned by
 * the cache (valid until the type generation changes). Unknown types give
 * MPK_ERROR_LOOKUP with gdb's message; gdb prints nothing on the screen.
 */
struct mpk_error *mpk_type_ptype(const char *expr, bool offsets,
				 const struct mpk_ptype **ret);

/**
 * gdb's plain `ptype EXPR` with offsets and sizes from crash's
 * datatype_info: what the answer of gdb 16, which refuses `ptype /o` of a
 * struct with a flexible array, becomes. Exposed for its test on gdbs
 * that do print offsets.
 */
struct mpk_error *mpk_type_ptype_filled(const char *expr,
					const struct mpk_ptype **ret);

/** `whatis EXPR`, parsed and cached like mpk_type_ptype(). */
struct mpk_error *mpk_type_whatis(const char *expr,
				  const struct mpk_ptype **ret);

/**
 * Struct/union @name member by member straight from BTF, uncached: see
 * mpk_btf_su_members() for @index, @size, @fn and @rc. *@answered is
 * false, and nothing called, when BTF does not answer for @name as a
 * struct or union: then ask mpk_type_ptype().
 */
struct mpk_error *mpk_type_su_members(const char *name, long index,
				      bool *answered, uint64_t *size,
				      int (*fn)(const struct mpk_member *m,
						void *arg),
				      void *arg, int *rc);

/**
 * mpk_btf_su_find() in the BTF that answers for @name: *@answered false
 * (no error) when BTF does not answer for @name as a struct or union;
 * else *@size is its size and *@ret the member's number, -1 when it has
 * no such member outside its anonymous members.
 */
struct mpk_error *mpk_type_su_find(const char *name, const char *member,
				   bool *answered, uint64_t *size,
				   long *ret);

/** Facts about a base type name such as "long unsigned int". */
struct mpk_base_type {
	int code;		/* gdb TYPE_CODE_INT, _BOOL, _FLT, _VOID */
	unsigned int size;
	bool is_unsigned;
};

/** Recognise a C base type name; false for anything else (a typedef). */
bool mpk_base_type(const char *name, struct mpk_base_type *ret);

/**
 * The generation of type information: changes when module debuginfo is
 * loaded or unloaded (mod -s / mod -d), which drops the cache.
 */
unsigned long mpk_type_generation(void);

/**
 * Size of struct/union/enum/typedef @name in @ret, from BTF, else crash
 * (datatype_info), -1 if unknown. A failed or interrupted lookup is an
 * error (and is not cached).
 */
struct mpk_error *mpk_type_size(const char *name, long *ret);
/**
 * Offset of @member in struct/union @name ("struct tag", "union tag" or
 * the bare tag, as crash takes it) in @ret, from BTF else crash, -1 if
 * unknown; errors as mpk_type_size().
 */
struct mpk_error *mpk_member_offset(const char *name, const char *member,
				    long *ret);
/** Size of @member in struct/union @name, as mpk_member_offset(). */
struct mpk_error *mpk_member_size(const char *name, const char *member,
				  long *ret);

/** Where types may come from (PYKDUMP_TYPES=auto|btf|gdb). */
enum mpk_type_source {
	MPK_TYPES_AUTO,		/* BTF first, gdb for the rest */
	MPK_TYPES_BTF,		/* BTF only for type names (globals: gdb) */
	MPK_TYPES_GDB,		/* never BTF */
};

/** The source in force: PYKDUMP_TYPES read once, or the last _set(). */
enum mpk_type_source mpk_type_source(void);

/** Force a source for this session; returns the previous one. */
enum mpk_type_source mpk_type_source_set(enum mpk_type_source s);

/** Free the type caches and the kernel's BTF (the extension's unload). */
void mpk_types_release(void);

/** One line saying where types come from (loads the BTF if not yet). */
const char *mpk_type_origin(void);

/**
 * Value of the enumerator @name: from BTF (one value in all enums), else
 * from gdb's whatis and ptype of the name; MPK_ERROR_LOOKUP if unknown or
 * not an enumerator (a variable of an enum type is not one).
 */
struct mpk_error *mpk_type_enumerator(const char *name, int64_t *ret);

/**
 * Whether the kernel's BTF answers for type @name now: it has it, with
 * one definition, and BTF is not switched off.
 */
bool mpk_type_from_btf(const char *name);

/**
 * Call @fn with every named struct/union/enum of the kernel's BTF
 * ("struct tag"; only names with two definitions if @ambiguous_only),
 * until it returns non-zero; 0 without BTF.
 */
int mpk_type_each_btf_type(bool ambiguous_only,
			   int (*fn)(const char *name, void *arg), void *arg);

/**
 * Call @fn with the name of every variable the kernel's BTF has a VAR
 * entry for (its per-CPU variables), until it returns non-zero; 0
 * without BTF. whatis answers those from BTF.
 */
int mpk_type_each_btf_var(int (*fn)(const char *name, void *arg), void *arg);

/** How many gdb requests (ptype, whatis, datatype_info) types made. */
unsigned long mpk_type_gdb_requests(void);

/** How many of those were ptype answers describing a whole struct/union. */
unsigned long mpk_type_gdb_layouts(void);

/** gdb's type codes (gdb >= 8). */
enum mpk_type_code {
	MPK_TYPE_CODE_UNDEF = 0,
	MPK_TYPE_CODE_PTR = 1,
	MPK_TYPE_CODE_ARRAY = 2,
	MPK_TYPE_CODE_STRUCT = 3,
	MPK_TYPE_CODE_UNION = 4,
	MPK_TYPE_CODE_ENUM = 5,
	MPK_TYPE_CODE_FUNC = 7,
	MPK_TYPE_CODE_INT = 8,
	MPK_TYPE_CODE_FLT = 9,
	MPK_TYPE_CODE_VOID = 10,
	MPK_TYPE_CODE_BOOL = 21,
	MPK_TYPE_CODE_TYPEDEF = 23,
};

#endif /* MPK_TYPES_H */
