# SPDX-License-Identifier: GPL-2.0-or-later
"""The bundled programs take PyKdump's flags with PyKdump's meaning.

Each flag of PyKdump's xportshow, crashinfo, taskinfo, pstree and modinfo
is either accepted with its meaning, checked here against truth.json and
crash's own commands, or refused with one line naming what to use
instead (exit status 2).  No flag may mean something else.
"""

import re
import unittest

from _progs import load, run
from _support import crash_cmd, crash_module_problem, crash_offsetof, truth

# Every flag of PyKdump 3.5's programs (their optparse/argparse setup),
# with a value where the flag takes one.
PYKDUMP_FLAGS = {
    'xportshow': [
        ['-a'], ['-v'], ['-r'], ['--program', 'pk_net'], ['--pid', '139'],
        ['--netfilter'], ['--softnet'], ['--summary'], ['-s'],
        ['--statistics'], ['-i'], ['--interface', 'lo'],
        ['--decode', 'th', 'ffff888000000000'], ['--port', '22'], ['-l'],
        ['--listening'], ['-t'], ['--tcpstate', 'LISTEN'],
        ['--retransonly'], ['-u'], ['--udp'], ['-w'], ['--raw'], ['-x'],
        ['--unix'], ['--sysctl'], ['--devpack'], ['--arp'], ['--rtcache'],
        ['--skbuffhead', 'ffff888000000000'], ['--netns', 'all'],
        ['--version'], ['--sport', '22'], ['--dport', '22'],
        ['--everything']],
    'crashinfo': [
        ['-v'], ['-q'], ['--fast'], ['--sysctl'], ['--ext3'], ['--blkreq'],
        ['--blkdevs'], ['--filelock'], ['--stacksummary'],
        ['--findstacks', 'schedule'], ['--checkstacks'],
        ['--decodesyscalls', '1'], ['--keventd_wq'], ['--kblockd_wq'],
        ['--lws'], ['--devmapper'], ['--runq'], ['--semaphore', '0x10'],
        ['--rwsemaphore', '0x10'], ['--mutex', '0x10'], ['--umem'],
        ['--ls', '/'], ['--workqueues'],
        ['--radix_tree_element', '0x10', '8'], ['--pci'], ['--version']],
    'taskinfo': [
        ['-v'], ['--summary'], ['--hang'], ['--maxpids', '4'],
        ['--pidinfo', '1'], ['--taskfilter', 'UN'], ['--pstree'], ['-r'],
        ['--recent'], ['--cmd', 'bt'], ['--memory'], ['--ns'],
        ['--version']],
    'pstree': [['-p'], ['-g'], ['-s'], ['-t', '1']],
    'modinfo': [
        ['--disasm', 'testmod'], ['--details', 'testmod'], ['-t'], ['-g'],
        ['-a'], ['-u']],
}

_REFUSED = re.compile(r'^(\w+): (\S+) is not available here: (\S.*)$')


def _refusal(res):
    """(prog, flag, instead) of a refused flag's line, or None."""
    m = _REFUSED.match(res.err.strip())
    return m.groups() if m else None


class TestEveryPyKdumpFlagIsKnown(unittest.TestCase):
    """Each PyKdump flag parses, or is refused naming an alternative."""

    def test_each_flag_is_accepted_or_refused_with_an_alternative(self):
        for prog, flags in PYKDUMP_FLAGS.items():
            mod = load(prog)
            for argv in flags:
                with self.subTest(prog=prog, argv=argv):
                    res = run(_Parse(mod), argv)
                    if res.exit in (None, 0):
                        continue
                    refused = _refusal(res)
                    self.assertIsNotNone(refused, res.err)
                    self.assertEqual(res.exit, 2)
                    self.assertEqual(refused[:2], (prog, argv[0]))

    def test_a_refusal_is_one_line_and_names_something_to_use(self):
        res = run('xportshow', ['--decode', 'skb', 'ffff888000000000'])
        self.assertEqual(res.exit, 2)
        self.assertEqual(len(res.err.strip().splitlines()), 1)
        self.assertIn("crash's struct sk_buff ADDR", res.err)
        self.assertEqual(res.out, '')

    def test_refused_flags_are_listed_in_help_with_their_alternative(self):
        res = run('modinfo', ['-h'])
        self.assertEqual(res.exit, 0)
        self.assertIn("PyKdump's flags not available here", res.out)
        self.assertIn('--disasm', res.out)


class _Parse:
    """A program whose main only parses its arguments (nothing printed)."""

    def __init__(self, mod):
        self.mod = mod

    def main(self, argv):
        parse = getattr(self.mod, 'parse_args', None)
        if parse is None:       # xportshow builds its parser
            parse = self.mod.build_parser().parse_args
        parse(argv)
        return 0


def _task_rows(out):
    """[(pid, cpu, state, task address)] of taskinfo's table, in order."""
    rows = []
    for line in out.splitlines():
        m = re.match(r'^[> ]\s+(\d+)\s+\d+\s+\d+\s+(\d+)\s+(\S)\s+\S+\s+'
                     r'([0-9a-f]{16})\s', line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), m.group(3),
                         int(m.group(4), 16)))
    return rows


def _last_arrival(task, offset):
    """task_struct.sched_info.last_arrival of a task, read by crash's rd
    (offset: of the field in struct task_struct)."""
    out = crash_cmd('rd -64 -d %#x' % (task + offset))
    return int(out.split()[1])


class TestTaskinfoFlags(unittest.TestCase):
    """taskinfo: -r is --recent (PyKdump), not --running."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('taskinfo')
        cls.default = _task_rows(run(cls.prog, []).out)

    def test_r_lists_every_task_most_recently_run_first(self):
        rows = _task_rows(run(self.prog, ['-r']).out)
        self.assertEqual(sorted(rows), sorted(self.default))
        # The panicking task ran last on its CPU (the other CPU's last
        # task may have run after it, when the panic stopped that CPU).
        panic = truth()['panic']
        self.assertEqual([r[0] for r in rows if r[1] == panic['cpu']][0],
                         panic['pid'])
        # On each CPU the order is crash's sched_info.last_arrival,
        # newest first (ties may come in any order).
        offset = crash_offsetof('task_struct', 'sched_info.last_arrival')
        for cpu in {r[1] for r in rows}:
            with self.subTest(cpu=cpu):
                arrivals = [_last_arrival(r[3], offset) for r in rows
                            if r[1] == cpu]
                self.assertEqual(arrivals, sorted(arrivals, reverse=True))

    def test_recent_is_the_long_form_of_r(self):
        self.assertEqual(run(self.prog, ['--recent']).out,
                         run(self.prog, ['-r']).out)

    def test_running_is_still_available_as_a_long_option(self):
        rows = _task_rows(run(self.prog, ['--running']).out)
        self.assertIn(truth()['panic']['pid'], [r[0] for r in rows])
        self.assertEqual({r[2] for r in rows}, {'R'})

    def test_taskfilter_takes_pykdump_state_names(self):
        zombies = {t['pid'] for t in truth()['tasks'] if t['state'] == 'Z'}
        rows = _task_rows(run(self.prog, ['--taskfilter', 'ZO']).out)
        self.assertEqual({r[0] for r in rows}, zombies)
        rows = _task_rows(run(self.prog, ['--taskfilter', 'ZO,RU']).out)
        self.assertEqual({r[2] for r in rows}, {'Z', 'R'})
        self.assertLessEqual(zombies | {truth()['panic']['pid']},
                             {r[0] for r in rows})

    def test_unknown_taskfilter_state_is_a_usage_error(self):
        res = run(self.prog, ['--taskfilter', 'XX'])
        self.assertEqual(res.exit, 2)
        self.assertIn('unknown state XX', res.err)

    def test_hang_lists_only_uninterruptible_tasks(self):
        rows = _task_rows(run(self.prog, ['--hang']).out)
        self.assertEqual({r[2] for r in rows} - {'D'}, set())
        self.assertEqual({r[0] for r in rows},
                         {r[0] for r in self.default if r[2] == 'D'})

    def test_hang_keeps_maxpids_at_each_end(self):
        prog = load('taskinfo')
        rows = prog.collect()
        for r in rows:      # pretend every task hangs
            r.state = 'D'
        prog.collect = lambda: rows
        res = run(prog, ['--hang', '--maxpids', '2'])
        self.assertEqual(len(_task_rows(res.out)), 4)
        self.assertIn('<snip>', res.out)
        self.assertIn('%d tasks in state UN' % len(rows), res.out)

    def test_pidinfo_is_pid(self):
        pid = str(truth()['panic']['pid'])
        self.assertEqual(run(self.prog, ['--pidinfo', pid]).out,
                         run(self.prog, ['--pid', pid]).out)

    def test_pid_takes_a_task_address(self):
        p = truth()['panic']
        task = next(r[3] for r in self.default if r[0] == p['pid'])
        res = run(self.prog, ['--pid', '%#x' % task])
        self.assertEqual(res.rc, 0)
        self.assertTrue(res.out.startswith('PID %d (%s)'
                                           % (p['pid'], p['comm'])))

    def test_cmd_runs_the_crash_command_for_each_task(self):
        pid = truth()['panic']['pid']
        res = run(self.prog, ['--running', '--cmd', 'bt'])
        self.assertIn('crash> bt %d' % pid, res.out)
        self.assertIn(crash_cmd('bt %d' % pid).rstrip('\n'), res.out)

    def test_version_with_v_names_the_c_module(self):
        import crash
        res = run(self.prog, ['-v', '--version'])
        self.assertEqual(res.rc, 0)
        self.assertIn('C module version: %s' % crash.version, res.out)


def _tree_labels(out):
    """Labels of a pstree drawing, tree characters stripped."""
    return [re.sub(r'^[\s│├└─|`\-+]*', '', ln) for ln in out.splitlines()]


class TestPstreeFlags(unittest.TestCase):
    """pstree: -t PID, -s states, -g thread counts (PyKdump's letters)."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('pstree')
        cls.root = next(t['pid'] for t in truth()['tasks']
                        if t['role'] == 'root')

    def test_t_is_the_pid_to_start_from(self):
        self.assertEqual(run(self.prog, ['-t', str(self.root)]).out,
                         run(self.prog, [str(self.root)]).out)

    def test_t_and_another_pid_is_a_usage_error(self):
        res = run(self.prog, ['-t', str(self.root), '1'])
        self.assertEqual(res.exit, 2)

    def test_s_shows_each_process_state_as_pykdump_did(self):
        names = {'S': 'IN', 'Z': 'ZO', 'R': 'RU', 'D': 'UN'}
        labels = _tree_labels(run(self.prog,
                                  ['-p', '-s', str(self.root)]).out)
        for t in truth()['tasks']:
            if t['role'] in ('init',):
                continue
            with self.subTest(pid=t['pid']):
                self.assertTrue(any(lb.startswith('%s(%d)[%s]' % (
                    t['comm'], t['pid'], names[t['state']]))
                    for lb in labels), labels)

    def test_g_shows_thread_counts_like_T(self):
        out = run(self.prog, ['-g', str(self.root)]).out
        self.assertEqual(out, run(self.prog, ['-T', str(self.root)]).out)
        mt = next(t for t in truth()['tasks']
                  if t['role'] == 'multithreaded')
        # truth's threads include the leader
        self.assertIn('%s {%d threads}' % (mt['comm'], len(mt['threads'])),
                      out)


class TestModinfoFlags(unittest.TestCase):
    """modinfo: -t tainted only, -a address ranges."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('modinfo')

    def _names(self, out):
        return [ln.split()[0] for ln in out.splitlines()[1:]
                if ln.strip() and not ln.startswith((' ', 'Kernel',
                                                     'Tainting'))]

    def test_t_lists_the_modules_proc_modules_shows_tainted(self):
        tainted = [ln.split()[0] for ln in truth()['modules']['proc_modules']
                   if re.search(r'\([A-Z]+\)$', ln)]
        out = run(self.prog, ['-t', '-n']).out
        self.assertEqual(sorted(self._names(out)), sorted(tainted))

    def test_a_prints_the_range_crash_mod_gives(self):
        out = run(self.prog, ['-a', '-n', 'testmod']).out
        m = re.search(r'addr range: 0x([0-9a-f]+) - 0x([0-9a-f]+)', out)
        if crash_module_problem():
            # no crash module table: the guest's /proc/modules line
            line = next(ln for ln in truth()['modules']['proc_modules']
                        if ln.split()[0] == 'testmod')
            base, size = int(line.split()[5], 16), int(line.split()[1])
        else:
            line = next(ln for ln in crash_cmd('mod').splitlines()
                        if ln.split()[1:2] == ['testmod'])
            base, size = int(line.split()[2], 16), int(line.split()[3])
        self.assertEqual((int(m.group(1), 16), int(m.group(2), 16)),
                         (base, base + size))


class TestXportshowFlags(unittest.TestCase):
    """xportshow: --retransonly, --everything, --program '*', --netns."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('xportshow')

    def test_retransonly_shows_exactly_the_retransmitting_tcp_sockets(self):
        # The sock column of -v gives each TCP socket; crash reads its
        # icsk_retransmits.
        out = run(self.prog, ['-a', '-t', '-v']).out
        socks = re.findall(r'^(0x[0-9a-f]+)\s+tcp', out, re.M)
        self.assertTrue(socks)
        retrans = set()
        for sk in socks:
            text = crash_cmd('struct inet_connection_sock.icsk_retransmits '
                             '%s' % sk)
            # "icsk_retransmits = 0 '\\000'," (a u8)
            if int(re.search(r'=\s*(\d+)', text).group(1)) > 0:
                retrans.add(sk)
        out = run(self.prog, ['--retransonly']).out
        self.assertEqual(set(re.findall(r'^(0x[0-9a-f]+)\s+tcp', out, re.M)),
                         retrans)

    def test_everything_is_every_section(self):
        self.assertEqual(
            run(self.prog, ['--everything']).out,
            run(self.prog, ['-a', '-i', '-r', '--arp', '-s',
                            '--summary']).out)

    def test_program_star_is_every_process(self):
        out = run(self.prog, ['--program', '*', '-t']).out
        for s in truth()['sockets']:
            if s['proto'] == 'tcp':
                with self.subTest(port=s['local_port']):
                    self.assertIn(':%d ' % s['local_port'], out)

    def test_netns_takes_a_bare_hex_address(self):
        out = run(self.prog, ['--netns', '0']).out
        addr = re.search(r'Network namespace (0x[0-9a-f]+)', out).group(1)
        self.assertEqual(run(self.prog, ['--netns', addr[2:]]).out, out)

    def test_netns_all_is_refused_with_what_to_do(self):
        res = run(self.prog, ['--netns', 'all'])
        self.assertEqual(res.exit, 2)
        self.assertIn('--netns alone lists them', res.err)


class TestCrashinfoFlags(unittest.TestCase):
    """crashinfo: -v counts, --fast and the workqueue flags are accepted."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('crashinfo')

    def test_vv_and_fast_are_accepted(self):
        res = run(self.prog, ['-vv', '--fast', '--runq'])
        self.assertEqual((res.exit, res.rc), (None, 0))
        self.assertEqual(res.out, run(self.prog, ['-v', '--runq']).out)

    def test_keventd_and_kblockd_flags_show_the_workqueues(self):
        wq = run(self.prog, ['--workqueues']).out
        self.assertIn('WORKQUEUE', wq)
        for flag in ('--keventd_wq', '--kblockd_wq'):
            with self.subTest(flag=flag):
                self.assertEqual(run(self.prog, [flag]).out, wq)


if __name__ == '__main__':
    unittest.main()
