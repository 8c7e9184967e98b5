# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of pykdump.logging (plain python3, no crash)."""

import contextlib
import io
import unittest

from tests.python.support import undocumented
from pykdump import logging as pklogging
from pykdump.logging import ERROR, INFO, WARNING, PyLog

BANNER = (
    "\n"
    + "*" * 78 + "\n"
    + "*" * 24 + " A Summary Of Problems Found " + "*" * 25 + "\n"
    + "*" * 78 + "\n")


def _stdout_of(fn, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args, **kwargs)
    return buf.getvalue()


class PyLogTest(unittest.TestCase):
    def setUp(self):
        self.log = PyLog()
        self.log.cleanup()

    def tearDown(self):
        self.log.cleanup()
        pklogging.debug = False

    def test_category_strings(self):
        self.assertEqual((WARNING, ERROR, INFO),
                         ("+++WARNING+++", "+++ERROR+++", "...INFO..."))

    def test_warning_prints_every_time_but_stores_once(self):
        out = _stdout_of(self.log.warning, "disk", 3, sep="-")
        out += _stdout_of(self.log.warning, "disk", 3, sep="-")
        self.assertEqual(out, "+++WARNING+++ disk-3\n" * 2)
        self.assertEqual(self.log.messages(WARNING),
                         [(("disk", 3), {"sep": "-"})])

    def test_instances_share_one_store(self):
        _stdout_of(PyLog().error, "bad")
        self.assertEqual(self.log.messages(ERROR), [(("bad",), {})])

    def test_error_and_timeout_output(self):
        self.assertEqual(_stdout_of(self.log.error, "x"), "+++ERROR+++ x\n")
        self.assertEqual(_stdout_of(self.log.timeout, "bt -a"),
                         "+++WARNING+++ bt -a\n")
        self.assertEqual(self.log.messages("timeout"), ["bt -a"])

    def test_onexit_and_info_store_silently(self):
        out = _stdout_of(self.log.warning_onexit, "later")
        out += _stdout_of(self.log.info, "fyi")
        self.assertEqual(out, "")
        self.assertEqual(self.log.messages(WARNING), [(("later",), {})])
        self.assertEqual(self.log.messages(INFO), [(("fyi",), {})])

    def test_silent_message_becomes_error_only_through_silenterror(self):
        other = PyLog()
        self.log.silent("hidden")
        self.assertEqual(other.getsilent(), "")     # per instance
        self.log.silenterror("ctx")
        self.assertEqual(self.log.messages(ERROR), [(("ctx", "hidden"), {})])
        self.assertEqual(self.log.getsilent(), "")
        self.log.silenterror("again")               # nothing pending
        self.assertEqual(len(self.log.messages(ERROR)), 1)

    def test_cleanup_forgets_everything(self):
        _stdout_of(self.log.warning, "w")
        self.log.silent("s")
        self.log.cleanup()
        self.assertEqual(self.log.messages(WARNING), [])
        self.assertEqual(self.log.getsilent(), "")
        self.assertEqual(_stdout_of(self.log.onexit), "")

    def test_summary_lists_warnings_then_errors(self):
        _stdout_of(self.log.error, "e1")
        _stdout_of(self.log.warning, "w1", end="!\n")
        self.log.warning_onexit("w2")
        expected = (BANNER
                    + "-" * 20 + " A list of all +++WARNING+++ messages "
                    + "-" * 20 + "\n"
                    + "    w1!\n    w2\n"
                    + "-" * 21 + " A list of all +++ERROR+++ messages "
                    + "-" * 21 + "\n"
                    + "    e1\n"
                    + "-" * 78 + "\n")
        self.assertEqual(_stdout_of(self.log.onexit), expected)

    def test_summary_timeouts_come_first_with_advice(self):
        _stdout_of(self.log.timeout, "foreach bt")
        expected = (BANNER
                    + "-" * 8 + " Some crash built-in commands did not"
                    " complete within timeout " + "-" * 8 + "\n"
                    + "    foreach bt\n"
                    + " *** You can rerun your command with a different"
                    " timeout\n"
                    "     by adding --timeout=NNN to your options\n"
                    "     For example, 'crashinfo -v --timeout=1200\n"
                    "     to run with timeout of 1200s\n"
                    + "-" * 78 + "\n")
        self.assertEqual(_stdout_of(self.log.onexit), expected)

    def test_info_only_prints_additional_info_part(self):
        self.log.info("kernel", "6.1")
        expected = ("\n" + "~" * 30 + " Additional Info " + "~" * 31 + "\n"
                    + "    kernel 6.1\n" + "~" * 78 + "\n")
        self.assertEqual(_stdout_of(self.log.onexit), expected)

    def test_debug_prints_stack_instead_of_failing(self):
        pklogging.debug = True
        out = _stdout_of(self.log.warning, "traced")
        self.assertIn("test_debug_prints_stack_instead_of_failing", out)
        self.assertTrue(out.endswith("+++WARNING+++ traced\n"))

    def test_conventions(self):
        self.assertEqual(sorted(pklogging.__all__), ["PyLog", "WARNING"])
        self.assertEqual(undocumented(pklogging), [])
