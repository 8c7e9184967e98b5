# SPDX-License-Identifier: GPL-2.0-or-later
"""The kernel as a whole: the names of one module per subsystem.

The old import path of :mod:`pykdump.helpers.utsname` (uname),
:mod:`~pykdump.helpers.uptime` (jiffies, uptime, dump time, load),
:mod:`~pykdump.helpers.taint`, :mod:`~pykdump.helpers.printk` (the log
buffer), :mod:`~pykdump.helpers.panic`, :mod:`~pykdump.helpers.sysctl`
and :mod:`~pykdump.helpers.workqueue`: ``from pykdump.helpers import
kernel as K; K.uname()`` keeps working. New code imports the subsystem's
module; the functions are documented there.
"""

from pykdump.helpers.panic import (find_log_problems, panic_cpu,
                                   panic_message)
from pykdump.helpers.printk import LogRecord, log_lines, log_records
from pykdump.helpers.sysctl import (WELL_KNOWN_SYSCTLS, for_each_sysctl,
                                    read_sysctl_variable, sysctl_value)
from pykdump.helpers.taint import taint_flags, taint_string, tainted_mask
from pykdump.helpers.uptime import (dump_time, jiffies, load_average,
                                    uptime_seconds)
from pykdump.helpers.utsname import uname
from pykdump.helpers.workqueue import (for_each_worker_pool,
                                       for_each_workqueue, pool_busy_workers,
                                       pool_pending_works, pwq_max_active,
                                       workqueue_pwqs)

__all__ = ['uname', 'uptime_seconds', 'jiffies', 'load_average',
           'dump_time', 'tainted_mask', 'taint_flags', 'taint_string',
           'LogRecord', 'log_records', 'log_lines', 'panic_cpu',
           'panic_message', 'find_log_problems', 'for_each_sysctl',
           'sysctl_value', 'WELL_KNOWN_SYSCTLS', 'read_sysctl_variable',
           'for_each_worker_pool', 'for_each_workqueue',
           'pool_pending_works', 'pool_busy_workers', 'workqueue_pwqs',
           'pwq_max_active']
