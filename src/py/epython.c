// SPDX-License-Identifier: GPL-2.0-or-later
/* Bindings about the extension itself: its commands, path, console input. */

#include "mpk/command.h"
#include "mpk/extension.h"
#include "mpk/session.h"
#include "pycrash.h"

PyDoc_STRVAR(get_epython_cmds_doc,
"get_epython_cmds() -> list of str\n\n"
"The crash commands this extension registered (epython and programs).");

static PyObject *crash_get_epython_cmds(PyObject *self, PyObject *noargs)
{
	const char *const *names;
	size_t n = mpk_command_names(&names), i;
	PyObject *list = PyList_New(n);

	for (i = 0; list && i < n; i++) {
		PyObject *s = PyUnicode_FromString(names[i]);

		if (!s)
			Py_CLEAR(list);
		else
			PyList_SET_ITEM(list, i, s);
	}
	return list;
}

PyDoc_STRVAR(input_line_doc,
"input_line(prompt) -> str\n\n"
"Read one line of crash's own input (for the console); EOFError at end.");

static PyObject *crash_input_line(PyObject *self, PyObject *args)
{
	const char *prompt;
	char *line;
	PyObject *s;

	if (!PyArg_ParseTuple(args, "s:input_line", &prompt))
		return NULL;
	line = mpk_input_line(prompt);
	if (!line) {
		PyErr_SetNone(PyExc_EOFError);
		return NULL;
	}
	s = PyUnicode_DecodeUTF8(line, strlen(line), "backslashreplace");
	free(line);
	return s;
}

PyDoc_STRVAR(debug_doc,
"debug([level]) -> int\n\nThe C debug level (-d, PYKDUMPDEBUG); set it.");

static PyObject *crash_debug(PyObject *self, PyObject *args)
{
	int level = -1, old = mpk_session.debug;

	if (!PyArg_ParseTuple(args, "|i:debug", &level))
		return NULL;
	if (level >= 0)
		mpk_session.debug = level;
	return PyLong_FromLong(old);
}

PyDoc_STRVAR(register_epython_prog_doc,
"register_epython_prog(cmd, short, synopsis, help) -> bool\n\n"
"crash registers an extension's commands only while loading it, so\n"
"programs are registered from progs/ at build time: True if cmd is one\n"
"of them, else False.");

static PyObject *crash_register_epython_prog(PyObject *self, PyObject *args)
{
	const char *cmd, *shorthelp, *synopsis, *help;
	const char *const *names;
	size_t n = mpk_command_names(&names), i;

	if (!PyArg_ParseTuple(args, "ssss:register_epython_prog", &cmd,
			      &shorthelp, &synopsis, &help))
		return NULL;
	for (i = 0; i < n; i++)
		if (!strcmp(names[i], cmd))
			Py_RETURN_TRUE;
	Py_RETURN_FALSE;
}

PyMethodDef mpk_epython_methods[] = {
	{ "get_epython_cmds", crash_get_epython_cmds, METH_NOARGS,
	  get_epython_cmds_doc },
	{ "input_line", crash_input_line, METH_VARARGS, input_line_doc },
	{ "debug", crash_debug, METH_VARARGS, debug_doc },
	{ "register_epython_prog", crash_register_epython_prog, METH_VARARGS,
	  register_epython_prog_doc },
	{ NULL, NULL, 0, NULL },
};
