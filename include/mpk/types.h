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

/** `whatis EXPR`, parsed and cached like mpk_type_ptype(). */
struct mpk_error *mpk_type_whatis(const char *expr,
				  const struct mpk_ptype **ret);

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
 * Size of struct/union/typedef @name from crash (datatype_info) in @ret,
 * -1 if unknown. A failed or interrupted lookup is an error (and is not
 * cached).
 */
struct mpk_error *mpk_type_size(const char *name, long *ret);
/** Offset of @member in struct/union @name from crash, -1 if unknown. */
struct mpk_error *mpk_member_offset(const char *name, const char *member,
				    long *ret);
/** Size of @member in struct/union @name from crash, -1 if unknown. */
struct mpk_error *mpk_member_size(const char *name, const char *member,
				  long *ret);

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
