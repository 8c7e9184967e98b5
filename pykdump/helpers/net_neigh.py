# SPDX-License-Identifier: GPL-2.0-or-later
"""Neighbour tables: ARP (IPv4) and NDISC (IPv6) entries.

Mirrors ``include/net/neighbour.h`` (``struct neigh_table``, ``struct
neigh_hash_table``, ``struct neighbour``) and what ``ip neigh`` /
``/proc/net/arp`` (``arp_seq_show`` in ``net/ipv4/arp.c``) print.
"""

import struct

from pykdump.API import crash, pylog, readPtr, readmem, sym2addr
from pykdump.helpers.net import (AF_INET6, LayoutError, Record, member_off,
                                 ntodots, ntodots6, struct_offsets)

__all__ = ['Neighbour', 'NUD_STATES', 'nud_str', 'for_each_neighbour']

#: ``NUD_*`` of include/uapi/linux/neighbour.h (UAPI values).
NUD_STATES = [(0x01, 'INCOMPLETE'), (0x02, 'REACHABLE'), (0x04, 'STALE'),
              (0x08, 'DELAY'), (0x10, 'PROBE'), (0x20, 'FAILED'),
              (0x40, 'NOARP'), (0x80, 'PERMANENT')]

_U32 = struct.Struct('<I')
_U64 = struct.Struct('<Q')


def nud_str(state):
    """Return NUD state bits as ``REACHABLE`` or ``STALE|PROBE``."""
    names = [n for bit, n in NUD_STATES if state & bit]
    return '|'.join(names) or 'NONE'


class Neighbour(Record):
    """One neighbour entry.

    Attributes: ``n`` (address of the ``struct neighbour``), ``table``
    (``arp``/``ndisc``), ``addr`` (formatted key), ``lladdr`` (hardware
    address), ``dev`` (device name), ``state`` (``NUD_*`` bits),
    ``refcnt``, ``updated``/``confirmed``/``used`` (jiffies).
    """

    __slots__ = ('n', 'table', 'addr', 'lladdr', 'dev', 'state', 'refcnt',
                 'updated', 'confirmed', 'used')

    def __repr__(self):
        return '<Neighbour %s %s %s %s>' % (self.addr, self.lladdr, self.dev,
                                            nud_str(self.state))


def _buckets(tbl, T):
    """(list of chain heads, next offset) of a neigh_table's hash."""
    nht = readPtr(tbl + T.nht)
    if not nht:
        return [], 0
    H = struct_offsets('struct neigh_hash_table', 'hash_shift',
                       optional=('hash_buckets', 'hash_heads'))
    shift = _U32.unpack(readmem(nht + H.hash_shift, 4))[0]
    if shift > 24:
        pylog.warning('neighbour hash at %#x: hash_shift %d is not '
                      'plausible' % (nht, shift))
        return [], 0
    if H.hash_buckets >= 0:
        arr = readPtr(nht + H.hash_buckets)
        return ([p for p in crash.readPtrArray(arr, 1 << shift) if p]
                if arr else [], member_off('struct neighbour', 'next'))
    # Linux commit a01a67ab2fff ("neighbour: Convert to hlist") (v6.13):
    # hash_heads[] of hlist_head, entries linked by neighbour.hash.
    if H.hash_heads < 0:
        raise LayoutError('struct neigh_hash_table has neither hash_buckets '
                          'nor hash_heads')
    arr = readPtr(nht + H.hash_heads)
    link = member_off('struct neighbour', 'hash')
    return ([p - link for p in crash.readPtrArray(arr, 1 << shift) if p]
            if arr else [], link)


def for_each_neighbour(net, tables=('arp_tbl', 'nd_tbl')):
    """Yield the neighbour entries of ``net`` as :class:`Neighbour`.

    C equivalent: ``neigh_for_each()`` over ``arp_tbl`` and ``nd_tbl``,
    keeping entries whose ``dev_net(n->dev) == net``.

    :param net: ``struct net`` StructResult or address
    :param tables: names of ``struct neigh_table`` symbols
    :return: generator of :class:`Neighbour`
    """
    T = struct_offsets('struct neigh_table', 'family', 'key_len', 'nht')
    N = struct_offsets('struct neighbour', 'dev', 'nud_state', 'ha',
                       'primary_key', 'refcnt',
                       optional=('updated', 'confirmed', 'used'))
    D = struct_offsets('struct net_device', 'name', 'addr_len',
                       optional=('nd_net',))
    want = int(net)
    for sym in tables:
        tbl = sym2addr(sym)
        if not tbl:
            continue
        try:
            tb = readmem(tbl, T.size)
            family = _U32.unpack_from(tb, T.family)[0]
            key_len = _U32.unpack_from(tb, T.key_len)[0]
            heads, link = _buckets(tbl, T)
        except crash.error as e:
            pylog.warning('%s: cannot read the table: %s' % (sym, e))
            continue
        name = 'ndisc' if family == AF_INET6 else 'arp'
        for first in heads:
            n, seen = first, set()
            while n and n not in seen and len(seen) < 100000:
                seen.add(n)
                try:
                    b = readmem(n, N.size + key_len)
                    nxt = readPtr(n + link)
                except crash.error:
                    pylog.warning('%s: cannot read neighbour at %#x'
                                  % (sym, n))
                    break
                e = _decode(n, b, N, D, key_len, name, want)
                if e is not None:
                    yield e
                # hlist: next points at the next entry's link member
                n = nxt - link if nxt and link else nxt


def _decode(n, b, N, D, key_len, name, want):
    """Neighbour from its bytes, or None if its device is in another net."""
    dev = _U64.unpack_from(b, N.dev)[0]
    devname, alen = '', 6
    if dev:
        db = readmem(dev, D.size)
        if D.nd_net >= 0 and _U64.unpack_from(db, D.nd_net)[0] != want:
            return None
        devname = db[D.name:D.name + 16].split(b'\0')[0].decode(
            'utf-8', 'replace')
        alen = db[D.addr_len]
    key = b[N.primary_key:N.primary_key + key_len]
    if key_len == 4:
        addr = ntodots(_U32.unpack(key)[0])
    elif key_len == 16:
        addr = ntodots6(key)
    else:
        addr = key.hex()
    ha = b[N.ha:N.ha + min(alen, 32)]

    def jif(off):
        return _U64.unpack_from(b, off)[0] if off >= 0 else None
    return Neighbour(n=n, table=name, addr=addr,
                     lladdr=':'.join('%02x' % c for c in ha), dev=devname,
                     state=b[N.nud_state],
                     refcnt=_U32.unpack_from(b, N.refcnt)[0],
                     updated=jif(N.updated), confirmed=jif(N.confirmed),
                     used=jif(N.used))
