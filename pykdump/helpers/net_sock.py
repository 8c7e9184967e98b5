# SPDX-License-Identifier: GPL-2.0-or-later
"""INET sockets from the kernel's hash tables: TCP, UDP, UDP-Lite, raw.

Mirrors ``include/net/inet_hashtables.h`` (``struct inet_hashinfo``: the
established hash ``ehash`` and the listener hash ``lhash2``),
``include/net/udp.h`` (``struct udp_table``), ``include/net/raw.h``
(``struct raw_hashinfo``), ``include/net/sock.h`` (``struct sock_common``,
``struct sock``) and ``include/net/tcp_states.h``.

Sockets are read the way ``/proc/net/tcp`` does (``tcp4_seq_show``), but
from the dump: one ``readmem`` per socket with member offsets cached once,
so a table of tens of thousands of sockets takes a fraction of a second.
Each socket becomes an :class:`InetSock` record. :func:`socket_owners`
maps a ``struct sock`` to the processes holding it open.
"""

import socket
import struct

from pykdump.API import (HZ, Bunch, crash, enumerator_value, getStructInfo,
                         pylog, readListByHead, readPtr, readSymbol, readmem,
                         sym2addr, symbol_exists)
from pykdump.helpers.net import (AF_INET6, LayoutError, bucket_heads,
                                 fill_socket_files, has_member, member_off,
                                 member_sz, struct_offsets,
                                 walk_hash_chains)

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


def jiffies():
    """Return the kernel's ``jiffies`` at the time of the dump.

    C equivalent: ``jiffies`` (``jiffies_64`` on 64-bit).
    """
    return readSymbol('jiffies')


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
# Layouts, read once per session (until module debuginfo changes)

def _common_layout():
    """Offsets in struct sock_common, and the link members of the hashes."""
    return struct_offsets(
        'struct sock_common', 'skc_daddr', 'skc_rcv_saddr', 'skc_dport',
        'skc_num', 'skc_family', 'skc_state', 'skc_net', 'skc_node',
        optional=('skc_nulls_node', 'skc_v6_daddr', 'skc_v6_rcv_saddr'))


def _sock_layout():
    """Offsets in struct sock of what the queues and the inode need."""
    # A copy: struct_offsets() results are shared through its cache.
    L = Bunch(struct_offsets(
        'struct sock', 'sk_socket', 'sk_ack_backlog', 'sk_max_ack_backlog',
        'sk_wmem_alloc', optional=('sk_backlog', 'sk_timer', 'sk_type')))
    # sk_rmem_alloc is "#define sk_rmem_alloc sk_backlog.rmem_alloc", the
    # first member of that anonymous struct since v2.6.35.
    L.rmem = L.sk_backlog
    tl = struct_offsets('struct timer_list', 'expires')
    L.timer_expires = L.sk_timer + tl.expires if L.sk_timer >= 0 else -1
    return L


def _tcp_layout():
    """Offsets in struct tcp_sock for queues and the -v details."""
    T = Bunch(struct_offsets(
        'struct tcp_sock', 'rcv_nxt', 'copied_seq', 'write_seq', 'snd_una',
        'inet_conn',
        optional=('rcv_wnd', 'snd_wnd', 'snd_cwnd', 'srtt_us',
                  'retrans_out', 'total_retrans')))
    icsk = struct_offsets(
        'struct inet_connection_sock',
        optional=('icsk_retransmits', 'icsk_pending', 'icsk_timeout',
                  'icsk_rto'))
    for k in ('icsk_retransmits', 'icsk_pending', 'icsk_timeout',
              'icsk_rto'):
        T[k] = T.inet_conn + icsk[k] if icsk[k] >= 0 else -1
    return T


def _tw_layout():
    """Offset of the TIME_WAIT timer's expiry in inet_timewait_sock."""
    off = member_off('struct inet_timewait_sock', 'tw_timer', optional=True)
    if off < 0:
        return -1
    return off + struct_offsets('struct timer_list', 'expires').expires


def _inode_offset():
    """Offset of i_ino from a struct socket (socket_alloc.vfs_inode)."""
    lay = struct_offsets('struct socket_alloc', 'vfs_inode')
    return lay.vfs_inode + struct_offsets('struct inode', 'i_ino').i_ino


def sock_inode(sk):
    """Return the inode number of the socket that owns ``sk`` (0 if none).

    C equivalent: ``sock_i_ino(sk)``:
    ``SOCK_INODE(sk->sk_socket)->i_ino``.

    :param sk: address of a ``struct sock``
    :return: ``unsigned long``
    """
    try:
        sock = readPtr(int(sk) + _sock_layout().sk_socket)
        if not sock:
            return 0
        return readPtr(sock + _inode_offset())
    except crash.error:
        return 0


_U16 = struct.Struct('<H')
_BE16 = struct.Struct('>H')
_U32 = struct.Struct('<I')
_S32 = struct.Struct('<i')
_U64 = struct.Struct('<Q')


def _readU32(addr):
    return _U32.unpack(readmem(addr, 4))[0]


_ntoa = socket.inet_ntoa


def _ntop6(raw):
    return socket.inet_ntop(socket.AF_INET6, bytes(raw))


class _Decoder:
    """Turns the bytes of a socket into an InetSock (offsets bound once)."""

    def __init__(self, net):
        self.net = int(net)
        self.C = _common_layout()
        self.S = _sock_layout()
        self.v6 = self.C.skc_v6_daddr >= 0
        fi = _bitfield('struct sock_common', 'skc_ipv6only')
        self.v6only_bit = fi if fi is not None else -1

    def common(self, obj, buf, proto4):
        """InetSock from the sock_common at the start of buf, or None when
        the socket belongs to another namespace."""
        C = self.C
        if _U64.unpack_from(buf, C.skc_net)[0] != self.net:
            return None
        family = _U16.unpack_from(buf, C.skc_family)[0]
        if family == AF_INET6 and self.v6:
            laddr = _ntop6(buf[C.skc_v6_rcv_saddr:C.skc_v6_rcv_saddr + 16])
            raddr = _ntop6(buf[C.skc_v6_daddr:C.skc_v6_daddr + 16])
            proto = proto4 + '6'
        else:
            # __be32 in memory order is what inet_ntoa() takes.
            o = C.skc_rcv_saddr
            laddr = _ntoa(buf[o:o + 4])
            o = C.skc_daddr
            raddr = _ntoa(buf[o:o + 4])
            proto = proto4
        bit = self.v6only_bit
        return InetSock(obj, proto, family, buf[C.skc_state], laddr,
                        _U16.unpack_from(buf, C.skc_num)[0], raddr,
                        _BE16.unpack_from(buf, C.skc_dport)[0], 'full',
                        self.net,
                        bit >= 0 and bool(buf[bit // 8] >> (bit % 8) & 1))

    def sock(self, buf):
        """sk->sk_socket of the struct sock in buf (0 if orphaned)."""
        return _U64.unpack_from(buf, self.S.sk_socket)[0]

    def dgram_queues(self, s, buf):
        """UDP/raw queues as /proc/net/udp: rmem_alloc, wmem_alloc - 1."""
        if self.S.rmem >= 0:
            s.rxq = _S32.unpack_from(buf, self.S.rmem)[0]
        s.txq = max(_S32.unpack_from(buf, self.S.sk_wmem_alloc)[0] - 1, 0)


def _bitfield(sname, field):
    """Bit offset of a one-bit bitfield, or None (uses the type model once:
    crash's MEMBER_OFFSET cannot place a bitfield)."""
    key = (sname, field)
    if key not in _BITS:
        try:
            fi = getStructInfo(sname).get(field)
        except crash.NoTypeError:
            fi = None
        _BITS[key] = fi.bitoffset if fi is not None and \
            fi.bitsize is not None else None
    return _BITS[key]


_BITS = {}


# ---------------------------------------------------------------------
# TCP

def _tcp_hashinfo(net):
    """Address of the inet_hashinfo holding net's TCP sockets."""
    # Linux commit d1e5e6408b30 ("tcp: Introduce optional per-netns
    # ehash.") (v6.1): a namespace may have its own established hash,
    # reached through net->ipv4.tcp_death_row.hashinfo (a member since
    # v4.11, always &tcp_hashinfo before v6.1).
    ipv4 = member_off('struct net', 'ipv4', optional=True)
    tdr = member_off('struct netns_ipv4', 'tcp_death_row', optional=True)
    hio = member_off('struct inet_timewait_death_row', 'hashinfo',
                     optional=True)
    if ipv4 >= 0 and tdr >= 0 and hio >= 0:
        try:
            where = int(net) + ipv4 + tdr
            if member_sz('struct netns_ipv4', 'tcp_death_row',
                         optional=True) == 8:
                # v6.1-rc1 briefly had a pointer (commit e9bd0cca09d1
                # embedded it again).
                where = readPtr(where)
            hi = readPtr(where + hio)
            if hi:
                return hi
        except crash.error:
            pylog.warning('cannot read net->ipv4.tcp_death_row.hashinfo: '
                          'using tcp_hashinfo')
    addr = sym2addr('tcp_hashinfo')
    if not addr:
        raise LayoutError('no tcp_hashinfo symbol')
    return addr


def _hashinfo(addr):
    """ehash, ehash_mask, lhash2, lhash2_mask of an inet_hashinfo."""
    H = struct_offsets('struct inet_hashinfo', 'ehash', 'ehash_mask',
                       optional=('lhash2', 'lhash2_mask', 'listening_hash'))
    buf = readmem(addr, H.size)
    out = {'ehash': _U64.unpack_from(buf, H.ehash)[0],
           'ehash_mask': _U32.unpack_from(buf, H.ehash_mask)[0]}
    if H.lhash2 >= 0:
        out['lhash2'] = _U64.unpack_from(buf, H.lhash2)[0]
        out['lhash2_mask'] = _U32.unpack_from(buf, H.lhash2_mask)[0]
    if H.listening_hash >= 0:
        out['listening_hash'] = addr + H.listening_hash
    return out


def _listenerbucket_heads(hi, what):
    """(first-node pointers, link offset) of the listening hash."""
    C = _common_layout()
    bucket = 'struct inet_listen_hashbucket'
    # listening_hash first: before it went, lhash2 also existed (and its
    # bucket had nulls_head, in a union with head), but lhash2 linked
    # icsk_listen_portaddr_node, not sk_nulls_node, and only
    # listening_hash is complete.
    if 'lhash2' in hi and 'listening_hash' not in hi and \
            has_member(bucket, 'nulls_head'):
        # Linux commit cae3873c5b3a ("net: inet: Retire port only
        # listening_hash") (v5.19): listeners live only in lhash2, linked
        # by sk_nulls_node.
        lay = struct_offsets(bucket, 'nulls_head')
        return (bucket_heads(hi['lhash2'], hi['lhash2_mask'] + 1,
                             lay.size, lay.nulls_head, what),
                C.skc_nulls_node)
    if 'listening_hash' in hi:
        # Before v5.19: listening_hash[INET_LHTABLE_SIZE] by port, linked
        # by sk_node (or sk_nulls_node for a nulls head).
        n = member_sz('struct inet_hashinfo', 'listening_hash')
        if has_member(bucket, 'nulls_head'):
            lay = struct_offsets(bucket, 'nulls_head')
            head, link = lay.nulls_head, C.skc_nulls_node
        else:
            lay = struct_offsets(bucket, 'head')
            head, link = lay.head, C.skc_node
        return (bucket_heads(hi['listening_hash'], n // lay.size,
                             lay.size, head, what), link)
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
    T = _tcp_layout()
    tw_state = tcp_state_value('TIME_WAIT')
    listen_state = tcp_state_value('LISTEN')
    try:
        req_state = tcp_state_value('NEW_SYN_RECV')
    except ValueError:
        req_state = -1
    tcp_size = T.size
    now = jiffies() if verbose else 0
    out = []
    if listen:
        what = 'TCP listening hash'
        heads, link = _listenerbucket_heads(hi, what)
        for obj, buf in walk_hash_chains(heads, link, tcp_size, what, maxel):
            s = dec.common(obj, buf, 'tcp')
            if s is not None:
                _tcp_full(s, buf, dec, T, listen_state, verbose, now)
                out.append(s)
    if established:
        what = 'TCP established hash'
        lay = struct_offsets('struct inet_ehash_bucket', 'chain')
        heads = bucket_heads(hi['ehash'], hi['ehash_mask'] + 1, lay.size,
                             lay.chain, what)
        tw_expires = _tw_layout() if verbose else -1
        # sock_common first: timewait and request socks are smaller than
        # a tcp_sock. The full read of a tcp_sock then hits cached pages.
        for obj, buf in walk_hash_chains(heads, dec.C.skc_nulls_node,
                                         dec.C.size, what, maxel):
            s = dec.common(obj, buf, 'tcp')
            if s is None:
                continue
            if s.state == tw_state:
                s.kind = 'timewait'
                if verbose:
                    _tw_extra(s, tw_expires, now)
            elif s.state == req_state:
                s.kind = 'request'
            else:
                try:
                    full = readmem(obj, tcp_size)
                except crash.error:
                    pylog.warning('TCP: cannot read tcp_sock at %#x' % obj)
                else:
                    _tcp_full(s, full, dec, T, listen_state, verbose, now)
            out.append(s)
    fill_socket_files(out)
    yield from out


def _tcp_full(s, buf, dec, T, listen_state, verbose, now):
    """Queues, inode and details of a full tcp_sock read into buf."""
    S = dec.S
    s.sock = dec.sock(buf)
    # As tcp4_seq_show(): a listener's accept queue, else rcv_nxt -
    # copied_seq (never negative); write_seq - snd_una for everyone.
    if s.state == listen_state:
        s.rxq = _U32.unpack_from(buf, S.sk_ack_backlog)[0]
        s.backlog = _U32.unpack_from(buf, S.sk_max_ack_backlog)[0]
    else:
        rx = (_U32.unpack_from(buf, T.rcv_nxt)[0] -
              _U32.unpack_from(buf, T.copied_seq)[0]) & 0xffffffff
        s.rxq = rx if rx < 0x80000000 else 0
    s.txq = (_U32.unpack_from(buf, T.write_seq)[0] -
             _U32.unpack_from(buf, T.snd_una)[0]) & 0xffffffff
    if verbose and s.state != listen_state:
        s.extra = _tcp_extra(buf, T, S, now)


# icsk_pending values, include/net/inet_connection_sock.h
_PENDING = {1: 'retrans', 2: 'delack', 3: 'probe0', 4: 'keepalive',
            5: 'lossprobe', 6: 'reorder'}


def _tcp_extra(buf, T, S, now):
    """Windows, RTT, retransmits and the pending timer of a tcp_sock."""
    def u32(off):
        return _U32.unpack_from(buf, off)[0] if off >= 0 else None

    x = {'rcv_wnd': u32(T.rcv_wnd), 'snd_wnd': u32(T.snd_wnd),
         'cwnd': u32(T.snd_cwnd), 'retrans_out': u32(T.retrans_out),
         'total_retrans': u32(T.total_retrans),
         'retransmits': buf[T.icsk_retransmits]
         if T.icsk_retransmits >= 0 else None}
    srtt = u32(T.srtt_us)
    x['srtt_ms'] = None if srtt is None else (srtt >> 3) / 1000.0
    rto = u32(T.icsk_rto)
    x['rto_ms'] = None if rto is None else rto * 1000 // HZ
    pending = buf[T.icsk_pending] if T.icsk_pending >= 0 else 0
    timer, expires = None, None
    if pending in (1, 3, 5, 6) and T.icsk_timeout >= 0:
        timer = _PENDING[pending]
        expires = _U64.unpack_from(buf, T.icsk_timeout)[0]
    elif pending == 2:
        timer = 'delack'
    elif S.timer_expires >= 0:
        exp = _U64.unpack_from(buf, S.timer_expires)[0]
        # sk_timer is the keepalive timer; whether it is queued is not
        # visible without walking timer wheels, an expiry ahead of
        # jiffies is the best sign there is.
        if exp and _sdelta(exp, now) > 0:
            timer, expires = 'keepalive', exp
    x['timer'] = timer
    x['timer_ms'] = None if expires is None else \
        _sdelta(expires, now) * 1000 // HZ
    return x


def _sdelta(a, b):
    """a - b for jiffies (unsigned long), as a signed number."""
    d = (a - b) & 0xffffffffffffffff
    return d - (1 << 64) if d >= 1 << 63 else d


def _tw_extra(s, tw_expires, now):
    """Remaining TIME_WAIT time of a timewait sock."""
    x = {'timer': 'timewait', 'timer_ms': None}
    if tw_expires >= 0:
        try:
            x['timer_ms'] = _sdelta(readPtr(s.sk + tw_expires),
                                    now) * 1000 // HZ
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
    off = member_off('struct netns_ipv4', 'udp_table', optional=True)
    t = 0
    if off >= 0:
        t = readPtr(int(net) + member_off('struct net', 'ipv4') + off)
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
    U = struct_offsets('struct udp_table', 'hash', 'mask')
    lay = struct_offsets('struct udp_hslot', 'head')
    size = struct_offsets('struct udp_sock').size
    link = dec.C.skc_node
    for proto, tbl in _udp_tables(net):
        if not tbl:
            continue
        what = '%s hash table' % proto.upper()
        heads = bucket_heads(readPtr(tbl + U.hash),
                             _readU32(tbl + U.mask) + 1, lay.size, lay.head,
                             what)
        yield from _datagram_socks(dec, heads, link, size, what, maxel,
                                   proto)


def _datagram_socks(dec, heads, link, size, what, maxel, proto):
    """The sockets on the chains of heads, decoded as datagram sockets
    (UDP, raw) with their queues and owners."""
    out = []
    for obj, buf in walk_hash_chains(heads, link, size, what, maxel):
        s = dec.common(obj, buf, proto)
        if s is not None:
            s.sock = dec.sock(buf)
            dec.dgram_queues(s, buf)
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
    size = struct_offsets('struct sock').size
    R = struct_offsets('struct raw_hashinfo', 'ht')
    nb = member_sz('struct raw_hashinfo', 'ht') // 8
    # Linux commit 0daf07e52709 ("raw: convert raw sockets to RCU") (v6.1)
    # made ht[] hlist_nulls heads and commit 0a78cf7264d2 ("raw: Fix NULL
    # deref in raw_get_next().") hlist heads again. sk_node and
    # sk_nulls_node share one offset and the chain walker stops at NULL
    # or at a nulls marker, so both read the same way.
    link = dec.C.skc_node
    for sym in ('raw_v4_hashinfo', 'raw_v6_hashinfo'):
        base = sym2addr(sym)
        if not base:
            continue
        what = '%s hash table' % sym
        heads = bucket_heads(base + R.ht, nb, 8, 0, what)
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

def _for_each_thread(maxel):
    """Yield the address of every thread, leaders first in each group.

    C equivalent: ``for_each_process_thread(p, t)``. Offsets come from
    crash's MEMBER_OFFSET: the type model would parse all of task_struct
    on first use, which costs more than the whole socket walk.
    """
    T = struct_offsets('struct task_struct', 'tasks', 'signal',
                       optional=('thread_node', 'thread_group'))
    init = sym2addr('init_task')
    head = init + T.tasks
    leaders = [init] + [a - T.tasks for a in readListByHead(head,
                                                            maxel=maxel)]
    # Linux commit 0c740d0afc3b ("introduce for_each_thread() to replace
    # the buggy while_each_thread()") (v3.14) added signal->thread_head;
    # before, threads were linked through task->thread_group.
    th = member_off('struct signal_struct', 'thread_head', optional=True)
    for leader in leaders:
        yield leader
        try:
            if th >= 0 and T.thread_node >= 0:
                h = readPtr(leader + T.signal) + th
                link = T.thread_node
            elif T.thread_group >= 0:
                h = leader + T.thread_group
                link = T.thread_group
            else:
                continue
            nodes = readListByHead(h, maxel=maxel)
        except crash.error:
            continue
        for n in nodes:
            t = n - link
            if t != leader:
                yield t


def file_holders(maxel=100000):
    """Return ``{struct file address: [(pid, comm, fd), ...]}``.

    Every open file of every task, from the fd arrays alone (one read per
    task, no read per file): join it with :attr:`InetSock.file` to find
    who holds a socket. Threads sharing one ``files_struct`` are read once,
    under the first thread met (the group leader); ``pid`` is the tgid.

    C equivalent: ``for_each_process_thread(p, t)`` and
    ``files_fdtable(t->files)->fd[0 .. max_fds)``.

    :return: ``dict`` of ``int`` -> ``list`` of ``(int, str, int)``
    """
    T = struct_offsets('struct task_struct', 'files', 'tgid', 'comm')
    D = struct_offsets('struct fdtable', 'max_fds', 'fd')
    FS = struct_offsets('struct files_struct', 'fdt')
    holders = {}
    done = set()
    for task in _for_each_thread(maxel):
        try:
            files = readPtr(task + T.files)
            if not files or files in done:
                continue
            done.add(files)
            fdt = readPtr(files + FS.fdt)
            nfds = _readU32(fdt + D.max_fds)
            fdarr = readPtr(fdt + D.fd)
            if nfds > 1 << 24:
                raise crash.error('max_fds %d is not plausible' % nfds)
            ptrs = crash.readPtrArray(fdarr, nfds) if fdarr and nfds else []
            pid = _S32.unpack(readmem(task + T.tgid, 4))[0]
            comm = readmem(task + T.comm, 16).split(b'\0')[0].decode(
                'utf-8', 'replace')
        except crash.error as e:
            pylog.warning('cannot read the open files of task %#x: %s'
                          % (task, e))
            continue
        for fd, f in enumerate(ptrs):
            if f:
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
    F = struct_offsets('struct file', 'f_op', 'private_data')
    K = struct_offsets('struct socket', 'sk')
    owners = {}
    for f, who in file_holders(maxel).items():
        try:
            if readPtr(f + F.f_op) != sfops:
                continue
            sock = readPtr(f + F.private_data)
            sk = readPtr(sock + K.sk) if sock else 0
        except crash.error:
            continue
        if sk:
            owners.setdefault(sk, []).extend(who)
    return owners
