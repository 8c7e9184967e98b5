// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CPython, initialised once per crash session on first use. Each epython
 * run hands its argv to pykdump.epython.run(), which finds and runs the
 * program in a fresh __main__; this file only starts Python, wires its
 * output to crash's and switches the SIGINT handler around each run.
 */

#include <signal.h>

#include "mpk/interp.h"
#include "mpk/output.h"
#include "mpk/session.h"
#include "py/pycrash.h"

const char *mpk_python_version(void)
{
	return PY_VERSION;
}

/* Print a line on crash's output; used before sys.stdout exists. */
static void say(const char *msg)
{
	mpk_output_write(msg, strlen(msg));
	mpk_output_flush();
}

/*
 * Fresh sys.stdout/stderr (and __stdout__/__stderr__) on crash's fp:
 * before and after every run, so nothing a program did to them (replaced,
 * closed, an --ofile that failed) outlives it.
 */
static int set_stdio(void)
{
	PyObject *out = mpk_output_create("<crash fp>");
	PyObject *err = out ? mpk_output_create("<crash fp>") : NULL;
	int rc = -1;

	if (err && PySys_SetObject("stdout", out) == 0 &&
	    PySys_SetObject("stderr", err) == 0 &&
	    PySys_SetObject("__stdout__", out) == 0 &&
	    PySys_SetObject("__stderr__", err) == 0)
		rc = 0;
	Py_XDECREF(out);
	Py_XDECREF(err);
	return rc;
}

/* sys.path: $PYKDUMPPATH entries, then the .so (a zip), then Python's. */
static int set_path(void)
{
	PyObject *path = PySys_GetObject("path");	/* borrowed */
	PyObject *entry;
	const char *env = getenv("PYKDUMPPATH");
	Py_ssize_t pos = 0;

	if (!path || !PyList_Check(path))
		return -1;
	if (env && *env) {
		_cleanup_free_ char *copy = strdup(env);
		char *save = NULL, *dir;

		if (!copy)
			return -1;
		for (dir = strtok_r(copy, ":", &save); dir;
		     dir = strtok_r(NULL, ":", &save)) {
			entry = PyUnicode_DecodeFSDefault(dir);
			if (!entry || PyList_Insert(path, pos++, entry) < 0) {
				Py_XDECREF(entry);
				return -1;
			}
			Py_DECREF(entry);
		}
	}
	entry = PyUnicode_DecodeFSDefault(mpk_session.so_path);
	if (!entry || PyList_Insert(path, pos, entry) < 0) {
		Py_XDECREF(entry);
		return -1;
	}
	Py_DECREF(entry);
	return 0;
}

static void block_sigint(bool block)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static int start_python(void)
{
	PyConfig config;
	PyStatus status;

	if (mpk_session.python_ready)
		return 0;
	if (mpk_session.python_failed) {
		say("epython: Python failed to start earlier in this session\n");
		return -1;
	}
	mpk_sigint_save_crash();
	/*
	 * Python installs its ^C handler only over the default one, and a ^C
	 * with the default one would kill crash: SIGINT stays blocked until
	 * mpk_interp_run() has installed Python's handler.
	 */
	block_sigint(true);
	signal(SIGINT, SIG_DFL);
	if (PyImport_AppendInittab("crash", mpk_pyinit_crash) < 0) {
		say("epython: cannot add the crash module to Python\n");
		mpk_sigint_use_crash();
		return -1;
	}
	/* Isolated: PYTHONPATH or a user's site must not change our modules. */
	PyConfig_InitIsolatedConfig(&config);
	config.install_signal_handlers = 1;
	config.buffered_stdio = 0;
	status = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(status)) {
		char msg[512];

		snprintf(msg, sizeof(msg), "epython: Python failed to start: %s%s%s\n",
			 status.func ? status.func : "",
			 status.func ? ": " : "",
			 status.err_msg ? status.err_msg : "unknown error");
		say(msg);
		mpk_sigint_use_crash();
		mpk_session.python_failed = true;
		return -1;
	}
	mpk_sigint_save_python();
	mpk_sigint_use_crash();
	if (set_stdio() < 0 || set_path() < 0) {
		PyErr_Clear();
		say("epython: cannot set up sys.stdout or sys.path\n");
		Py_FinalizeEx();
		mpk_session.python_failed = true;
		return -1;
	}
	mpk_session.python_ready = true;
	return 0;
}

/* pykdump.epython.run(argv, options): its result, NULL if it raised. */
static PyObject *runner_call(int argc, char **argv,
			     const struct mpk_run_options *opts)
{
	_cleanup_pydecref_ PyObject *mod = NULL, *list = NULL, *kw = NULL;
	_cleanup_pydecref_ PyObject *func = NULL, *empty = NULL;
	int i;

	mod = PyImport_ImportModule("pykdump.epython");
	if (!mod)
		return NULL;
	list = PyList_New(argc);
	if (!list)
		return NULL;
	for (i = 0; i < argc; i++) {
		PyObject *s = PyUnicode_DecodeFSDefault(argv[i]);

		if (!s)
			return NULL;
		PyList_SET_ITEM(list, i, s);
	}
	kw = Py_BuildValue("{s:O,s:O,s:O,s:O,s:i,s:O}",
			   "version", opts->version ? Py_True : Py_False,
			   "path", opts->path ? Py_True : Py_False,
			   "reload", opts->reload ? Py_True : Py_False,
			   "bundled", opts->bundled ? Py_True : Py_False,
			   "debug", opts->debug,
			   "ehelp", opts->ehelp ? Py_True : Py_False);
	func = PyObject_GetAttrString(mod, "run");
	empty = PyTuple_Pack(1, list);
	if (!kw || !func || !empty)
		return NULL;
	return PyObject_Call(func, empty, kw);
}

/* The runner does the rest; it catches programs' errors itself. */
static void call_runner(int argc, char **argv,
			const struct mpk_run_options *opts)
{
	_cleanup_pydecref_ PyObject *res = runner_call(argc, argv, opts);

	if (res)
		return;
	/* An exception here is a broken install. */
	if (PyErr_ExceptionMatches(PyExc_SystemExit))
		PyErr_Clear();
	else
		PyErr_Print();
}

/*
 * Whether sys.stdout/stderr are the untouched streams a run ended with:
 * no Python runs between crash commands, so the next run needs no new
 * ones (two TextIOWrappers saved per run). A run clears it, so a nested
 * run (exec_epython_command) still resets.
 */
static bool stdio_fresh;

/* Reset sys.stdout/stderr; a failure is reported on crash's output. */
static void reset_stdio(void)
{
	PyObject *out = PySys_GetObject("stdout");	/* borrowed */
	PyObject *res;

	/* What a program left in its own stream goes out first. */
	if (out) {
		res = PyObject_CallMethod(out, "flush", NULL);
		Py_XDECREF(res);
		PyErr_Clear();
	}
	stdio_fresh = set_stdio() == 0;
	if (!stdio_fresh) {
		PyErr_Clear();
		say("epython: cannot reset sys.stdout and sys.stderr\n");
	}
}

int mpk_interp_run(int argc, char **argv, const struct mpk_run_options *opts)
{
	int rc = start_python();

	if (rc == 0) {
		mpk_sigint_use_python();
		if (!stdio_fresh)
			reset_stdio();
		stdio_fresh = false;
		/* A ^C during start-up is now Python's: KeyboardInterrupt. */
		block_sigint(false);
		call_runner(argc, argv, opts);
		reset_stdio();
		mpk_output_flush();
	}
	mpk_sigint_use_crash();
	block_sigint(false);
	/* A ^C that came after the last bytecode must not hit the next run. */
	if (rc == 0 && PyErr_CheckSignals() < 0)
		PyErr_Clear();
	return rc;
}

/*
 * Take our entry out of Python's table of built-in modules. If libpython
 * stays mapped after `extend -u` (something else holds it), the next
 * `extend` would start Python with an entry whose name and function
 * were in the unloaded .so (seen under ASan: a segfault in
 * Py_InitializeFromConfig).
 */
static void forget_crash_module(void)
{
	struct _inittab *t = PyImport_Inittab;
	size_t i, n;

	for (n = 0; t && t[n].name; n++)
		;
	for (i = 0; i < n; i++)
		if (t[i].initfunc == mpk_pyinit_crash) {
			memmove(&t[i], &t[i + 1], (n - i) * sizeof(*t));
			return;
		}
}

void mpk_interp_finalize(void)
{
	if (!mpk_session.python_ready || mpk_session.in_child)
		return;
	mpk_session.python_ready = false;
	stdio_fresh = false;
	Py_FinalizeEx();
	forget_crash_module();
	mpk_sigint_use_crash();
}
