// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bindings of src/types.c: gdb_typeinfo()/gdb_whatis() dictionaries in
 * the layout PyKdump's datatypes expect (see docs/ and the API reference
 * §19), built from the parsed gdb text.
 */

#include "mpk/types.h"
#include "pycrash.h"

static PyObject *ctype_dict(const struct mpk_ctype *t, const char *fname,
			    uint64_t size_hint, bool expand, int depth);

/* d[key] = value, stealing value; -1 on failure (value released). */
static int set_item(PyObject *d, const char *key, PyObject *value)
{
	int rc;

	if (!value)
		return -1;
	rc = PyDict_SetItemString(d, key, value);
	Py_DECREF(value);
	return rc;
}

static int set_int(PyObject *d, const char *key, long long v)
{
	return set_item(d, key, PyLong_FromLongLong(v));
}

static int set_str(PyObject *d, const char *key, const char *s)
{
	return set_item(d, key, PyUnicode_FromString(s));
}

static uint64_t elements(const struct mpk_ctype *t)
{
	uint64_t n = 1;
	size_t i;

	for (i = 0; i < t->ndims; i++)
		n *= t->dims[i];
	return n;
}

/* The dict of one member of a struct/union at nesting @depth. */
static PyObject *member_dict(const struct mpk_member *m, int depth)
{
	uint64_t size = (m->flags & MPK_MEMBER_HAS_SIZE) ? m->size : 0;
	PyObject *d = ctype_dict(&m->type, m->name, size, false, depth + 1);

	if (!d || set_int(d, "bitoffset", m->offset * 8 + m->bit_offset) < 0 ||
	    ((m->flags & MPK_MEMBER_BITFIELD) &&
	     set_int(d, "bitsize", m->bitsize) < 0)) {
		Py_XDECREF(d);
		return NULL;
	}
	return d;
}

/* The body list of a struct/union: one dict per member. */
static PyObject *body_list(const struct mpk_body *body, int depth)
{
	PyObject *list = PyList_New(body->nmembers);
	size_t i;

	for (i = 0; list && i < body->nmembers; i++) {
		PyObject *d = member_dict(&body->members[i], depth);

		if (!d) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, i, d);
	}
	return list;
}

/*
 * The "edef" of an enum: [[name, value], ...] in declaration order, the
 * shape PyKdump gives (lists, not tuples). Every type source builds it
 * here so that the answers cannot drift apart.
 */
PyObject *mpk_edef_list(const struct mpk_enumerator *e, size_t n)
{
	PyObject *list = PyList_New(n);
	size_t i;

	for (i = 0; list && i < n; i++) {
		PyObject *pair = Py_BuildValue("[sL]", e[i].name,
					       (long long)e[i].value);

		if (!pair)
			Py_CLEAR(list);
		else
			PyList_SET_ITEM(list, i, pair);
	}
	return list;
}

/*
 * The edef of an enum type as written in a declaration: gdb prints the
 * enumerators inline only for untagged enums, so a tagged one is looked
 * up by its tag. PyKdump gave edef for every enum (also behind pointers
 * and in arrays); an enum gdb knows only by name has none: [].
 */
static PyObject *enum_edef(const struct mpk_ctype *t)
{
	const struct mpk_ptype *p;
	struct mpk_error *err;
	char tag[512];

	if (t->flags & MPK_CTYPE_ENUM_BODY)
		return mpk_edef_list(t->enumerators, t->nenumerators);
	if (!t->name)
		return PyList_New(0);
	snprintf(tag, sizeof(tag), "enum %s", t->name);
	err = mpk_type_ptype(tag, false, &p);
	if (err && err->code == MPK_ERROR_LOOKUP) {
		mpk_error_destroy(err);
		return PyList_New(0);
	}
	if (err)
		return mpk_raise(err);
	if (p->type.kind != MPK_CTYPE_ENUM ||
	    !(p->type.flags & MPK_CTYPE_ENUM_BODY))
		return PyList_New(0);
	return mpk_edef_list(p->type.enumerators, p->type.nenumerators);
}

static PyObject *prototype_list(const struct mpk_ctype *t, int depth)
{
	PyObject *list = PyList_New(t->nparams + 1);
	size_t i;

	if (!list)
		return NULL;
	for (i = 0; i <= t->nparams; i++) {
		char name[32];
		const struct mpk_ctype *p = i ? &t->params[i - 1] : t->target;
		PyObject *d;

		if (i)
			snprintf(name, sizeof(name), "arg%zu", i - 1);
		else
			snprintf(name, sizeof(name), "returntype");
		d = p ? ctype_dict(p, name, 0, false, depth + 1) : NULL;
		if (!d) {
			if (!PyErr_Occurred())
				PyErr_SetString(PyExc_ValueError,
						"function without return type");
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, i, d);
	}
	return list;
}

/*
 * The type a typedef name stands for in @ret, NULL if gdb does not know
 * it. -1 with an exception for anything else (a ^C): an answer built on
 * a lookup that did not finish would be cached by the caller.
 */
static int resolve_typedef(const char *name, const struct mpk_ptype **ret)
{
	struct mpk_error *err = mpk_type_ptype(name, true, ret);

	if (err && err->code != MPK_ERROR_LOOKUP) {
		mpk_raise(err);
		return -1;
	}
	if (err) {
		mpk_error_destroy(err);
		*ret = NULL;
	}
	return 0;
}

/* The gdb type code of what t finally is (for ptrbasetype); -1: error. */
static int final_code(const struct mpk_ctype *t, int depth)
{
	struct mpk_base_type base;
	const struct mpk_ptype *p;

	if (depth > MPK_PTYPE_MAX_DEPTH)
		return MPK_TYPE_CODE_UNDEF;
	switch (t->kind) {
	case MPK_CTYPE_STRUCT:
		return MPK_TYPE_CODE_STRUCT;
	case MPK_CTYPE_UNION:
		return MPK_TYPE_CODE_UNION;
	case MPK_CTYPE_ENUM:
		return MPK_TYPE_CODE_ENUM;
	case MPK_CTYPE_FUNCTION:
		return MPK_TYPE_CODE_FUNC;
	case MPK_CTYPE_ARRAY:
		return MPK_TYPE_CODE_ARRAY;
	case MPK_CTYPE_NAME:
		if (mpk_base_type(t->name, &base))
			return base.code;
		if (resolve_typedef(t->name, &p) < 0)
			return -1;
		if (!p)
			return MPK_TYPE_CODE_UNDEF;
		if (p->type.stars)
			return MPK_TYPE_CODE_PTR;
		return final_code(&p->type, depth + 1);
	default:
		return MPK_TYPE_CODE_UNDEF;
	}
}

/*
 * The dictionary of one type, PyKdump's layout: basetype, codetype,
 * typelength (element size for arrays, pointer size for pointers), and
 * stars, ptrbasetype, dims, uint, typedef, body, edef, prototype where
 * they apply. @size_hint is the byte size gdb printed for a member.
 */
static PyObject *ctype_dict(const struct mpk_ctype *t, const char *fname,
			    uint64_t size_hint, bool expand, int depth)
{
	PyObject *d;
	struct mpk_ctype merged;
	const char *typedef_name = NULL;
	struct mpk_base_type base;
	uint64_t n;
	int code;
	long long length = -1;

	if (depth > MPK_PTYPE_MAX_DEPTH) {
		PyErr_SetString(PyExc_RecursionError, "type nests too deeply");
		return NULL;
	}
	merged = *t;
	/* A typedef name: report what it stands for, remembering the name. */
	while (merged.kind == MPK_CTYPE_NAME &&
	       !mpk_base_type(merged.name, &base)) {
		const struct mpk_ptype *p;
		unsigned int stars = merged.stars;
		size_t ndims = merged.ndims;
		const uint64_t *dims = merged.dims;

		if (resolve_typedef(merged.name, &p) < 0)
			return NULL;
		if (!p || depth++ > MPK_PTYPE_MAX_DEPTH)
			break;
		if (!typedef_name)
			typedef_name = merged.name;
		merged = p->type;
		merged.stars += stars;
		if (ndims) {
			merged.ndims = ndims;
			merged.dims = dims;
		}
	}
	d = PyDict_New();
	if (!d)
		return NULL;
	if (fname && set_str(d, "fname", fname) < 0)
		goto fail;
	if (typedef_name && set_str(d, "typedef", typedef_name) < 0)
		goto fail;
	if (merged.ndims) {
		PyObject *dims = PyList_New(merged.ndims);
		size_t i;

		for (i = 0; dims && i < merged.ndims; i++)
			PyList_SET_ITEM(dims, i,
					PyLong_FromUnsignedLongLong(merged.dims[i]));
		if (set_item(d, "dims", dims) < 0)
			goto fail;
	}
	n = elements(&merged);
	if (size_hint && n)
		length = size_hint / n;

	switch (merged.kind) {
	case MPK_CTYPE_NAME:
		if (mpk_base_type(merged.name, &base)) {
			code = base.code;
			if (set_str(d, "basetype", merged.name) < 0 ||
			    (code == MPK_TYPE_CODE_INT &&
			     set_int(d, "uint", base.is_unsigned) < 0))
				goto fail;
			if (!merged.stars)
				length = base.size;
		} else {
			code = MPK_TYPE_CODE_UNDEF;
			if (set_str(d, "basetype", merged.name) < 0)
				goto fail;
		}
		break;
	case MPK_CTYPE_STRUCT:
	case MPK_CTYPE_UNION: {
		bool is_union = merged.kind == MPK_CTYPE_UNION;
		const char *word = is_union ? "union" : "struct";
		PyObject *bt = merged.name ?
			PyUnicode_FromFormat("%s %s", word, merged.name) :
			PyUnicode_FromString(word);

		code = is_union ? MPK_TYPE_CODE_UNION : MPK_TYPE_CODE_STRUCT;
		if (set_item(d, "basetype", bt) < 0)
			goto fail;
		if (merged.body && (merged.body->flags & MPK_BODY_HAS_SIZE) &&
		    !merged.stars)
			length = merged.body->size;
		if (length <= 0 && merged.name && !merged.stars) {
			char tag[512];

			long size;
			struct mpk_error *err;

			snprintf(tag, sizeof(tag), "%s %s", word, merged.name);
			err = mpk_type_size(tag, &size);
			if (err) {
				mpk_raise(err);
				goto fail;
			}
			length = size;
		}
		/* Tagged bodies are fetched by name; untagged ones only here. */
		if (merged.body && (!merged.name || (expand && !merged.stars)) &&
		    set_item(d, "body", body_list(merged.body, depth)) < 0)
			goto fail;
		break;
	}
	case MPK_CTYPE_ENUM: {
		PyObject *bt = merged.name ?
			PyUnicode_FromFormat("enum %s", merged.name) :
			PyUnicode_FromString("enum");

		code = MPK_TYPE_CODE_ENUM;
		if (set_item(d, "basetype", bt) < 0)
			goto fail;
		if (!merged.stars && length <= 0)
			length = 4;
		if (set_item(d, "edef", enum_edef(&merged)) < 0)
			goto fail;
		break;
	}
	case MPK_CTYPE_FUNCTION:
		code = MPK_TYPE_CODE_FUNC;
		if (set_str(d, "basetype", "(func)") < 0 ||
		    set_item(d, "prototype", prototype_list(&merged, depth)) < 0)
			goto fail;
		if (!merged.stars)
			length = 1;
		break;
	case MPK_CTYPE_ARRAY:
		/* A pointer to an array: describe the pointer. */
		code = MPK_TYPE_CODE_ARRAY;
		if (set_str(d, "basetype", "(array)") < 0)
			goto fail;
		break;
	default:
		code = MPK_TYPE_CODE_UNDEF;
		if (set_str(d, "basetype", merged.name ? merged.name : "?") < 0)
			goto fail;
		break;
	}
	if (merged.stars) {
		int ptrbase = final_code(&merged, depth);

		if (ptrbase < 0 || set_int(d, "stars", merged.stars) < 0 ||
		    set_int(d, "ptrbasetype", ptrbase) < 0)
			goto fail;
		code = MPK_TYPE_CODE_PTR;
		length = 8;
	}
	if (set_int(d, "codetype", code) < 0 ||
	    set_int(d, "typelength", length) < 0)
		goto fail;
	return d;
fail:
	Py_DECREF(d);
	return NULL;
}

PyDoc_STRVAR(gdb_typeinfo_doc,
"gdb_typeinfo(typename) -> dict\n\n"
"Layout of a type from the debuginfo (ptype /o): basetype, codetype,\n"
"typelength, and body (members with fname, bitoffset, bitsize) for\n"
"structs and unions. Unknown types raise crash.error naming them.");

static PyObject *crash_gdb_typeinfo(PyObject *self, PyObject *args)
{
	const char *name;
	const struct mpk_ptype *p;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "s:gdb_typeinfo", &name))
		return NULL;
	err = mpk_type_ptype(name, true, &p);
	if (err)
		return mpk_raise(err);
	return ctype_dict(&p->type, NULL, 0, true, 0);
}

PyDoc_STRVAR(gdb_typeinfo_filled_doc,
"_gdb_typeinfo_filled(typename) -> dict\n\n"
"gdb_typeinfo() from gdb's plain ptype with the offsets from crash's\n"
"datatype_info: what gdb 16 answers for a struct with a flexible array\n"
"becomes. For the tests; programs use gdb_typeinfo().");

static PyObject *crash__gdb_typeinfo_filled(PyObject *self, PyObject *args)
{
	const char *name;
	const struct mpk_ptype *p;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "s:_gdb_typeinfo_filled", &name))
		return NULL;
	err = mpk_type_ptype_filled(name, &p);
	if (err)
		return mpk_raise(err);
	return ctype_dict(&p->type, NULL, 0, true, 0);
}

/*
 * The struct/union body gdb_typeinfo(@name) would list, or NULL with no
 * exception when @name is not a struct or union (a pointer, a base type).
 */
static int su_body(const char *name, const struct mpk_ptype **ret_p,
		   const struct mpk_body **ret)
{
	const struct mpk_ptype *p;
	struct mpk_error *err = mpk_type_ptype(name, true, &p);

	if (err) {
		mpk_raise(err);
		return -1;
	}
	*ret_p = p;
	*ret = (p->type.kind == MPK_CTYPE_STRUCT ||
		p->type.kind == MPK_CTYPE_UNION) && !p->type.stars &&
		!p->type.ndims ? p->type.body : NULL;
	return 0;
}

PyDoc_STRVAR(su_fields_doc,
"_su_fields(typename) -> (typelength, fields) or None\n\n"
"What SUInfo needs first, without the members' types: typelength as\n"
"gdb_typeinfo() gives it, and per member of the body (fname, bitoffset,\n"
"bitsize or None, dict or None): the dict, as in gdb_typeinfo()'s body,\n"
"only for nameless members. None when typename is not a struct or union.\n"
"_su_member() gives a named member's dict on first use.");

/* (fname, bitoffset, bitsize or None, dict or None) of member @m. */
static PyObject *su_field(const struct mpk_member *m)
{
	PyObject *anon = Py_None, *bitsize = Py_None, *t = NULL;

	Py_INCREF(anon);
	Py_INCREF(bitsize);
	if (!*m->name) {
		Py_DECREF(anon);
		anon = member_dict(m, 0);
	}
	if (m->flags & MPK_MEMBER_BITFIELD) {
		Py_DECREF(bitsize);
		bitsize = PyLong_FromUnsignedLong(m->bitsize);
	}
	if (anon && bitsize)
		t = Py_BuildValue("(sKOO)", m->name,
				  (unsigned long long)(m->offset * 8 +
						       m->bit_offset),
				  bitsize, anon);
	Py_XDECREF(anon);
	Py_XDECREF(bitsize);
	return t;
}

/* _su_fields()'s fields of @body: one su_field() per member. */
static PyObject *su_fields(const struct mpk_body *body)
{
	PyObject *fields = PyTuple_New(body->nmembers);
	size_t i;

	for (i = 0; fields && i < body->nmembers; i++) {
		PyObject *t = su_field(&body->members[i]);

		if (!t)
			Py_CLEAR(fields);
		else
			PyTuple_SET_ITEM(fields, i, t);
	}
	return fields;
}

/* mpk_type_su_members()'s callback: su_field() appended to a list. */
static int append_su_field(const struct mpk_member *m, void *arg)
{
	PyObject *t = su_field(m);
	int rc = t ? PyList_Append(arg, t) : -1;

	Py_XDECREF(t);
	return rc;
}

static PyObject *crash__su_fields(PyObject *self, PyObject *args)
{
	const char *name;
	const struct mpk_ptype *p;
	const struct mpk_body *body;
	PyObject *top, *fields, *length, *ret = NULL;
	struct mpk_error *err;
	uint64_t size;
	bool answered;
	int rc;

	if (!PyArg_ParseTuple(args, "s:_su_fields", &name))
		return NULL;
	/* from BTF member by member: no type walked for named members */
	fields = PyList_New(0);
	if (!fields)
		return NULL;
	err = mpk_type_su_members(name, -1, &answered, &size,
				  append_su_field, fields, &rc);
	if (err || rc || answered) {
		if (err)
			mpk_raise(err);
		else if (!rc)	/* a struct's size, as ctype_dict() says */
			ret = Py_BuildValue("(KN)", (unsigned long long)size,
					    PyList_AsTuple(fields));
		Py_DECREF(fields);
		return ret;
	}
	Py_DECREF(fields);
	if (su_body(name, &p, &body) < 0)
		return NULL;
	if (!body)
		Py_RETURN_NONE;
	/* the top dict without its members: typelength as gdb_typeinfo's */
	top = ctype_dict(&p->type, NULL, 0, false, 0);
	if (!top)
		return NULL;
	length = PyDict_GetItemString(top, "typelength");	/* borrowed */
	fields = length ? su_fields(body) : NULL;
	if (fields)
		ret = Py_BuildValue("(ON)", length, fields);
	Py_DECREF(top);
	return ret;
}

PyDoc_STRVAR(su_member_doc,
"_su_member(typename, index) -> dict\n\n"
"The dict of member number index of struct/union typename, as in\n"
"gdb_typeinfo(typename)['body'][index]: SUInfo builds a member's\n"
"TypeInfo from it on first use.");

/* mpk_type_su_members()'s callback: member_dict() in *arg. */
static int su_member_dict(const struct mpk_member *m, void *arg)
{
	PyObject **d = arg;

	*d = member_dict(m, 0);
	return *d ? 0 : -1;
}

static PyObject *crash__su_member(PyObject *self, PyObject *args)
{
	const char *name;
	const struct mpk_ptype *p;
	const struct mpk_body *body;
	Py_ssize_t index;

	if (!PyArg_ParseTuple(args, "sn:_su_member", &name, &index))
		return NULL;
	if (index >= 0) {
		/* from BTF: this member's type only */
		PyObject *d = NULL;
		struct mpk_error *err;
		uint64_t size;
		bool answered;
		int rc;

		err = mpk_type_su_members(name, index, &answered, &size,
					  su_member_dict, &d, &rc);
		if (err)
			return mpk_raise(err);
		if (answered)
			return d;
	}
	if (su_body(name, &p, &body) < 0)
		return NULL;
	if (!body) {
		PyErr_Format(PyExc_TypeError, "%s is not a struct or union",
			     name);
		return NULL;
	}
	if (index < 0 || (size_t)index >= body->nmembers) {
		PyErr_Format(PyExc_IndexError, "%s has no member number %zd",
			     name, index);
		return NULL;
	}
	return member_dict(&body->members[index], 0);
}

PyDoc_STRVAR(su_lazy_doc,
"_su_lazy(typename, fname=None) -> (typelength, member) or None\n\n"
"What SUInfo needs to start from the kernel's BTF without reading every\n"
"member: None when BTF does not answer for typename as a struct or union\n"
"(then _su_fields() does); member is None, or with fname, when the\n"
"struct has a member fname outside its anonymous members, (index, dict):\n"
"its number and its dict as in gdb_typeinfo(typename)['body'][index].");

/* A member's number, then _su_lazy()'s (number, dict) of it. */
struct su_hit {
	long index;
	PyObject *ret;
};

/* mpk_type_su_members()'s callback: (number, member_dict()) in *arg. */
static int su_numbered_dict(const struct mpk_member *m, void *arg)
{
	struct su_hit *a = arg;
	PyObject *d = member_dict(m, 0);

	a->ret = d ? Py_BuildValue("(lN)", a->index, d) : NULL;
	return a->ret ? 0 : -1;
}

static PyObject *crash__su_lazy(PyObject *self, PyObject *args)
{
	const char *name, *fname = NULL;
	struct su_hit hit = { -1, NULL };
	struct mpk_error *err;
	uint64_t size;
	bool answered;
	int rc;

	if (!PyArg_ParseTuple(args, "s|z:_su_lazy", &name, &fname))
		return NULL;
	/* "" is no member's name: the size alone */
	err = mpk_type_su_find(name, fname ? fname : "", &answered, &size,
			       &hit.index);
	if (err)
		return mpk_raise(err);
	if (!answered)
		Py_RETURN_NONE;
	if (hit.index < 0)
		return Py_BuildValue("(KO)", (unsigned long long)size, Py_None);
	err = mpk_type_su_members(name, hit.index, &answered, &size,
				  su_numbered_dict, &hit, &rc);
	if (err) {
		Py_XDECREF(hit.ret);
		return mpk_raise(err);
	}
	if (rc)
		return NULL;
	if (!hit.ret)	/* the layout changed in between: cannot be */
		return PyErr_Format(PyExc_RuntimeError,
				    "%s: member %s went away", name, fname);
	return Py_BuildValue("(KN)", (unsigned long long)size, hit.ret);
}

PyDoc_STRVAR(gdb_whatis_doc,
"gdb_whatis(expr) -> dict\n\n"
"Type of a global or expression (whatis), with fname=expr; unknown\n"
"symbols raise crash.error.");

static PyObject *crash_gdb_whatis(PyObject *self, PyObject *args)
{
	const char *expr;
	const struct mpk_ptype *p;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "s:gdb_whatis", &expr))
		return NULL;
	err = mpk_type_whatis(expr, &p);
	if (err)
		return mpk_raise(err);
	/*
	 * An anonymous struct's members, and an untagged enum's
	 * enumerators, are only in ptype's answer.
	 */
	if ((((p->type.kind == MPK_CTYPE_STRUCT ||
	       p->type.kind == MPK_CTYPE_UNION) && !p->type.body) ||
	     (p->type.kind == MPK_CTYPE_ENUM &&
	      !(p->type.flags & MPK_CTYPE_ENUM_BODY))) && !p->type.name) {
		err = mpk_type_ptype(expr, true, &p);
		if (err)
			return mpk_raise(err);
	}
	return ctype_dict(&p->type, expr, 0, false, 0);
}

PyDoc_STRVAR(struct_size_doc,
"struct_size(name) -> int\n\nSize of a struct/union/typedef from crash, -1 if unknown.");

static PyObject *crash_struct_size(PyObject *self, PyObject *args)
{
	const char *name;

	long size;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "s:struct_size", &name))
		return NULL;
	err = mpk_type_size(name, &size);
	if (err)
		return mpk_raise(err);
	return PyLong_FromLong(size);
}

/* A member's offset (@want_size false) or size, args parsed by @fmt. */
static PyObject *member_info(PyObject *args, const char *fmt, bool want_size)
{
	const char *name, *member;
	long v;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, fmt, &name, &member))
		return NULL;
	err = want_size ? mpk_member_size(name, member, &v) :
			  mpk_member_offset(name, member, &v);
	if (err)
		return mpk_raise(err);
	return PyLong_FromLong(v);
}

PyDoc_STRVAR(member_offset_doc,
"member_offset(struct, member) -> int\n\nOffset from crash, -1 if unknown.");

static PyObject *crash_member_offset(PyObject *self, PyObject *args)
{
	return member_info(args, "ss:member_offset", false);
}

PyDoc_STRVAR(member_size_doc,
"member_size(struct, member) -> int\n\nSize from crash, -1 if unknown.");

static PyObject *crash_member_size(PyObject *self, PyObject *args)
{
	return member_info(args, "ss:member_size", true);
}

PyDoc_STRVAR(type_generation_doc,
"type_generation() -> int\n\n"
"Changes whenever module debuginfo is loaded or unloaded; caches of\n"
"type information must be dropped when it does.");

static PyObject *crash_type_generation(PyObject *self, PyObject *noargs)
{
	return PyLong_FromUnsignedLong(mpk_type_generation());
}

PyDoc_STRVAR(type_source_doc,
"type_source([source]) -> str\n\n"
"Where types come from: 'auto' (the kernel's BTF first, gdb for the\n"
"rest), 'btf' (type names from BTF only) or 'gdb' (never BTF). With an\n"
"argument, force that source for the session (as PYKDUMP_TYPES does)\n"
"and return the previous one; caches follow (type_generation changes).");

static PyObject *crash_type_source(PyObject *self, PyObject *args)
{
	static const char *const names[] = {
		[MPK_TYPES_AUTO] = "auto",
		[MPK_TYPES_BTF] = "btf",
		[MPK_TYPES_GDB] = "gdb",
	};
	const char *want = NULL;
	enum mpk_type_source old = mpk_type_source();
	size_t i;

	if (!PyArg_ParseTuple(args, "|s:type_source", &want))
		return NULL;
	if (want) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(want, names[i]))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			PyErr_Format(PyExc_ValueError,
				     "type source %s: not auto, btf or gdb",
				     want);
			return NULL;
		}
		mpk_type_source_set(i);
	}
	return PyUnicode_FromString(names[old]);
}

PyDoc_STRVAR(type_origin_doc,
"type_origin() -> str\n\n"
"One line saying where types come from: the kernel's BTF (from the\n"
"vmlinux file or the dump's memory), or gdb and why.");

static PyObject *crash_type_origin(PyObject *self, PyObject *noargs)
{
	return PyUnicode_FromString(mpk_type_origin());
}

static int append_name(const char *name, void *arg)
{
	PyObject *s = PyUnicode_FromString(name);
	int rc = s ? PyList_Append(arg, s) : -1;

	Py_XDECREF(s);
	return rc;
}

PyDoc_STRVAR(btf_type_names_doc,
"btf_type_names(ambiguous=False) -> list\n\n"
"Every named struct, union and enum of the kernel's BTF ('struct tag'),\n"
"in BTF order; with ambiguous=True only the names BTF cannot decide:\n"
"two definitions share them, or an enum's signs are not in BTF (gdb\n"
"answers those unless BTF is forced); [] without BTF.");

static PyObject *crash_btf_type_names(PyObject *self, PyObject *args,
				      PyObject *kwargs)
{
	static char *kwlist[] = { "ambiguous", NULL };
	int ambiguous = 0;
	PyObject *list;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|p:btf_type_names",
					 kwlist, &ambiguous))
		return NULL;
	list = PyList_New(0);
	if (list && mpk_type_each_btf_type(ambiguous, append_name, list))
		Py_CLEAR(list);
	return list;
}

PyDoc_STRVAR(btf_var_names_doc,
"btf_var_names() -> list\n\n"
"Every variable the kernel's BTF has a VAR entry for (its per-CPU\n"
"variables), in BTF order; gdb_whatis answers those from BTF; [] without\n"
"BTF.");

static PyObject *crash_btf_var_names(PyObject *self, PyObject *noargs)
{
	PyObject *list = PyList_New(0);

	if (list && mpk_type_each_btf_var(append_name, list))
		Py_CLEAR(list);
	return list;
}

PyDoc_STRVAR(type_gdb_requests_doc,
"_type_gdb_requests() -> int\n\n"
"How many gdb requests (ptype, whatis, datatype_info) type questions\n"
"made in this session: for the tests and the benchmarks.");

static PyObject *crash__type_gdb_requests(PyObject *self, PyObject *noargs)
{
	return PyLong_FromUnsignedLong(mpk_type_gdb_requests());
}

PyDoc_STRVAR(type_gdb_layouts_doc,
"_type_gdb_layouts() -> int\n\n"
"How many of the gdb requests of _type_gdb_requests() answered with a\n"
"whole struct or union layout (ptype): for the tests.");

static PyObject *crash__type_gdb_layouts(PyObject *self, PyObject *noargs)
{
	return PyLong_FromUnsignedLong(mpk_type_gdb_layouts());
}

PyDoc_STRVAR(type_from_btf_doc,
"type_from_btf(name) -> bool\n\n"
"Whether the kernel's BTF answers for the type name now: BTF has it with\n"
"one definition (so it is the type of every vmlinux global of that\n"
"name), and types are not forced from gdb.");

static PyObject *crash_type_from_btf(PyObject *self, PyObject *args)
{
	const char *name;

	if (!PyArg_ParseTuple(args, "s:type_from_btf", &name))
		return NULL;
	return PyBool_FromLong(mpk_type_from_btf(name));
}

PyMethodDef mpk_types_methods[] = {
	{ "type_from_btf", crash_type_from_btf, METH_VARARGS,
	  type_from_btf_doc },
	{ "type_source", crash_type_source, METH_VARARGS, type_source_doc },
	{ "type_origin", crash_type_origin, METH_NOARGS, type_origin_doc },
	{ "btf_type_names", (PyCFunction)(void (*)(void))crash_btf_type_names,
	  METH_VARARGS | METH_KEYWORDS, btf_type_names_doc },
	{ "btf_var_names", crash_btf_var_names, METH_NOARGS,
	  btf_var_names_doc },
	{ "_type_gdb_requests", crash__type_gdb_requests, METH_NOARGS,
	  type_gdb_requests_doc },
	{ "gdb_typeinfo", crash_gdb_typeinfo, METH_VARARGS, gdb_typeinfo_doc },
	{ "gdb_whatis", crash_gdb_whatis, METH_VARARGS, gdb_whatis_doc },
	{ "_gdb_typeinfo_filled", crash__gdb_typeinfo_filled, METH_VARARGS,
	  gdb_typeinfo_filled_doc },
	{ "_su_fields", crash__su_fields, METH_VARARGS, su_fields_doc },
	{ "_type_gdb_layouts", crash__type_gdb_layouts, METH_NOARGS,
	  type_gdb_layouts_doc },
	{ "_su_member", crash__su_member, METH_VARARGS, su_member_doc },
	{ "_su_lazy", crash__su_lazy, METH_VARARGS, su_lazy_doc },
	{ "struct_size", crash_struct_size, METH_VARARGS, struct_size_doc },
	{ "union_size", crash_struct_size, METH_VARARGS, struct_size_doc },
	{ "member_offset", crash_member_offset, METH_VARARGS,
	  member_offset_doc },
	{ "member_size", crash_member_size, METH_VARARGS, member_size_doc },
	{ "type_generation", crash_type_generation, METH_NOARGS,
	  type_generation_doc },
	{ NULL, NULL, 0, NULL },
};

int mpk_types_add_constants(PyObject *module)
{
	static const struct {
		const char *name;
		int value;
	} codes[] = {
		{ "TYPE_CODE_PTR", MPK_TYPE_CODE_PTR },
		{ "TYPE_CODE_ARRAY", MPK_TYPE_CODE_ARRAY },
		{ "TYPE_CODE_STRUCT", MPK_TYPE_CODE_STRUCT },
		{ "TYPE_CODE_UNION", MPK_TYPE_CODE_UNION },
		{ "TYPE_CODE_ENUM", MPK_TYPE_CODE_ENUM },
		{ "TYPE_CODE_FUNC", MPK_TYPE_CODE_FUNC },
		{ "TYPE_CODE_INT", MPK_TYPE_CODE_INT },
		{ "TYPE_CODE_FLT", MPK_TYPE_CODE_FLT },
		{ "TYPE_CODE_VOID", MPK_TYPE_CODE_VOID },
		{ "TYPE_CODE_BOOL", MPK_TYPE_CODE_BOOL },
		{ "TYPE_CODE_TYPEDEF", MPK_TYPE_CODE_TYPEDEF },
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (PyModule_AddIntConstant(module, codes[i].name,
					    codes[i].value) < 0)
			return -1;
	return 0;
}
