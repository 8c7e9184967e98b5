# SPDX-License-Identifier: GPL-2.0-or-later
"""Process tree of the dump, drawn like pstree(1): parents, children, threads.

Processes are linked by their parent pid (real_parent), read from the
kernel's task list, not crash's task table.  Threads appear as
``{name}`` under their process; identical siblings are merged as
``N*[name]`` unless ``-p`` asks for pids.

Examples::

    pstree                         the tree under init (pid 1)
    pstree -p                      with pids, siblings not merged
    pstree -k -T                   kernel threads too, thread counts only
    pstree --ascii 1               ASCII lines, for a plain terminal
"""

import argparse
import sys
from collections import defaultdict

from pykdump.API import crash, pylog
from pykdump.ASCII_Art import draw_tree
from pykdump.progflags import TWO_LETTER_STATES

from pykdump.helpers import tasks as T

__all__ = ['main', 'Node', 'build_tree']


class Node:
    """A process or thread in the tree.

    Attributes: pid, comm, state (letter), kind ('process' or 'thread'),
    children (Nodes: child processes first, then threads), count (how
    many identical siblings this node stands for, after merging),
    nthreads (threads of a process, its leader included), show_count
    (draw nthreads in the label, when threads are hidden).
    """

    __slots__ = ('pid', 'comm', 'state', 'kind', 'children', 'count',
                 'nthreads', 'show_count')

    def __init__(self, pid, comm, state, kind):
        self.pid, self.comm, self.state, self.kind = pid, comm, state, kind
        self.children = []
        self.count = 1
        self.nthreads = 1
        self.show_count = False

    def label(self, show_pids, show_state=False):
        """The text drawn for this node."""
        name = self.comm
        if self.kind == 'thread':
            name = '{%s}' % name
        if show_pids:
            name += '(%d)' % self.pid
        if show_state:
            # PyKdump's pstree -s: [RU], [IN], [UN], ...
            name += '[%s]' % TWO_LETTER_STATES.get(self.state, '??')
        if self.state == 'Z':
            name += ' <defunct>'
        if self.show_count and self.nthreads > 1:
            name += ' {%d threads}' % self.nthreads
        if self.count > 1:
            name = '%d*[%s]' % (self.count, name)
        return name

    def signature(self):
        """What makes two subtrees draw the same (for merging)."""
        return (self.kind, self.comm, self.state, self.nthreads,
                tuple(c.signature() for c in self.children), self.count)


def build_tree():
    """Return ``{pid: Node}`` of every process, with children linked.

    Each process's threads (other than its leader) are its last
    children.  A task whose fields cannot be read is skipped with a
    warning.
    """
    nodes = {}
    parent_of = {}
    threads = defaultdict(list)
    errors = {}
    for leader in T.for_each_process():
        try:
            pid = int(leader.pid)
            nodes[pid] = Node(pid, T.task_comm(leader),
                              T.task_state(leader), 'process')
            parent_of[pid] = T.task_ppid(leader)
        except crash.error as e:
            pylog.warning('cannot read task 0x%x: %s' % (leader, e))
            continue
        try:
            for t in T.for_each_thread(leader):
                if int(t.pid) != pid:
                    threads[pid].append(Node(int(t.pid), T.task_comm(t),
                                             T.task_state(t), 'thread'))
        except crash.error as e:
            errors.setdefault(str(e), []).append(pid)
    for pid in sorted(nodes):
        ppid = parent_of[pid]
        if pid and ppid in nodes and ppid != pid:
            nodes[ppid].children.append(nodes[pid])
        elif pid:
            # Orphans of a corrupt list hang under pid 0 so they show.
            if ppid not in nodes and 0 in nodes:
                pylog.warning('pid %d: parent %d not found' % (pid, ppid))
                nodes[0].children.append(nodes[pid])
    for text, pids in errors.items():
        pylog.warning('cannot read the threads of %d process(es) (pids %s):'
                      ' %s' % (len(pids), ', '.join(map(str, pids[:8])),
                               text))
    for pid, thr in threads.items():
        nodes[pid].children.extend(sorted(thr, key=lambda n: n.pid))
        nodes[pid].nthreads = len(thr) + 1
    return nodes


def merge_identical(node):
    """Merge identical sibling subtrees below node into ``N*[...]``."""
    for c in node.children:
        merge_identical(c)
    merged = []
    index = {}
    for c in node.children:
        sig = c.signature()
        if sig in index:
            index[sig].count += 1
        else:
            index[sig] = c
            merged.append(c)
    node.children = merged


def parse_args(argv):
    """Parse the command line (argv without the program name).

    PyKdump's pstree flags keep their meaning: -p pids, -g thread counts,
    -s states, -t PID.
    """
    p = argparse.ArgumentParser(
        prog='pstree',
        description='Draw the process tree of the dump.')
    p.add_argument('-p', '--pids', action='store_true',
                   help='show pids (and do not merge identical siblings)')
    p.add_argument('-s', '--state', action='store_true',
                   help='show task states as PyKdump did: [RU], [IN], '
                        '[UN], [ZO], ...')
    p.add_argument('-k', '--kernel', action='store_true',
                   help='start at pid 0: kernel threads too')
    p.add_argument('-T', '-g', '--hide-threads', action='store_true',
                   help='show thread counts ({N threads}), not threads')
    p.add_argument('--ascii', action='store_true',
                   help='draw with ASCII characters only')
    p.add_argument('-t', dest='task', type=int, metavar='PID',
                   help='the same as PID (PyKdump\'s spelling)')
    p.add_argument('pid', nargs='?', type=int,
                   help='draw the tree of this process (default: 1)')
    args = p.parse_args(argv)
    if args.task is not None:
        if args.pid is not None and args.pid != args.task:
            p.error('-t %d and PID %d: give one' % (args.task, args.pid))
        args.pid = args.task
    return args


def main(argv=None):
    """Run pstree with argv (default: sys.argv[1:]); return 0 or 1."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        nodes = build_tree()
    except crash.error as e:
        pylog.warning('cannot read the task list (init_task.tasks): %s' % e)
        return 1
    if args.pid is not None:
        root = args.pid
    else:
        root = 0 if args.kernel or 1 not in nodes else 1
    if root not in nodes:
        print('pstree: no process with pid %d' % root)
        return 1
    if args.hide_threads:
        for n in nodes.values():
            n.children = [c for c in n.children if c.kind != 'thread']
            n.show_count = True
    top = nodes[root]
    if not args.pids:
        merge_identical(top)
    for line in draw_tree(top, lambda n: n.children,
                          lambda n: n.label(args.pids, args.state),
                          ascii=True if args.ascii else None,
                          key=lambda n: (n.kind, n.pid)):
        print(line)
    return 0


if __name__ == '__main__':
    main()
