# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of pykdump.tparser (plain python3, no crash)."""

import random
import unittest
import warnings

from tests.python.support import undocumented
from pykdump import tparser
from pykdump.Generic import Bunch
from pykdump.tparser import (
    CDefine, CEnum, CParseError, CParseWarning, FieldInfo, SULayout,
    actionToHex, actionToInt, parseSUDef, parser_header_tabs, struct_layout)

ENUM_NETREG = """
        enum aa {NETREG_UNINITIALIZED, NETREG_REGISTERING, NETREG_REGISTERED,
   NETREG_UNREGISTERING, NETREG_UNREGISTERED, NETREG_RELEASED} reg_state;
"""

ENUM_TCP = """
enum {
  TCP_ESTABLISHED = 1,
  TCP_SYN_SENT,
  TCP_SYN_RECV,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_TIME_WAIT,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_LAST_ACK,
  TCP_LISTEN,
  TCP_CLOSING,   /* now a valid state */

  TCP_MAX_STATES /* Leave at the end! */
};
"""

DEFS_RTF = """
/* A comment */
#define RTF_UP          0x0001          /* route usable                 */
#define RTF_GATEWAY     0x0002          /* destination is a gateway     */
#define RTF_HOST        0x0004          /* host entry (net otherwise)   */
#define RTF_MTU         0x0040          /* specific MTU for this route  */
#define RTF_MSS         RTF_MTU         /* Compatibility :-(            */
#define RTF_WINDOW      0x0080          /* per route window clamping    */
"""

STRUCT_ONETWO = """
struct OneTwo{
  unsigned long ul;
  long int ula[2];
  struct net_device *dev; /* first - usefull for panic debug */
  int *ia[32];
  unsigned char  **ia3[32][5];
  void (*func1)(int, long);
  void ( * func2 ) ( int, long);
  void (*func3)(int, long) [2][3];
 };
"""


def _quiet_cdefine(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CParseWarning)
        return CDefine(text)


class CEnumTest(unittest.TestCase):
    def test_values_auto_increment_from_zero(self):
        e = CEnum(ENUM_NETREG)
        self.assertEqual(e.vals[0], ("NETREG_UNINITIALIZED", 0))
        self.assertEqual(e.NETREG_RELEASED, 5)
        self.assertEqual(e[2], "NETREG_REGISTERED")
        self.assertEqual(e.getByName("NETREG_REGISTERING"), 1)
        self.assertEqual(e.name2i["NETREG_UNREGISTERED"], 4)

    def test_trailing_declarator_is_not_an_enumerator(self):
        e = CEnum(ENUM_NETREG)
        self.assertEqual(len(e), 6)
        self.assertFalse(hasattr(e, "r"))
        self.assertNotIn(6, e.lookup)

    def test_explicit_start_and_comments(self):
        e = CEnum(ENUM_TCP)
        self.assertEqual(len(e), 12)
        self.assertEqual(e.TCP_LISTEN, 10)
        self.assertEqual(e.TCP_MAX_STATES, 12)
        self.assertEqual(e[6], "TCP_TIME_WAIT")
        self.assertEqual(e.getAllNames()[:3],
                         ["TCP_CLOSE", "TCP_CLOSE_WAIT", "TCP_CLOSING"])

    def test_str_is_the_pairs_list(self):
        e = CEnum("enum { A, B = -2, C };")
        self.assertEqual(str(e), "[('A', 0), ('B', -2), ('C', -1)]")

    def test_expressions_hex_octal_and_python_comments(self):
        e = CEnum("""typedef enum flags {
            F_A = 1 << 2,      # hash comment
            F_B,               // line comment
            F_C = F_A | F_B,
            F_D = 0x10 + 010,
            F_E = ~0,
        } flags_t;""")
        self.assertEqual(e.vals, [("F_A", 4), ("F_B", 5), ("F_C", 5),
                                  ("F_D", 24), ("F_E", -1)])
        self.assertEqual(e[5], "F_C")          # last name wins

    def test_not_an_enum_raises_with_line(self):
        with self.assertRaisesRegex(CParseError, "expected 'enum'"):
            CEnum("struct x { int a; };")
        with self.assertRaisesRegex(CParseError, r"line 3: B = sizeof"):
            CEnum("enum {\n A,\n B = sizeof(int)\n};")
        with self.assertRaisesRegex(CParseError, "at end of text"):
            CEnum("enum { A, B")


class CDefineTest(unittest.TestCase):
    def test_literals_and_names_of_earlier_defines(self):
        d = CDefine(DEFS_RTF)
        self.assertEqual(dict(d), {"RTF_UP": 1, "RTF_GATEWAY": 2,
                                   "RTF_HOST": 4, "RTF_MTU": 64,
                                   "RTF_MSS": 64, "RTF_WINDOW": 128})
        self.assertEqual(d.RTF_WINDOW, 128)
        self.assertEqual(d.skipped(), [])

    def test_value2key_last_wins_oldvalue2key_first(self):
        d = CDefine(DEFS_RTF)
        self.assertEqual(d.value2key(64), "RTF_MSS")
        self.assertEqual(d.oldvalue2key(64), "RTF_MTU")
        self.assertIsNone(d.value2key(3))
        self.assertIsNone(d.oldvalue2key(3))

    def test_simple_expressions_are_evaluated(self):
        d = CDefine("""
#define A (1 << 3)
#define B 0x10 + 1
#define C (A | B)
#define D -7 / 2
#define E -7 % 2
#define F 0755
#define G (C * 2 - 1) >> 1
""")
        self.assertEqual(dict(d), {"A": 8, "B": 17, "C": 25, "D": -3,
                                   "E": -1, "F": 493, "G": 24})

    def test_unsigned_and_long_arithmetic_follows_c(self):
        d = CDefine("""
#define ALL ~0UL
#define M1 -1U
#define WRAP 0xffffffff + 1
#define BIG 0xffffffff + 1L
#define HI 1UL << 63
#define NEG ~0
""")
        self.assertEqual(d.ALL, 0xFFFFFFFFFFFFFFFF)
        self.assertEqual(d.M1, 0xFFFFFFFF)
        self.assertEqual(d.WRAP, 0)             # unsigned int wraps
        self.assertEqual(d.BIG, 0x100000000)    # long holds it
        self.assertEqual(d.HI, 1 << 63)
        self.assertEqual(d.NEG, -1)

    def test_unusable_lines_are_skipped_with_warning_and_parsing_goes_on(
            self):
        text = """#define A 1
#define FN(x) ((x) + 1)
#ifdef CONFIG_X
#define SZ sizeof(int)
#define STR "text"
#define EMPTY
#define B (A + 1)
"""
        with self.assertWarns(CParseWarning) as cm:
            d = CDefine(text)
        self.assertEqual(dict(d), {"A": 1, "B": 2})
        self.assertEqual([n for n, _ in d.skipped()],
                         ["FN", "", "SZ", "STR", "EMPTY"])
        self.assertIn("function-like macro", d.skipped()[0][1])
        self.assertIn("line 2: skipped FN", str(cm.warning))
        self.assertEqual(cm.filename, __file__)

    def test_no_python_evaluation_and_bounded_work(self):
        d = _quiet_cdefine("""
#define X __import__('os').getpid()
#define Y (1 << 100000)
#define Z 1 / 0
#define W 99999999999999999999999
#define V {}1{}
#define NEST {}1{}
#define OK 2
""".format("(" * 5000, ")" * 5000, "(" * 50, ")" * 50))
        self.assertEqual(dict(d), {"NEST": 1, "OK": 2})
        self.assertEqual([n for n, _ in d.skipped()],
                         ["X", "Y", "Z", "W", "V"])

    def test_continuation_lines_and_multiline_comments(self):
        d = CDefine("#define A (1 | \\\n 2)\n"
                    "#define B 4 /* spans\n  lines */\n"
                    "#define C 8 // tail\n")
        self.assertEqual(dict(d), {"A": 3, "B": 4, "C": 8})

    def test_setitem_keeps_attribute_and_reverse_map(self):
        d = CDefine("")
        d["X"] = 5
        self.assertEqual((d.X, d.value2key(5)), (5, "X"))


class ParseSUDefTest(unittest.TestCase):
    def test_original_example(self):
        self.assertEqual(parseSUDef(STRUCT_ONETWO), ("struct OneTwo", [
            ("unsigned long", "ul"),
            ("long int[2]", "ula"),
            ("struct net_device *", "dev"),
            ("int *[32]", "ia"),
            ("unsigned char **[32][5]", "ia3"),
            ("void (*)()", "func1"),
            ("void (*)()", "func2"),
            ("void (*)()[2][3]", "func3")]))

    def test_union_several_declarators_and_function_pointer_arrays(self):
        self.assertEqual(
            parseSUDef("union u { char *(*fa[4])(void), c, *p;"
                       " int flex[0x2 * 2]; const char *s; };"),
            ("union u", [("char *(*[4])()", "fa"), ("char", "c"),
                         ("char *", "p"), ("int[4]", "flex"),
                         ("const char *", "s")]))

    def test_unsupported_definitions_raise(self):
        for text, msg in (
                ("struct { int a; };", "expected a tag name"),
                ("struct a { int b:3; };", "bitfields"),
                ("struct a { struct { int x; } y; };", "nested"),
                ("struct a { int x }", "expected ';'"),
                ("struct a { int x[N]; };", "unknown name 'N'"),
                ("struct a { int x; } trailing", "after '}'")):
            with self.assertRaisesRegex(CParseError, msg):
                parseSUDef(text)


class StructLayoutTest(unittest.TestCase):
    # Expected offsets and sizes printed by gcc 12 (x86_64) with
    # offsetof()/sizeof() on the same definitions.
    def test_natural_alignment_matches_gcc(self):
        lay = struct_layout("struct s { char c; long l; short s[3]; int *p;"
                            " u8 b; char name[0x10]; int flex[]; };")
        self.assertIsInstance(lay, SULayout)
        self.assertEqual((lay.name, lay.size, lay.align),
                         ("struct s", 56, 8))
        self.assertEqual([(f.name, f.offset, f.size) for f in lay.fields],
                         [("c", 0, 1), ("l", 8, 8), ("s", 16, 6),
                          ("p", 24, 8), ("b", 32, 1), ("name", 33, 16),
                          ("flex", 52, 0)])

    def test_nested_known_types_long_double_and_function_pointers(self):
        inner = struct_layout("struct list_head { struct list_head *next,"
                              " *prev; };")
        lay = struct_layout(
            "struct t { char a; struct list_head lh; u16 h; atomic_t cnt;"
            " char *(*fa[4])(void); _Bool f; long double ld;"
            " unsigned short us[3][2]; };",
            {"struct list_head": inner})
        self.assertEqual((lay.size, lay.align), (112, 16))
        self.assertEqual([(f.name, f.offset, f.size) for f in lay.fields],
                         [("a", 0, 1), ("lh", 8, 16), ("h", 24, 2),
                          ("cnt", 28, 4), ("fa", 32, 32), ("f", 64, 1),
                          ("ld", 80, 16), ("us", 96, 12)])
        self.assertEqual(lay["us"].dims, (3, 2))
        self.assertEqual(lay["us"].elsize, 2)
        self.assertEqual(lay["fa"].kind, "pointer")
        self.assertTrue(lay["fa"].funcptr)

    def test_union_and_field_descriptions(self):
        lay = struct_layout("union u { char c; unsigned long l;"
                            " short s[5]; struct page *pg; };")
        self.assertEqual((lay.size, lay.align), (16, 8))
        self.assertEqual({f.offset for f in lay.fields}, {0})
        self.assertEqual((lay["l"].kind, lay["l"].signed), ("int", False))
        self.assertEqual((lay["c"].kind, lay["c"].signed), ("int", True))
        pg = lay["pg"]
        self.assertEqual((pg.kind, pg.basetype, pg.ptrlevel, pg.size),
                         ("pointer", "struct page", 1, 8))
        self.assertIn("pg", lay)
        self.assertEqual(struct_layout("struct v { char a; char b[3]; };")
                         .size, 4)

    def test_sizes_given_as_int_or_pair_and_unknown_types(self):
        lay = struct_layout("struct w { char c; my_t m; struct big b; };",
                            {"my_t": 4, "struct big": (24, 8)})
        self.assertEqual([f.offset for f in lay.fields], [0, 4, 8])
        self.assertEqual(lay.size, 32)
        with self.assertRaisesRegex(CParseError, "struct nope"):
            struct_layout("struct w { struct nope n; };")
        with self.assertRaisesRegex(CParseError, "not last"):
            struct_layout("struct w { int a[]; int b; };")

    def test_size_of_is_asked_once_per_type_the_tables_lack(self):
        # define_struct's debuginfo lookup: only the types without a size
        asked = []

        def size_of(name):
            asked.append(name)
            return {"my_t": 4, "struct big": 24}[name]
        lay = struct_layout("struct w { char c; my_t m; struct big b;"
                            " struct big b2; u32 x; enum e ev; };",
                            size_of=size_of)
        self.assertEqual(asked, ["my_t", "struct big"])
        self.assertEqual([f.offset for f in lay.fields],
                         [0, 4, 8, 32, 56, 60])
        self.assertEqual(lay.size, 64)


class TablesTest(unittest.TestCase):
    def test_tab_separated_with_extra_and_blank_lines(self):
        text = "PID\tCOMM\tST\n1\tinit\tS\n\n  \n2\tkthreadd\tS\tX\tY\n3\n"
        self.assertEqual(parser_header_tabs(text), [
            {"PID": "1", "COMM": "init", "ST": "S"},
            {"PID": "2", "COMM": "kthreadd", "ST": "S",
             "__extra": ["X", "Y"]},
            {"PID": "3"}])

    def test_any_whitespace_and_skip(self):
        text = "title line\nA  B\n1 2\n"
        self.assertEqual(parser_header_tabs(text, anyws=True, skip=1),
                         [{"A": "1", "B": "2"}])
        self.assertEqual(parser_header_tabs(""), [])

    def test_helpers(self):
        self.assertIs(FieldInfo, Bunch)
        self.assertEqual(actionToInt("", 0, ["010"]), 8)
        self.assertEqual(actionToInt("", 0, ["0x10"]), 16)
        self.assertEqual(actionToHex("", 0, ["ff"]), 255)


class RobustnessTest(unittest.TestCase):
    ALPHABET = ["enum", "struct", "union", "#define", "{", "}", "(", ")",
                "[", "]", ";", ",", "=", "*", "<<", "~", "-", "/*", "*/",
                "//", "\n", "A", "B", "x1", "0x1f", "07", "9", "1UL", "'",
                '"', "\\", "@", "int", "char", " ", "\t", "...", ":", "1.5"]

    def test_random_text_raises_only_cparseerror(self):
        rng = random.Random(20261126)
        for _ in range(2000):
            text = "".join(rng.choice(self.ALPHABET)
                           for _ in range(rng.randint(0, 25)))
            for parse in (CEnum, parseSUDef, struct_layout):
                try:
                    parse(text)
                except CParseError:
                    pass
            _quiet_cdefine(text)


class ConventionsTest(unittest.TestCase):
    def test_all_is_the_api_inventory(self):
        self.assertEqual(sorted(tparser.__all__), ["CDefine", "CEnum"])

    def test_public_names_have_docstrings(self):
        self.assertEqual(undocumented(tparser), [])
