#!/usr/bin/env bash
# bench/run.sh [BUILD]   (what `make bench` runs, after building)
#
# Contract: two boots under QEMU -icount shift=0,sleep=off (guest TSC =
# retired instructions, exactly repeatable), each with a timeout:
#  1. BUILD/bench/bench.iso (kernel + bench_ipc as the root task "init" +
#     bench_server, command line "bench=ipc-icount"), -smp 1: serial log
#     BUILD/bench/ipc.log, BUILD/bench/ipc.json (a JSON array, one object
#     per case, from the guest's `BENCH {...}` lines); prints the guest's
#     IPC table and targets.
#  2. BUILD/bench/xcluster.iso (bench_ipc as "init", "bench=xcluster-icount
#     cluster_size=1"), -smp 2: two clusters of one core; serial log
#     BUILD/bench/xcluster.log, BUILD/bench/xcluster.json; prints the
#     cross-cluster table (round trips, IPIs per message).
# Exit 0 when both guests ended their runs cleanly and every case was
# reported; else 1 with the reason and the log's tail.
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
XISO=$OUT/xcluster.iso
XLOG=$OUT/xcluster.log
XJSON=$OUT/xcluster.json
XCASES="xcluster_notif_rtt xcluster_ring_rtt xcluster_ring_stream"
CASES="null_syscall call_intra_as replyrecv_intra_as call_inter_as replyrecv_inter_as
       call_inter_as_4w call_inter_as_10w replyrecv_inter_as_10w send_low_to_high
       signal_wait yield"

fail() {
    echo "bench: FAIL: $*"
    [ -f "$LOG" ] && { echo "--- last lines of $LOG:"; tail -n 30 "$LOG"; }
    exit 1
}

# boot ISO LOG SMP: one icount run; fails unless the guest ended it cleanly.
boot() {
    rm -f "$2"
    timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -M q35 -cdrom "$1" -boot d -smp "$3" -m "$MEM" -cpu max \
        -icount shift=0,sleep=off -rtc clock=vm -display none -serial "file:$2" -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -monitor none </dev/null >"$OUT/qemu.stderr" 2>&1
    local status=$?
    [ "$status" = 124 ] && fail "QEMU did not finish within $TIMEOUT s"
    # isa-debug-exit: the guest's verdict 0 (pass) arrives as status 33.
    [ "$status" = 33 ] || fail "QEMU exited with status $status (33 = the guest ended the run cleanly)"
}

# json_of LOG JSON CASES: the log's BENCH lines as a JSON array; each case
# must be reported exactly once.
json_of() {
    local bench n c
    bench=$(tr -d '\r' < "$1" | sed -n 's/^BENCH \({.*}\)$/\1/p')
    for c in $3; do
        n=$(printf '%s\n' "$bench" | grep -c "^{\"name\":\"$c\",")
        [ "$n" = 1 ] || fail "case $c reported $n times (want 1)"
    done
    printf '%s\n' "$bench" | awk 'BEGIN { print "[" } { printf "%s  %s", (NR > 1 ? ",\n" : ""), $0 }
                                   END { print "\n]" }' > "$2"
}

mkdir -p "$OUT"
"$ROOT/scripts/mkiso.sh" --out "$ISO" --kernel "$BUILD/kernel/atoll.elf" \
    --module "$BUILD/userland/bench_ipc=init" --module "$BUILD/userland/bench_server=bench_server" \
    --cmdline "bench=ipc-icount ${BENCH_CMDLINE:-}" || fail "could not build $ISO"

rm -f "$JSON" "$XJSON"
boot "$ISO" "$LOG" 1
json_of "$LOG" "$JSON" "$CASES"

# screen_fit LOG FIRST LAST: the lines from /FIRST/ to /LAST/ (what the
# guest leaves on a PC's screen) fit it: at most 23 lines (with the run's end
# message, 25) of at most 79 columns (80 would wrap on VGA text).
screen_fit() {
    local lines
    lines=$(tr -d '\r' < "$1" | sed -n "/$2/,/$3/p")
    [ -n "$lines" ] || fail "no table from /$2/ to /$3/ in $1"
    [ "$(printf '%s\n' "$lines" | wc -l)" -le 23 ] || fail "the table of $1 is more than 23 lines"
    ! printf '%s\n' "$lines" | grep -q '.\{80\}' || fail "a table line of $1 is wider than 79 columns"
    ! printf '%s\n' "$lines" | grep -q '^BENCH ' || fail "a BENCH line inside the table of $1"
}

# The guest's table and targets: from its table title to the reference line.
screen_fit "$LOG" '^IPC latency (one-way)' '^| Atoll ReplyRecv'
tr -d '\r' < "$LOG" | sed -n '/^IPC latency (one-way)/,/^Reference (same emulator)/p' |
    sed -E 's/^(\| Name .*\| Cycles \| +)  us \|$/\1  µs |/'
echo "bench: $(grep -c '^BENCH ' "$LOG") cases in $JSON (serial log $LOG)"

# Cross-cluster: two clusters of one core each.
echo
"$ROOT/scripts/mkiso.sh" --out "$XISO" --kernel "$BUILD/kernel/atoll.elf" \
    --module "$BUILD/userland/bench_ipc=init" --cmdline "bench=xcluster-icount cluster_size=1 ${BENCH_CMDLINE:-}" ||
    fail "could not build $XISO"
LOG=$XLOG
boot "$XISO" "$XLOG" 2
grep -q "they agree" "$XLOG" || fail "the clusters' IPI counts were not reported or disagree"
json_of "$XLOG" "$XJSON" "$XCASES"
screen_fit "$XLOG" '^Cross-cluster (' '^| ring stream'
tr -d '\r' < "$XLOG" | sed -n '/^bench: IPIs: /p; /^Cross-cluster (/,/^| ring stream/p'
echo "bench: $(grep -c '^BENCH ' "$XLOG") cross-cluster cases in $XJSON (serial log $XLOG)"
