# SPDX-License-Identifier: GPL-2.0-or-later
"""INET sockets from the kernel's hash tables: TCP, UDP, UDP-Lite, raw.

Mirrors ``include/net/inet_hashtables.h`` (``struct inet_hashinfo``: the
established hash ``ehash`` and the listener hash ``lhash2``),
``include/net/udp.h`` (``struct udp_table``), ``include/net/raw.h``
(``struct raw_hashinfo``), ``include/net/sock.h`` (``struct sock_common``,
``struct sock``) and ``include/net/tcp_states.h``.

Sockets are read the way ``/proc/net/tcp`` does (``tcp4_seq_show``), but
from the dump: one ``readmem`` per socket decoded by the object model's
bulk :func:`~pykdump.lowlevel.record_reader`, so a table of tens of
thousands of sockets takes a fraction of a second.
Each socket becomes an :class:`InetSock` record. :func:`socket_owners`
maps a ``struct sock`` to the processes holding it open.
"""

import socket
import struct

from pykdump.API import (HZ, container_of, crash, enumerator_value,
                         field_offset, field_size, member_offset,
                         member_size, pylog, readSU, readmem, record_reader,
                         struct_size, sym2addr, symbol_exists)
from pykdump.helpers.fs import fd_table
# jiffies stays importable from here (it was public in this module).
from pykdump.helpers.kernel import jiffies
from pykdump.helpers.net import (AF_INET6, LayoutError, bucket_heads,
                                 fill_socket_files, walk_hash_chains)
from pykdump.helpers.tasks import for_each_task

__all__ = ['TCP_STATES', 'tcp_state_name', 'tcp_state_value', 'InetSock',
           'for_each_tcp_sock', 'for_each_udp_sock', 'for_each_raw_sock',
           'for_each_inet_sock', 'socket_owners', 'file_holders',
           'sock_inode', 'jiffies']

# The numbering is ABI (sock_diag, /proc/net/tcp); used only where the
# dump's debuginfo lacks the enumerators.
_TCP_STATE_NAMES = ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1',
                    'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT',
                    'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV',
                    'BOUND_INACTIVE']


def _tcp_states():
    """state number -> name from the kernel's own enum (tcp_states.h)."""
    out = {}
    for i, name in enumerate(_TCP_STATE_NAMES, 1):
        try:
            v = enumerator_value('TCP_' + name)
        except crash.error:
            v = None
        if v is None:
            # TCP_BOUND_INACTIVE (v6.6) and TCP_NEW_SYN_RECV (v4.4) are
            # newer than the rest: absent means "no such state here".
            if name in ('NEW_SYN_RECV', 'BOUND_INACTIVE'):
                continue
            v = i
        out[v] = name
    return out


class _States(dict):
    """The TCP state table, filled from the dump on first use."""

    def _fill(self):
        if not dict.__len__(self):
            self.update(_tcp_states())

    def __missing__(self, key):
        self._fill()
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return 'UNKNOWN(%s)' % key

    def items(self):
        """(number, name) pairs, read from the dump on first use."""
        self._fill()
        return dict.items(self)


#: TCP state number -> name without the ``TCP_`` prefix (netstat's names).
TCP_STATES = _States()


def tcp_state_name(state):
    """Return the netstat name of TCP state ``state`` (``'TIME_WAIT'``).

    C equivalent: ``tcp_state_names[]`` of ``include/net/tcp_states.h``.
    """
    return TCP_STATES[state]


def tcp_state_value(name):
    """Return the number of TCP state ``name`` (``time-wait`` works too).

    :raise ValueError: for a name the kernel does not define
    """
    want = name.upper().replace('-', '_')
    if want.startswith('TCP_'):
        want = want[4:]
    for v, n in TCP_STATES.items():
        if n == want:
            return v
    raise ValueError('unknown TCP state %r (known: %s)' % (
        name, ', '.join(n for _, n in sorted(TCP_STATES.items()))))


class InetSock:
    """One INET socket as read from a hash table.

    Attributes: ``sk`` (address of the ``struct sock``, or of the
    ``inet_timewait_sock``/``request_sock`` that shares its
    ``sock_common``), ``proto`` (``tcp``, ``tcp6``, ``udp``, ``udp6``,
    ``udplite``, ``udplite6``, ``raw``, ``raw6``), ``family``
    (``AF_INET``/``AF_INET6``), ``state`` (TCP state number),
    ``laddr``/``raddr`` (formatted), ``lport``/``rport`` (host order),
    ``rxq``/``txq`` (as ``/proc/net/tcp`` computes them: a listener's
    ``rxq`` is its accept queue), ``backlog`` (a TCP listener's
    ``sk_max_ack_backlog``, else None), ``inode``
    (socket inode, 0 for timewait and request socks), ``sock`` and
    ``file`` (the ``struct socket`` and ``struct file`` holding it, 0 if
    none: see :func:`file_holders`), ``kind`` (``full``,
    ``timewait``, ``request``), ``ipv6only`` and ``extra`` (a dict of
    timers, windows and retransmits, filled only when asked for).
    """

    __slots__ = ('sk', 'proto', 'family', 'state', 'laddr', 'lport',
                 'raddr', 'rport', 'rxq', 'txq', 'inode', 'kind',
                 'ipv6only', 'extra', 'net', 'backlog', 'sock', 'file')

    def __init__(self, sk, proto, family, state, laddr, lport, raddr,
                 rport, kind='full', net=0, ipv6only=False):
        self.sk, self.proto, self.family, self.state = sk, proto, family, \
            state
        self.laddr, self.lport, self.raddr, self.rport = laddr, lport, \
            raddr, rport
        self.kind, self.net, self.ipv6only = kind, net, ipv6only
        self.extra = self.backlog = None
        self.inode = self.sock = self.file = 0
        self.rxq = self.txq = 0

    @property
    def state_name(self):
        """netstat's name of the state; UDP and raw say UNCONN when unbound
        to a peer (TCP_CLOSE), as ``ss`` does."""
        name = TCP_STATES[self.state]
        if not self.proto.startswith('tcp') and name == 'CLOSE':
            return 'UNCONN'
        return name

    @property
    def listening(self):
        """True for TCP listeners and for unconnected UDP/raw sockets
        (what ``netstat -l`` lists)."""
        name = TCP_STATES[self.state]
        if self.proto.startswith('tcp'):
            return name == 'LISTEN'
        return name == 'CLOSE'

    def __repr__(self):
        return '<InetSock %s %#x %s:%s -> %s:%s %s>' % (
            self.proto, self.sk, self.laddr, self.lport, self.raddr,
            self.rport, self.state_name)


# ---------------------------------------------------------------------
# Records: the fields each walk decodes, one read per socket

def _common_reader():
    """sock_common: namespace, family, state, addresses, ports."""
    return record_reader(
        'struct sock_common',
        ('skc_net', 'skc_family', 'skc_state', 'skc_rcv_saddr', 'skc_daddr',
         'skc_num', 'skc_dport'),
        optional=('skc_v6_rcv_saddr', 'skc_v6_daddr', 'skc_ipv6only'))


def _sock_reader():
    """struct sock: owner, queues and the keepalive timer."""
    # sk_rmem_alloc is "#define sk_rmem_alloc sk_backlog.rmem_alloc" since
    # v2.6.35.
    return record_reader(
        'struct sock',
        ('sk_socket', 'sk_ack_backlog', 'sk_max_ack_backlog',
         'sk_wmem_alloc'),
        optional=('sk_backlog.rmem_alloc', 'sk_timer.expires'))


def _tcp_reader():
    """struct tcp_sock: the sequence numbers of the queues."""
    return record_reader('struct tcp_sock', ('rcv_nxt', 'copied_seq',
                                             'write_seq', 'snd_una'))


def _tcp_extra_reader():
    """struct tcp_sock: windows, RTT, retransmits, the pending timer."""
    return record_reader(
        'struct tcp_sock', (),
        optional=('rcv_wnd', 'snd_wnd', 'snd_cwnd', 'srtt_us',
                  'retrans_out', 'total_retrans',
                  'inet_conn.icsk_retransmits', 'inet_conn.icsk_pending',
                  'inet_conn.icsk_timeout', 'inet_conn.icsk_rto'))


def sock_inode(sk):
    """Return the inode number of the socket that owns ``sk`` (0 if none).

    C equivalent: ``sock_i_ino(sk)``:
    ``SOCK_INODE(sk->sk_socket)->i_ino``.

    :param sk: address of a ``struct sock``
    :return: ``unsigned long``
    """
    try:
        sock = readSU('struct sock', int(sk)).sk_socket
        if not sock:
            return 0
        return container_of(sock, 'struct socket_alloc',
                            'socket').vfs_inode.i_ino
    except crash.error:
        return 0


def _s32(v):
    """An atomic_t/refcount_t read unsigned, as the signed int it is."""
    return v - (1 << 32) if v & 0x80000000 else v


_ntoa = socket.inet_ntoa
_pack32 = struct.Struct('<I').pack


def _ntop6(raw):
    return socket.inet_ntop(socket.AF_INET6, raw)


class _Decoder:
    """Turns the bytes of a socket into an InetSock (readers bound once)."""

    def __init__(self, net):
        self.net = int(net)
        C = self.C = _common_reader()
        self.common_unpack = C.unpack
        self.sock_unpack = _sock_reader().unpack
        self.v6 = C.has('skc_v6_daddr')
        # The hash chains link sock_common's skc_node or skc_nulls_node.
        self.node = field_offset('struct sock_common', 'skc_node')
        self.nulls_node = field_offset('struct sock_common', 'skc_nulls_node')

    def common(self, obj, buf, proto4):
        """InetSock from the sock_common at the start of buf, or None when
        the socket belongs to another namespace."""
        (net, family, state, saddr, daddr, num, dport, v6saddr, v6daddr,
         v6only) = self.common_unpack(buf)
        if net != self.net:
            return None
        if family == AF_INET6 and self.v6:
            laddr, raddr = _ntop6(v6saddr), _ntop6(v6daddr)
            proto = proto4 + '6'
        else:
            # __be32 read little-endian, packed back: memory order, what
            # inet_ntoa() takes.
            laddr, raddr = _ntoa(_pack32(saddr)), _ntoa(_pack32(daddr))
            proto = proto4
        return InetSock(obj, proto, family, state, laddr, num, raddr,
                        (dport & 0xff) << 8 | dport >> 8, 'full', self.net,
                        bool(v6only))

    def dgram(self, s, buf):
        """Owner and queues of a UDP/raw socket as /proc/net/udp shows
        them: rmem_alloc, wmem_alloc - 1."""
        sock, _, _, wmem, rmem, _ = self.sock_unpack(buf)
        s.sock = sock
        if rmem is not None:
            s.rxq = _s32(rmem)
        s.txq = max(_s32(wmem) - 1, 0)


# ---------------------------------------------------------------------
# TCP

def _tcp_hashinfo(net):
    """Address of the inet_hashinfo holding net's TCP sockets."""
    # Linux commit d1e5e6408b30 ("tcp: Introduce optional per-netns
    # ehash.") (v6.1): a namespace may have its own established hash,
    # reached through net->ipv4.tcp_death_row.hashinfo (a member since
    # v4.11, always &tcp_hashinfo before v6.1). v6.1-rc1 briefly had a
    # pointer to the death row (commit e9bd0cca09d1 embedded it again):
    # the object model follows either.
    if member_offset('struct net', 'ipv4.tcp_death_row') >= 0 and \
            member_offset('struct inet_timewait_death_row',
                          'hashinfo') >= 0:
        try:
            hi = readSU('struct net', int(net)).ipv4.tcp_death_row.hashinfo
            if hi:
                return int(hi)
        except crash.error:
            pylog.warning('cannot read net->ipv4.tcp_death_row.hashinfo: '
                          'using tcp_hashinfo')
    addr = sym2addr('tcp_hashinfo')
    if not addr:
        raise LayoutError('no tcp_hashinfo symbol')
    return addr


def _hashinfo(addr):
    """ehash, ehash_mask, lhash2, lhash2_mask of an inet_hashinfo."""
    R = record_reader('struct inet_hashinfo', ('ehash', 'ehash_mask'),
                      optional=('lhash2', 'lhash2_mask'))
    ehash, ehash_mask, lhash2, lhash2_mask = R.read(addr)
    out = {'ehash': ehash, 'ehash_mask': ehash_mask}
    if lhash2 is not None:
        out['lhash2'] = lhash2
        out['lhash2_mask'] = lhash2_mask
    off = member_offset('struct inet_hashinfo', 'listening_hash')
    if off >= 0:
        out['listening_hash'] = addr + off
    return out


def _listenerbucket_heads(hi, what):
    """(first-node pointers, link offset) of the listening hash."""
    bucket = 'struct inet_listen_hashbucket'
    size = struct_size(bucket)
    nulls_head = member_offset(bucket, 'nulls_head')
    # listening_hash first: before it went, lhash2 also existed (and its
    # bucket had nulls_head, in a union with head), but lhash2 linked
    # icsk_listen_portaddr_node, not sk_nulls_node, and only
    # listening_hash is complete.
    if 'lhash2' in hi and 'listening_hash' not in hi and nulls_head >= 0:
        # Linux commit cae3873c5b3a ("net: inet: Retire port only
        # listening_hash") (v5.19): listeners live only in lhash2, linked
        # by sk_nulls_node.
        return (bucket_heads(hi['lhash2'], hi['lhash2_mask'] + 1, size,
                             nulls_head, what),
                field_offset('struct sock_common', 'skc_nulls_node'))
    if 'listening_hash' in hi:
        # Before v5.19: listening_hash[INET_LHTABLE_SIZE] by port, linked
        # by sk_node (or sk_nulls_node for a nulls head).
        n = member_size('struct inet_hashinfo', 'listening_hash')
        if nulls_head >= 0:
            head = nulls_head
            link = field_offset('struct sock_common', 'skc_nulls_node')
        else:
            head = field_offset(bucket, 'head')
            link = field_offset('struct sock_common', 'skc_node')
        return (bucket_heads(hi['listening_hash'], n // size, size, head,
                             what), link)
    raise LayoutError('struct inet_hashinfo has neither lhash2 with '
                      'nulls_head nor listening_hash')


def for_each_tcp_sock(net, *, listen=True, established=True, verbose=False,
                      maxel=10000):
    """Yield the TCP sockets of namespace ``net`` as :class:`InetSock`.

    C equivalent: ``tcp_seq_next()`` of ``net/ipv4/tcp_ipv4.c``: the
    listening hash ``lhash2`` then every ``ehash`` bucket, keeping sockets
    whose ``sock_net(sk) == net``. The ehash also holds
    ``inet_timewait_sock`` (``kind='timewait'``) and ``request_sock``
    (``kind='request'``, state NEW_SYN_RECV), which share
    ``struct sock_common`` only.

    :param net: ``struct net`` StructResult or address
    :param listen: include the listening hash
    :param established: include the established hash
    :param verbose: fill ``extra`` with windows, timers, retransmits
    :param maxel: longest hash chain followed
    :return: generator of :class:`InetSock`
    """
    hi = _hashinfo(_tcp_hashinfo(net))
    dec = _Decoder(net)
    tcp_unpack = _tcp_reader().unpack
    extra_unpack = _tcp_extra_reader().unpack if verbose else None
    tw_state = tcp_state_value('TIME_WAIT')
    listen_state = tcp_state_value('LISTEN')
    try:
        req_state = tcp_state_value('NEW_SYN_RECV')
    except ValueError:
        req_state = -1
    tcp_size = struct_size('struct tcp_sock')
    now = jiffies() if verbose else 0

    def full(s, buf):
        """Queues, owner and details of a full tcp_sock read into buf."""
        sock, ack_backlog, max_ack_backlog, _, _, timer_expires = \
            dec.sock_unpack(buf)
        s.sock = sock
        rcv_nxt, copied_seq, write_seq, snd_una = tcp_unpack(buf)
        # As tcp4_seq_show(): a listener's accept queue, else rcv_nxt -
        # copied_seq (never negative); write_seq - snd_una for everyone.
        if s.state == listen_state:
            s.rxq, s.backlog = ack_backlog, max_ack_backlog
        else:
            rx = (rcv_nxt - copied_seq) & 0xffffffff
            s.rxq = rx if rx < 0x80000000 else 0
            if verbose:
                s.extra = _tcp_extra(extra_unpack(buf), timer_expires, now)
        s.txq = (write_seq - snd_una) & 0xffffffff

    out = []
    if listen:
        what = 'TCP listening hash'
        heads, link = _listenerbucket_heads(hi, what)
        for obj, buf in walk_hash_chains(heads, link, tcp_size, what, maxel):
            s = dec.common(obj, buf, 'tcp')
            if s is not None:
                full(s, buf)
                out.append(s)
    if established:
        what = 'TCP established hash'
        bucket = 'struct inet_ehash_bucket'
        heads = bucket_heads(hi['ehash'], hi['ehash_mask'] + 1,
                             struct_size(bucket),
                             field_offset(bucket, 'chain'), what)
        tw_read = record_reader('struct inet_timewait_sock', (),
                                optional=('tw_timer.expires',)).read
        # sock_common first: timewait and request socks are smaller than
        # a tcp_sock. The full read of a tcp_sock then hits cached pages.
        for obj, buf in walk_hash_chains(heads, dec.nulls_node,
                                         dec.C.end, what, maxel):
            s = dec.common(obj, buf, 'tcp')
            if s is None:
                continue
            if s.state == tw_state:
                s.kind = 'timewait'
                if verbose:
                    _tw_extra(s, tw_read, now)
            elif s.state == req_state:
                s.kind = 'request'
            else:
                try:
                    buf = readmem(obj, tcp_size)
                except crash.error:
                    pylog.warning('TCP: cannot read tcp_sock at %#x' % obj)
                else:
                    full(s, buf)
            out.append(s)
    fill_socket_files(out)
    yield from out


# icsk_pending values, include/net/inet_connection_sock.h
_PENDING = {1: 'retrans', 2: 'delack', 3: 'probe0', 4: 'keepalive',
            5: 'lossprobe', 6: 'reorder'}


def _tcp_extra(vals, keepalive_expires, now):
    """Windows, RTT, retransmits and the pending timer of a tcp_sock from
    the values of :func:`_tcp_extra_reader`."""
    (rcv_wnd, snd_wnd, cwnd, srtt, retrans_out, total_retrans, retransmits,
     pending, timeout, rto) = vals
    x = {'rcv_wnd': rcv_wnd, 'snd_wnd': snd_wnd, 'cwnd': cwnd,
         'retrans_out': retrans_out, 'total_retrans': total_retrans,
         'retransmits': retransmits,
         'srtt_ms': None if srtt is None else (srtt >> 3) / 1000.0,
         'rto_ms': None if rto is None else rto * 1000 // HZ}
    pending = pending or 0
    timer, expires = None, None
    if pending in (1, 3, 5, 6) and timeout is not None:
        timer = _PENDING[pending]
        expires = timeout
    elif pending == 2:
        timer = 'delack'
    elif keepalive_expires:
        # sk_timer is the keepalive timer; whether it is queued is not
        # visible without walking timer wheels, an expiry ahead of
        # jiffies is the best sign there is.
        if _sdelta(keepalive_expires, now) > 0:
            timer, expires = 'keepalive', keepalive_expires
    x['timer'] = timer
    x['timer_ms'] = None if expires is None else \
        _sdelta(expires, now) * 1000 // HZ
    return x


def _sdelta(a, b):
    """a - b for jiffies (unsigned long), as a signed number."""
    d = (a - b) & 0xffffffffffffffff
    return d - (1 << 64) if d >= 1 << 63 else d


def _tw_extra(s, tw_read, now):
    """Remaining TIME_WAIT time of a timewait sock."""
    x = {'timer': 'timewait', 'timer_ms': None}
    try:
        expires, = tw_read(s.sk)
        if expires is not None:
            x['timer_ms'] = _sdelta(expires, now) * 1000 // HZ
    except crash.error:
        pass
    s.extra = x


# ---------------------------------------------------------------------
# UDP, UDP-Lite, raw

def _udp_tables(net):
    """[(proto, address of struct udp_table)] for net."""
    out = []
    # Linux commit 9804985bf27f ("udp: Introduce optional per-netns hash
    # table.") (v6.2): net->ipv4.udp_table; before, one global table.
    t = 0
    if member_offset('struct net', 'ipv4.udp_table') >= 0:
        t = int(readSU('struct net', int(net)).ipv4.udp_table)
    out.append(('udp', t or sym2addr('udp_table')))
    if symbol_exists('udplite_table'):
        out.append(('udplite', sym2addr('udplite_table')))
    return out


def for_each_udp_sock(net, *, verbose=False, maxel=10000):
    """Yield the UDP and UDP-Lite sockets of ``net`` as :class:`InetSock`.

    C equivalent: ``udp_get_next()`` of ``net/ipv4/udp.c``: every slot of
    ``udp_table.hash`` (``mask + 1`` of ``struct udp_hslot``), sockets
    linked by ``sk_node``. Connected sockets have state ESTABLISHED, the
    others CLOSE (printed UNCONN).

    :param net: ``struct net`` StructResult or address
    :return: generator of :class:`InetSock`
    """
    dec = _Decoder(net)
    read_table = record_reader('struct udp_table', ('hash', 'mask')).read
    slot = struct_size('struct udp_hslot')
    head = field_offset('struct udp_hslot', 'head')
    size = struct_size('struct udp_sock')
    link = dec.node
    for proto, tbl in _udp_tables(net):
        if not tbl:
            continue
        what = '%s hash table' % proto.upper()
        hash_, mask = read_table(tbl)
        heads = bucket_heads(hash_, mask + 1, slot, head, what)
        yield from _datagram_socks(dec, heads, link, size, what, maxel,
                                   proto)


def _datagram_socks(dec, heads, link, size, what, maxel, proto):
    """The sockets on the chains of heads, decoded as datagram sockets
    (UDP, raw) with their queues and owners."""
    out = []
    for obj, buf in walk_hash_chains(heads, link, size, what, maxel):
        s = dec.common(obj, buf, proto)
        if s is not None:
            dec.dgram(s, buf)
            out.append(s)
    fill_socket_files(out)
    return out


def for_each_raw_sock(net, *, verbose=False, maxel=10000):
    """Yield the raw IPv4 and IPv6 sockets of ``net``.

    C equivalent: ``raw_get_next()`` of ``net/ipv4/raw.c`` over
    ``raw_v4_hashinfo.ht[]`` and ``raw_v6_hashinfo.ht[]``. ``lport`` is
    the IP protocol number, as in ``/proc/net/raw``.

    :param net: ``struct net`` StructResult or address
    :return: generator of :class:`InetSock`
    """
    dec = _Decoder(net)
    size = struct_size('struct sock')
    ht = field_offset('struct raw_hashinfo', 'ht')
    nb = field_size('struct raw_hashinfo', 'ht') // 8
    # Linux commit 0daf07e52709 ("raw: convert raw sockets to RCU") (v6.1)
    # made ht[] hlist_nulls heads and commit 0a78cf7264d2 ("raw: Fix NULL
    # deref in raw_get_next().") hlist heads again. sk_node and
    # sk_nulls_node share one offset and the chain walker stops at NULL
    # or at a nulls marker, so both read the same way.
    link = dec.node
    for sym in ('raw_v4_hashinfo', 'raw_v6_hashinfo'):
        base = sym2addr(sym)
        if not base:
            continue
        what = '%s hash table' % sym
        heads = bucket_heads(base + ht, nb, 8, 0, what)
        yield from _datagram_socks(dec, heads, link, size, what, maxel,
                                   'raw')


def for_each_inet_sock(net, protos=('tcp', 'udp', 'raw'), **kw):
    """Yield the sockets of the protocol families named in ``protos``.

    Each table that cannot be read (a structure differs in this kernel)
    is reported with ``pylog.warning`` and skipped; the others are still
    read.

    :param protos: subset of ``('tcp', 'udp', 'raw')``
    :return: generator of :class:`InetSock`
    """
    walkers = {'tcp': for_each_tcp_sock, 'udp': for_each_udp_sock,
               'raw': for_each_raw_sock}
    for p in protos:
        try:
            yield from walkers[p](net, **kw)
        except (LayoutError, crash.error) as e:
            pylog.warning('cannot read %s sockets: %s' % (p.upper(), e))


# ---------------------------------------------------------------------
# Which process holds a socket

def file_holders(maxel=100000):
    """Return ``{struct file address: [(pid, comm, fd), ...]}``.

    Every open file of every task (:func:`pykdump.helpers.fs.fd_table`:
    the descriptors set in ``open_fds``), with no read per file: join it
    with :attr:`InetSock.file` to find who holds a socket. Threads sharing
    one ``files_struct`` are read once, under the first thread met (the
    group leader); ``pid`` is the tgid.

    C equivalent: ``for_each_process_thread(p, t)`` and
    ``iterate_fd(t->files, 0, ...)``.

    :return: ``dict`` of ``int`` -> ``list`` of ``(int, str, int)``
    """
    holders = {}
    done = set()
    for task in for_each_task(maxel=maxel):
        try:
            files = int(task.files)
            if not files or files in done:
                continue
            done.add(files)
            pid, comm = int(task.tgid), str(task.comm)
            fds = fd_table(task)
        except crash.error as e:
            pylog.warning('cannot read the open files of task %#x: %s'
                          % (task, e))
            continue
        for fd, f in fds:
            holders.setdefault(f, []).append((pid, comm, fd))
    return holders


def socket_owners(maxel=100000):
    """Return ``{sk address: [(pid, comm, fd), ...]}`` for every open socket.

    C equivalent: for each task, ``iterate_fd(task->files, ...)`` and
    ``sock_from_file(file)->sk`` for files whose ``f_op`` is
    ``&socket_file_ops``. Reads every open file: when the sockets are at
    hand, :func:`file_holders` and :attr:`InetSock.file` are cheaper.

    :return: ``dict`` of ``int`` -> ``list`` of ``(int, str, int)``
    """
    sfops = sym2addr('socket_file_ops')
    if not sfops:
        pylog.warning('no socket_file_ops symbol: socket owners unknown')
        return {}
    read_file = record_reader('struct file', ('f_op', 'private_data')).read
    owners = {}
    for f, who in file_holders(maxel).items():
        try:
            f_op, sock = read_file(f)
            if f_op != sfops:
                continue
            sk = int(readSU('struct socket', sock).sk) if sock else 0
        except crash.error:
            continue
        if sk:
            owners.setdefault(sk, []).extend(who)
    return owners
