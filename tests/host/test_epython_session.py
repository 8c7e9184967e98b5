# SPDX-License-Identifier: GPL-2.0-or-later
"""The epython command as a user sees it, in one crash session.

One crash session runs every check of this file (each is a section of the
script, see _crash.py); the tests then read their section. Programs are
written to a scratch directory that is crash's working directory, with two
more directories on $PYKDUMPPATH.
"""

import datetime
import os
import re
import unittest

from tests.host import _crash
from tests.host._crash import mark

LINES_PY = '''import sys
for i in range(int(sys.argv[1])):
    print('line', i)
'''

BOOM_PY = '''def inner():
    raise ValueError('boom-xyz 42')


inner()
'''

STDLIB_PY = '''import ctypes
import decimal
import hashlib
import json
import math
import os
import zlib

import _socket

print('JSON', json.dumps({'b': [1, 2], 'a': None}, sort_keys=True))
print('CTYPES_PID', ctypes.CDLL(None).getpid(), 'OS_PID', os.getpid())
print('MATH', math.factorial(20), math.isqrt(10 ** 20))
a, b = _socket.socketpair()
a.send(b'ping')
print('SOCKET', b.recv(4).decode())
print('ZLIB', zlib.decompress(zlib.compress(b'x' * 1000)) == b'x' * 1000)
print('SHA256', hashlib.sha256(b'abc').hexdigest())
print('DECIMAL', decimal.Decimal(1) / decimal.Decimal(7))
'''

PROBE_PY = '''import builtins
builtins._mpk_imports = getattr(builtins, '_mpk_imports', 0) + 1


def imports():
    return builtins._mpk_imports
'''

SETSTATE_PY = '''import sys
import mpkprobe
LEAK_MPK = 1
sys._mpk_probe = 'kept'
print('SET', mpkprobe.imports())
'''

CHECKSTATE_PY = '''import sys
import mpkprobe
print('STATE', 'LEAK_MPK' in globals(), getattr(sys, '_mpk_probe', None),
      mpkprobe.imports(), __name__)
'''

QUIETFAIL_PY = '''import crash
try:
    crash.exec_crash_command('p no_such_symbol_mpk')
except crash.error as exc:
    print('CAUGHT', 'no_such_symbol_mpk' in str(exc))
'''

INTERLEAVE_PY = '''import sys
print('OUT1')
print('ERR1', file=sys.stderr)
print('OUT2')
sys.stdout.write('NO-NEWLINE')
'''


class EpythonSessionTests(_crash.SessionTestCase):
    """Everything about epython that one crash session can show."""

    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp()
        cls.so = _crash.so_path()
        cls.cwd = os.path.join(tmp, 'cwd')
        cls.d1 = os.path.join(tmp, 'd1')
        cls.d2 = os.path.join(tmp, 'd2')
        cls.outfile = os.path.join(tmp, 'out.txt')
        cls.bundled = _crash.bundled_programs(cls.so)
        _crash.make_tree(cls.cwd, {
            'argv.py': 'import sys\nprint("ARGV", repr(sys.argv))\n',
            'sub/where.py': 'print("WHERE sub/where.py")\n',
            'shadow.py': 'print("SHADOW from cwd")\n',
            'lines.py': LINES_PY,
            'say.py': 'import sys\nprint(" ".join(sys.argv[1:]))\n',
            'interleave.py': INTERLEAVE_PY,
            'boom.py': BOOM_PY,
            'exit.py': 'import sys\nsys.exit(int(sys.argv[1]))\n',
            'stdlib.py': STDLIB_PY,
            'setstate.py': SETSTATE_PY,
            'checkstate.py': CHECKSTATE_PY,
            'usemod.py': 'import mpkmod\nprint("MOD", mpkmod.VERSION)\n',
            'quietfail.py': QUIETFAIL_PY,
        })
        d1_files = {
            'onlyname': 'print("FOUND d1/onlyname")\n',
            'both.py': 'print("FOUND d1/both.py")\n',
            'shadow.py': 'print("SHADOW from d1")\n',
            'mpkprobe.py': PROBE_PY,
            'mpkmod.py': 'VERSION = 1\n',
            'mpkmod_v2.txt': 'VERSION = 2  # a different size: new .pyc\n',
        }
        if cls.bundled:
            d1_files[cls.bundled[0] + '.py'] = \
                'print("OVERRIDE %s")\n' % cls.bundled[0]
        _crash.make_tree(cls.d1, d1_files)
        _crash.make_tree(cls.d2, {
            'onlyname.py': 'print("FOUND d2/onlyname.py")\n',
            'second.py': 'print("FOUND d2/second.py")\n',
            'both': 'print("FOUND d2/both")\n',
        })
        so, d1 = cls.so, cls.d1
        script = [
            mark('extend'), 'extend ' + so,
            mark('version'), 'epython -v',
            mark('help'), 'epython -h',
            mark('path'), 'epython -p',
            mark('argv'), 'epython argv.py alpha -x --flag 42',
            mark('abspath'), 'epython %s/sub/where.py' % cls.cwd,
            mark('relpath'), 'epython sub/where.py',
            mark('onlyname'), 'epython onlyname',
            mark('second'), 'epython second',
            mark('both'), 'epython both',
            mark('shadow'), 'epython shadow.py',
            mark('grep'), "epython lines.py 50 | grep -E 'line (7|13)$'",
            mark('redirect'), 'epython lines.py 500 > ' + cls.outfile,
            mark('append'), 'epython lines.py 3 >> ' + cls.outfile,
            mark('head'), 'epython lines.py 200000 | head -1',
            mark('after_head'), 'sym init_task',
            mark('order'), 'epython say.py P1', 'sym init_task',
            'epython say.py P2',
            mark('interleave'), 'epython interleave.py',
            mark('after_interleave'), 'sym init_task',
            mark('raise'), 'epython boom.py',
            mark('after_raise'), 'sym init_task',
            mark('exit3'), 'epython exit.py 3',
            mark('exit0'), 'epython exit.py 0',
            mark('missing'), 'epython nothere_mpk.py',
            mark('quietfail'), 'epython quietfail.py',
            mark('stdlib'), 'epython stdlib.py',
            mark('setstate'), 'epython setstate.py',
            mark('checkstate'), 'epython checkstate.py',
            mark('mod1'), 'epython usemod.py',
            '!cp %s/mpkmod_v2.txt %s/mpkmod.py' % (d1, d1),
            mark('mod_cached'), 'epython usemod.py',
            mark('mod_reload'), 'epython --reload usemod.py',
            mark('extend_again'), 'extend ' + so,
            mark('after_extend_again'), 'epython checkstate.py',
        ]
        if cls.bundled:
            # bundled[0] is overridden from d1, another one is not
            cls.plain = 'modinfo' if 'modinfo' in cls.bundled[1:] \
                else cls.bundled[-1]
            script += [mark('bundled_override'),
                       'epython ' + cls.bundled[0],
                       mark('bundled_found'), 'epython ' + cls.plain,
                       mark('bundled_command'), cls.plain,
                       mark('bundled_help'), 'help ' + cls.plain]
        script += [
            mark('unload'), 'extend -u ' + so,
            mark('unload_sym'), 'sym init_task',
            mark('unload_epython'), 'epython argv.py',
            mark('reextend'), 'extend ' + so,
            mark('reextend_run'), 'epython stdlib.py',
            mark('final'), 'sym init_task',
        ]
        cls.session = _crash.run_crash(
            script, cwd=cls.cwd, timeout=300,
            env={'PYKDUMPPATH': '%s:%s' % (cls.d1, cls.d2)})
        final = cls.session.sections.get('final', '')
        cls.init_task = cls._sym_address(final)
        # the whole line as this crash prints it: crash 9.0.2 on 7.2 says
        # "(T) init_task " where 8.0.2 says "(D) init_task"
        cls.sym_line = next((ln for ln in final.splitlines()
                             if cls.init_task and
                             ln.startswith(cls.init_task)), None)

    @staticmethod
    def _sym_address(text):
        m = re.search(r'^([0-9a-f]+) \(\w\) init_task *$', text, re.M)
        return m.group(1) if m else None

    def lines(self, name):
        return self.session.lines(name)

    def assert_sym_works(self, name):
        """Section name is the output of 'sym init_task': it must work."""
        self.assertIsNotNone(self.init_task, 'last "sym init_task" failed')
        self.assertEqual(self.lines(name), [self.sym_line])

    # -- loading

    def test_extend_prints_one_line_with_mpykdump_python_crash_versions(self):
        ours = [ln for ln in self.lines('extend') if 'mpykdump' in ln and
                'shared object' not in ln]
        self.assertEqual(len(ours), 1, self.session.section('extend'))
        line = ours[0]
        self.assertIn(_crash.read_make_var('VERSION'), line)
        self.assertIn('Python %s' % _crash.embedded_python_version(), line)
        self.assertIn('crash %s' % _crash.crash_version(), line)

    def test_epython_v_prints_versions_and_build_date(self):
        text = self.session.section('version')

        def line_with(word, value):
            hits = [ln for ln in text.splitlines()
                    if word in ln and value in ln]
            self.assertTrue(hits, '%s %s not in:\n%s' % (word, value, text))
        line_with('mpykdump', _crash.read_make_var('VERSION'))
        line_with('API', _crash.api_version())
        line_with('Python', _crash.embedded_python_version())
        line_with('crash', _crash.crash_version())
        dates = re.findall(r'\b(\d{4}-\d{2}-\d{2})\b', text)
        self.assertTrue(dates, 'no build date (YYYY-MM-DD) in:\n' + text)
        built = datetime.date.fromisoformat(dates[0])
        mtime = datetime.datetime.fromtimestamp(
            os.path.getmtime(self.so), datetime.timezone.utc).date()
        # compiled at most a day before the .so was linked, never after
        self.assertLessEqual(built, mtime)
        self.assertGreaterEqual(built, mtime - datetime.timedelta(days=1))

    def test_epython_h_describes_program_lookup(self):
        self.assertSectionHas('help', 'PYKDUMPPATH', '--reload')

    def test_epython_p_lists_the_so_and_pykdumppath_dirs(self):
        self.assertSectionHas('path', self.so, self.d1, self.d2)

    # -- program and argv

    def test_argv_is_program_then_args_including_option_like_ones(self):
        lines = self.lines('argv')
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith('ARGV '), lines)
        argv = eval(lines[0][5:], {})  # the repr of a list of str
        self.assertTrue(argv[0].endswith('argv.py'), argv)
        self.assertEqual(argv[1:], ['alpha', '-x', '--flag', '42'])

    def test_absolute_path_runs_that_file(self):
        self.assertEqual(self.lines('abspath'), ['WHERE sub/where.py'])

    def test_relative_path_is_taken_from_crash_cwd(self):
        self.assertEqual(self.lines('relpath'), ['WHERE sub/where.py'])

    def test_pykdumppath_finds_name_without_py_in_first_dir(self):
        self.assertEqual(self.lines('onlyname'), ['FOUND d1/onlyname'])

    def test_pykdumppath_finds_name_py_in_second_dir(self):
        self.assertEqual(self.lines('second'), ['FOUND d2/second.py'])

    def test_pykdumppath_dir_order_beats_name_form(self):
        self.assertEqual(self.lines('both'), ['FOUND d1/both.py'])

    def test_path_beats_pykdumppath(self):
        self.assertEqual(self.lines('shadow'), ['SHADOW from cwd'])

    def test_pykdumppath_beats_bundled_program(self):
        if not self.bundled:
            self.skipTest('no program bundled in mpykdump.so (progs/ empty)')
        self.assertEqual(self.lines('bundled_override'),
                         ['OVERRIDE %s' % self.bundled[0]])

    def need_bundled(self):
        if not self.bundled or len(self.bundled) < 2:
            self.skipTest('fewer than two programs bundled in mpykdump.so')

    def test_bundled_program_is_found_when_not_on_disk(self):
        self.need_bundled()
        text = self.session.section('bundled_found')
        self.assertNotIn('epython: no program', text)
        self.assertNotIn('Traceback', text)
        self.assertTrue(self.lines('bundled_found'))

    def test_bundled_program_is_a_crash_command_printing_the_same(self):
        self.need_bundled()

        def body(name):  # timing lines differ from run to run
            return [ln for ln in self.lines(name)
                    if 'Execution took' not in ln]
        self.assertEqual(body('bundled_command'), body('bundled_found'))

    def test_bundled_program_has_a_one_line_crash_help_entry(self):
        self.need_bundled()
        self.assertRegex(self.session.section('bundled_help'),
                         r'(?m)^\s*%s - \S' % re.escape(self.plain))

    # -- output: pipes, redirects, order

    def test_pipe_to_grep_keeps_only_matching_lines(self):
        self.assertEqual(self.lines('grep'), ['line 7', 'line 13'])

    def test_redirect_to_file_writes_everything_there_and_nothing_here(self):
        self.assertEqual(self.lines('redirect'), [])
        self.assertEqual(self.lines('append'), [])
        with open(self.outfile, encoding='utf-8') as f:
            lines = f.read().splitlines()
        self.assertEqual(lines, ['line %d' % i for i in range(500)] +
                         ['line %d' % i for i in range(3)])

    def test_pipe_to_head_prints_one_line_and_no_broken_pipe_noise(self):
        self.assertEqual(self.lines('head'), ['line 0'])

    def test_command_after_pipe_to_head_works(self):
        self.assert_sym_works('after_head')

    def test_program_output_is_in_order_with_crash_output(self):
        lines = self.lines('order')
        self.assertEqual(lines, ['P1', self.sym_line,
                                 'P2'])

    def test_stderr_and_stdout_interleave_in_program_order(self):
        lines = self.lines('interleave')
        self.assertEqual(lines, ['OUT1', 'ERR1', 'OUT2', 'NO-NEWLINE'])

    def test_output_without_final_newline_does_not_swallow_next_output(self):
        self.assert_sym_works('after_interleave')

    # -- errors and exit

    def test_raising_program_prints_traceback_with_its_frames(self):
        text = self.session.section('raise')
        self.assertIn('Traceback (most recent call last):', text)
        self.assertRegex(text, r'File ".*boom\.py", line 5, in <module>')
        self.assertRegex(text, r'File ".*boom\.py", line 2, in inner')
        self.assertEqual(self.lines('raise')[-1], 'ValueError: boom-xyz 42')

    def test_traceback_shows_only_the_programs_frames(self):
        # As `python3 boom.py` would: the runner is not the user's code.
        text = self.session.section('raise')
        frames = re.findall(r'File "([^"]+)"', text)
        self.assertTrue(frames)
        self.assertEqual([f for f in frames if not f.endswith('boom.py')],
                         [], text)

    def test_command_after_traceback_works(self):
        self.assert_sym_works('after_raise')

    def test_sys_exit_3_prints_exit_marker(self):
        self.assertEqual(self.lines('exit3'), [' -- sys.exit(3) --'])

    def test_sys_exit_0_prints_nothing(self):
        self.assertEqual(self.lines('exit0'), [])

    def test_missing_program_prints_one_line_naming_where_it_looked(self):
        lines = self.lines('missing')
        self.assertEqual(len(lines), 1, lines)
        m = re.match(r"^epython: no program 'nothere_mpk\.py' "
                     r"\(searched: (.+)\)$", lines[0])
        self.assertTrue(m, lines[0])
        self.assertIn(self.d1, m.group(1))
        self.assertIn(self.d2, m.group(1))

    def test_failed_command_caught_by_program_prints_only_the_program(self):
        # exec_crash_command captures: crash's error text belongs in the
        # exception, not on the user's screen as well.
        self.assertEqual(self.lines('quietfail'), ['CAUGHT True'])

    # -- the interpreter

    def test_stdlib_c_modules_import_and_work(self):
        self.check_stdlib('stdlib')

    def check_stdlib(self, section):
        """Section is stdlib.py's output: check each value."""
        got = {ln.split()[0]: ln.split(None, 1)[1]
               for ln in self.lines(section) if ' ' in ln}
        self.assertEqual(got.get('JSON'), '{"a": null, "b": [1, 2]}')
        # ctypes calls libc inside crash: the pid is crash's own
        self.assertEqual(got.get('CTYPES_PID'),
                         '%d OS_PID %d' % (self.session.pid,
                                           self.session.pid))
        self.assertEqual(got.get('MATH'), '2432902008176640000 10000000000')
        self.assertEqual(got.get('SOCKET'), 'ping')
        self.assertEqual(got.get('ZLIB'), 'True')
        self.assertEqual(got.get('SHA256'), 'ba7816bf8f01cfea414140de5dae2223'
                         'b00361a396177a9cb410ff61f20015ad')
        self.assertEqual(got.get('DECIMAL'), '0.1428571428571428571428571429')

    def test_each_run_has_fresh_main_but_keeps_modules(self):
        self.assertEqual(self.lines('setstate'), ['SET 1'])
        self.assertEqual(self.lines('checkstate'),
                         ['STATE False kept 1 __main__'])

    def test_imported_module_is_kept_until_reload(self):
        self.assertEqual(self.lines('mod1'), ['MOD 1'])
        self.assertEqual(self.lines('mod_cached'), ['MOD 1'])
        self.assertEqual(self.lines('mod_reload'), ['MOD 2'])

    # -- extend twice, extend -u

    def test_second_extend_keeps_the_same_python(self):
        self.assertIn('already loaded', self.session.section('extend_again'))
        lines = self.lines('after_extend_again')
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith('STATE False kept '), lines)

    def test_extend_u_unloads_and_crash_commands_still_work(self):
        self.assertIn('unloaded', self.session.section('unload'))
        self.assert_sym_works('unload_sym')

    def test_epython_is_gone_after_extend_u(self):
        text = self.session.section('unload_epython')
        self.assertNotIn('ARGV', text)
        self.assertIn('command not found', text)

    def test_extend_after_unload_prints_versions_and_runs_programs(self):
        ours = [ln for ln in self.lines('reextend') if 'mpykdump' in ln and
                'shared object' not in ln]
        self.assertEqual(len(ours), 1, self.session.section('reextend'))
        self.check_stdlib('reextend_run')

    def test_crash_still_answers_at_the_end(self):
        self.assertIsNotNone(self.init_task,
                             'final "sym init_task" printed:\n' +
                             self.session.section('final'))


if __name__ == '__main__':
    unittest.main()
