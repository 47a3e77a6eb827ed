#!/usr/bin/env bash
# scripts/determinism.sh [VAR=value]...
#
# Contract: boots the same configuration twice under QEMU icount
# (ICOUNT=1 SMP=1 FIRMWARE=bios EMULATOR=qemu) with scripts/boot-test.sh
# and passes (exit 0) only if both boots pass and the kernel's part of the
# two serial logs (from the first line starting with "Atoll " to the end)
# is byte-identical. Otherwise exits 1 with a diff or the failing boot.
# Other boot-test.sh variables (KERNEL, CMDLINE, MEM, CPU, TIMEOUT, EXPECT)
# pass through; LOGDIR (default build/logs) receives determinism-1.log and
# determinism-2.log.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for arg in "$@"; do
    case "$arg" in
        [A-Z]*=*) export "$arg" ;;
        *) echo "determinism.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done
LOGDIR=${LOGDIR:-$ROOT/build/logs}
export ICOUNT=1 SMP=1 FIRMWARE=bios EMULATOR=qemu LOGDIR
mkdir -p "$LOGDIR"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/atoll-determinism.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# The two boots are independent: run them side by side.
pids=()
for i in 1 2; do
    LOG="$LOGDIR/determinism-$i.log" "$ROOT/scripts/boot-test.sh" > "$TMP/boot-$i.out" 2>&1 &
    pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
done
if [ "$failed" = 1 ]; then
    echo "FAIL: determinism: a boot failed"
    cat "$TMP/boot-1.out" "$TMP/boot-2.out"
    exit 1
fi

# kernel_part LOG: the log from the first "Atoll " line on, without CRs.
kernel_part() { tr -d '\r' < "$1" | sed -n '/^Atoll /,$p'; }

for i in 1 2; do
    kernel_part "$LOGDIR/determinism-$i.log" > "$TMP/kernel-$i.log"
    if [ ! -s "$TMP/kernel-$i.log" ]; then
        echo "FAIL: determinism: no line starting with 'Atoll ' in $LOGDIR/determinism-$i.log"
        exit 1
    fi
done
if ! cmp -s "$TMP/kernel-1.log" "$TMP/kernel-2.log"; then
    echo "FAIL: determinism: the two icount boots printed different kernel output"
    diff -u --label determinism-1.log --label determinism-2.log \
        "$TMP/kernel-1.log" "$TMP/kernel-2.log" | head -n 60
    exit 1
fi
echo "PASS: determinism: two icount boots printed identical kernel output" \
     "($(wc -l < "$TMP/kernel-1.log") lines; logs in $LOGDIR/determinism-{1,2}.log)"
