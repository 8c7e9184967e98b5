// SPDX-License-Identifier: GPL-2.0-or-later
/* Bindings about the extension itself: its commands, path, console input. */

#include "mpk/console.h"
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
"Read one line of crash's own input (for the console), without its\n"
"newline; through readline between console_begin() and console_end()\n"
"when crash reads a terminal. EOFError at end, KeyboardInterrupt on ^C.");

static PyObject *crash_input_line(PyObject *self, PyObject *args)
{
	const char *prompt;
	char *line;
	PyObject *s;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "s:input_line", &prompt))
		return NULL;
	err = mpk_console_read(prompt, &line);
	if (err) {
		/* ^C: the console's check already raised KeyboardInterrupt */
		if (PyErr_Occurred()) {
			mpk_error_destroy(err);
			return NULL;
		}
		return mpk_raise(err);
	}
	if (!line) {
		PyErr_SetNone(PyExc_EOFError);
		return NULL;
	}
	s = PyUnicode_DecodeUTF8(line, strlen(line), "backslashreplace");
	free(line);
	return s;
}

/* Tab in the console: completer(text, state) -> str or None. */
static char *console_complete(const char *text, int state, void *arg)
{
	PyObject *completer = mpk_state()->completer;
	PyObject *match;
	char *ret = NULL;

	if (!completer)
		return NULL;
	match = PyObject_CallFunction(completer, "si", text, state);
	if (match && PyUnicode_Check(match)) {
		const char *utf8 = PyUnicode_AsUTF8(match);

		ret = utf8 ? strdup(utf8) : NULL;
	}
	Py_XDECREF(match);
	/* A completer that fails completes nothing; the line stays. */
	PyErr_Clear();
	return ret;
}

/* A signal interrupted the read: a Python handler's exception ends it. */
static bool console_interrupted(void *arg)
{
	return PyErr_CheckSignals() < 0;
}

PyDoc_STRVAR(console_begin_doc,
"console_begin(history_path, completer) -> bool\n\n"
"Make input_line() read through crash's readline, when crash reads a\n"
"terminal (the result says whether it does): history from and to\n"
"history_path (None: no file), Tab calls completer(text, state) like\n"
"rlcompleter's complete (None: no completion). console_end() gives\n"
"crash its history and completion back.");

static PyObject *crash_console_begin(PyObject *self, PyObject *args)
{
	PyObject *path_obj, *completer, *path_bytes = NULL;
	struct mpk_module_state *st = mpk_state();
	struct mpk_error *err;
	bool uses_readline;

	if (!PyArg_ParseTuple(args, "OO:console_begin", &path_obj,
			      &completer))
		return NULL;
	if (path_obj != Py_None && !PyUnicode_FSConverter(path_obj,
							  &path_bytes))
		return NULL;
	if (completer != Py_None && !PyCallable_Check(completer)) {
		Py_XDECREF(path_bytes);
		PyErr_SetString(PyExc_TypeError, "completer is not callable");
		return NULL;
	}
	err = mpk_console_begin(path_bytes ? PyBytes_AS_STRING(path_bytes) :
				NULL,
				completer != Py_None ? console_complete : NULL,
				console_interrupted, NULL, &uses_readline);
	Py_XDECREF(path_bytes);
	if (err)
		return mpk_raise(err);
	Py_XSETREF(st->completer, completer != Py_None ?
		   Py_NewRef(completer) : NULL);
	return PyBool_FromLong(uses_readline);
}

PyDoc_STRVAR(console_end_doc,
"console_end()\n\n"
"End what console_begin() started: write the history file, give crash\n"
"its readline state back. Harmless when no console is open.");

static PyObject *crash_console_end(PyObject *self, PyObject *noargs)
{
	struct mpk_error *err = mpk_console_end();

	Py_CLEAR(mpk_state()->completer);
	if (err)
		return mpk_raise(err);
	Py_RETURN_NONE;
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

PyDoc_STRVAR(exec_epython_command_doc,
"exec_epython_command(name, *args) -> None\n\n"
"Run a program in-process as if `name args` were typed at the crash\n"
"prompt (name: a bundled program's command, epython, or a program\n"
"path as epython takes it);\n"
"its output goes to stdout. The program's own errors are reported, not\n"
"raised, as at the prompt.");

static PyObject *crash_exec_epython_command(PyObject *self, PyObject *args)
{
	_cleanup_pydecref_ PyObject *argv = NULL, *runner = NULL, *run = NULL;
	_cleanup_pydecref_ PyObject *call = NULL, *kw = NULL, *res = NULL;
	const char *const *names;
	size_t n = mpk_command_names(&names), i;
	const char *name;
	int epython, bundled = 0;

	if (PyTuple_GET_SIZE(args) < 1) {
		PyErr_SetString(PyExc_TypeError,
				"exec_epython_command() needs a command name");
		return NULL;
	}
	argv = PySequence_List(args);
	if (!argv)
		return NULL;
	name = PyUnicode_Check(PyList_GET_ITEM(argv, 0)) ?
	       PyUnicode_AsUTF8(PyList_GET_ITEM(argv, 0)) : NULL;
	if (!name) {
		PyErr_SetString(PyExc_TypeError,
				"exec_epython_command() takes strings");
		return NULL;
	}
	/*
	 * As typed at the prompt: a bundled program's command runs the
	 * bundled one; `epython PROG ...` (or a bare PROG, as PyKdump's
	 * epython_execute_prog took it) searches the program path.
	 */
	epython = !strcmp(name, "epython");
	for (i = 0; !epython && i < n; i++)
		if (!strcmp(names[i], name))
			bundled = 1;
	if (epython && PySequence_DelItem(argv, 0) < 0)
		return NULL;
	runner = PyImport_ImportModule("pykdump.epython");
	if (!runner)
		return NULL;
	run = PyObject_GetAttrString(runner, "run");
	if (!run)
		return NULL;
	call = PyTuple_Pack(1, argv);
	kw = Py_BuildValue("{s:O}", "bundled", bundled ? Py_True : Py_False);
	if (!call || !kw)
		return NULL;
	res = PyObject_Call(run, call, kw);
	if (!res)
		return NULL;
	Py_RETURN_NONE;
}

PyMethodDef mpk_epython_methods[] = {
	{ "exec_epython_command", crash_exec_epython_command, METH_VARARGS,
	  exec_epython_command_doc },
	{ "get_epython_cmds", crash_get_epython_cmds, METH_NOARGS,
	  get_epython_cmds_doc },
	{ "input_line", crash_input_line, METH_VARARGS, input_line_doc },
	{ "console_begin", crash_console_begin, METH_VARARGS,
	  console_begin_doc },
	{ "console_end", crash_console_end, METH_NOARGS, console_end_doc },
	{ "debug", crash_debug, METH_VARARGS, debug_doc },
	{ "register_epython_prog", crash_register_epython_prog, METH_VARARGS,
	  register_epython_prog_doc },
	{ NULL, NULL, 0, NULL },
};
