#!/usr/bin/env bash
# scripts/entry-report.sh [LOGDIR]   (make test runs it after CTest)
#
# Contract: prints the longest kernel entry that the boot logs in LOGDIR
# (default build/logs) report (`longest kernel entry: N tsc ...`, entrystats,
# docs/kernel.md): the figure of record from boot.longest-entry (one core
# under -icount: N is instructions, bounded at 100,000), then the largest
# over every other boot (TSC ticks of emulated time without icount: not
# instructions, not bounded; shown to be chased). Exit 0 always; prints
# nothing when no log has such a line.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOGDIR=${1:-$ROOT/build/logs}
[ -d "$LOGDIR" ] || exit 0

# line_of LOG...: "N<TAB>log<TAB>line" of the largest N in these logs.
line_of() {
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        tr -d '\r' < "$f" | sed -nE "s|^(longest kernel entry: ([0-9]+) tsc.*)|\\2\t$(basename "$f" .log)\t\\1|p"
    done | sort -n -k1,1 | tail -n 1
}

icount=$(line_of "$LOGDIR/longest-entry.log")
others=$(line_of $(ls "$LOGDIR"/*.log 2>/dev/null | grep -v '/longest-entry\.log$'))
if [ -n "$icount" ]; then
    echo "Longest kernel entry (boot.longest-entry, one core under icount, bound 100000):"
    echo "  ${icount#*$'\t'*$'\t'}"
fi
if [ -n "$others" ]; then
    rest=${others#*$'\t'}
    echo "Longest in the other boots (boot.${rest%%$'\t'*}, TSC without icount: emulated time, not bounded):"
    echo "  ${rest#*$'\t'}"
fi
exit 0
