# SPDX-License-Identifier: GPL-2.0-or-later
"""Text drawings: nested frames, boxes on a canvas, trees.

Stands alone: imports no other pykdump module and is not re-exported by
``pykdump.API`` (``from pykdump.ASCII_Art import ...``).

* :class:`EmbeddedFrames` - nested ``+---title---+`` frames around text;
* :class:`LineU`, :class:`Array2u` - a growable 2-D character canvas;
  :class:`Box` (with :meth:`Box.TextBox`) and :class:`BoxContainer` draw
  boxes with box-drawing characters and connect them;
* :class:`AA_Node` - trees of hashable tags (``hanginfo`` uses pids),
  rendered indented (``str()``) or as horizontal boxes (:meth:`~AA_Node.
  HorTree`);
* :func:`draw_tree` - ``pstree``-like lines (``├─``, ``└─``, ``│``) for
  any tree given by a children function, with an ASCII fallback.
"""

import operator
import sys
import textwrap

__all__ = ["EmbeddedFrames", "LineU", "Array2u", "Box", "BoxContainer",
           "AA_Node", "draw_tree"]


class EmbeddedFrames:
    """A titled frame holding text blocks and other frames.

    ``str()`` draws ``' +---title---+'``, one ``' | text |'`` line per
    text line (a blank one between children) and a closing line; frames
    added as children appear nested one column to the right.
    """

    class SimpleText:
        """A block of text lines inside a frame."""

        def __init__(self, strarr):
            """Take a list of lines or a (multi-line) string."""
            if not isinstance(strarr, list):
                strarr = strarr.rstrip().split("\n")
            self.strarr = strarr
            self.h = len(strarr)
            self.w = max((len(s) for s in strarr), default=0)

        def getWH(self):
            """Return ``(width, height)`` of the text."""
            return (self.w, self.h)

        def getStrArr(self):
            """Return the text lines."""
            return self.strarr

    def __init__(self, title):
        """Create an empty frame titled ``title``."""
        self.title = title
        self.children = []

    def addText(self, strarr):
        """Append text: a list of lines or a (multi-line) string."""
        self.children.append(EmbeddedFrames.SimpleText(strarr))

    def addFrame(self, f):
        """Append a nested frame."""
        self.children.append(f)

    def getWH(self):
        """Return ``(width, height)``: width with borders, content height.

        The width is the widest child (or the title + 4) plus 5 for the
        borders and padding; the height sums the children's heights.
        """
        w = len(self.title) + 4
        h = 0
        for c in self.children:
            wc, hc = c.getWH()
            h += hc
            w = max(w, wc)
        return (w + 5, h)

    def getStrArr(self):
        """Return the frame as a list of lines."""
        w = self.getWH()[0]
        out = [(" +{:-^%d}+" % (w - 3)).format(self.title)]
        l_format = " | {:%ds} |" % (w - 5)
        for c in self.children:
            out.extend(l_format.format(s) for s in c.getStrArr())
            out.append(l_format.format(""))
        if self.children:
            out.pop()           # no separator after the last child
        out.append(" +" + "-" * (w - 3) + "+")
        return out

    def __str__(self):
        """Return the frame as text."""
        return "\n".join(self.getStrArr())


# Box-drawing characters.
_LU = "┌"
_LL = "└"
_RU = "┐"
_RL = "┘"
_VB = "│"
_HB = "─"
_LOW_A = "┬"
_RIGHT_A = "├"
_LEFT_A = "┤"


class LineU:
    """One growable line of characters."""

    def __init__(self, initline=""):
        """Start with the characters of ``initline``."""
        self._line = list(initline)

    def clear(self):
        """Make the line empty."""
        self._line = []

    def putstr(self, s, pos):
        """Write ``s`` from column ``pos``, padding with spaces."""
        extra = pos + len(s) - len(self._line)
        if extra > 0:
            self._line.extend(" " * extra)
        self._line[pos:pos + len(s)] = s

    def __getitem__(self, x):
        """Return the character at column ``x`` (space beyond the end)."""
        try:
            return self._line[x]
        except IndexError:
            return " "

    def width(self):
        """Return the number of columns."""
        return len(self._line)

    def __str__(self):
        """Return the line as a string."""
        return "".join(self._line)


class Array2u:
    """A 2-D character canvas growing on demand.

    ``x``/``y`` record where the canvas was placed by :meth:`putobj` of
    another canvas; ``w``/``h`` are its current width and height.
    """

    def __init__(self):
        """Create an empty canvas placed at (0, 0)."""
        self._lines = []
        self.x = 0
        self.y = 0

    def setHeight(self, height):
        """Grow the canvas to ``height`` lines (never shrinks)."""
        while len(self._lines) < height:
            self._lines.append(LineU())

    @property
    def h(self):
        """Height in lines."""
        return len(self._lines)

    @property
    def w(self):
        """Width in columns (of the widest line)."""
        return max((ln.width() for ln in self._lines), default=0)

    def putstr(self, s, x, y):
        """Write string ``s`` at column ``x`` of line ``y``."""
        if y >= self.h:
            self.setHeight(y + 1)
        self._lines[y].putstr(s, x)

    def putobj(self, o, x, y):
        """Copy canvas ``o`` with its top left corner at (x, y).

        Records the position in ``o.x``/``o.y``.
        """
        for row, lu in enumerate(o._lines):
            self.putstr(str(lu), x, y + row)
        o.x = x
        o.y = y

    def getc(self, x, y):
        """Return the character at (x, y) (space outside the canvas)."""
        if 0 <= y < self.h:
            return self._lines[y][x]
        return " "

    def __str__(self):
        """Return the canvas, trailing spaces stripped."""
        return "\n".join(str(ln).rstrip() for ln in self._lines)


class Box(Array2u):
    """A ``w`` by ``h`` rectangle drawn with box-drawing characters."""

    def __init__(self, w, h):
        """Draw the frame of a ``w`` x ``h`` box."""
        super().__init__()
        self.putstr(_LU, 0, 0)
        self.putstr(_RU, w - 1, 0)
        self.putstr(_LL, 0, h - 1)
        self.putstr(_RL, w - 1, h - 1)
        for row in (0, h - 1):
            self.putstr(_HB * (w - 2), 1, row)
        for row in range(1, h - 1):
            self.putstr(_VB, 0, row)
            self.putstr(_VB, w - 1, row)

    @classmethod
    def TextBox(cls, s, header=None):
        """Return a box just large enough for text ``s``.

        With ``header``, the header text sits above a separator line.
        """
        lines = s.splitlines() or [""]
        w = max(len(ln) for ln in lines)
        h = len(lines)
        hh = 0
        if header:
            hlines = header.splitlines()
            w = max(w, max(len(ln) for ln in hlines))
            hh = len(hlines) + 1
            h += hh
        right_edge = w + 2
        box = cls(right_edge, h + 2)
        if header:
            box.putstr(_RIGHT_A, 0, hh)
            box.putstr(_LEFT_A, right_edge - 1, hh)
            box.putstr(_HB * (right_edge - 2), 1, hh)
            for row, ln in enumerate(hlines):
                box.putstr(ln, 1, row + 1)
        for row, ln in enumerate(lines):
            box.putstr(ln, 1, row + 1 + hh)
        return box

    def __repr__(self):
        """Return size and position."""
        return " A box: w={} h={} x={} y={}".format(
            self.w, self.h, self.x, self.y)


class BoxContainer(Array2u):
    """A canvas holding a top box and, below it, connected children."""

    def __init__(self, box):
        """Place ``box`` at the top (column 1)."""
        super().__init__()
        self.topbox = box
        self.putobj(box, 1, 0)
        self.y = box.h

    def connect(self, bparent, bchild):
        """Draw the line from the bottom of ``bparent`` to ``bchild``.

        ``bchild`` must lie below and to the right of ``bparent``.
        """
        p_x = bparent.x + 2
        p_y = bparent.y + bparent.h - 1
        c_x = bchild.x
        c_y = bchild.y + bchild.h // 2
        self.putstr(_LOW_A, p_x, p_y)
        self.putstr(_LEFT_A, c_x, c_y)
        self.putstr(_LL, p_x, c_y)
        for x in range(p_x + 1, c_x):
            self.putstr(_HB, x, c_y)
        for y in range(p_y + 1, c_y):
            c = self.getc(p_x, y)
            if c == _RIGHT_A:
                continue
            self.putstr(_RIGHT_A if c == _LL else _VB, p_x, y)

    def add_leaf(self, box):
        """Add a box below, indented by 5, connected to the top box."""
        self.putobj(box, 5, self.y)
        self.y += box.h
        self.connect(self.topbox, box)

    def add_branch(self, boxcontainer):
        """Add a whole container below, indented by 4, and connect it."""
        self.putobj(boxcontainer, 4, self.y)
        boxcontainer.topbox.x += 4
        boxcontainer.topbox.y += self.y
        self.y += boxcontainer.h
        self.connect(self.topbox, boxcontainer.topbox)


class AA_Node:
    """A tree node holding a hashable, sortable tag ``node``.

    ``AA_Node(o, parent)`` adds itself to ``parent.children`` (a set) and
    to ``parent.tags`` (tag -> child).  Children without children of
    their own are leaves, drawn grouped.
    """

    def __init__(self, o, parent=None):
        """Create a node for tag ``o`` under ``parent`` (if any)."""
        self.parent = parent
        self.node = o
        self.children = set()
        self.tags = {}
        if parent is not None:
            parent.children.add(self)
            parent.tags[o] = self

    def get_tag(self):
        """Return this node's tag."""
        return self.node

    def glue(self, anotherbranch):
        """Replace the child of ``anotherbranch`` having our tag by us.

        Returns ``False`` (and changes nothing) if there is no such child.
        """
        mytag = self.get_tag()
        pnode = anotherbranch.tags.get(mytag)
        if pnode is None:
            return False
        anotherbranch.children.discard(pnode)
        anotherbranch.children.add(self)
        # The original left tags pointing at the replaced node, so a
        # second glue with the same tag raised KeyError.
        anotherbranch.tags[mytag] = self
        self.parent = anotherbranch
        return True

    def _strleaves(self):
        """Leaf tags as text: 5 per line up to 20 leaves, else a count."""
        leaves = sorted({c.get_tag() for c in self.children
                         if not c.children})
        if not leaves:
            return None
        if len(leaves) > 20:
            return "{} pids in this group".format(len(leaves))
        return "\n".join(",".join(str(t) for t in leaves[i:i + 5])
                         for i in range(0, len(leaves), 5))

    def _branches(self):
        return sorted((c for c in self.children if c.children),
                      key=operator.attrgetter("node"))

    def __str__(self, level=0):
        """Return the subtree indented two spaces per level.

        Leaves come first, between ``  -------`` lines; then each branch.
        """
        out = [str(self.node)]
        leaves = self._strleaves()
        if leaves:
            out.append("  -------")
            out.append(textwrap.indent(leaves, "  "))
            out.append("  -------")
        for c in self._branches():
            out.append(textwrap.indent(str(c), "  "))
        return "\n".join(out)

    def HorTree(self):
        """Return a :class:`BoxContainer` drawing the subtree as boxes."""
        c = BoxContainer(Box.TextBox(str(self.node)))
        leaves = self._strleaves()
        if leaves:
            c.add_leaf(Box.TextBox(leaves))
        for branch in self._branches():
            c.add_branch(branch.HorTree())
        return c


_UNICODE_PARTS = ("├─", "└─", "│ ", "  ")
_ASCII_PARTS = ("|-", "`-", "| ", "  ")


def _stdout_unicode():
    enc = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "".join(_UNICODE_PARTS).encode(enc)
    except (UnicodeError, LookupError):
        return False
    return True


def draw_tree(root, children_fn, label_fn=str, ascii=None, key=None):
    """Return the lines of a ``pstree``-like drawing of a tree.

    ``children_fn(node)`` returns the children in display order,
    ``label_fn(node)`` the text of a node (multi-line labels continue
    under it).  Each child is drawn under its parent behind ``├─`` (``└─``
    for the last one), with ``│`` continuing the parent's line::

        systemd
        ├─kthreadd
        │ └─kworker/0:0
        └─bash

    ``ascii=True`` uses ``"|-"``, ``"`-"`` and ``"| "``; ``None`` chooses ASCII
    when ``sys.stdout`` cannot encode the box characters.  With ``key``
    (e.g. a task address), a node whose key was already drawn is shown
    with `` [...]`` and not expanded, so a corrupted (cyclic) tree ends.
    Iterative: deep trees do not hit the recursion limit.
    """
    if ascii is None:
        ascii = not _stdout_unicode()
    tee, last, vert, space = _ASCII_PARTS if ascii else _UNICODE_PARTS
    lines = []
    seen = set()
    stack = [(root, "", "")]
    while stack:
        node, lead, cont = stack.pop()
        label = str(label_fn(node)).split("\n")
        children = []
        if key is not None:
            k = key(node)
            if k in seen:
                label[-1] += " [...]"
            else:
                seen.add(k)
                children = list(children_fn(node))
        else:
            children = list(children_fn(node))
        lines.append(lead + label[0])
        below = cont + (vert if children else space)
        lines.extend((below + ln).rstrip() for ln in label[1:])
        for i, child in enumerate(reversed(children)):
            if i == 0:
                stack.append((child, cont + last, cont + space))
            else:
                stack.append((child, cont + tee, cont + vert))
    return lines
