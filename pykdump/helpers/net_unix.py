# SPDX-License-Identifier: GPL-2.0-or-later
"""UNIX-domain sockets from the kernel's hash table.

Mirrors ``include/net/af_unix.h`` (``struct unix_sock``,
``struct unix_address``, the per-namespace ``struct unix_table`` and the
older global ``unix_socket_table``) and what ``/proc/net/unix``
(``unix_seq_show`` in ``net/unix/af_unix.c``) prints.
"""

from pykdump.API import (crash, field_offset, member_offset, pylog, readSU,
                         readmem, record_reader, sym2addr, whatis)
from pykdump.helpers.net import (LayoutError, Record, bucket_heads,
                                 fill_socket_files, walk_hash_chains)
from pykdump.helpers.net_sock import sock_inode, tcp_state_name

__all__ = ['UnixSock', 'SOCK_TYPES', 'for_each_unix_sock',
           'unix_table_buckets']

#: ``enum sock_type`` of include/linux/net.h (ABI values).
SOCK_TYPES = {1: 'stream', 2: 'dgram', 3: 'raw', 4: 'rdm', 5: 'seqpacket',
              6: 'dccp', 10: 'packet'}


class UnixSock(Record):
    """One UNIX socket.

    Attributes: ``sk`` (address of the ``struct unix_sock``), ``type``
    (``stream``, ``dgram``, ``seqpacket``), ``state`` (TCP state number:
    LISTEN, ESTABLISHED or CLOSE), ``inode``, ``path`` (the bound name:
    a file name, ``@name`` for the abstract namespace, ``''`` if unbound),
    ``abstract``, ``peer`` (address of the peer's sock, 0 if none),
    ``peer_inode``, ``rxq`` (queued skbs; pending connections for a
    listener), ``backlog`` (listen backlog), ``sock`` and ``file`` (the
    ``struct socket`` and ``struct file``, 0 if none).
    """

    __slots__ = ('sk', 'type', 'state', 'inode', 'path', 'abstract', 'peer',
                 'peer_inode', 'rxq', 'backlog', 'sock', 'file')

    @property
    def state_name(self):
        """LISTEN, ESTABLISHED or UNCONN (``ss`` says UNCONN for CLOSE)."""
        name = tcp_state_name(self.state)
        return 'UNCONN' if name == 'CLOSE' else name

    @property
    def listening(self):
        """True for a listening socket."""
        return tcp_state_name(self.state) == 'LISTEN'

    def __repr__(self):
        return '<UnixSock %#x %s %s ino=%d %r>' % (
            self.sk, self.type, self.state_name, self.inode, self.path)


def unix_table_buckets(net):
    """Return (address of the bucket array, number of buckets, per-net).

    C equivalent: ``net->unx.table.buckets`` with ``UNIX_HASH_SIZE``
    heads, or the global ``unix_socket_table[]`` of older kernels.

    :raise LayoutError: when neither exists
    """
    if member_offset('struct net', 'unx.table.buckets') >= 0:
        # Linux commit 79b05beaa5c3 ("af_unix: Define a per-netns hash
        # table.") (v5.19). UNIX_HASH_SIZE has no symbol; it is twice the
        # size of bsd_socket_buckets[] (commit cf2f225e2653, same series).
        try:
            n = whatis('bsd_socket_buckets').ti.dims[0] * 2
        except crash.NoSymbolError:
            n = 512
        return int(readSU('struct net', int(net)).unx.table.buckets), n, True
    addr = sym2addr('unix_socket_table')
    if addr:
        return addr, whatis('unix_socket_table').ti.dims[0], False
    raise LayoutError('neither net->unx.table nor unix_socket_table exists')


def for_each_unix_sock(net, *, maxel=10000):
    """Yield the UNIX sockets of namespace ``net`` as :class:`UnixSock`.

    C equivalent: ``unix_seq_start()``/``unix_next_socket()`` of
    ``net/unix/af_unix.c``: each bucket of the hash, sockets linked by
    ``sk_node``, keeping those with ``sock_net(sk) == net``.

    :param net: ``struct net`` StructResult or address
    :return: generator of :class:`UnixSock`
    """
    table, nb, _ = unix_table_buckets(net)
    # struct sock sk is the first member of unix_sock.
    U = record_reader('struct unix_sock', (
        'sk.__sk_common.skc_net', 'sk.__sk_common.skc_state', 'sk.sk_type',
        'sk.sk_socket', 'sk.sk_receive_queue.qlen', 'sk.sk_max_ack_backlog',
        'addr', 'peer'))
    unpack = U.unpack
    link = field_offset('struct sock_common', 'skc_node')
    want = int(net)
    what = 'UNIX socket hash table'
    heads = bucket_heads(table, nb, 8, 0, what)
    out = []
    for sk, buf in walk_hash_chains(heads, link, U.end, what, maxel):
        vals = unpack(buf)
        if vals[0] == want:
            out.append(_decode(sk, vals))
    fill_socket_files(out)
    inodes = {s.sk: s.inode for s in out}
    for s in out:
        if s.peer:
            s.peer_inode = inodes.get(s.peer)
            if s.peer_inode is None:
                # A peer in another namespace: not in this walk.
                s.peer_inode = sock_inode(s.peer)
        yield s


def _decode(sk, vals):
    """UnixSock from the values of a struct unix_sock."""
    _, state, typ, sock, qlen, backlog, addr, peer = vals
    path, abstract = '', False
    if addr:
        try:
            path, abstract = _sun_path(addr)
        except crash.error:
            path = '?'
            pylog.warning('cannot read the address of unix socket %#x' % sk)
    return UnixSock(sk=sk, type=SOCK_TYPES.get(typ, str(typ)),
                    state=state, inode=0, file=0, sock=sock, path=path,
                    abstract=abstract, peer=peer, peer_inode=0, rxq=qlen,
                    backlog=backlog)


def _sun_path(addr):
    """(name, abstract) from a struct unix_address, as /proc/net/unix."""
    n = int(readSU('struct unix_address', addr).len)
    # len counts sun_family (2 bytes) too; at most sizeof(sockaddr_un).
    n = max(0, min(n, 110))
    name = addr + field_offset('struct unix_address', 'name')
    raw = readmem(name, n)[2:] if n > 2 else b''
    if raw[:1] == b'\0':
        # Abstract: every byte counts; /proc/net/unix prints NULs as '@'.
        name = raw[1:].replace(b'\0', b'@').decode('utf-8', 'replace')
        return '@' + name, True
    return raw.split(b'\0')[0].decode('utf-8', 'replace'), False
