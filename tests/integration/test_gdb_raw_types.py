# SPDX-License-Identifier: GPL-2.0-or-later
"""gdb's type text is asked raw (ptype /r, whatis /r).

Plain ptype canonicalizes every type name it prints by looking it up as a
symbol; a struct tag is none, and that failed lookup searches every
compilation unit the first time (~15 ms each on a vmlinux without
.gdb_index: `ptype /o struct task_struct` took 2.3 s, raw 23 ms). In C the
raw text differs only in the integer type names, which src/types.c makes
canonical again (mpk_ptype_canonical_ints): checked here against gdb's
own plain answers for a fixed sample of the kernel's types and globals,
and on the answers programs get.
"""

import random
import re
import unittest

import crash

SEED = 21
SAMPLE = 80
# DWARF's integer type names and what plain ptype prints for them.
CANONICAL = {
    'long unsigned int': 'unsigned long',
    'short unsigned int': 'unsigned short',
    'long long unsigned int': 'unsigned long long',
    'long int': 'long',
    'short int': 'short',
    'long long int': 'long long',
    '__int128 unsigned': 'unsigned __int128',
}
_PLAIN = re.compile(r'(?<![\w])(%s)(?![\w])' % '|'.join(
    sorted((re.escape(v) for v in CANONICAL.values()), key=len,
           reverse=True)))
_RAW = re.compile(r'(?<![\w])(%s)(?![\w])' % '|'.join(
    sorted((re.escape(k) for k in CANONICAL), key=len, reverse=True)))
GLOBALS = ('init_nsproxy', 'init_uts_ns', 'tk_core', '*prb',
           'taint_flags[0]', 'worker_pool_idr', 'jiffies', 'system_state',
           'init_task', 'TCP_CLOSE', 'NR_FREE_PAGES', 'avenrun',
           'schedule', '__per_cpu_offset', 'init_task.comm', '&init_task')


def canonical(text):
    """Raw gdb text with the integer names plain ptype prints (None: gdb
    failed, as for a type only BTF has)."""
    if text is None:
        return None
    return _RAW.sub(lambda m: CANONICAL[m.group(1)], text)


class TestRawTypeText(unittest.TestCase):
    """Raw text, made canonical, is plain text; the answers are the same."""

    @classmethod
    def setUpClass(cls):
        names = sorted(n for n in crash.btf_type_names()
                       if n.startswith(('struct ', 'union ', 'enum ')))
        cls.types = random.Random(SEED).sample(names, min(SAMPLE,
                                                          len(names)))
        cls.types += ['struct task_struct', 'struct sock', 'struct page',
                      'atomic_t', 'spinlock_t', 'u32', 'pid_t']

    def test_raw_text_differs_only_in_integer_names(self):
        seen = set()
        for x in self.types + list(GLOBALS):
            for cmd, raw in (('ptype /o', 'ptype /ro'), ('ptype', 'ptype /r'),
                             ('whatis', 'whatis /r')):
                text = crash.get_GDB_output('%s %s' % (raw, x))
                plain = crash.get_GDB_output('%s %s' % (cmd, x))
                seen.update(m.group(0) for m in _PLAIN.finditer(plain or ''))
                with self.subTest(cmd=cmd, x=x):
                    self.assertEqual(canonical(text), plain)
        # the common ones were compared (the sample has them on every
        # kernel; gdb 10 prints them raw as the DWARF names, gdb 16 not)
        self.assertLessEqual({'unsigned long', 'unsigned short',
                              'unsigned long long'}, seen)

    def test_answers_carry_the_canonical_names(self):
        saved = crash.type_source()
        crash.type_source('btf')
        crash.type_source('gdb')
        try:
            d = crash.gdb_typeinfo('struct timer_list')
            expires = [f for f in d['body'] if f['fname'] == 'expires'][0]
            self.assertEqual(expires['basetype'], 'unsigned long')
            self.assertEqual(expires['typelength'], 8)
            self.assertEqual(crash.gdb_whatis('jiffies')['basetype'],
                             'unsigned long')
            proto = crash.gdb_whatis('schedule_timeout')['prototype']
            self.assertEqual([p['basetype'] for p in proto],
                             ['long', 'long'])
        finally:
            crash.type_source(saved)


if __name__ == '__main__':
    unittest.main(argv=['x'], exit=False, verbosity=2)
