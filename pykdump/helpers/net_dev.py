# SPDX-License-Identifier: GPL-2.0-or-later
"""Network devices: names, flags, MTU, hardware and IP addresses, counters.

Mirrors ``include/linux/netdevice.h`` (``struct net_device``,
``dev_get_flags()``, ``dev_get_stats()``), ``include/linux/inetdevice.h``
(``struct in_device``, ``struct in_ifaddr``) and ``include/net/if_inet6.h``
(``struct inet6_dev``, ``struct inet6_ifaddr``).
"""

from pykdump.API import (addr2sym, crash, enumerator_value, field_offset,
                         member_offset, percpu_addresses, pylog,
                         readListByHead, readSU, readmem, record_reader)
from pykdump.helpers.net import Record, ntodots, ntodots6

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


def _reader():
    """The fields of struct net_device a listing decodes."""
    return record_reader(
        'struct net_device',
        ('name', 'ifindex', 'mtu', 'flags', 'netdev_ops', 'addr_len',
         'dev_addr') + tuple('stats.' + f for f in STAT_NAMES),
        optional=('gflags', 'state', 'operstate', 'ip_ptr', 'ip6_ptr',
                  'core_stats', 'pcpu_stat_type', 'lstats'))


def for_each_netdev(net):
    """Yield the devices of namespace ``net`` as :class:`NetDevice`.

    C equivalent: ``for_each_netdev(net, dev)``: ``net->dev_base_head``
    linked by ``dev->dev_list``.

    :param net: ``struct net`` StructResult or address
    :return: generator of :class:`NetDevice`
    """
    read = _reader().read
    link = field_offset('struct net_device', 'dev_list')
    head = int(net) + field_offset('struct net', 'dev_base_head')
    for a in readListByHead(head, maxel=100000):
        dev = a - link
        try:
            yield _read_dev(dev, read(dev))
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


def _read_dev(dev, vals):
    """NetDevice from the values of :func:`_reader`."""
    (name, ifindex, mtu, raw_flags, ops, alen, dev_addr) = vals[:7]
    stats = dict(zip(STAT_NAMES, vals[7:7 + len(STAT_NAMES)]))
    (gflags, state, operstate, ip_ptr, ip6_ptr, core_stats, pcpu_stat_type,
     pcpu) = vals[7 + len(STAT_NAMES):]
    name = _cstr(name)
    mac = ''
    if dev_addr and alen:
        try:
            mac = ':'.join('%02x' % b for b in readmem(dev_addr,
                                                       min(alen, 32)))
        except crash.error:
            mac = '?'
    d = NetDevice(dev=dev, name=name, ifindex=ifindex, mtu=mtu,
                  raw_flags=raw_flags,
                  flags=_dev_get_flags(raw_flags, gflags, state, operstate),
                  mac=mac, ops=(addr2sym(ops) or '%#x' % ops) if ops else '',
                  operstate=operstate, ipv4=[], ipv6=[], qdisc=None)
    if ip_ptr is not None:
        d.ipv4 = _ipv4_addrs(ip_ptr, name)
    if ip6_ptr is not None:
        d.ipv6 = _ipv6_addrs(ip6_ptr, name)
    d.stats, d.stats_source = _stats(dev, stats, ops, pcpu_stat_type, pcpu,
                                     core_stats)
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


def _dev_get_flags(flags, gflags, state, operstate):
    """dev_get_flags() of net/core/dev.c from the device's fields."""
    out = flags & ~_IFF_VOLATILE
    if gflags is not None:
        out |= gflags & (0x100 | 0x200)
    if state is None:
        return out | (flags & _IFF_VOLATILE)
    if state >> _enum('__LINK_STATE_START', 0) & 1:
        # netif_oper_up(): IF_OPER_UP (6) or IF_OPER_UNKNOWN (0), UAPI.
        if (operstate or 0) in (0, 6):
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
        read = record_reader(
            'struct in_ifaddr', ('ifa_next', 'ifa_local', 'ifa_prefixlen',
                                 'ifa_flags'),
            optional=('ifa_broadcast', 'ifa_label', 'ifa_scope')).read
        ifa = int(readSU('struct in_device', in_dev).ifa_list)
        seen = set()
        while ifa and ifa not in seen and len(seen) < 10000:
            seen.add(ifa)
            nxt, local, plen, flags, bcast, label, scope = read(ifa)
            out.append({
                'addr': ntodots(local), 'prefixlen': plen,
                'broadcast': ntodots(bcast) if bcast is not None else '',
                'label': _cstr(label) if label is not None else '',
                'scope': scope or 0,
                # IFA_F_SECONDARY, include/uapi/linux/if_addr.h
                'secondary': bool(flags & 1)})
            ifa = nxt
    except crash.error as e:
        pylog.warning('%s: cannot read IPv4 addresses: %s' % (name, e))
    return out


def _ipv6_addrs(idev, name):
    """The inet6_ifaddr list of an inet6_dev (addr_list by if_list)."""
    if not idev:
        return []
    out = []
    try:
        read = record_reader('struct inet6_ifaddr', ('addr', 'prefix_len'),
                             optional=('scope',)).read
        link = field_offset('struct inet6_ifaddr', 'if_list')
        head = idev + field_offset('struct inet6_dev', 'addr_list')
        for n in readListByHead(head, maxel=10000):
            addr, plen, scope = read(n - link)
            scope = scope or 0
            out.append({'addr': ntodots6(addr), 'prefixlen': plen,
                        'scope': _V6SCOPE.get(scope & 0xf0, '%#x' % scope)})
    except crash.error as e:
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
    read = record_reader(sname, tuple(fields)).read
    tot = dict.fromkeys(fields, 0)
    for addr in percpu_addresses(int(ptr)):
        for f, v in zip(fields, read(addr)):
            tot[f] += v
    return tot


def _stats(dev, stats, ops, pcpu_stat_type, pcpu, core):
    """dev_get_stats(): dev->stats, the per-CPU block the driver keeps
    (chosen by its ndo_get_stats64 or by pcpu_stat_type), core_stats."""
    src = ['dev->stats']
    try:
        kind = None
        g64 = 0
        if ops and member_offset('struct net_device_ops',
                                 'ndo_get_stats64') >= 0:
            g64 = int(readSU('struct net_device_ops', ops).ndo_get_stats64)
        gname = addr2sym(g64) if g64 else None
        if gname in _STATS64:
            kind, direction = _STATS64[gname]
        elif pcpu_stat_type is not None:
            # Linux commit 34d21de99cea ("net: Move {l,t,d}stats
            # allocation to core and convert veth & vrf") (v6.7): the core
            # knows which block a driver uses.
            t = pcpu_stat_type
            kind = {_enum('NETDEV_PCPU_STAT_LSTATS', 1): 'lstats',
                    _enum('NETDEV_PCPU_STAT_TSTATS', 2): 'tstats',
                    _enum('NETDEV_PCPU_STAT_DSTATS', 3): 'dstats'}.get(t)
            direction = 'tx' if kind == 'lstats' else None
        if kind and pcpu:
            _add_pcpu(stats, kind, direction, pcpu)
            src.append('per-CPU %s (%s)' % (kind, gname or 'pcpu_stat_type'))
        elif gname:
            src.append('driver %s not decoded' % gname)
        if core:
            c = _percpu_sum(core, 'struct net_device_core_stats',
                            ('rx_dropped', 'tx_dropped'))
            stats['rx_dropped'] += c['rx_dropped']
            stats['tx_dropped'] += c['tx_dropped']
            src.append('core_stats')
    except crash.error as e:
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
