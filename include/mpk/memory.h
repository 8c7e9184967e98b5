/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the dump's memory: single reads, integers, bulk walkers. */
#ifndef MPK_MEMORY_H
#define MPK_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpk/error.h"

/** Memory types, with crash's values (checked in memory.c). */
enum mpk_memtype {
	MPK_KVADDR = 0x1,
	MPK_UVADDR = 0x2,
	MPK_PHYSADDR = 0x4,
	MPK_XENMACHADDR = 0x8,
	MPK_FILEADDR = 0x10,
};

/** Whether @mtype is one of crash's memory types (readmem takes any int). */
bool mpk_memtype_valid(int mtype);

/** The memory type used when a caller names none (see set_readmem_task). */
int mpk_default_memtype(void);

/**
 * Read @size bytes at @addr of memory type @mtype into @buf. Address 0
 * gives mpk_null_pointer; a failed read (also a partly missing range) gives
 * MPK_ERROR_FAULT with the address and size. crash prints nothing.
 */
struct mpk_error *mpk_read(uint64_t addr, int mtype, void *buf, size_t size);

/** Drop the cache of kernel pages read from the dump. */
void mpk_memory_cache_clear(void);

/** Read one pointer-sized unsigned value. */
struct mpk_error *mpk_read_ptr(uint64_t addr, int mtype, uint64_t *ret);

/**
 * Decode a native-endian integer of @size (1, 2, 4 or 8) bytes at @buf,
 * sign-extended if @is_signed.
 */
struct mpk_error *mpk_decode_int(const void *buf, size_t size, int is_signed,
				 int64_t *ret);

/** Why mpk_follow_next() stopped. */
enum mpk_walk_end {
	MPK_WALK_NULL,		/* a NULL next pointer */
	MPK_WALK_HEAD,		/* back at the start */
	MPK_WALK_LOOP,		/* an address seen before (not the start) */
	MPK_WALK_MAXEL,		/* the element limit */
	MPK_WALK_FAULT,		/* a pointer could not be read */
};

/** Result of a chain walk. */
struct mpk_walk {
	uint64_t *addrs;	/* malloc'ed, @n entries */
	size_t n;
	enum mpk_walk_end end;
	uint64_t bad_addr;	/* LOOP: the repeated one; FAULT: the unread */
};

/**
 * Follow next = *(next + @offset) from @start (KVADDR), collecting each
 * address after @start, until NULL, back at @start, an address seen before,
 * @maxel addresses, or a read failure. Only allocation failure is an error:
 * the other ends are reported in @ret->end with the partial list.
 */
struct mpk_error *mpk_follow_next(uint64_t start, int64_t offset,
				  size_t maxel, struct mpk_walk *ret);

/** Release the addresses of a walk. */
void mpk_walk_deinit(struct mpk_walk *walk);

/**
 * Read @n pointers at @addr, in one read (KVADDR), into @ret (malloc'ed).
 */
struct mpk_error *mpk_read_ptr_array(uint64_t addr, size_t n,
				     uint64_t **ret);

/**
 * Switch the default memory type to UVADDR in the context of @task, or
 * back to KVADDR with @task == 0.
 */
struct mpk_error *mpk_set_readmem_task(uint64_t task);

/** Translate user address @vaddr of @task to physical, through its mm. */
struct mpk_error *mpk_uvtop(uint64_t task, uint64_t vaddr, uint64_t *ret);
/** Translate kernel virtual address @vaddr to physical. */
struct mpk_error *mpk_kvtop(uint64_t vaddr, uint64_t *ret);
/** struct page address of physical address @paddr. */
struct mpk_error *mpk_phys_to_page(uint64_t paddr, uint64_t *ret);
/** Kernel direct-map virtual address of @paddr. */
uint64_t mpk_ptov(uint64_t paddr);

#endif /* MPK_MEMORY_H */
