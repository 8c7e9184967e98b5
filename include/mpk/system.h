/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What crash knows about the dumped system: machine, CPUs, tasks, paths. */
#ifndef MPK_SYSTEM_H
#define MPK_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpk/error.h"

/** Facts about the dumped machine, as crash found them. */
struct mpk_system {
	unsigned long page_size;
	unsigned int page_shift;
	unsigned int hz;
	int cpus;
	const char *release;	/* utsname release, e.g. 6.1.0-50-amd64 */
	const char *machine;	/* utsname machine, e.g. x86_64 */
	const char *dumpfile;	/* NULL for a live system */
	const char *namelist;	/* the vmlinux crash uses for symbols */
	const char *crash_version;	/* version of the running crash */
	bool live;
};

/** Fill @ret from crash's tables. */
void mpk_system_get(struct mpk_system *ret);

/** __per_cpu_offset[@cpu]; MPK_ERROR_INVALID for a CPU out of range. */
struct mpk_error *mpk_per_cpu_offset(int cpu, uint64_t *ret);

/** One ELF note in crash's memory: header, name, desc. */
struct mpk_note {
	const void *data;	/* NULL: no note */
	size_t size;
};

/**
 * The NT_PRSTATUS note crash assigned to @cpu when it opened the dump (ELF
 * or kdump-compressed, offline CPUs mapped out), in crash's memory: valid
 * until crash closes the dump. @ret->data is NULL when there is none (no
 * note for @cpu, a format without notes, a live system);
 * MPK_ERROR_INVALID for a CPU out of range, MPK_ERROR_CRASH for a corrupt
 * note header.
 */
struct mpk_error *mpk_cpu_prstatus(int cpu, struct mpk_note *ret);

/** jiffies since boot, as crash's get_uptime() computes them. */
struct mpk_error *mpk_uptime_jiffies(uint64_t *ret);

/** crash's task for @pid (only tasks in crash's table), 0 if none. */
uint64_t mpk_pid_to_task(uint64_t pid);
/** crash's pid of @task, MPK_ERROR_LOOKUP if not in its table. */
struct mpk_error *mpk_task_to_pid(uint64_t task, uint64_t *ret);
/** Whether @task was running on a CPU at the time of the dump. */
bool mpk_is_task_active(uint64_t task);

/** Memory use of a task, in KB. */
struct mpk_task_mem {
	uint64_t total_vm_kb;
	uint64_t rss_kb;
};
/**
 * crash's get_task_mem_usage() for @task; MPK_ERROR_LOOKUP for a task
 * crash's table lacks (pykdump.helpers.mm.task_memory reads its mm).
 */
struct mpk_error *mpk_task_mem_usage(uint64_t task, struct mpk_task_mem *ret);

/** Number of entries of sys_call_table. */
struct mpk_error *mpk_nr_syscalls(int *ret);

/** Path of @dentry under @vfsmnt (0 for none) into @buf of @size. */
struct mpk_error *mpk_dentry_path(uint64_t dentry, uint64_t vfsmnt, char *buf,
				  size_t size);

#endif /* MPK_SYSTEM_H */
