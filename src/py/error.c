// SPDX-License-Identifier: GPL-2.0-or-later
/* The only place that turns a struct mpk_error into a Python exception. */

#include <errno.h>

#include "pycrash.h"

static PyObject *exception_type(const struct mpk_error *err,
				PyObject *lookup_type)
{
	switch (err->code) {
	case MPK_ERROR_NO_MEMORY:
		return PyExc_MemoryError;
	case MPK_ERROR_NULL:
		return PyExc_IndexError;
	case MPK_ERROR_INTERRUPT:
		return PyExc_KeyboardInterrupt;
	case MPK_ERROR_LOOKUP:
		if (lookup_type)
			return lookup_type;
		break;
	default:
		break;
	}
	return mpk_state()->error;
}

PyObject *mpk_raise_lookup_as(struct mpk_error *err, PyObject *lookup_type)
{
	if (err->code == MPK_ERROR_OS) {
		errno = err->errnum;
		PyErr_SetFromErrno(PyExc_OSError);
	} else {
		PyErr_SetString(exception_type(err, lookup_type),
				err->message);
	}
	mpk_error_destroy(err);
	return NULL;
}

PyObject *mpk_raise(struct mpk_error *err)
{
	return mpk_raise_lookup_as(err, NULL);
}

int mpk_addr_converter(PyObject *obj, void *ret)
{
	PyObject *index = PyNumber_Index(obj);
	unsigned long long v;

	if (!index)
		return 0;
	/* Negative numbers wrap, as a C cast of a signed address would. */
	v = PyLong_AsUnsignedLongLongMask(index);
	Py_DECREF(index);
	if (v == (unsigned long long)-1 && PyErr_Occurred())
		return 0;
	*(uint64_t *)ret = v;
	return 1;
}
