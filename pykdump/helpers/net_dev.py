# SPDX-License-Identifier: GPL-2.0-or-later
"""Network devices: names, flags, MTU, hardware and IP addresses, counters.

Mirrors ``include/linux/netdevice.h`` (``struct net_device``,
``dev_get_flags()``, ``dev_get_stats()``), ``include/linux/inetdevice.h``
(``struct in_device``, ``struct in_ifaddr``) and ``include/net/if_inet6.h``
(``struct inet6_dev``, ``struct inet6_ifaddr``).
"""

import struct

from pykdump.API import (addr2sym, crash, enumerator_value, pylog, readPtr,
                         readListByHead, readmem, sys_info)
from pykdump.helpers.net import (LayoutError, Record, member_off, ntodots,
                                 ntodots6, struct_offsets)

__all__ = ['IFF_FLAGS', 'NetDevice', 'for_each_netdev', 'netdev_by_name',
           'iff_str', 'STAT_NAMES']

#: ``IFF_*`` of include/uapi/linux/if.h (UAPI values, not in debuginfo).
IFF_FLAGS = [(0x1, 'UP'), (0x2, 'BROADCAST'), (0x4, 'DEBUG'),
             (0x8, 'LOOPBACK'), (0x10, 'POINTOPOINT'), (0x20, 'NOTRAILERS'),
             (0x40, 'RUNNING'), (0x80, 'NOARP'), (0x100, 'PROMISC'),
             (0x200, 'ALLMULTI'), (0x400, 'MASTER'), (0x800, 'SLAVE'),
             (0x1000, 'MULTICAST'), (0x2000, 'PORTSEL'),
             (0x4000, 'AUTOMEDIA'), (0x8000, 'DYNAMIC'),
             (0x10000, 'LOWER_UP'), (0x20000, 'DORMANT'), (0x40000, 'ECHO')]
_IFF_VOLATILE = 0x40 | 0x10000 | 0x20000 | 0x100 | 0x200

#: The counters :attr:`NetDevice.stats` has, in ``ip -s link`` order.
STAT_NAMES = ['rx_packets', 'rx_bytes', 'rx_errors', 'rx_dropped',
              'tx_packets', 'tx_bytes', 'tx_errors', 'tx_dropped',
              'multicast', 'collisions']

_U16 = struct.Struct('<H')
_U32 = struct.Struct('<I')
_U64 = struct.Struct('<Q')

# IPv6 address scopes (IPV6_ADDR_* of include/net/ipv6.h, scope bits)
_V6SCOPE = {0: 'global', 0x10: 'host', 0x20: 'link', 0x40: 'site'}


def iff_str(flags):
    """Return ``IFF_*`` flags as ``UP|BROADCAST|RUNNING``.

    :param flags: ``unsigned int``
    """
    names = [n for bit, n in IFF_FLAGS if flags & bit]
    rest = flags & ~sum(b for b, _ in IFF_FLAGS)
    if rest:
        names.append('%#x' % rest)
    return '|'.join(names) or '0'


class NetDevice(Record):
    """One network device.

    Attributes: ``dev`` (address of the ``struct net_device``), ``name``,
    ``ifindex``, ``mtu``, ``flags`` (as ``dev_get_flags()`` reports them,
    RUNNING/LOWER_UP/DORMANT derived from the link state), ``mac``
    (``aa:bb:...``), ``ops`` (symbol of ``netdev_ops``), ``ipv4`` (list of
    dicts: ``addr``, ``prefixlen``, ``broadcast``, ``label``,
    ``secondary``), ``ipv6`` (``addr``, ``prefixlen``, ``scope``),
    ``stats`` (dict over :data:`STAT_NAMES`) and ``stats_source`` (how the
    counters were found: which per-CPU block was added).
    """

    __slots__ = ('dev', 'name', 'ifindex', 'mtu', 'flags', 'raw_flags',
                 'mac', 'ops', 'operstate', 'ipv4', 'ipv6', 'stats',
                 'stats_source', 'qdisc')

    def __repr__(self):
        return '<NetDevice %s %#x>' % (self.name, self.dev)


def _layout():
    D = struct_offsets(
        'struct net_device', 'name', 'ifindex', 'mtu', 'flags', 'dev_list',
        'netdev_ops', 'addr_len', 'dev_addr', 'stats',
        optional=('gflags', 'state', 'operstate', 'ip_ptr', 'ip6_ptr',
                  'core_stats', 'pcpu_stat_type', 'lstats', 'nd_net'))
    return D


def for_each_netdev(net):
    """Yield the devices of namespace ``net`` as :class:`NetDevice`.

    C equivalent: ``for_each_netdev(net, dev)``: ``net->dev_base_head``
    linked by ``dev->dev_list``.

    :param net: ``struct net`` StructResult or address
    :return: generator of :class:`NetDevice`
    """
    D = _layout()
    head = int(net) + struct_offsets('struct net', 'dev_base_head'
                                     ).dev_base_head
    for a in readListByHead(head, maxel=100000):
        dev = a - D.dev_list
        try:
            yield _read_dev(dev, D)
        except crash.error as e:
            pylog.warning('cannot read net_device at %#x: %s' % (dev, e))


def netdev_by_name(net, name):
    """Return the :class:`NetDevice` called ``name`` in ``net``, or None.

    C equivalent: ``__dev_get_by_name(net, name)``.
    """
    for d in for_each_netdev(net):
        if d.name == name:
            return d
    return None


def _read_dev(dev, D):
    buf = readmem(dev, D.size)
    name = _cstr(buf[D.name:D.name + 16])
    raw_flags = _U32.unpack_from(buf, D.flags)[0]
    alen = buf[D.addr_len]
    mac = ''
    dev_addr = _U64.unpack_from(buf, D.dev_addr)[0]
    if dev_addr and alen:
        try:
            mac = ':'.join('%02x' % b for b in readmem(dev_addr,
                                                       min(alen, 32)))
        except crash.error:
            mac = '?'
    ops = _U64.unpack_from(buf, D.netdev_ops)[0]
    d = NetDevice(dev=dev, name=name,
                  ifindex=_U32.unpack_from(buf, D.ifindex)[0],
                  mtu=_U32.unpack_from(buf, D.mtu)[0], raw_flags=raw_flags,
                  flags=_dev_get_flags(buf, D, raw_flags), mac=mac,
                  ops=(addr2sym(ops) or '%#x' % ops) if ops else '',
                  operstate=buf[D.operstate] if D.operstate >= 0 else None,
                  ipv4=[], ipv6=[], qdisc=None)
    if D.ip_ptr >= 0:
        d.ipv4 = _ipv4_addrs(_U64.unpack_from(buf, D.ip_ptr)[0], name)
    if D.ip6_ptr >= 0:
        d.ipv6 = _ipv6_addrs(_U64.unpack_from(buf, D.ip6_ptr)[0], name)
    d.stats, d.stats_source = _stats(dev, buf, D, ops)
    return d


def _cstr(raw):
    """A NUL-terminated C string from bytes."""
    return raw.split(b'\0')[0].decode('utf-8', 'replace')


def _enum(name, default):
    try:
        v = enumerator_value(name)
    except crash.error:
        v = None
    return default if v is None else v


def _dev_get_flags(buf, D, flags):
    """dev_get_flags() of net/core/dev.c from the device's bytes."""
    out = flags & ~_IFF_VOLATILE
    if D.gflags >= 0:
        out |= _U16.unpack_from(buf, D.gflags)[0] & (0x100 | 0x200)
    if D.state < 0:
        return out | (flags & _IFF_VOLATILE)
    state = _U64.unpack_from(buf, D.state)[0]
    if state >> _enum('__LINK_STATE_START', 0) & 1:
        oper = buf[D.operstate] if D.operstate >= 0 else 0
        # netif_oper_up(): IF_OPER_UP (6) or IF_OPER_UNKNOWN (0), UAPI.
        if oper in (0, 6):
            out |= 0x40
        if not state >> _enum('__LINK_STATE_NOCARRIER', 2) & 1:
            out |= 0x10000
        if state >> _enum('__LINK_STATE_DORMANT', 4) & 1:
            out |= 0x20000
    return out


def _ipv4_addrs(in_dev, name):
    """The in_ifaddr list of an in_device, in kernel order."""
    if not in_dev:
        return []
    out = []
    try:
        IN = struct_offsets('struct in_device', 'ifa_list')
        A = struct_offsets('struct in_ifaddr', 'ifa_next', 'ifa_local',
                           'ifa_prefixlen', 'ifa_flags',
                           optional=('ifa_broadcast', 'ifa_label',
                                     'ifa_scope'))
        ifa = readPtr(in_dev + IN.ifa_list)
        seen = set()
        while ifa and ifa not in seen and len(seen) < 10000:
            seen.add(ifa)
            b = readmem(ifa, A.size)
            label = _cstr(b[A.ifa_label:A.ifa_label + 16]) \
                if A.ifa_label >= 0 else ''
            out.append({
                'addr': ntodots(_U32.unpack_from(b, A.ifa_local)[0]),
                'prefixlen': b[A.ifa_prefixlen],
                'broadcast': ntodots(_U32.unpack_from(b, A.ifa_broadcast)[0])
                if A.ifa_broadcast >= 0 else '',
                'label': label,
                'scope': b[A.ifa_scope] if A.ifa_scope >= 0 else 0,
                # IFA_F_SECONDARY, include/uapi/linux/if_addr.h
                'secondary': bool(_U32.unpack_from(b, A.ifa_flags)[0] & 1)})
            ifa = _U64.unpack_from(b, A.ifa_next)[0]
    except (crash.error, LayoutError) as e:
        pylog.warning('%s: cannot read IPv4 addresses: %s' % (name, e))
    return out


def _ipv6_addrs(idev, name):
    """The inet6_ifaddr list of an inet6_dev (addr_list by if_list)."""
    if not idev:
        return []
    out = []
    try:
        IN = struct_offsets('struct inet6_dev', 'addr_list')
        A = struct_offsets('struct inet6_ifaddr', 'addr', 'prefix_len',
                           'if_list', optional=('scope', 'flags'))
        head = idev + IN.addr_list
        for n in readListByHead(head, maxel=10000):
            b = readmem(n - A.if_list, A.size)
            scope = _U16.unpack_from(b, A.scope)[0] if A.scope >= 0 else 0
            out.append({'addr': ntodots6(b[A.addr:A.addr + 16]),
                        'prefixlen': _U32.unpack_from(b, A.prefix_len)[0],
                        'scope': _V6SCOPE.get(scope & 0xf0, '%#x' % scope)})
    except (crash.error, LayoutError) as e:
        pylog.warning('%s: cannot read IPv6 addresses: %s' % (name, e))
    return out


# How drivers of this era keep their counters: ndo_get_stats64 -> (which
# per-CPU block, which direction it counts). Anything else: dev->stats.
_STATS64 = {
    'loopback_get_stats64': ('lstats', 'rxtx'),
    'blackhole_netdev_get_stats64': ('lstats', 'rxtx'),
    'dummy_get_stats64': ('lstats', 'tx'),
    'nlmon_get_stats64': ('lstats', 'rx'),
    'dev_get_tstats64': ('tstats', None),
    'ip_tunnel_get_stats64': ('tstats', None),
}


def _percpu_sum(ptr, sname, fields):
    """{field: sum over CPUs} of a per-CPU struct at __percpu ptr."""
    L = struct_offsets(sname, *fields)
    tot = dict.fromkeys(fields, 0)
    for cpu in range(sys_info.CPUS):
        b = readmem(ptr + crash.per_cpu_offset(cpu), L.size)
        for f in fields:
            tot[f] += _U64.unpack_from(b, L[f])[0]
    return tot


def _stats(dev, buf, D, ops):
    """dev_get_stats(): dev->stats, the per-CPU block the driver keeps
    (chosen by its ndo_get_stats64 or by pcpu_stat_type), core_stats."""
    S = struct_offsets('struct net_device_stats', *STAT_NAMES)
    base = D.stats
    stats = {f: _U64.unpack_from(buf, base + S[f])[0] for f in STAT_NAMES}
    src = ['dev->stats']
    try:
        kind = None
        g64 = 0
        if ops:
            o = member_off('struct net_device_ops', 'ndo_get_stats64',
                           optional=True)
            g64 = readPtr(ops + o) if o >= 0 else 0
        gname = addr2sym(g64) if g64 else None
        if gname in _STATS64:
            kind, direction = _STATS64[gname]
        elif D.pcpu_stat_type >= 0:
            # Linux commit 34d21de99cea ("net: Move {l,t,d}stats
            # allocation to core and convert veth & vrf") (v6.7): the core
            # knows which block a driver uses.
            t = buf[D.pcpu_stat_type]
            kind = {_enum('NETDEV_PCPU_STAT_LSTATS', 1): 'lstats',
                    _enum('NETDEV_PCPU_STAT_TSTATS', 2): 'tstats',
                    _enum('NETDEV_PCPU_STAT_DSTATS', 3): 'dstats'}.get(t)
            direction = 'tx' if kind == 'lstats' else None
        pcpu = _U64.unpack_from(buf, D.lstats)[0] if D.lstats >= 0 else 0
        if kind and pcpu:
            _add_pcpu(stats, kind, direction, pcpu)
            src.append('per-CPU %s (%s)' % (kind, gname or 'pcpu_stat_type'))
        elif gname:
            src.append('driver %s not decoded' % gname)
        if D.core_stats >= 0:
            core = _U64.unpack_from(buf, D.core_stats)[0]
            if core:
                c = _percpu_sum(core, 'struct net_device_core_stats',
                                ('rx_dropped', 'tx_dropped'))
                stats['rx_dropped'] += c['rx_dropped']
                stats['tx_dropped'] += c['tx_dropped']
                src.append('core_stats')
    except (crash.error, LayoutError) as e:
        pylog.warning('%#x: cannot read per-CPU counters: %s' % (dev, e))
    return stats, ', '.join(src)


def _add_pcpu(stats, kind, direction, pcpu):
    """Add the sums of a per-CPU lstats/tstats/dstats block to stats."""
    if kind == 'lstats':
        c = _percpu_sum(pcpu, 'struct pcpu_lstats', ('packets', 'bytes'))
        if direction in ('rx', 'rxtx'):
            stats['rx_packets'] += c['packets']
            stats['rx_bytes'] += c['bytes']
        if direction in ('tx', 'rxtx'):
            stats['tx_packets'] += c['packets']
            stats['tx_bytes'] += c['bytes']
    elif kind == 'tstats':
        c = _percpu_sum(pcpu, 'struct pcpu_sw_netstats',
                        ('rx_packets', 'rx_bytes', 'tx_packets', 'tx_bytes'))
        for k, v in c.items():
            stats[k] += v
    elif kind == 'dstats':
        c = _percpu_sum(pcpu, 'struct pcpu_dstats',
                        ('rx_packets', 'rx_bytes', 'rx_drops', 'tx_packets',
                         'tx_bytes', 'tx_drops'))
        for k in ('rx_packets', 'rx_bytes', 'tx_packets', 'tx_bytes'):
            stats[k] += c[k]
        stats['rx_dropped'] += c['rx_drops']
        stats['tx_dropped'] += c['tx_drops']
