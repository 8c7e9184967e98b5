// SPDX-License-Identifier: GPL-2.0-or-later
/* Bindings of src/system.c: machine facts, per-CPU offsets, tasks. */

#include <sys/prctl.h>

#include "mpk/session.h"
#include "mpk/system.h"
#include "pycrash.h"

PyDoc_STRVAR(get_uptime_doc,
"get_uptime() -> int\n\n"
"Time since boot in jiffies (not seconds, whatever old docs said): divide\n"
"by HZ for seconds.");

static PyObject *crash_get_uptime(PyObject *self, PyObject *noargs)
{
	uint64_t j;
	struct mpk_error *err = mpk_uptime_jiffies(&j);

	if (err)
		return mpk_raise(err);
	return PyLong_FromUnsignedLongLong(j);
}

PyDoc_STRVAR(per_cpu_offset_doc,
"per_cpu_offset(cpu) -> int\n\n__per_cpu_offset[cpu] as crash read it.");

static PyObject *crash_per_cpu_offset(PyObject *self, PyObject *args)
{
	int cpu;
	uint64_t off;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "i:per_cpu_offset", &cpu))
		return NULL;
	err = mpk_per_cpu_offset(cpu, &off);
	if (err)
		return mpk_raise(err);
	return PyLong_FromUnsignedLongLong(off);
}

PyDoc_STRVAR(_cpu_prstatus_doc,
"_cpu_prstatus(cpu) -> bytes or None\n\n"
"The NT_PRSTATUS ELF note crash took from the dump file for cpu when it\n"
"opened it (Elf64_Nhdr, name, desc), or None if it has none for cpu (no\n"
"note, a format without notes, a live system). pykdump.helpers.prstatus\n"
"reads the registers in it.");

static PyObject *crash__cpu_prstatus(PyObject *self, PyObject *args)
{
	int cpu;
	struct mpk_note note;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "i:_cpu_prstatus", &cpu))
		return NULL;
	err = mpk_cpu_prstatus(cpu, &note);
	if (err)
		return mpk_raise(err);
	if (!note.data)
		Py_RETURN_NONE;
	return PyBytes_FromStringAndSize(note.data, note.size);
}

PyDoc_STRVAR(pid_to_task_doc,
"pid_to_task(pid) -> int\n\n"
"Task of pid in crash's task table, 0 if none (crash 8.0.2 misses tasks\n"
"on some kernels: highlevel.pid_to_task walks the kernel's own lists).");

static PyObject *crash_pid_to_task(PyObject *self, PyObject *args)
{
	uint64_t pid;

	if (!PyArg_ParseTuple(args, "O&:pid_to_task", mpk_addr_converter,
			      &pid))
		return NULL;
	return PyLong_FromUnsignedLongLong(mpk_pid_to_task(pid));
}

PyDoc_STRVAR(task_to_pid_doc,
"task_to_pid(task) -> int or None\n\nPid of task in crash's task table.");

static PyObject *crash_task_to_pid(PyObject *self, PyObject *args)
{
	uint64_t task, pid;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "O&:task_to_pid", mpk_addr_converter,
			      &task))
		return NULL;
	err = mpk_task_to_pid(task, &pid);
	if (err) {
		mpk_error_destroy(err);
		Py_RETURN_NONE;
	}
	return PyLong_FromUnsignedLongLong(pid);
}

PyDoc_STRVAR(is_task_active_doc,
"is_task_active(task) -> bool\n\nWhether task was on a CPU at dump time.");

static PyObject *crash_is_task_active(PyObject *self, PyObject *args)
{
	uint64_t task;

	if (!PyArg_ParseTuple(args, "O&:is_task_active", mpk_addr_converter,
			      &task))
		return NULL;
	return PyBool_FromLong(mpk_is_task_active(task));
}

PyDoc_STRVAR(get_task_mem_usage_doc,
"get_task_mem_usage(task) -> (total_vm_KB, rss_KB)\n\n"
"crash's own figures (get_task_mem_usage()) for a task in its table;\n"
"LookupError (not a crash.error) for a task crash's table lacks:\n"
"pykdump.API puts in its place a wrapper that reads such a task's\n"
"counters (pykdump.helpers.mm.task_memory).");

static PyObject *crash_get_task_mem_usage(PyObject *self, PyObject *args)
{
	uint64_t task;
	struct mpk_task_mem mem;
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "O&:get_task_mem_usage",
			      mpk_addr_converter, &task))
		return NULL;
	err = mpk_task_mem_usage(task, &mem);
	/* only "not in crash's table" is a lookup: the wrapper's cue */
	if (err)
		return mpk_raise_lookup_as(err, PyExc_LookupError);
	return Py_BuildValue("(KK)", (unsigned long long)mem.total_vm_kb,
			     (unsigned long long)mem.rss_kb);
}

PyDoc_STRVAR(get_pathname_doc,
"get_pathname(dentry, vfsmnt) -> str\n\nPath of dentry under vfsmnt.");

static PyObject *crash_get_pathname(PyObject *self, PyObject *args)
{
	uint64_t dentry, vfsmnt;
	char buf[4096];
	struct mpk_error *err;

	if (!PyArg_ParseTuple(args, "O&O&:get_pathname", mpk_addr_converter,
			      &dentry, mpk_addr_converter, &vfsmnt))
		return NULL;
	err = mpk_dentry_path(dentry, vfsmnt, buf, sizeof(buf));
	if (err)
		return mpk_raise(err);
	return PyUnicode_DecodeUTF8(buf, strlen(buf), "backslashreplace");
}

PyDoc_STRVAR(get_NR_syscalls_doc,
"get_NR_syscalls() -> int\n\nNumber of entries of sys_call_table.");

static PyObject *crash_get_NR_syscalls(PyObject *self, PyObject *noargs)
{
	int n;
	struct mpk_error *err = mpk_nr_syscalls(&n);

	if (err)
		return mpk_raise(err);
	return PyLong_FromLong(n);
}

PyDoc_STRVAR(set_default_timeout_doc,
"set_default_timeout(n) -> int\n\n"
"Set crash.default_timeout (the seconds exec_crash_command_bg waits) to n\n"
"and return the old value (0 if there was none).");

/*
 * The timeout lives in one place, the module attribute default_timeout
 * that exec_crash_command_bg reads (highlevel sets it to 120): PyKdump's
 * C-side copy had no reader.
 */
static PyObject *crash_set_default_timeout(PyObject *self, PyObject *args)
{
	long n;
	_cleanup_pydecref_ PyObject *value = NULL;
	PyObject *old;

	if (!PyArg_ParseTuple(args, "l:set_default_timeout", &n))
		return NULL;
	old = PyObject_GetAttrString(self, "default_timeout");
	if (!old && !PyErr_ExceptionMatches(PyExc_AttributeError))
		return NULL;
	PyErr_Clear();
	value = PyLong_FromLong(n);
	if (!value || PyObject_SetAttrString(self, "default_timeout",
					     value) < 0) {
		Py_XDECREF(old);
		return NULL;
	}
	return old ? old : PyLong_FromLong(0);
}

PyDoc_STRVAR(PAGEOFFSET_doc,
"PAGEOFFSET(vaddr) -> int\n\nOffset of vaddr within its page.");

static PyObject *crash_PAGEOFFSET(PyObject *self, PyObject *args)
{
	uint64_t vaddr;
	struct mpk_system sys;

	if (!PyArg_ParseTuple(args, "O&:PAGEOFFSET", mpk_addr_converter,
			      &vaddr))
		return NULL;
	mpk_system_get(&sys);
	return PyLong_FromUnsignedLongLong(vaddr & (sys.page_size - 1));
}

PyDoc_STRVAR(setprocname_doc,
"setprocname(name)\n\nSet the process name (prctl PR_SET_NAME).");

static PyObject *crash_setprocname(PyObject *self, PyObject *args)
{
	const char *name;

	if (!PyArg_ParseTuple(args, "s:setprocname", &name))
		return NULL;
	if (prctl(PR_SET_NAME, name, 0, 0, 0))
		return PyErr_SetFromErrno(PyExc_OSError);
	Py_RETURN_NONE;
}

PyDoc_STRVAR(sysinfo_doc,
"sysinfo() -> dict\n\n"
"What crash knows of the machine: pagesize, pageshift, HZ, cpus,\n"
"release, machine, dumpfile, namelist, live, crash_version.");

static PyObject *crash_sysinfo(PyObject *self, PyObject *noargs)
{
	struct mpk_system sys;

	mpk_system_get(&sys);
	return Py_BuildValue("{s:k,s:I,s:I,s:i,s:s,s:s,s:z,s:z,s:O,s:s}",
			     "pagesize", sys.page_size,
			     "pageshift", sys.page_shift,
			     "HZ", sys.hz,
			     "cpus", sys.cpus,
			     "release", sys.release,
			     "machine", sys.machine,
			     "dumpfile", sys.dumpfile,
			     "namelist", sys.namelist,
			     "live", sys.live ? Py_True : Py_False,
			     "crash_version", sys.crash_version);
}

PyMethodDef mpk_system_methods[] = {
	{ "get_uptime", crash_get_uptime, METH_NOARGS, get_uptime_doc },
	{ "per_cpu_offset", crash_per_cpu_offset, METH_VARARGS,
	  per_cpu_offset_doc },
	{ "_cpu_prstatus", crash__cpu_prstatus, METH_VARARGS,
	  _cpu_prstatus_doc },
	{ "pid_to_task", crash_pid_to_task, METH_VARARGS, pid_to_task_doc },
	{ "task_to_pid", crash_task_to_pid, METH_VARARGS, task_to_pid_doc },
	{ "is_task_active", crash_is_task_active, METH_VARARGS,
	  is_task_active_doc },
	{ "get_task_mem_usage", crash_get_task_mem_usage, METH_VARARGS,
	  get_task_mem_usage_doc },
	{ "get_pathname", crash_get_pathname, METH_VARARGS,
	  get_pathname_doc },
	{ "get_NR_syscalls", crash_get_NR_syscalls, METH_NOARGS,
	  get_NR_syscalls_doc },
	{ "set_default_timeout", crash_set_default_timeout, METH_VARARGS,
	  set_default_timeout_doc },
	{ "PAGEOFFSET", crash_PAGEOFFSET, METH_VARARGS, PAGEOFFSET_doc },
	{ "setprocname", crash_setprocname, METH_VARARGS, setprocname_doc },
	{ "sysinfo", crash_sysinfo, METH_NOARGS, sysinfo_doc },
	{ NULL, NULL, 0, NULL },
};

int mpk_system_add_constants(PyObject *module)
{
	struct mpk_system sys;

	mpk_system_get(&sys);
	if (PyModule_AddIntConstant(module, "HZ", sys.hz) ||
	    PyModule_AddIntConstant(module, "PAGESIZE", sys.page_size) ||
	    PyModule_AddIntConstant(module, "PAGE_CACHE_SHIFT",
				    sys.page_shift) ||
	    PyModule_AddStringConstant(module, "Crash_run",
				       sys.crash_version) ||
	    PyModule_AddStringConstant(module, "Crash_build", MPK_CRASH_BUILD) ||
	    PyModule_AddStringConstant(module, "build_date", MPK_BUILD_DATE) ||
	    PyModule_AddStringConstant(module, "version", MPK_VERSION) ||
	    PyModule_AddIntConstant(module, "version_num", MPK_VERSION_NUM) ||
	    PyModule_AddStringConstant(module, "WARNING", "++WARNING+++"))
		return -1;
	return 0;
}
