// SPDX-License-Identifier: GPL-2.0-or-later
/* Machine facts, per-CPU offsets and task helpers from crash's tables. */

#include <elf.h>
#include <string.h>

#include "defs.h"
#include "mpk/guard.h"
#include "mpk/system.h"
#include "mpk/types.h"

void mpk_system_get(struct mpk_system *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->page_size = PAGESIZE();
	ret->page_shift = machdep->pageshift;
	ret->hz = machdep->hz;
	ret->cpus = kt->cpus;
	ret->release = kt->utsname.release;
	ret->machine = kt->utsname.machine;
	ret->live = ACTIVE();
	ret->dumpfile = ret->live ? pc->live_memsrc : pc->dumpfile;
	ret->namelist = pc->namelist_debug ? pc->namelist_debug : pc->namelist;
	ret->crash_version = pc->program_version;
}

static struct mpk_error *check_cpu(int cpu)
{
	if (cpu < 0 || cpu >= kt->cpus || cpu >= NR_CPUS)
		return mpk_error_create(MPK_ERROR_INVALID,
					"CPU %d out of range (%d CPUs)", cpu,
					kt->cpus);
	return NULL;
}

struct mpk_error *mpk_per_cpu_offset(int cpu, uint64_t *ret)
{
	struct mpk_error *err = check_cpu(cpu);

	if (err)
		return err;
	*ret = kt->__per_cpu_offset[cpu];
	return NULL;
}

struct prstatus_call {
	int cpu;
	const Elf64_Nhdr *note;
};

/*
 * The dump-type test is crash's own (its arm64, riscv64, mips and
 * loongarch64 register readers): each getter knows only the notes of its
 * format. Both may read cpu_online_mask (get_cpus_online()), hence the
 * guard.
 */
static void run_get_prstatus(void *arg)
{
	struct prstatus_call *call = arg;

	if (DISKDUMP_DUMPFILE())
		call->note = diskdump_get_prstatus_percpu(call->cpu);
	else if (KDUMP_DUMPFILE())
		call->note = netdump_get_prstatus_percpu(call->cpu);
}

/*
 * Far above any architecture's struct elf_prstatus (336 bytes on x86_64):
 * a larger header is a corrupt dump, not a note to copy.
 */
static const uint32_t note_part_max = 65536;

struct mpk_error *mpk_cpu_prstatus(int cpu, struct mpk_note *ret)
{
	struct prstatus_call call = { .cpu = cpu };
	struct mpk_error *err = check_cpu(cpu);
	const Elf64_Nhdr *n;

	if (err)
		return err;
	err = mpk_guard_quiet(run_get_prstatus, &call, "NT_PRSTATUS note");
	if (err)
		return err;
	n = call.note;
	if (!n) {
		ret->data = NULL;
		ret->size = 0;
		return NULL;
	}
	if (n->n_namesz > note_part_max || n->n_descsz > note_part_max)
		return mpk_error_create(MPK_ERROR_CRASH,
					"CPU %d: corrupt NT_PRSTATUS note "
					"header (namesz %u, descsz %u)", cpu,
					n->n_namesz, n->n_descsz);
	ret->data = n;
	/*
	 * Up to the end of desc: the padding after it may lie past crash's
	 * copy of the notes when the writer left it out of the last note.
	 */
	ret->size = sizeof(*n) + roundup(n->n_namesz, 4) + n->n_descsz;
	return NULL;
}

static void run_get_uptime(void *arg)
{
	get_uptime(NULL, arg);
}

struct mpk_error *mpk_uptime_jiffies(uint64_t *ret)
{
	ulonglong j64 = 0;
	struct mpk_error *err = mpk_guard_quiet(run_get_uptime, &j64,
						"get_uptime");

	if (err)
		return err;
	*ret = j64;
	return NULL;
}

/* crash's table (pid_to_task, ps) lacks @task: crash 8.0.2 on 6.1 kernels. */
static struct mpk_error *not_in_task_table(uint64_t task)
{
	return mpk_error_create(MPK_ERROR_LOOKUP,
				"task 0x%llx is not in crash's task table",
				(unsigned long long)task);
}

uint64_t mpk_pid_to_task(uint64_t pid)
{
	return pid_to_task(pid);
}

struct mpk_error *mpk_task_to_pid(uint64_t task, uint64_t *ret)
{
	struct task_context *tc = task_to_context(task);

	if (!tc)
		return not_in_task_table(task);
	*ret = tc->pid;
	return NULL;
}

bool mpk_is_task_active(uint64_t task)
{
	return is_task_active(task);
}

struct mem_usage_call {
	ulong task;
	struct task_mem_usage tmu;
};

static void run_get_task_mem_usage(void *arg)
{
	struct mem_usage_call *call = arg;

	get_task_mem_usage(call->task, &call->tmu);
}

struct mpk_error *mpk_task_mem_usage(uint64_t task, struct mpk_task_mem *ret)
{
	struct mem_usage_call call = { .task = task };
	struct mpk_error *err;

	if (!task_to_context(task))
		return not_in_task_table(task);
	err = mpk_guard_quiet(run_get_task_mem_usage, &call,
			      "get_task_mem_usage");
	if (err)
		return err;
	ret->total_vm_kb = (uint64_t)call.tmu.total_vm * PAGESIZE() / 1024;
	ret->rss_kb = (uint64_t)call.tmu.rss * PAGESIZE() / 1024;
	return NULL;
}

struct pathname_call {
	ulong dentry;
	ulong vfsmnt;
	char *buf;
	int size;
};

static void run_get_pathname(void *arg)
{
	struct pathname_call *call = arg;

	get_pathname(call->dentry, call->buf, call->size, 1, call->vfsmnt);
}

struct mpk_error *mpk_dentry_path(uint64_t dentry, uint64_t vfsmnt, char *buf,
				  size_t size)
{
	struct pathname_call call = {
		.dentry = dentry, .vfsmnt = vfsmnt, .buf = buf, .size = size,
	};

	if (!dentry)
		return &mpk_null_pointer;
	buf[0] = '\0';
	return mpk_guard_quiet(run_get_pathname, &call, "get_pathname");
}

/*
 * The slots of sys_call_table from its extent in the symbol table, or -1.
 * The extent includes the alignment padding before the next symbol (5.10:
 * 444 slots for 441 syscalls): trailing slots that do not point into
 * kernel text are dropped, as crash's "sys -c" does.
 */
static void run_syscall_table_slots(void *arg)
{
	long *n = arg;
	struct syment *sp = symbol_search("sys_call_table");
	struct syment *next = sp ? next_symbol(NULL, sp) : NULL;

	if (!next) {
		*n = -1;
		return;
	}
	*n = (next->value - sp->value) / sizeof(ulong);
	while (*n > 0) {
		ulong fn;

		if (readmem(sp->value + (*n - 1) * sizeof(ulong), KVADDR, &fn,
			    sizeof(fn), "sys_call_table entry",
			    RETURN_ON_ERROR | QUIET) && is_kernel_text(fn))
			break;
		(*n)--;
	}
}

struct mpk_error *mpk_nr_syscalls(int *ret)
{
	const struct mpk_ptype *p;
	struct mpk_error *err = mpk_type_whatis("sys_call_table", &p);
	long slots = -1;

	if (!err && p->type.ndims == 1 && p->type.dims[0]) {
		*ret = p->type.dims[0];
		return NULL;
	}
	if (err && err->code != MPK_ERROR_LOOKUP)
		return err;
	mpk_error_destroy(err);
	/* When gdb has no type. */
	err = mpk_guard_quiet(run_syscall_table_slots, &slots,
			      "sys_call_table");
	if (err)
		return err;
	if (slots < 0)
		return mpk_error_lookup(MPK_LOOKUP_SYMBOL, "sys_call_table",
					"no symbol sys_call_table");
	*ret = slots;
	return NULL;
}
