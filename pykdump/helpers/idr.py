# SPDX-License-Identifier: GPL-2.0-or-later
"""IDRs: every (id, pointer) of a ``struct idr``.

Mirrors ``include/linux/idr.h`` (``idr_for_each_entry()``): since
Linux commit 0a835c4f090a ("Reimplement IDR and IDA using the radix
tree") (v4.11) an IDR is a radix tree, an xarray since v4.20, offset by
``idr_base``.
"""

from pykdump.helpers.xarray import xarray_walk

__all__ = ['idr_walk']

_MAXEL = 10000


def idr_walk(idr, *, maxel=_MAXEL, strict=False):
    """Generator of (id, pointer) of a struct idr (an xarray inside)."""
    base = int(idr.idr_base) if idr.hasField('idr_base') else 0
    rt = idr.idr_rt
    for index, entry in xarray_walk(rt, maxel=maxel, strict=strict):
        yield index + base, entry
