// SPDX-License-Identifier: GPL-2.0-or-later
/* Bindings of src/types.c: type layouts from the debuginfo gdb loaded. */

#include "pycrash.h"

PyMethodDef mpk_types_methods[] = {
	{ NULL, NULL, 0, NULL },
};

int mpk_types_add_constants(PyObject *module)
{
	/* gdb's enum type_code values (gdb >= 8). */
	static const struct {
		const char *name;
		int value;
	} codes[] = {
		{ "TYPE_CODE_PTR", 1 },    { "TYPE_CODE_ARRAY", 2 },
		{ "TYPE_CODE_STRUCT", 3 }, { "TYPE_CODE_UNION", 4 },
		{ "TYPE_CODE_ENUM", 5 },   { "TYPE_CODE_FUNC", 7 },
		{ "TYPE_CODE_INT", 8 },    { "TYPE_CODE_FLT", 9 },
		{ "TYPE_CODE_VOID", 10 },  { "TYPE_CODE_BOOL", 21 },
		{ "TYPE_CODE_TYPEDEF", 23 },
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (PyModule_AddIntConstant(module, codes[i].name,
					    codes[i].value) < 0)
			return -1;
	return 0;
}
