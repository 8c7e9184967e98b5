/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors of the C core: NULL means success, anything else is a
 * struct mpk_error that the caller owns and frees with mpk_error_destroy().
 * Only src/py/error.c turns one into a Python exception.
 */
#ifndef MPK_ERROR_H
#define MPK_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/** What a caller can act on. */
enum mpk_error_code {
	MPK_ERROR_NO_MEMORY,	/* allocation failed (static instance) */
	MPK_ERROR_FAULT,	/* memory read failed: address, size */
	MPK_ERROR_NULL,		/* address 0 was dereferenced */
	MPK_ERROR_LOOKUP,	/* unknown symbol, type or member: name */
	MPK_ERROR_PARSE,	/* text from gdb could not be parsed: line */
	MPK_ERROR_CRASH,	/* a crash/gdb call failed: crash's message */
	MPK_ERROR_INVALID,	/* a bad argument (size, flags, ...) */
	MPK_ERROR_INTERRUPT,	/* SIGINT arrived during a crash call */
	MPK_ERROR_OS,		/* a libc call failed: errno */
};

/** What an MPK_ERROR_LOOKUP did not find: Python raises a subclass each. */
enum mpk_lookup_kind {
	MPK_LOOKUP_OTHER,	/* a task, an address, ...: plain crash.error */
	MPK_LOOKUP_SYMBOL,	/* crash.NoSymbolError */
	MPK_LOOKUP_TYPE,	/* crash.NoTypeError */
	MPK_LOOKUP_MEMBER,	/* crash.NoFieldError */
};

/** An error: its code, a message, and the code's details. */
struct mpk_error {
	enum mpk_error_code code;
	char *message;		/* never NULL */
	uint64_t address;	/* MPK_ERROR_FAULT */
	uint64_t size;		/* MPK_ERROR_FAULT */
	int errnum;		/* MPK_ERROR_OS */
	enum mpk_lookup_kind lookup;	/* MPK_ERROR_LOOKUP */
	char *name;		/* MPK_ERROR_LOOKUP: what was not found, or NULL */
};

/** The static out-of-memory error: returned when even an error can't be made. */
extern struct mpk_error mpk_enomem;
/** The static NULL-address error. */
extern struct mpk_error mpk_null_pointer;

/** Make an error with a printf-style message. */
struct mpk_error *mpk_error_create(enum mpk_error_code code,
				   const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Same, with a va_list. */
struct mpk_error *mpk_error_vcreate(enum mpk_error_code code,
				    const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/** A failed read of @size bytes at @address. */
struct mpk_error *mpk_error_fault(uint64_t address, uint64_t size);
/**
 * A failed lookup of @name (copied; NULL if unknown), of @kind, with a
 * printf-style message.
 */
struct mpk_error *mpk_error_lookup(enum mpk_lookup_kind kind,
				   const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** A libc failure: errno and what was being done. */
struct mpk_error *mpk_error_os(int errnum, const char *what);
/** Free an error; the static ones and NULL are ignored. */
void mpk_error_destroy(struct mpk_error *err);

#endif /* MPK_ERROR_H */
