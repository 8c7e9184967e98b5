# SPDX-License-Identifier: GPL-2.0-or-later
"""Memory: RAM and swap totals, free pages, zone watermarks, process RSS.

Mirrors ``include/linux/mm.h`` (``totalram_pages()``, ``get_mm_counter()``),
``include/linux/mm_types.h`` (``struct mm_struct``, ``mm_rss_stat``),
``include/linux/vmstat.h`` (``global_zone_page_state()``,
``global_node_page_state()``), ``include/linux/mmzone.h`` (``struct
zone``, watermarks, ``node_data``) and ``include/linux/swap.h``.
"""

from collections import namedtuple

from pykdump.API import (PAGESIZE, crash, enumerator_value, member_offset,
                         field_size, percpu_addresses, readPtrArray, readS32,
                         readSU, readSymbol, sym2addr, symbol_exists,
                         type_size)

__all__ = ['totalram_pages', 'free_pages', 'global_zone_page_state',
           'global_node_page_state', 'swap_pages', 'ZoneInfo',
           'for_each_zone', 'zones_below_watermark', 'mm_counters',
           'task_memory', 'pages_to_kb']


def pages_to_kb(pages):
    """Return a number of pages in KiB."""
    return pages * PAGESIZE // 1024


def totalram_pages():
    """Return the number of pages of RAM the kernel manages.

    C equivalent: ``totalram_pages()`` in ``include/linux/mm.h``.

    :return: ``unsigned long``
    """
    # Linux commit ca79b0c211af ("mm: convert totalram_pages and
    # totalhigh_pages variables to atomic") (v5.0) renamed it and made
    # it an atomic_long_t.
    if symbol_exists('_totalram_pages'):
        return int(readSymbol('_totalram_pages').counter)
    return int(readSymbol('totalram_pages'))


def _stat_item(name):
    """The index of an enum zone_stat_item/node_stat_item constant."""
    v = enumerator_value(name)
    if v is None:
        raise KeyError('no enumerator %s in this kernel' % name)
    return v


def global_zone_page_state(item):
    """Return a zone counter summed over zones, e.g. ``NR_FREE_PAGES``.

    C equivalent: ``global_zone_page_state(item)`` =
    ``atomic_long_read(&vm_zone_stat[item])`` (``include/linux/vmstat.h``).
    """
    v = int(readSymbol('vm_zone_stat')[_stat_item(item)].counter)
    return max(v, 0)


def global_node_page_state(item):
    """Return a node counter summed over nodes, e.g. ``NR_FILE_PAGES``.

    C equivalent: ``global_node_page_state(item)`` (``vm_node_stat``).
    """
    v = int(readSymbol('vm_node_stat')[_stat_item(item)].counter)
    return max(v, 0)


def free_pages():
    """Return the number of free pages (``NR_FREE_PAGES``)."""
    return global_zone_page_state('NR_FREE_PAGES')


def swap_pages():
    """Return ``(total, free)`` swap pages.

    C equivalent: ``total_swap_pages`` and
    ``atomic_long_read(&nr_swap_pages)`` (``mm/swapfile.c``).
    """
    total = int(readSymbol('total_swap_pages'))
    free = readSymbol('nr_swap_pages')
    free = int(free.counter if hasattr(free, 'counter') else free)
    return total, max(free, 0)


ZoneInfo = namedtuple('ZoneInfo', 'node name managed free min low high')
ZoneInfo.__doc__ = """One populated zone: node id, name, managed pages,
free pages and the min/low/high watermarks (in pages)."""


def _node_pgdats():
    """The pg_data_t of each online node (NODE_DATA(nid))."""
    if not symbol_exists('node_data'):
        return [readSymbol('contig_page_data')]   # !CONFIG_NUMA
    n = 1
    for name in ('nr_online_nodes', 'nr_node_ids'):
        if symbol_exists(name):
            n = int(readSymbol(name))
            break
    # node_data is declared without a size: read it as a pointer array.
    ptrs = readPtrArray(sym2addr('node_data'), max(n, 1))
    return [readSU('struct pglist_data', p) for p in ptrs if p]


def for_each_zone():
    """Generate a ZoneInfo for each populated zone of each online node.

    C equivalent: ``for_each_populated_zone(zone)``
    (``include/linux/mmzone.h``).
    """
    nzones = field_size('struct pglist_data', 'node_zones') // \
        type_size('struct zone')
    free_idx = _stat_item('NR_FREE_PAGES')
    wm = 'watermark' if member_offset('struct zone', 'watermark') >= 0 \
        else '_watermark'
    for pgdat in _node_pgdats():
        zones = pgdat.node_zones
        for z in zones[:nzones]:
            managed = z.managed_pages
            managed = int(managed.counter if hasattr(managed, 'counter')
                          else managed)
            if not managed:
                continue
            marks = getattr(z, wm)
            yield ZoneInfo(int(pgdat.node_id), str(z.name), managed,
                           max(int(z.vm_stat[free_idx].counter), 0),
                           int(marks[0]), int(marks[1]), int(marks[2]))


def zones_below_watermark(mark='low'):
    """Return the ZoneInfos whose free pages are below a watermark.

    ``mark`` is min, low or high.  Below ``low`` kswapd is woken; below
    ``min`` allocations enter direct reclaim (``mm/page_alloc.c``).
    """
    return [z for z in for_each_zone() if z.free < getattr(z, mark)]


def _percpu_counter_sum(pc):
    """The exact value of a struct percpu_counter: the shared count plus
    each CPU's unflushed s32 delta.

    C equivalent: ``percpu_counter_sum()`` (``lib/percpu_counter.c``);
    ``get_mm_counter()`` reads only the shared count, which lags by up
    to the batch size per CPU (pk_panic on 6.12: 652 KiB of 912).
    """
    v = int(pc.count)
    counters = int(pc.counters)
    if counters:
        v += sum(readS32(a) for a in percpu_addresses(counters))
    return v


_MM_COUNTERS = ('MM_FILEPAGES', 'MM_ANONPAGES', 'MM_SWAPENTS',
                'MM_SHMEMPAGES')


def mm_counters(mm, threads=()):
    """Return ``{'MM_FILEPAGES': n, ...}``: the RSS counters of an mm.

    C equivalent: ``get_mm_counter(mm, member)``; with
    SPLIT_RSS_COUNTING (6.1 and before) each thread's unflushed
    ``task->rss_stat`` is added, as crash's ``get_task_mem_usage()``
    does.

    :param threads: the tasks using mm (for their cached deltas)
    """
    rss = mm.rss_stat
    out = {}
    for name in _MM_COUNTERS:
        idx = enumerator_value(name)
        if idx is None:
            continue
        # Linux commit f1a7941243c1 ("mm: convert mm's rss stats into
        # percpu_counter") (v6.2) made each count a percpu_counter.
        # (an array of them: its list-like value has a count() method,
        # hence the callable() test)
        count = getattr(rss, 'count', None)
        if count is not None and not callable(count):
            v = int(count[idx].counter)
        else:
            v = _percpu_counter_sum(rss[idx])
        out[name] = v
    if member_offset('struct task_struct', 'rss_stat') >= 0:
        for t in threads:
            try:
                counts = t.rss_stat.count
                for name in out:
                    out[name] += int(counts[enumerator_value(name)])
            except crash.error:
                pass
    return {k: max(v, 0) for k, v in out.items()}


def task_memory(task, threads=()):
    """Return ``{'total_vm': KiB, 'rss': KiB, 'anon':, 'file':, 'shmem':,
    'swap':}`` for a task (all zero for a kernel thread).

    C equivalent: ``task_mem()`` in ``fs/proc/task_mmu.c`` (VmSize,
    VmRSS, RssAnon, RssFile, RssShmem, VmSwap).
    """
    mm = task.mm
    if not mm:
        return dict.fromkeys(('total_vm', 'rss', 'anon', 'file', 'shmem',
                              'swap'), 0)
    c = mm_counters(mm, threads or (task,))
    anon = c.get('MM_ANONPAGES', 0)
    filep = c.get('MM_FILEPAGES', 0)
    shmem = c.get('MM_SHMEMPAGES', 0)
    return {'total_vm': pages_to_kb(int(mm.total_vm)),
            'rss': pages_to_kb(anon + filep + shmem),
            'anon': pages_to_kb(anon), 'file': pages_to_kb(filep),
            'shmem': pages_to_kb(shmem),
            'swap': pages_to_kb(c.get('MM_SWAPENTS', 0))}
