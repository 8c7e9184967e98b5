# SPDX-License-Identifier: GPL-2.0-or-later
"""IPv4 routes from the FIB: the LC-trie of each routing table.

Mirrors ``include/net/ip_fib.h`` (``struct fib_table``, ``struct
fib_info``, ``struct fib_nh``, ``struct fib_nh_common``) and the trie of
``net/ipv4/fib_trie.c`` (``struct key_vector``, ``struct fib_alias``),
walked as ``fib_route_seq_show()`` (``/proc/net/route``) and
``fib_table_dump()`` (``ip route show table all``) do.
"""

import struct

from pykdump.API import (crash, field_offset, member_offset, pylog,
                         readPtr, readPtrArray, readSU, record_reader,
                         struct_size)
from pykdump.helpers.net import AF_INET, Record, ntodots

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
    # FIB_TABLE_HASHSZ is 256 with CONFIG_IP_MULTIPLE_TABLES, the option
    # that also adds netns_ipv4.fib_main, and 2 without it.
    nb = 256 if member_offset('struct netns_ipv4', 'fib_main') >= 0 else 2
    hash_ = int(readSU('struct net', int(net)).ipv4.fib_table_hash)
    if not hash_:
        return
    link = field_offset('struct fib_table', 'tb_hlist')
    for first in readPtrArray(hash_, nb):
        node, seen = first, set()
        while node and node not in seen and len(seen) < 10000:
            seen.add(node)
            tb = node - link
            yield int(readSU('struct fib_table', tb).tb_id), tb
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
    tnode = field_offset('struct key_vector', 'tnode')
    leaf_off = field_offset('struct key_vector', 'leaf')
    tb_data = field_offset('struct fib_table', 'tb_data')
    fa_link = field_offset('struct fib_alias', 'fa_list')
    read_alias = record_reader(
        'struct fib_alias', ('fa_info', 'fa_type', 'fa_slen'),
        optional=('tb_id', 'fa_dscp', 'fa_tos')).read
    read_node = record_reader('struct key_vector', ('key', 'bits')).read
    hop = _hop_reader()
    devname = _DevNames()
    for tb_id, tb in for_each_fib_table(net):
        if tables is not None and tb_id not in tables:
            continue
        # tb_data points at the struct trie, whose kv[0].tnode[0] is the
        # root.
        trie = readPtr(tb + tb_data)
        root = readPtr(trie + tnode) if trie else 0
        for key, leaf in _leaves(root, read_node, tnode):
            for fa in _aliases(leaf + leaf_off, fa_link):
                fi, rtype, slen, fa_tb_id, dscp, tos = read_alias(fa)
                if fa_tb_id is not None and fa_tb_id != tb_id:
                    continue
                if not all_types and rtype in (3, 5):
                    continue
                yield from _routes_of(
                    tb_id, key, _KEYLENGTH - slen, rtype,
                    dscp if dscp is not None else (tos or 0), fi, hop,
                    devname)


def _hop_reader():
    """(device, IPv4 gateway, gateway family) reader of a struct fib_nh."""
    if member_offset('struct fib_nh', 'nh_common') < 0:
        # Before v5.3 (commit b0f60193632e "ipv4: Refactor nexthop
        # attributes in fib_dump_info") the fields were nh_dev, nh_gw.
        return record_reader('struct fib_nh', ('nh_dev', 'nh_gw'),
                             optional=('nh_gw_family',))
    return record_reader('struct fib_nh',
                         ('nh_common.nhc_dev', 'nh_common.nhc_gw.ipv4'),
                         optional=('nh_common.nhc_gw_family',))


class _DevNames(dict):
    """net_device address -> name, read once per device."""

    def __missing__(self, dev):
        name = ''
        if dev:
            try:
                name = str(readSU('struct net_device', dev).name)
            except crash.error:
                name = '?'
        self[dev] = name
        return name


def _leaves(root, read_node, tnode, maxdepth=40):
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
            key, bits = read_node(n)
        except crash.error:
            pylog.warning('FIB trie: cannot read node at %#x' % n)
            continue
        if bits == 0:
            yield key, n
            continue
        if bits > 31:
            pylog.warning('FIB trie: node %#x has %d bits' % (n, bits))
            continue
        # Children in reverse so that the walk yields keys in order.
        for c in reversed(readPtrArray(n + tnode, 1 << bits)):
            if c:
                stack.append((c, depth + 1))


def _aliases(head, link):
    """fib_alias addresses on a leaf's hlist (fa_list)."""
    node, seen = readPtr(head), set()
    while node and node not in seen and len(seen) < 10000:
        seen.add(node)
        yield node - link
        node = readPtr(node)


def _routes_of(tb_id, key, plen, rtype, tos, fi, hop, devname):
    """Route records of one alias: one per next hop of its fib_info."""
    proto, scope, metric, prefsrc, nhs, nh = record_reader(
        'struct fib_info', ('fib_protocol', 'fib_scope', 'fib_priority',
                            'fib_prefsrc', 'fib_nhs'),
        optional=('nh',)).read(fi)
    if nh:
        # A nexthop object (v5.3, "ip nexthop"): not decoded here.
        hops = [(0, 0)]
        dev_note = 'nhid'
    else:
        hops = []
        dev_note = None
        # fib_nh[] is a flexible array at the end of the fib_info.
        first = fi + field_offset('struct fib_info', 'fib_nh')
        nh_size = struct_size('struct fib_nh')
        for i in range(min(nhs, 32) or 1):
            dev, gw, fam = hop.read(first + i * nh_size)
            hops.append((dev, gw if fam in (None, AF_INET) else 0))
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
