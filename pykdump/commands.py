# SPDX-License-Identifier: GPL-2.0-or-later
"""crash and gdb commands from Python: their output as text.

``exec_crash_command`` captures a command's output in-process,
``exec_crash_command_bg`` runs it in a forked child with a timeout
(``--timeout``), ``exec_gdb_command`` asks gdb, ``exec_command`` runs
an epython program or a crash command, and :class:`SuppressCrashErrors`
sends crash's error text elsewhere for a block.
"""

import os
import select
import signal
import sys
import time

import crash

from .logging import PyLog

__all__ = ['exec_crash_command', 'exec_crash_command_bg',
           'exec_crash_command_bg2', 'exec_gdb_command', 'exec_command',
           'set_default_timeout', 'SuppressCrashErrors']

pylog = PyLog()
exec_crash_command = crash.exec_crash_command
exec_crash_command_bg2 = crash.exec_crash_command_bg2
set_default_timeout = crash.set_default_timeout
# COMPAT §24.4: exec_gdb_command is the raw C function (None on failure).
exec_gdb_command = crash.get_GDB_output
crash.default_timeout = 120


def exec_crash_command_bg(cmd, timeout=None):
    """Run crash command cmd in a forked child, at most timeout seconds.

    Returns the text collected (partial on timeout, with a pylog.timeout
    message); an abnormal exit is logged as a warning. A timeout of None
    or 0 is ``crash.default_timeout``.
    """
    # As PyKdump: None and 0 both mean the default timeout.
    if not timeout:
        timeout = crash.default_timeout
    sys.stdout.flush()
    fd, pid = crash.exec_crash_command_bg2(cmd)
    chunks = []
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                timed_out = True
                break
            data = os.read(fd, 65536)
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(fd)
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    text = b''.join(chunks).decode('utf-8', 'backslashreplace')
    if timed_out:
        pylog.timeout('%s failed to complete within the timeout period of '
                      '%ds' % (cmd, timeout))
    elif os.WIFSIGNALED(status) or os.WEXITSTATUS(status):
        pylog.warning('%s exited abnormally, %s' % (
            cmd, 'Signal %d' % os.WTERMSIG(status)
            if os.WIFSIGNALED(status) else
            'ExitCode=%d' % os.WEXITSTATUS(status)))
    return text


def exec_command(cmdline):
    """Run an epython program in-process if cmdline names one, else print
    the output of the crash command."""
    words = cmdline.split()
    if words and words[0] in crash.get_epython_cmds():
        crash.exec_epython_command(*words)
    else:
        print(exec_crash_command(cmdline), end='')


class SuppressCrashErrors:
    """``with SuppressCrashErrors():`` send crash's error text elsewhere."""

    def __init__(self, outfile='/dev/null'):
        """Where errors go inside the block."""
        self.outfile = outfile
        self.previous = None

    def __enter__(self):
        self.previous = crash.crash_set_error(self.outfile)
        return self

    def __exit__(self, *exc):
        crash.crash_set_error(self.previous or 'default')
        return False
