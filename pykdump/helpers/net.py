# SPDX-License-Identifier: GPL-2.0-or-later
"""Network namespaces and address formatting: the base of the net helpers.

Mirrors ``include/net/net_namespace.h`` (``struct net``, the list
``net_namespace_list``, ``init_net``) and the address conversions of
``include/linux/inet.h`` (``%pI4``/``%pI6c`` printing). The other
``net_*`` modules take a ``struct net`` from here: sockets
(:mod:`net_sock`, :mod:`net_unix`), devices (:mod:`net_dev`), routes
(:mod:`net_route`), neighbours (:mod:`net_neigh`), SNMP (:mod:`net_snmp`).
"""

import socket
import struct

from pykdump.API import (crash, field_offset, get_nsproxy, getFullBuckets,
                         pylog, readListByHead, readSU, readmem,
                         record_reader, sym2addr)

__all__ = ['AF_INET', 'AF_INET6', 'AF_UNIX', 'init_net', 'for_each_net',
           'net_inum', 'find_net', 'current_net', 'ntodots', 'ntodots6',
           'ip4_from_be32', 'addr_port', 'LayoutError', 'walk_hash_chains',
           'bucket_heads', 'fill_socket_files', 'Record']

_U64 = struct.Struct('<Q')

AF_UNIX = 1
AF_INET = 2
AF_INET6 = 10


def init_net():
    """Return the address of the initial network namespace.

    C equivalent: ``&init_net``.

    Namespaces are passed around as plain addresses (what the socket
    records compare with ``sock_net(sk)``); ``readSU('struct net', addr)``
    gives a StructResult when wanted.

    :return: ``int``
    """
    addr = sym2addr('init_net')
    if not addr:
        raise LayoutError('no init_net symbol')
    return addr


def for_each_net():
    """Yield the address of every network namespace, init_net first.

    C equivalent: ``for_each_net(net)`` in
    ``include/net/net_namespace.h`` (walks ``net_namespace_list``).

    :return: generator of ``int``
    """
    head = sym2addr('net_namespace_list')
    if not head:
        # Kernels without CONFIG_NET_NS have only init_net.
        yield init_net()
        return
    link = field_offset('struct net', 'list')
    for a in readListByHead(head, maxel=100000):
        yield a - link


def net_inum(net):
    """Return the inode number naming namespace ``net`` (as in ``ip netns``).

    C equivalent: ``net->ns.inum``.

    :param net: address of a ``struct net``
    :return: ``unsigned int``, or 0 if the kernel has no ``ns`` member
    """
    # Linux commit 435d5f4bb2cc ("common object embedded into various
    # struct ....ns") (v3.19) added net->ns; before, net->proc_inum.
    try:
        return readSU('struct net', int(net)).ns.inum
    except crash.error:     # also NoField: no ns member
        return 0


def current_net():
    """Return the namespace of the nsproxy in use (``--usens``) or init_net.

    C equivalent: ``current->nsproxy->net_ns``.

    :return: address of a ``struct net`` (``int``)
    """
    ns = get_nsproxy()
    if ns:
        try:
            net = int(readSU('struct nsproxy', int(ns)).net_ns)
            if net:
                return net
        except crash.error:
            pylog.warning('nsproxy %#x has no readable net_ns: using '
                          'init_net' % int(ns))
    return init_net()


def find_net(spec):
    """Return the namespace ``spec`` names, or None.

    ``spec`` is an index into :func:`for_each_net` order (0 is init_net),
    an inode number as ``ip netns`` and ``/proc/PID/ns/net`` show it, or
    the address of a ``struct net`` (hex with ``0x`` or a plain int larger
    than any index).

    :param spec: ``str`` or ``int``
    :return: address of a ``struct net`` (``int``) or None
    """
    if isinstance(spec, str):
        spec = spec.strip()
        value = int(spec, 16) if spec.lower().startswith('0x') else \
            int(spec, 0)
    else:
        value = int(spec)
    nets = list(for_each_net())
    if 0 <= value < len(nets):
        return nets[value]
    for net in nets:
        if int(net) == value or net_inum(net) == value:
            return net
    return None


def ntodots(be32):
    """Format an IPv4 address held in network byte order.

    C equivalent: ``printk("%pI4", &addr)``; the argument is the value of a
    ``__be32`` as read from little-endian memory.

    :param be32: ``int``
    :return: dotted quad ``str``
    """
    return socket.inet_ntoa(struct.pack('<I', be32 & 0xffffffff))


def ip4_from_be32(be32):
    """Return the host-order integer of a ``__be32`` read from memory.

    C equivalent: ``ntohl(addr)``.

    :param be32: ``int``
    :return: ``int``
    """
    return struct.unpack('>I', struct.pack('<I', be32 & 0xffffffff))[0]


def ntodots6(raw):
    """Format an IPv6 address from its 16 bytes (or their address).

    C equivalent: ``printk("%pI6c", &addr)``.

    :param raw: ``bytes`` of a ``struct in6_addr``, or an ``int`` address
    :return: ``str`` in RFC 5952 form (``::1``, ``2001:db8::1``)
    """
    if not isinstance(raw, (bytes, bytearray)):
        raw = readmem(int(raw), 16)
    return socket.inet_ntop(socket.AF_INET6, bytes(raw))


def addr_port(addr, port, family=AF_INET):
    """Format ``addr:port`` the way netstat does (``[v6]:port`` for v6).

    Port 0 prints as ``*`` (an unbound or unconnected side).

    :param addr: formatted address ``str``
    :param port: ``int`` in host byte order
    :param family: ``AF_INET`` or ``AF_INET6``
    :return: ``str``
    """
    p = str(port) if port else '*'
    if family == AF_INET6:
        return '[%s]:%s' % (addr, p)
    return '%s:%s' % (addr, p)


class Record:
    """Base of the helpers' result objects: fields given as keywords.

    Subclasses list their fields in ``__slots__``.
    """

    __slots__ = ()

    def __init__(self, **kw):
        """Set each keyword as a field."""
        for k, v in kw.items():
            setattr(self, k, v)


class LayoutError(Exception):
    """A structure or member the helper needs does not exist in this kernel.

    The message names the missing ``struct.member``; programs report it
    through ``pylog.warning`` and go on with the rest.
    """


# ---------------------------------------------------------------------
# Hash tables of sockets

def bucket_heads(table, nbuckets, bsize, head_off, what):
    """Return the first-node pointers of the non-empty buckets of a table.

    ``nbuckets`` buckets of ``bsize`` bytes at ``table``, the chain head at
    ``head_off`` in each; read with one read. Empty hlist_nulls heads hold
    an odd marker, not NULL: those are dropped too.

    :return: ``list`` of ``int``
    """
    if not table or nbuckets <= 0:
        return []
    if nbuckets > 1 << 26:
        pylog.warning('%s: %d buckets is not plausible' % (what, nbuckets))
        return []
    try:
        ptrs = getFullBuckets(int(table), bsize, nbuckets, head_off)
    except crash.error as e:
        pylog.warning('%s: cannot read the bucket array at %#x: %s'
                      % (what, int(table), e))
        return []
    return [p for p in ptrs if not p & 1]


def walk_hash_chains(heads, link_off, size, what, maxel):
    """Yield (object address, bytes) for every object on the chains.

    ``heads`` are the first-node pointers of hlist or hlist_nulls chains,
    ``link_off`` the offset of the node in the object, ``size`` how many
    bytes of each object to read. A chain ends at NULL (hlist) or at an odd
    "nulls" marker (hlist_nulls).

    All chains are walked together, one link at a time, each step in
    address order: objects of one slab share pages, and a kdump page costs
    a decompression each time it falls out of the page cache, so sorted
    reads make a 20,000-socket table about twice as fast as hash order.
    Objects come out in that order, not chain by chain. A node seen twice
    (a loop, or chains that merge), an unreadable object and chains longer
    than ``maxel`` are logged.
    """
    size = max(size, link_off + 8)      # the link itself is read too
    seen = set()
    level = sorted(h for h in heads if h and not h & 1)
    depth = 0
    while level:
        if depth >= maxel:
            pylog.warning('%s: hash chains longer than %d, truncated'
                          % (what, maxel))
            return
        depth += 1
        nxt = []
        for node in level:
            if node in seen:
                pylog.warning('%s: loop in a hash chain at %#x'
                              % (what, node))
                continue
            seen.add(node)
            obj = node - link_off
            try:
                buf = readmem(obj, size)
            except crash.error:
                pylog.warning('%s: cannot read object at %#x' % (what, obj))
                continue
            yield obj, buf
            n = _U64.unpack_from(buf, link_off)[0]
            if n and not n & 1:
                nxt.append(n)
        nxt.sort()
        level = nxt


def fill_socket_files(socks):
    """Set ``inode`` and ``file`` of each socket record from its ``sock``.

    ``socks`` are records with ``sock`` (a ``struct socket`` address, 0
    for none), ``inode`` and ``file`` attributes.

    C equivalent: ``SOCK_INODE(sock)->i_ino`` and ``sock->file``. Read in
    address order of the ``struct socket`` (``socket_alloc``: the socket,
    then its inode), one read per socket.
    """
    # struct socket is the first member of socket_alloc.
    read = record_reader('struct socket_alloc',
                         ('vfs_inode.i_ino', 'socket.file')).read
    for s in sorted((s for s in socks if s.sock), key=lambda s: s.sock):
        try:
            s.inode, s.file = read(s.sock)
        except crash.error:
            pylog.warning('cannot read struct socket at %#x' % s.sock)
