# SPDX-License-Identifier: GPL-2.0-or-later
"""xportshow and the net helpers against the scenario's ground truth.

Every socket the scenario opened (truth.json ``sockets``: TCP listeners
and established pairs, UDP v4/v6 and connected, UNIX paths, abstract name
and socketpair), both dummy interfaces with every address, MTU and MAC,
and the static route are looked up twice: in the helpers' records and in
the program's printed output. Queues are compared with the guest's own
/proc/net/tcp and /proc/net/udp (truth ``raw``). Runs on the kdump and
the ELF dump.
"""

import re
import unittest

from _progs import assert_exit, load, run
from _support import crash_sym, truth

from pykdump.API import pylog
from pykdump.helpers import net as N
from pykdump.helpers import net_dev, net_route, net_sock, net_unix

DUMP_FORMATS = ('kdump', 'elf')


def _socks(kind, **match):
    """Truth sockets of kind with the given field values."""
    return [s for s in truth()['sockets'] if s['kind'] == kind and
            all(s.get(k) == v for k, v in match.items())]


def _bulk(pid=None):
    """(listeners, established ends) the sockets variant of the fixture
    adds beyond truth()['sockets'] (its ``big_sockets``), for pid if
    given; (0, 0) on the normal fixture."""
    b = truth().get('big_sockets')
    if not b or pid is not None and b['pid'] != pid:
        return 0, 0
    return 1, 2 * b['connections']


def _comm(pid):
    return [t['comm'] for t in truth()['tasks'] if t['pid'] == pid][0]


def _proc_net(name):
    """{inode: (state, tx_queue, rx_queue)} from the guest's /proc/net/X."""
    out = {}
    for line in truth()['raw'].get(name, [])[1:]:
        f = line.split()
        if len(f) < 10:
            continue
        tx, rx = f[4].split(':')
        out[int(f[9])] = (int(f[3], 16), int(tx, 16), int(rx, 16))
    return out


class _Data:
    """What the helpers read, once per test class."""

    @classmethod
    def read(cls):
        net = N.current_net()
        cls.net = net
        cls.inet = list(net_sock.for_each_inet_sock(net))
        cls.unix = list(net_unix.for_each_unix_sock(net))
        cls.holders = net_sock.file_holders()
        cls.by_inode = {s.inode: s for s in cls.inet + cls.unix if s.inode}


class TestInetSockets(unittest.TestCase, _Data):
    """TCP and UDP sockets from the hash tables."""

    @classmethod
    def setUpClass(cls):
        cls.read()

    def _find(self, t):
        s = self.by_inode.get(t['inode'])
        self.assertIsNotNone(s, 'no socket with inode %d (%s)' % (
            t['inode'], t))
        return s

    def _assert_owner(self, s, t):
        who = self.holders.get(s.file, [])
        self.assertIn((t['pid'], _comm(t['pid']), t['fd']), who)

    def test_net_is_init_net_by_crash_sym(self):
        self.assertEqual(int(self.net), crash_sym('init_net'))

    def test_every_tcp_listener_with_address_port_and_owner(self):
        listeners = _socks('tcp', state='LISTEN')
        self.assertGreaterEqual(len(listeners), 4)
        for t in listeners:
            with self.subTest(port=t['local_port']):
                s = self._find(t)
                self.assertEqual((s.proto, s.laddr, s.lport, s.state_name),
                                 (t['proto'], t['local_addr'],
                                  t['local_port'], 'LISTEN'))
                self.assertTrue(s.listening)
                self._assert_owner(s, t)

    def test_tcp6_listener_is_dual_stack_as_in_truth(self):
        for t in _socks('tcp', proto='tcp6'):
            self.assertEqual(self._find(t).ipv6only, t['v6only'])

    def test_every_established_tcp_end_with_both_ports_and_owner(self):
        ends = _socks('tcp', state='ESTABLISHED')
        self.assertGreaterEqual(len(ends), 6)
        for t in ends:
            with self.subTest(fd=t['fd']):
                s = self._find(t)
                self.assertEqual(
                    (s.proto, s.laddr, s.lport, s.raddr, s.rport,
                     s.state_name),
                    (t['proto'], t['local_addr'], t['local_port'],
                     t['remote_addr'], t['remote_port'], 'ESTABLISHED'))
                self.assertFalse(s.listening)
                self._assert_owner(s, t)

    def test_each_connection_pairs_a_client_and_a_server_end(self):
        for conn in {t['conn'] for t in _socks('tcp', state='ESTABLISHED')}:
            with self.subTest(conn=conn):
                cli = self._find(_socks('tcp', conn=conn, end='client')[0])
                srv = self._find(_socks('tcp', conn=conn, end='server')[0])
                self.assertEqual((cli.lport, cli.rport),
                                 (srv.rport, srv.lport))

    def test_udp_sockets_v4_v6_and_connected(self):
        udp = _socks('udp')
        self.assertGreaterEqual(len(udp), 3)
        for t in udp:
            with self.subTest(port=t['local_port']):
                s = self._find(t)
                self.assertEqual((s.proto, s.laddr, s.lport, s.state_name),
                                 (t['proto'], t['local_addr'],
                                  t['local_port'], t['state']))
                if t['state'] == 'ESTABLISHED':
                    self.assertEqual((s.raddr, s.rport), (
                        t['remote_addr'], t['remote_port']))
                if 'v6only' in t:
                    self.assertEqual(s.ipv6only, t['v6only'])
                self._assert_owner(s, t)

    def _assert_matches_proc_net(self, proto):
        """Each socket of /proc/net/PROTO and PROTO6: state and queues."""
        proc = _proc_net('proc_net_' + proto)
        proc.update(_proc_net('proc_net_%s6' % proto))
        if not proc:
            self.skipTest('no /proc/net/%s in this fixture' % proto)
        for ino, (state, tx, rx) in proc.items():
            with self.subTest(inode=ino):
                s = self.by_inode[ino]
                self.assertEqual((s.state, s.txq, s.rxq), (state, tx, rx))

    def test_tcp_states_and_queues_match_proc_net_tcp(self):
        self._assert_matches_proc_net('tcp')

    def test_udp_states_and_queues_match_proc_net_udp(self):
        self._assert_matches_proc_net('udp')

    def test_bulk_connections_of_the_sockets_variant(self):
        b = truth().get('big_sockets')
        if not b:
            self.skipTest('not the sockets variant of the fixture')
        port = b['listen_port']
        lis = [s for s in self.inet if s.lport == port and s.listening]
        self.assertEqual([(s.laddr, s.state_name) for s in lis],
                         [(b['listen_addr'], 'LISTEN')])
        srv = [s for s in self.inet if s.lport == port and not s.listening]
        cli = [s for s in self.inet if s.rport == port]
        self.assertEqual((len(srv), len(cli)), (b['connections'],) * 2)
        self.assertEqual(sorted(s.rport for s in srv),
                         sorted(s.lport for s in cli))
        self.assertTrue(all(b['client_port_min'] <= s.lport <=
                            b['client_port_max'] for s in cli))
        owners = {(p, fd) for s in lis for p, _, fd in
                  self.holders.get(s.file, [])}
        self.assertEqual(owners, {(b['pid'], b['listen_fd'])})
        self.assertTrue(all(any(p == b['pid'] for p, _, _ in
                                self.holders.get(s.file, []))
                            for s in srv + cli))

    def test_no_socket_of_another_namespace_or_duplicate(self):
        sks = [s.sk for s in self.inet]
        self.assertEqual(len(sks), len(set(sks)))
        self.assertTrue(all(s.net == int(self.net) for s in self.inet))


class TestUnixSockets(unittest.TestCase, _Data):
    """UNIX sockets from the namespace's hash table."""

    @classmethod
    def setUpClass(cls):
        cls.read()

    def test_listeners_with_paths_and_the_abstract_name(self):
        listeners = _socks('unix', state='LISTEN')
        self.assertGreaterEqual(len(listeners), 3)
        for t in listeners:
            with self.subTest(path=t['path']):
                s = self.by_inode[t['inode']]
                want = '@' + t['path'] if t['abstract'] else t['path']
                self.assertEqual((s.path, s.abstract, s.state_name, s.type),
                                 (want, t['abstract'], 'LISTEN', t['proto']))
                self.assertIn((t['pid'], _comm(t['pid']), t['fd']),
                              self.holders.get(s.file, []))

    def test_socketpair_ends_name_each_other_as_peer(self):
        pair = _socks('unix', state='ESTABLISHED')
        self.assertEqual(len(pair), 2)
        for t in pair:
            s = self.by_inode[t['inode']]
            self.assertEqual((s.state_name, s.path, s.peer_inode),
                             ('ESTABLISHED', '', t['peer_inode']))

    def test_every_unix_socket_of_proc_net_unix_is_found(self):
        lines = truth()['raw'].get('proc_net_unix', [])[1:]
        if not lines:
            self.skipTest('no /proc/net/unix in this fixture')
        for line in lines:
            f = line.split()
            with self.subTest(inode=f[6]):
                s = self.by_inode[int(f[6])]
                self.assertEqual(s.path, f[7] if len(f) > 7 else '')


class TestInterfaces(unittest.TestCase):
    """net_device list, flags, addresses."""

    @classmethod
    def setUpClass(cls):
        cls.devs = {d.name: d for d in
                    net_dev.for_each_netdev(N.current_net())}

    def test_every_interface_with_index_mtu_mac_and_flags(self):
        for t in truth()['interfaces']:
            with self.subTest(name=t['name']):
                d = self.devs[t['name']]
                self.assertEqual((d.ifindex, d.mtu, d.mac, d.flags & 0xffff),
                                 (t['ifindex'], t['mtu'], t['mac'],
                                  t['flags']))

    def test_every_ipv4_and_ipv6_address_with_prefix(self):
        for t in truth()['interfaces']:
            with self.subTest(name=t['name']):
                d = self.devs[t['name']]
                self.assertEqual(
                    sorted((a['addr'], a['prefixlen']) for a in d.ipv4),
                    sorted((a['addr'], a['prefixlen']) for a in t['ipv4']))
                self.assertEqual(
                    sorted((a['addr'], a['prefixlen']) for a in d.ipv6),
                    sorted((a['addr'], a['prefixlen']) for a in t['ipv6']))

    def test_no_interface_beyond_the_scenario(self):
        self.assertEqual(sorted(self.devs),
                         sorted(t['name'] for t in truth()['interfaces']))

    def test_loopback_counted_the_scenario_traffic(self):
        st = self.devs['lo'].stats
        self.assertGreater(st['rx_packets'], 0)
        self.assertEqual(st['rx_packets'], st['tx_packets'])


class TestRoutes(unittest.TestCase):
    """The main table from the FIB trie vs the guest's /proc/net/route."""

    @classmethod
    def setUpClass(cls):
        cls.routes = list(net_route.for_each_route(N.current_net()))

    def test_main_table_equals_proc_net_route(self):
        got = sorted((r.dst, r.prefixlen, r.gateway, r.dev, r.flags,
                      r.metric) for r in self.routes)
        want = sorted((t['dst'], t['prefixlen'], t['gateway'], t['dev'],
                       t['flags'], t['metric']) for t in truth()['routes'])
        self.assertEqual(got, want)

    def test_static_route_via_its_gateway(self):
        static = [t for t in truth()['routes'] if t['gateway'] != '0.0.0.0']
        self.assertTrue(static)
        for t in static:
            r = [r for r in self.routes if (r.dst, r.prefixlen) ==
                 (t['dst'], t['prefixlen'])]
            self.assertEqual([(x.gateway, x.dev, x.type) for x in r],
                             [(t['gateway'], t['dev'], 'unicast')])


# ---------------------------------------------------------------------
# The program's printed output

def _rows(out):
    """Whitespace-split lines of a table, header and blanks dropped."""
    return [ln.split() for ln in out.splitlines()
            if ln.strip() and not ln.startswith(('Proto', 'sock', 'Iface',
                                                 '+++'))]


def _ep(addr, port, proto):
    return ('[%s]:%d' if proto.endswith('6') else '%s:%d') % (addr, port)


class TestProgram(unittest.TestCase):
    """xportshow's output for each option."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('xportshow')

    def _run(self, *argv):
        res = run(self.prog, argv)
        self.assertIsNone(res.exit, res.err)
        self.assertEqual(res.rc, 0)
        self.assertNotIn('Traceback', res.out)
        return res

    def test_default_lists_every_established_pair_with_pid_comm(self):
        res = self._run()
        rows = _rows(res.out)
        for t in _socks('tcp', state='ESTABLISHED'):
            want = [t['proto'], _ep(t['local_addr'], t['local_port'],
                                    t['proto']),
                    _ep(t['remote_addr'], t['remote_port'], t['proto']),
                    'ESTABLISHED', '%d/%s' % (t['pid'], _comm(t['pid']))]
            with self.subTest(fd=t['fd']):
                self.assertIn(want, [[r[0]] + r[3:7] for r in rows])
        self.assertFalse([r for r in rows if 'LISTEN' in r])

    def test_default_shows_the_connected_udp_socket_only(self):
        rows = _rows(self._run().out)
        udp = [r for r in rows if r[0].startswith('udp')]
        want = [t['local_port'] for t in _socks('udp', state='ESTABLISHED')]
        self.assertEqual(sorted(int(r[3].rsplit(':', 1)[1]) for r in udp),
                         sorted(want))

    def test_listening_lists_every_listener_and_unconnected_udp(self):
        rows = _rows(self._run('-l').out)
        got = {(r[0], r[3], r[5], r[6]) for r in rows}
        for t in _socks('tcp', state='LISTEN') + _socks('udp',
                                                        state='UNCONN'):
            with self.subTest(port=t['local_port']):
                self.assertIn((t['proto'], _ep(t['local_addr'],
                                               t['local_port'], t['proto']),
                               t['state'],
                               '%d/%s' % (t['pid'], _comm(t['pid']))), got)
        self.assertFalse([r for r in rows if 'ESTABLISHED' in r])

    def test_all_adds_unix_paths_and_the_abstract_name(self):
        out = self._run('-a').out
        for t in _socks('unix', state='LISTEN'):
            name = '@' + t['path'] if t['abstract'] else t['path']
            with self.subTest(path=name):
                line = [ln for ln in out.splitlines()
                        if ln.endswith(' ' + name)]
                self.assertEqual(len(line), 1, out)
                self.assertIn(' %d ' % t['inode'], line[0])
                self.assertIn('LISTEN', line[0])

    def test_tcp_only_prints_no_udp_or_unix(self):
        rows = _rows(self._run('-t', '-a').out)
        self.assertTrue(rows)
        self.assertTrue(all(r[0] in ('tcp', 'tcp6') for r in rows), rows)

    def test_udp_only(self):
        rows = _rows(self._run('-u', '-a').out)
        self.assertEqual(len(rows), len(_socks('udp')))

    def test_unix_only_lists_every_unix_socket(self):
        rows = _rows(self._run('-x', '-a').out)
        self.assertEqual(sorted(int(r[3]) for r in rows),
                         sorted(t['inode'] for t in _socks('unix')))

    def test_port_filter_keeps_both_ends(self):
        port = [t for t in _socks('tcp', state='LISTEN')
                if _socks('tcp', remote_port=t['local_port'])][0]
        p = port['local_port']
        rows = _rows(self._run('-a', '--port', str(p)).out)
        want = 1 + len(_socks('tcp', remote_port=p)) + \
            len(_socks('tcp', local_port=p, state='ESTABLISHED'))
        self.assertEqual(len(rows), want)
        self.assertTrue(all(':%d' % p in r[3] + ' ' + r[4] for r in rows))

    def test_tcpstate_filter_accepts_netstat_and_ss_spelling(self):
        n = len(_socks('tcp', state='ESTABLISHED')) + _bulk()[1]
        for spelling in ('ESTABLISHED', 'established'):
            rows = _rows(self._run('--tcpstate', spelling).out)
            self.assertEqual(len(rows), n)
        self.assertEqual(_rows(self._run('--tcpstate', 'time-wait').out),
                         [])

    def test_listening_covers_unix_listeners_as_the_original(self):
        out = self._run('-l').out
        for t in _socks('unix', state='LISTEN'):
            name = '@' + t['path'] if t['abstract'] else t['path']
            self.assertIn(' ' + name + '\n', out)

    def test_pid_filter_lists_every_socket_of_the_process(self):
        pid = truth()['sockets'][0]['pid']
        rows = _rows(self._run('--pid', str(pid)).out)
        mine = [t for t in truth()['sockets'] if t['pid'] == pid]
        self.assertEqual(len(rows), len(mine) + sum(_bulk(pid)))
        self.assertTrue(all('%d/' % pid in ' '.join(r) for r in rows))
        self.assertEqual(_rows(self._run('--pid', '999999').out), [])

    def test_program_filter_by_comm(self):
        pid = truth()['sockets'][0]['pid']
        rows = _rows(self._run('--program', _comm(pid), '-t').out)
        self.assertEqual(len(rows), len(_socks('tcp', pid=pid)) +
                         sum(_bulk(pid)))

    def test_sport_and_dport_filters(self):
        t = _socks('tcp', state='ESTABLISHED', end='client')[0]
        local = _ep(t['local_addr'], t['local_port'], 'tcp')
        peer = _ep(t['remote_addr'], t['remote_port'], 'tcp')
        rows = _rows(self._run('--sport', str(t['local_port'])).out)
        self.assertIn([local, peer], [r[3:5] for r in rows])
        self.assertTrue(all(r[3] == local for r in rows))
        rows = _rows(self._run('--dport', str(t['local_port'])).out)
        self.assertIn([peer, local], [r[3:5] for r in rows])
        self.assertTrue(all(r[4] == local for r in rows))

    def test_version(self):
        res = run(self.prog, ['--version'])
        self.assertEqual(res.exit, 0)
        self.assertTrue(res.out.startswith('xportshow '))

    def test_verbose_shows_sock_address_inode_and_details(self):
        res = self._run('-l', '-t', '-v')
        t = _socks('tcp', state='LISTEN')[0]
        line = [ln for ln in res.lines if ln.startswith('0x') and
                _ep(t['local_addr'], t['local_port'], t['proto']) in ln]
        self.assertEqual(len(line), 1, res.out)
        self.assertTrue(line[0].rstrip().endswith(str(t['inode'])))
        self.assertIn('accept queue', res.out)

    def test_interfaces_table_and_every_address(self):
        out = self._run('-i').out
        for t in truth()['interfaces']:
            with self.subTest(name=t['name']):
                row = [ln.split() for ln in out.splitlines()
                       if ln.split()[:1] == [t['name']] and
                       t['mac'] in ln]
                self.assertEqual(len(row), 1, out)
                self.assertEqual(row[0][1:4], [str(t['ifindex']),
                                               str(t['mtu']), t['mac']])
                for a in t['ipv4'] + t['ipv6']:
                    self.assertIn('%s/%d' % (a['addr'], a['prefixlen']),
                                  out)

    def test_interface_option_shows_one_interface(self):
        out = self._run('--interface', 'dummy1').out
        self.assertIn('02:00:00:00:00:02', out)
        self.assertNotIn('dummy0', out)
        self.assertIn('No interface nosuch',
                      self._run('--interface', 'nosuch').out)

    def test_route_output_has_the_static_route(self):
        out = self._run('-r').out
        for t in truth()['routes']:
            with self.subTest(dst=t['dst']):
                row = [ln.split() for ln in out.splitlines()
                       if ln.startswith('%s/%d ' % (t['dst'],
                                                    t['prefixlen']))]
                self.assertEqual(len(row), 1, out)
                flags = 'UG' if t['flags'] & 2 else 'U'
                self.assertEqual(row[0][1:], [t['gateway'], row[0][2],
                                              flags, str(t['metric']),
                                              t['dev']])

    def test_arp_prints_a_table(self):
        out = self._run('--arp').out
        self.assertTrue(out.startswith('Table'), out)

    def test_statistics_show_tcp_counters(self):
        out = self._run('-s', '-v').out
        m = re.search(r'^\s+CurrEstab\s+(\d+)$', out, re.M)
        self.assertIsNotNone(m, out)
        self.assertEqual(int(m.group(1)),
                         len(_socks('tcp', state='ESTABLISHED')) + _bulk()[1])

    def test_summary_counts_tcp_by_state(self):
        out = self._run('--summary').out
        lines = out.splitlines()
        head = [ln.split() for ln in lines if ln.startswith('Proto')][0]
        tcp = [ln.split() for ln in lines if ln.startswith('tcp ')][0]
        v4 = [t for t in _socks('tcp') if t['proto'] == 'tcp']
        bulk = dict(zip(('LISTEN', 'ESTABLISHED'), _bulk()))
        self.assertEqual(int(tcp[1]), len(v4) + sum(bulk.values()))
        for state in ('LISTEN', 'ESTABLISHED'):
            col = head.index(state)
            self.assertEqual(int(tcp[col]), bulk[state] + len(
                [t for t in v4 if t['state'] == state]))

    def test_netns_lists_init_net_and_picks_it_by_index(self):
        out = self._run('--netns').out
        self.assertIn('%#x' % crash_sym('init_net'), out)
        picked = self._run('--netns', '0', '-l').out
        self.assertIn('Network namespace %#x' % crash_sym('init_net'),
                      picked)

    def test_help_exits_0_with_usage(self):
        assert_exit(self, self.prog, ['-h'], 0, 'usage: xportshow')

    def test_bad_arguments_give_a_usage_line(self):
        for argv in (['--no-such-option'], ['--port', 'x'],
                     ['--port', '70000'], ['--tcpstate', 'SLEEPY'],
                     ['--netns', '12345'], ['--netns', 'zz']):
            with self.subTest(argv=argv):
                assert_exit(self, self.prog, argv, 2, 'usage: xportshow')

    def tearDown(self):
        pylog.cleanup()


if __name__ == '__main__':
    unittest.main(argv=['test_xportshow'], exit=False)
