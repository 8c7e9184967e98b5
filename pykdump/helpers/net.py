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

from pykdump.API import (CU_LOAD, Bunch, NoField, crash, field_offset,
                         get_nsproxy, getFullBuckets, member_offset,
                         memoize_cond, pylog, readListByHead, readPtr,
                         readmem, sym2addr)

__all__ = ['AF_INET', 'AF_INET6', 'AF_UNIX', 'init_net', 'for_each_net',
           'net_inum', 'find_net', 'current_net', 'ntodots', 'ntodots6',
           'ip4_from_be32', 'addr_port', 'LayoutError', 'struct_offsets',
           'has_member', 'member_off', 'member_sz', 'walk_hash_chains',
           'bucket_heads', 'fill_socket_files', 'Record']

_U64 = struct.Struct('<Q')

AF_UNIX = 1
AF_INET = 2
AF_INET6 = 10


def init_net():
    """Return the address of the initial network namespace.

    C equivalent: ``&init_net``.

    Namespaces are passed around as plain addresses: a ``struct net``
    StructResult would make the type model parse all of ``struct net``
    (a quarter of a second, cold) for the two members the helpers need.
    ``readSU('struct net', addr)`` gives one when wanted.

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
    link = struct_offsets('struct net', 'list').list
    for a in readListByHead(head, maxel=100000):
        yield a - link


def net_inum(net):
    """Return the inode number naming namespace ``net`` (as in ``ip netns``).

    C equivalent: ``net->ns.inum``.

    :param net: address of a ``struct net``
    :return: ``unsigned int``, or 0 if the kernel has no ``ns`` member
    """
    ns = member_off('struct net', 'ns', optional=True)
    inum = member_off('struct ns_common', 'inum', optional=True)
    if ns < 0 or inum < 0:
        return 0
    try:
        return struct.unpack('<I', readmem(int(net) + ns + inum, 4))[0]
    except crash.error:
        return 0


def current_net():
    """Return the namespace of the nsproxy in use (``--usens``) or init_net.

    C equivalent: ``current->nsproxy->net_ns``.

    :return: address of a ``struct net`` (``int``)
    """
    ns = get_nsproxy()
    off = member_off('struct nsproxy', 'net_ns', optional=True)
    if ns and off >= 0:
        try:
            net = readPtr(int(ns) + off)
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


def _tag(sname):
    """'struct foo' -> 'foo': crash's MEMBER_OFFSET wants the bare tag."""
    for prefix in ('struct ', 'union '):
        if sname.startswith(prefix):
            return sname[len(prefix):]
    return sname


def member_off(sname, field, optional=False):
    """Return offsetof(sname, field).

    A missing member raises NoField (TypeError for a missing type), or
    with ``optional=True`` gives -1, for code that tests for a feature.

    A plain member name goes to crash's own ``MEMBER_OFFSET`` (cached in
    C, microseconds even cold); a dotted path through embedded structs
    needs the type model, which parses the whole struct once (tens of ms
    for ``struct sock``-sized types), so the helpers use dotted paths
    only off the hot path.
    """
    if '.' in field or not field.isidentifier():
        off = member_offset(sname, field)
    else:
        try:
            off = crash.member_offset(_tag(sname), field)
        except crash.error:
            off = -1
    if off < 0 and not optional:
        return field_offset(sname, field)    # raises the right error
    return off


@memoize_cond(CU_LOAD)
def struct_offsets(sname, *fields, optional=()):
    """Return a Bunch mapping each field to its offset in ``sname``.

    The Bunch key is the field with dots turned into underscores; ``size``
    is ``sizeof(sname)``. Offsets are cached until module debuginfo
    changes, so hot loops read with ``readmem`` + ``struct.unpack_from``
    instead of one gdb query per object.

    C equivalent: ``offsetof(struct sname, field)`` for each field.

    :param sname: ``'struct name'``
    :param fields: required members: :class:`LayoutError` if one is absent
    :param optional: members that may be absent: offset -1
    :return: ``Bunch`` of ``int``
    """
    try:
        size = crash.struct_size(_tag(sname))
    except crash.error:
        size = -1
    if size < 0:
        raise LayoutError('no type %s in this kernel' % sname)
    out = Bunch(size=size)
    for f in fields + tuple(optional):
        off = member_off(sname, f, optional=True)
        if off < 0 and f in fields:
            raise LayoutError('%s has no member %s' % (sname, f))
        out[f.replace('.', '_')] = off
    return out


def has_member(sname, field):
    """Return True if ``sname`` has member ``field`` (a dotted path).

    C equivalent: none; this is how a helper tests for a kernel feature
    instead of comparing version numbers.
    """
    return member_off(sname, field, optional=True) >= 0


def member_sz(sname, field, optional=False):
    """Return ``sizeof(((sname *)0)->field)``.

    A missing member raises NoField (TypeError for a missing type), or
    with ``optional=True`` gives -1. C equivalent: ``MEMBER_SIZE()`` of
    crash.
    """
    # crash's MEMBER_SIZE answers 0 for a missing member (and something
    # for an empty name): ask the offset whether the member is there.
    if member_off(sname, field, optional=True) < 0:
        size = -1
    else:
        try:
            size = crash.member_size(_tag(sname), field)
        except crash.error:
            size = -1
    if size < 0 and not optional:
        member_off(sname, field)        # raises the right error
        raise NoField.of(sname, field)
    return size


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
    alloc = struct_offsets('struct socket_alloc', 'vfs_inode')
    ino = alloc.vfs_inode + struct_offsets('struct inode', 'i_ino').i_ino
    fo = struct_offsets('struct socket', 'file').file
    n = max(ino, fo) + 8
    for s in sorted((s for s in socks if s.sock), key=lambda s: s.sock):
        try:
            b = readmem(s.sock, n)
        except crash.error:
            pylog.warning('cannot read struct socket at %#x' % s.sock)
            continue
        s.inode = _U64.unpack_from(b, ino)[0]
        s.file = _U64.unpack_from(b, fo)[0]
