// SPDX-License-Identifier: GPL-2.0-or-later
/* Bindings of src/symbols.c. */

#include "mpk/symbols.h"
#include "mpk/types.h"
#include "pycrash.h"

PyDoc_STRVAR(sym2addr_doc,
"sym2addr(name) -> int\n\nAddress of the first symbol called name, 0 if none.");

static PyObject *crash_sym2addr(PyObject *self, PyObject *args)
{
	const char *name;
	uint64_t addr = 0;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "s:sym2addr", &name))
		return NULL;
	err = mpk_symbol_address(name, &addr);
	/* PyKdump: unknown is 0, not an error; a crash failure is one. */
	if (err && err->code != MPK_ERROR_LOOKUP)
		return mpk_raise(err);
	mpk_error_destroy(err);
	return PyLong_FromUnsignedLongLong(addr);
}

PyDoc_STRVAR(sym2alladdr_doc,
"sym2alladdr(name) -> list of int\n\nAddresses of all symbols called name.");

static PyObject *crash_sym2alladdr(PyObject *self, PyObject *args)
{
	const char *name;
	uint64_t *addrs;
	size_t n;
	struct mpk_error *err;
	PyObject *list;

	if (!PyArg_ParseTuple(args, "s:sym2alladdr", &name))
		return NULL;
	err = mpk_symbol_addresses(name, &addrs, &n);
	if (err)
		return mpk_raise(err);
	list = mpk_list_from_u64(addrs, n);
	free(addrs);
	return list;
}

PyDoc_STRVAR(addr2sym_doc,
"addr2sym(addr, loose=0) -> str or None, or (str, offset)\n\n"
"Exact mode: the symbol starting at addr, or None. Loose mode: the\n"
"symbol containing addr and the offset into it, or (None, None).");

static PyObject *crash_addr2sym(PyObject *self, PyObject *args)
{
	uint64_t addr, offset;
	int loose = 0;
	const char *name;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "O&|p:addr2sym", mpk_addr_converter, &addr,
			      &loose))
		return NULL;
	err = mpk_symbol_at(addr, &name, &offset);
	if (err && err->code != MPK_ERROR_LOOKUP)
		return mpk_raise(err);
	if (err) {
		mpk_error_destroy(err);
		if (loose)
			return Py_BuildValue("(OO)", Py_None, Py_None);
		Py_RETURN_NONE;
	}
	if (loose)
		return Py_BuildValue("(sK)", name, (unsigned long long)offset);
	if (offset)
		Py_RETURN_NONE;
	return PyUnicode_FromString(name);
}

PyDoc_STRVAR(addr2mod_doc,
"addr2mod(addr) -> str or None\n\nThe module whose symbols contain addr.");

static PyObject *crash_addr2mod(PyObject *self, PyObject *args)
{
	uint64_t addr;
	const char *name;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "O&:addr2mod", mpk_addr_converter, &addr))
		return NULL;
	err = mpk_module_of(addr, &name);
	if (err)
		return mpk_raise(err);
	if (!name)
		Py_RETURN_NONE;
	return PyUnicode_FromString(name);
}

PyDoc_STRVAR(symbol_exists_doc,
"symbol_exists(name) -> int\n\n1 if crash knows a symbol called name, else 0.");

static PyObject *crash_symbol_exists(PyObject *self, PyObject *args)
{
	const char *name;
	bool exists;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "s:symbol_exists", &name))
		return NULL;
	err = mpk_symbol_exists(name, &exists);
	if (err)
		return mpk_raise(err);
	return PyLong_FromLong(exists);
}

PyDoc_STRVAR(enumerator_value_doc,
"enumerator_value(name) -> int or None\n\nValue of an enum constant.");

static PyObject *crash_enumerator_value(PyObject *self, PyObject *args)
{
	const char *name;
	int64_t value;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "s:enumerator_value", &name))
		return NULL;
	err = mpk_type_enumerator(name, &value);
	if (err && err->code != MPK_ERROR_LOOKUP)
		return mpk_raise(err);
	if (err) {
		mpk_error_destroy(err);
		Py_RETURN_NONE;
	}
	return PyLong_FromLongLong(value);
}

PyDoc_STRVAR(modules_doc,
"modules() -> list of (name, address, size, debuginfo_loaded, objfile)\n\n"
"The kernel modules crash knows, with whether 'mod -s' loaded their\n"
"debuginfo and from which file.");

static PyObject *crash_modules(PyObject *self, PyObject *noargs)
{
	struct mpk_module *mods;
	size_t n = mpk_modules(NULL, 0), i;
	PyObject *list;

	mods = calloc(n ? n : 1, sizeof(*mods));
	if (!mods)
		return PyErr_NoMemory();
	n = mpk_modules(mods, n);
	list = PyList_New(n);
	for (i = 0; list && i < n; i++) {
		PyObject *t = Py_BuildValue("(sKKOz)", mods[i].name,
					    (unsigned long long)mods[i].base,
					    (unsigned long long)mods[i].size,
					    mods[i].debuginfo ? Py_True :
								Py_False,
					    mods[i].objfile);
		if (!t)
			Py_CLEAR(list);
		else
			PyList_SET_ITEM(list, i, t);
	}
	free(mods);
	return list;
}

PyMethodDef mpk_symbols_methods[] = {
	{ "sym2addr", crash_sym2addr, METH_VARARGS, sym2addr_doc },
	{ "sym2alladdr", crash_sym2alladdr, METH_VARARGS, sym2alladdr_doc },
	{ "addr2sym", crash_addr2sym, METH_VARARGS, addr2sym_doc },
	{ "addr2mod", crash_addr2mod, METH_VARARGS, addr2mod_doc },
	{ "symbol_exists", crash_symbol_exists, METH_VARARGS,
	  symbol_exists_doc },
	{ "enumerator_value", crash_enumerator_value, METH_VARARGS,
	  enumerator_value_doc },
	{ "modules", crash_modules, METH_NOARGS, modules_doc },
	{ NULL, NULL, 0, NULL },
};
