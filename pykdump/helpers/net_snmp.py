# SPDX-License-Identifier: GPL-2.0-or-later
"""SNMP MIB counters of a network namespace, summed over CPUs.

Mirrors ``include/net/snmp.h`` (``struct tcp_mib``, ``struct udp_mib``,
``struct ipstats_mib``, ``struct linux_mib``, ``struct icmp_mib``),
``include/net/netns/mib.h`` (``struct netns_mib``) and the tables of
``net/ipv4/proc.c`` / ``net/ipv6/proc.c`` (``snmp4_tcp_list[]`` ...): the
counter names are read from those tables in the dump, so they are exactly
what ``/proc/net/snmp``, ``/proc/net/netstat`` and ``/proc/net/snmp6``
print on that kernel.
"""

import struct

from pykdump.API import (crash, enumerator_value, field_offset, field_size,
                         percpu_addresses, pylog, readSU, readSUArray,
                         readmem, sym2addr, whatis)

__all__ = ['MIB_GROUPS', 'snmp_groups', 'read_mib_list', 'percpu_mib_sum']

#: (group name as /proc prints it, netns_mib member, mib struct, name
#: table symbol or None, file it appears in)
MIB_GROUPS = [
    ('Ip', 'ip_statistics', 'struct ipstats_mib', 'snmp4_ipstats_list',
     'snmp'),
    ('Icmp', 'icmp_statistics', 'struct icmp_mib', None, 'snmp'),
    ('Tcp', 'tcp_statistics', 'struct tcp_mib', 'snmp4_tcp_list', 'snmp'),
    ('Udp', 'udp_statistics', 'struct udp_mib', 'snmp4_udp_list', 'snmp'),
    ('UdpLite', 'udplite_statistics', 'struct udp_mib', 'snmp4_udp_list',
     'snmp'),
    ('TcpExt', 'net_statistics', 'struct linux_mib', 'snmp4_net_list',
     'netstat'),
    ('IpExt', 'ip_statistics', 'struct ipstats_mib', 'snmp4_ipextstats_list',
     'netstat'),
    ('Ip6', 'ipv6_statistics', 'struct ipstats_mib', 'snmp6_ipstats_list',
     'snmp6'),
    ('Udp6', 'udp_stats_in6', 'struct udp_mib', 'snmp6_udp6_list', 'snmp6'),
]

# icmp_put() of net/ipv4/proc.c prints these by hand: no name table.
_ICMP = [('InMsgs', 'ICMP_MIB_INMSGS'), ('InErrors', 'ICMP_MIB_INERRORS'),
         ('InCsumErrors', 'ICMP_MIB_CSUMERRORS'),
         ('OutMsgs', 'ICMP_MIB_OUTMSGS'), ('OutErrors', 'ICMP_MIB_OUTERRORS')]

_S64 = struct.Struct('<q')


def read_mib_list(sym):
    """Return ``[(name, index), ...]`` from a ``struct snmp_mib`` table.

    C equivalent: the ``snmp4_*_list[]`` arrays ending with
    ``SNMP_MIB_SENTINEL`` (``{NULL, 0}``).
    """
    addr = sym2addr(sym)
    if not addr:
        return []
    try:
        n = whatis(sym).ti.dims[0]
    except crash.error:
        n = 512
    out = []
    for e in readSUArray('struct snmp_mib', addr, n):
        name = e.name
        if name is None:
            break
        out.append((str(name), int(e.entry)))
    return out


def percpu_mib_sum(ptr, nmibs, elsize=8):
    """Sum ``mibs[0..nmibs)`` of a per-CPU MIB block over every CPU.

    C equivalent: ``snmp_get_cpu_field_batch()`` /
    ``snmp_fold_field()``: one read of the array per CPU.

    :param ptr: the ``__percpu`` pointer (``net->mib.tcp_statistics``)
    :return: ``list`` of ``int``
    """
    tot = [0] * nmibs
    fmt = '<%d%s' % (nmibs, 'Q' if elsize == 8 else 'I')
    for addr in percpu_addresses(int(ptr)):
        vals = struct.unpack(fmt, readmem(addr, nmibs * elsize))
        for i, v in enumerate(vals):
            tot[i] += v
    return [v & 0xffffffffffffffff for v in tot]


def snmp_groups(net, groups=None):
    """Yield ``(group, file, [(counter name, value), ...])`` for ``net``.

    ``group`` is ``Ip``, ``Tcp``, ``TcpExt``, ... as in :data:`MIB_GROUPS`;
    a group this kernel lacks is skipped with a warning.

    :param net: ``struct net`` StructResult or address
    :param groups: names to read (default all)
    """
    net = readSU('struct net', int(net))
    if not net.hasField('mib'):
        pylog.warning('struct net has no member mib: no SNMP counters')
        return
    mib = net.mib
    for gname, member, sname, listsym, fname in MIB_GROUPS:
        if groups and gname not in groups:
            continue
        try:
            if not mib.hasField(member):
                continue
            ptr = int(getattr(mib, member))
            if not ptr:
                continue
            elsize = 8
            nmibs = field_size(sname, 'mibs') // elsize
            if listsym:
                names = read_mib_list(listsym)
            else:
                names = [(n, enumerator_value(e)) for n, e in _ICMP]
                names = [(n, i) for n, i in names if i is not None]
            vals = percpu_mib_sum(ptr + field_offset(sname, 'mibs'), nmibs,
                                  elsize)
            out = []
            for n, i in names:
                if 0 <= i < nmibs:
                    v = vals[i]
                    if n == 'MaxConn':
                        # tcp_mib MaxConn is -1 (dynamic); /proc prints %ld
                        v = _S64.unpack(struct.pack('<Q', v))[0]
                    out.append((n, v))
            yield gname, fname, out
        except crash.error as e:
            pylog.warning('SNMP %s: cannot read counters: %s' % (gname, e))
