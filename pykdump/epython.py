"""The epython runner: finds a program, runs it in a fresh __main__.

The C side calls :func:`run` for every ``epython`` command and every
bundled program typed as a crash command. It never lets an exception out:
a program that raises prints its traceback and crash's prompt comes back.
"""

import importlib.util
import os
import stat
import sys
import time
import traceback
import types
import zipfile

import crash

import pykdump

__all__ = ['run', 'find_program', 'ProgramNotFound', 'framework_help']

_archive = None


class ProgramNotFound(Exception):
    """No program of that name on disk or in the archive."""


def _decode(path, data):
    """Source text of a program file, as Python decodes a module.

    A ``# -*- coding: NAME -*-`` line (PEP 263) or a BOM is honoured;
    without one the file must be UTF-8. A file that does not decode is a
    SyntaxError naming the file, as ``python3 FILE`` reports it.
    """
    try:
        return importlib.util.decode_source(data)
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b'\n') + 1
        raise SyntaxError('%s: %s (line %d): declare the encoding with a '
                          "'# -*- coding: NAME -*-' line"
                          % (path, e.reason, line), (path, line, 0, None)) \
            from None
    except SyntaxError as e:    # first lines not UTF-8, unknown coding
        raise SyntaxError("%s: %s (a file that is not UTF-8 needs a "
                          "'# -*- coding: NAME -*-' line)" % (path, e.msg),
                          (path, 1, 0, None)) from None


# A session runs the same programs again and again: their source and
# code are kept, the source for as long as the file's stat says it is
# unchanged (what Python's own .pyc check trusts), the code for as long as
# the source is the same text.
_sources = {}
_codes = {}


def _read(path):
    """Decoded source of the file at path; None if it is not a file."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    key = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev)
    hit = _sources.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    with open(path, 'rb') as f:
        source = _decode(path, f.read())
    _sources[path] = (key, source)
    return source


def _compile(path, source):
    """The code object of source (compiled once per path and text)."""
    hit = _codes.get(path)
    if hit is not None and hit[0] == source:
        return hit[1]
    code = compile(source, path, 'exec')
    _codes[path] = (source, code)
    return code


def _so_path():
    """Return the path of mpykdump.so (an entry of sys.path)."""
    for entry in sys.path:
        if entry.endswith('.so') and os.path.isfile(entry):
            return entry
    return None


def _bundled_source(name):
    """Return (path, source) of bundled program name, or None."""
    global _archive
    so = _so_path()
    if so is None:
        return None
    if _archive is None:
        try:
            _archive = zipfile.ZipFile(so)
        except (OSError, zipfile.BadZipFile):
            return None
    for candidate in ('progs/%s' % name, 'progs/%s.py' % name):
        try:
            data = _archive.read(candidate)
        except KeyError:
            continue
        return candidate, _decode(candidate, data)
    return None


def _search_dirs():
    """Return the directories of $PYKDUMPPATH."""
    return [d for d in os.environ.get('PYKDUMPPATH', '').split(':') if d]


def find_program(name, bundled_only=False):
    """Return (path, source) of program name.

    Lookup order: name as a path, then NAME and NAME.py in each
    directory of $PYKDUMPPATH, then the programs bundled in mpykdump.so.
    Raise ProgramNotFound naming where it looked.
    """
    searched = []
    if not bundled_only:
        searched.append(name)
        source = _read(name)
        if source is not None:
            return name, source
        for d in _search_dirs():
            for candidate in (name, name + '.py'):
                path = os.path.join(d, candidate)
                source = _read(path)
                if source is not None:
                    return path, source
            searched.append('$PYKDUMPPATH ' + d)
    found = _bundled_source(os.path.splitext(os.path.basename(name))[0])
    if found:
        return found
    searched.append('bundled progs')
    raise ProgramNotFound("epython: no program '%s' (searched: %s)"
                          % (name, ', '.join(searched)))


def framework_help():
    """Return the text of ``epython --ehelp``: the framework options.

    Made from pykdump.FRAMEWORK_OPTIONS, the table that parses them.
    """
    rows = [(opt if o.metavar is None else '%s %s' % (opt, o.metavar),
             o.meaning) for opt, o in pykdump.FRAMEWORK_OPTIONS.items()]
    width = max(len(left) for left, _ in rows) + 2
    lines = ['Framework options, accepted by every program (epython PROG '
             'or PROG),',
             'anywhere in its arguments; --opt=VALUE works too:', '']
    lines += ['  %-*s%s' % (width, left, meaning) for left, meaning in rows]
    return '\n'.join(lines)


def _print_versions():
    """Print the versions of everything involved (epython -v)."""
    info = crash.sysinfo()
    print('mpykdump C module %s (built %s for crash %s)'
          % (crash.version, crash.build_date, crash.Crash_build))
    print('pykdump API %s' % pykdump.__version__)
    print('Python %s' % sys.version.split()[0])
    print('crash %s' % info['crash_version'])
    print('types: %s' % crash.type_origin())
    print('extension %s' % _so_path())


def _reload_modules():
    """Forget pykdump and programs' modules so the next import re-reads."""
    global _archive
    _archive = None
    _sources.clear()
    _codes.clear()
    try:
        from pykdump import memocaches
        memocaches.purge_memoize_cache(memocaches.CU_PYMOD)
        memocaches.PY_select_purge()
    except (ImportError, AttributeError):
        pass
    for name in list(sys.modules):
        if name == 'pykdump.epython' or name == 'pykdump':
            continue
        mod = sys.modules[name]
        path = getattr(mod, '__file__', None) or ''
        if name.startswith('pykdump.') or name.startswith('helpers') or \
                (path and not path.startswith(sys.base_prefix)
                 and not path.startswith(sys.prefix)):
            del sys.modules[name]


def _option_value(name, value):
    """The checked value of framework option name (OptionError if bad)."""
    option = pykdump.FRAMEWORK_OPTIONS[name]
    kind, minimum = option.kind, option.minimum
    if value is None:
        raise pykdump.OptionError('%s needs a value' % name)
    if kind == 'path':
        if not value:
            raise pykdump.OptionError('%s needs a file name' % name)
        return value
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise pykdump.OptionError('%s needs an integer >= %d, not %r'
                                  % (name, minimum, value))
    return number


def _split_options(argv):
    """(framework options dict, remaining args) from argv[1:].

    COMPAT §24.12: options are taken from anywhere in the arguments.
    Values are checked here, before anything is applied: a bad one raises
    pykdump.OptionError, which the runner prints on one line.
    """
    opts, rest = {}, []
    it = iter(argv)
    for a in it:
        name, eq, value = a.partition('=')
        if name not in pykdump.FRAMEWORK_OPTIONS:
            rest.append(a)
        elif pykdump.FRAMEWORK_OPTIONS[name].kind is None:
            if eq:
                raise pykdump.OptionError('%s takes no value' % name)
            opts[name[2:]] = True
        else:
            if not eq:
                value = next(it, None)
            opts[name[2:]] = _option_value(name, value)
    return opts, rest


class _Run:
    """The lifecycle of one program run: framework options in, summary out.

    The runner parses the framework options (pykdump.FRAMEWORK_OPTIONS)
    out of the program's argv and applies what needs no API (--reload,
    --ofile) itself. What the API holds (--maxel, --timeout, --usens,
    --debug, API_options, pylog) is applied by :meth:`enter` on the
    ``pykdump.API`` module: before the program if the API is already
    imported, else when the program first imports it. A program that
    never imports the API gets no banner and no summary.
    """

    def __init__(self, argv, opts):
        """argv: the command line as typed; opts: its framework options."""
        self.argv = argv
        self.opts = opts
        self.api = None
        self.saved_stdout = None
        self.t0 = self.c0 = self.ch0 = None

    def redirect(self):
        """--ofile: the program's output goes to the file (opened first:
        a bad path is an OptionError and nothing changed)."""
        if 'ofile' not in self.opts:
            return
        try:
            ofile = open(self.opts['ofile'], 'w', encoding='utf-8')
        except OSError as e:
            raise pykdump.OptionError('--ofile: cannot write %s: %s'
                                      % (self.opts['ofile'], e.strerror)) \
                from None
        self.saved_stdout, sys.stdout = sys.stdout, ofile

    def enter(self, api):
        """Reset the API's per-run state and apply the options to it."""
        opts = self.opts
        self.api = api
        api.DCache.cleartmp()
        api.pylog.cleanup()
        self.t0 = time.time()
        self.c0 = time.process_time()
        self.ch0 = os.times().children_user
        api.API_options.experimental = 'experimental' in opts
        api.API_options.dumpcache = 'dumpcache' in opts
        # per run: a --debug of an earlier run does not stay on
        api.debug = api.API_options.debug = opts.get('debug', 0)
        if 'debug' in opts:
            print('argv:', self.argv)
        # Looked up now: --reload may have replaced the module.
        from pykdump import memocaches
        timeout = opts.get('timeout', 120)
        if timeout > getattr(crash, 'default_timeout', 120):
            memocaches.purge_memoize_cache(memocaches.CU_TIMEOUT)
        crash.default_timeout = timeout
        crash.set_default_timeout(timeout)
        api.setListMaxel(opts.get('maxel', 10000))
        api.set_nsproxy(None)
        if 'usens' in opts:
            print(' *=*=* Using namespaces of PID %s *=*=*' % opts['usens'])
            api.set_nsproxy(opts['usens'])
        crash.set_readmem_task(0)
        memocaches.set_live(_live())
        if api.isfileoutput():
            print(' %s ' % api.argv2s([os.path.basename(self.argv[0])] +
                                      self.argv[1:]).center(60, '*'))
            info = api.sys_info
            print((' %s (%s) ' % (info.DUMPFILE, info.RELEASE)
                   ).center(77, 'o'))

    def leave(self):
        """After the program (also after an exception): the API's summary
        and timing if it was used; stdout back from --ofile."""
        try:
            if self.api is not None:
                self.api.pylog.onexit()
                crash.set_readmem_task(0)
                children = os.times().children_user - self.ch0
                line = '\n ** Execution took %6.2fs (real) %6.2fs (CPU)' % (
                    time.time() - self.t0, time.process_time() - self.c0)
                if children > 0.001:
                    line += ', Child processes: %6.2fs' % children
                print(line)
            sys.stdout.flush()
        except BrokenPipeError:
            pass
        finally:
            if self.saved_stdout is not None:
                sys.stdout.close()
                sys.stdout = self.saved_stdout
                self.saved_stdout = None


_live_dump = None


def _live():
    """Whether the session is a live kernel (asked once: it cannot change)."""
    global _live_dump
    if _live_dump is None:
        _live_dump = bool(crash.sysinfo()['live'])
    return _live_dump


def _report(exc):
    """Print an exception raised by a program the way users expect."""
    if isinstance(exc, BrokenPipeError):
        return  # the reader (| head) went away: not an error
    if isinstance(exc, pykdump.OptionError):
        print('epython: %s' % exc)
        return
    if isinstance(exc, SystemExit):
        status = exc.code
        if status not in (None, 0):
            if isinstance(status, int):
                print(' -- sys.exit(%d) --' % status)
            else:
                print(status, file=sys.stderr)
        return
    tb = exc.__traceback__
    # The runner's own frames say nothing about the program's error.
    while tb is not None and \
            tb.tb_frame.f_globals.get('__name__') == __name__:
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb)


def _execute(path, source, argv):
    """Run source as __main__ with sys.argv = argv (framework options out)."""
    main = types.ModuleType('__main__')
    main.__file__ = path
    main.__builtins__ = __builtins__
    saved_main = sys.modules.get('__main__')
    saved_argv = sys.argv
    saved_path = list(sys.path)
    run = None
    # A program read from disk (not from the .so) imports its neighbours.
    directory = os.path.dirname(os.path.abspath(path)) \
        if path in _sources else None
    try:
        try:
            opts, rest = _split_options(argv[1:])
            if 'reload' in opts:
                _reload_modules()
            codeobj = _compile(path, source)
            run = _Run(argv, opts)
            run.redirect()
            sys.modules['__main__'] = main
            sys.argv = [argv[0]] + rest
            if directory:
                sys.path.insert(0, directory)
            api = sys.modules.get('pykdump.API')
            if api is not None:
                run.enter(api)
            else:
                pykdump.api_import_hook = run.enter
            exec(codeobj, main.__dict__)
        except BaseException as exc:  # the crash session must survive
            _report(exc)
        finally:
            pykdump.api_import_hook = None
        if run is not None:
            try:
                run.leave()
            except BaseException as exc:
                _report(exc)
    finally:
        sys.modules['__main__'] = saved_main
        sys.argv = saved_argv
        sys.path[:] = saved_path
        try:
            sys.stdout.flush()
        except (BrokenPipeError, ValueError, AttributeError):
            pass  # a closed or replaced stream: the C side resets them
        # The program's functions hold its globals (__globals__) and the
        # globals hold them: a cycle only a full collection frees, which
        # a session of small runs may never reach. Break it now.
        main.__dict__.clear()


def _console():
    """Interactive console on crash's input, with the API imported."""
    namespace = {'__name__': '__console__'}
    try:
        exec('from pykdump.API import *', namespace)
    except Exception as exc:  # the console still helps without the API
        _report(exc)
    from pykdump import console
    console.interact(namespace, 'Python %s in crash: pykdump API %s; '
                     'exit() or EOF leaves' % (sys.version.split()[0],
                                               pykdump.__version__))


def _leading_options(argv):
    """(framework options, the rest) of an argv whose options come first.

    ``epython --maxel=5 prog args`` is ``epython prog --maxel=5 args``
    (docs/user-guide.md): the program's API takes them from anywhere.
    OptionError for another ``--option`` before the program name.
    """
    lead = []
    argv = list(argv)
    while argv and argv[0].startswith('--'):
        name, eq, _value = argv[0].partition('=')
        option = pykdump.FRAMEWORK_OPTIONS.get(name)
        if option is None:
            raise pykdump.OptionError('unknown option %s (epython -h lists '
                                      "epython's own)" % name)
        lead.append(argv.pop(0))
        if option.kind is not None and not eq and argv:
            lead.append(argv.pop(0))
    return lead, argv


def run(argv, version=False, path=False, reload=False, bundled=False,
        debug=-1, ehelp=False):
    """Run one epython command line; never raises.

    argv[0] is the program (an empty argv opens the console); the keyword
    arguments are the epython options.
    """
    try:
        if ehelp:
            print(framework_help())
            return
        if debug >= 0:
            crash.debug(debug)
        problem = pykdump.require_cmod_version(cmod=crash)
        if problem:
            print(problem)
            return
        if reload:
            _reload_modules()
        if version:
            _print_versions()
        if path:
            print(sys.version)
            for entry in sys.path:
                print('   ', entry)
        lead, argv = _leading_options(argv)
        if lead and not argv:
            raise pykdump.OptionError('%s: no program to run' % lead[0])
        if not argv:
            if not (version or path or debug >= 0):
                _console()
            return
        try:
            prog_path, source = find_program(argv[0], bundled_only=bundled)
        except ProgramNotFound as exc:
            print(exc)
            return
        _execute(prog_path, source, [prog_path] + lead + list(argv[1:]))
    except BaseException as exc:  # never unwind into crash's C code
        _report(exc)
