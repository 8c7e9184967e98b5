// SPDX-License-Identifier: GPL-2.0-or-later
/* Error objects of the C core: pure libc, used by the unit tests too. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpk/error.h"

struct mpk_error mpk_enomem = {
	.code = MPK_ERROR_NO_MEMORY,
	.message = (char *)"cannot allocate memory",
};

struct mpk_error mpk_null_pointer = {
	.code = MPK_ERROR_NULL,
	.message = (char *)"NULL pointer",
};

struct mpk_error *mpk_error_vcreate(enum mpk_error_code code,
				    const char *fmt, va_list ap)
{
	struct mpk_error *err = calloc(1, sizeof(*err));

	if (!err)
		return &mpk_enomem;
	if (vasprintf(&err->message, fmt, ap) < 0) {
		free(err);
		return &mpk_enomem;
	}
	err->code = code;
	return err;
}

struct mpk_error *mpk_error_create(enum mpk_error_code code,
				   const char *fmt, ...)
{
	struct mpk_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = mpk_error_vcreate(code, fmt, ap);
	va_end(ap);
	return err;
}

struct mpk_error *mpk_error_fault(uint64_t address, uint64_t size)
{
	struct mpk_error *err;

	err = mpk_error_create(MPK_ERROR_FAULT,
			       "cannot read %llu bytes at 0x%llx",
			       (unsigned long long)size,
			       (unsigned long long)address);
	if (err != &mpk_enomem) {
		err->address = address;
		err->size = size;
	}
	return err;
}

struct mpk_error *mpk_error_lookup(enum mpk_lookup_kind kind,
				   const char *name, const char *fmt, ...)
{
	struct mpk_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = mpk_error_vcreate(MPK_ERROR_LOOKUP, fmt, ap);
	va_end(ap);
	if (err == &mpk_enomem)
		return err;
	err->lookup = kind;
	/* Without the name the error still says what failed: no ENOMEM. */
	if (name)
		err->name = strdup(name);
	return err;
}

struct mpk_error *mpk_error_os(int errnum, const char *what)
{
	struct mpk_error *err;

	err = mpk_error_create(MPK_ERROR_OS, "%s: %s", what, strerror(errnum));
	if (err != &mpk_enomem)
		err->errnum = errnum;
	return err;
}

void mpk_error_destroy(struct mpk_error *err)
{
	if (!err || err == &mpk_enomem || err == &mpk_null_pointer)
		return;
	free(err->message);
	free(err->name);
	free(err);
}
