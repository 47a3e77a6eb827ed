#!/usr/bin/env bash
# scripts/fuzz.sh [VAR=value]...
#
# Runs the stateful fuzzer (docs/fuzzing.md) in one boot and prints one
# line: calls, share that succeeded, oracle checks, the kernel's invariant
# checks (kcheck=on; "n/a" if the kernel does not print them), violations.
# Exit 0 only if the run ended cleanly with no violation.
#
# On a failure it shrinks (SHRINK=1): each candidate is a fresh boot with
# fuzz_keep= naming the calls to make. First the shortest failing prefix
# (the guest names the call of the first violation; a kernel that died is
# bisected), then delta debugging removes chunks, then single calls, while
# the same kind of failure remains; at most MAX_BOOTS boots. The shortest
# sequence is then booted once more with fuzz_trace=1, which prints it.
#
# Variables (environment or arguments):
#   CALLS  calls to make            10000     SEED     seed              1
#   SMP    CPUs                     1         CMDLINE  more kernel options (e.g. cluster_size=1)
#   SHRINK 1: shrink a failure      1         MAX_BOOTS boots for shrinking  60
#   TIMEOUT seconds per boot        300       KERNEL, MODULES, LOGDIR: as for boot-test.sh
#   KEEP   a fuzz_keep= list to run instead of all calls (no shrinking)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for arg in "$@"; do
    case "$arg" in
        [A-Z]*=*) export "$arg" ;;
        *) echo "fuzz.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done
CALLS=${CALLS:-10000}
SEED=${SEED:-1}
SMP=${SMP:-1}
CMDLINE=${CMDLINE:-}
SHRINK=${SHRINK:-1}
MAX_BOOTS=${MAX_BOOTS:-60}
TIMEOUT=${TIMEOUT:-300}
KEEP=${KEEP:-}
KERNEL=${KERNEL:-$ROOT/build/kernel/atoll.elf}
MODULES=${MODULES:-$ROOT/build/userland/init=init $ROOT/build/userland/peer=peer}
LOGDIR=${LOGDIR:-$ROOT/build/logs}
[[ $CALLS =~ ^[0-9]+$ && $SEED =~ ^[0-9]+$ ]] || { echo "fuzz.sh: CALLS and SEED must be numbers" >&2; exit 2; }
mkdir -p "$LOGDIR"
BOOTS=0

# boot LOG [fuzz_keep list] [extra options]: one run; sets BOOT_STATUS.
boot() {
    local log=$1 keep=${2:-} extra=${3:-} cmd="test=fuzz fuzz=$CALLS seed=$SEED kcheck=on $CMDLINE"
    [ -z "$keep" ] || cmd+=" fuzz_keep=$keep"
    [ -z "$extra" ] || cmd+=" $extra"
    BOOTS=$((BOOTS + 1))
    KERNEL=$KERNEL MODULES=$MODULES SMP=$SMP CMDLINE="$cmd" TIMEOUT=$TIMEOUT LOG=$log \
        "$ROOT/scripts/boot-test.sh" >"$log.verdict" 2>&1
    BOOT_STATUS=$?
}

# sum FIELD-REGEX LOG: the sum over the clusters' summary lines.
sum() {
    sed -nE "s/^fuzz\[[0-9]+\]:.*[^0-9]([0-9]+) $1.*/\1/p" "$2" | awk '{s += $1} END {print s + 0}'
}

# failure LOG: the kind of failure of a run ("" if none), in FAIL_KIND,
# and the first violating call in FAIL_AT (-1 if unknown).
failure() {
    local log=$1 first
    FAIL_KIND="" FAIL_AT=-1
    first=$(grep -m1 -E '^fuzz\[[0-9]+\]: VIOLATION ' "$log")
    if grep -qE 'kcheck: .*violation|kcheck: invariant' "$log" && ! grep -qE '^kcheck: [0-9]+ entry checks, [0-9]+ full checks, 0 violations' "$log"; then
        FAIL_KIND=kcheck
    elif grep -qE 'EXCEPTION #|PANIC|panic:' "$log"; then
        FAIL_KIND=kernel
    elif [ -n "$first" ]; then
        FAIL_KIND=$(sed -nE 's/^fuzz\[[0-9]+\]: VIOLATION ([a-z-]+) at call ([0-9]+).*/\1/p' <<<"$first")
        FAIL_AT=$(sed -nE 's/^fuzz\[[0-9]+\]: VIOLATION ([a-z-]+) at call ([0-9]+).*/\2/p' <<<"$first")
    elif ! grep -qE '^fuzz\[[0-9]+\]: [0-9]+ calls' "$log" || [ "$BOOT_STATUS" != 0 ]; then
        FAIL_KIND=kernel
    fi
}

summary() {
    local log=$1 secs=$2 calls ok checks viol kc pct rate
    calls=$(sum 'calls,' "$log"); ok=$(sum 'succeeded' "$log")
    checks=$(sum 'oracle checks' "$log"); viol=$(sum 'violations' "$log")
    kc=$(sed -nE 's/^kcheck: ([0-9]+) entry checks, ([0-9]+) full checks, ([0-9]+) violations.*/\1 entry, \2 full, \3 violations/p' "$log" | tail -n1)
    pct=$(awk -v o="$ok" -v c="$calls" 'BEGIN {printf "%.1f", c ? 100 * o / c : 0}')
    rate=$(awk -v c="$calls" -v s="$secs" 'BEGIN {printf "%d", (s > 0 ? c / s : 0)}')
    echo "fuzz: $calls calls, $pct% succeeded, $checks oracle checks, kcheck: ${kc:-n/a}, $viol violations" \
         "(seed $SEED, SMP=$SMP${CMDLINE:+ $CMDLINE}, ${secs} s, $rate calls/s)"
}

# ranges LIST: "0 1 2 5 7 8" -> "0-2,5,7-8".
ranges() {
    awk '{ s = ""; lo = hi = -2
           for (i = 1; i <= NF; i++) {
               if ($i == hi + 1) { hi = $i; continue }
               if (hi >= 0) s = s (s == "" ? "" : ",") (lo == hi ? lo : lo "-" hi)
               lo = hi = $i }
           if (hi >= 0) s = s (s == "" ? "" : ",") (lo == hi ? lo : lo "-" hi)
           print s }' <<<"$*"
}

# still_fails LIST: a fresh boot with only these calls fails the same way.
still_fails() {
    local keep
    keep=$(ranges "$*")
    [ ${#keep} -le 300 ] || return 1 # the kernel command line has room for so much
    [ "$BOOTS" -lt "$MAX_BOOTS" ] || return 1
    boot "$LOGDIR/fuzz-shrink.log" "$keep"
    failure "$LOGDIR/fuzz-shrink.log"
    [ "$FAIL_KIND" = "$KIND" ]
}

# shrink: prefix, then ddmin over chunks, then single calls.
shrink() {
    local last lo hi mid n cur try i j size
    if [ "$FAIL_AT" -ge 0 ]; then
        last=$FAIL_AT
    else # the kernel stopped: bisect the prefix length
        lo=0 hi=$((CALLS - 1))
        while [ $lo -lt $hi ] && [ "$BOOTS" -lt "$MAX_BOOTS" ]; do
            mid=$(((lo + hi) / 2))
            if still_fails $(seq 0 "$mid"); then hi=$mid; else lo=$((mid + 1)); fi
        done
        last=$hi
    fi
    cur=($(seq 0 "$last"))
    n=2
    while [ ${#cur[@]} -gt 1 ] && [ "$BOOTS" -lt "$MAX_BOOTS" ]; do
        size=$(( (${#cur[@]} - 1 + n - 1) / n )) # chunks of the calls before the last one
        [ "$size" -ge 1 ] || size=1
        local removed=0
        for ((i = 0; i < ${#cur[@]} - 1; i += size)); do
            try=()
            for ((j = 0; j < ${#cur[@]}; j++)); do
                if [ $j -lt $i ] || [ $j -ge $((i + size)) ] || [ $j = $((${#cur[@]} - 1)) ]; then try+=("${cur[$j]}"); fi
            done
            if still_fails "${try[@]}"; then cur=("${try[@]}"); removed=1; break; fi
        done
        if [ $removed = 1 ]; then n=$((n > 2 ? n - 1 : 2)); continue; fi
        [ "$size" -gt 1 ] || break
        n=$((n * 2))
    done
    SHRUNK=$(ranges "${cur[@]}")
    echo "fuzz: shrunk to ${#cur[@]} calls in $BOOTS boots: make fuzz CALLS=$CALLS SEED=$SEED SMP=$SMP KEEP=$SHRUNK"
    boot "$LOGDIR/fuzz-shrunk.log" "$SHRUNK" fuzz_trace=1
    grep -E '^fuzz: #|VIOLATION|EXCEPTION|kcheck' "$LOGDIR/fuzz-shrunk.log" | head -n 60
}

LOG=$LOGDIR/fuzz-seed$SEED-smp$SMP.log
t0=$(date +%s%N)
boot "$LOG" "$KEEP"
secs=$(awk -v t=$(( $(date +%s%N) - t0 )) 'BEGIN {printf "%.1f", t / 1e9}')
summary "$LOG" "$secs"
failure "$LOG"
if [ -z "$FAIL_KIND" ]; then
    exit 0
fi
at=""; [ "$FAIL_AT" -lt 0 ] || at=" at call $FAIL_AT"
echo "fuzz: FAILED ($FAIL_KIND$at); log: $LOG"
grep -m6 -E 'VIOLATION|EXCEPTION|PANIC|kcheck: ' "$LOG"
[ "$FAIL_KIND" != kernel ] || tail -n 25 "$LOG"
KIND=$FAIL_KIND
[ "$SHRINK" = 1 ] && [ -z "$KEEP" ] && shrink
exit 1
