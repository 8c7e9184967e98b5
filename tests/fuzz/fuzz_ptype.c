// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target of the gdb type text parser.  Besides "no crash, no
 * leak", it checks two properties: a PARSE error names its line, and a
 * successful parse printed back (tests/unit/render.c) parses again into
 * the same thing, so a result with dangling or inconsistent parts shows.
 * The canonical integer names of raw text (mpk_ptype_canonical_ints)
 * must stay within the text and not change when made again.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpk/ptype_parse.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(struct mpk_error *err)
{
	if (!err->message)
		abort();
	if (err->code == MPK_ERROR_PARSE && strncmp(err->message, "line ", 5))
		abort();
	mpk_error_destroy(err);
}

/* Print back, parse the print, print again: both prints must agree. */
static void round_trip(const struct mpk_ptype *pt)
{
	char *first = render_ptype(pt);
	struct mpk_ptype *again = NULL;
	struct mpk_error *err;
	char *second;

	err = mpk_ptype_parse(first, strlen(first), &again);
	if (err) {
		fprintf(stderr, "printed back, then: %s\n%s\n", err->message,
			first);
		abort();
	}
	second = render_ptype(again);
	if (strcmp(first, second)) {
		fprintf(stderr, "unstable:\n%s\n---\n%s\n", first, second);
		abort();
	}
	free(first);
	free(second);
	mpk_ptype_destroy(again);
}

/* Canonical names of a copy of @text; again: nothing more to change. */
static void check_canonical(const char *text, size_t size)
{
	char *copy = malloc(size ? size : 1);
	size_t n, again;

	if (!copy)
		return;
	memcpy(copy, text, size);
	n = mpk_ptype_canonical_ints(copy, size);
	if (n > size)
		abort();
	again = mpk_ptype_canonical_ints(copy, n);
	if (again != n)
		abort();
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact copy: reads past size are caught */
	char *text = malloc(size ? size : 1);
	struct mpk_ptype *pt = NULL;
	struct mpk_error *err;

	if (!text)
		return 0;
	memcpy(text, data, size);
	check_canonical(text, size);

	err = mpk_ptype_parse(text, size, &pt);
	if (err) {
		check_error(err);
	} else {
		round_trip(pt);
		mpk_ptype_destroy(pt);
	}
	free(text);
	return 0;
}
