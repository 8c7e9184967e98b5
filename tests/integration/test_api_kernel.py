"""The API on real kernel structures of the dump, checked against the
fixture's ground truth and crash's own commands on the same dump."""

import os
import re
import subprocess
import tempfile
import unittest

from _support import crash_cmd, crash_task_table_is_complete, truth

from pykdump import dlkmload
from pykdump.helpers.mm import task_memory
from pykdump.API import (crash, EnumInfo, exec_crash_command,
                         exec_crash_command_bg,
                         exec_gdb_command, for_all_tasks, for_all_threads,
                         maple_walk, member_offset, pid_to_task, readPtr,
                         readProcessMem, readSU, readSymbol,
                         record_reader, struct_size, sys_info, uvtop, Addr)


def panic_task():
    """The task that panicked: the one crash's own table knows too."""
    pid = truth()['panic']['pid']
    return readSU('struct task_struct', pid_to_task(pid))


def crash_ps_rows():
    """crash's `ps` rows as {pid: dict (task, VSZ, RSS in KB)}."""
    rows = {}
    for line in exec_crash_command('ps').splitlines():
        words = line.lstrip('>').split()
        if words and words[0].isdigit():
            rows[int(words[0])] = {'task': int(words[3], 16),
                                   'vsz': int(words[6]),
                                   'rss': int(words[7])}
    return rows


def crash_ps_row(pid):
    """crash's `ps` row of pid as a dict (VSZ, RSS in KB)."""
    row = crash_ps_rows().get(pid)
    if row is None:
        raise AssertionError('crash ps has no pid %d' % pid)
    return row


class TestTasks(unittest.TestCase):
    """Tasks from the kernel's own lists, not crash's task table."""

    def test_every_scenario_process_is_found_with_its_comm(self):
        found = {t.pid: str(t.comm) for t in for_all_tasks()}
        for t in truth()['tasks']:
            with self.subTest(pid=t['pid']):
                self.assertEqual(found.get(t['pid']), t['comm'])

    def test_task_count_matches_crash_list_command(self):
        out = exec_crash_command('list task_struct.tasks -h init_task')
        self.assertEqual(len(for_all_tasks()), len(out.split()))

    def test_api_task_lists_are_the_helpers_walk(self):
        from pykdump.helpers import tasks as T
        self.assertEqual([int(t) for t in for_all_tasks()],
                         [int(t) for t in T.for_each_process()])
        self.assertEqual([int(t) for t in for_all_threads()],
                         [int(t) for t in T.for_each_task()])
        # --maxel caps the API's lists: init_task and maxel more
        self.assertEqual(len(for_all_tasks(maxel=3)), 4)

    def test_threads_of_the_multithreaded_process(self):
        for t in truth()['tasks']:
            if not t['threads']:
                continue
            tids = {th.pid for th in for_all_threads()
                    if th.tgid == t['pid']}
            want = {t['pid']} | {th['tid'] for th in t['threads']}
            self.assertEqual(tids, want)

    def test_record_reader_reads_a_structresult_at_its_address(self):
        # A StructResult is its address, as for readSU and readmem; its
        # own + scales by sizeof (api §24.1), which the reader must not
        # use: the fields start past offset 0, so it would read elsewhere.
        task = panic_task()
        fields = ('pid', 'tgid', 'mm', 'flags')
        rec = record_reader('struct task_struct', fields)
        self.assertGreater(rec.start, 0)
        out = exec_crash_command('struct task_struct.%s 0x%x'
                                 % (','.join(fields), task))
        printed = dict(re.findall(r'^\s*(\w+) = (\w+),?$', out, re.M))
        want = tuple(int(printed[f], 0) for f in fields)
        self.assertEqual(want[0], truth()['panic']['pid'])
        self.assertEqual(rec.read(task), want)
        self.assertEqual(rec.read(int(task)), want)
        # A StructResult of another type is still its address.
        self.assertEqual(rec.read(readSU('struct list_head', task)), want)

    def test_zombies_have_exit_state(self):
        zombies = {t['pid'] for t in truth()['tasks'] if t['state'] == 'Z'}
        exit_zombie = 0x20     # EXIT_ZOMBIE in include/linux/sched.h
        got = {t.pid for t in for_all_tasks() if t.exit_state & exit_zombie}
        self.assertEqual(got, zombies)

    def test_pid_to_task_finds_tasks_crash_does_not_know(self):
        pid = truth()['tasks'][1]['pid']
        task = pid_to_task(pid)
        self.assertEqual(readSU('struct task_struct', task).pid, pid)
        # crash's own table is the reference only where it is complete
        if crash_task_table_is_complete():
            self.assertEqual(crash.pid_to_task(pid), int(task))
        else:
            self.assertEqual(crash.pid_to_task(pid), 0)


class TestMemory(unittest.TestCase):
    """User memory, address translation, memory use."""

    def test_mem_usage_of_panic_task_matches_crash_ps(self):
        row = crash_ps_row(truth()['panic']['pid'])
        self.assertEqual(crash.get_task_mem_usage(row['task']),
                         (row['vsz'], row['rss']))

    def test_mem_usage_of_task_outside_crash_table_reads_mm(self):
        init = readSU('struct task_struct', pid_to_task(1))
        total, rss = crash.get_task_mem_usage(init)
        self.assertEqual(total, init.mm.total_vm * crash.PAGESIZE // 1024)
        self.assertGreater(rss, 0)

    def test_mem_usage_is_crash_ps_else_the_rss_helper(self):
        # crash's figures where its table has the task; for the others
        # (crash 8.0.2 on 6.1) helpers.mm.task_memory's VmRSS: the C
        # fallback this replaces counted MM_SWAPENTS instead of
        # MM_SHMEMPAGES, and read 6.2+'s per-CPU counters as longs.
        rows = crash_ps_rows()
        for t in truth()['tasks']:
            task = readSU('struct task_struct', pid_to_task(t['pid']))
            got = crash.get_task_mem_usage(task)
            if t['pid'] in rows:
                row = rows[t['pid']]
                want = (row['vsz'], row['rss'])
            else:
                mem = task_memory(task)
                want = (mem['total_vm'], mem['rss'])
                self.assertEqual(mem['rss'], mem['anon'] + mem['file'] +
                                 mem['shmem'])
            self.assertEqual(got, want, t['comm'])

    def test_mem_usage_binding_refuses_a_task_outside_crash_table(self):
        # The C binding gives crash's figures only; the fallback to the
        # helper is pykdump.API's wrapper, installed under the API name.
        rows = crash_ps_rows()
        outside = [t for t in truth()['tasks'] if t['pid'] not in rows]
        if not outside:
            self.skipTest("crash's task table has every task of this dump")
        task = readSU('struct task_struct', pid_to_task(outside[0]['pid']))
        with self.assertRaises(LookupError) as cm:
            crash._crash_task_mem_usage(task)
        self.assertNotIsInstance(cm.exception, crash.error)
        self.assertIn('%x' % task, str(cm.exception))
        self.assertIn('KERNEL', crash.exec_crash_command('sys'))
        mem = task_memory(task)
        self.assertEqual(crash.get_task_mem_usage(task),
                         (mem['total_vm'], mem['rss']))

    def test_process_cmdline_read_from_user_memory(self):
        init = readSU('struct task_struct', pid_to_task(1))
        mm = init.mm
        args = readProcessMem(init, mm.arg_start, mm.arg_end - mm.arg_start)
        self.assertEqual(args.split(b'\0')[0], b'/bin/busybox')

    def test_uvtop_lands_on_the_page_crash_rd_shows(self):
        # crash 8.0.2's `vtop -u` stops at the 6.1 maple tree: compare the
        # physical page's content as crash's own `rd -p` shows it.
        task = panic_task()
        vaddr = task.mm.arg_start
        paddr = uvtop(task, vaddr)
        out = exec_crash_command('rd -p -a 0x%x' % paddr)
        text = out.split(':', 1)[1].strip()
        arg0 = readProcessMem(task, vaddr, 64).split(b'\0')[0].decode()
        self.assertTrue(arg0.startswith('/'), arg0)
        self.assertEqual(text, arg0)

    def test_kernel_vtop_matches_crash_vtop(self):
        addr = Addr(readSymbol('init_task'))
        out = exec_crash_command('vtop 0x%x' % addr)
        m = re.search(r'^%x\s+([0-9a-f]+)' % addr, out, re.M)
        self.assertIsNotNone(m, out)
        self.assertEqual(crash.VTOP(addr), int(m.group(1), 16))
        self.assertEqual(crash.PTOV(crash.VTOP(addr)) & 0xfff, addr & 0xfff)

    def test_vmas_from_the_maple_tree_are_sorted_and_counted(self):
        mm = panic_task().mm
        if member_offset('struct mm_struct', 'mm_mt') < 0:
            # Linux commit d4af56c5c7c6 ("mm: start tracking VMAs with
            # maple tree") (v6.1)
            self.skipTest('VMAs are in the mmap list on this kernel')
        vmas = list(maple_walk(mm.mm_mt))
        self.assertEqual(len(vmas), mm.map_count)
        prev_end = 0
        for first, last, entry in vmas:
            vma = readSU('struct vm_area_struct', entry)
            self.assertEqual((vma.vm_start, vma.vm_end), (first, last + 1))
            self.assertGreaterEqual(vma.vm_start, prev_end)
            self.assertEqual(int(vma.vm_mm), int(mm))
            prev_end = vma.vm_end

    def test_vmas_from_the_mmap_list_are_sorted_and_counted(self):
        mm = panic_task().mm
        if member_offset('struct mm_struct', 'mmap') < 0:
            # Linux commit 763ecb035029 ("mm: remove the vma linked list")
            # (v6.1)
            self.skipTest('VMAs are in the maple tree on this kernel')
        out = crash_cmd('vm %d' % truth()['panic']['pid'])
        starts = [int(ln.split()[1], 16) for ln in out.splitlines()
                  if re.match(r'\s*[0-9a-f]{16}\s+[0-9a-f]+\s+[0-9a-f]+\s',
                              ln)]
        vmas, vma = [], mm.mmap
        while vma and len(vmas) <= mm.map_count:
            self.assertEqual(int(vma.vm_mm), int(mm))
            vmas.append(int(vma.vm_start))
            vma = vma.vm_next
        self.assertEqual(len(vmas), mm.map_count)
        self.assertEqual(vmas, sorted(vmas))
        self.assertEqual(vmas, starts)


class TestModuleDebuginfo(unittest.TestCase):
    """The debuginfo search picks the file of the loaded build."""

    def test_loaded_build_id_is_the_one_readelf_prints(self):
        ko = os.environ.get('PYKDUMP_TESTMOD')
        if not ko:
            self.skipTest('PYKDUMP_TESTMOD is not set')
        out = subprocess.run(['readelf', '-n', ko], capture_output=True,
                             text=True, check=True).stdout
        want = re.search(r'Build ID: ([0-9a-f]+)', out).group(1)
        self.assertEqual(dlkmload.module_build_id('testmod'), want)
        self.assertEqual(dlkmload.file_build_id(ko), want)

    def test_search_skips_files_of_other_builds(self):
        ko = os.environ.get('PYKDUMP_TESTMOD')
        if not ko:
            self.skipTest('PYKDUMP_TESTMOD is not set')
        with open(ko, 'rb') as f:
            data = f.read()
        build_id = bytes.fromhex(dlkmload.module_build_id('testmod'))
        decoy = data.replace(build_id, bytes(b ^ 0xff for b in build_id))
        self.assertNotEqual(decoy, data)
        with tempfile.TemporaryDirectory() as tmp:
            # walked in name order: the decoy build comes first
            for sub, content in (('a', decoy), ('b', data)):
                os.mkdir(os.path.join(tmp, sub))
                with open(os.path.join(tmp, sub, 'testmod.ko'), 'wb') as f:
                    f.write(content)
            self.assertEqual(dlkmload.possibleModuleNames(tmp, 'testmod'),
                             os.path.join(tmp, 'a', 'testmod.ko'))
            self.assertEqual(dlkmload.find_debuginfo('testmod', [tmp]),
                             os.path.join(tmp, 'b', 'testmod.ko'))


class TestKernelFacts(unittest.TestCase):
    """sys_info, syscalls, commands in a child."""

    def test_sys_info_matches_truth(self):
        self.assertEqual(sys_info.RELEASE, truth()['kernel']['release'])
        self.assertEqual(sys_info.CPUS, truth()['kernel']['ncpus'])
        self.assertEqual(sys_info.NODENAME, truth()['system']['nodename'])
        major_minor = re.match(r'\d+\.\d+', truth()['kernel']['release'])
        self.assertTrue(sys_info.kernel.startswith(major_minor.group(0)),
                        sys_info.kernel)

    def test_nr_syscalls_is_gdbs_array_length(self):
        out = exec_gdb_command('p sizeof(sys_call_table)/'
                               'sizeof(sys_call_table[0])')
        if out is None:
            # 5.10's DWARF has only the declaration, sys_call_table[]:
            # crash's "sys -c" lists one numbered row per entry
            rows = [ln.split()[0] for ln in
                    crash_cmd('sys -c').splitlines()
                    if ln.split()[:1] and ln.split()[0].isdigit()]
            want = int(rows[-1]) + 1
        else:
            want = int(out.split('=')[1])
        self.assertEqual(crash.get_NR_syscalls(), want)

    def test_background_command_gives_the_same_output(self):
        self.assertEqual(exec_crash_command_bg('sym init_task', 30),
                         exec_crash_command('sym init_task'))

    def test_struct_offsets_match_crash_struct_o(self):
        out = exec_crash_command('struct -o list_head')
        m = re.search(r'\[(\d+)\] struct list_head \*prev', out)
        self.assertEqual(member_offset('struct list_head', 'prev'),
                         int(m.group(1)))
        out = exec_crash_command('struct task_struct -o')
        for field in ('pid', 'tgid', 'comm', 'tasks', 'mm'):
            with self.subTest(field=field):
                m = re.search(r'\[(\d+)\] \S.*\b%s\b' % field, out)
                self.assertEqual(member_offset('struct task_struct', field),
                                 int(m.group(1)))
        self.assertEqual(struct_size('struct task_struct'),
                         int(re.search(r'SIZE: (\d+)', out).group(1)))

    def test_enuminfo_of_an_untagged_enums_constant(self):
        e = EnumInfo('TCP_ESTABLISHED')
        self.assertEqual(e.TCP_LISTEN, crash.enumerator_value('TCP_LISTEN'))
        self.assertEqual(e.getnam(1), 'TCP_ESTABLISHED')

    def test_gdb_failure_is_none_or_raises_when_checked(self):
        self.assertIsNone(crash.get_GDB_output('p no_such_symbol_here'))
        with self.assertRaises(crash.error):
            crash.exec_gdb_command_checked('p no_such_symbol_here')
        self.assertEqual(crash.exec_gdb_command_checked('p 6*7').split()[-1],
                         '42')

    def test_command_with_too_many_words_raises_and_crash_survives(self):
        with self.assertRaisesRegex(crash.error, 'more than 98 words'):
            exec_crash_command('p ' + ' + '.join(['1'] * 120))
        self.assertIn('init_task', exec_crash_command('sym init_task'))

    def test_readptr_of_init_task_next_matches_rd(self):
        init = readSymbol('init_task')
        addr = Addr(init, 'tasks')
        out = exec_crash_command('rd 0x%x' % addr)
        self.assertEqual(readPtr(addr), int(out.split()[1], 16))


if __name__ == '__main__':
    unittest.main(argv=['x'], exit=False, verbosity=2)
