#!/usr/bin/env bash
# bench/run.sh [BUILD]   (what `make bench` runs, after building)
#
# Contract: builds BUILD/bench/bench.iso (kernel + bench_ipc as the root task
# "init" + bench_server, command line "bench=ipc-icount"), boots it once in
# QEMU under -icount shift=0,sleep=off (guest TSC = retired instructions,
# exactly repeatable), -smp 1, with a timeout; keeps the serial log in
# BUILD/bench/ipc.log; writes BUILD/bench/ipc.json (a JSON array, one object
# per case, from the guest's `BENCH {...}` lines) and prints the guest's
# IPC table and targets. Exit 0 when the guest ended the run cleanly and
# every case was reported; else 1 with the reason and the log's tail.
# Variables: TIMEOUT (seconds, default 120), MEM (default 256M),
# BENCH_CMDLINE (extra kernel options, e.g. fastpath=off).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-build}
TIMEOUT=${TIMEOUT:-120}
MEM=${MEM:-256M}
OUT=$BUILD/bench
ISO=$OUT/bench.iso
LOG=$OUT/ipc.log
JSON=$OUT/ipc.json
CASES="null_syscall call_intra_as replyrecv_intra_as call_inter_as replyrecv_inter_as
       call_inter_as_4w call_inter_as_10w replyrecv_inter_as_10w send_low_to_high
       signal_wait yield"

fail() {
    echo "bench: FAIL: $*"
    [ -f "$LOG" ] && { echo "--- last lines of $LOG:"; tail -n 30 "$LOG"; }
    exit 1
}

mkdir -p "$OUT"
"$ROOT/scripts/mkiso.sh" --out "$ISO" --kernel "$BUILD/kernel/atoll.elf" \
    --module "$BUILD/userland/bench_ipc=init" --module "$BUILD/userland/bench_server=bench_server" \
    --cmdline "bench=ipc-icount ${BENCH_CMDLINE:-}" || fail "could not build $ISO"

rm -f "$LOG" "$JSON"
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -M q35 -cdrom "$ISO" -boot d -smp 1 -m "$MEM" -cpu max \
    -icount shift=0,sleep=off -rtc clock=vm -display none -serial "file:$LOG" -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -monitor none </dev/null >"$OUT/qemu.stderr" 2>&1
status=$?
[ "$status" = 124 ] && fail "QEMU did not finish within $TIMEOUT s"
# isa-debug-exit: the guest's verdict 0 (pass) arrives as status 33.
[ "$status" = 33 ] || fail "QEMU exited with status $status (33 = the guest ended the run cleanly)"

# The log without CRs; the BENCH lines become the JSON array.
clean=$(tr -d '\r' < "$LOG")
bench=$(printf '%s\n' "$clean" | sed -n 's/^BENCH \({.*}\)$/\1/p')
for c in $CASES; do
    n=$(printf '%s\n' "$bench" | grep -c "^{\"name\":\"$c\",")
    [ "$n" = 1 ] || fail "case $c reported $n times (want 1)"
done
printf '%s\n' "$bench" | awk 'BEGIN { print "[" } { printf "%s  %s", (NR > 1 ? ",\n" : ""), $0 }
                               END { print "\n]" }' > "$JSON"

# The guest's table and targets: from its table title to the reference line.
printf '%s\n' "$clean" | sed -n '/^IPC latency (one-way)/,/^Reference (same emulator)/p' |
    sed 's/^| Name | Year | Processor | MHz | Cycles | us |$/| Name | Year | Processor | MHz | Cycles | µs |/'
echo "bench: $(printf '%s\n' "$bench" | wc -l) cases in $JSON (serial log $LOG)"
