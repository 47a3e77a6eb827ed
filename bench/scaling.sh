#!/usr/bin/env bash
# bench/scaling.sh [BUILD]   (what `make bench-scaling` runs, after building)
# bench/scaling.sh [BUILD] --logs SERIAL.log...   (tables from saved logs)
#
# Contract: lock versus multikernel scaling (issue 6, docs/bench.md). Builds
# an ISO per cluster layout (kernel + bench_scaling as the root task "init"
# of every cluster) and boots each once in QEMU with multi-threaded
# TCG and no icount (-accel tcg,thread=multi, -smp SMP: real parallelism,
# up to the host's cores), command line
#   bench=scaling:WINDOW_MS cluster_size=<all|1|2> lockstats=on
# cluster_size=2 only where SMP >= 4 (with 2 cores it is the same as all).
# Writes, from the guest's `BENCH {...}` lines (into OUTDIR, default
# BUILD/bench):
#   scaling.csv        one row per (test, layout, T, k)
#   scaling-cores.csv  one row per core of each point (lock stats)
#   scaling.md         the tables, the big-lock model, notes
#   scaling.png        the plot (gnuplot)
#   scaling-<layout>-<run>.log  the serial logs
# and prints scaling.md. Exit 0 when every boot ended cleanly with every
# point reported; else 1 with the reason and the log's tail.
# Each layout boots REPEAT times (default 5, taking turns); per point the
# run with the median throughput is kept, with the least and the most.
# Variables: OUTDIR, SMP (default: the host's cores, at least 2), WINDOW_MS (TSC
# window per point, default 1000), REPEAT, TIMEOUT (seconds per boot, default 300),
# QUIET_WAIT (seconds to wait, before each boot, for other emulators to end
# and the host to be idle, default 300; the output says if it was not);
# RETRY (a boot disturbed by another emulator or compiler is done again, up
# to RETRY times, default 3); LAYOUTS (the cluster_size values to compare,
# default "all 1" and 2 where SMP >= 4; also smt, l2, llc, socket: clusters
# from the CPU topology, docs/clusters.md); TOPOLOGY (QEMU -smp topology,
# e.g. sockets=2,cores=2,threads=2, for those).
# OUTDIR=... WINDOW_MS=5 QUIET_WAIT=0 is the CTest smoke run (bench.scaling).
# With --logs nothing is booted: the BENCH lines of the given serial logs
# (e.g. COM1 of a real PC, one log per GRUB entry) make the same outputs.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=build
LOGS=()
if [ $# -gt 0 ] && [ "$1" != --logs ]; then BUILD=$1; shift; fi
if [ "${1:-}" = --logs ]; then shift; LOGS=("$@"); fi
OUT=${OUTDIR:-$BUILD/bench}
HOST_CORES=$(nproc)
SMP=${SMP:-$((HOST_CORES > 2 ? HOST_CORES : 2))}
WINDOW_MS=${WINDOW_MS:-1000}
TIMEOUT=${TIMEOUT:-300}
QUIET_WAIT=${QUIET_WAIT:-300}
REPEAT=${REPEAT:-5}
RETRY=${RETRY:-3}
CSV=$OUT/scaling.csv
CORES_CSV=$OUT/scaling-cores.csv
MD=$OUT/scaling.md
PNG=$OUT/scaling.png

fail() {
    echo "bench-scaling: FAIL: $*"
    [ -n "${LOG:-}" ] && [ -f "$LOG" ] && { echo "--- last lines of $LOG:"; tail -n 30 "$LOG"; }
    exit 1
}

# Other emulators (QEMU, Bochs: not ours, which runs only in boot() below),
# compilers and SPIN take host cores from the vCPUs; so does anything else
# busy on the host.
# Ours carries -name $MARK, so it does not count.
MARK=atoll-bench-scaling-$$
others() { pgrep -a -f '^(qemu-system|bochs|[^ ]*cc1 |spin )' | grep -vc -- "$MARK" || true; }
# Watch others while a boot runs; the most seen goes to the file $1.
watch_others() {
    local most=0 n
    echo 0 > "$1"
    while :; do
        n=$(others)
        [ "$n" -gt "$most" ] && { most=$n; echo "$most" > "$1"; }
        sleep 0.5
    done
}
# Percentage of host CPU time busy over one second.
host_busy() {
    local a b
    read -r _ u1 n1 s1 i1 w1 _ < /proc/stat
    sleep 1
    read -r _ u2 n2 s2 i2 w2 _ < /proc/stat
    a=$(( (u2 + n2 + s2) - (u1 + n1 + s1) ))
    b=$(( a + (i2 + w2) - (i1 + w1) ))
    echo $(( b > 0 ? 100 * a / b : 0 ))
}

wait_quiet() {
    local waited=0
    while { [ "$(others)" -gt 0 ] || [ "$(host_busy)" -gt 15 ]; } && [ "$waited" -lt "$QUIET_WAIT" ]; do
        [ "$waited" = 0 ] && echo "bench-scaling: the host is busy ($(others) other emulator(s)); waiting up to ${QUIET_WAIT}s"
        sleep 9
        waited=$((waited + 10))
    done
}

layouts="all 1"
[ "$SMP" -ge 4 ] && [ $((SMP % 2)) = 0 ] && layouts="all 1 2"
if [ -n "${LAYOUTS:-}" ]; then
    for lay in $LAYOUTS; do
        [[ $lay =~ ^(all|[1-9][0-9]*|smt|l2|llc|socket)$ ]] ||
            fail "LAYOUTS: '$lay' is not a cluster_size (all, a number, smt, l2, llc, socket)"
    done
    layouts=$LAYOUTS
fi

mkdir -p "$OUT"

notes=()
[ "$SMP" -gt "$HOST_CORES" ] &&
    notes+=("-smp $SMP on $HOST_CORES host cores: only k <= $HOST_CORES is meaningful")
[ "$SMP" -le "$HOST_CORES" ] &&
    notes+=("$HOST_CORES host cores, -smp $SMP: QEMU runs one host thread per vCPU, so only k <= $HOST_CORES is meaningful")
[ -z "${LAYOUTS:-}" ] && [ "$SMP" -lt 4 ] && notes+=("cluster_size=2 skipped: with $SMP cores it is one cluster, the same as cluster_size=all")

WATCHER=""
trap '[ -z "$WATCHER" ] || kill "$WATCHER" 2>/dev/null; rm -f "$OUT/.others"' EXIT

# boot LAYOUT RUN: one boot; its BENCH lines (prefixed with the run) are
# added to bench_lines. A boot during which another emulator or compiler
# ran is done again (up to RETRY times); the notes say if one stayed so.
bench_lines=""
boot() {
    local lay=$1 run=$2 try=0 busy cpu lines want got during
    LOG=$OUT/scaling-$lay-$run.log
    while :; do
        try=$((try + 1))
        wait_quiet
        busy=$(others)
        cpu=$(host_busy)
        echo "bench-scaling: cluster_size=$lay run $run/$REPEAT, -smp $SMP, ${WINDOW_MS} ms per point (host ${cpu}% busy before, other emulators/compilers: $busy)"
        rm -f "$LOG"
        watch_others "$OUT/.others" &
        WATCHER=$!
        qemu_boot "$lay"
        kill "$WATCHER" 2>/dev/null
        wait "$WATCHER" 2>/dev/null
        WATCHER=""
        during=$(cat "$OUT/.others")
        [ "$busy" = 0 ] && [ "$cpu" -le 15 ] && [ "$during" = 0 ] && break
        if [ "$try" -gt "$RETRY" ]; then
            notes+=("cluster_size=$lay run $run: the host was busy ($cpu% CPU before, up to $during other emulator(s)/compiler(s) during it) in all $try tries: its figures are disturbed")
            break
        fi
        echo "bench-scaling: the host was busy during that boot (up to $during other emulator(s)/compiler(s)); again"
    done
    lines=$(tr -d '\r' < "$LOG" | sed -n 's/^BENCH \({"bench":"scaling".*}\)$/\1/p')
    want=$((4 * SMP * 2))
    [ "$lay" = 2 ] && want=$((4 * SMP)) # the shared test needs one client per cluster
    got=$(printf '%s\n' "$lines" | grep -c '"k":')
    [ "$got" = "$want" ] || fail "cluster_size=$lay: $got points reported, want $want"
    bench_lines+=$(printf '%s\n' "$lines" | sed "s/^/$run /")$'\n'
    LOG=""
}

# qemu_boot LAYOUT: boot its ISO once, the serial log into $LOG.
qemu_boot() {
    local status
    timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -name "$MARK" -M q35 -accel tcg,thread=multi -cdrom "$OUT/scaling-$1.iso" \
        -boot d -smp "$SMP${TOPOLOGY:+,$TOPOLOGY}" -m 512M -cpu max -display none -serial "file:$LOG" -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -monitor none </dev/null >"$OUT/qemu.stderr" 2>&1
    status=$?
    [ "$status" = 124 ] && fail "QEMU did not finish within $TIMEOUT s"
    [ "$status" = 33 ] || fail "QEMU exited with status $status (33 = the guest ended the run cleanly)"
}

if [ ${#LOGS[@]} -gt 0 ]; then
    run=0
    for f in "${LOGS[@]}"; do
        run=$((run + 1))
        lines=$(tr -d '\r' < "$f" | sed -n 's/^BENCH \({"bench":"scaling".*}\)$/\1/p')
        [ -n "$lines" ] || fail "$f holds no scaling BENCH lines"
        bench_lines+=$(printf '%s\n' "$lines" | sed "s/^/$run /")$'\n'
    done
    layouts=$(printf '%s' "$bench_lines" | grep -o '"cluster_size":"[a-z0-9]*"' | sort -u | cut -d'"' -f4 | tr '\n' ' ')
    SMP=$(printf '%s' "$bench_lines" | grep -o '"cores":[0-9]*' | sort -u | head -1 | cut -d: -f2)
    notes=("figures from the serial logs ${LOGS[*]} (TSC cycles of the machine that ran them)")
else
    for lay in $layouts; do
        "$ROOT/scripts/mkiso.sh" --out "$OUT/scaling-$lay.iso" --kernel "$BUILD/kernel/atoll.elf" \
            --module "$BUILD/userland/bench_scaling=init" \
            --cmdline "bench=scaling:$WINDOW_MS cluster_size=$lay lockstats=on" || fail "could not build the ISO"
    done
    # The layouts take turns, so that a disturbance of the host hits all alike.
    for run in $(seq 1 "$REPEAT"); do
        for lay in $layouts; do boot "$lay" "$run"; done
    done

fi

raw_lines=$bench_lines

# Per point, the run with the median throughput (its whole line), with the
# least and the most of all runs added as per_s_min and per_s_max.
bench_lines=$(printf '%s' "$bench_lines" | awk '
function key(   t, c, T, k) {
    match($0, /"test":"[a-z]*"/); t = substr($0, RSTART, RLENGTH)
    match($0, /"cluster_size":"[a-z0-9]*"/); c = substr($0, RSTART, RLENGTH)
    match($0, /"think":[0-9]*/); T = substr($0, RSTART, RLENGTH)
    match($0, /"k":[0-9]*/); k = substr($0, RSTART, RLENGTH)
    return t c T k
}
function per_s(   m) { match($0, /"per_s":[0-9]*/); return substr($0, RSTART + 8, RLENGTH - 8) + 0 }
{
    sub(/^[0-9]+ /, ""); kk = key()
    if (!(kk in n)) order[++nk] = kk
    i = ++n[kk]; line[kk, i] = $0; val[kk, i] = per_s()
}
END {
    for (j = 1; j <= nk; j++) {
        kk = order[j]; m = n[kk]
        for (a = 1; a <= m; a++) idx[a] = a
        for (a = 2; a <= m; a++) for (b = a; b > 1 && val[kk, idx[b - 1]] > val[kk, idx[b]]; b--) {
            t = idx[b]; idx[b] = idx[b - 1]; idx[b - 1] = t
        }
        l = line[kk, idx[int((m + 1) / 2)]]
        sub(/"per_s":[0-9]*/, "&,\"per_s_min\":" val[kk, idx[1]] ",\"per_s_max\":" val[kk, idx[m]] ",\"runs\":" m, l)
        print l
    }
}')

# The CSVs: one row per point, one per core of each point.
printf '%s' "$bench_lines" | awk -v csv="$CSV" -v cores="$CORES_CSV" '
function num(key,   m) { return match($0, "\"" key "\":[^,}]*") ? substr($0, RSTART + length(key) + 3, RLENGTH - length(key) - 3) : "" }
function arr(key, a,   s) {
    if (!match($0, "\"" key "\":\\[[^]]*\\]")) return 0
    s = substr($0, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
    gsub(/"/, "", s)
    return split(s, a, ",")
}
function sum(a, n,   i, t) { t = 0; for (i = 1; i <= n; i++) t += a[i]; return t }
function max(a, n,   i, t) { t = 0; for (i = 1; i <= n; i++) if (a[i] > t) t = a[i]; return t }
BEGIN {
    print "test,cluster_size,clusters,cores,think,k,window_cycles,tsc_hz,round_trips,rt_per_s,speedup,efficiency,acquisitions,contended,wait_cycles,hold_cycles,ipis_sent,ipis_received,hold_per_rt,cycles_per_rt_core0,late_max_cycles,rt_per_s_min,rt_per_s_max,runs" > csv
    print "test,cluster_size,think,k,core,round_trips,late_cycles,acquisitions,contended,wait_cycles,hold_cycles,ipis_sent,ipis_received" > cores
}
{
    t = num("test"); gsub(/"/, "", t); cs = num("cluster_size"); gsub(/"/, "", cs)
    k = num("k"); T = num("think"); w = num("window"); ps = num("per_s")
    n = arr("rt", rt); arr("late", late); arr("acq", acq); arr("cont", cont); arr("wait", wt)
    arr("hold", hold); arr("ipi_tx", itx); arr("ipi_rx", irx)
    key = t "," cs "," T
    if (k == 1) x1[key] = ps
    tot = sum(rt, n)
    sp = x1[key] ? ps / x1[key] : 0
    printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%.3f,%.3f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s,%s,%s\n", t, cs, num("clusters"), num("cores"),
        T, k, w, num("tsc_hz"), tot, ps, sp, sp / k, sum(acq, n), sum(cont, n), sum(wt, n), sum(hold, n),
        sum(itx, n), sum(irx, n), tot ? sum(hold, n) / tot : 0, rt[1] ? w / rt[1] : 0, max(late, n),
        num("per_s_min"), num("per_s_max"), num("runs") > csv
    for (i = 1; i <= n; i++)
        printf "%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s\n", t, cs, T, k, i - 1, rt[i], late[i], acq[i], cont[i],
            wt[i], hold[i], itx[i], irx[i] > cores
}' || fail "could not write $CSV"

# paired_speedups: X(k)/X(1) within each boot (k = 1 and k run one after
# the other in the same boot, so a host that is slower for a while slows
# both), the median over the boots with the least and the most: the
# speedup figure least disturbed by a noisy host.
paired_speedups() {
    printf '%s' "$raw_lines" | awk '
    function num(key) { return match($0, "\"" key "\":[^,}]*") ? substr($0, RSTART + length(key) + 3, RLENGTH - length(key) - 3) : "" }
    function str(key,   v) { v = num(key); gsub(/"/, "", v); return v }
    NF {
        run = $1; sub(/^[0-9]+ /, "")
        t = str("test"); c = str("cluster_size"); T = num("think"); k = num("k") + 0
        x[t, c, T, k, run] = num("per_s") + 0; runs[run] = 1
        if (!((t, c, T) in seen)) { seen[t, c, T] = 1; keys[++nkeys] = t SUBSEP c SUBSEP T }
        if (k > kmax) kmax = k
    }
    END {
        if (kmax < 2) exit
        print "## Speedup within each boot"; print ""
        print "X(k)/X(1) computed per boot (both measured in the same boot, one after the other), then the median"
        print "over the boots [least-most]; the independent-pairs test is the one the multikernel target is about."; print ""
        line = "| test | cluster_size | T |"; sep = "|---|---|---|"
        for (k = 2; k <= kmax; k++) { line = line " X(" k ")/X(1) |"; sep = sep "---|" }
        print line; print sep
        for (i = 1; i <= nkeys; i++) {
            split(keys[i], p, SUBSEP); t = p[1]; c = p[2]; T = p[3]
            line = "| " t " | " c " | " T " |"
            for (k = 2; k <= kmax; k++) {
                n = 0
                for (r in runs)
                    if (((t, c, T, 1, r) in x) && ((t, c, T, k, r) in x) && x[t, c, T, 1, r] > 0)
                        v[++n] = x[t, c, T, k, r] / x[t, c, T, 1, r]
                for (a = 2; a <= n; a++) for (b = a; b > 1 && v[b - 1] > v[b]; b--) { s = v[b]; v[b] = v[b - 1]; v[b - 1] = s }
                line = line (n ? sprintf(" %.2f [%.2f-%.2f] |", v[int((n + 1) / 2)], v[1], v[n]) : " - |")
            }
            print line
        }
        print ""
    }'
}

# The markdown: per test and T, each layout's throughput and efficiency
# against k; the big-lock model; lock statistics; notes.
{
    echo "# Lock vs multikernel scaling"
    echo
    if [ ${#LOGS[@]} -gt 0 ]; then
        echo "From serial logs: ${LOGS[*]}; $SMP cores."
    else
        echo "QEMU $(qemu-system-x86_64 --version | head -1 | sed 's/.*version //'), multi-threaded TCG without icount,"
        echo "-smp $SMP on $HOST_CORES host cores, ${WINDOW_MS} ms TSC window per point, median of $REPEAT boots;"
        echo "TSC cycles follow the host clock."
    fi
    echo "X(k): thousand round trips per second over k cores; eff = X(k)/(k*X(1)) within one layout."
    echo
    rm -f "$OUT/scaling-model.dat"
    awk -F, -v modelout="$OUT/scaling-model.dat" -f "$ROOT/bench/scaling-md.awk" "$CSV"
    paired_speedups
    echo
    echo "## Notes"
    echo
    for n in "${notes[@]}"; do echo "- $n"; done
    awk -F, 'NR > 1 && $21 > $7 / 100 { printf "- %s cluster_size=%s T=%s k=%s: a client started %d cycles late (over 1%% of the window)\n", $1, $2, $5, $6, $21 }' "$CSV"
} > "$MD"

# The plot: per test (rows) and T (columns), X(k) of each layout, and the
# big-lock model.
awk -F, -v out="$OUT" 'NR > 1 { print > (out "/scaling-plot-" $1 "-" $2 "-" $5 ".dat") }' "$CSV"
[ ${#LOGS[@]} -gt 0 ] && where="serial logs, $SMP cores" ||
    where="QEMU TCG -smp $SMP on $HOST_CORES host cores (only k <= $((HOST_CORES < SMP ? HOST_CORES : SMP)) meaningful)"
gnuplot -e "out='$PNG'; dir='$OUT'; layouts='$layouts'; kmax=$SMP; where='$where'" \
    "$ROOT/bench/scaling.gp" 2>"$OUT/gnuplot.stderr" || fail "gnuplot failed: $(cat "$OUT/gnuplot.stderr")"
rm -f "$OUT"/scaling-plot-*.dat

cat "$MD"
echo
[ ${#LOGS[@]} -gt 0 ] && echo "bench-scaling: $CSV, $CORES_CSV, $MD, $PNG" ||
    echo "bench-scaling: $CSV, $CORES_CSV, $MD, $PNG (serial logs $OUT/scaling-*-*.log)"
