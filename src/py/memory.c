// SPDX-License-Identifier: GPL-2.0-or-later
/* Bindings of src/memory.c: reads, integer conversion, bulk walkers. */

#include <endian.h>

#include "mpk/memory.h"
#include "mpk/session.h"
#include "pycrash.h"

/* O& converter of a memory type: crash's readmem() takes any int. */
static int memtype_converter(PyObject *obj, void *ret)
{
	long v = PyLong_AsLong(obj);

	if (v == -1 && PyErr_Occurred())
		return 0;
	if (v < INT_MIN || v > INT_MAX || !mpk_memtype_valid(v)) {
		PyErr_Format(PyExc_ValueError,
			     "unknown memory type %ld (KVADDR, UVADDR, PHYSADDR, "
			     "XENMACHADDR or FILEADDR)", v);
		return 0;
	}
	*(int *)ret = (int)v;
	return 1;
}

PyDoc_STRVAR(readmem_doc,
"readmem(addr, size[, mtype]) -> bytes\n\n"
"Read size bytes at addr (default memory type: KVADDR, or UVADDR after\n"
"set_readmem_task). addr 0 raises IndexError; a failed read raises\n"
"crash.error naming the address and size.");

static PyObject *crash_readmem(PyObject *self, PyObject *args)
{
	uint64_t addr;
	Py_ssize_t size;
	int mtype = mpk_default_memtype();
	struct mpk_error *err;
	PyObject *bytes;

	if (!PyArg_ParseTuple(args, "O&n|O&:readmem", mpk_addr_converter,
			      &addr, &size, memtype_converter, &mtype))
		return NULL;
	if (size < 0)
		return PyErr_Format(PyExc_ValueError, "negative size %zd",
				    size);
	bytes = PyBytes_FromStringAndSize(NULL, size);
	if (!bytes)
		return NULL;
	err = mpk_read(addr, mtype, PyBytes_AS_STRING(bytes), size);
	if (err) {
		Py_DECREF(bytes);
		return mpk_raise(err);
	}
	return bytes;
}

PyDoc_STRVAR(readPtr_doc,
"readPtr(addr[, mtype]) -> int\n\n"
"Read one unsigned pointer-sized value at addr.");

static PyObject *crash_readPtr(PyObject *self, PyObject *args)
{
	uint64_t addr, val;
	int mtype = mpk_default_memtype();
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "O&|O&:readPtr", mpk_addr_converter, &addr,
			      memtype_converter, &mtype))
		return NULL;
	err = mpk_read_ptr(addr, mtype, &val);
	if (err)
		return mpk_raise(err);
	return PyLong_FromUnsignedLongLong(val);
}

/* A native integer of 1, 2, 4 or 8 bytes as a Python int. */
static PyObject *int_from_bytes(const char *buf, Py_ssize_t size,
				int is_signed)
{
	int64_t v;
	struct mpk_error *err = mpk_decode_int(buf, size, is_signed, &v);

	if (err)
		return mpk_raise(err);
	if (is_signed)
		return PyLong_FromLongLong(v);
	return PyLong_FromUnsignedLongLong((uint64_t)v);
}

PyDoc_STRVAR(readInt_doc,
"readInt(addr, size[, signed=0]) -> int\n\n"
"Read an integer of size 1, 2, 4 or 8 bytes at addr (default memory\n"
"type). Other sizes raise crash.error('bad size ...').");

static PyObject *crash_readInt(PyObject *self, PyObject *args)
{
	uint64_t addr;
	Py_ssize_t size;
	int is_signed = 0;
	char buf[8];
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "O&n|p:readInt", mpk_addr_converter,
			      &addr, &size, &is_signed))
		return NULL;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return mpk_raise(mpk_error_create(MPK_ERROR_INVALID,
						  "bad size %zd", size));
	err = mpk_read(addr, mpk_default_memtype(), buf, size);
	if (err)
		return mpk_raise(err);
	return int_from_bytes(buf, size, is_signed);
}

PyDoc_STRVAR(mem2long_doc,
"mem2long(bytestr, signed=0, array=0) -> int or list\n\n"
"Convert native-endian bytes: one integer of len(bytestr) bytes, or with\n"
"array=N > 1 a list of N integers of len/N bytes each.");

/* One int of @buf, or a list of @array ints of equal size if @array > 1. */
static PyObject *ints_from_buffer(const Py_buffer *buf, int is_signed,
				  Py_ssize_t array)
{
	_cleanup_pydecref_ PyObject *list = NULL;
	Py_ssize_t i, esize;

	if (array <= 1)
		return int_from_bytes(buf->buf, buf->len, is_signed);
	esize = buf->len / array;
	if (esize * array != buf->len)
		return mpk_raise(mpk_error_create(MPK_ERROR_INVALID,
					"bad size: %zd bytes for %zd elements",
					buf->len, array));
	list = PyList_New(array);
	if (!list)
		return NULL;
	for (i = 0; i < array; i++) {
		PyObject *v = int_from_bytes((const char *)buf->buf + i * esize,
					     esize, is_signed);

		if (!v)
			return NULL;
		PyList_SET_ITEM(list, i, v);
	}
	return Py_NewRef(list);
}

static PyObject *crash_mem2long(PyObject *self, PyObject *args,
				PyObject *kwargs)
{
	static char *kwlist[] = { "source", "signed", "array", NULL };
	Py_buffer buf;
	int is_signed = 0;
	Py_ssize_t array = 0;
	PyObject *list;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "y*|pn:mem2long",
					 kwlist, &buf, &is_signed, &array))
		return NULL;
	list = ints_from_buffer(&buf, is_signed, array);
	PyBuffer_Release(&buf);
	return list;
}

PyDoc_STRVAR(follow_next_doc,
"follow_next(start, offset, maxel) -> (addrs, end, bad_addr)\n\n"
"Follow next = *(next + offset) from start and return the addresses after\n"
"start, with why the walk ended: WALK_NULL, WALK_HEAD (back at start),\n"
"WALK_LOOP (bad_addr seen twice), WALK_MAXEL or WALK_FAULT (bad_addr\n"
"unreadable). Loops and bad pointers never raise: the caller decides.");

static PyObject *crash_follow_next(PyObject *self, PyObject *args)
{
	uint64_t start;
	long long offset;
	Py_ssize_t maxel;
	struct mpk_walk walk;
	struct mpk_error *err;
	PyObject *list;

	if (!PyArg_ParseTuple(args, "O&Ln:follow_next", mpk_addr_converter,
			      &start, &offset, &maxel))
		return NULL;
	if (!start)
		return Py_BuildValue("([]iK)", MPK_WALK_NULL, 0ULL);
	err = mpk_follow_next(start, offset, maxel < 0 ? 0 : maxel, &walk);
	if (err)
		return mpk_raise(err);
	list = mpk_list_from_u64(walk.addrs, walk.n);
	mpk_walk_deinit(&walk);
	if (!list)
		return NULL;
	return Py_BuildValue("(NiK)", list, (int)walk.end,
			     (unsigned long long)walk.bad_addr);
}

PyDoc_STRVAR(getListSize_doc,
"getListSize(addr, offset, maxel) -> int\n\n"
"Count the elements after addr of a list linked at offset, until the\n"
"pointer returns to addr. A NULL-terminated list counts the NULL as one\n"
"element, as PyKdump did.");

static PyObject *crash_getListSize(PyObject *self, PyObject *args)
{
	uint64_t addr;
	long long offset;
	Py_ssize_t maxel;
	struct mpk_walk walk;
	struct mpk_error *err;
	size_t n;

	if (!PyArg_ParseTuple(args, "O&Ln:getListSize", mpk_addr_converter,
			      &addr, &offset, &maxel))
		return NULL;
	err = mpk_follow_next(addr, offset, maxel < 0 ? 0 : maxel, &walk);
	if (err)
		return mpk_raise(err);
	n = walk.n;
	mpk_walk_deinit(&walk);
	if (walk.end == MPK_WALK_FAULT)
		return mpk_raise(mpk_error_fault(walk.bad_addr, 8));
	/* COMPAT §24.15: the terminating NULL counts as an element. */
	if (walk.end == MPK_WALK_NULL)
		n++;
	return PyLong_FromSize_t(n);
}

PyDoc_STRVAR(readPtrArray_doc,
"readPtrArray(addr, n) -> list of int\n\n"
"Read n pointers at addr with one read.");

static PyObject *crash_readPtrArray(PyObject *self, PyObject *args)
{
	uint64_t addr, *ptrs;
	Py_ssize_t n;
	struct mpk_error *err;
	PyObject *list;

	if (!PyArg_ParseTuple(args, "O&n:readPtrArray", mpk_addr_converter,
			      &addr, &n))
		return NULL;
	if (n < 0)
		return PyErr_Format(PyExc_ValueError, "negative count %zd", n);
	err = mpk_read_ptr_array(addr, n, &ptrs);
	if (err)
		return mpk_raise(err);
	list = mpk_list_from_u64(ptrs, n);
	free(ptrs);
	return list;
}

/* getFullBuckets and getFullBucketsH: one read, then the non-NULL chains. */
static PyObject *full_buckets(PyObject *args, const char *fmt, int with_index)
{
	uint64_t start;
	int bsize, items, chain_off, i;
	struct mpk_error *err;
	PyObject *list, *buf;
	const char *p;

	if (!PyArg_ParseTuple(args, fmt, mpk_addr_converter, &start, &bsize,
			      &items, &chain_off))
		return NULL;
	if (bsize <= 0 || items < 0 || chain_off < 0 ||
	    chain_off + 8 > bsize)
		return PyErr_Format(PyExc_ValueError,
				    "bad bucket geometry (size %d, offset %d)",
				    bsize, chain_off);
	buf = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)bsize * items);
	if (!buf)
		return NULL;
	err = mpk_read(start, MPK_KVADDR, PyBytes_AS_STRING(buf),
		       (size_t)bsize * items);
	if (err) {
		Py_DECREF(buf);
		return mpk_raise(err);
	}
	list = PyList_New(0);
	p = PyBytes_AS_STRING(buf);
	for (i = 0; list && i < items; i++) {
		uint64_t ptr;
		PyObject *v;

		memcpy(&ptr, p + (size_t)i * bsize + chain_off, sizeof(ptr));
		if (!ptr)
			continue;
		v = with_index ? Py_BuildValue("(iK)", i,
					       (unsigned long long)ptr) :
				 PyLong_FromUnsignedLongLong(ptr);
		if (!v || PyList_Append(list, v) < 0)
			Py_CLEAR(list);
		Py_XDECREF(v);
	}
	Py_DECREF(buf);
	return list;
}

PyDoc_STRVAR(getFullBuckets_doc,
"getFullBuckets(start, bsize, items, chain_off) -> list of int\n\n"
"Read items buckets of bsize bytes at start once and return the non-NULL\n"
"pointers found at chain_off in each.");

static PyObject *crash_getFullBuckets(PyObject *self, PyObject *args)
{
	return full_buckets(args, "O&iii:getFullBuckets", 0);
}

PyDoc_STRVAR(getFullBucketsH_doc,
"getFullBucketsH(start, bsize, items, chain_off) -> list of (i, ptr)\n\n"
"Like getFullBuckets, with the index of each non-empty bucket.");

static PyObject *crash_getFullBucketsH(PyObject *self, PyObject *args)
{
	return full_buckets(args, "O&iii:getFullBucketsH", 1);
}

PyDoc_STRVAR(FD_ISSET_doc,
"FD_ISSET(fd, bytes) -> int\n\nWhether bit fd is set in an fd_set.");

static PyObject *crash_FD_ISSET(PyObject *self, PyObject *args)
{
	int fd;
	Py_buffer buf;
	int set;

	if (!PyArg_ParseTuple(args, "iy*:FD_ISSET", &fd, &buf))
		return NULL;
	set = fd >= 0 && fd / 8 < buf.len &&
	      (((const unsigned char *)buf.buf)[fd / 8] >> (fd % 8)) & 1;
	PyBuffer_Release(&buf);
	return PyLong_FromLong(set);
}

PyDoc_STRVAR(set_readmem_task_doc,
"set_readmem_task(task)\n\n"
"Non-zero: reads without a memory type use UVADDR in task's address\n"
"space; 0: back to KVADDR. A task without user memory raises\n"
"crash.error('bad taskaddr ...').");

static PyObject *crash_set_readmem_task(PyObject *self, PyObject *args)
{
	uint64_t task;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "O&:set_readmem_task", mpk_addr_converter,
			      &task))
		return NULL;
	err = mpk_set_readmem_task(task);
	if (err)
		return mpk_raise(err);
	Py_RETURN_NONE;
}

PyDoc_STRVAR(uvtop_doc,
"uvtop(task, vaddr) -> int\n\n"
"Physical address of user address vaddr in task's address space.");

static PyObject *crash_uvtop(PyObject *self, PyObject *args)
{
	uint64_t task, vaddr, paddr;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "O&O&:uvtop", mpk_addr_converter, &task,
			      mpk_addr_converter, &vaddr))
		return NULL;
	err = mpk_uvtop(task, vaddr, &paddr);
	if (err)
		return mpk_raise(err);
	return PyLong_FromUnsignedLongLong(paddr);
}

PyDoc_STRVAR(VTOP_doc,
"VTOP(vaddr) -> int\n\nPhysical address of kernel virtual address vaddr.");

static PyObject *crash_VTOP(PyObject *self, PyObject *args)
{
	uint64_t vaddr, paddr;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "O&:VTOP", mpk_addr_converter, &vaddr))
		return NULL;
	err = mpk_kvtop(vaddr, &paddr);
	if (err)
		return mpk_raise(err);
	return PyLong_FromUnsignedLongLong(paddr);
}

PyDoc_STRVAR(PTOV_doc,
"PTOV(paddr) -> int\n\nKernel direct-map address of physical address.");

static PyObject *crash_PTOV(PyObject *self, PyObject *args)
{
	uint64_t paddr;

	if (!PyArg_ParseTuple(args, "O&:PTOV", mpk_addr_converter, &paddr))
		return NULL;
	return PyLong_FromUnsignedLongLong(mpk_ptov(paddr));
}

PyDoc_STRVAR(phys_to_page_doc,
"phys_to_page(paddr) -> int\n\nAddress of the struct page of paddr.");

static PyObject *crash_phys_to_page(PyObject *self, PyObject *args)
{
	uint64_t paddr, page;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "O&:phys_to_page", mpk_addr_converter,
			      &paddr))
		return NULL;
	err = mpk_phys_to_page(paddr, &page);
	if (err)
		return mpk_raise(err);
	return PyLong_FromUnsignedLongLong(page);
}

/* Integer reinterpretations of the C API that need no dump. */

PyDoc_STRVAR(sLong_doc,
"sLong(v) -> int\n\nThe low 64 bits of v as a signed long.");

static PyObject *crash_sLong(PyObject *self, PyObject *args)
{
	uint64_t v;

	if (!PyArg_ParseTuple(args, "O&:sLong", mpk_addr_converter, &v))
		return NULL;
	return PyLong_FromLongLong((int64_t)v);
}

PyDoc_STRVAR(le32_to_cpu_doc,
"le32_to_cpu(v) -> int\n\nA little-endian 32-bit value in CPU order.");

static PyObject *crash_le32_to_cpu(PyObject *self, PyObject *args)
{
	uint64_t v;

	if (!PyArg_ParseTuple(args, "O&:le32_to_cpu", mpk_addr_converter, &v))
		return NULL;
	return PyLong_FromUnsignedLong(le32toh((uint32_t)v));
}

PyDoc_STRVAR(le16_to_cpu_doc,
"le16_to_cpu(v) -> int\n\nA little-endian 16-bit value in CPU order.");

static PyObject *crash_le16_to_cpu(PyObject *self, PyObject *args)
{
	uint64_t v;

	if (!PyArg_ParseTuple(args, "O&:le16_to_cpu", mpk_addr_converter, &v))
		return NULL;
	return PyLong_FromUnsignedLong(le16toh((uint16_t)v));
}

PyDoc_STRVAR(cpu_to_le32_doc,
"cpu_to_le32(v) -> int\n\nA 32-bit value in little-endian order.");

static PyObject *crash_cpu_to_le32(PyObject *self, PyObject *args)
{
	uint64_t v;

	if (!PyArg_ParseTuple(args, "O&:cpu_to_le32", mpk_addr_converter, &v))
		return NULL;
	return PyLong_FromUnsignedLong(htole32((uint32_t)v));
}

PyMethodDef mpk_memory_methods[] = {
	{ "readmem", crash_readmem, METH_VARARGS, readmem_doc },
	{ "readPtr", crash_readPtr, METH_VARARGS, readPtr_doc },
	{ "readInt", crash_readInt, METH_VARARGS, readInt_doc },
	{ "mem2long", (PyCFunction)(void (*)(void))crash_mem2long,
	  METH_VARARGS | METH_KEYWORDS, mem2long_doc },
	{ "follow_next", crash_follow_next, METH_VARARGS, follow_next_doc },
	{ "getListSize", crash_getListSize, METH_VARARGS, getListSize_doc },
	{ "readPtrArray", crash_readPtrArray, METH_VARARGS, readPtrArray_doc },
	{ "getFullBuckets", crash_getFullBuckets, METH_VARARGS,
	  getFullBuckets_doc },
	{ "getFullBucketsH", crash_getFullBucketsH, METH_VARARGS,
	  getFullBucketsH_doc },
	{ "FD_ISSET", crash_FD_ISSET, METH_VARARGS, FD_ISSET_doc },
	{ "set_readmem_task", crash_set_readmem_task, METH_VARARGS,
	  set_readmem_task_doc },
	{ "uvtop", crash_uvtop, METH_VARARGS, uvtop_doc },
	{ "VTOP", crash_VTOP, METH_VARARGS, VTOP_doc },
	{ "PTOV", crash_PTOV, METH_VARARGS, PTOV_doc },
	{ "phys_to_page", crash_phys_to_page, METH_VARARGS, phys_to_page_doc },
	{ "sLong", crash_sLong, METH_VARARGS, sLong_doc },
	{ "le32_to_cpu", crash_le32_to_cpu, METH_VARARGS, le32_to_cpu_doc },
	{ "le16_to_cpu", crash_le16_to_cpu, METH_VARARGS, le16_to_cpu_doc },
	{ "cpu_to_le32", crash_cpu_to_le32, METH_VARARGS, cpu_to_le32_doc },
	{ NULL, NULL, 0, NULL },
};

int mpk_memory_add_constants(PyObject *module)
{
	if (PyModule_AddIntConstant(module, "KVADDR", MPK_KVADDR) ||
	    PyModule_AddIntConstant(module, "UVADDR", MPK_UVADDR) ||
	    PyModule_AddIntConstant(module, "PHYSADDR", MPK_PHYSADDR) ||
	    PyModule_AddIntConstant(module, "XENMACHADDR", MPK_XENMACHADDR) ||
	    PyModule_AddIntConstant(module, "FILEADDR", MPK_FILEADDR) ||
	    PyModule_AddIntConstant(module, "AMBIGUOUS", ~0) ||
	    PyModule_AddIntConstant(module, "WALK_NULL", MPK_WALK_NULL) ||
	    PyModule_AddIntConstant(module, "WALK_HEAD", MPK_WALK_HEAD) ||
	    PyModule_AddIntConstant(module, "WALK_LOOP", MPK_WALK_LOOP) ||
	    PyModule_AddIntConstant(module, "WALK_MAXEL", MPK_WALK_MAXEL) ||
	    PyModule_AddIntConstant(module, "WALK_FAULT", MPK_WALK_FAULT))
		return -1;
	return 0;
}
