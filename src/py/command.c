// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bindings of src/command.c (crash and gdb commands, output captured),
 * src/fork.c (a command in a child) and src/errstream.c.
 */

#include <stdbool.h>

#include "mpk/command.h"
#include "mpk/errstream.h"
#include "mpk/fork.h"
#include "mpk/session.h"
#include "pycrash.h"

/* A str from captured output; crash prints Latin-1 at worst. */
static PyObject *output_str(char *text, size_t len)
{
	PyObject *s = PyUnicode_DecodeUTF8(text, len, "backslashreplace");

	free(text);
	return s;
}

PyDoc_STRVAR(exec_crash_command_doc,
"exec_crash_command(cmd, no_stdout=0) -> str\n\n"
"Run the crash command line cmd and return what it printed. A command\n"
"that fails raises crash.error with crash's message; ^C raises\n"
"KeyboardInterrupt. Empty output is returned as ''.");

static PyObject *crash_exec_crash_command(PyObject *self, PyObject *args)
{
	const char *cmd;
	int no_stdout = 0;
	char *text;
	size_t len;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "s|i:exec_crash_command", &cmd,
			      &no_stdout))
		return NULL;
	/* no_stdout: output is always captured here, so nothing to do. */
	err = mpk_crash_command(cmd, &text, &len);
	if (err)
		return mpk_raise(err);
	return output_str(text, len);
}

/* gdb's output of cmd; a failure is None, or crash.error if @checked. */
static PyObject *gdb_output(PyObject *args, const char *fmt, bool checked)
{
	const char *cmd;
	char *text;
	size_t len;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, fmt, &cmd))
		return NULL;
	err = mpk_gdb_command(cmd, &text, &len);
	if (err) {
		if (checked || err->code != MPK_ERROR_CRASH)
			return mpk_raise(err);
		mpk_error_destroy(err);
		Py_RETURN_NONE;
	}
	return output_str(text, len);
}

PyDoc_STRVAR(get_GDB_output_doc,
"get_GDB_output(cmd) -> str or None\n\n"
"Run the gdb command cmd in crash's gdb and return its output, or None\n"
"if gdb reported a failure.");

static PyObject *crash_get_GDB_output(PyObject *self, PyObject *args)
{
	return gdb_output(args, "s:get_GDB_output", false);
}

PyDoc_STRVAR(exec_gdb_command_doc,
"exec_gdb_command_checked(cmd) -> str\n\n"
"Like get_GDB_output, but a gdb failure raises crash.error with gdb's\n"
"message.");

static PyObject *crash_exec_gdb_command_checked(PyObject *self, PyObject *args)
{
	return gdb_output(args, "s:exec_gdb_command_checked", true);
}

PyDoc_STRVAR(exec_crash_command_bg2_doc,
"exec_crash_command_bg2(cmd) -> (fd, pid)\n\n"
"Run cmd in a forked child whose output comes through the pipe fd; the\n"
"caller reads it, then reaps pid (see highlevel.exec_crash_command_bg).");

static PyObject *crash_exec_crash_command_bg2(PyObject *self, PyObject *args)
{
	const char *cmd;
	int fd, pid;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "s:exec_crash_command_bg2", &cmd))
		return NULL;
	err = mpk_crash_command_fork(cmd, &fd, &pid);
	if (err)
		return mpk_raise(err);
	return Py_BuildValue("(ii)", fd, pid);
}

PyDoc_STRVAR(crash_set_error_doc,
"crash_set_error(target) -> str or None\n\n"
"Send crash's error messages to target ('/dev/null', a file, 'default')\n"
"and return the previous target.");

static PyObject *crash_crash_set_error(PyObject *self, PyObject *args)
{
	const char *target;
	char *previous;
	struct mpk_error *err;
	PyObject *ret;

	if (!PyArg_ParseTuple(args, "s:crash_set_error", &target))
		return NULL;
	err = mpk_set_error_target(target, &previous);
	if (err)
		return mpk_raise(err);
	if (!previous)
		Py_RETURN_NONE;
	ret = PyUnicode_FromString(previous);
	free(previous);
	return ret;
}

PyMethodDef mpk_command_methods[] = {
	{ "exec_crash_command", crash_exec_crash_command, METH_VARARGS,
	  exec_crash_command_doc },
	{ "get_GDB_output", crash_get_GDB_output, METH_VARARGS,
	  get_GDB_output_doc },
	{ "exec_gdb_command_checked", crash_exec_gdb_command_checked,
	  METH_VARARGS, exec_gdb_command_doc },
	{ "exec_crash_command_bg2", crash_exec_crash_command_bg2, METH_VARARGS,
	  exec_crash_command_bg2_doc },
	{ "crash_set_error", crash_crash_set_error, METH_VARARGS,
	  crash_set_error_doc },
	{ NULL, NULL, 0, NULL },
};
