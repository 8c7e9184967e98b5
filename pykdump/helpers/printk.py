# SPDX-License-Identifier: GPL-2.0-or-later
"""The kernel log: the printk ring buffer, as ``dmesg`` reads it.

Mirrors ``kernel/printk/printk_ringbuffer.h`` (``prb``: the log buffer
since v5.10); older kernels or an unreadable ring: crash's ``log``.
"""

import re
import struct
from collections import namedtuple

from pykdump.API import (Addr, crash, exec_crash_command, field_offset,
                         pylog, readmem, readPtr, readSymbol, symbol_exists,
                         type_size)

__all__ = ['LogRecord', 'log_records', 'log_lines']


LogRecord = namedtuple('LogRecord', 'seq ts_nsec level text')
LogRecord.__doc__ = """One printk record: sequence number, time stamp in
ns since boot, log level and the text (may hold several lines)."""

# printk_ringbuffer.h: the two top bits of state_var are the state.
_DESC_COMMITTED, _DESC_FINALIZED = 1, 2


def _prb_records(prb):
    """Records of a struct printk_ringbuffer, oldest first."""
    dr = prb.desc_ring
    count = 1 << int(dr.count_bits)
    tdr = prb.text_data_ring
    size = 1 << int(tdr.size_bits)
    # int() of a char * field is the field's address (COMPAT §24.8).
    data = readmem(readPtr(Addr(tdr, 'data')), size)
    dsize = type_size('struct prb_desc')
    isize = type_size('struct printk_info')
    descs = readmem(int(dr.descs), dsize * count)
    infos = readmem(int(dr.infos), isize * count)
    o_sv = field_offset('struct prb_desc', 'state_var')
    o_begin = field_offset('struct prb_desc', 'text_blk_lpos.begin')
    o_next = field_offset('struct prb_desc', 'text_blk_lpos.next')
    o_seq = field_offset('struct printk_info', 'seq')
    o_ts = field_offset('struct printk_info', 'ts_nsec')
    o_len = field_offset('struct printk_info', 'text_len')
    # level is a 3-bit field after the 5-bit flags, in the byte after
    # facility: read the byte and shift (printk_info in printk_ringbuffer.h).
    o_lvl = field_offset('struct printk_info', 'facility') + 1
    mask = (1 << 62) - 1
    tail = int(dr.tail_id.counter) & mask
    head = int(dr.head_id.counter) & mask
    n = ((head - tail) & mask) + 1
    if n > count:
        pylog.warning('log buffer: head/tail ids out of range, '
                      'reading the whole ring')
        n = count
    for k in range(n):
        rid = (tail + k) & mask
        idx = rid % count
        d = idx * dsize
        sv = struct.unpack_from('<Q', descs, d + o_sv)[0]
        begin = struct.unpack_from('<Q', descs, d + o_begin)[0]
        nxt = struct.unpack_from('<Q', descs, d + o_next)[0]
        if (sv & mask) != rid or \
                (sv >> 62) not in (_DESC_COMMITTED, _DESC_FINALIZED):
            continue
        base = idx * isize
        seq = struct.unpack_from('<Q', infos, base + o_seq)[0]
        ts = struct.unpack_from('<Q', infos, base + o_ts)[0]
        tlen = struct.unpack_from('<H', infos, base + o_len)[0]
        level = infos[base + o_lvl] >> 5
        if begin & 1 or nxt & 1:
            text = b''      # a data-less record (FAILED_LPOS/NO_LPOS)
        elif begin // size == nxt // size and begin < nxt:
            off = begin % size + 8
            text = data[off:off + tlen]
        elif (begin + size) // size == nxt // size:
            text = data[8:8 + tlen]   # the block wrapped to the ring start
        else:
            continue
        yield LogRecord(seq, ts, level,
                        text.decode('utf-8', 'backslashreplace'))


_LOG_RE = re.compile(r'^\[\s*(\d+)\.(\d+)\]\s?(.*)$')


def _crash_log_records():
    """Records parsed from crash's ``log`` (when prb is not readable)."""
    rec = None
    seq = 0
    for line in exec_crash_command('log').splitlines():
        m = _LOG_RE.match(line)
        if m:
            if rec is not None:
                yield rec
            ts = int(m.group(1)) * 10 ** 9 + int(m.group(2).ljust(9, '0'))
            rec = LogRecord(seq, ts, None, m.group(3))
            seq += 1
        elif rec is not None:
            # A further line of a multi-line record, indented by crash.
            rec = rec._replace(text=rec.text + '\n' + line[15:])
    if rec is not None:
        yield rec


def log_records():
    """Return the kernel log as a list of LogRecords, oldest first.

    C equivalent: reading ``prb`` (``struct printk_ringbuffer *``) as
    ``kmsg_dump`` does; kernels before v5.10 or an unreadable ring: the
    output of crash's ``log`` command.
    """
    # Linux commit 896fbe20b4e2 ("printk: use the lockless ringbuffer")
    # (v5.10) replaced log_buf with prb.
    if symbol_exists('prb'):
        try:
            return list(_prb_records(readSymbol('prb')))
        except (crash.error, IndexError, struct.error) as e:
            pylog.warning('cannot read the printk ring buffer (%s): using '
                          'crash\'s log' % e)
    return list(_crash_log_records())


def log_lines(records=None):
    """Return the log as crash's ``log`` prints it.

    ``[   12.345678] text``; the further lines of a multi-line record
    are indented under the text, without a time stamp.
    """
    out = []
    for r in (records if records is not None else log_records()):
        s, ns = divmod(r.ts_nsec, 10 ** 9)
        prefix = '[%5d.%06d] ' % (s, ns // 1000)
        for i, text in enumerate(r.text.split('\n')):
            out.append((prefix if i == 0 else ' ' * len(prefix)) + text)
    return out
