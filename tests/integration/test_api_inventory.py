"""The inventory of ``from pykdump.API import *``: PyKdump's 168 names.

Programs written for the original PyKdump use these names without
importing them; every one must exist, with the kind of object they were.
"""

import unittest

PYKDUMP_NAMES = """
    readU8 readU16 readU32 readU64 readS32 readS64 readInt readUInt
    readLong readULong readPtr readmem readSU readSUArray readSymbol
    readProcessMem set_readmem_task uvtop phys_to_page PYKD sLong
    le32_to_cpu le16_to_cpu cpu_to_le32 unsigned16 unsigned32 unsigned64
    uInt uLong ALIGN hexl long pointersize PTR_SIZE INT_SIZE INT_MASK
    INT_MAX BITS_PER_INT LONG_SIZE LONG_MASK LONG_MAX BITS_PER_LONG HZ
    PAGESIZE PAGE_CACHE_SHIFT sym2addr sym2alladdr addr2sym addr2mod
    symbol_exists TypeInfo SUInfo ArtStructInfo EnumInfo type_length
    struct_size union_size struct_exists member_offset member_size
    getSizeOf getStructInfo whatis funcargs enumerator_value
    StructResult tPtr SmartString Addr Deref container_of atomic_t
    structSetAttr structSetProcAttr AttrSetter printObject readList
    readBadList readListByHead list_for_each_entry readSUListFromHead
    readStructNext ListHead LH_isempty hlist_for_each_entry getListSize
    getFullBuckets getFullBucketsH setListMaxel FD_ISSET pid_to_task
    task_to_pid is_task_active get_pathname get_nsproxy set_nsproxy
    exec_crash_command exec_crash_command_bg exec_crash_command_bg2
    exec_gdb_command exec_command set_default_timeout
    SuppressCrashErrors memoize_cond memoize_typeinfo
    purge_memoize_cache purge_typeinfo PY_select PY_select_purge CU_LIVE
    CU_LOAD CU_PYMOD CU_TIMEOUT DCache PyLog pylog WARNING loadModule
    delModule lsModules possibleModuleNames debuginfo RHDIR CGDIR kname
    debugDLKM sys_info KernelRev kernel CEnum CDefine Bunch TrueOnce
    iterN dbits2str print2columns patch_default_kw getCurrentModule
    registerModuleAttr registerObjAttrHandler API_options debug
    debugReload isfileoutput argv2s require_cmod_version re_apidebug
    t_start t_start_children t_starta pp highlevel pykdump crash sys os
    re string time select stat traceback atexit importlib pprint
    OptionParser Option defaultdict
""".split()

# Names the original did not export that we add on purpose (walkers of
# today's kernel containers); anything else new is an accident.
OURS = {
    'for_all_tasks', 'for_all_threads', 'rbtree_walk', 'xarray_walk',
    'idr_walk', 'maple_walk', 'percpu_addresses', 'percpu_read',
    'WalkError', 'NoField', 'define_struct', 'readPtrArray',
    'thread_group', 'field_offset', 'type_size', 'field_size',
    'debuginfo_dirs', 'find_debuginfo', 'has_dwarf', 'file_build_id',
    'module_build_id', 'build_id_mismatch', 'is_other_build',
    'RecordReader', 'record_reader',
}


class TestInventory(unittest.TestCase):
    """The star import gives every PyKdump name and nothing unexpected."""

    def setUp(self):
        self.ns = {}
        exec('from pykdump.API import *', self.ns)

    def test_all_168_pykdump_names_are_exported(self):
        self.assertEqual(len(PYKDUMP_NAMES), 168)
        missing = [n for n in PYKDUMP_NAMES if n not in self.ns]
        self.assertEqual(missing, [])

    def test_no_unexpected_names_are_exported(self):
        extra = set(self.ns) - set(PYKDUMP_NAMES) - OURS - {'__builtins__'}
        self.assertEqual(sorted(extra), [])

    def test_one_argument_readers_and_aliases(self):
        ns = self.ns
        self.assertIs(ns['readInt'], ns['readS32'])
        self.assertIs(ns['readULong'], ns['readU64'])
        self.assertIs(ns['long'], int)
        self.assertIs(ns['hexl'], hex)
        self.assertIs(ns['exec_gdb_command'], ns['crash'].get_GDB_output)
        self.assertEqual(ns['crash'].WARNING, '+++WARNING+++')
        self.assertEqual((ns['INT_MAX'], ns['LONG_MASK']),
                         (2**31 - 1, 2**64 - 1))

    def test_missing_field_is_both_keyerror_and_attributeerror(self):
        err = self.ns['readSymbol']('init_task')
        with self.assertRaises(KeyError):
            err.no_such_field
        with self.assertRaises(AttributeError):
            err.no_such_field


if __name__ == '__main__':
    unittest.main(argv=['x'], exit=False, verbosity=2)
