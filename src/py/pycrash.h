/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the bindings of the `crash` module: argument converters, the
 * one C-to-Python error point, and the method tables of each binding file.
 */
#ifndef MPK_PYCRASH_H
#define MPK_PYCRASH_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "mpk/cleanup.h"
#include "mpk/error.h"

static inline void mpk_pydecrefp(PyObject **p)
{
	Py_XDECREF(*p);
}

/** A PyObject * released (Py_XDECREF) when it goes out of scope. */
#define _cleanup_pydecref_ __attribute__((cleanup(mpk_pydecrefp)))

/** Module state: the exception types live here, not in C globals. */
struct mpk_module_state {
	PyObject *error;	/* crash.error */
	PyObject *fault_error;	/* crash.FaultError: .address, .size */
	PyObject *null_error;	/* crash.NullPointerError, an IndexError */
	PyObject *no_symbol_error;	/* crash.NoSymbolError: .name */
	PyObject *no_type_error;	/* crash.NoTypeError: .name */
	PyObject *no_field_error;	/* crash.NoFieldError: .name */
	PyObject *completer;	/* the console's, between begin and end */
};

/** The state of the imported `crash` module (borrowed). */
struct mpk_module_state *mpk_state(void);

/**
 * Set the Python exception for @err and free it; returns NULL so that a
 * binding can `return mpk_raise(err);`.
 */
PyObject *mpk_raise(struct mpk_error *err);

/** Same, but LOOKUP errors raise @lookup_type (TypeError, KeyError...). */
PyObject *mpk_raise_lookup_as(struct mpk_error *err, PyObject *lookup_type);

/** Create the exception types in @module's state and add them to it. */
int mpk_add_exceptions(PyObject *module, struct mpk_module_state *st);

/** O& converter: any int-like object (int, StructResult, tPtr) to uint64_t. */
int mpk_addr_converter(PyObject *obj, void *ret);

/* Method tables, one per binding file. */
extern PyMethodDef mpk_memory_methods[];
extern PyMethodDef mpk_symbols_methods[];
extern PyMethodDef mpk_command_methods[];
extern PyMethodDef mpk_system_methods[];
extern PyMethodDef mpk_types_methods[];
extern PyMethodDef mpk_epython_methods[];

/** A new list of Python ints from @n unsigned 64-bit values. */
PyObject *mpk_list_from_u64(const uint64_t *values, size_t n);

struct mpk_enumerator;
/**
 * The "edef" list of an enum, [[name, value], ...], from @n enumerators:
 * the one place every type source builds it.
 */
PyObject *mpk_edef_list(const struct mpk_enumerator *e, size_t n);

/** Add the constants of memory.c (memory types, sizes) to @module. */
int mpk_memory_add_constants(PyObject *module);
/** Add the constants of system.c (HZ, PAGESIZE, versions) to @module. */
int mpk_system_add_constants(PyObject *module);
/** Add the type-code constants of types.c to @module. */
int mpk_types_add_constants(PyObject *module);

/** The Output type whose instances are sys.stdout/sys.stderr. */
PyObject *mpk_output_create(const char *name);

/** PyInit function of the `crash` module. */
PyObject *mpk_pyinit_crash(void);

#endif /* MPK_PYCRASH_H */
