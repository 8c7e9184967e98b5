# SPDX-License-Identifier: GPL-2.0-or-later
"""File systems: open files of a task, paths of dentries, file locks.

Mirrors ``include/linux/fdtable.h`` (``struct files_struct``,
``struct fdtable``), ``include/linux/fs.h`` (``struct file``,
``struct inode``, ``struct file_lock``), ``include/linux/dcache.h``
(``struct dentry``, ``d_unlinked()``), ``fs/mount.h`` (``struct mount``)
and ``fs/d_path.c`` (``prepend_path()``) and ``fs/locks.c``
(``file_lock_list``).
"""

import stat
from collections import namedtuple

from pykdump.API import (Addr, container_of, crash, field_offset,
                         get_pathname, member_offset, percpu_addresses,
                         pylog, readmem, readPtr, readPtrArray, readSU,
                         symbol_exists, whatis)

__all__ = ['OpenFile', 'fd_table', 'for_each_fd', 'task_open_files', 'd_name',
           'd_unlinked', 'd_path', 'file_path', 'inode_type',
           'FileLock', 'for_each_file_lock']

OpenFile = namedtuple('OpenFile', 'fd file path inode ino size pos '
                      'type deleted')
OpenFile.__doc__ = """One open file descriptor of a task.

``file`` is the ``struct file *``, ``inode`` the ``struct inode *``,
``type`` one of REG DIR CHR BLK FIFO SOCK LNK (from ``i_mode``),
``deleted`` whether the dentry was unlinked (``d_unlinked()``).
"""

_TYPES = ((stat.S_ISREG, 'REG'), (stat.S_ISDIR, 'DIR'),
          (stat.S_ISCHR, 'CHR'), (stat.S_ISBLK, 'BLK'),
          (stat.S_ISFIFO, 'FIFO'), (stat.S_ISSOCK, 'SOCK'),
          (stat.S_ISLNK, 'LNK'))


def fd_table(task):
    """Return ``[(fd, address of the struct file), ...]`` for task.

    C equivalent: walking ``files_fdtable(task->files)``: ``fdt->fd[i]``
    for the bits set in ``fdt->open_fds`` (``include/linux/fdtable.h``).
    Empty for a task without files (a zombie, a kernel thread). The
    addresses alone, for code that joins thousands of them with other
    tables; :func:`for_each_fd` gives StructResults.

    :param task: ``struct task_struct`` StructResult
    :return: ``list`` of ``(int, int)``
    """
    files = task.files
    if not files:
        return []
    fdt = files.fdt
    max_fds = int(fdt.max_fds)
    if not 0 < max_fds <= 1 << 20:
        pylog.warning('task %d: implausible fdt->max_fds %d'
                      % (task.pid, max_fds))
        return []
    ptrs = readPtrArray(readPtr(Addr(fdt, 'fd')), max_fds)
    try:
        bits = readmem(readPtr(Addr(fdt, 'open_fds')), (max_fds + 7) // 8)
    except crash.error:
        # No bitmap: trust the non-NULL pointers.
        return [(fd, ptr) for fd, ptr in enumerate(ptrs) if ptr]
    # Byte by byte: shifting one big int per fd is quadratic in max_fds.
    return [(fd, ptr) for fd, ptr in enumerate(ptrs)
            if ptr and bits[fd >> 3] >> (fd & 7) & 1]


def for_each_fd(task):
    """Generate ``(fd, struct file *)`` for each open fd of task.

    C equivalent: ``iterate_fd(task->files, 0, ...)``; see
    :func:`fd_table`.
    """
    for fd, ptr in fd_table(task):
        yield fd, readSU('struct file', ptr)


def d_name(dentry):
    """Return the name of one dentry (``dentry->d_name.name``), a str."""
    name = dentry.d_name
    n = int(name.len) if name.hasField('len') else None
    ptr = readPtr(Addr(name, 'name'))
    if not ptr:
        return ''
    if n is None or n > 4096:
        return str(name.name)
    return readmem(ptr, n).decode('utf-8', 'backslashreplace') if n else ''


def d_unlinked(dentry):
    """Whether dentry was deleted while still in use.

    C equivalent: ``d_unlinked(dentry)`` = ``d_unhashed(dentry) &&
    !IS_ROOT(dentry)`` (``include/linux/dcache.h``).
    """
    unhashed = not readPtr(Addr(dentry, 'd_hash') +
                           field_offset('struct hlist_bl_node', 'pprev'))
    return unhashed and int(dentry.d_parent) != int(dentry)


# d_dname() names of pseudo file systems: superblock type -> format.
_PSEUDO = {'sockfs': 'socket:[%d]', 'pipefs': 'pipe:[%d]'}


def _pseudo_name(dentry, mnt):
    """'socket:[123]'-like name of a dentry on a pseudo fs, or None."""
    try:
        fstype = str(mnt.mnt_sb.s_type.name)
    except crash.error:
        return None
    if fstype in _PSEUDO and dentry.d_inode:
        return _PSEUDO[fstype] % int(dentry.d_inode.i_ino)
    if fstype == 'anon_inodefs':
        return 'anon_inode:' + d_name(dentry)
    return None


def d_path(dentry, vfsmnt, maxdepth=256):
    """Return the path of (dentry, vfsmount) from the root of its tree.

    C equivalent: ``prepend_path()`` in ``fs/d_path.c``: climb
    ``d_parent`` to the root of the mount, then continue from the
    mount point in the parent mount (``struct mount`` in ``fs/mount.h``).
    A pseudo-fs file gives its ``d_dname()`` form (``socket:[INODE]``).
    """
    mnt = container_of(vfsmnt, 'struct mount', 'mnt')
    pseudo = _pseudo_name(dentry, vfsmnt)
    if pseudo:
        return pseudo
    parts = []
    for _ in range(maxdepth):
        root = int(mnt.mnt.mnt_root)
        if int(dentry) == root or int(dentry.d_parent) == int(dentry):
            parent = mnt.mnt_parent
            if int(dentry) != root or not parent or int(parent) == int(mnt):
                break
            dentry = mnt.mnt_mountpoint
            mnt = parent
            continue
        parts.append(d_name(dentry))
        dentry = dentry.d_parent
    else:
        pylog.warning('d_path: more than %d levels at dentry 0x%x'
                      % (maxdepth, dentry))
    return '/' + '/'.join(reversed(parts))


def file_path(file):
    """Return the path of an open ``struct file *`` (a str).

    Our own ``d_path()``; crash's ``get_pathname()`` when that fails.
    """
    dentry, vfsmnt = file.f_path.dentry, file.f_path.mnt
    try:
        return d_path(dentry, vfsmnt)
    except crash.error as e:
        pylog.warning('d_path of file 0x%x failed (%s), asking crash'
                      % (file, e))
        return get_pathname(int(dentry), int(vfsmnt))


def inode_type(inode):
    """Return REG, DIR, CHR, BLK, FIFO, SOCK or LNK from ``i_mode``."""
    mode = int(inode.i_mode)
    for test, name in _TYPES:
        if test(mode):
            return name
    return '?'


def task_open_files(task):
    """Return the OpenFiles of a task, by fd.

    A descriptor that cannot be decoded is logged and skipped.
    """
    out = []
    for fd, f in for_each_fd(task):
        try:
            inode = f.f_inode
            dentry = f.f_path.dentry
            out.append(OpenFile(fd, f, file_path(f), inode,
                                int(inode.i_ino), int(inode.i_size),
                                int(f.f_pos), inode_type(inode),
                                d_unlinked(dentry)))
        except crash.error as e:
            pylog.warning('task %d fd %d (file 0x%x): %s'
                          % (task.pid, fd, f, e))
    return out


FileLock = namedtuple('FileLock', 'lock kind type pid start end path '
                      'blocked')
FileLock.__doc__ = """One file lock: the ``struct file_lock *``, its kind
(POSIX, FLOCK, OFD, LEASE), type (READ, WRITE, UNLCK), owner pid, byte
range, path of the locked file and the number of waiters."""

_FL_POSIX, _FL_FLOCK, _FL_LEASE, _FL_OFDLCK = 1, 2, 32, 1024
_LOCK_TYPES = {0: 'READ', 1: 'WRITE', 2: 'UNLCK'}


def _lock_kind(flags):
    """POSIX/FLOCK/OFD/LEASE from fl_flags (include/linux/fs.h FL_*)."""
    if flags & _FL_OFDLCK:
        return 'OFD'
    if flags & _FL_POSIX:
        return 'POSIX'
    if flags & _FL_FLOCK:
        return 'FLOCK'
    if flags & _FL_LEASE:
        return 'LEASE'
    return 'flags=0x%x' % flags


def for_each_file_lock():
    """Generate a FileLock for every lock held (the file_lock_list).

    C equivalent: the per-CPU ``file_lock_list`` hlists that
    ``/proc/locks`` walks (``fs/locks.c``, since v4.3; before, one
    global ``file_lock_list``).
    """
    if not symbol_exists('file_lock_list'):
        raise TypeError('no file_lock_list symbol in this kernel')
    ti = whatis('file_lock_list').ti
    if ti.stype == 'struct file_lock_list_struct':
        heads = [a + field_offset('struct file_lock_list_struct', 'hlist')
                 for a in percpu_addresses('file_lock_list')]
    else:
        heads = [whatis('file_lock_list').addr]
    # Linux commit a69ce85ec9af ("filelock: split common fields into
    # struct file_lock_core") (v6.9): fl_link, fl_flags, ... became
    # c.flc_link, c.flc_flags, ...; the list links the core.
    c_off = member_offset('struct file_lock', 'c')
    if c_off >= 0:
        off = c_off + field_offset('struct file_lock_core', 'flc_link')

        def core(fl):
            return fl.c, 'flc_'
    else:
        off = field_offset('struct file_lock', 'fl_link')

        def core(fl):
            return fl, 'fl_'
    for head in heads:
        pos = readPtr(head)
        n = 0
        while pos and n < 100000:
            fl = readSU('struct file_lock', pos - off)
            c, pfx = core(fl)
            flfile = getattr(c, pfx + 'file')
            try:
                path = file_path(flfile) if flfile else ''
            except crash.error:
                path = '?'
            blocked = 0
            if c.hasField(pfx + 'blocked_requests'):
                head_b = Addr(c, pfx + 'blocked_requests')
                p = readPtr(head_b)
                while p != head_b and blocked < 10000:
                    blocked += 1
                    p = readPtr(p)
            fl_type = int(getattr(c, pfx + 'type'))
            yield FileLock(fl, _lock_kind(int(getattr(c, pfx + 'flags'))),
                           _LOCK_TYPES.get(fl_type, str(fl_type)),
                           int(getattr(c, pfx + 'pid')), int(fl.fl_start),
                           int(fl.fl_end), path, blocked)
            pos = readPtr(pos)
            n += 1
