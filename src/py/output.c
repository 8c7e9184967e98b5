// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sys.stdout and sys.stderr: text written straight to crash's current fp,
 * so Python's output follows `| cmd`, `> file` and crash's own ordering.
 */

#include <errno.h>

#include "mpk/command.h"
#include "pycrash.h"

typedef struct {
	PyObject_HEAD
	PyObject *name;
} OutputObject;

static PyObject *output_write(OutputObject *self, PyObject *arg)
{
	Py_ssize_t len;
	const char *s;
	struct mpk_error *err;

	if (!PyUnicode_Check(arg))
		return PyErr_Format(PyExc_TypeError,
				    "write() argument must be str, not %.100s",
				    Py_TYPE(arg)->tp_name);
	s = PyUnicode_AsUTF8AndSize(arg, &len);
	if (!s)
		return NULL;
	err = mpk_output_write(s, len);
	if (err) {
		if (err->code == MPK_ERROR_OS && err->errnum == EPIPE) {
			mpk_error_destroy(err);
			PyErr_SetNone(PyExc_BrokenPipeError);
			return NULL;
		}
		return mpk_raise(err);
	}
	return PyLong_FromSsize_t(PyUnicode_GET_LENGTH(arg));
}

static PyObject *output_flush(OutputObject *self, PyObject *noargs)
{
	mpk_output_flush();
	Py_RETURN_NONE;
}

static PyObject *output_fileno(OutputObject *self, PyObject *noargs)
{
	return PyLong_FromLong(mpk_output_fileno());
}

static PyObject *output_isatty(OutputObject *self, PyObject *noargs)
{
	return PyBool_FromLong(isatty(mpk_output_fileno()));
}

static PyObject *output_true(OutputObject *self, PyObject *noargs)
{
	Py_RETURN_TRUE;
}

static PyObject *output_false(OutputObject *self, PyObject *noargs)
{
	Py_RETURN_FALSE;
}

static PyObject *output_reconfigure(OutputObject *self, PyObject *args,
				    PyObject *kwargs)
{
	/* Always UTF-8 and unbuffered into crash's FILE: nothing to change. */
	Py_RETURN_NONE;
}

static PyMethodDef output_methods[] = {
	{ "write", (PyCFunction)output_write, METH_O,
	  PyDoc_STR("write(s) -> int: write s to crash's output.") },
	{ "flush", (PyCFunction)output_flush, METH_NOARGS,
	  PyDoc_STR("flush(): flush crash's output.") },
	{ "fileno", (PyCFunction)output_fileno, METH_NOARGS,
	  PyDoc_STR("fileno() -> int: the descriptor behind crash's output.") },
	{ "isatty", (PyCFunction)output_isatty, METH_NOARGS,
	  PyDoc_STR("isatty() -> bool: whether the output is a terminal.") },
	{ "writable", (PyCFunction)output_true, METH_NOARGS,
	  PyDoc_STR("writable() -> True.") },
	{ "readable", (PyCFunction)output_false, METH_NOARGS,
	  PyDoc_STR("readable() -> False.") },
	{ "seekable", (PyCFunction)output_false, METH_NOARGS,
	  PyDoc_STR("seekable() -> False.") },
	{ "reconfigure", (PyCFunction)(void (*)(void))output_reconfigure,
	  METH_VARARGS | METH_KEYWORDS,
	  PyDoc_STR("reconfigure(**kw): accepted and ignored (always UTF-8).") },
	{ NULL, NULL, 0, NULL },
};

static PyObject *output_get_encoding(OutputObject *self, void *closure)
{
	return PyUnicode_FromString("utf-8");
}

static PyObject *output_get_errors(OutputObject *self, void *closure)
{
	return PyUnicode_FromString("strict");
}

static PyObject *output_get_closed(OutputObject *self, void *closure)
{
	Py_RETURN_FALSE;
}

static PyObject *output_get_name(OutputObject *self, void *closure)
{
	return Py_NewRef(self->name);
}

static PyGetSetDef output_getset[] = {
	{ "encoding", (getter)output_get_encoding, NULL, NULL, NULL },
	{ "errors", (getter)output_get_errors, NULL, NULL, NULL },
	{ "closed", (getter)output_get_closed, NULL, NULL, NULL },
	{ "name", (getter)output_get_name, NULL, NULL, NULL },
	{ "line_buffering", (getter)output_get_closed, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static void output_dealloc(OutputObject *self)
{
	Py_XDECREF(self->name);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject output_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "crash.Output",
	.tp_basicsize = sizeof(OutputObject),
	.tp_dealloc = (destructor)output_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = PyDoc_STR("A text stream writing to crash's current output."),
	.tp_methods = output_methods,
	.tp_getset = output_getset,
};

PyObject *mpk_output_create(const char *name)
{
	OutputObject *self;

	if (PyType_Ready(&output_type) < 0)
		return NULL;
	self = PyObject_New(OutputObject, &output_type);
	if (!self)
		return NULL;
	self->name = PyUnicode_FromString(name);
	if (!self->name) {
		Py_DECREF(self);
		return NULL;
	}
	return (PyObject *)self;
}
