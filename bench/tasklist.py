# SPDX-License-Identifier: GPL-2.0-or-later
"""The layout the task-walk figures share (bench.py and bench/cases).

Importable from bench/cases while bench/bench.py runs them: epython puts
bench/ on sys.path for bench.py.
"""

import collections

import crash

__all__ = ['TaskList', 'task_list']

#: Offsets in task_struct of tasks, pid and comm, and the address of
#: init_task.tasks, where a walk starts and ends.
TaskList = collections.namedtuple('TaskList',
                                  'tasks_off pid_off comm_off head')


def task_list():
    """The TaskList of this dump, read with the C module only."""
    tasks_off = crash.member_offset('task_struct', 'tasks')
    return TaskList(tasks_off, crash.member_offset('task_struct', 'pid'),
                    crash.member_offset('task_struct', 'comm'),
                    crash.sym2addr('init_task') + tasks_off)
