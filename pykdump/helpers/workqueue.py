# SPDX-License-Identifier: GPL-2.0-or-later
"""Workqueues: worker pools, workqueues, pending and running work.

Mirrors ``kernel/workqueue.c`` (``worker_pool_idr``, ``workqueues``,
``struct pool_workqueue``, ``busy_hash``).
"""

from pykdump.API import (Addr, hlist_for_each_entry, idr_walk, readSU,
                         readSUListFromHead, readSymbol, whatis)

__all__ = ['for_each_worker_pool', 'for_each_workqueue', 'pool_pending_works',
           'pool_busy_workers', 'workqueue_pwqs', 'pwq_max_active']


def for_each_worker_pool():
    """Generate every ``struct worker_pool`` (per-CPU and unbound).

    C equivalent: ``for_each_pool(pool, pi)`` = ``idr_for_each_entry(
    &worker_pool_idr, ...)`` in ``kernel/workqueue.c``.
    """
    for _id, ptr in idr_walk(readSymbol('worker_pool_idr')):
        yield readSU('struct worker_pool', ptr)


def for_each_workqueue():
    """Generate every ``struct workqueue_struct`` (the ``workqueues`` list).

    C equivalent: ``list_for_each_entry(wq, &workqueues, list)``.
    """
    yield from readSUListFromHead(whatis('workqueues').addr, 'list',
                                  'struct workqueue_struct')


def pool_pending_works(pool):
    """Return the ``struct work_struct`` objects on a pool's worklist."""
    return readSUListFromHead(Addr(pool, 'worklist'), 'entry',
                              'struct work_struct')


def pool_busy_workers(pool):
    """Return the workers of a pool running a work item (busy_hash)."""
    out = []
    for head in pool.busy_hash:
        out.extend(hlist_for_each_entry('struct worker', head, 'hentry',
                                        maxel=10000))
    return out


def pwq_max_active(pwq):
    """Return the most work items a pool_workqueue may run at once.

    C equivalent: ``pwq->max_active``; Linux commit a045a272d887
    ("workqueue: Move pwq->max_active to wq->max_active") (v6.9) keeps
    one limit for the workqueue, ``pwq->wq->max_active``.
    """
    if pwq.hasField('max_active'):
        return int(pwq.max_active)
    return int(pwq.wq.max_active)


def workqueue_pwqs(wq):
    """Return the ``struct pool_workqueue`` objects of wq (``wq->pwqs``)."""
    return readSUListFromHead(Addr(wq, 'pwqs'), 'pwqs_node',
                              'struct pool_workqueue')
