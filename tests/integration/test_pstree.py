# SPDX-License-Identifier: GPL-2.0-or-later
"""pstree: the scenario's process tree, threads and zombies, from the
tree pstree builds and from the drawing it prints, against truth.json."""

import re
import unittest
from unittest import mock

from _progs import assert_exit, load, run
from _support import truth

from pykdump.API import NoField, pylog

from pykdump.helpers import tasks as T

DUMP_FORMATS = ('kdump', 'elf')


def _parse_drawing(lines):
    """[(depth, label)] of a draw_tree drawing (Unicode or ASCII)."""
    out = []
    for line in lines:
        m = re.match(r'^((?:[│|] |  )*)(?:[├└|`]─|[|`]-)?(.*)$', line)
        prefix, label = m.group(1), m.group(2)
        depth = len(prefix) // 2 + (1 if line[len(prefix):][:1] in
                                    ('├', '└', '|', '`') else 0)
        out.append((depth, label))
    return out


def _parent_links(lines):
    """{child label: parent label} from a drawing."""
    stack, links = [], {}
    for depth, label in _parse_drawing(lines):
        del stack[depth:]
        if stack:
            links[label] = stack[-1]
        stack.append(label)
    return links


def _by_role(role):
    return [t for t in truth()['tasks'] if t['role'] == role]


class TestTree(unittest.TestCase):
    """build_tree(): processes linked by parent, threads as leaves."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('pstree')
        cls.nodes = cls.prog.build_tree()

    def test_every_scenario_process_hangs_under_its_parent(self):
        for t in truth()['tasks']:
            if not t['ppid']:
                continue
            with self.subTest(pid=t['pid']):
                kids = [c.pid for c in self.nodes[t['ppid']].children
                        if c.kind == 'process']
                self.assertIn(t['pid'], kids)
                self.assertEqual(self.nodes[t['pid']].comm, t['comm'])

    def test_root_to_great_grandchild_chain(self):
        root = _by_role('root')[0]
        by_comm = {c.comm: c for c in self.nodes[root['pid']].children}
        child = by_comm['pk_child1']
        grand = child.children[0]
        great = grand.children[0]
        want = [t['comm'] for t in (_by_role('grandchild')[0],
                                    _by_role('great-grandchild')[0])]
        self.assertEqual([grand.comm, great.comm], want)

    def test_threads_are_children_with_their_names(self):
        for t in truth()['tasks']:
            if not t['threads']:
                continue
            node = self.nodes[t['pid']]
            got = {c.pid: c.comm for c in node.children
                   if c.kind == 'thread'}
            want = {th['tid']: th['comm'] for th in t['threads']
                    if th['tid'] != t['pid']}
            self.assertEqual(got, want)
            self.assertEqual(node.nthreads, len(t['threads']))

    def test_zombies_are_children_in_state_Z(self):
        for z in _by_role('zombie'):
            self.assertEqual(self.nodes[z['pid']].state, 'Z')
            self.assertIn(z['pid'], [c.pid for c in
                                     self.nodes[z['ppid']].children])


class TestDrawing(unittest.TestCase):
    """What pstree prints."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('pstree')

    def test_pid_drawing_links_every_process_to_its_parent(self):
        res = run(self.prog, ['-p'])
        links = _parent_links(res.lines)
        label = {}
        for t in truth()['tasks']:
            defunct = ' <defunct>' if t['state'] == 'Z' else ''
            label[t['pid']] = '%s(%d)%s' % (t['comm'], t['pid'], defunct)
        for t in truth()['tasks']:
            if t['ppid'] not in label:
                continue
            with self.subTest(pid=t['pid']):
                self.assertEqual(links.get(label[t['pid']]),
                                 label[t['ppid']])

    def test_threads_drawn_in_braces_under_their_process(self):
        res = run(self.prog, ['-p'])
        links = _parent_links(res.lines)
        for t in truth()['tasks']:
            for th in t['threads']:
                if th['tid'] == t['pid']:
                    continue
                self.assertEqual(links.get('{%s}(%d)' % (th['comm'],
                                                         th['tid'])),
                                 '%s(%d)' % (t['comm'], t['pid']))

    def test_hidden_threads_show_the_thread_count(self):
        res = run(self.prog, ['-T'])
        for t in truth()['tasks']:
            if t['threads']:
                self.assertIn('%s {%d threads}' % (t['comm'],
                                                   len(t['threads'])),
                              res.out)
        self.assertNotIn('{pk_thr', res.out)

    def test_zombies_drawn_defunct_under_their_parent(self):
        links = _parent_links(run(self.prog, []).lines)
        for z in _by_role('zombie'):
            parent = next(t for t in truth()['tasks']
                          if t['pid'] == z['ppid'])
            self.assertEqual(links.get(z['comm'] + ' <defunct>'),
                             parent['comm'])

    def test_subtree_of_a_pid(self):
        root = _by_role('root')[0]
        res = run(self.prog, [str(root['pid'])])
        self.assertEqual(res.lines[0], root['comm'])
        self.assertEqual(len(res.lines), 1 + sum(
            1 + len([th for th in t['threads'] if th['tid'] != t['pid']])
            for t in truth()['tasks'] if t['role'] not in ('init', 'root')))

    def test_ascii_drawing_has_the_same_tree(self):
        uni = _parent_links(run(self.prog, ['-p']).lines)
        asc = _parent_links(run(self.prog, ['-p', '--ascii']).lines)
        self.assertEqual(uni, asc)

    def test_kernel_option_starts_at_pid_0_with_kthreadd(self):
        links = _parent_links(run(self.prog, ['-k', '-p']).lines)
        self.assertEqual(links.get('kthreadd(2)'), 'swapper/0(0)')
        self.assertEqual(links.get('init(1)'), 'swapper/0(0)')

    def test_bad_argument_gives_usage_line(self):
        assert_exit(self, self.prog, ['notapid'], 2, 'usage: pstree')

    def test_help(self):
        assert_exit(self, self.prog, ['--help'], 0, 'usage: pstree')

    def test_unknown_pid_returns_1(self):
        self.assertEqual(run(self.prog, ['999999']).rc, 1)

    def test_unreadable_thread_list_is_warned_and_tree_still_drawn(self):
        def broken(leader, **kw):
            raise NoField('struct signal_struct does not have a field '
                          'thread_head')
        with mock.patch.object(T, 'for_each_thread', broken):
            res = run(self.prog, ['-p'])
        self.assertIn('does not have a field thread_head', res.out)
        root = _by_role('root')[0]
        self.assertIn('%s(%d)' % (root['comm'], root['pid']), res.out)
        pylog.cleanup()


if __name__ == '__main__':
    unittest.main(argv=['test_pstree'], exit=False)
