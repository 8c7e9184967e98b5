// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sys.stdout and sys.stderr: an io.TextIOWrapper (write_through, so
 * nothing waits in Python) over a raw binary stream that writes straight
 * to crash's current fp. Python's output thus follows `| cmd`, `> file`
 * and stays in order with what crash itself prints to fp.
 */

#include <errno.h>

#include "mpk/output.h"
#include "pycrash.h"

typedef struct {
	PyObject_HEAD
	PyObject *name;
	int closed;
} OutputObject;

static PyObject *closed_error(void)
{
	PyErr_SetString(PyExc_ValueError, "I/O operation on closed file.");
	return NULL;
}

/* Write @len bytes to fp; -1 with an exception set on failure. */
static int write_bytes(const char *s, Py_ssize_t len)
{
	struct mpk_error *err = mpk_output_write(s, len);

	if (!err)
		return 0;
	if (err->code == MPK_ERROR_OS && err->errnum == EPIPE) {
		mpk_error_destroy(err);
		PyErr_SetNone(PyExc_BrokenPipeError);
		return -1;
	}
	mpk_raise(err);
	return -1;
}

static PyObject *output_write(OutputObject *self, PyObject *arg)
{
	Py_buffer buf;
	int rc;

	if (self->closed)
		return closed_error();
	if (PyObject_GetBuffer(arg, &buf, PyBUF_SIMPLE) < 0)
		return NULL;
	rc = write_bytes(buf.buf, buf.len);
	PyBuffer_Release(&buf);
	if (rc < 0)
		return NULL;
	return PyLong_FromSsize_t(buf.len);
}

static PyObject *output_writelines(OutputObject *self, PyObject *lines)
{
	PyObject *it = PyObject_GetIter(lines), *item;

	if (!it)
		return NULL;
	while ((item = PyIter_Next(it))) {
		PyObject *res = output_write(self, item);

		Py_DECREF(item);
		if (!res) {
			Py_DECREF(it);
			return NULL;
		}
		Py_DECREF(res);
	}
	Py_DECREF(it);
	if (PyErr_Occurred())
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *output_flush(OutputObject *self, PyObject *noargs)
{
	if (self->closed)
		return closed_error();
	mpk_output_flush();
	Py_RETURN_NONE;
}

static PyObject *output_close(OutputObject *self, PyObject *noargs)
{
	/* crash's fp is crash's to close: only this object stops writing. */
	if (!self->closed)
		mpk_output_flush();
	self->closed = 1;
	Py_RETURN_NONE;
}

static PyObject *output_fileno(OutputObject *self, PyObject *noargs)
{
	if (self->closed)
		return closed_error();
	return PyLong_FromLong(mpk_output_fileno());
}

static PyObject *output_isatty(OutputObject *self, PyObject *noargs)
{
	if (self->closed)
		return closed_error();
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

static PyMethodDef output_methods[] = {
	{ "write", (PyCFunction)output_write, METH_O,
	  PyDoc_STR("write(b) -> int: write bytes b to crash's output.") },
	{ "writelines", (PyCFunction)output_writelines, METH_O,
	  PyDoc_STR("writelines(lines): write each bytes object of lines.") },
	{ "flush", (PyCFunction)output_flush, METH_NOARGS,
	  PyDoc_STR("flush(): flush crash's output.") },
	{ "close", (PyCFunction)output_close, METH_NOARGS,
	  PyDoc_STR("close(): stop writing through this object (crash's "
		    "output stays open).") },
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
	{ NULL, NULL, 0, NULL },
};

static PyObject *output_get_closed(OutputObject *self, void *closure)
{
	return PyBool_FromLong(self->closed);
}

static PyObject *output_get_name(OutputObject *self, void *closure)
{
	return Py_NewRef(self->name);
}

static PyObject *output_get_mode(OutputObject *self, void *closure)
{
	return PyUnicode_FromString("wb");
}

static PyGetSetDef output_getset[] = {
	{ "closed", (getter)output_get_closed, NULL, NULL, NULL },
	{ "name", (getter)output_get_name, NULL, NULL, NULL },
	{ "mode", (getter)output_get_mode, NULL, NULL, NULL },
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
	.tp_doc = PyDoc_STR("A raw binary stream writing to crash's current "
			    "output (sys.stdout.buffer)."),
	.tp_methods = output_methods,
	.tp_getset = output_getset,
};

/* Once: the type is ready and an io.RawIOBase (isinstance works). */
static int output_type_ready(void)
{
	static int ready;
	PyObject *io, *res;

	if (ready)
		return 0;
	if (PyType_Ready(&output_type) < 0)
		return -1;
	io = PyImport_ImportModule("io");
	if (!io)
		return -1;
	res = PyObject_GetAttrString(io, "RawIOBase");
	Py_DECREF(io);
	if (res) {
		PyObject *abc = res;

		res = PyObject_CallMethod(abc, "register", "O",
					  (PyObject *)&output_type);
		Py_DECREF(abc);
	}
	if (!res)
		return -1;
	Py_DECREF(res);
	ready = 1;
	return 0;
}

PyObject *mpk_output_create(const char *name)
{
	OutputObject *raw;
	PyObject *io, *wrapper = NULL, *args = NULL, *kwargs = NULL;
	PyObject *text = NULL;

	if (output_type_ready() < 0)
		return NULL;
	raw = PyObject_New(OutputObject, &output_type);
	if (!raw)
		return NULL;
	raw->closed = 0;
	raw->name = PyUnicode_FromString(name);
	if (!raw->name) {
		Py_DECREF(raw);
		return NULL;
	}
	io = PyImport_ImportModule("io");
	if (io)
		wrapper = PyObject_GetAttrString(io, "TextIOWrapper");
	args = PyTuple_Pack(1, (PyObject *)raw);
	/* write_through: each write reaches fp at once, in crash's order. */
	kwargs = Py_BuildValue("{s:s,s:s,s:s,s:O}", "encoding", "utf-8",
			       "errors", "backslashreplace", "newline", "\n",
			       "write_through", Py_True);
	if (wrapper && args && kwargs)
		text = PyObject_Call(wrapper, args, kwargs);
	Py_XDECREF(kwargs);
	Py_XDECREF(args);
	Py_XDECREF(wrapper);
	Py_XDECREF(io);
	Py_DECREF(raw);
	return text;
}
