# SPDX-License-Identifier: GPL-2.0-or-later
"""Networking of a dump: sockets, interfaces, routes, ARP, SNMP (netstat-like)

With no option, xportshow lists the TCP and UDP connections (every TCP
socket that is not listening, connected UDP sockets) of the initial network
namespace, like ``netstat -tunp``; ``-l`` lists listening sockets
(unconnected UDP and raw included) and ``-a`` both, each with raw and UNIX
sockets too unless ``-t``/``-u``/``-w``/``-x`` choose.
Sockets are read from the kernel's own hash tables (``tcp_hashinfo``,
``udp_table``, ``raw_v4_hashinfo``, the UNIX table of the namespace); the
owning process comes from the open-file tables of all tasks.

Examples::

    xportshow                 established TCP/UDP with pid/program
    xportshow -l -t           TCP listeners
    xportshow -a              everything: TCP, UDP, raw, UNIX
    xportshow --port 22 -v    one port, with timers, windows, retransmits
    xportshow -i              interfaces, addresses, counters
    xportshow -r --arp        routing table and neighbours
    xportshow -s              SNMP counters (netstat -s)
    xportshow --summary       counts by protocol and state
    xportshow --netns         list namespaces; --netns 1 picks the second
"""

import argparse
import sys

from pykdump.API import crash, pylog
from pykdump.progflags import refuse
from pykdump.helpers.net import (AF_INET6, LayoutError, addr_port,
                                 current_net, find_net, for_each_net,
                                 net_inum)
from pykdump.helpers.net_dev import STAT_NAMES, for_each_netdev, iff_str
from pykdump.helpers.net_neigh import for_each_neighbour, nud_str
from pykdump.helpers.net_route import (RTF_GATEWAY, RTF_HOST, RTF_REJECT,
                                       RT_TABLES, for_each_route)
from pykdump.helpers.net_snmp import snmp_groups
from pykdump.helpers.net_sock import (file_holders, for_each_inet_sock,
                                      tcp_state_value)
from pykdump.helpers.net_unix import for_each_unix_sock

__version__ = '1.0.0'
__all__ = ['main', 'build_parser', 'select_sockets']

# What a section may raise when a structure differs from what we expect:
# reported through pylog, then the next section runs.
_READ_ERRORS = (LayoutError, crash.error, KeyError, AttributeError,
                TypeError, IndexError, ValueError)
_SCOPES = {0: 'global', 200: 'site', 253: 'link', 254: 'host'}
_PROTO_ORDER = {'tcp': 0, 'tcp6': 1, 'udp': 2, 'udp6': 3, 'udplite': 4,
                'udplite6': 5, 'raw': 6, 'raw6': 7}


def build_parser():
    """Return the argparse parser of xportshow (its options and help)."""
    p = argparse.ArgumentParser(
        prog='xportshow', description=__doc__.splitlines()[0],
        epilog='Without -t/-u/-w/-x, sockets are TCP and UDP connections; '
        '-a, -l, --pid and --program cover raw and UNIX too. Framework '
        'options (--maxel, --usens PID, ...) are described by "epython '
        '--ehelp".')
    sel = p.add_argument_group('sockets')
    sel.add_argument('-a', '--all', action='store_true',
                     help='listening and connected sockets, all protocols '
                     '(TCP, UDP, raw, UNIX) unless -t/-u/-w/-x narrow it')
    sel.add_argument('-l', '--listening', action='store_true',
                     help='listening sockets only (TCP LISTEN, '
                     'unconnected UDP and raw, UNIX listeners)')
    sel.add_argument('-t', '--tcp', action='store_true', help='TCP')
    sel.add_argument('-u', '--udp', action='store_true',
                     help='UDP and UDP-Lite')
    sel.add_argument('-w', '--raw', action='store_true', help='raw IP')
    sel.add_argument('-x', '--unix', action='store_true',
                     help='UNIX-domain sockets')
    sel.add_argument('--port', type=_port, metavar='N',
                     help='only sockets with local or remote port N')
    sel.add_argument('--sport', type=_port, metavar='N',
                     help='only sockets with local port N')
    sel.add_argument('--dport', type=_port, metavar='N',
                     help='only sockets with remote port N')
    sel.add_argument('--pid', type=int, metavar='PID',
                     help='only sockets process PID holds open (all states '
                     'and protocols unless narrowed)')
    sel.add_argument('--program', metavar='COMM',
                     help='only sockets processes named COMM hold open '
                     "('*': any process)")
    sel.add_argument('--tcpstate', metavar='STATE',
                     help='only TCP sockets in STATE (ESTABLISHED, '
                     'TIME_WAIT, time-wait, ...); implies -t and -a')
    oth = p.add_argument_group('other tables')
    oth.add_argument('-i', '--interfaces', action='store_true',
                     help='interfaces: flags, MTU, MAC, addresses, counters')
    oth.add_argument('--interface', metavar='NAME',
                     help='one interface only (implies -i)')
    oth.add_argument('-r', '--route', action='store_true',
                     help='IPv4 routing table (main; -v: all tables)')
    oth.add_argument('--arp', action='store_true',
                     help='neighbour tables (ARP and IPv6 NDISC)')
    oth.add_argument('-s', '--statistics', action='store_true',
                     help='SNMP counters summed over CPUs (non-zero; -v: '
                     'all)')
    oth.add_argument('--summary', action='store_true',
                     help='counts of sockets by protocol and state, '
                     'interfaces, routes')
    oth.add_argument('--netns', nargs='?', const='', metavar='N|ADDR|INUM',
                     help='without a value: list network namespaces; with '
                     'one: use that namespace (index, struct net address or '
                     'inode number)')
    p.add_argument('-v', '--verbose', action='count', default=0,
                   help='more detail: socket addresses, inodes, timers, '
                   'windows, retransmits, all route tables')
    p.add_argument('--version', action='version',
                   version='xportshow %s' % __version__)
    sel.add_argument('--retransonly', action='store_true',
                     help='only TCP sockets retransmitting now '
                     '(icsk_retransmits > 0), with their counters; '
                     'implies -t')
    oth.add_argument('--everything', action='store_true',
                     help='every section: all sockets, interfaces, routes, '
                     'neighbours, counters, summary')
    refuse(p, '--decode', "crash's struct sk_buff ADDR, struct iphdr ADDR "
           'or struct tcphdr ADDR', takes='*')
    refuse(p, '--sysctl', 'crashinfo --sysctl ^net')
    refuse(p, '--netfilter', "crash's p nf_hooks_needed and the hooks of "
           "struct net's nf member")
    refuse(p, '--softnet', "crash's p softnet_data:a")
    refuse(p, '--devpack', "crash's p ptype_all and p ptype_base")
    refuse(p, '--rtcache', '-r (the kernel has no route cache since 3.6)')
    refuse(p, '--skbuffhead', "crash's list -H ADDR -s sk_buff", takes=1)
    return p


def _port(text):
    """argparse type: a port number 0..65535."""
    try:
        v = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError('not a port number: %r' % text)
    if not 0 <= v <= 65535:
        raise argparse.ArgumentTypeError('port out of range: %d' % v)
    return v


# ---------------------------------------------------------------------
# Sockets

def _protocols(opts):
    """The socket families chosen by -t/-u/-w/-x and -a."""
    chosen = [name for flag, name in ((opts.tcp, 'tcp'), (opts.udp, 'udp'),
                                      (opts.raw, 'raw'), (opts.unix, 'unix'))
              if flag]
    if chosen:
        return chosen
    # As the original: -a and -l (and a process filter) cover all four.
    if opts.all or opts.listening or opts.pid is not None or opts.program:
        return ['tcp', 'udp', 'raw', 'unix']
    return ['tcp', 'udp']


def select_sockets(socks, opts, tcpstate=None, holders=None):
    """Keep the INET (or UNIX) sockets the options ask for.

    Default: connections (not listening); ``-l``: listening; ``-a`` or a
    process filter: both. ``--port`` matches either end, ``--sport`` and
    ``--dport`` one; ``--tcpstate`` keeps TCP in that state; ``--pid`` and
    ``--program`` keep sockets the process holds (``holders``: the map of
    :func:`file_holders`).
    """
    by_owner = opts.pid is not None or opts.program
    retransonly = getattr(opts, 'retransonly', False)
    for s in socks:
        if retransonly and not (s.extra or {}).get('retransmits'):
            continue
        if tcpstate is not None:
            if not s.proto.startswith('tcp') or s.state != tcpstate:
                continue
        elif not (opts.all or by_owner and not opts.listening):
            if s.listening != bool(opts.listening):
                continue
        if opts.port is not None or opts.sport is not None or \
                opts.dport is not None:
            lport, rport = getattr(s, 'lport', None), getattr(s, 'rport',
                                                              None)
            if opts.port is not None and opts.port not in (lport, rport):
                continue
            if opts.sport is not None and opts.sport != lport:
                continue
            if opts.dport is not None and opts.dport != rport:
                continue
        if by_owner:
            who = holders.get(s.file, ()) if s.file else ()
            if not any((opts.pid is None or pid == opts.pid) and
                       # PyKdump's --program '*': every process.
                       (opts.program in (None, '*') or comm == opts.program)
                       for pid, comm, _ in who):
                continue
        yield s


def _owner_str(holders, s):
    """'pid/comm' of the first holder of socket s, '+N' more, '-' none."""
    who = holders.get(s.file) if s.file else None
    if not who:
        return '-'
    pid, comm, _ = who[0]
    extra = len({w[0] for w in who}) - 1
    return '%d/%s%s' % (pid, comm, ' +%d' % extra if extra > 0 else '')


def _table(rows, header, right=()):
    """Print rows in columns sized to their contents (right-aligned where
    the column index is in right)."""
    widths = [len(h) for h in header]
    for r in rows:
        for i, c in enumerate(r):
            if len(c) > widths[i]:
                widths[i] = len(c)
    last = len(header) - 1
    # One %-format per line: tens of thousands of sockets print in a
    # fraction of the time per-cell justification takes.
    fmt = ' '.join('%%%ds' % widths[i] if i in right else
                   '%s' if i == last else
                   '%%-%ds' % widths[i] for i in range(len(header)))
    out = [(fmt % tuple(header)).rstrip()]
    out.extend((fmt % tuple(r)).rstrip() for r in rows)
    sys.stdout.write('\n'.join(out) + '\n')


def _sock_key(s):
    return (_PROTO_ORDER.get(s.proto, 9), s.laddr, s.lport, s.raddr, s.rport)


def print_inet(socks, owners, verbose):
    """Print INET sockets like ``netstat -tunap``."""
    header = ['Proto', 'Recv-Q', 'Send-Q', 'Local Address',
              'Foreign Address', 'State', 'PID/Program']
    if verbose:
        header = ['sock'] + header + ['Inode']
    rows = []
    extras = []
    for s in sorted(socks, key=_sock_key):
        v6 = s.family == AF_INET6
        row = [s.proto, str(s.rxq), str(s.txq),
               addr_port(s.laddr, s.lport, AF_INET6 if v6 else 0),
               addr_port(s.raddr, s.rport, AF_INET6 if v6 else 0),
               s.state_name, _owner_str(owners, s)]
        if verbose:
            row = ['%#x' % s.sk] + row + [str(s.inode)]
        rows.append(row)
        extras.append(s)
    if not verbose:
        _table(rows, header, right=(1, 2))
        return
    # Verbose: one detail line under each socket.
    widths = [len(h) for h in header]
    for r in rows:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], len(c))

    def fmt(r):
        return ' '.join(c.rjust(widths[i]) if i in (2, 3) else
                        c.ljust(widths[i]) for i, c in enumerate(r)).rstrip()
    print(fmt(header))
    for r, s in zip(rows, extras):
        print(fmt(r))
        d = _details(s, owners)
        if d:
            print('        ' + d)


def _details(s, owners):
    """The -v line of a socket: kind, timers, windows, retransmits, fds."""
    parts = []
    if s.kind != 'full':
        parts.append(s.kind)
    if s.backlog is not None:
        parts.append('accept queue %d/%d' % (s.rxq, s.backlog))
    if s.ipv6only:
        parts.append('v6only')
    x = s.extra or {}
    if x.get('timer'):
        ms = x.get('timer_ms')
        parts.append('timer %s%s' % (x['timer'], '' if ms is None else
                                     ' (%.3fs)' % (ms / 1000.0)))
    for k, label in (('rcv_wnd', 'rcv_wnd'), ('snd_wnd', 'snd_wnd'),
                     ('cwnd', 'cwnd'), ('srtt_ms', 'srtt_ms'),
                     ('rto_ms', 'rto_ms'), ('retransmits', 'retransmits'),
                     ('retrans_out', 'retrans_out'),
                     ('total_retrans', 'total_retrans')):
        if x.get(k) is not None:
            parts.append('%s %s' % (label, x[k]))
    who = owners.get(s.file, []) if s.file else []
    if who:
        parts.append('fd ' + ','.join('%d/%s:%d' % w for w in who))
    return '  '.join(parts)


def print_unix(socks, owners, verbose):
    """Print UNIX sockets like ``netstat -xp`` / ``ss -x``."""
    header = ['Proto', 'Type', 'State', 'I-Node', 'Peer', 'Recv-Q',
              'PID/Program', 'Path']
    if verbose:
        header = ['sock'] + header
    rows = []
    for s in sorted(socks, key=lambda s: (s.path == '', s.path, s.inode)):
        row = ['unix', s.type, s.state_name, str(s.inode),
               str(s.peer_inode) if s.peer else '-',
               '%d/%d' % (s.rxq, s.backlog) if s.listening else str(s.rxq),
               _owner_str(owners, s), s.path]
        if verbose:
            row = ['%#x' % s.sk] + row
        rows.append(row)
    off = 1 if verbose else 0
    _table(rows, header, right=(3 + off, 4 + off, 5 + off))


def show_sockets(net, opts, tcpstate):
    """The socket section: INET first, then UNIX."""
    protos = _protocols(opts)
    owners = file_holders()
    inet = [p for p in protos if p != 'unix']
    if inet:
        socks = list(select_sockets(
            for_each_inet_sock(net, inet, verbose=opts.verbose), opts,
            tcpstate, owners))
        print_inet(socks, owners, opts.verbose)
    if 'unix' in protos and tcpstate is None and opts.port is None and \
            opts.sport is None and opts.dport is None:
        try:
            us = list(select_sockets(for_each_unix_sock(net), opts, None,
                                     owners))
        except _READ_ERRORS as e:
            pylog.warning('cannot read UNIX sockets: %s' % e)
            return
        if inet:
            print()
        print_unix(us, owners, opts.verbose)


# ---------------------------------------------------------------------
# Interfaces, routes, neighbours, SNMP, summary, namespaces

def show_interfaces(net, opts):
    """Interfaces: one table of link data and counters, then addresses."""
    devs = [d for d in for_each_netdev(net)
            if not opts.interface or d.name == opts.interface]
    if opts.interface and not devs:
        print('No interface %s in this namespace' % opts.interface)
        return
    header = ['Iface', 'Idx', 'MTU', 'MAC Address', 'Flags', 'RX-OK',
              'RX-Bytes', 'RX-ERR', 'RX-DRP', 'TX-OK', 'TX-Bytes', 'TX-ERR',
              'TX-DRP']
    rows = []
    for d in devs:
        st = d.stats
        rows.append([d.name, str(d.ifindex), str(d.mtu), d.mac or '-',
                     iff_str(d.flags)] +
                    [str(st[k]) for k in ('rx_packets', 'rx_bytes',
                                          'rx_errors', 'rx_dropped',
                                          'tx_packets', 'tx_bytes',
                                          'tx_errors', 'tx_dropped')])
    _table(rows, header, right=(1, 2) + tuple(range(5, 13)))
    print()
    rows = []
    for d in devs:
        name = d.name
        for a in d.ipv4:
            extra = 'scope ' + _SCOPES.get(a['scope'], str(a['scope']))
            if a['secondary']:
                extra += ' secondary'
            if a['label'] and a['label'] != d.name:
                extra += ' label ' + a['label']
            rows.append([name, 'inet', '%s/%d' % (a['addr'], a['prefixlen']),
                         extra])
            name = ''
        for a in d.ipv6:
            rows.append([name, 'inet6', '%s/%d' % (a['addr'],
                                                   a['prefixlen']),
                         'scope ' + a['scope']])
            name = ''
        if name:
            rows.append([name, '-', '', ''])
    _table(rows, ['Iface', 'Family', 'Address', ''])
    if opts.verbose:
        print()
        for d in devs:
            print('%-10s net_device %#x  ops %s  operstate %s  flags %#x' % (
                d.name, d.dev, d.ops or '-', d.operstate, d.raw_flags))
            print('%-10s counters from %s' % ('', d.stats_source))
            print('%-10s %s' % ('', '  '.join(
                '%s %d' % (k, d.stats[k]) for k in STAT_NAMES)))


def _rt_flags(flags):
    """route -n style flag letters."""
    s = 'U' if flags & 1 else ''
    if flags & RTF_GATEWAY:
        s += 'G'
    if flags & RTF_HOST:
        s += 'H'
    if flags & RTF_REJECT:
        s += '!'
    return s


def show_routes(net, opts):
    """The IPv4 routing table (main; every table with -v)."""
    tables = None if opts.verbose else (254,)
    routes = list(for_each_route(net, tables, all_types=opts.verbose))
    header = ['Destination', 'Gateway', 'Genmask', 'Flags', 'Metric',
              'Iface']
    if opts.verbose:
        header += ['Table', 'Type', 'Proto', 'Scope', 'Src']
    rows = []
    for r in routes:
        row = ['%s/%d' % (r.dst, r.prefixlen), r.gateway, r.mask,
               _rt_flags(r.flags), str(r.metric), r.dev]
        if opts.verbose:
            row += [RT_TABLES.get(r.table, str(r.table)), r.type,
                    r.protocol, r.scope, r.prefsrc or '-']
        rows.append(row)
    print('IPv4 routing table%s' % ('s (all)' if opts.verbose else
                                    ' (main)'))
    _table(rows, header, right=(4,))


def show_arp(net, opts):
    """Neighbour entries of ARP and NDISC."""
    rows = []
    for n in for_each_neighbour(net):
        row = [n.table, n.addr, n.lladdr, n.dev, nud_str(n.state),
               str(n.refcnt)]
        if opts.verbose:
            row.append('%#x' % n.n)
        rows.append(row)
    header = ['Table', 'Address', 'HWaddress', 'Iface', 'State', 'Refcnt']
    if opts.verbose:
        header.append('neighbour')
    _table(rows, header, right=(5,))


def show_snmp(net, opts):
    """SNMP counters by group, as /proc/net/snmp, netstat and snmp6."""
    for group, fname, vals in snmp_groups(net):
        shown = vals if opts.verbose else [(n, v) for n, v in vals if v]
        print('%s: (%s)%s' % (group, fname, '' if shown else
                              ' all zero'))
        if shown:
            w = max(len(n) for n, _ in shown)
            for n, v in shown:
                print('    %-*s %d' % (w, n, v))
    if not opts.verbose:
        print('(zero counters omitted; -v shows every counter)')


def show_summary(net, opts):
    """One screen: sockets by protocol and state, other table sizes."""
    counts = {}
    states = []
    for s in for_each_inet_sock(net, ('tcp', 'udp', 'raw')):
        st = s.state_name
        counts.setdefault(s.proto, {}).setdefault(st, 0)
        counts[s.proto][st] += 1
        if st not in states:
            states.append(st)
    try:
        for u in for_each_unix_sock(net):
            key = 'unix/' + u.type
            counts.setdefault(key, {}).setdefault(u.state_name, 0)
            counts[key][u.state_name] += 1
            if u.state_name not in states:
                states.append(u.state_name)
    except _READ_ERRORS as e:
        pylog.warning('cannot read UNIX sockets: %s' % e)
    order = ['LISTEN', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'NEW_SYN_RECV',
             'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK',
             'CLOSING', 'CLOSE', 'UNCONN']
    states.sort(key=lambda s: order.index(s) if s in order else 99)
    rows = []
    for proto in sorted(counts, key=lambda p: (_PROTO_ORDER.get(p, 9), p)):
        c = counts[proto]
        rows.append([proto, str(sum(c.values()))] +
                    [str(c.get(st, '')) for st in states])
    print('Sockets of net %#x (inum %d)' % (int(net), net_inum(net)))
    _table(rows, ['Proto', 'Total'] + states,
           right=tuple(range(1, len(states) + 2)))
    print()
    try:
        devs = list(for_each_netdev(net))
        up = sum(1 for d in devs if d.flags & 1)
        print('Interfaces: %d (%d up): %s' % (len(devs), up, ', '.join(
            d.name for d in devs)))
    except _READ_ERRORS as e:
        pylog.warning('cannot read interfaces: %s' % e)
    try:
        print('IPv4 routes in main table: %d' % len(list(for_each_route(net))))
    except _READ_ERRORS as e:
        pylog.warning('cannot read routes: %s' % e)
    try:
        print('Neighbour entries: %d' % len(list(for_each_neighbour(net))))
    except _READ_ERRORS as e:
        pylog.warning('cannot read neighbours: %s' % e)


def show_netns(current):
    """List the network namespaces, marking the one in use."""
    rows = []
    for i, net in enumerate(for_each_net()):
        try:
            devs = ','.join(d.name for d in for_each_netdev(net))
        except _READ_ERRORS:
            devs = '?'
        rows.append(['*' if int(net) == int(current) else '', str(i),
                     '%#x' % int(net), str(net_inum(net)), devs])
    _table(rows, ['', '#', 'struct net', 'inum', 'devices'], right=(1, 3))


# ---------------------------------------------------------------------

def _section(name, func, *args):
    """Run one section; a structure that differs is reported, not fatal."""
    try:
        func(*args)
    except _READ_ERRORS as e:
        pylog.warning('%s: cannot read: %s' % (name, e))


def main(argv=None):
    """Run xportshow with argv (default sys.argv[1:]); return 0 (1 when
    no namespace can be found). Bad arguments exit 2 with a usage line."""
    parser = build_parser()
    opts = parser.parse_args(sys.argv[1:] if argv is None else argv)
    tcpstate = None
    if opts.retransonly:
        # The counters are read with the verbose details.
        opts.tcp = True
        opts.verbose = max(opts.verbose, 1)
    if opts.everything:
        opts.all = opts.interfaces = opts.route = opts.arp = True
        opts.statistics = opts.summary = True
    if opts.tcpstate:
        try:
            tcpstate = tcp_state_value(opts.tcpstate)
        except ValueError as e:
            parser.error(str(e))
        opts.tcp = True
    if opts.interface:
        opts.interfaces = True
    try:
        net = current_net()
    except _READ_ERRORS as e:
        pylog.warning('cannot find the network namespace: %s' % e)
        return 1
    if opts.netns == 'all':
        parser.error('--netns all: one namespace at a time here (--netns '
                     'alone lists them)')
    if opts.netns:
        try:
            chosen = find_net(opts.netns)
        except ValueError:
            chosen = None
            try:
                # PyKdump's --netns took the address in bare hex.
                chosen = find_net(int(opts.netns, 16))
            except ValueError:
                parser.error('--netns: not an index, address or inode: %r'
                             % opts.netns)
        if chosen is None:
            parser.error('--netns %s: no such network namespace (--netns '
                         'alone lists them)' % opts.netns)
        net = chosen
    elif opts.netns == '':
        _section('namespaces', show_netns, net)
        return 0
    others = [(opts.interfaces, 'interfaces', show_interfaces),
              (opts.route, 'routes', show_routes),
              (opts.arp, 'neighbours', show_arp),
              (opts.statistics, 'SNMP counters', show_snmp),
              (opts.summary, 'summary', show_summary)]
    want_sockets = (opts.all or opts.listening or opts.tcp or opts.udp or
                    opts.raw or opts.unix or opts.port is not None or
                    opts.sport is not None or opts.dport is not None or
                    opts.pid is not None or opts.program or
                    tcpstate is not None or
                    not any(flag for flag, _, _ in others))
    if opts.netns:
        print('Network namespace %#x (inum %d)\n' % (int(net),
                                                     net_inum(net)))
    first = True
    if want_sockets:
        _section('sockets', show_sockets, net, opts, tcpstate)
        first = False
    for flag, name, func in others:
        if flag:
            if not first:
                print()
            first = False
            _section(name, func, net, opts)
    return 0


if __name__ == '__main__':
    main()
