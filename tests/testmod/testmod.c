// SPDX-License-Identifier: GPL-2.0
/*
 * testmod: plants data of every C shape the PyKdump readers must handle,
 * with values that tests compare against tests/testmod/expected.json.
 *
 * Rules for editing:
 *  - every value set here must be mirrored in expected.json (the build checks
 *    that each name listed there is a symbol of testmod.ko);
 *  - globals are deliberately not static: a static that is only referenced
 *    through a pointer may be folded away, and non-static names also end up
 *    in the module's kallsyms, which the readers use.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/types.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/xarray.h>
#include <linux/idr.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>

/* ---------------------------------------------------------------- function */

noinline int testmod_func(int a)
{
	/* volatile keeps a real body, so the symbol has a size and an address */
	volatile int k = 2;

	return a * k + 1;
}
EXPORT_SYMBOL(testmod_func);

/* ----------------------------------------------------------------- scalars */

s8 testmod_s8 = -128;
s8 testmod_s8_pos = 127;
u8 testmod_u8 = 255;
s16 testmod_s16 = -32768;
u16 testmod_u16 = 65535;
s32 testmod_s32 = -2147483647 - 1;
u32 testmod_u32 = 4294967295U;
s64 testmod_s64 = -9223372036854775807LL - 1;
u64 testmod_u64 = 18446744073709551615ULL;
s64 testmod_s64_max = 9223372036854775807LL;

char testmod_char = 'A';
signed char testmod_schar = -5;
unsigned char testmod_uchar = 200;
short testmod_short = -1234;
unsigned short testmod_ushort = 54321;
int testmod_int = -123456;
unsigned int testmod_uint = 3000000000U;
long testmod_long = -1234567890123L;
unsigned long testmod_ulong = 0xdeadbeefcafebabeUL;
long long testmod_llong = -42LL;
unsigned long long testmod_ullong = 0x0123456789abcdefULL;

bool testmod_true = true;
bool testmod_false;
/* names used by the original PyKdump test module */
bool true_ = true;
bool false_;
long seven = 7;
int six = 6;

/* ----------------------------------------------------------------- strings */

char testmod_chararr[16] = "hello, kernel";
const char *testmod_str = "a constant string";
char *testmod_str_null;
const char *dpchar[] = { "one", "two" };
const char **testmod_dpchar_ptr = dpchar;
char *charPtrArr[3];

/* ------------------------------------------------------------------- enums */

enum testmod_color { TM_RED, TM_GREEN, TM_BLUE };
enum testmod_sparse {
	TM_NEG = -5,
	TM_ZERO = 0,
	TM_HUNDRED = 100,
	TM_BIG = 0x10000,
};
enum ASID_ENUM { ASID_0, ASID_2 = 2, ASID_3 };

enum testmod_color testmod_color = TM_BLUE;
enum testmod_sparse testmod_sparse_neg = TM_NEG;
enum testmod_sparse testmod_sparse_big = TM_BIG;
enum ASID_ENUM asid_enum = ASID_2;

struct estruct {
	enum ASID_ENUM e1;
	int i2;
};
struct estruct eStruct = { .e1 = ASID_3, .i2 = 5 };

/* --------------------------------------------------------------- bitfields */

struct testmod_bits {
	unsigned int a:3;
	signed int b:5;
	unsigned int c:12;	/* straddles bytes 1 and 2 */
	signed int d:7;		/* straddles bytes 2 and 3 */
	bool e:1;
	bool f:1;
	unsigned long long g:28;	/* bits 29..56: across bit 32 and 4 bytes */
	signed long long h:20;	/* no room left in the first u64: next unit */
	u8 i:4;
	u8 j:4;
	unsigned long long k:40;	/* wider than 32 bits */
};

struct testmod_bits testmod_bits = {
	.a = 5, .b = -11, .c = 0xabc, .d = -64, .e = true, .f = false,
	.g = 0xabcdef1, .h = -12345, .i = 9, .j = 15, .k = 0xfedcba9876ULL,
};

/* ---------------------------------------------------- nested / anonymous */

struct AA {
	int a0;
	char *b0;
};

struct ASID_ANON {
	struct {
		int a;			/* offset 0 */
		union {
			int b;		/* offset 4 */
			struct {
				int c;	/* offset 4 */
				int d;	/* offset 8 */
			};
		};
		struct {
			int e;		/* offset 12 */
		};
	};
};
struct ASID_ANON asid_anon = { .a = 1, .c = 3, .d = 4, .e = 5 };

struct testmod_outer {
	int x;
	struct testmod_mid {
		int y;
		struct testmod_inner {
			long z;
			char tag[8];
		} inner;
	} mid;
	union {
		u32 word;
		u8 bytes[4];
	} u;
	union {
		struct {
			u16 lo;
			u16 hi;
		};
		u32 both;
	};
};
struct testmod_outer testmod_outer = {
	.x = 1,
	.mid = { .y = 2, .inner = { .z = -3, .tag = "inner" } },
	.u = { .word = 0x04030201 },
	.lo = 0x1111, .hi = 0x2222,
};

/* ------------------------------------------------------------------ arrays */

int testmod_arr1[5] = { 1, 2, 3, 4, 5 };
int testmod_arr2[3][4];			/* [i][j] = 10*i + j */
int testmod_arr3[2][3][4];		/* [i][j][k] = 100*i + 10*j + k */
struct AA testmod_sarr[3];		/* a0 = 10*(i+1), b0 = "s0".."s2" */
int *testmod_ptrarr[3] = { &testmod_arr1[0], NULL, &testmod_arr1[4] };
bool testmod_boolarr[4] = { true, false, false, true };

/* ---------------------------------------------------------------- pointers */

int testmod_target = 4242;
int *testmod_iptr = &testmod_target;
int **testmod_ipptr = &testmod_iptr;
int ***testmod_ippptr = &testmod_ipptr;
void *testmod_voidptr = &testmod_target;
struct AA *testmod_nullptr;
int (*testmod_funcptr)(int) = testmod_func;

/* names used by the original PyKdump test module */
int testmod_one = 1, testmod_two = 2, testmod_three = 3;
int *iPtr = &testmod_one;
int *iPtrarr[3] = { &testmod_one, &testmod_two, &testmod_three };

/* ---------------------------------------------------------------- typedefs */

typedef struct testmod_point {
	int x;
	int y;
} testmod_point_t;
typedef testmod_point_t testmod_point2_t;
typedef testmod_point2_t testmod_point3_t;
testmod_point3_t testmod_tpoint = { .x = 3, .y = 4 };

typedef int testmod_int_t;
typedef testmod_int_t testmod_int2_t;
testmod_int2_t testmod_tint = 77;

/* --------------------------------------------------- flexible array member */

struct testmod_flex {
	int n;
	long vals[];
};
/* GCC extension: a static object may initialise its flexible array */
struct testmod_flex testmod_flex_static = { .n = 3, .vals = { 7, 8, 9 } };
struct testmod_flex *testmod_flexp;	/* kmalloc'd, n = 6, vals[i] = 10*(i+1) */

/* ------------------------------------------------ the original ASID shapes */

struct ASID {
	long li;
	int i2;
	unsigned char bf1:1;
	unsigned char bf2:3;
	signed int bf3:12;
	unsigned int bf4:12;
	struct S1 {
		int a;
		char *b;
		struct {
			int aa;
			char *bb;
		} ff;
		struct AA zf[0];
	} f1;

	bool booli1;
	bool booli2;
	bool boolbf1:1;
	bool boolbf2:1;
	bool boolarr[6];

	struct AA *sptr;
	struct AA sarr[3];
	struct AA *sarrptr;
	struct AA *ptrarr[3];
	struct AA *nullptr;

	long *lptr;
	int *iptr;
	int **ipptr;
	int ***ippptr;
	int iarr2[5][3];
	int (*funcptr)(int);
	const char **cpp;

	struct {
		int a1;
		char *b1;
		struct S1 *ptrarr[2];
		void *ptr;
		char buf[10];
		long ulb[3];
		union {
			int a;
			struct {
				int a;
				unsigned long long ull[10];
			} l3;
		} l2;
	} f2;

	struct AA f3;
	struct AA ze[];
};

struct ASID asid;
struct AA aa;
typedef struct ASID asid_t;
asid_t aaa;

struct ASID_ptr {
	struct Internal {
		int a;
		struct AA *a3[3];
		struct AA *a0[0];
	} ii;
	struct AA *aa[4];
} asid_ptr;

struct AA testmod_aa_pool[3];		/* {i, "zero"/"one"/"two"} */

/* ----------------------------------- same name as a vmlinux-internal type */

/*
 * vmlinux has 'struct timer_rand_state' (drivers/char/random.c: three longs,
 * 24 bytes) which no header exports.  Ours has another layout, so a reader
 * that loads the module's debuginfo must see this one for testmod_trs.
 */
struct timer_rand_state {
	int tm_magic;
	char tm_tag[12];
	unsigned long long tm_big;
	short tm_short;
};
struct timer_rand_state testmod_trs = {
	.tm_magic = 0x7777, .tm_tag = "testmod", .tm_big = 0x1122334455667788ULL,
	.tm_short = -2,
};

/*
 * vmlinux also has a 'struct node' (drivers/base/node.c); this is the
 * singly linked chain the tests walk by ->next.
 */
struct node {
	int val;
	struct node *next;
};
struct node testmod_nodes[4];		/* val 1..4, last ->next == NULL */
struct node *testmod_chain = &testmod_nodes[0];

/* ------------------------------------------------------- kernel containers */

struct testmod_item {
	int id;
	char name[16];
	struct list_head link;
};
LIST_HEAD(testmod_list);		/* 5 kmalloc'd items, ids 1..5 */

struct testmod_hitem {
	int key;
	struct hlist_node node;
};
#define TESTMOD_HASH_SIZE 8
struct hlist_head testmod_hash[TESTMOD_HASH_SIZE];	/* bucket = key % 8 */

struct testmod_rbnode {
	u32 key;
	struct rb_node node;
};
struct rb_root testmod_rbroot = RB_ROOT;

struct testmod_xitem {
	unsigned long index;
	unsigned long val;
};
DEFINE_XARRAY(testmod_xa);

struct testmod_iditem {
	int id;
	char name[12];
};
DEFINE_IDR(testmod_idr);

DEFINE_PER_CPU(int, testmod_pcpu);			/* cpu*100 + 7 */
DEFINE_PER_CPU(struct testmod_point, testmod_pcpu_pt);	/* {cpu, -cpu} */

/* A list whose last element points back into its middle. */
struct testmod_loopitem {
	int id;
	struct list_head link;
};
struct list_head testmod_loop_head;
struct testmod_loopitem testmod_loop_items[4];	/* ids 0..3, 3->next = 1 */

/* ------------------------------------------------------------ the values */

static const int testmod_hash_keys[] = { 3, 11, 19, 5, 6 };
static const u32 testmod_rb_keys[] = { 50, 20, 80, 10, 30, 70, 90, 60, 40, 100 };
static const unsigned long testmod_xa_index[] = {
	0, 1, 5, 63, 64, 4095, 1UL << 20, 1UL << 40,
};
#define TESTMOD_XA_VALUE_INDEX 2	/* holds xa_mk_value(12345) */
static const int testmod_idr_ids[] = { 1, 2, 3, 100, 5000 };
static const char * const testmod_aa_names[] = { "zero", "one", "two" };
static const char * const testmod_sarr_names[] = { "s0", "s1", "s2" };

/* Everything allocated here is deliberately never freed: the dump needs it. */
static int __init testmod_fill_containers(void)
{
	int i, err;

	for (i = 1; i <= 5; i++) {
		struct testmod_item *it = kzalloc(sizeof(*it), GFP_KERNEL);

		if (!it)
			return -ENOMEM;
		it->id = i;
		snprintf(it->name, sizeof(it->name), "item%d", i);
		list_add_tail(&it->link, &testmod_list);
	}

	for (i = 0; i < TESTMOD_HASH_SIZE; i++)
		INIT_HLIST_HEAD(&testmod_hash[i]);
	for (i = 0; i < ARRAY_SIZE(testmod_hash_keys); i++) {
		struct testmod_hitem *h = kzalloc(sizeof(*h), GFP_KERNEL);

		if (!h)
			return -ENOMEM;
		h->key = testmod_hash_keys[i];
		hlist_add_head(&h->node,
			       &testmod_hash[h->key % TESTMOD_HASH_SIZE]);
	}

	for (i = 0; i < ARRAY_SIZE(testmod_rb_keys); i++) {
		struct rb_node **p = &testmod_rbroot.rb_node, *parent = NULL;
		struct testmod_rbnode *n = kzalloc(sizeof(*n), GFP_KERNEL);

		if (!n)
			return -ENOMEM;
		n->key = testmod_rb_keys[i];
		while (*p) {
			struct testmod_rbnode *cur =
				rb_entry(*p, struct testmod_rbnode, node);

			parent = *p;
			p = n->key < cur->key ? &(*p)->rb_left : &(*p)->rb_right;
		}
		rb_link_node(&n->node, parent, p);
		rb_insert_color(&n->node, &testmod_rbroot);
	}

	for (i = 0; i < ARRAY_SIZE(testmod_xa_index); i++) {
		struct testmod_xitem *x = kzalloc(sizeof(*x), GFP_KERNEL);

		if (!x)
			return -ENOMEM;
		x->index = testmod_xa_index[i];
		x->val = x->index * 3 + 1;
		err = xa_err(xa_store(&testmod_xa, x->index, x, GFP_KERNEL));
		if (err)
			return err;
	}
	err = xa_err(xa_store(&testmod_xa, TESTMOD_XA_VALUE_INDEX,
			      xa_mk_value(12345), GFP_KERNEL));
	if (err)
		return err;

	for (i = 0; i < ARRAY_SIZE(testmod_idr_ids); i++) {
		struct testmod_iditem *d = kzalloc(sizeof(*d), GFP_KERNEL);
		int id = testmod_idr_ids[i];

		if (!d)
			return -ENOMEM;
		d->id = id;
		snprintf(d->name, sizeof(d->name), "id%d", id);
		err = idr_alloc(&testmod_idr, d, id, id + 1, GFP_KERNEL);
		if (err != id)
			return err < 0 ? err : -EINVAL;
	}

	testmod_flexp = kzalloc(struct_size(testmod_flexp, vals, 6), GFP_KERNEL);
	if (!testmod_flexp)
		return -ENOMEM;
	testmod_flexp->n = 6;
	for (i = 0; i < 6; i++)
		testmod_flexp->vals[i] = 10 * (i + 1);

	return 0;
}

static void __init testmod_fill_static(void)
{
	int i, j, k, cpu;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++)
			testmod_arr2[i][j] = 10 * i + j;
	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++)
			for (k = 0; k < 4; k++)
				testmod_arr3[i][j][k] = 100 * i + 10 * j + k;
	for (i = 0; i < 3; i++) {
		testmod_sarr[i].a0 = 10 * (i + 1);
		testmod_sarr[i].b0 = (char *)testmod_sarr_names[i];
	}

	for (i = 0; i < 4; i++) {
		testmod_nodes[i].val = i + 1;
		testmod_nodes[i].next = i < 3 ? &testmod_nodes[i + 1] : NULL;
	}

	/* head -> 0 -> 1 -> 2 -> 3 -> 1 -> ... (prev links stay consistent
	 * up to item 3, so only a ->next walk loops) */
	testmod_loop_head.next = &testmod_loop_items[0].link;
	testmod_loop_head.prev = &testmod_loop_items[3].link;
	for (i = 0; i < 4; i++) {
		testmod_loop_items[i].id = i;
		testmod_loop_items[i].link.prev = i ? &testmod_loop_items[i - 1].link
						    : &testmod_loop_head;
		testmod_loop_items[i].link.next = i < 3 ? &testmod_loop_items[i + 1].link
							: &testmod_loop_items[1].link;
	}

	for_each_possible_cpu(cpu) {
		per_cpu(testmod_pcpu, cpu) = cpu * 100 + 7;
		per_cpu(testmod_pcpu_pt, cpu).x = cpu;
		per_cpu(testmod_pcpu_pt, cpu).y = -cpu;
	}

	/* the original PyKdump test module's values */
	asid.li = 123456789;
	asid.i2 = -555;
	asid.bf1 = 1;
	asid.bf2 = 2;
	asid.bf3 = -2;
	asid.bf4 = 123;
	asid.f1.a = 17;
	asid.f1.b = "f1bstring";
	asid.f1.ff.aa = 18;
	asid.f1.ff.bb = "bbstring";
	asid.booli1 = true;
	asid.booli2 = false;
	asid.boolbf1 = false;
	asid.boolbf2 = true;
	for (i = 0; i < 6; i++)
		asid.boolarr[i] = (i % 3) != 0;
	aa.a0 = 740;
	aa.b0 = "aastring";
	asid.sptr = &aa;
	for (i = 0; i < 3; i++) {
		asid.sarr[i].a0 = 11 * (i + 1);
		asid.ptrarr[i] = &asid.sarr[i];
	}
	asid.sarrptr = &asid.sarr[1];
	asid.nullptr = NULL;
	asid.lptr = &seven;
	asid.iptr = &six;
	asid.ipptr = &asid.iptr;
	asid.ippptr = &asid.ipptr;
	for (i = 0; i < 5; i++)
		for (j = 0; j < 3; j++)
			asid.iarr2[i][j] = i * 10 + j;
	asid.funcptr = testmod_func;
	asid.cpp = dpchar;
	asid.f2.a1 = -1;
	asid.f2.b1 = "f2b1";
	asid.f2.ptrarr[0] = &asid.f1;
	asid.f2.ptrarr[1] = NULL;
	asid.f2.ptr = &asid;
	strscpy(asid.f2.buf, "buf", sizeof(asid.f2.buf));
	asid.f2.ulb[0] = 1;
	asid.f2.ulb[1] = 2;
	asid.f2.ulb[2] = -3;
	asid.f2.l2.l3.a = 666;
	for (i = 0; i < 10; i++)
		asid.f2.l2.l3.ull[i] = 1000ULL * i;
	asid.f3.a0 = 33;
	asid.f3.b0 = "f3";

	aaa.li = -1;
	aaa.i2 = 2;
	aaa.bf3 = 1000;

	for (i = 0; i < 3; i++) {
		testmod_aa_pool[i].a0 = i;
		testmod_aa_pool[i].b0 = (char *)testmod_aa_names[i];
		asid_ptr.ii.a3[i] = &testmod_aa_pool[i];
		asid_ptr.aa[i] = &testmod_aa_pool[i];
		charPtrArr[i] = testmod_aa_pool[i].b0;
	}
	asid_ptr.ii.a = 9;
	asid_ptr.aa[3] = NULL;
}

static int __init testmod_init(void)
{
	int err;

	testmod_fill_static();
	err = testmod_fill_containers();
	if (err)
		return err;
	pr_info("testmod: loaded, testmod_func(20) = %d\n", testmod_func(20));
	return 0;
}

/* No exit function: the module must stay loaded until the crash. */
module_init(testmod_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PyKdump test fixture: known data of every C shape");
