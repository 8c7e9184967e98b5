# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# shellcheck disable=SC2034  # SO and FLOOR are for the sourcing script
# Sourced by bench/run-bench.sh and bench/run-bench-sockets.sh: TOP (the
# tree, made the current directory), SO and FLOOR (absolute paths of
# mpykdump.so and bench/mpkfloor.so; MPK_SO and MPK_FLOOR override them).
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit
SO=$(realpath "${MPK_SO:-mpykdump.so}")
FLOOR=$(realpath "${MPK_FLOOR:-bench/mpkfloor.so}")
