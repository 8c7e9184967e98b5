// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: gdb's type printing, redone on struct mpk_ptype.  It
 * follows gdb's C type printer (prefix, name, suffix) so that a parse of
 * captured text, printed back, must give that text again.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

struct buf {
	char *s;
	size_t n;
	size_t cap;
};

static void put(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	memcpy(b->s + b->n, s, n + 1);
	b->n += n;
	free(s);
}

/* One step of a declared type, outermost first. */
struct step {
	enum { STEP_ARRAY, STEP_PTR, STEP_FUNC } kind;
	uint64_t dim;
	bool flexible;
	const struct mpk_ctype *func;
};

enum { MAX_STEPS = 256 };

/* Unfold the groups into steps; returns the innermost (base) group. */
static const struct mpk_ctype *unfold(const struct mpk_ctype *t,
				      struct step *steps, size_t *n)
{
	for (;;) {
		for (size_t i = 0; i < t->ndims && *n < MAX_STEPS; i++)
			steps[(*n)++] = (struct step){
				STEP_ARRAY, t->dims[i],
				!i && (t->flags & MPK_CTYPE_FLEXIBLE), NULL };
		for (unsigned int i = 0; i < t->stars && *n < MAX_STEPS; i++)
			steps[(*n)++] = (struct step){ STEP_PTR, 0, false,
						       NULL };
		if (t->kind == MPK_CTYPE_FUNCTION && *n < MAX_STEPS)
			steps[(*n)++] = (struct step){ STEP_FUNC, 0, false, t };
		else if (t->kind != MPK_CTYPE_ARRAY)
			return t;
		t = t->target;
	}
}

static void render_type(struct buf *b, const struct mpk_ctype *t,
			const char *name, int level, bool offsets);

static void render_quals(struct buf *b, unsigned int quals)
{
	if (quals & MPK_QUAL_CONST)
		put(b, "const ");
	if (quals & MPK_QUAL_VOLATILE)
		put(b, "volatile ");
	if (quals & MPK_QUAL_RESTRICT)
		put(b, "restrict ");
	if (quals & MPK_QUAL_ATOMIC)
		put(b, "_Atomic ");
}

static void render_body(struct buf *b, const struct mpk_body *body,
			int level, bool offsets)
{
	bool is_union = body->flags & MPK_BODY_UNION;

	put(b, "{\n");
	if (body->flags & MPK_BODY_NO_FIELDS)
		put(b, "%*s<no data fields>\n", level + 4, "");
	if (body->flags & MPK_BODY_INCOMPLETE)
		put(b, "%*s<incomplete type>\n", level + 4, "");
	for (size_t i = 0; i < body->nmembers; i++) {
		const struct mpk_member *m = &body->members[i];

		if (offsets && (m->flags & MPK_MEMBER_HAS_SIZE)) {
			if (is_union || !(m->flags & MPK_MEMBER_HAS_OFFSET))
				put(b, "/* %" PRIu64 " */", m->size);
			else if ((m->flags & MPK_MEMBER_BITFIELD) ||
				 m->bit_offset)
				put(b, "/* %" PRIu64 ": %u | %" PRIu64 " */",
				    m->abs_offset, m->bit_offset, m->size);
			else
				put(b, "/* %" PRIu64 " | %" PRIu64 " */",
				    m->abs_offset, m->size);
		}
		put(b, "%*s", level + 4, "");
		render_type(b, &m->type, m->name, level + 4, offsets);
		if (m->flags & MPK_MEMBER_BITFIELD)
			put(b, " : %u", m->bitsize);
		put(b, ";\n");
	}
	if (offsets && (body->flags & MPK_BODY_HAS_SIZE))
		put(b, "\n%*s/* total size (bytes): %" PRIu64 " */\n",
		    level + 4, "", body->size);
	put(b, "%*s}", level, "");
}

static void render_base(struct buf *b, const struct mpk_ctype *t, int level,
			bool offsets)
{
	render_quals(b, t->quals);
	switch (t->kind) {
	case MPK_CTYPE_NAME:
	case MPK_CTYPE_UNKNOWN:
		put(b, "%s", t->name);
		return;
	case MPK_CTYPE_STRUCT:
	case MPK_CTYPE_UNION:
	case MPK_CTYPE_ENUM:
		put(b, "%s", t->kind == MPK_CTYPE_STRUCT ? "struct" :
			     t->kind == MPK_CTYPE_UNION ? "union" : "enum");
		if (t->name)
			put(b, " %s", t->name);
		if (t->flags & MPK_CTYPE_ELIDED) {
			put(b, " {...}");
		} else if (t->body) {
			put(b, " ");
			render_body(b, t->body, level, offsets);
		} else if (t->flags & MPK_CTYPE_ENUM_BODY) {
			int64_t last = 0;

			put(b, " {");
			for (size_t i = 0; i < t->nenumerators; i++) {
				const struct mpk_enumerator *e =
					&t->enumerators[i];

				put(b, "%s%s", i ? ", " : "", e->name);
				if (e->value != last)
					put(b, " = %" PRId64, e->value);
				last = (int64_t)((uint64_t)e->value + 1);
			}
			put(b, "}");
		}
		return;
	default:
		put(b, "<bad kind %d>", t->kind);
	}
}

static void render_args(struct buf *b, const struct mpk_ctype *f)
{
	put(b, "(");
	for (size_t i = 0; i < f->nparams; i++) {
		if (i)
			put(b, ", ");
		render_type(b, &f->params[i], "", 0, false);
	}
	if (f->flags & MPK_CTYPE_VARARGS)
		put(b, f->nparams ? ", ..." : "...");
	else if (!f->nparams && !(f->flags & MPK_CTYPE_UNPROTOTYPED))
		put(b, "void");
	put(b, ")");
}

static void prefix(struct buf *b, const struct step *s, size_t n,
		   bool passed_ptr)
{
	if (!n)
		return;
	switch (s->kind) {
	case STEP_PTR:
		prefix(b, s + 1, n - 1, true);
		put(b, "*");
		break;
	case STEP_FUNC:
	case STEP_ARRAY:
		prefix(b, s + 1, n - 1, false);
		if (passed_ptr)
			put(b, "(");
		break;
	}
}

static void suffix(struct buf *b, const struct step *s, size_t n,
		   bool passed_ptr)
{
	if (!n)
		return;
	switch (s->kind) {
	case STEP_ARRAY:
		if (passed_ptr)
			put(b, ")");
		if (s->flexible)
			put(b, "[]");
		else
			put(b, "[%" PRIu64 "]", s->dim);
		suffix(b, s + 1, n - 1, false);
		break;
	case STEP_PTR:
		suffix(b, s + 1, n - 1, true);
		break;
	case STEP_FUNC:
		if (passed_ptr)
			put(b, ")");
		render_args(b, s->func);
		suffix(b, s + 1, n - 1, false);
		break;
	}
}

static void render_type(struct buf *b, const struct mpk_ctype *t,
			const char *name, int level, bool offsets)
{
	struct step steps[MAX_STEPS];
	const struct mpk_ctype *base;
	size_t n = 0;

	base = unfold(t, steps, &n);
	render_base(b, base, level, offsets);
	if ((name && *name) || n)
		put(b, " ");
	prefix(b, steps, n, false);
	put(b, "%s", name ? name : "");
	suffix(b, steps, n, false);
}

char *render_decl(const struct mpk_ctype *type, const char *name)
{
	struct buf b = { 0 };

	put(&b, "%s", "");
	render_type(&b, type, name, 0, false);
	return b.s;
}

char *render_ptype(const struct mpk_ptype *ptype)
{
	bool offsets = ptype->flags & MPK_PTYPE_OFFSETS;
	struct buf b = { 0 };

	/* gdb prints the header for a struct or union only */
	if (offsets && !ptype->type.stars && !ptype->type.ndims &&
	    (ptype->type.kind == MPK_CTYPE_STRUCT ||
	     ptype->type.kind == MPK_CTYPE_UNION))
		put(&b, "/* offset | size */ ");
	put(&b, "type = ");
	render_type(&b, &ptype->type, ptype->name, 0, offsets);
	put(&b, "\n");
	return b.s;
}

char *render_normalize(const char *text, size_t len)
{
	struct buf b = { 0 };
	bool space = false;

	put(&b, "%s", "");
	for (size_t i = 0; i < len; i++) {
		if (!strncmp(text + i, "/* XXX", 6) && i + 6 <= len) {
			const char *end = strstr(text + i, "*/");

			if (end) {
				i = end + 1 - text;
				continue;
			}
		}
		if (text[i] == ' ' || text[i] == '\n' || text[i] == '\t') {
			space = true;
			continue;
		}
		if (space && b.n)
			put(&b, " ");
		space = false;
		put(&b, "%c", text[i]);
	}
	return b.s;
}
