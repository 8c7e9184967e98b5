# SPDX-License-Identifier: GPL-2.0-or-later
"""The C module ``crash`` against crash's own commands and the ground truth.

Every expected value here comes from somewhere our code does not touch:
crash's ``sym``/``p``/``rd``/``list`` on the same dump, or truth.json
written by the fixture from inside the guest (and testmod's planted
values). These tests also run on the ELF dump (DUMP_FORMATS).
"""

import unittest

import crash

from _support import (CrashTestCase, crash_cmd, crash_list, crash_offsetof,
                      crash_p, crash_p_int, crash_sizeof, crash_sym,
                      load_testmod_symbols, requires_crash_modules, truth)

DUMP_FORMATS = ('kdump', 'elf')

UNMAPPED = 0xdead000000000000

# Sizes and signedness of the integer types testmod plants.
INT_TYPES = {
    's8': (1, 1), 'u8': (1, 0), 's16': (2, 1), 'u16': (2, 0),
    's32': (4, 1), 'u32': (4, 0), 's64': (8, 1), 'u64': (8, 0),
    'char': (1, 1), 'signed char': (1, 1), 'unsigned char': (1, 0),
    'short': (2, 1), 'unsigned short': (2, 0), 'int': (4, 1),
    'unsigned int': (4, 0), 'long': (8, 1), 'unsigned long': (8, 0),
    'long long': (8, 1), 'unsigned long long': (8, 0), 'bool': (1, 0),
}


def task_list_head():
    """Return the address of init_task.tasks."""
    return crash_sym('init_task') + crash_offsetof('task_struct', 'tasks')


class SymbolTests(CrashTestCase):
    """Symbol lookups agree with crash's ``sym``."""

    def test_sym2addr_of_init_task_is_what_crash_sym_prints(self):
        self.assertEqual(crash.sym2addr('init_task'), crash_sym('init_task'))

    @requires_crash_modules
    def test_sym2addr_of_module_symbol_is_what_crash_sym_prints(self):
        self.assertEqual(crash.sym2addr('testmod_s8'),
                         crash_sym('testmod_s8'))

    def test_sym2addr_of_unknown_symbol_is_zero(self):
        self.assertEqual(crash.sym2addr('no_such_symbol_mpk_xyz'), 0)

    def test_symbol_exists_is_true_for_jiffies_false_for_unknown(self):
        self.assertTrue(crash.symbol_exists('jiffies'))
        self.assertFalse(crash.symbol_exists('no_such_symbol_mpk_xyz'))

    def test_addr2sym_of_init_task_address_is_init_task(self):
        self.assertEqual(crash.addr2sym(crash_sym('init_task')),
                         'init_task')

    def test_addr2sym_loose_inside_init_task_gives_name_and_offset(self):
        addr = crash_sym('init_task') + 0x10
        self.assertEqual(crash.addr2sym(addr, 1), ('init_task', 0x10))

    @requires_crash_modules
    def test_addr2mod_of_testmod_symbol_is_testmod(self):
        self.assertEqual(crash.addr2mod(crash_sym('testmod_s8')), 'testmod')

    @requires_crash_modules
    def test_modules_lists_every_module_the_guest_had_loaded(self):
        names = {m[0] for m in crash.modules()}
        want = {line.split()[0] for line in truth()['raw']['proc_modules']}
        self.assertEqual(names, want)


class TypeTests(CrashTestCase):
    """Type sizes and offsets agree with gdb's ``sizeof``/offsetof."""

    def test_member_offset_of_task_struct_fields_match_gdb(self):
        for member in ('pid', 'tgid', 'comm', 'tasks'):
            with self.subTest(member=member):
                self.assertEqual(crash.member_offset('task_struct', member),
                                 crash_offsetof('task_struct', member))

    def test_struct_size_of_task_struct_matches_gdb(self):
        self.assertEqual(crash.struct_size('task_struct'),
                         crash_sizeof('struct task_struct'))

    def test_struct_size_of_unknown_struct_is_minus_one(self):
        self.assertEqual(crash.struct_size('no_such_struct_mpk'), -1)

    def test_member_size_of_comm_is_16(self):
        self.assertEqual(crash.member_size('task_struct', 'comm'), 16)

    def test_gdb_typeinfo_task_struct_size_and_pid_offset_match_gdb(self):
        info = crash.gdb_typeinfo('struct task_struct')
        self.assertEqual(info['typelength'],
                         crash_sizeof('struct task_struct'))
        body = {f['fname']: f for f in info['body']}
        self.assertEqual(body['pid']['bitoffset'] // 8,
                         crash_offsetof('task_struct', 'pid'))

    def test_gdb_typeinfo_list_head_has_next_and_prev_pointers(self):
        info = crash.gdb_typeinfo('struct list_head')
        self.assertEqual(info['basetype'], 'struct list_head')
        self.assertEqual(info['codetype'], crash.TYPE_CODE_STRUCT)
        self.assertEqual(info['typelength'], 16)
        fields = [(f['fname'], f['bitoffset'], f['codetype'], f.get('stars'))
                  for f in info['body']]
        self.assertEqual(fields, [('next', 0, crash.TYPE_CODE_PTR, 1),
                                  ('prev', 64, crash.TYPE_CODE_PTR, 1)])

    def test_gdb_typeinfo_unknown_type_raises_crash_error_naming_it(self):
        self.assertRaisesNaming(crash.error, 'no_such_struct_mpk',
                                crash.gdb_typeinfo,
                                'struct no_such_struct_mpk')

    def test_enumerator_value_matches_gdb(self):
        self.assertEqual(crash.enumerator_value('PIDTYPE_PGID'),
                         crash_p_int('(int)PIDTYPE_PGID'))


class MemoryTests(CrashTestCase):
    """Reads agree with crash's ``p``/``rd`` and testmod's planted values."""

    def test_readmem_of_init_task_comm_is_swapper_0(self):
        addr = crash_sym('init_task') + crash_offsetof('task_struct', 'comm')
        comm = crash.readmem(addr, 16)
        self.assertEqual(comm.split(b'\0')[0], b'swapper/0')
        self.assertIn('"swapper/0', crash_p('init_task.comm'))

    def test_readPtr_of_init_task_tasks_next_matches_crash_rd(self):
        head = task_list_head()
        line = crash_cmd('rd -64 0x%x 1' % head).split()
        self.assertEqual(crash.readPtr(head), int(line[1], 16))

    @requires_crash_modules
    def test_readInt_of_every_testmod_integer_matches_truth(self):
        globs = truth()['testmod']['globals']
        checked = 0
        for name, g in sorted(globs.items()):
            if (g['type'] not in INT_TYPES
                    or not isinstance(g['value'], (int, bool))):
                continue
            size, signed = INT_TYPES[g['type']]
            with self.subTest(name=name, type=g['type']):
                self.assertEqual(crash.readInt(crash.sym2addr(name), size,
                                               signed), int(g['value']))
            checked += 1
        self.assertGreater(checked, 20)

    def test_readmem_unmapped_raises_crash_error_naming_address(self):
        self.assertRaisesNaming(crash.error, '%x' % UNMAPPED,
                                crash.readmem, UNMAPPED, 8)

    def test_readPtr_unmapped_raises_crash_error_naming_address(self):
        self.assertRaisesNaming(crash.error, '%x' % UNMAPPED,
                                crash.readPtr, UNMAPPED)

    def test_readPtr_of_null_raises_IndexError(self):
        with self.assertRaises(IndexError):
            crash.readPtr(0)
        self.assertCrashAlive()

    def test_readInt_of_size_3_raises_crash_error(self):
        with self.assertRaises(crash.error):
            crash.readInt(crash_sym('jiffies'), 3)
        self.assertCrashAlive()

    def test_readPtrArray_agrees_with_readPtr(self):
        addr = crash_sym('init_task')
        self.assertEqual(crash.readPtrArray(addr, 6),
                         [crash.readPtr(addr + 8 * i) for i in range(6)])

    def test_mem2long_decodes_little_endian_signed_and_arrays(self):
        raw = bytes(range(1, 9))
        self.assertEqual(crash.mem2long(raw), 0x0807060504030201)
        self.assertEqual(crash.mem2long(b'\xff' * 8, signed=1), -1)
        self.assertEqual(crash.mem2long(b'\x01\0\0\0\xfe\xff\xff\xff',
                                        signed=1, array=2), [1, -2])

    def test_per_cpu_offset_finds_testmod_pcpu_value_of_each_cpu(self):
        load_testmod_symbols()  # per-cpu symbols are not in kallsyms
        base = crash.sym2addr('testmod_pcpu')
        for cpu in range(truth()['system']['cpus_online']):
            with self.subTest(cpu=cpu):
                self.assertEqual(crash.per_cpu_offset(cpu),
                                 crash_p_int('__per_cpu_offset[%d]' % cpu))
                self.assertEqual(crash.readInt(
                    base + crash.per_cpu_offset(cpu), 4, 1), cpu * 100 + 7)


class WalkTests(CrashTestCase):
    """Bulk walkers agree with crash's ``list`` and testmod's lists."""

    def test_follow_next_on_task_list_matches_crash_list(self):
        off = crash_offsetof('task_struct', 'tasks')
        want = [a + off for a in crash_list('task_struct.tasks -h init_task')]
        addrs, end, _ = crash.follow_next(task_list_head(), 0, 100000)
        self.assertEqual(addrs, want[1:])
        self.assertEqual(end, crash.WALK_HEAD)

    def test_getListSize_of_task_list_is_crash_list_count_minus_head(self):
        n = len(crash_list('task_struct.tasks -h init_task'))
        self.assertEqual(crash.getListSize(task_list_head(), 0, 100000),
                         n - 1)

    def test_follow_next_stops_at_maxel(self):
        addrs, end, _ = crash.follow_next(task_list_head(), 0, 3)
        self.assertEqual(len(addrs), 3)
        self.assertEqual(end, crash.WALK_MAXEL)

    @requires_crash_modules
    def test_follow_next_on_testmod_loop_reports_loop_at_item_1(self):
        lay = truth()['testmod_layouts']['testmod_loopitem']
        link = [f['offset'] for f in lay['fields'] if f['path'] == 'link'][0]
        items = crash.sym2addr('testmod_loop_items')
        head = crash.sym2addr('testmod_loop_head')
        addrs, end, bad = crash.follow_next(head, 0, 1000)
        self.assertEqual(end, crash.WALK_LOOP)
        self.assertEqual(bad, items + lay['size'] + link)
        self.assertEqual(addrs[:4], [items + i * lay['size'] + link
                                     for i in range(4)])

    @requires_crash_modules
    def test_testmod_list_walk_reads_planted_ids_and_names(self):
        lay = {f['path']: f['offset']
               for f in truth()['testmod_layouts']['testmod_item']['fields']}
        want = truth()['testmod']['globals']['testmod_list']['list']
        addrs, end, _ = crash.follow_next(crash.sym2addr('testmod_list'), 0,
                                          100)
        self.assertEqual(end, crash.WALK_HEAD)
        got = []
        for a in addrs:
            item = a - lay['link']
            name = crash.readmem(item + lay['name'], 16).split(b'\0')[0]
            got.append({'id': crash.readInt(item + lay['id'], 4, 1),
                        'name': name.decode()})
        self.assertEqual(got, want['entries'])

    def test_task_list_has_every_scenario_process_with_its_comm(self):
        pid_off = crash.member_offset('task_struct', 'pid')
        comm_off = crash.member_offset('task_struct', 'comm')
        tasks_off = crash.member_offset('task_struct', 'tasks')
        seen = {}
        addrs, _, _ = crash.follow_next(task_list_head(), 0, 100000)
        for a in addrs:
            t = a - tasks_off
            comm = crash.readmem(t + comm_off, 16).split(b'\0')[0].decode()
            seen[crash.readInt(t + pid_off, 4, 1)] = comm
        for task in truth()['tasks']:
            if task['pid'] != task['tgid'] or task.get('state') == 'Z':
                continue  # threads are not on ->tasks; zombies may be reaped
            with self.subTest(pid=task['pid']):
                self.assertEqual(seen.get(task['pid']), task['comm'])


class CommandTests(CrashTestCase):
    """exec_crash_command and friends."""

    def test_exec_crash_command_returns_sym_output(self):
        out = crash.exec_crash_command('sym init_task')
        self.assertIn('%x' % crash.sym2addr('init_task'), out)
        self.assertTrue(out.rstrip().endswith('init_task'))

    def test_exec_crash_command_unknown_command_raises_crash_error(self):
        self.assertRaisesNaming(crash.error, 'mpk_bogus_cmd',
                                crash.exec_crash_command, 'mpk_bogus_cmd')

    def test_exec_crash_command_failing_p_raises_and_crash_survives(self):
        self.assertRaisesNaming(crash.error, 'no_such_symbol_mpk',
                                crash.exec_crash_command,
                                'p no_such_symbol_mpk')

    def test_get_GDB_output_of_ptype_names_the_members(self):
        out = crash.get_GDB_output('ptype struct list_head')
        self.assertIn('struct list_head *next;', out)
        self.assertIn('struct list_head *prev;', out)


class SystemTests(CrashTestCase):
    """sysinfo and constants agree with the guest's own view."""

    def test_sysinfo_release_and_nodename_match_truth(self):
        info = crash.sysinfo()
        text = ' '.join(str(v) for v in info.values())
        self.assertIn(truth()['system']['release'], text)
        self.assertIn(truth()['system']['nodename'], text)

    def test_PAGESIZE_is_the_guest_page_size(self):
        self.assertEqual(crash.PAGESIZE, truth()['system']['page_size'])


if __name__ == '__main__':
    unittest.main()
