// SPDX-License-Identifier: GPL-2.0-or-later
/* readmem() wrappers, integer decoding and the bulk walkers. */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "defs.h"
#include "mpk/cleanup.h"
#include "mpk/guard.h"
#include "mpk/memory.h"
#include "mpk/session.h"
#include "mpk/types.h"

_Static_assert(MPK_KVADDR == KVADDR, "crash's KVADDR changed");
_Static_assert(MPK_UVADDR == UVADDR, "crash's UVADDR changed");
_Static_assert(MPK_PHYSADDR == PHYSADDR, "crash's PHYSADDR changed");
_Static_assert(MPK_XENMACHADDR == XENMACHADDR, "crash's XENMACHADDR changed");
_Static_assert(MPK_FILEADDR == FILEADDR, "crash's FILEADDR changed");

int mpk_default_memtype(void)
{
	return mpk_session.default_memtype ? mpk_session.default_memtype :
					      KVADDR;
}

bool mpk_memtype_valid(int mtype)
{
	return mtype == KVADDR || mtype == UVADDR || mtype == PHYSADDR ||
	       mtype == XENMACHADDR || mtype == FILEADDR;
}

/* crash's readmem(), translations and page lookups, under the guard. */
struct mem_call {
	ulonglong addr;
	int mtype;
	void *buf;
	long size;
	struct task_context *tc;
	physaddr_t paddr;
	ulong page;
	int ok;
};

static void run_readmem(void *arg)
{
	struct mem_call *c = arg;

	c->ok = readmem(c->addr, c->mtype, c->buf, c->size, "mpykdump",
			RETURN_ON_ERROR | QUIET);
}

static void run_uvtop(void *arg)
{
	struct mem_call *c = arg;

	c->ok = uvtop(c->tc, c->addr, &c->paddr, 0);
}

static void run_kvtop(void *arg)
{
	struct mem_call *c = arg;

	c->ok = kvtop(NULL, c->addr, &c->paddr, 0);
}

static void run_phys_to_page(void *arg)
{
	struct mem_call *c = arg;

	c->ok = phys_to_page(c->addr, &c->page);
}

/*
 * readmem() of @size bytes: NULL on success, MPK_ERROR_FAULT for a read
 * crash refused, the guard's error if crash gave up or ^C came.
 */
static struct mpk_error *guarded_readmem(uint64_t addr, int mtype, void *buf,
					 size_t size)
{
	struct mem_call c = {
		.addr = addr, .mtype = mtype, .buf = buf, .size = size,
	};
	struct mpk_error *err;

	if ((long)size < 0)
		return mpk_error_create(MPK_ERROR_INVALID, "bad size %zu",
					size);
	err = mpk_guard_quiet(run_readmem, &c, "readmem");
	if (err)
		return err;
	if (!c.ok)
		return mpk_error_fault(addr, size);
	return NULL;
}

/*
 * The unsigned long @member of struct @type at @base: MPK_ERROR_LOOKUP if
 * there is no such member. Through mpk_read(), so the page cache serves it.
 */
static struct mpk_error *read_member_ulong(uint64_t base, const char *type,
					   const char *member, uint64_t *ret)
{
	long off;
	ulong val;
	struct mpk_error *err = mpk_member_offset(type, member, &off);

	if (err)
		return err;
	if (off < 0)
		return mpk_error_lookup(MPK_LOOKUP_MEMBER, member,
					"no member %s.%s", type, member);
	err = mpk_read(base + off, KVADDR, &val, sizeof(val));
	if (err)
		return err;
	*ret = val;
	return NULL;
}

/*
 * crash 8.0.2's task table misses most tasks of kernels >= 6.5-style
 * struct pid (and Debian's 6.1 has that change), so a user address is
 * translated through a task_context we fill from the task itself.
 */
static struct mpk_error *task_context_of(uint64_t task,
					 struct task_context *ret)
{
	uint64_t mm, pgd;
	struct mpk_error *err;

	err = read_member_ulong(task, "task_struct", "mm", &mm);
	if (err)
		return err;
	if (!mm)
		return mpk_error_create(MPK_ERROR_INVALID,
					"task 0x%llx has no user memory",
					(unsigned long long)task);
	/* Not a task (a struct mm_struct *, a freed task): no page tables. */
	err = read_member_ulong(mm, "mm_struct", "pgd", &pgd);
	if (err)
		return err;
	if (!pgd)
		return mpk_error_create(MPK_ERROR_INVALID,
					"task 0x%llx has no page tables",
					(unsigned long long)task);
	memset(ret, 0, sizeof(*ret));
	ret->task = task;
	ret->mm_struct = mm;
	return NULL;
}

struct mpk_error *mpk_uvtop(uint64_t task, uint64_t vaddr, uint64_t *ret)
{
	struct task_context tc;
	struct mem_call c = { .addr = vaddr, .tc = &tc };
	struct mpk_error *err;

	err = task_context_of(task, &tc);
	if (err)
		return err;
	/* fill_mm_struct() reads with FAULT_ON_ERROR: a bad mm longjmps. */
	err = mpk_guard_quiet(run_uvtop, &c, "uvtop");
	if (err)
		return err;
	if (!c.ok)
		return mpk_error_create(MPK_ERROR_FAULT,
					"cannot translate user address 0x%llx of task 0x%llx",
					(unsigned long long)vaddr,
					(unsigned long long)task);
	*ret = c.paddr;
	return NULL;
}

struct mpk_error *mpk_kvtop(uint64_t vaddr, uint64_t *ret)
{
	struct mem_call c = { .addr = vaddr };
	struct mpk_error *err = mpk_guard_quiet(run_kvtop, &c, "kvtop");

	if (err)
		return err;
	if (!c.ok)
		return mpk_error_create(MPK_ERROR_FAULT,
					"cannot translate kernel address 0x%llx",
					(unsigned long long)vaddr);
	*ret = c.paddr;
	return NULL;
}

struct mpk_error *mpk_phys_to_page(uint64_t paddr, uint64_t *ret)
{
	struct mem_call c = { .addr = paddr };
	struct mpk_error *err;

	err = mpk_guard_quiet(run_phys_to_page, &c, "phys_to_page");
	if (err)
		return err;
	if (!c.ok)
		return mpk_error_create(MPK_ERROR_FAULT,
					"no struct page for physical address 0x%llx",
					(unsigned long long)paddr);
	*ret = c.page;
	return NULL;
}

uint64_t mpk_ptov(uint64_t paddr)
{
	return PTOV(paddr);
}

/* A user read, page by page through the task's page tables. */
static struct mpk_error *read_user(uint64_t addr, void *buf, size_t size)
{
	char *p = buf;

	while (size) {
		uint64_t paddr;
		size_t chunk = PAGESIZE() - (addr & (PAGESIZE() - 1));
		struct mpk_error *err;

		if (chunk > size)
			chunk = size;
		err = mpk_uvtop(mpk_session.readmem_task, addr, &paddr);
		if (err && err->code != MPK_ERROR_INTERRUPT) {
			mpk_error_destroy(err);
			return mpk_error_fault(addr, size);
		}
		if (!err)
			err = guarded_readmem(paddr, PHYSADDR, p, chunk);
		if (err && err->code == MPK_ERROR_FAULT) {
			mpk_error_destroy(err);
			return mpk_error_fault(addr, size);
		}
		if (err)
			return err;
		addr += chunk;
		p += chunk;
		size -= chunk;
	}
	return NULL;
}

/*
 * A dump never changes, but crash keeps few pages decompressed (kdump
 * pages are zlib-compressed): walking tasks reads three pages per task
 * and pays the decompression every time. Kernel pages we read are kept
 * here, direct-mapped; a live session bypasses it.
 */
enum { PAGE_CACHE_SLOTS = 16384, CACHE_PAGE = 4096 };	/* 64 MB */

struct cached_page {
	uint64_t vaddr;		/* page address + 1; 0 means empty */
	unsigned char data[CACHE_PAGE];
};

static struct cached_page *page_cache;

/* The cached page at @page in @ret, NULL if unreadable (or no memory). */
static struct mpk_error *cached_kernel_page(uint64_t page,
					    const unsigned char **ret)
{
	struct cached_page *slot;
	struct mpk_error *err;

	*ret = NULL;
	if (!page_cache) {
		page_cache = calloc(PAGE_CACHE_SLOTS, sizeof(*page_cache));
		if (!page_cache)
			return NULL;
	}
	slot = &page_cache[(page / CACHE_PAGE) % PAGE_CACHE_SLOTS];
	if (slot->vaddr == page + 1) {
		*ret = slot->data;
		return NULL;
	}
	slot->vaddr = 0;
	err = guarded_readmem(page, KVADDR, slot->data, CACHE_PAGE);
	if (err && err->code == MPK_ERROR_FAULT) {
		mpk_error_destroy(err);
		return NULL;
	}
	if (err)
		return err;
	slot->vaddr = page + 1;
	*ret = slot->data;
	return NULL;
}

/*
 * Kernel read through the page cache; @ret false: read directly instead
 * (a page is missing). Errors are crash giving up or a ^C.
 */
static struct mpk_error *read_cached(uint64_t addr, void *buf, size_t size,
				     bool *ret)
{
	unsigned char *out = buf;

	*ret = false;
	while (size) {
		uint64_t page = addr & ~(uint64_t)(CACHE_PAGE - 1);
		size_t off = addr - page, chunk = CACHE_PAGE - off;
		const unsigned char *data;
		struct mpk_error *err = cached_kernel_page(page, &data);

		if (err)
			return err;
		if (!data)
			return NULL;
		if (chunk > size)
			chunk = size;
		memcpy(out, data + off, chunk);
		out += chunk;
		addr += chunk;
		size -= chunk;
	}
	*ret = true;
	return NULL;
}

void mpk_memory_cache_clear(void)
{
	free(page_cache);
	page_cache = NULL;
}

struct mpk_error *mpk_read(uint64_t addr, int mtype, void *buf, size_t size)
{
	if (!mpk_memtype_valid(mtype))
		return mpk_error_create(MPK_ERROR_INVALID,
					"unknown memory type %d", mtype);
	if (!addr && mtype != PHYSADDR)
		return &mpk_null_pointer;
	if (mtype == UVADDR && mpk_session.readmem_task)
		return read_user(addr, buf, size);
	if (mtype == KVADDR && !ACTIVE()) {
		bool done;
		struct mpk_error *err = read_cached(addr, buf, size, &done);

		if (err || done)
			return err;
	}
	return guarded_readmem(addr, mtype, buf, size);
}

struct mpk_error *mpk_read_ptr(uint64_t addr, int mtype, uint64_t *ret)
{
	ulong val;
	struct mpk_error *err = mpk_read(addr, mtype, &val, sizeof(val));

	if (err)
		return err;
	*ret = val;
	return NULL;
}

struct mpk_error *mpk_decode_int(const void *buf, size_t size, int is_signed,
				 int64_t *ret)
{
	switch (size) {
	case 1:
		*ret = is_signed ? (int64_t)*(const int8_t *)buf :
				   (int64_t)*(const uint8_t *)buf;
		return NULL;
	case 2: {
		uint16_t v;

		memcpy(&v, buf, 2);
		*ret = is_signed ? (int64_t)(int16_t)v : (int64_t)v;
		return NULL;
	}
	case 4: {
		uint32_t v;

		memcpy(&v, buf, 4);
		*ret = is_signed ? (int64_t)(int32_t)v : (int64_t)v;
		return NULL;
	}
	case 8: {
		uint64_t v;

		memcpy(&v, buf, 8);
		*ret = (int64_t)v;
		return NULL;
	}
	default:
		return mpk_error_create(MPK_ERROR_INVALID, "bad size %zu",
					size);
	}
}

/* Open-addressing set of addresses, for loop detection in walks. */
struct addr_set {
	uint64_t *slots;
	size_t mask;
	size_t count;
};

static bool addr_set_init(struct addr_set *set, size_t hint)
{
	size_t cap = 64;

	while (cap < 2 * hint && cap < ((size_t)1 << 24))
		cap <<= 1;
	set->slots = calloc(cap, sizeof(*set->slots));
	set->mask = cap - 1;
	set->count = 0;
	return set->slots != NULL;
}

static size_t addr_hash(uint64_t a)
{
	a ^= a >> 33;
	a *= 0xff51afd7ed558ccdULL;
	a ^= a >> 33;
	return (size_t)a;
}

/* Insert @a (non-zero); false if it was already there. */
static int addr_set_insert(struct addr_set *set, uint64_t a)
{
	size_t i;

	if (2 * (set->count + 1) > set->mask + 1) {
		struct addr_set bigger;
		size_t j;

		if (!addr_set_init(&bigger, 2 * (set->mask + 1)))
			return -1;
		for (j = 0; j <= set->mask; j++)
			if (set->slots[j])
				addr_set_insert(&bigger, set->slots[j]);
		free(set->slots);
		*set = bigger;
	}
	for (i = addr_hash(a) & set->mask; set->slots[i];
	     i = (i + 1) & set->mask)
		if (set->slots[i] == a)
			return 0;
	set->slots[i] = a;
	set->count++;
	return 1;
}

static void addr_set_deinit(struct addr_set *set)
{
	free(set->slots);
}

struct mpk_error *mpk_follow_next(uint64_t start, int64_t offset,
				  size_t maxel, struct mpk_walk *ret)
{
	_cleanup_(mpk_walk_deinit) struct mpk_walk walk = { 0 };
	_cleanup_(addr_set_deinit) struct addr_set seen = { 0 };
	size_t cap = 64;
	uint64_t cur = start;

	if (!addr_set_init(&seen, maxel < 4096 ? maxel : 4096))
		return &mpk_enomem;
	walk.addrs = malloc(cap * sizeof(*walk.addrs));
	if (!walk.addrs)
		return &mpk_enomem;
	addr_set_insert(&seen, start);
	for (;;) {
		struct mpk_error *err;
		ulong next;
		int fresh;

		err = mpk_read(cur + offset, KVADDR, &next, sizeof(next));
		if (err) {
			mpk_error_destroy(err);
			walk.end = MPK_WALK_FAULT;
			walk.bad_addr = cur + offset;
			break;
		}
		if (!next) {
			walk.end = MPK_WALK_NULL;
			break;
		}
		if (next == start) {
			walk.end = MPK_WALK_HEAD;
			break;
		}
		if (walk.n >= maxel) {
			walk.end = MPK_WALK_MAXEL;
			break;
		}
		fresh = addr_set_insert(&seen, next);
		if (fresh < 0)
			return &mpk_enomem;
		if (!fresh) {
			walk.end = MPK_WALK_LOOP;
			walk.bad_addr = next;
			break;
		}
		if (walk.n == cap) {
			uint64_t *bigger = realloc(walk.addrs,
						   2 * cap * sizeof(*bigger));

			if (!bigger)
				return &mpk_enomem;
			walk.addrs = bigger;
			cap *= 2;
		}
		walk.addrs[walk.n++] = next;
		cur = next;
	}
	*ret = walk;
	walk.addrs = NULL;	/* now the caller's */
	return NULL;
}

void mpk_walk_deinit(struct mpk_walk *walk)
{
	free(walk->addrs);
	walk->addrs = NULL;
	walk->n = 0;
}

struct mpk_error *mpk_read_ptr_array(uint64_t addr, size_t n,
				     uint64_t **ret)
{
	_cleanup_free_ uint64_t *buf = malloc((n ? n : 1) * sizeof(*buf));
	struct mpk_error *err;

	if (!buf)
		return &mpk_enomem;
	err = mpk_read(addr, KVADDR, buf, n * sizeof(*buf));
	if (err)
		return err;
	*ret = buf;
	buf = NULL;
	return NULL;
}

struct mpk_error *mpk_set_readmem_task(uint64_t task)
{
	if (task) {
		struct task_context tc;
		struct mpk_error *err = task_context_of(task, &tc);

		if (err) {
			mpk_error_destroy(err);
			return mpk_error_create(MPK_ERROR_INVALID,
						"bad taskaddr 0x%llx",
						(unsigned long long)task);
		}
		mpk_session.default_memtype = UVADDR;
	} else {
		mpk_session.default_memtype = KVADDR;
	}
	mpk_session.readmem_task = task;
	return NULL;
}
