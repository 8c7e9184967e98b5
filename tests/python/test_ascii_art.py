# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of pykdump.ASCII_Art (plain python3, no crash)."""

import io
import sys
import unittest
from unittest import mock

from tests.python.support import undocumented
from pykdump import ASCII_Art
from pykdump.ASCII_Art import (
    AA_Node, Array2u, Box, BoxContainer, EmbeddedFrames, LineU, draw_tree)

TREE = {"systemd": ["kthreadd", "bash"],
        "kthreadd": ["rcu_gp", "kworker/0:0"],
        "bash": ["ps"]}


def _children(name):
    return TREE.get(name, [])


class EmbeddedFramesTest(unittest.TestCase):
    def test_nested_frame_layout(self):
        outer = EmbeddedFrames("Outer")
        outer.addText("hello\nworld\n")
        inner = EmbeddedFrames("in")
        inner.addText(["x"])
        outer.addFrame(inner)
        self.assertEqual(inner.getWH(), (11, 1))
        self.assertEqual(outer.getWH(), (16, 3))
        self.assertEqual(str(outer).split("\n"), [
            " +----Outer----+",
            " | hello       |",
            " | world       |",
            " |             |",
            " |  +---in---+ |",
            " |  | x      | |",
            " |  +--------+ |",
            " +-------------+"])

    def test_empty_frame_keeps_its_title_line(self):
        self.assertEqual(EmbeddedFrames("t").getStrArr(),
                         [" +---t---+", " +-------+"])


class CanvasTest(unittest.TestCase):
    def test_lineu_pads_and_overwrites(self):
        ln = LineU("ab")
        ln.putstr("XY", 4)
        self.assertEqual(str(ln), "ab  XY")
        ln.putstr("-", 1)
        self.assertEqual((str(ln), ln.width(), ln[1], ln[99]),
                         ("a-  XY", 6, "-", " "))
        ln.clear()
        self.assertEqual(ln.width(), 0)

    def test_array2u_grows_and_places_objects(self):
        a = Array2u()
        self.assertEqual((a.w, a.h), (0, 0))
        a.putstr("abc", 2, 1)
        self.assertEqual((a.w, a.h, a.getc(3, 1), a.getc(0, 5)),
                         (5, 2, "b", " "))
        b = Array2u()
        b.putstr("zz", 0, 0)
        a.putobj(b, 1, 3)
        self.assertEqual((b.x, b.y), (1, 3))
        self.assertEqual(str(a), "\n  abc\n\n zz")

    def test_box_and_textbox_with_header(self):
        self.assertEqual(str(Box(4, 3)), "┌──┐\n│  │\n└──┘")
        box = Box.TextBox("text\nmore", header="Head")
        self.assertEqual(str(box).split("\n"), [
            "┌────┐", "│Head│", "├────┤", "│text│", "│more│", "└────┘"])
        self.assertEqual((box.w, box.h), (6, 6))
        self.assertEqual(str(Box.TextBox("")), "┌┐\n││\n└┘")

    def test_container_connects_leaf_and_branch(self):
        top = BoxContainer(Box.TextBox("1"))
        top.add_leaf(Box.TextBox("2,3"))
        sub = BoxContainer(Box.TextBox("4"))
        sub.add_leaf(Box.TextBox("5"))
        top.add_branch(sub)
        self.assertEqual(str(top).split("\n"), [
            " ┌─┐",
            " │1│",
            " └─┬",
            "   │ ┌───┐",
            "   ├─┤2,3│",
            "   │ └───┘",
            "   │ ┌─┐",
            "   └─┤4│",
            "     └─┬",
            "       │ ┌─┐",
            "       └─┤5│",
            "         └─┘"])


class AANodeTest(unittest.TestCase):
    def _tree(self):
        root = AA_Node(1)
        for pid in (8, 2, 7, 3, 6, 4, 5):
            AA_Node(pid, root)
        branch = AA_Node(10, root)
        AA_Node(12, branch)
        AA_Node(11, branch)
        return root, branch

    def test_str_groups_leaves_five_per_line_then_branches(self):
        root, _ = self._tree()
        self.assertEqual(str(root).split("\n"), [
            "1", "  -------", "  2,3,4,5,6", "  7,8", "  -------",
            "  10", "    -------", "    11,12", "    -------"])

    def test_more_than_20_leaves_are_counted(self):
        root = AA_Node("r")
        for pid in range(21):
            AA_Node(pid, root)
        self.assertEqual(str(root).split("\n")[2],
                         "  21 pids in this group")

    def test_glue_replaces_matching_child(self):
        root, branch = self._tree()
        other = AA_Node(10)
        AA_Node(99, other)
        self.assertTrue(other.glue(root))
        self.assertIs(other.parent, root)
        self.assertIn(other, root.children)
        self.assertNotIn(branch, root.children)
        again = AA_Node(10)
        self.assertTrue(again.glue(root))       # the tag follows the glue
        self.assertEqual(len(root.children), 8)
        self.assertFalse(AA_Node(42).glue(root))

    def test_hortree_draws_leaves_box_then_branches(self):
        root, _ = self._tree()
        lines = str(root.HorTree()).split("\n")
        self.assertEqual(lines[:7], [
            " ┌─┐", " │1│", " └─┬", "   │ ┌─────────┐",
            "   │ │2,3,4,5,6│", "   ├─┤7,8      │", "   │ └─────────┘"])
        self.assertEqual(lines[8], "   └─┤10│")
        self.assertEqual(lines[-2], "       └─┤11,12│")


class DrawTreeTest(unittest.TestCase):
    def test_unicode_drawing(self):
        self.assertEqual(draw_tree("systemd", _children, ascii=False), [
            "systemd",
            "├─kthreadd",
            "│ ├─rcu_gp",
            "│ └─kworker/0:0",
            "└─bash",
            "  └─ps"])

    def test_ascii_fallback_and_labels(self):
        self.assertEqual(
            draw_tree("systemd", _children, label_fn=str.upper, ascii=True),
            ["SYSTEMD", "|-KTHREADD", "| |-RCU_GP", "| `-KWORKER/0:0",
             "`-BASH", "  `-PS"])

    def test_auto_mode_follows_stdout_encoding(self):
        ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
        with mock.patch.object(sys, "stdout", ascii_out):
            self.assertEqual(draw_tree("bash", _children)[1], "`-ps")
        utf8_out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with mock.patch.object(sys, "stdout", utf8_out):
            self.assertEqual(draw_tree("bash", _children)[1], "└─ps")

    def test_multiline_labels_continue_under_the_node(self):
        tree = {"a": ["b", "c"], "b": ["d"]}
        lines = draw_tree("a", lambda n: tree.get(n, []),
                          label_fn=lambda n: n + "\n" + n * 2, ascii=True)
        self.assertEqual(lines, ["a", "| aa", "|-b", "| | bb", "| `-d",
                                 "|     dd", "`-c", "    cc"])

    def test_key_stops_cycles(self):
        graph = {1: [2], 2: [3, 1], 3: [1]}
        self.assertEqual(
            draw_tree(1, graph.__getitem__, key=lambda n: n, ascii=True),
            ["1", "`-2", "  |-3", "  | `-1 [...]", "  `-1 [...]"])

    def test_deep_tree_needs_no_recursion(self):
        lines = draw_tree(0, lambda n: [n + 1] if n < 5000 else [],
                          ascii=True)
        self.assertEqual(len(lines), 5001)
        self.assertEqual(lines[3], "    `-3")


class ConventionsTest(unittest.TestCase):
    def test_all_and_docstrings(self):
        self.assertEqual(sorted(ASCII_Art.__all__), sorted([
            "EmbeddedFrames", "LineU", "Array2u", "Box", "BoxContainer",
            "AA_Node", "draw_tree"]))
        self.assertEqual(undocumented(ASCII_Art), [])
