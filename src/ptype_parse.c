// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gdb type text -> struct mpk_ptype.  Pure: libc and mpk/error.h only.
 *
 * The text is tokenized on the fly (no token array: a declaration may be
 * a whole enum on one line, a body thousands of lines), and parsed by
 * recursive descent that counts its depth.  ptype /o's comments are tokens
 * too, so a member's `offset | size` comment is simply the token before
 * its declaration, whatever lines the declaration spans.
 *
 * gdb prints the offsets of nested members from the start of the
 * outermost type; a last pass, walk_*(), makes them relative to the body
 * that holds them, which is what a consumer building one type per body
 * needs.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* vasprintf */
#endif
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpk/ptype_parse.h"

/* ---- arena: every result of one parse, freed at once ---- */

struct mpk_ptype_arena {
	struct mpk_ptype_arena *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

enum { ARENA_CHUNK = 16384 };

static void arena_free(struct mpk_ptype_arena *arena)
{
	while (arena) {
		struct mpk_ptype_arena *next = arena->next;

		free(arena);
		arena = next;
	}
}

/* Zeroed memory, aligned for any type; NULL when out of memory. */
static void *arena_alloc(struct mpk_ptype_arena **arenap, size_t size)
{
	const size_t align = sizeof(max_align_t);
	struct mpk_ptype_arena *a = *arenap;
	void *mem;

	if (size > SIZE_MAX / 2)
		return NULL;
	size = (size + align - 1) & ~(align - 1);
	if (!a || a->cap - a->used < size) {
		size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;

		a = calloc(1, sizeof(*a) + cap);
		if (!a)
			return NULL;
		a->cap = cap;
		a->next = *arenap;
		*arenap = a;
	}
	mem = (char *)a->data + a->used;
	a->used += size;
	return mem;
}

/* ---- tokens ---- */

enum tok_kind {
	TOK_EOF,
	TOK_IDENT,
	TOK_NUMBER,
	TOK_PUNCT,	/* one of {}()[]*,;:=- in punct */
	TOK_ELLIPSIS,
	TOK_SPECIAL,	/* gdb's <...> placeholders */
	TOK_COMMENT,	/* classified in ckind */
};

enum comment_kind {
	COMMENT_HEADER,	/* offset | size */
	COMMENT_OFFSET,	/* off[: bit] | size */
	COMMENT_USIZE,	/* size only: a union member */
	COMMENT_HOLE,	/* XXX n-byte hole / padding */
	COMMENT_TOTAL,	/* total size (bytes): n */
};

struct token {
	enum tok_kind kind;
	const char *start;
	size_t len;
	size_t pos;		/* offset of start in the text */
	unsigned int line;
	char punct;
	enum comment_kind ckind;
	uint64_t off;
	unsigned int bit;
	uint64_t size;
};

struct parser {
	const char *text;
	size_t len;
	size_t pos;
	unsigned int line;
	unsigned int depth;
	bool offsets;		/* an offset comment was seen */
	struct mpk_ptype_arena *arena;
};

/* Printable, bounded rendering of a token for error messages. */
static void tok_describe(const struct token *t, char *buf, size_t size)
{
	size_t n = 0, i;

	if (t->kind == TOK_EOF) {
		snprintf(buf, size, "end of text");
		return;
	}
	buf[n++] = '\'';
	for (i = 0; i < t->len && n + 5 < size; i++) {
		unsigned char c = t->start[i];

		buf[n++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	if (i < t->len) {
		buf[n++] = '.';
		buf[n++] = '.';
		buf[n++] = '.';
	}
	buf[n++] = '\'';
	buf[n] = '\0';
}

static struct mpk_error *perr(unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static struct mpk_error *perr(unsigned int line, const char *fmt, ...)
{
	struct mpk_error *err;
	char *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return &mpk_enomem;
	err = mpk_error_create(MPK_ERROR_PARSE, "line %u: %s", line, msg);
	free(msg);
	return err;
}

static struct mpk_error *perr_tok(const struct token *t, const char *what)
{
	char desc[64];

	tok_describe(t, desc, sizeof(desc));
	return perr(t->line, "expected %s, got %s", what, desc);
}

static bool is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '$';
}

static bool is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_print(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Decimal or 0x hex (ptype /x), the whole of [s, s + len). */
static bool parse_u64(const char *s, size_t len, uint64_t *ret)
{
	uint64_t v = 0;
	unsigned int base = 10;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		unsigned char c = s[i];
		unsigned int d;

		if (is_digit(c))
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*ret = v;
	return true;
}

/* A cursor over the inside of one comment. */
struct ccursor {
	const char *s;
	size_t len;
	size_t i;
};

static void cc_skip_space(struct ccursor *c)
{
	while (c->i < c->len && is_space(c->s[c->i]))
		c->i++;
}

static bool cc_word(struct ccursor *c, const char *word)
{
	size_t n = strlen(word);

	cc_skip_space(c);
	if (c->len - c->i < n || memcmp(c->s + c->i, word, n))
		return false;
	c->i += n;
	return true;
}

static bool cc_number(struct ccursor *c, uint64_t *ret)
{
	size_t start;

	cc_skip_space(c);
	start = c->i;
	while (c->i < c->len && is_ident_char(c->s[c->i]))
		c->i++;
	return parse_u64(c->s + start, c->i - start, ret);
}

static bool cc_end(struct ccursor *c)
{
	cc_skip_space(c);
	return c->i == c->len;
}

/*
 * Offsets are kept in bits later on: a byte offset that cannot be
 * multiplied by 8 is not from gdb.
 */
static const uint64_t MAX_BYTE_OFFSET = UINT64_MAX / 16;

static struct mpk_error *unrecognized_comment(const struct token *t)
{
	char desc[64];

	tok_describe(t, desc, sizeof(desc));
	return perr(t->line, "unrecognized comment %s", desc);
}

static struct mpk_error *classify_comment(struct token *t)
{
	struct ccursor c = { t->start + 2, t->len - 4, 0 };
	uint64_t a, b;

	if (cc_word(&c, "offset")) {
		if (cc_word(&c, "|") && cc_word(&c, "size") && cc_end(&c)) {
			t->ckind = COMMENT_HEADER;
			return NULL;
		}
	} else if (cc_word(&c, "XXX")) {
		t->ckind = COMMENT_HOLE;
		return NULL;
	} else if (cc_word(&c, "total")) {
		if (cc_word(&c, "size") && cc_word(&c, "(bytes):") &&
		    cc_number(&c, &a) && cc_end(&c)) {
			t->ckind = COMMENT_TOTAL;
			t->size = a;
			return NULL;
		}
	} else if (cc_number(&c, &a)) {
		if (cc_end(&c)) {
			t->ckind = COMMENT_USIZE;
			t->size = a;
			return NULL;
		}
		t->bit = 0;
		if (cc_word(&c, ":")) {
			if (!cc_number(&c, &b) || b > 7)
				return unrecognized_comment(t);
			t->bit = b;
		}
		if (cc_word(&c, "|") && cc_number(&c, &b) && cc_end(&c) &&
		    a <= MAX_BYTE_OFFSET) {
			t->ckind = COMMENT_OFFSET;
			t->off = a;
			t->size = b;
			return NULL;
		}
	}
	return unrecognized_comment(t);
}

/* Read the token at p->pos into *t and move past it. */
static struct mpk_error *lex(struct parser *p, struct token *t)
{
	const char *s = p->text;
	size_t n = p->len, i = p->pos;
	unsigned char c;

	for (; i < n && is_space(s[i]); i++) {
		if (s[i] == '\n')
			p->line++;
	}
	memset(t, 0, sizeof(*t));
	t->start = s + i;
	t->pos = i;
	t->line = p->line;
	if (i == n) {
		t->kind = TOK_EOF;
		p->pos = i;
		return NULL;
	}
	c = s[i];
	if (is_ident_start(c)) {
		size_t j = i + 1;

		while (j < n && is_ident_char(s[j]))
			j++;
		t->kind = TOK_IDENT;
		t->len = j - i;
	} else if (is_digit(c)) {
		size_t j = i + 1;

		while (j < n && is_ident_char(s[j]))
			j++;
		t->kind = TOK_NUMBER;
		t->len = j - i;
	} else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
		size_t j = i + 2;
		unsigned int lines = 0;

		while (j + 1 < n && !(s[j] == '*' && s[j + 1] == '/')) {
			if (s[j] == '\n')
				lines++;
			j++;
		}
		if (j + 1 >= n)
			return perr(t->line, "unterminated comment");
		t->kind = TOK_COMMENT;
		t->len = j + 2 - i;
		p->line += lines;
		p->pos = i + t->len;
		return classify_comment(t);
	} else if (c == '<') {
		size_t j = i + 1;

		/* printable text only: it becomes a C string */
		while (j < n && s[j] != '>' && s[j] != '<' &&
		       is_print(s[j]))
			j++;
		if (j == n || s[j] != '>')
			return perr(t->line, "unterminated '<'");
		t->kind = TOK_SPECIAL;
		t->len = j + 1 - i;
	} else if (c == '.') {
		if (n - i < 3 || s[i + 1] != '.' || s[i + 2] != '.')
			return perr(t->line, "unexpected '.'");
		t->kind = TOK_ELLIPSIS;
		t->len = 3;
	} else if (strchr("{}()[]*,;:=-", c) && c) {
		t->kind = TOK_PUNCT;
		t->punct = c;
		t->len = 1;
	} else if (is_print(c)) {
		return perr(t->line, "unexpected character '%c'", c);
	} else {
		return perr(t->line, "unexpected byte 0x%02x", c);
	}
	p->pos = i + t->len;
	return NULL;
}

/* The next token, left unread. */
static struct mpk_error *peek(struct parser *p, struct token *t)
{
	size_t pos = p->pos;
	unsigned int line = p->line;
	struct mpk_error *err = lex(p, t);

	p->pos = pos;
	p->line = line;
	return err;
}

/* Move past a token that peek() returned. */
static void consume(struct parser *p, const struct token *t)
{
	const char *s = p->text;

	for (size_t i = p->pos; i < t->pos + t->len; i++) {
		if (s[i] == '\n')
			p->line++;
	}
	p->pos = t->pos + t->len;
}

static bool is_punct(const struct token *t, char c)
{
	return t->kind == TOK_PUNCT && t->punct == c;
}

static bool is_word(const struct token *t, const char *word)
{
	return t->kind == TOK_IDENT && strlen(word) == t->len &&
	       !memcmp(t->start, word, t->len);
}

static struct mpk_error *expect_punct(struct parser *p, char c,
				      const char *what)
{
	struct token t;
	struct mpk_error *err = lex(p, &t);

	if (err)
		return err;
	if (!is_punct(&t, c))
		return perr_tok(&t, what);
	return NULL;
}

static struct mpk_error *enter(struct parser *p, unsigned int line)
{
	if (p->depth >= MPK_PTYPE_MAX_DEPTH)
		return perr(line, "nesting deeper than %d levels",
			    MPK_PTYPE_MAX_DEPTH);
	p->depth++;
	return NULL;
}

static char *arena_strndup(struct parser *p, const char *s, size_t len)
{
	char *copy;

	if (len == SIZE_MAX)
		return NULL;
	copy = arena_alloc(&p->arena, len + 1);
	if (copy)
		memcpy(copy, s, len);
	return copy;
}

/*
 * A growable array in the arena: outgrown storage is simply left behind,
 * at most as much again as what is kept.
 */
struct vec {
	void *items;
	size_t n;
	size_t cap;
};

static void *vec_push(struct parser *p, struct vec *v, size_t item_size)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		void *items;

		if (cap > SIZE_MAX / item_size)
			return NULL;
		items = arena_alloc(&p->arena, cap * item_size);
		if (!items)
			return NULL;
		if (v->n)
			memcpy(items, v->items, v->n * item_size);
		v->items = items;
		v->cap = cap;
	}
	return (char *)v->items + v->n++ * item_size;
}

/* ---- C declarations ---- */

static const char *const type_keywords[] = {
	"void", "char", "short", "int", "long", "float", "double", "signed",
	"unsigned", "_Bool", "_Complex", "complex", "__int128", "_Float128",
	"_Float32", "_Float64", "_Decimal32", "_Decimal64", "_Decimal128",
};

static bool is_type_keyword(const struct token *t)
{
	for (size_t i = 0; i < sizeof(type_keywords) / sizeof(*type_keywords);
	     i++) {
		if (is_word(t, type_keywords[i]))
			return true;
	}
	return false;
}

/* The qualifier bit of a word, 0 if it is none. */
static unsigned int qualifier(const struct token *t)
{
	if (is_word(t, "const"))
		return MPK_QUAL_CONST;
	if (is_word(t, "volatile"))
		return MPK_QUAL_VOLATILE;
	if (is_word(t, "restrict") || is_word(t, "__restrict__") ||
	    is_word(t, "__restrict"))
		return MPK_QUAL_RESTRICT;
	if (is_word(t, "_Atomic"))
		return MPK_QUAL_ATOMIC;
	return 0;
}

static bool is_tag_keyword(const struct token *t)
{
	return is_word(t, "struct") || is_word(t, "union") ||
	       is_word(t, "enum");
}

/* Words that cannot name a member or a tag. */
static bool is_reserved(const struct token *t)
{
	return is_type_keyword(t) || qualifier(t) || is_tag_keyword(t);
}

enum decl_mode {
	DECL_TOP,	/* after `type = ` */
	DECL_MEMBER,	/* in a struct/union body: a name, `: bits`, `;` */
	DECL_PARAM,	/* in a parameter list */
};

struct decl {
	struct mpk_ctype type;
	const char *name;
	bool bitfield;
	unsigned int bitsize;
};

static struct mpk_error *parse_decl(struct parser *p, enum decl_mode mode,
				    struct decl *ret);

/* `type` becomes a pointer to what it was. */
static struct mpk_error *apply_pointer(struct parser *p, struct mpk_ctype *type,
				       unsigned int line)
{
	struct mpk_ctype *target;

	if (type->ndims == 0) {
		if (type->stars == UINT_MAX)
			return perr(line, "too many '*'");
		type->stars++;
		return NULL;
	}
	/* A pointer to an array cannot join the array's group. */
	target = arena_alloc(&p->arena, sizeof(*target));
	if (!target)
		return &mpk_enomem;
	*target = *type;
	memset(type, 0, sizeof(*type));
	type->kind = MPK_CTYPE_ARRAY;
	type->stars = 1;
	type->target = target;
	return NULL;
}

/* `type` becomes an array of dim of what it was. */
static struct mpk_error *apply_array(struct parser *p, struct mpk_ctype *type,
				     uint64_t dim, bool flexible)
{
	uint64_t *dims;

	if (type->ndims >= SIZE_MAX / sizeof(*dims) - 1)
		return &mpk_enomem;
	dims = arena_alloc(&p->arena, (type->ndims + 1) * sizeof(*dims));
	if (!dims)
		return &mpk_enomem;
	dims[0] = dim;
	if (type->ndims)
		memcpy(dims + 1, type->dims, type->ndims * sizeof(*dims));
	type->dims = dims;
	type->ndims++;
	if (flexible)
		type->flags |= MPK_CTYPE_FLEXIBLE;
	else
		type->flags &= ~MPK_CTYPE_FLEXIBLE;
	return NULL;
}

/* After `(`: the parameters and `)`, into a function type without target. */
static struct mpk_error *parse_params(struct parser *p, struct mpk_ctype *fn)
{
	struct mpk_error *err;
	struct vec params = { 0 };
	struct token t, t2;

	memset(fn, 0, sizeof(*fn));
	fn->kind = MPK_CTYPE_FUNCTION;
	err = peek(p, &t);
	if (err)
		return err;
	if (is_punct(&t, ')')) {
		consume(p, &t);
		fn->flags |= MPK_CTYPE_UNPROTOTYPED;
		return NULL;
	}
	if (is_word(&t, "void")) {
		size_t pos = p->pos;
		unsigned int pline = p->line;

		consume(p, &t);
		err = peek(p, &t2);
		if (err)
			return err;
		if (is_punct(&t2, ')')) {
			consume(p, &t2);
			return NULL;
		}
		p->pos = pos;
		p->line = pline;
	}
	for (;;) {
		struct mpk_ctype *param;
		struct decl d;

		err = peek(p, &t);
		if (err)
			return err;
		if (t.kind == TOK_ELLIPSIS) {
			consume(p, &t);
			fn->flags |= MPK_CTYPE_VARARGS;
			err = expect_punct(p, ')', "')' after '...'");
			if (err)
				return err;
			break;
		}
		err = parse_decl(p, DECL_PARAM, &d);
		if (err)
			return err;
		param = vec_push(p, &params, sizeof(*param));
		if (!param)
			return &mpk_enomem;
		*param = d.type;
		err = lex(p, &t);
		if (err)
			return err;
		if (is_punct(&t, ')'))
			break;
		if (!is_punct(&t, ','))
			return perr_tok(&t, "',' or ')' in parameter list");
	}
	fn->params = params.items;
	fn->nparams = params.n;
	return NULL;
}

/* `type` becomes the function fn returning what it was. */
static struct mpk_error *apply_function(struct parser *p,
					struct mpk_ctype *type,
					const struct mpk_ctype *fn)
{
	struct mpk_ctype *target = arena_alloc(&p->arena, sizeof(*target));

	if (!target)
		return &mpk_enomem;
	*target = *type;
	*type = *fn;
	type->target = target;
	return NULL;
}

/* `__attribute__ ((vector_size(N)))`: gdb's spelling of a vector type. */
static struct mpk_error *parse_vector(struct parser *p, uint64_t *ret)
{
	static const char *const seq[] = { "(", "(", "vector_size", "(" };
	struct mpk_error *err;
	struct token t;

	for (size_t i = 0; i < sizeof(seq) / sizeof(*seq); i++) {
		err = lex(p, &t);
		if (err)
			return err;
		bool ok = seq[i][0] == '(' ? is_punct(&t, '(')
					   : is_word(&t, seq[i]);

		if (!ok)
			return perr_tok(&t, "vector_size attribute");
	}
	err = lex(p, &t);
	if (err)
		return err;
	if (t.kind != TOK_NUMBER || !parse_u64(t.start, t.len, ret))
		return perr_tok(&t, "vector length");
	for (int i = 0; i < 3; i++) {
		err = expect_punct(p, ')', "')' closing vector_size");
		if (err)
			return err;
	}
	return NULL;
}

/*
 * Array and function suffixes: the leftmost applies last, so `[2][3]` is
 * an array of 2 arrays of 3, and `(int)(long)` a function of int returning
 * a function of long.
 */
static struct mpk_error *parse_suffixes(struct parser *p,
					struct mpk_ctype *type)
{
	struct mpk_error *err;
	struct token t;
	uint64_t dim = 0;
	bool flexible = false;

	err = peek(p, &t);
	if (err)
		return err;
	if (is_punct(&t, '[')) {
		consume(p, &t);
		err = lex(p, &t);
		if (err)
			return err;
		if (t.kind == TOK_NUMBER) {
			if (!parse_u64(t.start, t.len, &dim))
				return perr_tok(&t, "an array length");
			err = lex(p, &t);
			if (err)
				return err;
		} else if (is_word(&t, "variable")) {
			/* a VLA: `[variable length]` */
			err = lex(p, &t);
			if (err)
				return err;
			if (!is_word(&t, "length"))
				return perr_tok(&t, "'length'");
			err = lex(p, &t);
			if (err)
				return err;
		} else {
			flexible = true;
		}
		if (!is_punct(&t, ']'))
			return perr_tok(&t, "']'");
	} else if (is_punct(&t, '(')) {
		consume(p, &t);
	} else if (is_word(&t, "__attribute__")) {
		consume(p, &t);
		err = parse_vector(p, &dim);
		if (err)
			return err;
	} else {
		return NULL;
	}

	err = enter(p, t.line);
	if (err)
		return err;
	if (is_punct(&t, '(')) {
		struct mpk_ctype fn;

		err = parse_params(p, &fn);
		if (!err)
			err = parse_suffixes(p, type);
		if (!err)
			err = apply_function(p, type, &fn);
	} else {
		err = parse_suffixes(p, type);
		if (!err)
			err = apply_array(p, type, dim, flexible);
	}
	p->depth--;
	return err;
}

/* Skip to just past the `)` matching an already read `(`. */
static struct mpk_error *skip_group(struct parser *p, unsigned int line)
{
	struct mpk_error *err;
	struct token t;
	size_t open = 1;

	while (open) {
		err = lex(p, &t);
		if (err)
			return err;
		if (t.kind == TOK_EOF)
			return perr(line, "unbalanced '('");
		if (is_punct(&t, '('))
			open++;
		else if (is_punct(&t, ')'))
			open--;
	}
	return NULL;
}

/*
 * The declarator after the specifiers: `*name[4]`, `(*fn)(int)`, or an
 * abstract one.  In C the stars bind before the suffixes, and what is
 * inside parentheses applies last; so a parenthesized part is skipped,
 * the suffixes after it applied, and then the parser goes back to it.
 */
static struct mpk_error *parse_declarator(struct parser *p,
					  struct mpk_ctype *type,
					  const char **name);

/* parse_declarator() inside its nesting level. */
static struct mpk_error *declarator_nested(struct parser *p,
					   struct mpk_ctype *type,
					   const char **name)
{
	struct mpk_error *err;
	struct token t, t2;
	unsigned int q;

	for (;;) {
		err = peek(p, &t);
		if (err)
			return err;
		if (is_punct(&t, '*')) {
			consume(p, &t);
			err = apply_pointer(p, type, t.line);
			if (err)
				return err;
		} else if ((q = qualifier(&t))) {
			consume(p, &t);
			type->quals |= q;
		} else {
			break;
		}
	}

	if (is_punct(&t, '(')) {
		size_t inner_pos, after_pos, close_pos;
		unsigned int inner_line, after_line;

		inner_pos = p->pos;
		inner_line = p->line;
		consume(p, &t);
		err = peek(p, &t2);
		if (err)
			return err;
		if (!is_punct(&t2, '*') && !is_punct(&t2, '(')) {
			/* a parameter list: `int (int)` */
			p->pos = inner_pos;
			p->line = inner_line;
			return parse_suffixes(p, type);
		}
		inner_pos = p->pos;
		inner_line = p->line;
		err = skip_group(p, t.line);
		if (err)
			return err;
		close_pos = p->pos;
		err = parse_suffixes(p, type);
		if (err)
			return err;
		after_pos = p->pos;
		after_line = p->line;
		p->pos = inner_pos;
		p->line = inner_line;
		err = parse_declarator(p, type, name);
		if (err)
			return err;
		err = lex(p, &t2);
		if (err)
			return err;
		if (!is_punct(&t2, ')') || p->pos != close_pos)
			return perr_tok(&t2, "')' closing the declarator");
		p->pos = after_pos;
		p->line = after_line;
		return NULL;
	}

	if (t.kind == TOK_IDENT && !is_reserved(&t) &&
	    !is_word(&t, "__attribute__")) {
		if (*name)
			return perr_tok(&t, "one name in a declarator");
		consume(p, &t);
		*name = arena_strndup(p, t.start, t.len);
		if (!*name)
			return &mpk_enomem;
	}
	return parse_suffixes(p, type);
}

static struct mpk_error *parse_declarator(struct parser *p,
					  struct mpk_ctype *type,
					  const char **name)
{
	struct mpk_error *err;
	struct token t;

	err = peek(p, &t);
	if (err)
		return err;
	err = enter(p, t.line);
	if (err)
		return err;
	err = declarator_nested(p, type, name);
	p->depth--;
	return err;
}

/* The enumerators of a non-empty enum body into @items, and its `}`. */
static struct mpk_error *parse_enumerators(struct parser *p,
					   struct vec *items)
{
	struct mpk_error *err;
	uint64_t next = 0;
	struct token t;

	for (;;) {
		struct mpk_enumerator *e;

		err = lex(p, &t);
		if (err)
			return err;
		if (t.kind != TOK_IDENT || is_reserved(&t))
			return perr_tok(&t, "an enumerator");
		e = vec_push(p, items, sizeof(*e));
		if (!e)
			return &mpk_enomem;
		e->name = arena_strndup(p, t.start, t.len);
		if (!e->name)
			return &mpk_enomem;
		err = lex(p, &t);
		if (err)
			return err;
		if (is_punct(&t, '=')) {
			bool neg = false;
			uint64_t v;

			err = lex(p, &t);
			if (err)
				return err;
			if (is_punct(&t, '-')) {
				neg = true;
				err = lex(p, &t);
				if (err)
					return err;
			}
			if (t.kind != TOK_NUMBER ||
			    !parse_u64(t.start, t.len, &v) ||
			    (neg && v > (uint64_t)INT64_MAX + 1))
				return perr_tok(&t, "an enumerator value");
			/*
			 * gdb prints values as signed 64-bit; a larger
			 * unsigned one wraps the same way.
			 */
			next = neg ? -v : v;
			err = lex(p, &t);
			if (err)
				return err;
		}
		e->value = (int64_t)next;
		next++;
		if (is_punct(&t, '}'))
			break;
		if (!is_punct(&t, ','))
			return perr_tok(&t, "',' or '}' in enum");
	}
	return NULL;
}

/* After `enum [tag] {`: the enumerators and `}`. */
static struct mpk_error *parse_enum_body(struct parser *p,
					 struct mpk_ctype *type)
{
	struct mpk_error *err;
	struct vec items = { 0 };
	struct token t;

	err = peek(p, &t);
	if (err)
		return err;
	if (is_punct(&t, '}'))
		consume(p, &t);
	else
		err = parse_enumerators(p, &items);
	if (err)
		return err;
	type->enumerators = items.items;
	type->nenumerators = items.n;
	type->flags |= MPK_CTYPE_ENUM_BODY;
	return NULL;
}

static bool is_special(const struct token *t, const char *text)
{
	return t->kind == TOK_SPECIAL && strlen(text) == t->len &&
	       !memcmp(t->start, text, t->len);
}

/* A comment between members: it describes the next one, or the body. */
static struct mpk_error *body_comment(struct parser *p, const struct token *t,
				      struct mpk_body *body,
				      struct token *pending)
{
	switch (t->ckind) {
	case COMMENT_OFFSET:
	case COMMENT_USIZE:
		if (pending->kind != TOK_EOF)
			return perr(t->line,
				    "two offset comments for one member");
		*pending = *t;
		p->offsets = true;
		return NULL;
	case COMMENT_HOLE:
		/* gdb's arithmetic on offsets we have anyway */
		return NULL;
	case COMMENT_TOTAL:
		if (body->flags & MPK_BODY_HAS_SIZE)
			return perr(t->line, "second total size in one body");
		body->flags |= MPK_BODY_HAS_SIZE;
		body->size = t->size;
		return NULL;
	case COMMENT_HEADER:
		break;
	}
	return perr(t->line, "offset header inside a body");
}

/* After `struct|union [tag] {`: the members and `}`. */
static struct mpk_error *parse_body(struct parser *p, bool is_union,
				    unsigned int line,
				    const struct mpk_body **ret)
{
	struct mpk_error *err;
	struct mpk_body *body;
	struct vec members = { 0 };
	struct token t, pending = { .kind = TOK_EOF };
	char desc[64];

	body = arena_alloc(&p->arena, sizeof(*body));
	if (!body)
		return &mpk_enomem;
	body->flags = is_union ? MPK_BODY_UNION : 0;
	body->line = line;
	for (;;) {
		struct mpk_member *m;
		struct decl d;

		err = peek(p, &t);
		if (err)
			return err;
		if (t.kind == TOK_COMMENT) {
			consume(p, &t);
			err = body_comment(p, &t, body, &pending);
			if (err)
				return err;
			continue;
		}
		if (pending.kind == TOK_EOF) {
			if (is_special(&t, "<no data fields>")) {
				consume(p, &t);
				body->flags |= MPK_BODY_NO_FIELDS;
				continue;
			}
			if (is_special(&t, "<incomplete type>")) {
				consume(p, &t);
				body->flags |= MPK_BODY_INCOMPLETE;
				continue;
			}
			if (is_punct(&t, '}')) {
				consume(p, &t);
				break;
			}
		}
		if (t.kind == TOK_EOF)
			return perr(t.line,
				    "end of text in the body opened on line %u",
				    line);
		if (is_punct(&t, '}'))
			return perr(t.line, "offset comment without a member");

		err = parse_decl(p, DECL_MEMBER, &d);
		if (err)
			return err;
		err = lex(p, &t);
		if (err)
			return err;
		if (!is_punct(&t, ';')) {
			tok_describe(&t, desc, sizeof(desc));
			return perr(t.line, "expected ';' after member '%s', got %s",
				    d.name ? d.name : "", desc);
		}
		if (!d.name && !d.bitfield &&
		    !((d.type.kind == MPK_CTYPE_STRUCT ||
		       d.type.kind == MPK_CTYPE_UNION) &&
		      !d.type.stars && !d.type.ndims &&
		      (d.type.body || (d.type.flags & MPK_CTYPE_ELIDED))))
			return perr(t.line, "member without a name");

		m = vec_push(p, &members, sizeof(*m));
		if (!m)
			return &mpk_enomem;
		m->name = d.name ? d.name : "";
		m->type = d.type;
		m->line = pending.kind != TOK_EOF ? pending.line : t.line;
		if (d.bitfield) {
			m->flags |= MPK_MEMBER_BITFIELD;
			m->bitsize = d.bitsize;
		}
		if (pending.kind != TOK_EOF) {
			m->flags |= MPK_MEMBER_HAS_SIZE;
			m->size = pending.size;
			if (pending.ckind == COMMENT_OFFSET) {
				/* absolute until walk_body() */
				m->flags |= MPK_MEMBER_HAS_OFFSET;
				m->abs_offset = pending.off;
				m->bit_offset = pending.bit;
			}
			pending.kind = TOK_EOF;
		}
	}
	body->members = members.items;
	body->nmembers = members.n;
	*ret = body;
	return NULL;
}

/* After `struct`, `union` or `enum`: the tag and the body, if any. */
static struct mpk_error *parse_tagged(struct parser *p,
				      const struct token *kw,
				      struct mpk_ctype *type)
{
	struct mpk_error *err;
	struct token t, t2;

	if (is_word(kw, "struct"))
		type->kind = MPK_CTYPE_STRUCT;
	else if (is_word(kw, "union"))
		type->kind = MPK_CTYPE_UNION;
	else
		type->kind = MPK_CTYPE_ENUM;

	err = peek(p, &t);
	if (err)
		return err;
	if ((t.kind == TOK_IDENT && !is_reserved(&t)) ||
	    t.kind == TOK_SPECIAL) {
		/* `struct <unknown>` is gdb's undefined type: keep its text */
		consume(p, &t);
		type->name = arena_strndup(p, t.start, t.len);
		if (!type->name)
			return &mpk_enomem;
		err = peek(p, &t);
		if (err)
			return err;
	}
	if (!is_punct(&t, '{')) {
		if (!type->name)
			return perr_tok(&t, "a tag or '{'");
		return NULL;
	}
	consume(p, &t);
	err = peek(p, &t2);
	if (err)
		return err;
	if (t2.kind == TOK_ELLIPSIS) {
		consume(p, &t2);
		type->flags |= MPK_CTYPE_ELIDED;
		return expect_punct(p, '}', "'}' after '{...'");
	}
	err = enter(p, t.line);
	if (err)
		return err;
	if (type->kind == MPK_CTYPE_ENUM)
		err = parse_enum_body(p, type);
	else
		err = parse_body(p, type->kind == MPK_CTYPE_UNION, t.line,
				 &type->body);
	p->depth--;
	return err;
}

/* gdb prints at most `long long unsigned int` and the like. */
enum { MAX_TYPE_WORDS = 8 };

/* Qualifiers and the base type: `const unsigned long`, `struct x {..}`. */
static struct mpk_error *parse_specifiers(struct parser *p,
					  struct mpk_ctype *type)
{
	struct mpk_error *err;
	struct token words[MAX_TYPE_WORDS];
	size_t nwords = 0, total = 0;
	bool have_base = false, keywords_only = true;
	struct token t;
	unsigned int q;
	char *name;

	for (;;) {
		err = peek(p, &t);
		if (err)
			return err;
		if ((q = qualifier(&t))) {
			consume(p, &t);
			type->quals |= q;
		} else if (is_word(&t, "static")) {
			/* C++ static members: nothing to lay out */
			consume(p, &t);
		} else if (!have_base && is_tag_keyword(&t)) {
			consume(p, &t);
			err = parse_tagged(p, &t, type);
			if (err)
				return err;
			have_base = true;
		} else if (!have_base && t.kind == TOK_SPECIAL) {
			consume(p, &t);
			type->kind = MPK_CTYPE_UNKNOWN;
			type->name = arena_strndup(p, t.start, t.len);
			if (!type->name)
				return &mpk_enomem;
			have_base = true;
		} else if (t.kind == TOK_IDENT && !is_tag_keyword(&t) &&
			   !is_word(&t, "__attribute__") &&
			   (!have_base ||
			    (nwords && keywords_only && is_type_keyword(&t)))) {
			/*
			 * `unsigned long flags`: keywords go on, a typedef
			 * name stands alone, and what follows is the name.
			 */
			if (nwords == MAX_TYPE_WORDS)
				return perr(t.line, "too many words in a type");
			consume(p, &t);
			keywords_only = keywords_only && is_type_keyword(&t);
			words[nwords++] = t;
			total += t.len + 1;
			have_base = true;
		} else {
			break;
		}
	}
	if (!have_base)
		return perr_tok(&t, "a type");
	if (!nwords)
		return NULL;
	type->kind = MPK_CTYPE_NAME;
	name = arena_alloc(&p->arena, total);
	if (!name)
		return &mpk_enomem;
	for (size_t i = 0, at = 0; i < nwords; i++) {
		memcpy(name + at, words[i].start, words[i].len);
		at += words[i].len;
		name[at++] = i + 1 < nwords ? ' ' : '\0';
	}
	type->name = name;
	return NULL;
}

/* Wider than any C bitfield (__int128's 128), small enough for any use. */
enum { MAX_BITSIZE = 4096 };

static struct mpk_error *parse_decl(struct parser *p, enum decl_mode mode,
				    struct decl *ret)
{
	struct mpk_error *err;
	struct token t;
	struct decl d = { 0 };
	uint64_t bits;

	err = parse_specifiers(p, &d.type);
	if (err)
		return err;
	err = parse_declarator(p, &d.type, &d.name);
	if (err)
		return err;
	if (mode == DECL_MEMBER) {
		err = peek(p, &t);
		if (err)
			return err;
		if (is_punct(&t, ':')) {
			consume(p, &t);
			err = lex(p, &t);
			if (err)
				return err;
			if (t.kind != TOK_NUMBER ||
			    !parse_u64(t.start, t.len, &bits) ||
			    bits > MAX_BITSIZE)
				return perr_tok(&t, "a bitfield width");
			d.bitfield = true;
			d.bitsize = bits;
		}
	}
	*ret = d;
	return NULL;
}

/* ---- offsets: absolute as gdb prints them -> relative to the body ---- */

static struct mpk_error *walk_body(const struct mpk_body *cbody, bool known,
				   uint64_t base_bits);

/*
 * A body that is the member's own type starts where the member does.
 * Behind a pointer or an array (or as a prototype's part) gdb prints
 * offsets from wherever its loop happened to be, so there, as C puts the
 * first member at 0, the first printed offset is the start.
 */
static struct mpk_error *walk_type(const struct mpk_ctype *t, bool known,
				   uint64_t base_bits)
{
	struct mpk_error *err;

	if (t->stars || t->ndims)
		known = false;
	if (t->body) {
		err = walk_body(t->body, known, base_bits);
		if (err)
			return err;
	}
	if (t->target) {
		err = walk_type(t->target, false, 0);
		if (err)
			return err;
	}
	for (size_t i = 0; i < t->nparams; i++) {
		err = walk_type(&t->params[i], false, 0);
		if (err)
			return err;
	}
	return NULL;
}

static struct mpk_error *walk_body(const struct mpk_body *cbody, bool known,
				   uint64_t base_bits)
{
	/* the arena's own memory, const only to consumers */
	struct mpk_member *members = (struct mpk_member *)cbody->members;
	bool is_union = cbody->flags & MPK_BODY_UNION;
	struct mpk_error *err;

	if (!known) {
		for (size_t i = 0; i < cbody->nmembers; i++) {
			if (members[i].flags & MPK_MEMBER_HAS_OFFSET) {
				base_bits = members[i].abs_offset * 8 +
					    members[i].bit_offset;
				known = true;
				break;
			}
		}
	}
	for (size_t i = 0; i < cbody->nmembers; i++) {
		struct mpk_member *m = &members[i];
		bool child_known = false;
		uint64_t abs = 0;

		if (m->flags & MPK_MEMBER_HAS_OFFSET) {
			abs = m->abs_offset * 8 + m->bit_offset;
			if (abs < base_bits)
				return perr(m->line,
					    "member '%s' at bit %llu lies before its container at bit %llu",
					    m->name, (unsigned long long)abs,
					    (unsigned long long)base_bits);
			m->offset = (abs - base_bits) / 8;
			m->bit_offset = (abs - base_bits) % 8;
			child_known = true;
		} else if (is_union) {
			/* gdb prints no offset for union members: all at 0 */
			m->flags |= MPK_MEMBER_HAS_OFFSET;
			m->offset = 0;
			m->bit_offset = 0;
			if (known) {
				abs = base_bits;
				m->abs_offset = base_bits / 8;
				child_known = true;
			}
		}
		err = walk_type(&m->type, child_known, abs);
		if (err)
			return err;
	}
	return NULL;
}

/* ---- entry points ---- */

/*
 * What gdb, or crash around it, prints instead of a type.  Plain gdb
 * names what it did not find; crash 8.0.2 swallows gdb's message and
 * prints only its own "gdb request failed" line.
 */
static const struct {
	const char *prefix;
	enum mpk_error_code code;
	enum mpk_lookup_kind lookup;
	const char *keyword;	/* put before the name: "struct " */
} known_errors[] = {
	{ "No symbol ", MPK_ERROR_LOOKUP, MPK_LOOKUP_SYMBOL, "" },
	{ "No struct type named ", MPK_ERROR_LOOKUP, MPK_LOOKUP_TYPE,
	  "struct " },
	{ "No union type named ", MPK_ERROR_LOOKUP, MPK_LOOKUP_TYPE,
	  "union " },
	{ "No enum type named ", MPK_ERROR_LOOKUP, MPK_LOOKUP_TYPE, "enum " },
	{ "No type named ", MPK_ERROR_LOOKUP, MPK_LOOKUP_TYPE, "" },
	{ "There is no member named ", MPK_ERROR_LOOKUP, MPK_LOOKUP_MEMBER,
	  "" },
	{ "whatis: cannot resolve: ", MPK_ERROR_LOOKUP, MPK_LOOKUP_SYMBOL,
	  "" },
	{ "gdb: gdb request failed: ", MPK_ERROR_CRASH, MPK_LOOKUP_OTHER, "" },
};

/*
 * The name in the rest of a known error line: the first word, without
 * gdb's quotes and final period ('"xyz" in current context.', 'xyz.').
 */
static char *known_error_name(const char *keyword, const char *rest,
			      size_t n)
{
	size_t len = 0;
	char *name;

	if (n && *rest == '"') {
		rest++;
		n--;
		while (len < n && rest[len] != '"')
			len++;
	} else {
		while (len < n && rest[len] != ' ')
			len++;
		if (len && rest[len - 1] == '.')
			len--;
	}
	if (asprintf(&name, "%s%.*s", keyword, (int)len, rest) < 0)
		return NULL;
	return name;
}

/* The first line that is a known error message, as that error. */
static struct mpk_error *known_error(const char *text, size_t len)
{
	size_t start = 0;

	while (start < len) {
		const char *line = text + start;
		size_t n = 0, i;

		while (start + n < len && line[n] != '\n')
			n++;
		start += n + 1;
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
		for (i = 0; i < sizeof(known_errors) / sizeof(*known_errors);
		     i++) {
			size_t k = strlen(known_errors[i].prefix);
			struct mpk_error *err;

			if (n < k || memcmp(line, known_errors[i].prefix, k))
				continue;
			if (n > 1024)
				n = 1024;
			err = mpk_error_create(known_errors[i].code, "%.*s",
					       (int)n, line);
			if (err == &mpk_enomem)
				return err;
			/* the message goes to Python: no control bytes */
			for (char *c = err->message; *c; c++) {
				if ((unsigned char)*c < 0x20 ||
				    (unsigned char)*c == 0x7f)
					*c = '?';
			}
			err->lookup = known_errors[i].lookup;
			if (err->lookup != MPK_LOOKUP_OTHER)
				err->name = known_error_name(
					known_errors[i].keyword,
					err->message + k, strlen(err->message) - k);
			return err;
		}
	}
	return NULL;
}

/* gdb's `type = ...` line (after ptype /o's header) up to the end. */
static struct mpk_error *parse_type_line(struct parser *p,
					 struct mpk_ptype *ptype)
{
	struct mpk_error *err;
	struct token t;
	struct decl d;

	err = peek(p, &t);
	if (!err && t.kind == TOK_COMMENT && t.ckind == COMMENT_HEADER) {
		consume(p, &t);
		ptype->flags |= MPK_PTYPE_OFFSETS;
		err = peek(p, &t);
	}
	if (!err && !is_word(&t, "type"))
		err = perr_tok(&t, "'type ='");
	if (!err) {
		consume(p, &t);
		err = expect_punct(p, '=', "'=' after 'type'");
	}
	if (!err)
		err = parse_decl(p, DECL_TOP, &d);
	if (!err)
		err = lex(p, &t);
	if (err)
		return err;
	if (t.kind != TOK_EOF)
		return perr_tok(&t, "end of text after the type");
	err = walk_type(&d.type, true, 0);
	if (err)
		return err;
	ptype->type = d.type;
	ptype->name = d.name;
	if (p->offsets)
		ptype->flags |= MPK_PTYPE_OFFSETS;
	return NULL;
}

struct mpk_error *mpk_ptype_parse(const char *text, size_t len,
				  struct mpk_ptype **ret)
{
	struct parser p = { .text = text, .len = len, .line = 1 };
	struct mpk_ptype *ptype;
	struct mpk_error *err;

	if (!text && len)
		return mpk_error_create(MPK_ERROR_INVALID, "NULL text");
	if (!text)
		p.text = "";
	ptype = arena_alloc(&p.arena, sizeof(*ptype));
	if (!ptype)
		return &mpk_enomem;
	err = parse_type_line(&p, ptype);
	if (!err) {
		ptype->arena = p.arena;
		*ret = ptype;
		return NULL;
	}
	arena_free(p.arena);
	if (err != &mpk_enomem) {
		/* not a type at all: say what gdb or crash said instead */
		struct mpk_error *known = known_error(p.text, len);

		if (known) {
			mpk_error_destroy(err);
			err = known;
		}
	}
	return err;
}

struct mpk_ptype *mpk_ptype_create(void)
{
	struct mpk_ptype_arena *arena = NULL;
	struct mpk_ptype *ptype = arena_alloc(&arena, sizeof(*ptype));

	if (!ptype) {
		arena_free(arena);
		return NULL;
	}
	ptype->arena = arena;
	return ptype;
}

void *mpk_ptype_alloc(struct mpk_ptype *ptype, size_t size)
{
	return arena_alloc(&ptype->arena, size);
}

void mpk_ptype_destroy(struct mpk_ptype *ptype)
{
	if (ptype)
		arena_free(ptype->arena);
}

/* ---- gdb's canonical names of the integer types (ptype /r) ---- */

enum int_word {
	W_SIGNED = 1 << 0,
	W_UNSIGNED = 1 << 1,
	W_CHAR = 1 << 2,
	W_SHORT = 1 << 3,
	W_INT = 1 << 4,
	W_LONG = 1 << 5,
	W_LONG_LONG = 1 << 6,
	W_INT128 = 1 << 7,
};

/* The int_word of the word @s[0..@n), 0 if it is no such keyword. */
static int int_word(const char *s, size_t n)
{
	static const struct {
		const char *word;
		int bit;
	} words[] = {
		{ "signed", W_SIGNED }, { "unsigned", W_UNSIGNED },
		{ "char", W_CHAR }, { "short", W_SHORT }, { "int", W_INT },
		{ "long", W_LONG }, { "__int128", W_INT128 },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == n && !memcmp(words[i].word, s, n))
			return words[i].bit;
	return 0;
}

/* What gdb prints for the integer type of the words in @w. */
static const char *int_name(int w)
{
	bool u = w & W_UNSIGNED;

	if (w & W_CHAR)
		return u ? "unsigned char" :
		       (w & W_SIGNED) ? "signed char" : "char";
	if (w & W_INT128)
		return u ? "unsigned __int128" : "__int128";
	if (w & W_SHORT)
		return u ? "unsigned short" : "short";
	if (w & W_LONG_LONG)
		return u ? "unsigned long long" : "long long";
	if (w & W_LONG)
		return u ? "unsigned long" : "long";
	return u ? "unsigned int" : "int";
}

/* Length of the word (identifier characters) at @s, at most @n. */
static size_t word_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_ident_char(s[i]))
		i++;
	return i;
}

/*
 * The integer keywords of the run at @s (@n bytes at most), one space
 * apart, as int_word bits (two longs: W_LONG_LONG); 0 if @s starts with
 * none. Its length in *@used.
 */
static int int_run(const char *s, size_t n, size_t *used)
{
	size_t r = 0, k;
	int words = 0, bit;

	for (;;) {
		k = word_len(s + r, n - r);
		bit = int_word(s + r, k);
		if (!bit)
			break;
		words |= bit == W_LONG && (words & W_LONG) ? W_LONG_LONG : bit;
		r += k;
		if (r + 1 >= n || s[r] != ' ' ||
		    !int_word(s + r + 1, word_len(s + r + 1, n - r - 1)))
			break;
		r++;
	}
	*used = r;
	return words;
}

const char *mpk_ptype_int_name(const char *name)
{
	size_t len = strlen(name), used;
	int words = int_run(name, len, &used);

	return words && used == len ? int_name(words) : name;
}

size_t mpk_ptype_canonical_ints(char *text, size_t len)
{
	size_t r = 0, w = 0, used, n;
	const char *name;
	int words;

	while (r < len) {
		/* a run of integer keywords, from a word start */
		words = r && is_ident_char(text[r - 1]) ? 0 :
			int_run(text + r, len - r, &used);
		if (!words) {
			text[w++] = text[r++];
			continue;
		}
		/* the name is never longer than the words it replaces */
		name = int_name(words);
		n = strlen(name);
		if (n <= used) {
			memmove(text + w, name, n);
		} else {
			n = used;
			memmove(text + w, text + r, n);
		}
		w += n;
		r += used;
	}
	return w;
}
