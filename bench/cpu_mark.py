# SPDX-License-Identifier: GPL-2.0-or-later
"""Print this crash process's CPU seconds so far (bench/run-bench-types.sh).

``epython bench/cpu_mark.py NAME`` prints ``cpumark NAME SECONDS``: user +
system time of the whole process (crash, its gdb and Python alike), so
the difference between two marks is what the command between them cost.
"""

import resource
import sys

usage = resource.getrusage(resource.RUSAGE_SELF)
print('cpumark %s %.4f' % (sys.argv[1] if len(sys.argv) > 1 else '-',
                           usage.ru_utime + usage.ru_stime))
