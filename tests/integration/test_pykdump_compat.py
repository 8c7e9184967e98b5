# SPDX-License-Identifier: GPL-2.0-or-later
"""Behaviours programs written for PyKdump rely on, used the way they use
them (LinuxDump's inet, BTstack, Tasks and the original programs).

Each test names the idiom it stands for; values are checked against
crash's own commands, truth.json or testmod's planted values.
"""

import re
import unittest

import crash
from _support import (CrashTestCase, crash_cmd, crash_offsetof, crash_p_int,
                      crash_sizeof, load_testmod_symbols, truth)

from pykdump.API import (AttrSetter, CU_LIVE, CU_TIMEOUT, EnumInfo,
                         KernelRev, exec_command,
                         exec_crash_command, exec_crash_command_bg,
                         memoize_cond, readSU, readSymbol, structSetAttr,
                         sys_info, tPtr)
from pykdump.helpers.net_sock import for_each_inet_sock
from pykdump.helpers.net import current_net


def _a_tcp_sock():
    """Address of a TCP socket of the scenario (listening on 20001)."""
    for s in for_each_inet_sock(current_net(), ['tcp']):
        if s.lport == 20001:
            return s.sk
    raise AssertionError('no TCP socket on port 20001')


def _crash_field(struct, field, addr):
    """crash's ``struct STRUCT.FIELD ADDR`` value, as an int."""
    out = crash_cmd('struct %s.%s %#x' % (struct, field, addr))
    return int(re.search(r'=\s*(-?(?:0x)?[0-9a-f]+)', out).group(1), 0)


class TestPseudoAttributes(CrashTestCase):
    """AttrSetter and structSetAttr, as LinuxDump/inet/proto.py uses them."""

    def test_empty_path_is_the_object_itself(self):
        # tcp_sock = AttrSetter("struct tcp_sock", "struct inet_sock")
        # tcp_sock.topt = ["tcp", ""]    (no field tcp since 2.6.x)
        tcp_sock = AttrSetter('struct tcp_sock', 'struct inet_sock')
        tcp_sock.topt = ['tcp', '']
        self.assertTrue(tcp_sock.topt)
        addr = _a_tcp_sock()
        for sname in ('struct tcp_sock', 'struct inet_sock'):
            with self.subTest(sname=sname):
                s = readSU(sname, addr)
                self.assertIs(s.topt, s)

    def test_empty_path_as_a_tuple_of_alternatives(self):
        udp_sock = AttrSetter('struct udp_sock', 'struct inet_sock')
        udp_sock.uopt = 'udp', ''
        self.assertTrue(udp_sock.uopt)
        s = readSU('struct udp_sock', 0xffff888000001000)
        self.assertIs(s.uopt, s)

    def test_structsetattr_with_empty_path(self):
        self.assertTrue(structSetAttr('struct tcp_sock', 'itself_', ''))
        s = readSU('struct tcp_sock', 0xffff888000002000)
        self.assertEqual(int(s.itself_), 0xffff888000002000)

    def test_skc_prefix_reads_struct_sock_common(self):
        sock = AttrSetter('struct inet_sock', 'struct sock')
        sock.Family = 'SKC.skc_family'
        addr = _a_tcp_sock()
        self.assertEqual(readSU('struct sock', addr).Family,
                         _crash_field('sock_common', 'skc_family', addr))

    def test_first_resolving_alternative_wins_and_behaves_as_a_field(self):
        sock = AttrSetter('struct sock')
        sock.Dport = ['no_such_field', '__sk_common.skc_dport']
        self.assertTrue(sock.Dport)
        addr = _a_tcp_sock()
        s = readSU('struct sock', addr)
        self.assertEqual(s.Dport, _crash_field('sock_common', 'skc_dport',
                                               addr))
        self.assertTrue(s.hasField('Dport'))
        self.assertEqual(s.fieldOffset('Dport'),
                         crash_offsetof('sock', '__sk_common.skc_dport'))

    def test_no_alternative_resolves_gives_false(self):
        sock = AttrSetter('struct sock')
        sock.nothing = ['no_such_field', 'nor_this.one']
        self.assertFalse(sock.nothing)


_bt_calls = []


# At module level, as in LinuxDump/BTstack.py: inside a class body
# ``exec_bt.__memoize`` would be name-mangled.
@memoize_cond(CU_LIVE)
def exec_bt(crashcmd=None, text=None, tasks=False):
    """BTstack's pattern: pass the caller's MEMOIZE on to the command."""
    _bt_calls.append(exec_bt.__memoize)
    return memoize_cond(CU_LIVE | CU_TIMEOUT)(exec_crash_command)(
        crashcmd, MEMOIZE=exec_bt.__memoize)


def _memoize_attr(fn):
    """fn.__memoize, read where no name mangling applies."""
    return getattr(fn, '__memoize')


class TestMemoizeKeyword(unittest.TestCase):
    """memoize_cond as LinuxDump/BTstack.py's exec_bt uses it."""

    def test_wrapper_carries_the_memoize_keyword_of_the_current_call(self):
        bt = crash_cmd('bt')
        del _bt_calls[:]
        self.assertEqual(exec_bt('bt', MEMOIZE=False), bt)
        self.assertEqual(exec_bt('bt'), bt)
        self.assertEqual(exec_bt('bt'), bt)     # memoized: not called
        self.assertEqual(_bt_calls, [False, True])
        self.assertIs(_memoize_attr(exec_bt), True)

    def test_attribute_exists_before_any_call(self):
        @memoize_cond(CU_LIVE)
        def f():
            return 1
        self.assertIs(_memoize_attr(f), True)
        f(MEMOIZE=False)
        self.assertIs(_memoize_attr(f), False)


class TestGdbTypeinfoDicts(CrashTestCase):
    """The dictionaries of crash.gdb_typeinfo / gdb_whatis."""

    @classmethod
    def setUpClass(cls):
        load_testmod_symbols()

    def _member(self, sname, fname):
        d = crash.gdb_typeinfo(sname)
        return next(f for f in d['body'] if f['fname'] == fname)

    def test_tagged_enum_member_carries_edef(self):
        m = self._member('struct estruct', 'e1')
        g = truth()['testmod']['globals']['asid_enum']
        self.assertEqual(m['basetype'], 'enum ASID_ENUM')
        self.assertEqual(m['edef'], [[n, v] for n, v in
                                     g['enumerators'].items()])

    def test_kernel_struct_enum_member_edef_matches_crash(self):
        m = self._member('struct module', 'state')
        self.assertEqual(m['basetype'], 'enum module_state')
        for name, value in m['edef']:
            with self.subTest(name=name):
                self.assertEqual(value, crash_p_int(name))

    def test_untagged_enum_member_carries_edef(self):
        m = self._member('struct net_device', 'rtnl_link_state')
        self.assertEqual(m['basetype'], 'enum')
        self.assertTrue(m['edef'])
        for name, value in m['edef']:
            with self.subTest(name=name):
                self.assertEqual(value, crash_p_int(name))

    def test_edef_pairs_are_lists_in_declaration_order(self):
        d = crash.gdb_typeinfo('enum testmod_sparse')
        g = truth()['testmod']['globals']['testmod_sparse_neg']
        self.assertEqual(d['edef'], [[n, v] for n, v in
                                     g['enumerators'].items()])
        self.assertTrue(all(type(p) is list for p in d['edef']))

    def test_whatis_of_an_enum_variable_carries_edef(self):
        d = crash.gdb_whatis('testmod_color')
        g = truth()['testmod']['globals']['testmod_color']
        self.assertEqual(d['fname'], 'testmod_color')
        self.assertEqual(d['codetype'], crash.TYPE_CODE_ENUM)
        self.assertEqual(dict(d['edef']), g['enumerators'])

    def test_whatis_of_an_untagged_enumerator_gives_its_enum(self):
        d = crash.gdb_whatis('TCP_ESTABLISHED')
        self.assertEqual(dict(d['edef'])['TCP_LISTEN'],
                         crash_p_int('TCP_LISTEN'))

    def test_enuminfo_from_an_enum_member_type(self):
        # update_EI_fromgdb: EnumInfo of the member's basetype
        e = EnumInfo(self._member('struct estruct', 'e1')['basetype'])
        self.assertEqual(e.getnam(2), 'ASID_2')

    def test_struct_member_dict_keys(self):
        m = self._member('struct list_head', 'next')
        self.assertEqual((m['codetype'], m['stars'], m['ptrbasetype'],
                          m['basetype'], m['bitoffset'], m['typelength']),
                         (crash.TYPE_CODE_PTR, 1, crash.TYPE_CODE_STRUCT,
                          'struct list_head', 0, 8))

    def test_unknown_type_raises_crash_error(self):
        self.assertRaisesNaming(crash.error, 'no_such_type_xyz',
                                crash.gdb_typeinfo,
                                'struct no_such_type_xyz')


class TestStructResultAsProgramsUseIt(CrashTestCase):
    """StructResult methods and repr LinuxDump relies on."""

    def setUp(self):
        self.addr = crash_cmd('sym init_task').split()[0]
        self.task = readSymbol('init_task')

    def test_repr_str_and_shortstr(self):
        a = int(self.addr, 16)
        size = crash_sizeof('struct task_struct')
        self.assertEqual(repr(self.task), 'StructResult <struct task_struct '
                         '0x%x> \tsize=%d' % (a, size))
        self.assertEqual(str(self.task), '<struct task_struct 0x%x>' % a)
        self.assertEqual(self.task.shortStr(), '<task_struct 0x%x>' % a)
        self.assertEqual(len(self.task), size)

    def test_string_index_is_the_field_varinfo(self):
        vi = self.task['tasks']
        self.assertEqual(vi.offset, crash_offsetof('task_struct', 'tasks'))
        self.assertEqual(vi.ti.stype, 'struct list_head')

    def test_eval_follows_a_dotted_chain(self):
        self.assertEqual(self.task.Eval('tasks.next'),
                         crash_p_int('init_task.tasks.next'))

    def test_name_mangled_field_inside_a_class(self):
        sk = readSU('struct sock', _a_tcp_sock())

        class Conn:
            def family(self, s):
                return s.__sk_common.skc_family     # _Conn__sk_common
        self.assertEqual(Conn().family(sk),
                         _crash_field('sock_common', 'skc_family', int(sk)))

    def test_castto_isnamed_and_int_equality(self):
        s = self.task.castTo('struct list_head')
        self.assertTrue(s.isNamed('struct list_head'))
        self.assertEqual(s, int(self.task))
        self.assertEqual({s: 1}[int(self.task)], 1)

    def test_plus_n_scales_by_the_struct_size(self):
        nxt = self.task + 1
        self.assertEqual(int(nxt), int(self.task) +
                         crash_sizeof('struct task_struct'))

    def test_missing_field_is_a_keyerror(self):
        # LinuxDump: try: ... tcp_hashinfo.__tcp_ehash_size
        #            except KeyError: ... the newer name
        with self.assertRaises(KeyError):
            self.task.no_such_field_xyz

    def test_unknown_struct_is_a_typeerror(self):
        with self.assertRaises(TypeError):
            readSU('struct no_such_struct_xyz', 0)

    def test_pointer_field_dereferences_with_deref(self):
        p = self.task.stack
        self.assertIsInstance(p, tPtr)
        self.assertEqual(int(p), crash_p_int('init_task.stack'))
        self.assertTrue(repr(p).startswith('<tPtr addr=0x%x' % int(p)))


class TestSysInfo(unittest.TestCase):
    """sys_info fields the original programs read."""

    def test_fields_match_crash_sys(self):
        sys_text = crash_cmd('sys')
        for key in ('RELEASE', 'MACHINE', 'MEMORY'):
            with self.subTest(key=key):
                m = re.search(r'^\s*%s: (.*)$' % key, sys_text, re.M)
                self.assertEqual(sys_info[key], m.group(1).strip())
        self.assertEqual(sys_info.CPUS, truth()['kernel']['ncpus'])
        self.assertEqual(sys_info.machine, 'x86_64')
        self.assertEqual(sys_info.RELEASE, truth()['kernel']['release'])
        self.assertEqual(sys_info.pointersize, 8)
        self.assertEqual(sys_info.pointermask, 2 ** 64 - 1)
        self.assertFalse(sys_info.livedump)
        self.assertEqual(sys_info.HZ, crash.HZ)

    def test_kernel_compares_as_a_version(self):
        self.assertIsInstance(sys_info.kernel, KernelRev)
        self.assertTrue(sys_info.kernel >= '2.6.32')
        self.assertTrue(sys_info.kernel < '99.0.0')

    def test_memory_splits_as_crashinfo_did(self):
        im, sm = sys_info.MEMORY.split()
        self.assertTrue(float(im) > 0)

    def test_programs_may_store_their_own_fields(self):
        sys_info.compat_test_field = [1, 2]
        self.assertEqual(sys_info.compat_test_field, [1, 2])

    def test_debuginfo_and_debugdir(self):
        self.assertIsInstance(sys_info.debuginfo, list)
        self.assertTrue(sys_info.DebugDir)


class TestCommands(CrashTestCase):
    """exec_crash_command* and exec_command as programs call them."""

    def test_bg_with_timeout_keyword(self):
        # LinuxDump: exec_crash_command_bg("ipcs -m", timeout=5)
        self.assertEqual(exec_crash_command_bg('sys', timeout=5),
                         crash_cmd('sys'))

    def test_bg_timeout_zero_means_the_default(self):
        self.assertEqual(exec_crash_command_bg('sys', 0), crash_cmd('sys'))

    def test_set_default_timeout_sets_the_timeout_bg_uses(self):
        # PyKdump kept a C copy nothing read: the value is
        # crash.default_timeout, which exec_crash_command_bg(cmd, 0) uses
        before = crash.default_timeout
        try:
            self.assertEqual(crash.set_default_timeout(7), before)
            self.assertEqual(crash.default_timeout, 7)
            self.assertEqual(crash.set_default_timeout(before), 7)
        finally:
            crash.default_timeout = before

    def test_exec_crash_command_takes_no_stdout_positionally(self):
        # PyKdump's C signature: exec_crash_command(cmd[, no_stdout])
        self.assertEqual(exec_crash_command('sys', 1),
                         crash_cmd('sys'))

    def test_exec_epython_command_runs_a_bundled_program(self):
        self.assertIn('pstree', crash.get_epython_cmds())
        root = _root_pid()
        out = _capture(crash.exec_epython_command, 'pstree', '-t',
                       str(root))
        self.assertIn('pk_root', out.splitlines()[0])

    def test_exec_command_runs_programs_and_crash_commands(self):
        out = _capture(exec_command, 'pstree -t %d' % _root_pid())
        self.assertIn('pk_root', out.splitlines()[0])
        self.assertEqual(_capture(exec_command, 'sys').strip(),
                         crash_cmd('sys').strip())


def _root_pid():
    """The pid of the scenario's pk_root process (truth.json)."""
    return next(t['pid'] for t in truth()['tasks'] if t['comm'] == 'pk_root')


def _capture(fn, *args):
    """What fn(*args) prints to sys.stdout."""
    import contextlib
    import io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args)
    return buf.getvalue()


class TestCrashModuleNames(unittest.TestCase):
    """Every name PyKdump's C module defined exists in ours."""

    NAMES = """symbol_exists struct_size union_size member_offset
        member_size enumerator_value get_GDB_output crash_set_error
        exec_crash_command exec_crash_command_bg2 exec_epython_command
        get_epython_cmds sym2addr sym2alladdr addr2sym addr2mod mem2long
        uvtop phys_to_page PAGEOFFSET readmem readPtr readInt sLong
        le32_to_cpu le16_to_cpu cpu_to_le32 getListSize getFullBuckets
        getFullBucketsH FD_ISSET gdb_whatis gdb_typeinfo set_readmem_task
        get_NR_syscalls register_epython_prog set_default_timeout
        get_pathname setprocname is_task_active pid_to_task task_to_pid
        get_uptime get_task_mem_usage error version KVADDR UVADDR PHYSADDR
        XENMACHADDR AMBIGUOUS PAGESIZE PAGE_CACHE_SHIFT HZ WARNING
        Crash_run Crash_build TYPE_CODE_PTR TYPE_CODE_ARRAY
        TYPE_CODE_STRUCT TYPE_CODE_UNION TYPE_CODE_ENUM TYPE_CODE_FUNC
        TYPE_CODE_INT TYPE_CODE_FLT TYPE_CODE_VOID TYPE_CODE_BOOL""".split()

    def test_every_name_exists(self):
        self.assertEqual([n for n in self.NAMES if not hasattr(crash, n)],
                         [])

    def test_error_is_an_exception_class(self):
        self.assertTrue(issubclass(crash.error, Exception))


if __name__ == '__main__':
    unittest.main()
