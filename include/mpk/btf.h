/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Types from the kernel's own BTF, read by libbpf: the same tree of
 * struct mpk_ptype that ptype_parse.c makes of gdb's `ptype /o` text, so
 * one consumer (src/py/types.c) builds the same dictionaries from either.
 *
 * Pure: libbpf and libc only, no crash, no gdb; the caller brings the
 * bytes (a vmlinux file, or the dump's memory between __start_BTF and
 * __stop_BTF, or a module's split BTF on top of the vmlinux one).
 */
#ifndef MPK_BTF_H
#define MPK_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpk/error.h"
#include "mpk/ptype_parse.h"

struct mpk_btf;

/** The .BTF section of the ELF file @path; MPK_ERROR_LOOKUP if it has none. */
struct mpk_error *mpk_btf_open_file(const char *path, struct mpk_btf **ret);

/**
 * Raw BTF bytes (copied): the vmlinux's when @base is NULL, else a
 * module's split BTF on top of @base, which must outlive the result.
 */
struct mpk_error *mpk_btf_open_raw(const void *data, size_t size,
				   const struct mpk_btf *base,
				   struct mpk_btf **ret);

/** Free what mpk_btf_open_*() made; NULL is a no-op. */
void mpk_btf_destroy(struct mpk_btf *btf);

/** Number of types (for `epython -v`). */
size_t mpk_btf_ntypes(const struct mpk_btf *btf);

/**
 * Whether @name (as for mpk_btf_ptype()) has more than one definition in
 * BTF: structs private to two .c files keep their own after BTF dedup,
 * and the one gdb finds by name depends on its symbol tables, so such a
 * name is better asked to gdb. mpk_btf_ptype() answers the first.
 */
bool mpk_btf_ambiguous(const struct mpk_btf *btf, const char *name);

/** How many names are ambiguous (see mpk_btf_ambiguous()). */
size_t mpk_btf_nambiguous(const struct mpk_btf *btf);

/**
 * What `ptype /o NAME` would say for @name, one of `struct TAG`,
 * `union TAG`, `enum TAG` or a typedef name: the type's typedefs taken off
 * at the top, its struct/union/enum body printed, nested types as gdb
 * names them. MPK_ERROR_LOOKUP when this BTF has no such type (then ask
 * gdb), the caller owns *ret.
 */
struct mpk_error *mpk_btf_ptype(const struct mpk_btf *btf, const char *name,
				struct mpk_ptype **ret);

/**
 * Whether @name is a name BTF could know: `struct TAG`, `union TAG`,
 * `enum TAG` or an identifier (not an expression, not `char *`).
 */
bool mpk_btf_is_name(const char *name);

/** Whether @name (as for mpk_btf_ptype()) is in this BTF or its base. */
bool mpk_btf_knows(const struct mpk_btf *btf, const char *name);

/**
 * Whether @a and @b define @name alike: size, kind, member (or
 * enumerator) names and places, or for a typedef the name it stands for.
 * Modules' split BTF each carry their own copy of a type from a shared
 * header (tid_t in jbd2 and ext4).
 */
bool mpk_btf_same(const struct mpk_btf *a, const struct mpk_btf *b,
		  const char *name);

/**
 * Struct/union @name (or a typedef of one) member by member, without
 * building its layout: *@size gets its size, then @fn each member in
 * order (member @index only, if @index >= 0) as mpk_btf_ptype() would give
 * it, but the type only of member @index and of anonymous members (others
 * have kind MPK_CTYPE_UNKNOWN, no MPK_MEMBER_HAS_SIZE). What a struct's
 * first use needs: the types of task_struct's members are ~250 walks of
 * the BTF, its layout 40 KB of fresh memory. @fn's member lives until it
 * returns; a non-zero return stops the walk and is *@rc.
 * MPK_ERROR_LOOKUP if @name is unknown, MPK_ERROR_INVALID if it is not a
 * struct or union or has no member @index.
 */
struct mpk_error *mpk_btf_su_members(const struct mpk_btf *btf,
				     const char *name, long index,
				     uint64_t *size,
				     int (*fn)(const struct mpk_member *m,
					       void *arg),
				     void *arg, int *rc);

/**
 * The number of the member called @member of struct/union @name (or a
 * typedef of one), not looking inside anonymous members, for
 * mpk_btf_su_members(); *@size: the struct's size, set also when it has
 * no such member (MPK_ERROR_LOOKUP naming the member). MPK_ERROR_LOOKUP
 * if there is no @name, MPK_ERROR_INVALID if it is not a struct or union.
 */
struct mpk_error *mpk_btf_su_find(const struct mpk_btf *btf, const char *name,
				  const char *member, uint64_t *size,
				  long *ret);

/** Byte size of @name (as for mpk_btf_ptype()); MPK_ERROR_LOOKUP if unknown. */
struct mpk_error *mpk_btf_size(const struct mpk_btf *btf, const char *name,
			       uint64_t *ret);

/**
 * Byte offset (bit offset / 8) and declared-type size of member @member of
 * struct/union @name, searching anonymous members as gdb does.
 * MPK_ERROR_LOOKUP if either is unknown. Either out pointer may be NULL.
 */
struct mpk_error *mpk_btf_member(const struct mpk_btf *btf, const char *name,
				 const char *member, uint64_t *offset,
				 uint64_t *size);

/**
 * Value of the enumerator @name (any enum of this BTF or its base);
 * MPK_ERROR_LOOKUP if none, MPK_ERROR_INVALID if two enums give it
 * different values.
 */
struct mpk_error *mpk_btf_enumerator(const struct mpk_btf *btf,
				     const char *name, int64_t *ret);

/**
 * Call @fn with every named struct, union and enum ("struct tag") once,
 * in BTF order, only the ambiguous ones if @ambiguous_only, until it
 * returns non-zero (that value is returned).
 */
int mpk_btf_each_type(const struct mpk_btf *btf, bool ambiguous_only,
		      int (*fn)(const char *name, void *arg), void *arg);

/**
 * What `whatis NAME` says of the variable @name that this BTF has a VAR
 * entry for (the kernel's BTF has them for per-CPU variables only): its
 * declared type, typedef and tag names kept. MPK_ERROR_LOOKUP if none;
 * MPK_ERROR_INVALID if two variables share the name, unless
 * @ambiguous_ok (then the first). The caller owns *ret.
 */
struct mpk_error *mpk_btf_var_whatis(const struct mpk_btf *btf,
				     const char *name, bool ambiguous_ok,
				     struct mpk_ptype **ret);

/** Call @fn with the name of every VAR entry, in BTF order (as above). */
int mpk_btf_each_var(const struct mpk_btf *btf,
		     int (*fn)(const char *name, void *arg), void *arg);

#endif /* MPK_BTF_H */
