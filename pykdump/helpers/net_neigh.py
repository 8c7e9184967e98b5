# SPDX-License-Identifier: GPL-2.0-or-later
"""Neighbour tables: ARP (IPv4) and NDISC (IPv6) entries.

Mirrors ``include/net/neighbour.h`` (``struct neigh_table``, ``struct
neigh_hash_table``, ``struct neighbour``) and what ``ip neigh`` /
``/proc/net/arp`` (``arp_seq_show`` in ``net/ipv4/arp.c``) print.
"""

from pykdump.API import (crash, field_offset, pylog, readPtrArray, readmem,
                         record_reader, sym2addr)
from pykdump.helpers.net import (AF_INET6, LayoutError, Record, ntodots,
                                 ntodots6)

__all__ = ['Neighbour', 'NUD_STATES', 'nud_str', 'for_each_neighbour']

#: ``NUD_*`` of include/uapi/linux/neighbour.h (UAPI values).
NUD_STATES = [(0x01, 'INCOMPLETE'), (0x02, 'REACHABLE'), (0x04, 'STALE'),
              (0x08, 'DELAY'), (0x10, 'PROBE'), (0x20, 'FAILED'),
              (0x40, 'NOARP'), (0x80, 'PERMANENT')]


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


def _buckets(nht):
    """(list of chain heads, next offset) of a neigh_hash_table."""
    if not nht:
        return [], 0
    shift, buckets, heads = record_reader(
        'struct neigh_hash_table', ('hash_shift',),
        optional=('hash_buckets', 'hash_heads')).read(nht)
    if shift > 24:
        pylog.warning('neighbour hash at %#x: hash_shift %d is not '
                      'plausible' % (nht, shift))
        return [], 0
    if buckets is not None:
        return ([p for p in readPtrArray(buckets, 1 << shift) if p]
                if buckets else [], field_offset('struct neighbour', 'next'))
    # Linux commit a01a67ab2fff ("neighbour: Convert to hlist") (v6.13):
    # hash_heads[] of hlist_head, entries linked by neighbour.hash.
    if heads is None:
        raise LayoutError('struct neigh_hash_table has neither hash_buckets '
                          'nor hash_heads')
    link = field_offset('struct neighbour', 'hash')
    return ([p - link for p in readPtrArray(heads, 1 << shift) if p]
            if heads else [], link)


def for_each_neighbour(net, tables=('arp_tbl', 'nd_tbl')):
    """Yield the neighbour entries of ``net`` as :class:`Neighbour`.

    C equivalent: ``neigh_for_each()`` over ``arp_tbl`` and ``nd_tbl``,
    keeping entries whose ``dev_net(n->dev) == net``.

    :param net: ``struct net`` StructResult or address
    :param tables: names of ``struct neigh_table`` symbols
    :return: generator of :class:`Neighbour`
    """
    read_table = record_reader('struct neigh_table',
                               ('family', 'key_len', 'nht')).read
    N = record_reader('struct neighbour', ('dev', 'nud_state', 'ha',
                                           'refcnt'),
                      optional=('updated', 'confirmed', 'used', 'next',
                                'hash.next'))
    read_dev = record_reader('struct net_device', ('name', 'addr_len'),
                             optional=('nd_net',)).read
    key_off = field_offset('struct neighbour', 'primary_key')
    want = int(net)
    for sym in tables:
        tbl = sym2addr(sym)
        if not tbl:
            continue
        try:
            family, key_len, nht = read_table(tbl)
            heads, link = _buckets(nht)
        except crash.error as e:
            pylog.warning('%s: cannot read the table: %s' % (sym, e))
            continue
        name = 'ndisc' if family == AF_INET6 else 'arp'
        # primary_key[] is a flexible array: key_len bytes at its offset.
        size = max(N.end, key_off + key_len)
        for first in heads:
            n, seen = first, set()
            while n and n not in seen and len(seen) < 100000:
                seen.add(n)
                try:
                    b = readmem(n, size)
                    vals = N.unpack(b)
                    e = _decode(n, vals[:7], read_dev,
                                b[key_off:key_off + key_len], name, want)
                except crash.error:
                    pylog.warning('%s: cannot read neighbour at %#x'
                                  % (sym, n))
                    break
                if e is not None:
                    yield e
                if vals[7] is not None:
                    n = vals[7]                 # n->next
                else:
                    # v6.13 hlist: hash.next points at the next entry's
                    # hash member.
                    n = vals[8] - link if vals[8] else 0


def _decode(n, vals, read_dev, key, name, want):
    """Neighbour from its values, or None if its device is in another
    net."""
    dev, state, ha, refcnt, updated, confirmed, used = vals
    devname, alen = '', 6
    if dev:
        dname, alen, nd_net = read_dev(dev)
        if nd_net is not None and nd_net != want:
            return None
        devname = dname.split(b'\0')[0].decode('utf-8', 'replace')
    if len(key) == 4:
        addr = ntodots(int.from_bytes(key, 'little'))
    elif len(key) == 16:
        addr = ntodots6(key)
    else:
        addr = key.hex()
    return Neighbour(n=n, table=name, addr=addr,
                     lladdr=':'.join('%02x' % c for c in ha[:min(alen, 32)]),
                     dev=devname, state=state, refcnt=refcnt,
                     updated=updated, confirmed=confirmed, used=used)
