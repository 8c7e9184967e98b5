// SPDX-License-Identifier: GPL-2.0-or-later
/* The only place that turns a struct mpk_error into a Python exception. */

#include <errno.h>

#include "pycrash.h"

/*
 * The subclasses of crash.error. Each also derives from what the
 * original PyKdump raised in that case, so old `except` clauses still
 * catch it: a NULL address was an IndexError, an unknown symbol or type
 * a TypeError (pykdump.highlevel), an unknown field a KeyError.
 */
static const struct exception_def {
	const char *name;	/* in module crash */
	size_t state_offset;	/* where the type lives in the state */
	size_t base_offset;	/* its crash base, in the state */
	PyObject **extra_base;	/* a builtin base, or NULL */
	PyObject **extra_base2;
	const char *attrs[3];	/* keyword attributes, default None */
	const char *doc;
} exception_defs[] = {
#define ST(field) offsetof(struct mpk_module_state, field)
	{ "FaultError", ST(fault_error), ST(error), NULL, NULL,
	  { "address", "size" },
	  "Memory at .address could not be read (.size bytes)." },
	{ "NullPointerError", ST(null_error), ST(fault_error),
	  &PyExc_IndexError, NULL, { "address", "size" },
	  "Address 0 was dereferenced; an IndexError, as it always was." },
	{ "NoSymbolError", ST(no_symbol_error), ST(error), &PyExc_TypeError,
	  NULL, { "name" },
	  "No symbol .name (a TypeError, as readSymbol/whatis raised)." },
	{ "NoTypeError", ST(no_type_error), ST(error), &PyExc_TypeError,
	  NULL, { "name" },
	  "No type .name in the debuginfo (a TypeError, as SUInfo raised)." },
	{ "NoFieldError", ST(no_field_error), ST(error), &PyExc_KeyError,
	  &PyExc_AttributeError, { "name" },
	  "A struct has no member .name (a KeyError and an AttributeError)." },
#undef ST
};

#define STATE_TYPE(st, off) ((PyObject **)((char *)(st) + (off)))

/*
 * __init__(self, *args, address=None, ...): the message stays args, as
 * for any exception; the keywords the class declares become attributes.
 */
static PyObject *typed_init(PyObject *unused, PyObject *args, PyObject *kw)
{
	PyObject *self, *rest, *key, *value;
	Py_ssize_t pos = 0;
	int rc;

	if (PyTuple_GET_SIZE(args) < 1) {
		PyErr_SetString(PyExc_TypeError, "__init__ needs self");
		return NULL;
	}
	self = PyTuple_GET_ITEM(args, 0);
	rest = PyTuple_GetSlice(args, 1, PyTuple_GET_SIZE(args));
	if (!rest)
		return NULL;
	rc = ((PyTypeObject *)PyExc_BaseException)->tp_init(self, rest, NULL);
	Py_DECREF(rest);
	if (rc < 0)
		return NULL;
	while (kw && PyDict_Next(kw, &pos, &key, &value)) {
		/* Only the attributes the class declares: a typo is an error. */
		if (!PyUnicode_Check(key) || !PyObject_HasAttr(
			    (PyObject *)Py_TYPE(self), key)) {
			PyErr_Format(PyExc_TypeError,
				     "%s() got an unexpected keyword %R",
				     Py_TYPE(self)->tp_name, key);
			return NULL;
		}
		if (PyObject_SetAttr(self, key, value) < 0)
			return NULL;
	}
	Py_RETURN_NONE;
}

static PyMethodDef typed_init_def = {
	"__init__", (PyCFunction)(void (*)(void))typed_init,
	METH_VARARGS | METH_KEYWORDS, NULL,
};

static PyObject *make_exception(const struct exception_def *def,
				struct mpk_module_state *st)
{
	PyObject *base = *STATE_TYPE(st, def->base_offset);
	_cleanup_pydecref_ PyObject *dict = NULL, *bases = NULL, *fn = NULL;
	_cleanup_pydecref_ PyObject *init = NULL;
	char qualname[64];
	size_t i;

	snprintf(qualname, sizeof(qualname), "crash.%s", def->name);
	dict = PyDict_New();
	fn = PyCFunction_New(&typed_init_def, NULL);
	init = fn ? PyInstanceMethod_New(fn) : NULL;
	if (!init || PyDict_SetItemString(dict, "__init__", init) < 0)
		return NULL;
	for (i = 0; i < 3 && def->attrs[i]; i++)
		if (PyDict_SetItemString(dict, def->attrs[i], Py_None) < 0)
			return NULL;
	if (def->extra_base2)
		bases = PyTuple_Pack(3, base, *def->extra_base,
				     *def->extra_base2);
	else if (def->extra_base)
		bases = PyTuple_Pack(2, base, *def->extra_base);
	else
		bases = PyTuple_Pack(1, base);
	if (!bases)
		return NULL;
	return PyErr_NewExceptionWithDoc(qualname, def->doc, bases, dict);
}

int mpk_add_exceptions(PyObject *module, struct mpk_module_state *st)
{
	size_t i;

	st->error = PyErr_NewExceptionWithDoc(
		"crash.error",
		"A crash or gdb operation failed (a read, a command, a lookup).",
		NULL, NULL);
	if (!st->error || PyModule_AddObjectRef(module, "error", st->error) < 0)
		return -1;
	for (i = 0; i < sizeof(exception_defs) / sizeof(*exception_defs);
	     i++) {
		const struct exception_def *def = &exception_defs[i];
		PyObject **slot = STATE_TYPE(st, def->state_offset);

		*slot = make_exception(def, st);
		if (!*slot || PyModule_AddObjectRef(module, def->name,
						    *slot) < 0)
			return -1;
	}
	return 0;
}

static PyObject *exception_type(const struct mpk_error *err,
				PyObject *lookup_type)
{
	struct mpk_module_state *st = mpk_state();

	switch (err->code) {
	case MPK_ERROR_NO_MEMORY:
		return PyExc_MemoryError;
	case MPK_ERROR_NULL:
		return st->null_error;
	case MPK_ERROR_FAULT:
		return st->fault_error;
	case MPK_ERROR_INTERRUPT:
		return PyExc_KeyboardInterrupt;
	case MPK_ERROR_LOOKUP:
		if (lookup_type)
			return lookup_type;
		if (err->lookup == MPK_LOOKUP_SYMBOL)
			return st->no_symbol_error;
		if (err->lookup == MPK_LOOKUP_TYPE)
			return st->no_type_error;
		if (err->lookup == MPK_LOOKUP_MEMBER)
			return st->no_field_error;
		break;
	default:
		break;
	}
	return st->error;
}

/* The attributes of @err's code on the exception @exc; -1 on error. */
static int set_attributes(PyObject *exc, const struct mpk_error *err)
{
	PyObject *v;
	int rc = 0;

	switch (err->code) {
	case MPK_ERROR_FAULT:
		v = PyLong_FromUnsignedLongLong(err->size);
		rc = v ? PyObject_SetAttrString(exc, "size", v) : -1;
		Py_XDECREF(v);
		/* fall through */
	case MPK_ERROR_NULL:
		v = PyLong_FromUnsignedLongLong(err->address);
		if (rc == 0)
			rc = v ? PyObject_SetAttrString(exc, "address", v) : -1;
		Py_XDECREF(v);
		return rc;
	case MPK_ERROR_LOOKUP:
		if (!err->name)
			return 0;
		v = PyUnicode_DecodeUTF8(err->name, strlen(err->name),
					 "backslashreplace");
		rc = v ? PyObject_SetAttrString(exc, "name", v) : -1;
		Py_XDECREF(v);
		return rc;
	default:
		return 0;
	}
}

PyObject *mpk_raise_lookup_as(struct mpk_error *err, PyObject *lookup_type)
{
	PyObject *type, *msg, *exc = NULL;

	if (err->code == MPK_ERROR_OS) {
		errno = err->errnum;
		PyErr_SetFromErrno(PyExc_OSError);
		mpk_error_destroy(err);
		return NULL;
	}
	type = exception_type(err, lookup_type);
	/* crash's and gdb's text is not always UTF-8 */
	msg = PyUnicode_DecodeUTF8(err->message, strlen(err->message),
				   "backslashreplace");
	if (msg)
		exc = PyObject_CallFunctionObjArgs(type, msg, NULL);
	Py_XDECREF(msg);
	if (exc && set_attributes(exc, err) < 0)
		Py_CLEAR(exc);
	if (exc) {
		PyErr_SetObject(type, exc);
		Py_DECREF(exc);
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
