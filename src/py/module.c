// SPDX-License-Identifier: GPL-2.0-or-later
/* PyInit of the built-in `crash` module: methods, constants, exceptions. */

#include "pycrash.h"

PyDoc_STRVAR(module_doc,
"Bindings to crash and its gdb: symbols, types, memory and commands of\n"
"the dump crash has open. Programs use pykdump.API rather than this.");

PyObject *mpk_list_from_u64(const uint64_t *values, size_t n)
{
	PyObject *list = PyList_New(n);
	size_t i;

	for (i = 0; list && i < n; i++) {
		PyObject *v = PyLong_FromUnsignedLongLong(values[i]);

		if (!v)
			Py_CLEAR(list);
		else
			PyList_SET_ITEM(list, i, v);
	}
	return list;
}

static int crash_traverse(PyObject *m, visitproc visit, void *arg)
{
	struct mpk_module_state *st = PyModule_GetState(m);

	Py_VISIT(st->error);
	Py_VISIT(st->fault_error);
	Py_VISIT(st->null_error);
	Py_VISIT(st->no_symbol_error);
	Py_VISIT(st->no_type_error);
	Py_VISIT(st->no_field_error);
	Py_VISIT(st->completer);
	return 0;
}

static int crash_clear(PyObject *m)
{
	struct mpk_module_state *st = PyModule_GetState(m);

	Py_CLEAR(st->error);
	Py_CLEAR(st->fault_error);
	Py_CLEAR(st->null_error);
	Py_CLEAR(st->no_symbol_error);
	Py_CLEAR(st->no_type_error);
	Py_CLEAR(st->no_field_error);
	Py_CLEAR(st->completer);
	return 0;
}

static struct PyModuleDef crash_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "crash",
	.m_doc = module_doc,
	.m_size = sizeof(struct mpk_module_state),
	.m_traverse = crash_traverse,
	.m_clear = crash_clear,
};

struct mpk_module_state *mpk_state(void)
{
	PyObject *m = PyState_FindModule(&crash_module);

	return m ? PyModule_GetState(m) : NULL;
}

static int add_all(PyObject *m)
{
	struct mpk_module_state *st = PyModule_GetState(m);
	PyMethodDef *tables[] = {
		mpk_memory_methods, mpk_symbols_methods, mpk_command_methods,
		mpk_system_methods, mpk_types_methods, mpk_epython_methods,
	};
	size_t i;

	if (mpk_add_exceptions(m, st) < 0)
		return -1;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (PyModule_AddFunctions(m, tables[i]) < 0)
			return -1;
	if (mpk_memory_add_constants(m) < 0 ||
	    mpk_system_add_constants(m) < 0 ||
	    mpk_types_add_constants(m) < 0)
		return -1;
	return 0;
}

PyObject *mpk_pyinit_crash(void)
{
	PyObject *m = PyModule_Create(&crash_module);

	if (!m)
		return NULL;
	if (add_all(m) < 0 || PyState_AddModule(m, &crash_module) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
