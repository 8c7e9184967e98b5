# SPDX-License-Identifier: GPL-2.0-or-later
"""Bad input to every crash.* binding: an exact exception, then crash answers.

Issue 9: a crash error(FATAL) or longjmp inside a binding that is not
guarded cuts the program off and kills crash at the next epython. This
module lists every function of the crash module (dir(crash)) and calls
each with bad input: empty and absurdly long names, unmapped and non-task
addresses, unknown memory types, wrong types. Each case names the exact
exception type (or the documented "not found" value), and after each call
crash must still answer, with the right values.

A binding added later without a row in BAD_INPUT fails
test_every_binding_has_bad_input_cases.
"""

import types

import crash
import pykdump.API  # noqa: F401  (installs crash.get_task_mem_usage)
from _support import CrashTestCase, crash_offsetof, crash_sym

DUMP_FORMATS = ('kdump', 'elf')

BAD = 0xdead000000000000        # non-canonical: never mapped
LONG = 'x' * 5000               # longer than crash's BUFSIZE buffers


class Value:
    """Expect a return value (the documented "not found" answer)."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return 'Value(%r)' % (self.value,)


def _banner():
    return crash.sym2addr('linux_banner')


def _non_task():
    """linux_banner seen as a task: its 'mm' is text, not an mm_struct."""
    return _banner() - crash.member_offset('struct task_struct', 'mm')


# name -> list of (args, expected): expected is an exception type (matched
# exactly) or Value. Arguments that are callables are evaluated at run time.
BAD_INPUT = {
    '_cpu_prstatus': [((10 ** 6,), crash.error), ((-1,), crash.error),
                      (('x',), TypeError)],
    '_gdb_typeinfo_filled': [(('struct nosuchtype',), crash.NoTypeError),
                             (('',), crash.error), ((5,), TypeError)],
    '_su_fields': [(('struct nosuchtype',), crash.NoTypeError),
                   (('',), crash.error), (('int',), Value(None)),
                   ((5,), TypeError)],
    '_su_member': [(('struct nosuchtype', 0), crash.NoTypeError),
                   (('struct list_head', 2), IndexError),
                   (('struct list_head', -1), IndexError),
                   (('int', 0), TypeError), (('struct list_head',), TypeError),
                   ((5, 0), TypeError)],
    '_type_gdb_layouts': [((1,), TypeError)],
    '_su_lazy': [(('struct nosuchtype',), Value(None)),
                 (('',), Value(None)), (('int',), Value(None)),
                 (('struct list_head', 5), TypeError), ((5,), TypeError)],
    '_type_gdb_requests': [((1,), TypeError)],
    'btf_type_names': [((1, 2), TypeError)],
    'btf_var_names': [((1,), TypeError)],
    'console_begin': [((5,), TypeError),
                      (('/nonexistent/dir/h', 5), TypeError)],
    'console_end': [((1,), TypeError)],
    'exec_epython_command': [(('nosuchprog',), Value(None)),
                             ((5,), TypeError), ((), TypeError)],
    'type_from_btf': [(('',), Value(False)),
                      (('struct nosuchtype',), Value(False)),
                      ((5,), TypeError)],
    'type_origin': [((1,), TypeError)],
    'type_source': [(('nosuch',), ValueError), ((5,), TypeError)],
    'FD_ISSET': [(('x', b''), TypeError), ((-1, b'\x01'), Value(0))],
    'PAGEOFFSET': [((1.5,), TypeError), (('x',), TypeError)],
    'PTOV': [((1.5,), TypeError), ((None,), TypeError)],
    'VTOP': [((BAD,), crash.FaultError), ((1.5,), TypeError)],
    'addr2mod': [((BAD,), Value(None)), ((1.5,), TypeError)],
    'addr2sym': [((BAD,), Value(None)), ((BAD, 1), Value((None, None))),
                 ((1.5,), TypeError)],
    'cpu_to_le32': [(('x',), TypeError)],
    'crash_set_error': [(('/nonexistent/dir/file',), crash.error),
                        ((5,), TypeError)],
    'debug': [(('x',), TypeError)],
    'enumerator_value': [(('',), Value(None)), (('A.b.c',), Value(None)),
                         ((LONG,), Value(None)), ((5,), TypeError)],
    'exec_crash_command': [(('nosuchcommand',), crash.error),
                           (('sym',), crash.error),
                           (('rd 0xdead000000000000',), crash.error),
                           (('x ' * 300,), crash.error),
                           ((LONG,), crash.error), ((5,), TypeError)],
    'exec_crash_command_bg2': [(('x ' * 300,), crash.error),
                               ((LONG,), crash.error), ((5,), TypeError)],
    'exec_gdb_command_checked': [(('nosuchgdbcommand',), crash.error),
                                 (('p *(int *)0',), crash.error),
                                 ((LONG,), crash.error), ((5,), TypeError)],
    'follow_next': [((BAD, 0, 10), Value(([], crash.WALK_FAULT, BAD))),
                    ((1.5, 0, 10), TypeError)],
    'gdb_typeinfo': [(('',), crash.error), (('struct nosuchtype',),
                                            crash.NoTypeError),
                     ((LONG,), crash.error), ((5,), TypeError)],
    'gdb_whatis': [(('',), crash.error),
                   (('nosuchsymbol',), crash.NoSymbolError),
                   ((LONG,), crash.error), ((5,), TypeError)],
    'getFullBuckets': [((BAD, 8, 4, 0), crash.FaultError),
                       ((_banner, 0, 1, 0), ValueError),
                       ((1.5, 8, 4, 0), TypeError)],
    'getFullBucketsH': [((BAD, 8, 4, 0), crash.FaultError),
                        ((_banner, 8, 1, 4), ValueError),
                        (('x', 8, 4, 0), TypeError)],
    'getListSize': [((BAD, 0, 10), crash.FaultError),
                    ((1.5, 0, 10), TypeError)],
    'get_GDB_output': [(('nosuchgdbcommand',), Value(None)),
                       ((5,), TypeError)],
    'get_NR_syscalls': [((1,), TypeError)],
    'get_epython_cmds': [((1,), TypeError)],
    'get_pathname': [((0, 0), crash.NullPointerError),
                     ((BAD, 0), crash.error),
                     ((1.5, 0), TypeError)],
    # the C binding: pykdump.API (imported above) puts its wrapper in
    # crash.get_task_mem_usage; a task crash's table lacks is a lookup
    '_crash_task_mem_usage': [((_non_task,), LookupError),
                              ((BAD,), LookupError),
                              (('x',), TypeError)],
    'get_uptime': [((1,), TypeError)],
    'input_line': [((5,), TypeError)],
    'is_task_active': [((BAD,), Value(False)), ((1.5,), TypeError)],
    'le16_to_cpu': [(('x',), TypeError)],
    'le32_to_cpu': [(('x',), TypeError)],
    'mem2long': [((b'abc',), crash.error), ((b'12345678', 0, 3), crash.error),
                 (('12345678',), TypeError)],
    'member_offset': [(('', 'pid'), Value(-1)),
                      (('struct nosuchtype', 'x'), Value(-1)),
                      ((LONG, 'x'), Value(-1)),
                      (('struct task_struct', LONG), Value(-1)),
                      ((5, 'x'), TypeError)],
    'member_size': [(('', 'pid'), Value(-1)),
                    (('struct nosuchtype', 'x'), Value(-1)),
                    ((LONG, 'x'), Value(-1)), ((5, 'x'), TypeError)],
    'modules': [((1,), TypeError)],
    'per_cpu_offset': [((10 ** 6,), crash.error), ((-1,), crash.error),
                       (('x',), TypeError)],
    'phys_to_page': [((BAD,), crash.FaultError), ((1.5,), TypeError)],
    'pid_to_task': [((10 ** 9,), Value(0)), ((1.5,), TypeError)],
    'readInt': [((BAD, 8), crash.FaultError),
                ((0, 8), crash.NullPointerError),
                ((_banner, 3), crash.error), ((1.5, 8), TypeError)],
    'readPtr': [((BAD,), crash.FaultError), ((0,), crash.NullPointerError),
                ((_banner, 99), ValueError), ((_banner, 1.5), TypeError),
                ((1.5,), TypeError)],
    'readPtrArray': [((BAD, 4), crash.FaultError), ((_banner, -1), ValueError),
                     ((1.5, 4), TypeError)],
    'readmem': [((BAD, 8), crash.FaultError),
                ((0, 8), crash.NullPointerError),
                ((_banner, -1), ValueError), ((_banner, 8, 99), ValueError),
                ((_banner, 8, 0), ValueError), ((1.5, 8), TypeError)],
    'register_epython_prog': [(('nosuch', '', '', ''), Value(False)),
                              ((1, 2, 3, 4), TypeError)],
    'sLong': [(('x',), TypeError)],
    'set_default_timeout': [(('x',), TypeError)],
    'set_readmem_task': [((_non_task,), crash.error), ((BAD,), crash.error),
                         ((1.5,), TypeError)],
    'setprocname': [(('a\0b',), ValueError), ((5,), TypeError)],
    'struct_size': [(('',), Value(-1)), (('struct nosuchtype',), Value(-1)),
                    ((LONG,), Value(-1)), ((5,), TypeError)],
    'sym2addr': [(('',), Value(0)), ((LONG,), Value(0)),
                 (('a\0b',), ValueError), ((5,), TypeError)],
    'sym2alladdr': [(('',), Value([])), ((LONG,), Value([])),
                    ((5,), TypeError)],
    'symbol_exists': [(('',), Value(0)), ((LONG,), Value(0)),
                      ((5,), TypeError)],
    'sysinfo': [((1,), TypeError)],
    'task_to_pid': [((BAD,), Value(None)), ((1.5,), TypeError)],
    'type_generation': [((1,), TypeError)],
    'union_size': [(('',), Value(-1)), (('union nosuchtype',), Value(-1)),
                   ((5,), TypeError)],
    'uvtop': [((_non_task, 0x400000), crash.FaultError),
              ((BAD, 0), crash.FaultError),
              ((1.5, 0), TypeError)],
}


def bindings():
    """Return the names of the functions of the crash module."""
    return sorted(name for name in dir(crash)
                  if isinstance(getattr(crash, name),
                                types.BuiltinFunctionType))


class BadInputTests(CrashTestCase):
    """Every binding, every bad input: exact exception, crash survives."""

    @classmethod
    def setUpClass(cls):
        cls.init_task = crash_sym('init_task')
        cls.pid_offset = crash_offsetof('task_struct', 'pid')

    def tearDown(self):
        crash.set_readmem_task(0)

    def assertCrashRight(self, context):
        """crash answers, and our lookups still give crash's values."""
        self.assertCrashAlive()
        self.assertEqual(crash.sym2addr('init_task'), self.init_task,
                         context)
        self.assertEqual(crash.member_offset('struct task_struct', 'pid'),
                         self.pid_offset, context)
        self.assertEqual(crash.readPtr(self.init_task), int.from_bytes(
            crash.readmem(self.init_task, 8), 'little'), context)

    def test_every_binding_has_bad_input_cases(self):
        missing = [n for n in bindings() if n not in BAD_INPUT]
        self.assertEqual(missing, [], 'crash.* functions without a row in '
                         'test_bad_input.BAD_INPUT: add their bad inputs')
        stale = [n for n in BAD_INPUT if not hasattr(crash, n)]
        self.assertEqual(stale, [])

    def test_every_binding_has_a_wrong_type_case(self):
        without = [n for n, cases in BAD_INPUT.items()
                   if not any(exp is TypeError for _args, exp in cases)]
        self.assertEqual(without, [])

    def test_bad_input_gives_the_exact_exception_and_crash_survives(self):
        for name in bindings():
            for args, expected in BAD_INPUT.get(name, ()):
                args = tuple(a() if callable(a) else a for a in args)
                shown = '%s%r' % (name, tuple(
                    a[:20] + '...' if isinstance(a, str) and len(a) > 20
                    else a for a in args))
                with self.subTest(call=shown):
                    self.check_case(name, args, expected, shown)

    def check_case(self, name, args, expected, shown):
        func = getattr(crash, name)
        try:
            got = func(*args)
        except Exception as exc:  # compared with the expected type below
            if isinstance(expected, Value) or type(exc) is not expected:
                self.fail('%s raised %s: %s (expected %r)'
                          % (shown, type(exc).__name__, exc, expected))
        else:
            if name == 'exec_crash_command_bg2':
                self.fail('%s started a child' % shown)
            if not isinstance(expected, Value):
                self.fail('%s returned %r (expected %s)'
                          % (shown, got, expected.__name__))
            self.assertEqual(got, expected.value, shown)
        finally:
            crash.set_readmem_task(0)
        self.assertCrashRight(shown)


class IssueTriggerTests(CrashTestCase):
    """The calls issue 9 names, one behaviour each."""

    def test_sym2addr_empty_is_not_found_and_crash_survives(self):
        self.assertEqual(crash.sym2addr(''), 0)
        self.assertEqual(crash.symbol_exists(''), 0)
        self.assertEqual(crash.sym2addr('init_task'), crash_sym('init_task'))

    def test_percpu_addresses_empty_raises_typeerror(self):
        from pykdump.API import percpu_addresses
        self.assertRaisesNaming(TypeError, 'per-cpu', percpu_addresses, '')

    def test_uvtop_of_a_non_task_raises_crash_error(self):
        self.assertRaises(crash.error, crash.uvtop, _non_task(), 0x400000)
        self.assertCrashAlive()

    def test_readProcessMem_of_a_non_task_raises_crash_error(self):
        from pykdump.API import readProcessMem
        self.assertRaises(crash.error, readProcessMem, _non_task(),
                          0x400000, 8)
        self.assertCrashAlive()

    def test_set_readmem_task_of_a_non_task_is_refused(self):
        self.assertRaisesNaming(crash.error, 'bad taskaddr',
                                crash.set_readmem_task, _non_task())
        # Reads stay kernel reads.
        self.assertEqual(crash.readmem(_banner(), 5), b'Linux')

    def test_readPtr_with_unknown_memory_type_raises_valueerror(self):
        self.assertRaisesNaming(ValueError, 'memory type 99',
                                crash.readPtr, _banner(), 99)

    def test_enumerator_value_leaves_its_argument_alone(self):
        name = ''.join(['A', '.b', '.c'])  # a str of our own
        crash.enumerator_value(name)
        self.assertEqual(name, 'A.b.c')
        self.assertEqual(len(name.encode()), 5)

    def test_float_address_raises_typeerror(self):
        from pykdump.API import readSU
        init_task = crash_sym('init_task')
        self.assertRaises(TypeError, crash.readPtr, float(init_task))
        self.assertRaises(TypeError, readSU, 'struct task_struct',
                          float(init_task))

    def test_readSU_of_an_unknown_type_raises_typeerror_naming_it(self):
        # docs/user-guide.md, Troubleshooting: "no type struct foo".
        from pykdump.API import readSU
        self.assertRaisesNaming(TypeError, 'no type struct nosuchtype_mpk',
                                readSU, 'struct nosuchtype_mpk',
                                crash_sym('init_task'))
        self.assertEqual(readSU('struct task_struct',
                                crash_sym('init_task')).pid, 0)

    def test_unknown_names_are_not_cached_as_answers(self):
        # A failed lookup of a real type must not hide it afterwards.
        self.assertEqual(crash.struct_size('struct task_struct'),
                         crash.struct_size('task_struct'))
        self.assertGreater(crash.struct_size('struct task_struct'), 0)
