// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Check tests of src/ptype_parse.c; checkmk turns this into C.
 *
 * Most expectations come from outside the parser: the files of
 * tests/data/ptype were printed by gdb 10.2 inside crash 8.0.2 on the
 * fixture kernel (and by gdb 13 in gdb13/), crash's own `whatis` gives
 * sizes, and a standalone `ptype /o struct X` gives the layout that X must
 * have where it is nested in another type.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpk/ptype_parse.h"
#include "render.h"

#ifndef MPK_TEST_DATA
#define MPK_TEST_DATA "tests/data/ptype"
#endif

/*
 * gdb 10.2's `ptype /r` against plain `ptype` of 250 kernel types:
 * the only differences were these names (DWARF's, then gdb's).
 */
static const char *const int_names[][2] = {
	{ "long unsigned int", "unsigned long" },
	{ "short unsigned int", "unsigned short" },
	{ "long long unsigned int", "unsigned long long" },
	{ "long int", "long" },
	{ "short int", "short" },
	{ "long long int", "long long" },
	{ "__int128 unsigned", "unsigned __int128" },
	{ "unsigned int", "unsigned int" },
	{ "signed char", "signed char" },
	{ "unsigned char", "unsigned char" },
	{ "char", "char" },
	{ "int", "int" },
	{ "_Bool", "_Bool" },
	{ "long double", "long double" },
};

/* A file of the capture directory, in a buffer of exactly its size. */
static char *load(const char *name, size_t *len)
{
	char path[512];
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", MPK_TEST_DATA, name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_ptr_nonnull(buf);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
	}
	fclose(f);
	/* exact size, so that ASan sees any read past len */
	buf = realloc(buf, n ? n : 1);
	*len = n;
	return buf;
}

static struct mpk_ptype *parse_text(const char *text)
{
	struct mpk_ptype *pt = NULL;
	struct mpk_error *err = mpk_ptype_parse(text, strlen(text), &pt);

	ck_assert_msg(err == NULL, "parse failed: %s", err ? err->message : "");
	return pt;
}

/* gdb's `type = ` line with @text as the type (declarator grammar). */
static char *type_line(const char *text, size_t len)
{
	char *line = malloc(len + 8);

	ck_assert_ptr_nonnull(line);
	memcpy(line, "type = ", 7);
	memcpy(line + 7, text, len);
	line[len + 7] = '\0';
	return line;
}

static struct mpk_ptype *decl(const char *text)
{
	struct mpk_ptype *pt = NULL;
	char *line = type_line(text, strlen(text));
	struct mpk_error *err = mpk_ptype_parse(line, strlen(line), &pt);

	ck_assert_msg(err == NULL, "parse of '%s' failed: %s", line,
		      err ? err->message : "");
	free(line);
	return pt;
}

static struct mpk_ptype *parse_file(const char *name)
{
	struct mpk_ptype *pt = NULL;
	struct mpk_error *err;
	size_t len;
	char *text = load(name, &len);

	err = mpk_ptype_parse(text, len, &pt);
	ck_assert_msg(err == NULL, "%s: %s", name, err ? err->message : "");
	free(text);
	return pt;
}

/* Assert an error by code and message, then free it. */
static void ck_err(struct mpk_error *err, enum mpk_error_code code,
		   const char *message)
{
	ck_assert_msg(err != NULL, "expected error '%s', got success", message);
	ck_assert_int_eq(err->code, code);
	ck_assert_str_eq(err->message, message);
	mpk_error_destroy(err);
}

static struct mpk_error *parse_err(const char *text)
{
	struct mpk_ptype *pt = NULL;
	struct mpk_error *err = mpk_ptype_parse(text, strlen(text), &pt);

	if (!err)
		mpk_ptype_destroy(pt);
	return err;
}

/* The error parsing the capture @name gives (NULL: it parsed). */
static struct mpk_error *file_err(const char *name)
{
	size_t len;
	char *text = load(name, &len);
	struct mpk_ptype *pt = NULL;
	struct mpk_error *err = mpk_ptype_parse(text, len, &pt);

	if (!err)
		mpk_ptype_destroy(pt);
	free(text);
	return err;
}

/* The error of a `type = ` line of @len bytes of @text. */
static struct mpk_error *decl_err_len(const char *text, size_t len)
{
	struct mpk_ptype *pt = NULL;
	char *line = type_line(text, len);
	struct mpk_error *err = mpk_ptype_parse(line, len + 7, &pt);

	if (!err)
		mpk_ptype_destroy(pt);
	free(line);
	return err;
}

static struct mpk_error *decl_err(const char *text)
{
	return decl_err_len(text, strlen(text));
}

/* Append @n copies of @s to @text. */
static void repeat(char *text, const char *s, int n)
{
	for (int i = 0; i < n; i++)
		strcat(text, s);
}

/* crash's SIZE of a type in its `whatis` capture @name. */
static uint64_t whatis_size(const char *name)
{
	size_t len;
	char *text = load(name, &len);
	char *size = strstr(text, "SIZE: ");
	uint64_t ret;

	ck_assert_ptr_nonnull(size);
	ret = strtoull(size + 6, NULL, 10);
	free(text);
	return ret;
}

/* An enum's values by index, @n of them, one per enumerator. */
static void ck_enum_values(const struct mpk_ctype *t, const int64_t *values,
			   size_t n)
{
	ck_assert_uint_eq(t->nenumerators, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(t->enumerators[i].value, values[i]);
}

/* Where bitfield @m sits: its type, byte, bit in that byte, width, size. */
static void ck_bitfield(const struct mpk_member *m, const char *type,
			uint64_t offset, unsigned bit_offset, unsigned bitsize,
			uint64_t size)
{
	ck_assert_str_eq(m->type.name, type);
	ck_assert_uint_eq(m->offset, offset);
	ck_assert_uint_eq(m->bit_offset, bit_offset);
	ck_assert_uint_eq(m->bitsize, bitsize);
	ck_assert_uint_eq(m->size, size);
}

/* A direct member by name ("" finds the first anonymous one). */
static const struct mpk_member *member(const struct mpk_body *b,
				       const char *name)
{
	ck_assert_ptr_nonnull(b);
	for (size_t i = 0; i < b->nmembers; i++) {
		if (!strcmp(b->members[i].name, name))
			return &b->members[i];
	}
	ck_abort_msg("no member '%s'", name);
	return NULL;
}

/* The member at a dotted path of named members: "se.run_node". */
static const struct mpk_member *path(const struct mpk_body *b,
				     const char *dotted)
{
	char buf[256], *save = NULL, *part;
	const struct mpk_member *m = NULL;

	snprintf(buf, sizeof(buf), "%s", dotted);
	for (part = strtok_r(buf, ".", &save); part;
	     part = strtok_r(NULL, ".", &save)) {
		if (m)
			b = m->type.body;
		m = member(b, part);
	}
	return m;
}

/* Members of a body and all nested bodies that gdb gave a size. */
static size_t count_sized(const struct mpk_body *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->nmembers; i++) {
		n += !!(b->members[i].flags & MPK_MEMBER_HAS_SIZE);
		if (b->members[i].type.body)
			n += count_sized(b->members[i].type.body);
	}
	return n;
}

/*
 * The same layout, member by member and recursively: what a struct is
 * alone must be what it is nested.
 */
static void same_layout(const struct mpk_body *a, const struct mpk_body *b,
			const char *where)
{
	ck_assert_msg(a->nmembers == b->nmembers, "%s: %zu vs %zu members",
		      where, a->nmembers, b->nmembers);
	ck_assert_msg(a->size == b->size, "%s: size", where);
	for (size_t i = 0; i < a->nmembers; i++) {
		const struct mpk_member *x = &a->members[i], *y = &b->members[i];

		ck_assert_msg(!strcmp(x->name, y->name), "%s: %s vs %s", where,
			      x->name, y->name);
		ck_assert_msg(x->offset == y->offset &&
				      x->bit_offset == y->bit_offset &&
				      x->size == y->size &&
				      x->bitsize == y->bitsize,
			      "%s.%s: at %llu:%u size %llu vs %llu:%u size %llu",
			      where, x->name, (unsigned long long)x->offset,
			      x->bit_offset, (unsigned long long)x->size,
			      (unsigned long long)y->offset, y->bit_offset,
			      (unsigned long long)y->size);
		ck_assert_msg(!x->type.body == !y->type.body, "%s.%s: body",
			      where, x->name);
		if (x->type.body)
			same_layout(x->type.body, y->type.body, x->name);
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/*
 * Parse every type capture of a directory, print it back, and compare
 * with gdb's text; returns how many files were compared.
 */
static int print_back_dir(const char *sub)
{
	char dir[512], name[600];
	struct dirent *de;
	int files = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s%s", MPK_TEST_DATA, sub);
	d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((de = readdir(d))) {
		struct mpk_ptype *pt;
		char *text, *mine, *a, *b;
		size_t len;

		if (!ends_with(de->d_name, ".txt") ||
		    ends_with(de->d_name, ".cwhatis.txt") ||
		    strstr(de->d_name, "err_"))
			continue;
		snprintf(name, sizeof(name), "%s%s%s", sub + (*sub == '/'),
			 *sub ? "/" : "", de->d_name);
		text = load(name, &len);
		pt = parse_file(name);
		mine = render_ptype(pt);
		a = render_normalize(text, len);
		b = render_normalize(mine, strlen(mine));
		ck_assert_msg(!strcmp(a, b), "%s prints back differently", name);
		free(a);
		free(b);
		free(mine);
		free(text);
		mpk_ptype_destroy(pt);
		files++;
	}
	closedir(d);
	return files;
}

/* Every sized, non-bitfield member ends inside its sized body. */
static size_t check_inside(const struct mpk_body *b, const char *file)
{
	size_t n = 0;

	for (size_t i = 0; i < b->nmembers; i++) {
		const struct mpk_member *m = &b->members[i];

		if ((b->flags & MPK_BODY_HAS_SIZE) &&
		    (m->flags & MPK_MEMBER_HAS_OFFSET) &&
		    (m->flags & MPK_MEMBER_HAS_SIZE) &&
		    !(m->flags & MPK_MEMBER_BITFIELD)) {
			ck_assert_msg(m->offset + m->size <= b->size,
				      "%s:%u: %s at %llu size %llu ends past %llu",
				      file, m->line, m->name,
				      (unsigned long long)m->offset,
				      (unsigned long long)m->size,
				      (unsigned long long)b->size);
			n++;
		}
		if (m->type.body)
			n += check_inside(m->type.body, file);
	}
	return n;
}

#suite ptype_parse

#tcase captures

#test every_gdb10_capture_prints_back_as_gdb_printed_it
	/* 140 type captures: the directory must not silently lose them */
	ck_assert_int_ge(print_back_dir(""), 140);

#test every_gdb13_capture_prints_back_as_gdb_printed_it
	ck_assert_int_ge(print_back_dir("/gdb13"), 80);

#test task_struct_has_a_member_for_every_line_gdb_gave_an_offset_or_size
	struct mpk_ptype *pt = parse_file("task_struct.o.txt");
	size_t len, lines = 0;
	char *text = load("task_struct.o.txt", &len);

	/* independent count: comment lines other than header and holes */
	for (char *l = text; l && l < text + len; l = memchr(l, '\n', text + len - l), l = l ? l + 1 : l) {
		if (l + 3 < text + len && !strncmp(l, "/* ", 3) &&
		    strncmp(l, "/* XXX", 6) && strncmp(l, "/* offset", 9))
			lines++;
	}
	/* grep '^/\* ' | grep -v '^/\* XXX\|^/\* offset' | wc -l */
	ck_assert_uint_eq(lines, 669);
	ck_assert_uint_eq(count_sized(pt->type.body), lines);
	free(text);
	mpk_ptype_destroy(pt);

#test task_struct_top_level_members_match_plain_ptype_lines
	struct mpk_ptype *pt = parse_file("task_struct.o.txt");
	size_t len, top = 0;
	char *text = load("task_struct.txt", &len);

	/* plain ptype indents top-level members by exactly four spaces */
	for (char *l = text; l < text + len;) {
		char *nl = memchr(l, '\n', text + len - l);
		size_t n = nl ? (size_t)(nl - l) : (size_t)(text + len - l);

		if (n > 5 && !strncmp(l, "    ", 4) && l[4] != ' ' &&
		    l[n - 1] == ';')
			top++;
		l += n + 1;
	}
	/* grep -c '^    [^ ].*;$' task_struct.txt */
	ck_assert_uint_eq(top, 252);
	ck_assert_uint_eq(pt->type.body->nmembers, top);
	free(text);
	mpk_ptype_destroy(pt);

#test task_struct_total_size_is_crash_whatis_size
	struct mpk_ptype *pt = parse_file("task_struct.o.txt");

	ck_assert(pt->type.body->flags & MPK_BODY_HAS_SIZE);
	ck_assert_uint_eq(pt->type.body->size,
			  whatis_size("task_struct.cwhatis.txt"));
	ck_assert_uint_eq(pt->type.body->size, 9792);
	mpk_ptype_destroy(pt);

#test testmod_ASID_total_size_is_crash_whatis_size
	struct mpk_ptype *pt = parse_file("testmod.ASID.o.txt");

	ck_assert_uint_eq(pt->type.body->size,
			  whatis_size("testmod.ASID.cwhatis.txt"));
	mpk_ptype_destroy(pt);

#test sched_entity_nested_in_task_struct_has_its_standalone_layout
	struct mpk_ptype *task = parse_file("task_struct.o.txt");
	struct mpk_ptype *se = parse_file("sched_entity.o.txt");
	const struct mpk_member *m = path(task->type.body, "se");

	ck_assert_uint_eq(m->offset, 128);
	ck_assert_uint_eq(m->abs_offset, 128);
	same_layout(m->type.body, se->type.body, "se");
	ck_assert_uint_eq(path(task->type.body, "se.run_node")->offset, 16);
	ck_assert_uint_eq(path(task->type.body, "se.run_node")->abs_offset,
			  144);
	mpk_ptype_destroy(task);
	mpk_ptype_destroy(se);

#test sock_common_nested_three_deep_in_tcp_sock_has_its_standalone_layout
	struct mpk_ptype *tcp = parse_file("tcp_sock.o.txt");
	struct mpk_ptype *sk = parse_file("sock.o.txt");
	struct mpk_ptype *skc = parse_file("sock_common.o.txt");
	struct mpk_ptype *inet = parse_file("inet_sock.o.txt");
	const struct mpk_member *m;

	m = path(tcp->type.body, "inet_conn.icsk_inet.sk.__sk_common");
	same_layout(m->type.body, skc->type.body, "__sk_common");
	m = path(tcp->type.body, "inet_conn.icsk_inet.sk");
	same_layout(m->type.body, sk->type.body, "sk");
	m = path(tcp->type.body, "inet_conn.icsk_inet");
	same_layout(m->type.body, inet->type.body, "icsk_inet");
	mpk_ptype_destroy(tcp);
	mpk_ptype_destroy(sk);
	mpk_ptype_destroy(skc);
	mpk_ptype_destroy(inet);

#test testmod_nested_named_structs_have_their_standalone_layout
	struct mpk_ptype *outer = parse_file("testmod.outer.o.txt");
	struct mpk_ptype *mid = parse_file("testmod.mid.o.txt");
	struct mpk_ptype *inner = parse_file("testmod.inner.o.txt");
	struct mpk_ptype *asid = parse_file("testmod.ASID.o.txt");
	struct mpk_ptype *s1 = parse_file("testmod.S1.o.txt");

	same_layout(path(outer->type.body, "mid")->type.body, mid->type.body,
		    "mid");
	same_layout(path(outer->type.body, "mid.inner")->type.body,
		    inner->type.body, "inner");
	same_layout(path(asid->type.body, "f1")->type.body, s1->type.body,
		    "f1");
	mpk_ptype_destroy(outer);
	mpk_ptype_destroy(mid);
	mpk_ptype_destroy(inner);
	mpk_ptype_destroy(asid);
	mpk_ptype_destroy(s1);

#test every_member_of_every_layout_capture_ends_inside_its_body
	static const char *const files[] = {
		"task_struct.o.txt", "sk_buff.o.txt", "sock.o.txt",
		"tcp_sock.o.txt", "page.o.txt", "net_device.o.txt",
		"bpf_attr.o.txt", "mm_struct.o.txt", "inode.o.txt",
		"testmod.ASID.o.txt", "testmod.bits.o.txt",
	};
	size_t checked = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		struct mpk_ptype *pt = parse_file(files[i]);

		checked += check_inside(pt->type.body, files[i]);
		mpk_ptype_destroy(pt);
	}
	ck_assert_uint_gt(checked, 2000);

#test task_struct_comm_is_a_char_array_of_16_at_2976
	struct mpk_ptype *pt = parse_file("task_struct.o.txt");
	const struct mpk_member *m = member(pt->type.body, "comm");

	ck_assert_int_eq(m->type.kind, MPK_CTYPE_NAME);
	ck_assert_str_eq(m->type.name, "char");
	ck_assert_uint_eq(m->type.ndims, 1);
	ck_assert_uint_eq(m->type.dims[0], 16);
	ck_assert_uint_eq(m->type.stars, 0);
	ck_assert_uint_eq(m->offset, 2976);
	ck_assert_uint_eq(m->size, 16);
	ck_assert(m->flags & MPK_MEMBER_HAS_OFFSET);
	mpk_ptype_destroy(pt);

#test union_members_of_sk_buff_sit_at_0_with_relative_nested_offsets
	struct mpk_ptype *pt = parse_file("sk_buff.o.txt");
	const struct mpk_member *u = &pt->type.body->members[0];
	const struct mpk_member *rb;

	ck_assert_str_eq(u->name, "");
	ck_assert_int_eq(u->type.kind, MPK_CTYPE_UNION);
	ck_assert(u->type.body->flags & MPK_BODY_UNION);
	ck_assert_uint_eq(u->type.body->size, 24);
	rb = member(u->type.body, "rbnode");
	ck_assert_uint_eq(rb->offset, 0);
	ck_assert(rb->flags & MPK_MEMBER_HAS_OFFSET);
	ck_assert_uint_eq(rb->size, 24);
	ck_assert_uint_eq(member(rb->type.body, "rb_left")->offset, 16);
	/* the anonymous struct of next/prev/dev: dev's union at 16 */
	ck_assert_uint_eq(u->type.body->members[0].type.body->members[2].offset,
			  16);
	mpk_ptype_destroy(pt);

#test sk_buff_bitfields_after_a_zero_length_marker_keep_bit_positions
	struct mpk_ptype *pt = parse_file("sk_buff.o.txt");
	const struct mpk_member *mark = member(pt->type.body, "__cloned_offset");
	const struct mpk_member *m = member(pt->type.body, "cloned");

	ck_assert_uint_eq(mark->type.ndims, 1);
	ck_assert_uint_eq(mark->type.dims[0], 0);
	ck_assert(!(mark->type.flags & MPK_CTYPE_FLEXIBLE));
	ck_assert_uint_eq(mark->size, 0);
	ck_assert_uint_eq(m->offset, 126);
	ck_assert_uint_eq(m->bit_offset, 0);
	ck_assert_uint_eq(m->bitsize, 1);
	ck_assert(m->flags & MPK_MEMBER_BITFIELD);
	m = member(pt->type.body, "nohdr");
	ck_assert_uint_eq(m->offset, 126);
	ck_assert_uint_eq(m->bit_offset, 1);
	mpk_ptype_destroy(pt);

#test mm_struct_cpu_bitmap_is_a_flexible_array_at_the_end
	struct mpk_ptype *pt = parse_file("mm_struct.o.txt");
	const struct mpk_body *b = pt->type.body;
	const struct mpk_member *m = &b->members[b->nmembers - 1];

	ck_assert_str_eq(m->name, "cpu_bitmap");
	ck_assert_str_eq(m->type.name, "unsigned long");
	ck_assert_uint_eq(m->type.ndims, 1);
	ck_assert_uint_eq(m->type.dims[0], 0);
	ck_assert(m->type.flags & MPK_CTYPE_FLEXIBLE);
	ck_assert_uint_eq(m->offset, 1088);
	ck_assert_uint_eq(m->size, 0);
	mpk_ptype_destroy(pt);

#test bpf_prog_empty_struct_says_no_data_fields_with_size_0
	struct mpk_ptype *pt = parse_file("bpf_prog.o.txt");
	const struct mpk_member *u = &pt->type.body->members[
		pt->type.body->nmembers - 1];
	const struct mpk_body *s = u->type.body->members[0].type.body;
	const struct mpk_member *empty = member(s, "__empty_insns");

	ck_assert_uint_eq(u->offset, 72);
	ck_assert(empty->type.body->flags & MPK_BODY_NO_FIELDS);
	ck_assert_uint_eq(empty->type.body->nmembers, 0);
	ck_assert_uint_eq(empty->type.body->size, 0);
	ck_assert(member(s, "insns")->type.flags & MPK_CTYPE_FLEXIBLE);
	/* inside the union's anonymous struct at 72: relative 0 */
	ck_assert_uint_eq(member(s, "insns")->offset, 0);
	ck_assert_uint_eq(member(s, "insns")->abs_offset, 72);
	mpk_ptype_destroy(pt);

#test bpf_attr_is_a_union_of_anonymous_structs_starting_at_0
	struct mpk_ptype *pt = parse_file("bpf_attr.o.txt");
	const struct mpk_body *b = pt->type.body;

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_UNION);
	ck_assert_str_eq(pt->type.name, "bpf_attr");
	ck_assert(pt->flags & MPK_PTYPE_OFFSETS);
	ck_assert_uint_eq(b->size, 144);
	ck_assert_str_eq(b->members[0].name, "");
	ck_assert_uint_eq(b->members[0].size, 72);
	ck_assert_uint_eq(member(b->members[0].type.body, "map_name")->offset, 28);
	ck_assert_uint_eq(member(b, "batch")->offset, 0);
	ck_assert_uint_eq(member(member(b, "batch")->type.body, "flags")->offset, 48);
	mpk_ptype_destroy(pt);

#test file_operations_read_is_a_pointer_to_a_four_argument_function
	struct mpk_ptype *pt = parse_file("file_operations.o.txt");
	const struct mpk_member *m = member(pt->type.body, "read");
	const struct mpk_ctype *f = &m->type;

	ck_assert_uint_eq(m->offset, 16);
	ck_assert_uint_eq(m->size, 8);
	ck_assert_int_eq(f->kind, MPK_CTYPE_FUNCTION);
	ck_assert_uint_eq(f->stars, 1);
	ck_assert_uint_eq(f->ndims, 0);
	ck_assert_str_eq(f->target->name, "ssize_t");
	ck_assert_uint_eq(f->nparams, 4);
	ck_assert_int_eq(f->params[0].kind, MPK_CTYPE_STRUCT);
	ck_assert_str_eq(f->params[0].name, "file");
	ck_assert_uint_eq(f->params[0].stars, 1);
	ck_assert_str_eq(f->params[1].name, "char");
	ck_assert_uint_eq(f->params[1].stars, 1);
	ck_assert_str_eq(f->params[2].name, "size_t");
	ck_assert_uint_eq(f->params[2].stars, 0);
	ck_assert_str_eq(f->params[3].name, "loff_t");
	mpk_ptype_destroy(pt);

#test net_device_reg_state_is_an_anonymous_enum_bitfield
	struct mpk_ptype *pt = parse_file("net_device.o.txt");
	const struct mpk_member *m = member(pt->type.body, "reg_state");

	ck_assert_int_eq(m->type.kind, MPK_CTYPE_ENUM);
	ck_assert_ptr_null(m->type.name);
	ck_assert(m->type.flags & MPK_CTYPE_ENUM_BODY);
	ck_assert_uint_eq(m->type.nenumerators, 6);
	ck_assert_str_eq(m->type.enumerators[5].name, "NETREG_DUMMY");
	ck_assert_int_eq(m->type.enumerators[5].value, 5);
	ck_assert_uint_eq(m->bitsize, 8);
	ck_assert_uint_eq(m->offset, 1248);
	ck_assert_uint_eq(m->size, 4);
	mpk_ptype_destroy(pt);

#test ptype_enum_pid_type_counts_from_0
	struct mpk_ptype *pt = parse_file("enum_pid_type.txt");

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_ENUM);
	ck_assert_str_eq(pt->type.name, "pid_type");
	ck_assert_uint_eq(pt->type.nenumerators, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(pt->type.enumerators[i].value, i);
	ck_assert_str_eq(pt->type.enumerators[4].name, "PIDTYPE_MAX");
	mpk_ptype_destroy(pt);

#test ptype_enum_ctx_state_starts_at_minus_one
	static const int64_t values[] = { -1, 0, 1, 2, 3, 4 };
	struct mpk_ptype *pt = parse_file("enum_ctx_state.txt");

	ck_enum_values(&pt->type, values, 6);
	mpk_ptype_destroy(pt);

#test ptype_enum_perf_event_sample_format_fills_the_gap_after_1
	struct mpk_ptype *pt = parse_file("enum_perf_event_sample_format.txt");
	const struct mpk_ctype *t = &pt->type;

	ck_assert_str_eq(t->enumerators[1].name, "PERF_SAMPLE_TID");
	ck_assert_int_eq(t->enumerators[1].value, 2);
	ck_assert_str_eq(t->enumerators[t->nenumerators - 1].name,
			 "PERF_SAMPLE_MAX");
	ck_assert_int_eq(t->enumerators[t->nenumerators - 1].value, 33554432);
	mpk_ptype_destroy(pt);

#test testmod_sparse_enum_has_negative_zero_and_large_values
	static const int64_t values[] = { -5, 0, 100, 65536 };
	struct mpk_ptype *pt = parse_file("testmod.enum_sparse.txt");

	ck_enum_values(&pt->type, values, 4);
	mpk_ptype_destroy(pt);

#test ptype_schedule_is_a_prototyped_function_of_no_arguments
	struct mpk_ptype *pt = parse_file("schedule.txt");

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_FUNCTION);
	ck_assert_uint_eq(pt->type.stars, 0);
	ck_assert_uint_eq(pt->type.nparams, 0);
	ck_assert(!(pt->type.flags & MPK_CTYPE_UNPROTOTYPED));
	ck_assert_str_eq(pt->type.target->name, "void");
	mpk_ptype_destroy(pt);

#test gdb_whatis_do_exit_takes_one_long
	struct mpk_ptype *pt = parse_file("do_exit.whatis.txt");

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_FUNCTION);
	ck_assert_uint_eq(pt->type.nparams, 1);
	ck_assert_str_eq(pt->type.params[0].name, "long");
	mpk_ptype_destroy(pt);

#test gdb_whatis_printk_is_variadic
	struct mpk_ptype *pt = parse_file("printk.whatis.txt");

	ck_assert(pt->type.flags & MPK_CTYPE_VARARGS);
	ck_assert_uint_eq(pt->type.nparams, 1);
	ck_assert(pt->type.params[0].quals & MPK_QUAL_CONST);
	ck_assert_str_eq(pt->type.params[0].name, "char");
	mpk_ptype_destroy(pt);

#test gdb10_sys_call_table_is_an_array_of_451_function_pointers
	struct mpk_ptype *pt = parse_file("sys_call_table.txt");
	const struct mpk_ctype *t = &pt->type;

	ck_assert_uint_eq(t->ndims, 1);
	ck_assert_uint_eq(t->dims[0], 451);
	ck_assert_uint_eq(t->stars, 1);
	ck_assert_int_eq(t->kind, MPK_CTYPE_FUNCTION);
	ck_assert_str_eq(t->target->name, "long");
	ck_assert_uint_eq(t->nparams, 1);
	ck_assert_int_eq(t->params[0].kind, MPK_CTYPE_STRUCT);
	ck_assert_str_eq(t->params[0].name, "pt_regs");
	ck_assert(t->params[0].quals & MPK_QUAL_CONST);
	mpk_ptype_destroy(pt);

#test whatis_pid_t_strips_one_typedef_and_ptype_all
	struct mpk_ptype *w = parse_file("pid_t.whatis.txt");
	struct mpk_ptype *p = parse_file("pid_t.txt");

	ck_assert_int_eq(w->type.kind, MPK_CTYPE_NAME);
	ck_assert_str_eq(w->type.name, "__kernel_pid_t");
	ck_assert_str_eq(p->type.name, "int");
	mpk_ptype_destroy(w);
	mpk_ptype_destroy(p);

#test ptype_spinlock_t_is_struct_spinlock_with_an_anonymous_union
	struct mpk_ptype *pt = parse_file("spinlock_t.txt");
	const struct mpk_member *u;

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_STRUCT);
	ck_assert_str_eq(pt->type.name, "spinlock");
	ck_assert(!(pt->flags & MPK_PTYPE_OFFSETS));
	ck_assert_uint_eq(pt->type.body->nmembers, 1);
	u = &pt->type.body->members[0];
	ck_assert_str_eq(u->name, "");
	ck_assert_int_eq(u->type.kind, MPK_CTYPE_UNION);
	ck_assert_str_eq(member(u->type.body, "rlock")->type.name,
			 "raw_spinlock");
	/* no /o: no size, and no offset but a union member's 0 */
	ck_assert(!(u->flags & MPK_MEMBER_HAS_OFFSET));
	ck_assert(!(u->flags & MPK_MEMBER_HAS_SIZE));
	ck_assert(member(u->type.body, "rlock")->flags & MPK_MEMBER_HAS_OFFSET);
	mpk_ptype_destroy(pt);

#test gdb_whatis_atomic_t_is_an_elided_anonymous_struct
	struct mpk_ptype *pt = parse_file("atomic_t.whatis.txt");

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_STRUCT);
	ck_assert_ptr_null(pt->type.name);
	ck_assert_ptr_null(pt->type.body);
	ck_assert(pt->type.flags & MPK_CTYPE_ELIDED);
	mpk_ptype_destroy(pt);

#test ptype_jiffies_is_volatile_unsigned_long
	struct mpk_ptype *pt = parse_file("jiffies.txt");

	ck_assert_str_eq(pt->type.name, "unsigned long");
	ck_assert_uint_eq(pt->type.quals, MPK_QUAL_VOLATILE);
	mpk_ptype_destroy(pt);

#test ptype_of_a_struct_pointer_has_the_body_and_a_star
	struct mpk_ptype *pt = parse_file("struct_list_head_ptr.txt");

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_STRUCT);
	ck_assert_uint_eq(pt->type.stars, 1);
	ck_assert_uint_eq(pt->type.body->nmembers, 2);
	mpk_ptype_destroy(pt);

#test ptype_o_of_a_struct_pointer_has_offsets_from_the_pointed_struct
	struct mpk_ptype *pt = parse_file("testmod.asid_ptr.o.txt");
	const struct mpk_body *b = pt->type.body;

	/* gdb prints no header here, but the offsets */
	ck_assert(pt->flags & MPK_PTYPE_OFFSETS);
	ck_assert_uint_eq(pt->type.stars, 1);
	ck_assert_uint_eq(member(b, "li")->offset, 0);
	ck_assert_uint_eq(path(b, "f1")->offset, 16);
	ck_assert_uint_eq(path(b, "f1.ff")->offset, 16);
	ck_assert_uint_eq(path(b, "f1.ff.bb")->offset, 8);
	ck_assert_uint_eq(path(b, "f1.ff.bb")->abs_offset, 40);
	mpk_ptype_destroy(pt);

#test testmod_ASID_declarators_have_the_right_shapes
	struct mpk_ptype *pt = parse_file("testmod.ASID.o.txt");
	const struct mpk_body *b = pt->type.body;
	const struct mpk_member *m;

	m = member(b, "iarr2");
	ck_assert_uint_eq(m->type.ndims, 2);
	ck_assert_uint_eq(m->type.dims[0], 5);
	ck_assert_uint_eq(m->type.dims[1], 3);
	ck_assert_uint_eq(m->size, 60);
	m = member(b, "ippptr");
	ck_assert_uint_eq(m->type.stars, 3);
	m = member(b, "ptrarr");
	ck_assert_uint_eq(m->type.ndims, 1);
	ck_assert_uint_eq(m->type.dims[0], 3);
	ck_assert_uint_eq(m->type.stars, 1);
	ck_assert_str_eq(m->type.name, "AA");
	m = member(b, "funcptr");
	ck_assert_int_eq(m->type.kind, MPK_CTYPE_FUNCTION);
	ck_assert_uint_eq(m->type.stars, 1);
	ck_assert_str_eq(m->type.target->name, "int");
	ck_assert_str_eq(m->type.params[0].name, "int");
	m = member(b, "cpp");
	ck_assert_uint_eq(m->type.stars, 2);
	ck_assert(m->type.quals & MPK_QUAL_CONST);
	m = member(b, "ze");
	ck_assert(m->type.flags & MPK_CTYPE_FLEXIBLE);
	m = path(b, "f1.zf");
	ck_assert_uint_eq(m->type.dims[0], 0);
	ck_assert(!(m->type.flags & MPK_CTYPE_FLEXIBLE));
	m = path(b, "f2.l2.l3.ull");
	ck_assert_uint_eq(m->type.dims[0], 10);
	mpk_ptype_destroy(pt);

#test testmod_anonymous_members_nest_with_relative_offsets
	struct mpk_ptype *pt = parse_file("testmod.ASID_ANON.o.txt");
	const struct mpk_body *s = pt->type.body->members[0].type.body;
	const struct mpk_member *u = &s->members[1];
	const struct mpk_body *cd = u->type.body->members[1].type.body;

	ck_assert_str_eq(pt->type.body->members[0].name, "");
	ck_assert_uint_eq(member(s, "a")->offset, 0);
	ck_assert_uint_eq(u->offset, 4);
	ck_assert_uint_eq(member(u->type.body, "b")->offset, 0);
	ck_assert_uint_eq(u->type.body->members[1].offset, 0);
	ck_assert_uint_eq(member(cd, "c")->offset, 0);
	ck_assert_uint_eq(member(cd, "d")->offset, 4);
	ck_assert_uint_eq(member(cd, "d")->abs_offset, 8);
	ck_assert_uint_eq(s->members[2].offset, 12);
	ck_assert_uint_eq(member(s->members[2].type.body, "e")->offset, 0);
	mpk_ptype_destroy(pt);

#test ptype_o_of_an_anonymous_struct_expression_starts_at_0
	struct mpk_ptype *pt = parse_file("testmod.asid_f2.o.txt");

	ck_assert_ptr_null(pt->type.name);
	ck_assert_uint_eq(pt->type.body->size, 168);
	ck_assert_uint_eq(path(pt->type.body, "l2")->offset, 80);
	ck_assert_uint_eq(path(pt->type.body, "l2.l3.ull")->offset, 8);
	mpk_ptype_destroy(pt);

#tcase bitfields

#test signed_bitfield_across_bytes_keeps_sign
	struct mpk_ptype *pt = parse_file("testmod.bits.o.txt");

	/* `signed int d:7` after 20 bits: bits 20-26, bytes 2 and 3 */
	ck_bitfield(member(pt->type.body, "d"), "int", 2, 4, 7, 4);
	mpk_ptype_destroy(pt);

#test unsigned_bitfield_straddling_bytes_1_and_2_starts_at_byte_1
	struct mpk_ptype *pt = parse_file("testmod.bits.o.txt");
	const struct mpk_member *c = member(pt->type.body, "c");

	ck_assert_str_eq(c->type.name, "unsigned int");
	ck_assert_uint_eq(c->offset * 8 + c->bit_offset, 8);
	ck_assert_uint_eq(c->bitsize, 12);
	mpk_ptype_destroy(pt);

#test long_long_bitfield_across_32_bit_halves_keeps_its_8_byte_size
	struct mpk_ptype *pt = parse_file("testmod.bits.o.txt");

	ck_bitfield(member(pt->type.body, "h"), "long long", 13, 0, 20, 8);
	ck_assert_uint_eq(member(pt->type.body, "j")->offset, 16);
	mpk_ptype_destroy(pt);

#test bool_bitfields_have_one_bit_each
	struct mpk_ptype *pt = parse_file("testmod.bits.o.txt");

	ck_assert_str_eq(member(pt->type.body, "e")->type.name, "bool");
	ck_assert_uint_eq(member(pt->type.body, "e")->bit_offset, 3);
	ck_assert_uint_eq(member(pt->type.body, "f")->bit_offset, 4);
	ck_assert_uint_eq(member(pt->type.body, "f")->bitsize, 1);
	mpk_ptype_destroy(pt);

#test bitfield_in_a_nested_struct_is_relative_to_that_struct
	struct mpk_ptype *pt = parse_text(
		"/* offset    |  size */  type = struct o {\n"
		"/*    0      |     8 */    long x;\n"
		"/*    8      |     4 */    struct {\n"
		"/*    9: 3   |     4 */        unsigned int a : 5;\n"
		"                           } in;\n"
		"}\n");
	const struct mpk_member *a = path(pt->type.body, "in.a");

	ck_assert_uint_eq(a->offset, 1);
	ck_assert_uint_eq(a->bit_offset, 3);
	ck_assert_uint_eq(a->abs_offset, 9);
	mpk_ptype_destroy(pt);

#test bitfield_in_a_union_sits_at_bit_0
	struct mpk_ptype *pt = parse_text(
		"/* offset    |  size */  type = union u {\n"
		"/*                 4 */    unsigned int a : 3;\n"
		"/*                 1 */    _Bool b : 1;\n"
		"}\n");

	ck_assert_uint_eq(pt->type.body->members[0].offset, 0);
	ck_assert_uint_eq(pt->type.body->members[0].bit_offset, 0);
	ck_assert_uint_eq(pt->type.body->members[0].bitsize, 3);
	ck_assert_str_eq(pt->type.body->members[1].type.name, "_Bool");
	ck_assert_uint_eq(pt->type.body->members[1].size, 1);
	mpk_ptype_destroy(pt);

#test unnamed_bitfield_is_a_member_with_an_empty_name
	struct mpk_ptype *pt = parse_text(
		"type = struct s {\n    unsigned char c : 1;\n    int : 3;\n}\n");

	ck_assert_uint_eq(pt->type.body->nmembers, 2);
	ck_assert_str_eq(pt->type.body->members[1].name, "");
	ck_assert_str_eq(pt->type.body->members[1].type.name, "int");
	ck_assert_uint_eq(pt->type.body->members[1].bitsize, 3);
	ck_assert_str_eq(pt->type.body->members[0].type.name, "unsigned char");
	mpk_ptype_destroy(pt);

#tcase declarators

#test char_comm_16_is_an_array_named_comm
	struct mpk_ptype *pt = decl("char comm[16]");

	ck_assert_str_eq(pt->name, "comm");
	ck_assert_str_eq(pt->type.name, "char");
	ck_assert_uint_eq(pt->type.ndims, 1);
	ck_assert_uint_eq(pt->type.dims[0], 16);
	mpk_ptype_destroy(pt);

#test struct_list_head_pointer_named_next
	struct mpk_ptype *pt = decl("struct list_head *next");

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_STRUCT);
	ck_assert_str_eq(pt->type.name, "list_head");
	ck_assert_uint_eq(pt->type.stars, 1);
	ck_assert_str_eq(pt->name, "next");
	mpk_ptype_destroy(pt);

#test pointer_to_array_groups_the_array_under_kind_array
	struct mpk_ptype *pt = decl("int (*arr)[4]");

	ck_assert_str_eq(pt->name, "arr");
	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_ARRAY);
	ck_assert_uint_eq(pt->type.stars, 1);
	ck_assert_uint_eq(pt->type.ndims, 0);
	ck_assert_uint_eq(pt->type.target->ndims, 1);
	ck_assert_uint_eq(pt->type.target->dims[0], 4);
	ck_assert_str_eq(pt->type.target->name, "int");
	mpk_ptype_destroy(pt);

#test array_of_pointers_to_arrays_keeps_both_dimensions
	struct mpk_ptype *pt = decl("int (*a[2])[3]");

	ck_assert_uint_eq(pt->type.ndims, 1);
	ck_assert_uint_eq(pt->type.dims[0], 2);
	ck_assert_uint_eq(pt->type.stars, 1);
	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_ARRAY);
	ck_assert_uint_eq(pt->type.target->dims[0], 3);
	mpk_ptype_destroy(pt);

#test function_pointer_returning_char_pointer
	struct mpk_ptype *pt = decl("char *(*get_name)(struct device *, int)");

	ck_assert_str_eq(pt->name, "get_name");
	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_FUNCTION);
	ck_assert_uint_eq(pt->type.stars, 1);
	ck_assert_str_eq(pt->type.target->name, "char");
	ck_assert_uint_eq(pt->type.target->stars, 1);
	ck_assert_uint_eq(pt->type.nparams, 2);
	ck_assert_str_eq(pt->type.params[0].name, "device");
	ck_assert_uint_eq(pt->type.params[0].stars, 1);
	ck_assert_str_eq(pt->type.params[1].name, "int");
	mpk_ptype_destroy(pt);

#test array_of_three_function_pointers
	struct mpk_ptype *pt = decl("long (*fns[3])(int)");

	ck_assert_str_eq(pt->name, "fns");
	ck_assert_uint_eq(pt->type.ndims, 1);
	ck_assert_uint_eq(pt->type.dims[0], 3);
	ck_assert_uint_eq(pt->type.stars, 1);
	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_FUNCTION);
	ck_assert_str_eq(pt->type.target->name, "long");
	mpk_ptype_destroy(pt);

#test abstract_function_pointer_returning_a_struct_pointer
	struct mpk_ptype *pt = decl("struct list_head *(*)(void)");

	ck_assert_ptr_null(pt->name);
	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_FUNCTION);
	ck_assert_uint_eq(pt->type.stars, 1);
	ck_assert_uint_eq(pt->type.nparams, 0);
	ck_assert(!(pt->type.flags & MPK_CTYPE_UNPROTOTYPED));
	ck_assert_int_eq(pt->type.target->kind, MPK_CTYPE_STRUCT);
	ck_assert_uint_eq(pt->type.target->stars, 1);
	mpk_ptype_destroy(pt);

#test pointer_to_function_returning_pointer_to_function
	struct mpk_ptype *pt = decl("void (*(*f)(int))(long)");
	const struct mpk_ctype *r;

	ck_assert_str_eq(pt->name, "f");
	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_FUNCTION);
	ck_assert_uint_eq(pt->type.stars, 1);
	ck_assert_str_eq(pt->type.params[0].name, "int");
	r = pt->type.target;
	ck_assert_int_eq(r->kind, MPK_CTYPE_FUNCTION);
	ck_assert_uint_eq(r->stars, 1);
	ck_assert_str_eq(r->params[0].name, "long");
	ck_assert_str_eq(r->target->name, "void");
	mpk_ptype_destroy(pt);

#test const_qualifier_is_kept_as_a_flag
	struct mpk_ptype *pt = decl("const struct file_operations *f_op");

	ck_assert_uint_eq(pt->type.quals, MPK_QUAL_CONST);
	ck_assert_str_eq(pt->type.name, "file_operations");
	mpk_ptype_destroy(pt);

#test two_dimensional_array_lists_outermost_first
	struct mpk_ptype *pt = decl("int a[2][3]");

	ck_assert_uint_eq(pt->type.ndims, 2);
	ck_assert_uint_eq(pt->type.dims[0], 2);
	ck_assert_uint_eq(pt->type.dims[1], 3);
	mpk_ptype_destroy(pt);

#test keyword_words_join_and_the_last_other_word_is_the_name
	struct mpk_ptype *pt = decl("long unsigned int flags");

	ck_assert_str_eq(pt->type.name, "long unsigned int");
	ck_assert_str_eq(pt->name, "flags");
	mpk_ptype_destroy(pt);
	pt = decl("unsigned long");
	ck_assert_str_eq(pt->type.name, "unsigned long");
	ck_assert_ptr_null(pt->name);
	mpk_ptype_destroy(pt);
	pt = decl("pid_t pid");
	ck_assert_str_eq(pt->type.name, "pid_t");
	ck_assert_str_eq(pt->name, "pid");
	mpk_ptype_destroy(pt);

#test empty_parentheses_are_an_unprototyped_function
	struct mpk_ptype *pt = decl("int ()");

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_FUNCTION);
	ck_assert(pt->type.flags & MPK_CTYPE_UNPROTOTYPED);
	mpk_ptype_destroy(pt);

#test void_pointer_parameter_is_not_an_empty_list
	struct mpk_ptype *pt = decl("int (void *, ...)");

	ck_assert_uint_eq(pt->type.nparams, 1);
	ck_assert_str_eq(pt->type.params[0].name, "void");
	ck_assert_uint_eq(pt->type.params[0].stars, 1);
	ck_assert(pt->type.flags & MPK_CTYPE_VARARGS);
	mpk_ptype_destroy(pt);

#test unknown_return_type_is_kind_unknown
	struct mpk_ptype *pt = decl("<unknown return type> (void)");

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_FUNCTION);
	ck_assert_int_eq(pt->type.target->kind, MPK_CTYPE_UNKNOWN);
	ck_assert_str_eq(pt->type.target->name, "<unknown return type>");
	mpk_ptype_destroy(pt);

#test vector_attribute_is_an_array_of_its_length
	struct mpk_ptype *pt = decl("int __attribute__ ((vector_size(4)))");

	ck_assert_uint_eq(pt->type.ndims, 1);
	ck_assert_uint_eq(pt->type.dims[0], 4);
	mpk_ptype_destroy(pt);

#test variable_length_array_has_dimension_0
	struct mpk_ptype *pt = decl("char [variable length]");

	ck_assert_uint_eq(pt->type.ndims, 1);
	ck_assert_uint_eq(pt->type.dims[0], 0);
	mpk_ptype_destroy(pt);

#test ptype_parse_reads_only_len_bytes
	char *buf = malloc(10);
	struct mpk_ptype *pt;

	/* not NUL-terminated: ASan would see a read past the end */
	memcpy(buf, "type = int", 10);
	ck_assert_ptr_null(mpk_ptype_parse(buf, 10, &pt));
	ck_assert_str_eq(pt->type.name, "int");
	mpk_ptype_destroy(pt);
	ck_assert_ptr_null(mpk_ptype_parse("type = int;xyz", 10, &pt));
	mpk_ptype_destroy(pt);
	free(buf);

#tcase enums

#test implicit_values_count_up_from_the_previous_explicit_one
	struct mpk_ptype *pt = parse_text("type = enum e {A, B = 2, C, D = -1, E}");
	const struct mpk_enumerator *e = pt->type.enumerators;

	ck_assert_uint_eq(pt->type.nenumerators, 5);
	ck_assert_int_eq(e[0].value, 0);
	ck_assert_int_eq(e[1].value, 2);
	ck_assert_int_eq(e[2].value, 3);
	ck_assert_int_eq(e[3].value, -1);
	ck_assert_int_eq(e[4].value, 0);
	mpk_ptype_destroy(pt);

#test int64_extremes_are_exact
	struct mpk_ptype *pt = parse_text(
		"type = enum e {A = -9223372036854775808, B = 9223372036854775807}");

	ck_assert_int_eq(pt->type.enumerators[0].value, INT64_MIN);
	ck_assert_int_eq(pt->type.enumerators[1].value, INT64_MAX);
	mpk_ptype_destroy(pt);

#test unsigned_64_bit_value_wraps_like_gdb_plongest
	struct mpk_ptype *pt = parse_text(
		"type = enum e {A = 18446744073709551615, B}");

	ck_assert_int_eq(pt->type.enumerators[0].value, -1);
	ck_assert_int_eq(pt->type.enumerators[1].value, 0);
	mpk_ptype_destroy(pt);

#test value_beyond_64_bits_is_a_parse_error
	ck_err(parse_err("type = enum e {A = 18446744073709551616}"),
	       MPK_ERROR_PARSE,
	       "line 1: expected an enumerator value, got '18446744073709551616'");
	ck_err(parse_err("type = enum e {A = -9223372036854775809}"),
	       MPK_ERROR_PARSE,
	       "line 1: expected an enumerator value, got '9223372036854775809'");

#test empty_enum_has_a_body_of_no_enumerators
	struct mpk_ptype *pt = parse_text("type = enum e {}");

	ck_assert(pt->type.flags & MPK_CTYPE_ENUM_BODY);
	ck_assert_uint_eq(pt->type.nenumerators, 0);
	mpk_ptype_destroy(pt);

#test named_enum_member_has_no_body
	struct mpk_ptype *pt = parse_text(
		"type = struct s {\n    enum pid_type type;\n}");
	const struct mpk_member *m = member(pt->type.body, "type");

	ck_assert_int_eq(m->type.kind, MPK_CTYPE_ENUM);
	ck_assert_str_eq(m->type.name, "pid_type");
	ck_assert(!(m->type.flags & MPK_CTYPE_ENUM_BODY));
	mpk_ptype_destroy(pt);

#tcase bodies

#test incomplete_type_is_flagged
	struct mpk_ptype *pt = parse_text(
		"type = struct opaque {\n    <incomplete type>\n}\n");

	ck_assert(pt->type.body->flags & MPK_BODY_INCOMPLETE);
	ck_assert_uint_eq(pt->type.body->nmembers, 0);
	mpk_ptype_destroy(pt);

#test elided_anonymous_struct_member_keeps_its_name
	struct mpk_ptype *pt = parse_text(
		"type = struct s {\n    struct {...} ff;\n    union {...};\n}\n");

	ck_assert_str_eq(pt->type.body->members[0].name, "ff");
	ck_assert(pt->type.body->members[0].type.flags & MPK_CTYPE_ELIDED);
	ck_assert_ptr_null(pt->type.body->members[0].type.body);
	ck_assert_str_eq(pt->type.body->members[1].name, "");
	ck_assert_int_eq(pt->type.body->members[1].type.kind, MPK_CTYPE_UNION);
	mpk_ptype_destroy(pt);

#test hex_offsets_of_ptype_ox_are_read
	struct mpk_ptype *pt = parse_text(
		"/* offset      |    size */  type = struct s {\n"
		"/* 0x0000      |  0x0004 */    int a;\n"
		"/* 0x0008      |  0x0008 */    long b;\n"
		"\n   /* total size (bytes):   16 */\n}\n");

	ck_assert_uint_eq(member(pt->type.body, "b")->offset, 8);
	ck_assert_uint_eq(member(pt->type.body, "b")->size, 8);
	ck_assert_uint_eq(pt->type.body->size, 16);
	mpk_ptype_destroy(pt);

#test members_of_a_body_behind_an_array_count_from_its_first_member
	/* gdb prints such offsets from wherever its loop was: 40 here */
	struct mpk_ptype *pt = parse_text(
		"/* offset    |  size */  type = struct s {\n"
		"/*    0      |    32 */    struct {\n"
		"/*   40      |     8 */        long a;\n"
		"/*   48      |     8 */        long b;\n"
		"                           } arr[2];\n"
		"}\n");
	const struct mpk_member *arr = member(pt->type.body, "arr");

	ck_assert_uint_eq(arr->type.dims[0], 2);
	ck_assert_uint_eq(member(arr->type.body, "a")->offset, 0);
	ck_assert_uint_eq(member(arr->type.body, "b")->offset, 8);
	mpk_ptype_destroy(pt);

#test member_before_its_container_is_a_parse_error
	ck_err(parse_err("/* offset    |  size */  type = struct s {\n"
			 "/*    8      |     8 */    struct {\n"
			 "/*    4      |     4 */        int a;\n"
			 "                           } in;\n}\n"),
	       MPK_ERROR_PARSE,
	       "line 3: member 'a' at bit 32 lies before its container at bit 64");

#test fifty_nested_bodies_parse
	char text[4096] = "type = struct s {\n";

	repeat(text, "struct {\n", 50);
	strcat(text, "int x;\n");
	repeat(text, "} m;\n", 50);
	strcat(text, "}\n");
	struct mpk_ptype *pt = parse_text(text);
	const struct mpk_body *b = pt->type.body;

	for (int i = 0; i < 50; i++)
		b = b->members[0].type.body;
	ck_assert_str_eq(b->members[0].name, "x");
	mpk_ptype_destroy(pt);

#tcase errors

#test gdb_no_struct_type_is_a_lookup_error
	ck_err(file_err("gdb13/err_no_struct.txt"), MPK_ERROR_LOOKUP,
	       "No struct type named xyz_no_such_struct.");

#test crash_gdb_request_failed_is_a_crash_error
	ck_err(file_err("err_no_symbol.txt"), MPK_ERROR_CRASH,
	       "gdb: gdb request failed: ptype xyz_no_such_symbol");

#test crash_whatis_cannot_resolve_is_a_lookup_error
	ck_err(file_err("err_no_symbol.cwhatis.txt"), MPK_ERROR_LOOKUP,
	       "whatis: cannot resolve: xyz_no_such_symbol");

#test bad_text_is_an_error_saying_what_and_where
	/*
	 * .text: a whole ptype capture, or (.decl) the type after `type = `.
	 * gdb's lookup failures (.name set) are MPK_ERROR_LOOKUP naming the
	 * kind and name missing; the rest are MPK_ERROR_PARSE.
	 */
	static const struct {
		const char *what;
		bool decl;
		const char *text, *message;
		enum mpk_lookup_kind kind;
		const char *name;
	} cases[] = {
		{ .what = "gdb no symbol",
		  .text = "No symbol \"xyz\" in current context.\n",
		  .message = "No symbol \"xyz\" in current context.",
		  .kind = MPK_LOOKUP_SYMBOL, .name = "xyz" },
		{ .what = "gdb no struct type",
		  .text = "No struct type named s_x.\n",
		  .message = "No struct type named s_x.",
		  .kind = MPK_LOOKUP_TYPE, .name = "struct s_x" },
		{ .what = "gdb no union type",
		  .text = "No union type named u.\n",
		  .message = "No union type named u.",
		  .kind = MPK_LOOKUP_TYPE, .name = "union u" },
		{ .what = "gdb no enum type",
		  .text = "No enum type named e.\n",
		  .message = "No enum type named e.",
		  .kind = MPK_LOOKUP_TYPE, .name = "enum e" },
		{ .what = "gdb no type",
		  .text = "No type named t_t.\n",
		  .message = "No type named t_t.",
		  .kind = MPK_LOOKUP_TYPE, .name = "t_t" },
		{ .what = "gdb no member",
		  .text = "There is no member named m.\n",
		  .message = "There is no member named m.",
		  .kind = MPK_LOOKUP_MEMBER, .name = "m" },
		{ .what = "empty text is a parse error",
		  .text = "",
		  .message = "line 1: expected 'type =', got end of text" },
		{ .what = "empty text is a parse error", .decl = true,
		  .text = "  \n",
		  .message = "line 2: expected a type, got end of text" },
		{ .what = "prose is a parse error naming the word",
		  .text = "\nhello world\n",
		  .message = "line 2: expected 'type =', got 'hello'" },
		{ .what = "missing semicolon names the member and line",
		  .text = "type = struct s {\n    int a;\n    int b\n}\n",
		  .message = "line 4: expected ';' after member 'b', got '}'" },
		{ .what = "unterminated body names the opening line",
		  .text = "type = struct s {\n    int a;\n",
		  .message = "line 3: end of text in the body opened on line 1" },
		{ .what = "unterminated comment is an error",
		  .text = "/* offset | size",
		  .message = "line 1: unterminated comment" },
		{ .what = "member without a name is an error",
		  .text = "type = struct s {\n    int;\n}",
		  .message = "line 2: member without a name" },
		{ .what = "two offset comments for one member are an error",
		  .text = "type = struct s {\n/* 0 | 4 */ /* 0 | 4 */ int a;\n}",
		  .message = "line 2: two offset comments for one member" },
		{ .what = "bit position above 7 is not gdb output",
		  .text = "type = struct s {\n/* 0: 9 | 4 */ int a : 1;\n}",
		  .message = "line 2: unrecognized comment '/* 0: 9 | 4 */'" },
		{ .what = "text after the type is an error",
		  .text = "type = int x y",
		  .message = "line 1: expected end of text after the type, got 'y'" },
		{ .what = "array length beyond 64 bits is an error", .decl = true,
		  .text = "char [99999999999999999999]",
		  .message = "line 1: expected an array length, got '99999999999999999999'" },
		{ .what = "too many type words is an error", .decl = true,
		  .text = "unsigned unsigned unsigned unsigned unsigned unsigned unsigned unsigned unsigned",
		  .message = "line 1: too many words in a type" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct mpk_error *err = cases[i].decl ? decl_err(cases[i].text) :
							parse_err(cases[i].text);

		ck_assert_msg(err != NULL, "%s: no error", cases[i].what);
		ck_assert_msg(!strcmp(err->message, cases[i].message),
			      "%s: got '%s'", cases[i].what, err->message);
		if (cases[i].name) {
			ck_assert_int_eq(err->code, MPK_ERROR_LOOKUP);
			ck_assert_int_eq(err->lookup, cases[i].kind);
			ck_assert_str_eq(err->name, cases[i].name);
		} else {
			ck_assert_int_eq(err->code, MPK_ERROR_PARSE);
		}
		mpk_error_destroy(err);
	}

#test nul_byte_is_an_error
	struct mpk_ptype *pt;

	ck_err(mpk_ptype_parse("type = int\0x", 12, &pt), MPK_ERROR_PARSE,
	       "line 1: unexpected byte 0x00");

#test nesting_beyond_the_limit_is_an_error
	char text[1024] = "int ";

	repeat(text, "(*", 200);
	strcat(text, "x");
	repeat(text, ")", 200);
	ck_err(decl_err(text), MPK_ERROR_PARSE,
	       "line 1: nesting deeper than 100 levels");

#test null_text_with_a_length_is_invalid
	struct mpk_ptype *pt;

	ck_err(mpk_ptype_parse(NULL, 3, &pt), MPK_ERROR_INVALID, "NULL text");

#test destroy_of_null_does_nothing
	mpk_ptype_destroy(NULL);
	ck_assert(1);

#tcase fuzz_finds

#test function_returning_function_applies_the_leftmost_list_outermost
	/* fuzz find: `(params)(params)` was applied right to left */
	struct mpk_ptype *pt = decl("int (t *x)(long)");

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_FUNCTION);
	ck_assert_uint_eq(pt->type.nparams, 1);
	ck_assert_str_eq(pt->type.params[0].name, "t");
	ck_assert_uint_eq(pt->type.params[0].stars, 1);
	ck_assert_int_eq(pt->type.target->kind, MPK_CTYPE_FUNCTION);
	ck_assert_str_eq(pt->type.target->params[0].name, "long");
	ck_assert_str_eq(pt->type.target->target->name, "int");
	mpk_ptype_destroy(pt);

#test placeholder_with_control_bytes_is_an_error
	/* fuzz find: a NUL inside <...> cut the name short */
	ck_err(decl_err_len("<ab\0cd>", 7), MPK_ERROR_PARSE,
	       "line 1: unterminated '<'");
	ck_err(decl_err("<ab\ncd>"), MPK_ERROR_PARSE,
	       "line 1: unterminated '<'");

#test size_only_comment_on_a_struct_member_gives_a_size_but_no_offset
	/* fuzz find: printed back with an offset it never had */
	struct mpk_ptype *pt = parse_text(
		"/* offset    |  size */  type = struct s {\n"
		"/*    8      |     4 */    int y;\n"
		"/*                 4 */    unsigned int both;\n"
		"}\n");
	const struct mpk_member *m = member(pt->type.body, "both");

	ck_assert(m->flags & MPK_MEMBER_HAS_SIZE);
	ck_assert(!(m->flags & MPK_MEMBER_HAS_OFFSET));
	ck_assert_uint_eq(m->size, 4);
	mpk_ptype_destroy(pt);

#tcase placeholders

#test gdb_placeholders_parse_as_kind_unknown_with_their_text
	struct mpk_ptype *pt = parse_text(
		"type = struct s {\n"
		"    <unnamed typedef> t;\n"
		"    <type unknown> *p;\n"
		"}\n");

	ck_assert_int_eq(member(pt->type.body, "t")->type.kind,
			 MPK_CTYPE_UNKNOWN);
	ck_assert_str_eq(member(pt->type.body, "t")->type.name,
			 "<unnamed typedef>");
	ck_assert_uint_eq(member(pt->type.body, "p")->type.stars, 1);
	ck_assert_str_eq(member(pt->type.body, "p")->type.name, "<type unknown>");
	mpk_ptype_destroy(pt);

#test struct_of_unknown_tag_keeps_gdb_text_as_its_tag
	struct mpk_ptype *pt = decl("struct <unknown> *");

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_STRUCT);
	ck_assert_str_eq(pt->type.name, "<unknown>");
	ck_assert_uint_eq(pt->type.stars, 1);
	mpk_ptype_destroy(pt);

#test minimal_symbol_without_debug_info_is_kind_unknown
	struct mpk_ptype *pt = parse_text("type = <data variable, no debug info>\n");

	ck_assert_int_eq(pt->type.kind, MPK_CTYPE_UNKNOWN);
	ck_assert_str_eq(pt->type.name, "<data variable, no debug info>");
	mpk_ptype_destroy(pt);

#tcase raw_integer_names

#test raw_integer_names_become_the_names_plain_ptype_prints
	size_t i;

	for (i = 0; i < sizeof(int_names) / sizeof(int_names[0]); i++) {
		char buf[128], want[128];
		size_t n;

		snprintf(buf, sizeof(buf), "const %s *(*f)(%s, u32);",
			 int_names[i][0], int_names[i][0]);
		snprintf(want, sizeof(want), "const %s *(*f)(%s, u32);",
			 int_names[i][1], int_names[i][1]);
		n = mpk_ptype_canonical_ints(buf, strlen(buf));
		ck_assert_uint_eq(n, strlen(want));
		buf[n] = '\0';
		ck_assert_str_eq(buf, want);
	}

#test int_name_is_the_name_plain_ptype_prints
	/* one name alone, as BTF's INT and FLOAT kinds give them */
	size_t i;

	for (i = 0; i < sizeof(int_names) / sizeof(int_names[0]); i++)
		ck_assert_str_eq(mpk_ptype_int_name(int_names[i][0]),
				 int_names[i][1]);
	ck_assert_str_eq(mpk_ptype_int_name("double"), "double");
	ck_assert_str_eq(mpk_ptype_int_name("long  int"), "long  int");
	ck_assert_str_eq(mpk_ptype_int_name("long int x"), "long int x");

#test raw_integer_names_leave_identifiers_and_layout_alone
	char text[] =
		"/* offset    |  size */  type = struct s {\n"
		"/*    0      |     8 */    long unsigned int long_int;\n"
		"/*    8      |     2 */    short unsigned int xint;\n"
		"/*   10      |     2 */    __u16 unsigned_int;\n"
		"\n"
		"                           /* total size (bytes):   16 */\n"
		"                         }\n";
	const char *want =
		"/* offset    |  size */  type = struct s {\n"
		"/*    0      |     8 */    unsigned long long_int;\n"
		"/*    8      |     2 */    unsigned short xint;\n"
		"/*   10      |     2 */    __u16 unsigned_int;\n"
		"\n"
		"                           /* total size (bytes):   16 */\n"
		"                         }\n";
	size_t n = mpk_ptype_canonical_ints(text, strlen(text));
	struct mpk_ptype *pt;

	text[n] = '\0';
	ck_assert_str_eq(text, want);
	pt = parse_text(text);
	ck_assert_str_eq(member(pt->type.body, "long_int")->type.name,
			 "unsigned long");
	ck_assert_uint_eq(member(pt->type.body, "xint")->offset, 8);
	mpk_ptype_destroy(pt);
