#!/usr/bin/env bash
# scripts/abi-tables.sh: print the ABI tables of docs/abi.md from the .def
# files in lib/include/abi/ (the one source of the ABI). With --check,
# exit 1 unless docs/abi.md contains exactly this output between its
# "<!-- abi-tables -->" markers.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ABI=$ROOT/lib/include/abi

# rows FILE: each X(...) line's arguments, split on commas outside quotes.
rows() {
    grep -E '^X\(' "$1" | sed -E 's/^X\((.*)\)[[:space:]]*$/\1/'
}

tables() {
    echo "### System calls (rax)"
    echo
    echo "| number | name | what it does |"
    echo "|---|---|---|"
    rows "$ABI/syscalls.def" | sed -E 's/^([A-Z_]+), *([0-9]+), *"(.*)"$/| \2 | \1 | \3 |/'
    echo
    echo "### Errors (rax on return)"
    echo
    echo "| value | name | meaning |"
    echo "|---|---|---|"
    rows "$ABI/errors.def" | sed -E 's/^([A-Z_]+), *([0-9]+), *"(.*)"$/| \2 | E_\1 | \3 |/'
    echo
    echo "### Object types"
    echo
    echo "| value | type | size (log2 bytes; 0 = chosen at retype) |"
    echo "|---|---|---|"
    rows "$ABI/objects.def" | sed -E 's/^([A-Z_0-9]+), *([0-9]+), *([0-9]+)$/| \2 | \1 | \3 |/'
    echo
    echo "### Invocation labels"
    echo
    echo "| label | name | object | arguments (MR0-MR3, then IPC buffer words) |"
    echo "|---|---|---|---|"
    rows "$ABI/labels.def" | sed -E 's/^([A-Z_0-9]+), *([0-9]+), *([A-Z_]+), *"(.*)"$/| \2 | \1 | \3 | \4 |/'
}

if [ "${1-}" = "--check" ]; then
    doc=$ROOT/docs/abi.md
    want=$(tables)
    have=$(sed -n '/<!-- abi-tables -->/,/<!-- \/abi-tables -->/p' "$doc" | sed '1d;$d')
    if [ "$want" != "$have" ]; then
        echo "docs/abi.md tables are out of date; regenerate with scripts/abi-tables.sh" >&2
        diff <(echo "$want") <(echo "$have") >&2 || true
        exit 1
    fi
    echo "docs/abi.md tables match the .def files"
    exit 0
fi
tables
