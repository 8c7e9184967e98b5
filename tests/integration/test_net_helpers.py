# SPDX-License-Identifier: GPL-2.0-or-later
"""The net helpers against crash's own reading of the same objects, and
what xportshow does when a structure cannot be read.

crash's ``p`` and ``list`` go through gdb and crash's readmem, not through
our offsets, page cache or walkers: each test reads one thing both ways.
The failure tests replace one reader by one that raises as a kernel with
another layout would, then check the warning and that the other sections
still print.
"""

import struct
import unittest
from unittest import mock

from _progs import load, run
from _support import (crash_cmd, crash_list, crash_offsetof, crash_p,
                      crash_p_int, crash_sym, truth)

from pykdump.API import crash, pid_to_task, pylog, readSU, sys_info
from pykdump.helpers import net as N
from pykdump.helpers import (fs, kernel, net_dev, net_neigh, net_route,
                             net_snmp, net_sock, net_unix)


def _gdb_values(exprs):
    """Values of C expressions as gdb evaluates them (unsigned), many per
    ``gdb printf``. Casts to base types only: gdb looks a struct type up
    again for every cast (~35 ms each), so offsets come from
    :func:`_off` once and objects are read as ``*(T *)(addr + off)``."""
    out, part = [], []

    def flush():
        if part:
            text = crash_cmd('gdb printf "%s\\n", %s' % (
                ' '.join(['%lu'] * len(part)), ', '.join(part)))
            out.extend(int(v) for v in text.split())
            del part[:]
    for e in exprs:
        e = '(unsigned long)(%s)' % e
        # crash takes lines of at most 1498 bytes and 98 words (each
        # expression also adds a '%lu' word to the format).
        if sum(len(x) + 6 for x in part) + len(e) > 1300 or \
                sum(len(x.split()) + 1 for x in part) + \
                len(e.split()) + 1 > 90:
            flush()
        part.append(e)
    flush()
    return out


def _off(struct_, member):
    """offsetof as gdb computes it."""
    return crash_offsetof(struct_, member)


class TestAgainstCrash(unittest.TestCase):
    """Each helper value read again through crash's p/list."""

    @classmethod
    def setUpClass(cls):
        cls.net = N.current_net()
        cls.inet = list(net_sock.for_each_inet_sock(cls.net))
        cls.unix = list(net_unix.for_each_unix_sock(cls.net))

    def test_namespaces_are_net_namespace_list(self):
        want = crash_list('-H net_namespace_list -o net.list')
        self.assertEqual([int(n) for n in N.for_each_net()], want)
        self.assertEqual(want[0], crash_sym('init_net'))

    def test_namespace_inode_number(self):
        self.assertEqual(N.net_inum(self.net),
                         crash_p_int('init_net.ns.inum'))

    def test_find_net_by_index_address_and_inode(self):
        init = crash_sym('init_net')
        for spec in ('0', '%#x' % init, str(N.net_inum(self.net)), init):
            with self.subTest(spec=spec):
                self.assertEqual(int(N.find_net(spec)), init)
        self.assertIsNone(N.find_net('4242'))

    def test_sock_common_fields_of_every_socket(self):
        num, state, family, net = (
            _off('sock_common', f) for f in ('skc_num', 'skc_state',
                                             'skc_family', 'skc_net'))
        exprs = []
        for s in self.inet:
            exprs += ['*(unsigned short *)%#x' % (s.sk + num),
                      '*(unsigned char *)%#x' % (s.sk + state),
                      '*(unsigned short *)%#x' % (s.sk + family),
                      '*(unsigned long *)%#x' % (s.sk + net)]
        got = _gdb_values(exprs)
        for i, s in enumerate(self.inet):
            with self.subTest(sk='%#x' % s.sk):
                self.assertEqual(got[4 * i:4 * i + 4], [
                    s.lport, s.state, s.family, int(self.net)])

    def test_inode_and_file_of_every_socket(self):
        sk_socket = _off('sock', 'sk_socket')
        file_ = _off('socket', 'file')
        ino = _off('socket_alloc', 'vfs_inode') + _off('inode', 'i_ino')
        socks = self.inet + self.unix
        exprs = []
        for s in socks:
            sock = '*(unsigned long *)%#x' % (s.sk + sk_socket)
            exprs += ['*(unsigned long *)(%s + %d)' % (sock, ino),
                      '*(unsigned long *)(%s + %d)' % (sock, file_)]
        got = _gdb_values(exprs)
        for i, s in enumerate(socks):
            with self.subTest(sk='%#x' % s.sk):
                self.assertEqual(got[2 * i:2 * i + 2], [s.inode, s.file])
                self.assertTrue(s.inode)
        self.assertEqual(net_sock.sock_inode(self.inet[0].sk),
                         self.inet[0].inode)

    def test_file_holders_is_the_fd_table(self):
        holders = net_sock.file_holders()
        files, fdt, fd = (_off('task_struct', 'files'),
                          _off('files_struct', 'fdt'), _off('fdtable', 'fd'))
        socks = truth()['sockets']
        got = _gdb_values([
            '((unsigned long *)*(unsigned long *)(*(unsigned long *)(*('
            'unsigned long *)%#x + %d) + %d))[%d]' % (
                pid_to_task(t['pid']) + files, fdt, fd, t['fd'])
            for t in socks])
        for t, f in zip(socks, got):
            with self.subTest(fd=t['fd']):
                self.assertIn((t['pid'], t['fd']),
                              [(p, fd) for p, _, fd in holders[f]])

    def test_file_holders_skips_a_closed_fd_whose_pointer_remains(self):
        # close() clears the open_fds bit before fd[] is reset (and RCU
        # may leave the pointer): file_holders reads the fd table through
        # fs.fd_table, which honours open_fds; its own copy did not. The
        # fixture has no such fd, so one socket's bit is cleared in what
        # the helper reads.
        t = truth()['sockets'][0]
        fdt = readSU('struct task_struct', pid_to_task(t['pid'])).files.fdt
        bitmap = int(fdt.open_fds)
        real = fs.readmem

        def cleared(addr, size):
            data = bytearray(real(addr, size))
            if addr == bitmap:
                data[t['fd'] >> 3] &= ~(1 << (t['fd'] & 7))
            return bytes(data)
        with mock.patch.object(fs, 'readmem', cleared):
            holders = net_sock.file_holders()
        held = {(p, fd) for who in holders.values() for p, _, fd in who}
        self.assertNotIn((t['pid'], t['fd']), held)
        others = [(o['pid'], o['fd']) for o in truth()['sockets'][1:]]
        self.assertTrue(others)
        for other in others:
            self.assertIn(other, held)

    def test_file_holders_lists_a_thread_group_once(self):
        # One walk of the tasks (helpers.tasks): threads sharing the
        # leader's files_struct add no second entry for its descriptors.
        for f, who in net_sock.file_holders().items():
            with self.subTest(file='%#x' % f):
                self.assertEqual(len(who), len(set(who)))
        pids = {p for who in net_sock.file_holders().values()
                for p, _, _ in who}
        for t in truth()['tasks']:
            if t['threads']:
                self.assertNotIn(t['threads'][-1]['tid'], pids)

    def test_jiffies_is_the_kernel_helper_and_the_dump_value(self):
        self.assertIs(net_sock.jiffies, kernel.jiffies)
        self.assertEqual(net_sock.jiffies(), crash_p_int('jiffies_64'))

    def test_socket_owners_by_sk(self):
        owners = net_sock.socket_owners()
        for t in truth()['sockets']:
            s = [x for x in self.inet + self.unix if x.inode == t['inode']]
            with self.subTest(inode=t['inode']):
                self.assertEqual(len(s), 1)
                self.assertIn(t['fd'], [fd for _, _, fd in owners[s[0].sk]])

    def test_tcp_states_are_the_kernel_enum(self):
        for name in ('ESTABLISHED', 'TIME_WAIT', 'LISTEN', 'CLOSE'):
            with self.subTest(name=name):
                self.assertEqual(net_sock.tcp_state_value(name),
                                 crash_p_int('(int)TCP_' + name))
        self.assertEqual(net_sock.tcp_state_value('time-wait'),
                         net_sock.tcp_state_value('TCP_TIME_WAIT'))
        with self.assertRaises(ValueError):
            net_sock.tcp_state_value('SLEEPY')

    def test_unix_paths_are_unix_address_names(self):
        for u in self.unix:
            if not u.path or u.abstract:
                continue
            with self.subTest(path=u.path):
                name = crash_p('((struct unix_sock *)%#x)->addr->name[0]'
                               '.sun_path' % u.sk)
                self.assertTrue(name.startswith('"%s' % u.path), name)

    def test_interfaces_by_crash(self):
        mtu = _off('net_device', 'mtu')
        ifindex = _off('net_device', 'ifindex')
        devs = list(net_dev.for_each_netdev(self.net))
        got = _gdb_values(['*(unsigned int *)%#x' % (d.dev + o)
                           for d in devs for o in (mtu, ifindex)])
        for i, d in enumerate(devs):
            with self.subTest(name=d.name):
                self.assertEqual(got[2 * i:2 * i + 2], [d.mtu, d.ifindex])
                self.assertIn('"%s' % d.name, crash_p(
                    '((struct net_device *)%#x)->name' % d.dev))

    def test_lstats_counters_summed_over_cpus_by_crash(self):
        lo = [d for d in net_dev.for_each_netdev(self.net)
              if d.name == 'lo'][0]
        dev = '((struct net_device *)%#x)' % lo.dev
        base = crash_p_int(dev + '->lstats')
        total = sum(crash_p_int('*(unsigned long *)(%#x + '
                                '__per_cpu_offset[%d])' % (base, cpu))
                    for cpu in range(sys_info.CPUS))
        total += crash_p_int(dev + '->stats.rx_packets')
        self.assertEqual(lo.stats['rx_packets'], total)
        self.assertIn('lstats', lo.stats_source)

    def test_snmp_names_and_a_counter_by_crash(self):
        groups = {g: dict(v) for g, _, v in net_snmp.snmp_groups(self.net)}
        self.assertIn('"ActiveOpens"', crash_p('snmp4_tcp_list[4].name'))
        idx = crash_p_int('snmp4_tcp_list[4].entry')
        ptr = crash_p_int('init_net.mib.tcp_statistics')
        want = sum(crash_p_int('((struct tcp_mib *)(%#x + __per_cpu_offset'
                               '[%d]))->mibs[%d]' % (ptr, cpu, idx))
                   for cpu in range(sys_info.CPUS))
        self.assertEqual(groups['Tcp']['ActiveOpens'], want)
        clients = [t for t in truth()['sockets'] if t.get('end') == 'client']
        self.assertGreaterEqual(want, len(clients))

    def test_neighbour_counts_are_the_tables_entries(self):
        neigh = list(net_neigh.for_each_neighbour(self.net))
        for sym, name in (('arp_tbl', 'arp'), ('nd_tbl', 'ndisc')):
            with self.subTest(table=name):
                self.assertEqual(len([n for n in neigh if n.table == name]),
                                 crash_p_int(sym + '.entries.counter'))
        devs = {t['name'] for t in truth()['interfaces']}
        self.assertTrue(all(n.dev in devs for n in neigh))

    def test_fib_tables_are_main_and_local(self):
        ids = sorted(i for i, _ in net_route.for_each_fib_table(self.net))
        self.assertEqual(ids, [254, 255])
        main = [tb for i, tb in net_route.for_each_fib_table(self.net)
                if i == 254][0]
        self.assertEqual(main, crash_p_int('init_net.ipv4.fib_main'))

    def test_local_table_has_each_ipv4_address_as_local_route(self):
        local = {r.dst for r in net_route.for_each_route(self.net, (255,))
                 if r.type == 'local' and r.prefixlen == 32}
        for t in truth()['interfaces']:
            for a in t['ipv4']:
                self.assertIn(a['addr'], local)


class _Mem:
    """A fake readmem over a dict of {address: bytes}."""

    def __init__(self, objs):
        self.objs = objs

    def __call__(self, addr, size):
        if addr not in self.objs:
            raise crash.error('readmem error at %#x' % addr)
        return self.objs[addr][:size]


def _obj(next_node):
    return struct.pack('<QQ', 0, next_node)


class TestChainWalker(unittest.TestCase):
    """walk_hash_chains on made-up chains: ends, loops, faults, limits."""

    def _walk(self, objs, heads, maxel=100):
        with mock.patch.object(N, 'readmem', _Mem(objs)):
            return [a for a, _ in N.walk_hash_chains(heads, 8, 16, 'test',
                                                     maxel)]

    def tearDown(self):
        pylog.cleanup()

    def test_chain_ends_at_nulls_marker_and_at_null(self):
        objs = {0x1000: _obj(0x2008), 0x2000: _obj(0x7),
                0x3000: _obj(0)}
        self.assertEqual(self._walk(objs, [0x1008, 0x3008, 0x5]),
                         [0x1000, 0x3000, 0x2000])

    def test_loop_is_warned_and_each_object_yielded_once(self):
        objs = {0x1000: _obj(0x2008), 0x2000: _obj(0x1008)}
        with mock.patch.object(N.pylog, 'warning') as warn:
            self.assertEqual(self._walk(objs, [0x1008]), [0x1000, 0x2000])
        self.assertIn('loop', warn.call_args[0][0])

    def test_unreadable_object_is_warned_and_others_read(self):
        objs = {0x1000: _obj(0xdead008), 0x3000: _obj(0)}
        with mock.patch.object(N.pylog, 'warning') as warn:
            self.assertEqual(self._walk(objs, [0x1008, 0x3008]),
                             [0x1000, 0x3000])
        self.assertIn('cannot read object at 0xdead000',
                      warn.call_args[0][0])

    def test_chain_longer_than_maxel_is_truncated_with_a_warning(self):
        objs = {0x1000 * i: _obj(0x1000 * (i + 1) + 8) for i in range(1, 9)}
        with mock.patch.object(N.pylog, 'warning') as warn:
            got = self._walk(objs, [0x1008], maxel=3)
        self.assertEqual(got, [0x1000, 0x2000, 0x3000])
        self.assertIn('longer than 3', warn.call_args[0][0])


class TestEhashKinds(unittest.TestCase):
    """TIME_WAIT and NEW_SYN_RECV entries of the ehash share only
    sock_common: their state is read before any tcp_sock field. The
    fixture has none, so one of each is made up in memory."""

    def _fake(self, state):
        off = {f: crash_offsetof('sock_common', f) for f in (
            'skc_daddr', 'skc_rcv_saddr', 'skc_dport', 'skc_num',
            'skc_family', 'skc_state', 'skc_net', 'skc_nulls_node')}
        size = crash_p_int('sizeof(struct sock_common)')
        buf = bytearray(size)
        struct.pack_into('<4s', buf, off['skc_rcv_saddr'], bytes([10, 0, 0,
                                                                  1]))
        struct.pack_into('<4s', buf, off['skc_daddr'], bytes([10, 0, 0, 2]))
        struct.pack_into('>H', buf, off['skc_dport'], 443)
        struct.pack_into('<H', buf, off['skc_num'], 40000)
        struct.pack_into('<H', buf, off['skc_family'], N.AF_INET)
        buf[off['skc_state']] = state
        struct.pack_into('<Q', buf, off['skc_net'], N.init_net())
        struct.pack_into('<Q', buf, off['skc_nulls_node'], 0x11)  # nulls
        obj = 0xffff888000100000
        node = obj + off['skc_nulls_node']
        real_heads = net_sock.bucket_heads
        calls = {'n': 0}

        def heads(table, n, bsize, head_off, what):
            calls['n'] += 1
            return [node] if 'established' in what else []

        def tcp_readmem(addr, size, real=net_sock.readmem):
            if addr == obj:
                raise AssertionError('tcp_sock of a %d-state entry read'
                                     % state)
            return real(addr, size)
        with mock.patch.object(net_sock, 'bucket_heads', heads), \
                mock.patch.object(N, 'readmem', _Mem({obj: bytes(buf)})), \
                mock.patch.object(net_sock, 'readmem', tcp_readmem):
            socks = list(net_sock.for_each_tcp_sock(N.init_net()))
        self.assertTrue(real_heads)
        self.assertEqual(calls['n'], 2)
        return socks

    def test_timewait_entry_is_decoded_from_sock_common_only(self):
        tw = net_sock.tcp_state_value('TIME_WAIT')
        (s,) = self._fake(tw)
        self.assertEqual((s.kind, s.state_name, s.laddr, s.lport, s.raddr,
                          s.rport, s.inode, s.sock),
                         ('timewait', 'TIME_WAIT', '10.0.0.1', 40000,
                          '10.0.0.2', 443, 0, 0))
        self.assertFalse(s.listening)

    def test_request_sock_is_decoded_from_sock_common_only(self):
        (s,) = self._fake(net_sock.tcp_state_value('NEW_SYN_RECV'))
        self.assertEqual((s.kind, s.state_name), ('request',
                                                  'NEW_SYN_RECV'))


class TestDegraded(unittest.TestCase):
    """A table that cannot be read is named; the other sections print."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('xportshow')

    def tearDown(self):
        pylog.cleanup()     # the warnings were expected: no summary

    def test_unreadable_tcp_table_is_warned_and_the_rest_printed(self):
        def broken(addr):
            raise N.LayoutError('struct inet_hashinfo has no member ehash')
        with mock.patch.object(net_sock, '_hashinfo', broken):
            res = run(self.prog, ['-a', '-i'])
        self.assertIsNone(res.exit)
        self.assertIn('cannot read TCP sockets: struct inet_hashinfo has '
                      'no member ehash', res.out)
        for t in truth()['sockets']:
            if t['kind'] == 'udp':
                self.assertIn(':%d ' % t['local_port'], res.out)
            if t['kind'] == 'unix' and t.get('path') and not t['abstract']:
                self.assertIn(t['path'], res.out)
        self.assertIn('02:00:00:00:00:01', res.out)
        self.assertNotIn(' LISTEN      ', res.out.split('Proto Type')[0])

    def test_unreadable_unix_table_is_warned_and_inet_printed(self):
        def broken(net):
            raise N.LayoutError('neither net->unx.table nor '
                                'unix_socket_table exists')
        with mock.patch.object(net_unix, 'unix_table_buckets', broken):
            res = run(self.prog, ['-a'])
        self.assertIn('cannot read UNIX sockets: neither', res.out)
        self.assertIn('ESTABLISHED', res.out)

    def test_unreadable_routes_are_warned_and_interfaces_printed(self):
        def broken(net):
            raise crash.error('readmem error at 0xffff0000')
            yield
        with mock.patch.object(net_route, 'for_each_fib_table', broken):
            res = run(self.prog, ['-r', '-i'])
        self.assertIn('routes: cannot read: readmem error', res.out)
        self.assertIn('dummy1', res.out)

    def test_unreadable_device_counters_are_warned_and_device_listed(self):
        def broken(ptr, sname, fields):
            raise crash.error('readmem error at %#x' % ptr)
        with mock.patch.object(net_dev, '_percpu_sum', broken):
            res = run(self.prog, ['-i'])
        self.assertIn('cannot read per-CPU counters', res.out)
        for t in truth()['interfaces']:
            self.assertIn(t['mac'], res.out)


if __name__ == '__main__':
    unittest.main(argv=['test_net_helpers'], exit=False)
