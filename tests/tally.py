# SPDX-License-Identifier: GPL-2.0-or-later
"""Sum the results of the parts of a test run into one closing line.

    python3 tests/tally.py LOGDIR

LOGDIR holds, for each part named in LOGDIR/parts, NAME.log (its output)
and NAME.rc (its exit status); tests/run-tests.sh writes them. Each part
is counted from what its runner printed:

* our own closing line ``N passed, N failed[, N skipped]`` (the last one),
* else Check's ``NN%: Checks: N, Failures: N, Errors: N`` lines, summed,
* else unittest's ``Ran N tests`` and ``OK``/``FAILED (...)``,
* else the part is one test, passed if it exited 0.

The set-up parts (build, fixture) are not tests: they count one failure
when they fail, nothing when they work.

A part that exited non-zero without a failure counted is one failure more
(its runner died); so is a crash session's sanitizer report. The last line
printed is ``N passed, N failed`` (``, N skipped`` if any were skipped);
the exit status is 1 if anything failed.
"""

import os
import re
import sys

OURS = re.compile(
    r'^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$')
CHECK = re.compile(r'^\d+%: Checks: (\d+), Failures: (\d+), Errors: (\d+)')
RAN = re.compile(r'^Ran (\d+) tests? in ')
UNITTEST_END = re.compile(r'^(OK|FAILED)(?: \((.*)\))?$')
SANITIZER = re.compile(r'ERROR: (Address|Leak)Sanitizer|: runtime error: ')
# Steps that make what the tests need.
SETUP = ('build', 'fixture', 'fixture-kdump')
PROGRESS = re.compile(r'^(PASS|XFAIL|FAIL|ERROR|XPASS|SKIP) ')


def count_unittest(text):
    """Return (passed, failed, skipped) from unittest's output, or None."""
    ran = end = None
    for line in text.splitlines():
        m = RAN.match(line)
        if m:
            ran = int(m.group(1))
        m = UNITTEST_END.match(line.strip())
        if m and ran is not None:
            end = m
    if ran is None or end is None:
        return None
    fields = {}
    for item in (end.group(2) or '').split(','):
        key, _, value = item.strip().partition('=')
        if value.isdigit():
            fields[key] = int(value)
    failed = fields.get('failures', 0) + fields.get('errors', 0) + \
        fields.get('unexpected successes', 0)
    skipped = fields.get('skipped', 0)
    return max(ran - failed - skipped, 0), failed, skipped


def count(text):
    """Return (passed, failed, skipped, how) for one part's output."""
    ours = [m for m in map(OURS.match, text.splitlines()) if m]
    if ours:
        m = ours[-1]
        return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0), ''
    checks = [m for m in map(CHECK.match, text.splitlines()) if m]
    if checks:
        total = sum(int(m.group(1)) for m in checks)
        bad = sum(int(m.group(2)) + int(m.group(3)) for m in checks)
        return total - bad, bad, 0, ''
    res = count_unittest(text)
    if res:
        return res + ('',)
    # No closing line: a crash session that died. Count what it printed.
    progress = [m.group(1) for m in map(PROGRESS.match, text.splitlines())
                if m]
    if progress:
        return (sum(w in ('PASS', 'XFAIL') for w in progress),
                sum(w in ('FAIL', 'ERROR', 'XPASS') for w in progress),
                progress.count('SKIP'), 'no closing line')
    return None


def main(logdir):
    """Print the per-part table and the closing line; return the status."""
    with open(os.path.join(logdir, 'parts'), encoding='utf-8') as f:
        parts = [p.strip() for p in f if p.strip()]
    total = [0, 0, 0]
    print('\n=== summary')
    for name in parts:
        with open(os.path.join(logdir, name + '.log'), encoding='utf-8',
                  errors='replace') as f:
            text = f.read()
        with open(os.path.join(logdir, name + '.rc'), encoding='utf-8') as f:
            rc = int(f.read().strip() or 1)
        res = count(text)
        notes = []
        if name in SETUP:
            # not tests: only their failure counts
            passed, failed, skipped = 0, int(rc != 0), 0
            print('  %-22s %s' % (name, 'ok' if rc == 0 else
                                  'FAILED (exit status %d): 1 failed' % rc))
            total[1] += failed
            continue
        if res is None:
            passed, failed, skipped = (1, 0, 0) if rc == 0 else (0, 1, 0)
            notes.append('counted as one test')
        else:
            passed, failed, skipped, how = res
            if how:
                notes.append(how)
        if rc != 0 and failed == 0:
            failed += 1
            notes.append('exit status %d' % rc)
        if name.startswith('integration') and SANITIZER.search(text):
            failed += 1
            notes.append('sanitizer report')
        for i, n in enumerate((passed, failed, skipped)):
            total[i] += n
        print('  %-22s %5d passed, %4d failed, %4d skipped%s'
              % (name, passed, failed, skipped,
                 '  (%s)' % '; '.join(notes) if notes else ''))
    line = '%d passed, %d failed' % (total[0], total[1])
    if total[2]:
        line += ', %d skipped' % total[2]
    print(line)
    return 1 if total[1] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else 'build/test-logs'))
