# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-side tests: start crash on the fixture and read what it prints."""
