# SPDX-License-Identifier: GPL-2.0-or-later
"""IPv4 routes from the FIB: the LC-trie of each routing table.

Mirrors ``include/net/ip_fib.h`` (``struct fib_table``, ``struct
fib_info``, ``struct fib_nh``, ``struct fib_nh_common``) and the trie of
``net/ipv4/fib_trie.c`` (``struct key_vector``, ``struct fib_alias``),
walked as ``fib_route_seq_show()`` (``/proc/net/route``) and
``fib_table_dump()`` (``ip route show table all``) do.
"""

import struct

from pykdump.API import crash, pylog, readPtr, readmem
from pykdump.helpers.net import (AF_INET, Record, member_off, ntodots,
                                 struct_offsets)

__all__ = ['Route', 'RT_TABLES', 'RTN_TYPES', 'for_each_fib_table',
           'for_each_route', 'RTF_UP', 'RTF_GATEWAY']

#: Well-known table ids, include/uapi/linux/rtnetlink.h.
RT_TABLES = {253: 'default', 254: 'main', 255: 'local'}
#: Route types ``RTN_*``, include/uapi/linux/rtnetlink.h.
RTN_TYPES = ['unspec', 'unicast', 'local', 'broadcast', 'anycast',
             'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw',
             'nat', 'xresolve']
_SCOPES = {0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere'}
_PROTOS = {0: 'unspec', 1: 'redirect', 2: 'kernel', 3: 'boot', 4: 'static',
           16: 'dhcp'}
RTF_UP = 0x1
RTF_GATEWAY = 0x2
RTF_HOST = 0x4
RTF_REJECT = 0x200

_U8 = struct.Struct('<B')
_U32 = struct.Struct('<I')
_U64 = struct.Struct('<Q')
_KEYLENGTH = 32


class Route(Record):
    """One IPv4 route (one ``fib_alias`` and one of its next hops).

    Attributes: ``table`` (id), ``dst`` and ``prefixlen``, ``mask``
    (dotted), ``gateway`` (``'0.0.0.0'`` if none), ``dev`` (device name),
    ``type`` (``unicast``, ``local``, ...), ``scope``, ``protocol``,
    ``metric`` (``fib_priority``), ``prefsrc``, ``flags`` (``RTF_*`` as
    ``/proc/net/route`` computes them), ``tos``, ``fi`` (the
    ``struct fib_info`` address).
    """

    __slots__ = ('table', 'dst', 'prefixlen', 'mask', 'gateway', 'dev',
                 'type', 'scope', 'protocol', 'metric', 'prefsrc', 'flags',
                 'tos', 'fi')

    def __repr__(self):
        return '<Route %s/%d via %s dev %s table %d>' % (
            self.dst, self.prefixlen, self.gateway, self.dev, self.table)


def _be32_host(x):
    """A host-order key as the __be32 value ntodots() expects."""
    return struct.unpack('<I', struct.pack('>I', x & 0xffffffff))[0]


def for_each_fib_table(net):
    """Yield ``(table id, struct fib_table address)`` for namespace net.

    C equivalent: the ``hlist_for_each_entry_rcu(tb, head, tb_hlist)``
    loop over ``net->ipv4.fib_table_hash[FIB_TABLE_HASHSZ]``.
    """
    ipv4 = member_off('struct net', 'ipv4')
    N = struct_offsets('struct netns_ipv4', 'fib_table_hash',
                       optional=('fib_main',))
    Tb = struct_offsets('struct fib_table', 'tb_hlist', 'tb_id')
    # FIB_TABLE_HASHSZ is 256 with CONFIG_IP_MULTIPLE_TABLES, the option
    # that also adds netns_ipv4.fib_main, and 2 without it.
    nb = 256 if N.fib_main >= 0 else 2
    hash_ = readPtr(int(net) + ipv4 + N.fib_table_hash)
    if not hash_:
        return
    for first in crash.readPtrArray(hash_, nb):
        node, seen = first, set()
        while node and node not in seen and len(seen) < 10000:
            seen.add(node)
            tb = node - Tb.tb_hlist
            yield _U32.unpack(readmem(tb + Tb.tb_id, 4))[0], tb
            node = readPtr(node)


def for_each_route(net, tables=(254,), *, all_types=False):
    """Yield the IPv4 routes of ``net`` as :class:`Route`.

    C equivalent: ``fib_route_seq_show()`` for the main table; with other
    ``tables`` (``None`` for all), ``fib_table_dump()``. A leaf's aliases
    whose ``tb_id`` differs from the table are skipped: while no custom
    rules exist the local and main tables share one trie (``fib_unmerge``).
    Broadcast and multicast routes are skipped unless ``all_types``.

    :param net: ``struct net`` StructResult or address
    :param tables: table ids, or None for every table
    :return: generator of :class:`Route`
    """
    K = struct_offsets('struct key_vector', 'key', 'pos', 'bits', 'tnode',
                       'leaf')
    Tb = struct_offsets('struct fib_table', 'tb_data')
    FA = struct_offsets('struct fib_alias', 'fa_list', 'fa_info', 'fa_type',
                        'fa_slen', optional=('tb_id', 'fa_tos', 'fa_dscp'))
    FI = struct_offsets('struct fib_info', 'fib_protocol', 'fib_scope',
                        'fib_priority', 'fib_prefsrc', 'fib_nhs', 'fib_nh',
                        optional=('nh',))
    nh_size = struct_offsets('struct fib_nh').size
    NHC = _nh_layout()
    devname = _DevNames()
    for tb_id, tb in for_each_fib_table(net):
        if tables is not None and tb_id not in tables:
            continue
        trie = readPtr(tb + Tb.tb_data)
        root = readPtr(trie + K.tnode) if trie else 0
        for key, leaf in _leaves(root, K):
            for fa in _aliases(leaf + K.leaf, FA):
                b = readmem(fa, FA.size)
                if FA.tb_id >= 0 and _U32.unpack_from(b, FA.tb_id)[0] != \
                        tb_id:
                    continue
                rtype = b[FA.fa_type]
                if not all_types and rtype in (3, 5):
                    continue
                plen = _KEYLENGTH - b[FA.fa_slen]
                tos_off = FA.fa_dscp if FA.fa_dscp >= 0 else FA.fa_tos
                fi = _U64.unpack_from(b, FA.fa_info)[0]
                yield from _routes_of(
                    tb_id, key, plen, rtype, b[tos_off] if tos_off >= 0
                    else 0, fi, FI, nh_size, NHC, devname)


def _nh_layout():
    """Offsets in fib_nh / fib_nh_common of a next hop."""
    base = member_off('struct fib_nh', 'nh_common', optional=True)
    if base < 0:
        # Before v5.3 (commit b0f60193632e "ipv4: Refactor nexthop
        # attributes in fib_dump_info") the fields were nh_dev, nh_gw.
        L = struct_offsets('struct fib_nh', 'nh_dev', 'nh_gw',
                           optional=('nh_flags', 'nh_oif'))
        return {'dev': L.nh_dev, 'gw': L.nh_gw, 'gw_family': -1}
    C = struct_offsets('struct fib_nh_common', 'nhc_dev', 'nhc_gw',
                       optional=('nhc_gw_family', 'nhc_flags'))
    return {'dev': base + C.nhc_dev, 'gw': base + C.nhc_gw,
            'gw_family': base + C.nhc_gw_family if C.nhc_gw_family >= 0
            else -1}


class _DevNames(dict):
    """net_device address -> name, read once per device."""

    def __missing__(self, dev):
        name = ''
        if dev:
            try:
                off = member_off('struct net_device', 'name')
                name = readmem(dev + off, 16).split(b'\0')[0].decode(
                    'utf-8', 'replace')
            except crash.error:
                name = '?'
        self[dev] = name
        return name


def _leaves(root, K, maxdepth=40):
    """Yield (key, leaf address) of every leaf under trie node root."""
    stack = [(root, 0)] if root else []
    seen = set()
    while stack:
        n, depth = stack.pop()
        if n in seen or depth > maxdepth:
            pylog.warning('FIB trie: loop or depth %d at %#x' % (depth, n))
            continue
        seen.add(n)
        try:
            hdr = readmem(n, 8)
        except crash.error:
            pylog.warning('FIB trie: cannot read node at %#x' % n)
            continue
        bits = hdr[K.bits]
        if bits == 0:
            yield _U32.unpack_from(hdr, K.key)[0], n
            continue
        if bits > 31:
            pylog.warning('FIB trie: node %#x has %d bits' % (n, bits))
            continue
        # Children in reverse so that the walk yields keys in order.
        for c in reversed(crash.readPtrArray(n + K.tnode, 1 << bits)):
            if c:
                stack.append((c, depth + 1))


def _aliases(head, FA):
    """fib_alias addresses on a leaf's hlist (fa_list)."""
    node, seen = readPtr(head), set()
    while node and node not in seen and len(seen) < 10000:
        seen.add(node)
        yield node - FA.fa_list
        node = readPtr(node)


def _routes_of(tb_id, key, plen, rtype, tos, fi, FI, nh_size, NHC, devname):
    """Route records of one alias: one per next hop of its fib_info."""
    b = readmem(fi, FI.size)
    proto, scope = b[FI.fib_protocol], b[FI.fib_scope]
    metric = _U32.unpack_from(b, FI.fib_priority)[0]
    prefsrc = _U32.unpack_from(b, FI.fib_prefsrc)[0]
    nhs = _U32.unpack_from(b, FI.fib_nhs)[0]
    if FI.nh >= 0 and _U64.unpack_from(b, FI.nh)[0]:
        # A nexthop object (v5.3, "ip nexthop"): not decoded here.
        hops = [(0, 0)]
        dev_note = 'nhid'
    else:
        hops = []
        dev_note = None
        for i in range(min(nhs, 32) or 1):
            nh = fi + FI.fib_nh + i * nh_size
            nb = readmem(nh, nh_size)
            fam = nb[NHC['gw_family']] if NHC['gw_family'] >= 0 else AF_INET
            gw = _U32.unpack_from(nb, NHC['gw'])[0] if fam == AF_INET else 0
            hops.append((_U64.unpack_from(nb, NHC['dev'])[0], gw))
    mask = ((1 << 32) - 1) ^ ((1 << (32 - plen)) - 1) if plen else 0
    dst = key & mask
    for dev, gw in hops:
        flags = RTF_UP
        if gw:
            flags |= RTF_GATEWAY
        if plen == 32:
            flags |= RTF_HOST
        if rtype in (7, 8):
            flags |= RTF_REJECT
        yield Route(table=tb_id, dst=ntodots(_be32_host(dst)),
                    prefixlen=plen, mask=ntodots(_be32_host(mask)),
                    gateway=ntodots(gw), dev=dev_note or devname[dev],
                    type=RTN_TYPES[rtype] if rtype < len(RTN_TYPES)
                    else str(rtype), scope=_SCOPES.get(scope, str(scope)),
                    protocol=_PROTOS.get(proto, str(proto)), metric=metric,
                    prefsrc=ntodots(prefsrc) if prefsrc else '', flags=flags,
                    tos=tos, fi=fi)
