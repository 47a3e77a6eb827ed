# bench/scaling-md.awk: scaling.csv (bench/scaling.sh) -> the markdown
# tables on stdout; with -v modelout=FILE also the big-lock model's points
# for the plot (T, k, measured, model (L+T)/L, model R1/L; thousand RT/s).
# Columns: 1 test 2 cluster_size 5 think 6 k 9 round_trips 10 rt_per_s
# 12 efficiency 13 acq 14 contended 15 wait 16 hold 17 ipis_sent
# 18 ipis_received 19 hold_per_rt 20 cycles_per_rt_core0 21 late_max
# 22 rt_per_s_min 23 rt_per_s_max 24 runs.
function min(a, b) { return a < b ? a : b }
NR == 1 { next }
{
    key = $1 SUBSEP $2 SUBSEP $5 SUBSEP $6
    for (i = 1; i <= NF; i++) v[key, i] = $i
    if (!($1 in seen_t)) { seen_t[$1] = 1; tests[++nt] = $1 }
    if (!($2 in seen_l)) { seen_l[$2] = 1; lays[++nl] = $2 }
    if (!($5 in seen_T)) { seen_T[$5] = 1; thinks[++nT] = $5 }
    if ($6 > kmax) kmax = $6
}
function have(t, l, T, k) { return ((t, l, T, k, 1) in v) }
function throughput_table(t,   i, j, T, k, l, line) {
    printf "### %s: X(k) in thousand round trips/s (median run [least-most of the runs]), efficiency\n\n", t
    line = "| T | k |"; sep = "|---|---|"
    for (j = 1; j <= nl; j++) if (have(t, lays[j], thinks[1], 1)) { line = line " cluster_size=" lays[j] " X [min-max] | eff |"; sep = sep "---|---|" }
    print line; print sep
    for (i = 1; i <= nT; i++) for (k = 1; k <= kmax; k++) {
        T = thinks[i]; line = "| " T " | " k " |"
        for (j = 1; j <= nl; j++) {
            l = lays[j]
            if (!have(t, l, thinks[1], 1)) continue
            if (have(t, l, T, k)) line = line sprintf(" %.0f [%.0f-%.0f] | %.0f%% |", v[t, l, T, k, 10] / 1000,
                v[t, l, T, k, 22] / 1000, v[t, l, T, k, 23] / 1000, 100 * v[t, l, T, k, 12])
            else line = line " | |"
        }
        print line
    }
    print ""
}
function model_table(t,   i, k, T, L, R1, c1, c2, x1, x, m1, m2, a) {
    if (!have(t, "all", thinks[1], 1) || kmax < 2) return
    print "### Big-lock model (" t ", cluster_size=all)\n"
    print "L = kernel-lock hold cycles per round trip at k=1 (lock statistics); R1 = cycles per round trip at k=1;"
    print "at most one core holds the lock, so k cores reach at most (L+T)/L times X(1) if only the think"
    print "time T overlaps (the issue's ceiling), or R1/L times X(1) if everything outside the lock overlaps"
    print "(U = R1 - L - T: the user stub, kernel entry and exit outside the lock, the loop).\n"
    print "The last three columns say why a curve falls below its ceiling: at k > 1 a saturated lock is"
    print "contended on almost every acquisition, each waits (wait cycles/acquisition), and the hold"
    print "time per round trip itself grows when two cores run the kernel in turn.\n"
    print "| T | L | R1 | U | (L+T)/L | R1/L | k | measured X(k) | model min(k,(L+T)/L)·X(1) | measured/model | model min(k,R1/L)·X(1) | measured/model | contended | wait cycles/acq | hold cycles/RT |"
    print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= nT; i++) {
        T = thinks[i]
        if (!have(t, "all", T, 1)) continue
        L = v[t, "all", T, 1, 19]; R1 = v[t, "all", T, 1, 20]; x1 = v[t, "all", T, 1, 10] / 1000
        if (L <= 0) continue
        c1 = (L + T) / L; c2 = R1 / L
        for (k = 1; k <= kmax; k++) {
            if (!have(t, "all", T, k)) continue
            x = v[t, "all", T, k, 10] / 1000; m1 = x1 * min(k, c1); m2 = x1 * min(k, c2)
            a = v[t, "all", T, k, 13]
            printf "| %s | %d | %d | %d | %.2f | %.2f | %d | %.0f | %.0f | %.2f | %.0f | %.2f | %.0f%% | %.0f | %.0f |\n", T, L, R1, R1 - L - T, c1, c2, k, x, m1, x / m1, m2, x / m2,
                a ? 100 * v[t, "all", T, k, 14] / a : 0, a ? v[t, "all", T, k, 15] / a : 0, v[t, "all", T, k, 19]
            if (modelout != "" && t == "pairs") printf "%s,%d,%.1f,%.1f,%.1f\n", T, k, x, m1, m2 > modelout
        }
    }
    print ""
}
function stats_table(t,   i, j, k, l, T, a) {
    printf "### Kernel-lock statistics (%s; sums over the k cores, per round trip)\n\n", t
    print "| cluster_size | T | k | acquisitions/RT | contended | wait cycles/acq | hold cycles/acq | hold cycles/RT | lock held (% of window) | IPIs sent | IPIs received |"
    print "|---|---|---|---|---|---|---|---|---|---|---|"
    for (j = 1; j <= nl; j++) for (i = 1; i <= nT; i++) for (k = 1; k <= kmax; k++) {
        l = lays[j]; T = thinks[i]
        if (!have(t, l, T, k)) continue
        rt = v[t, l, T, k, 9]; a = v[t, l, T, k, 13]
        printf "| %s | %s | %d | %.2f | %.1f%% | %.0f | %.0f | %.0f | %.0f%% | %d | %d |\n", l, T, k, rt ? a / rt : 0,
            a ? 100 * v[t, l, T, k, 14] / a : 0, a ? v[t, l, T, k, 15] / a : 0, a ? v[t, l, T, k, 16] / a : 0,
            v[t, l, T, k, 19], 100 * v[t, l, T, k, 16] / v[t, l, T, k, 7], v[t, l, T, k, 17], v[t, l, T, k, 18]
    }
    print ""
}
function summary(   i, T, a, b, m1, m2, L, R1, x1, c1, c2) {
    print "## Summary (independent pairs)\n"
    print "| T | multikernel X(2)/X(1) | big lock X(2)/X(1) | big lock model min(2,(L+T)/L) | model min(2,R1/L) |"
    print "|---|---|---|---|---|"
    for (i = 1; i <= nT; i++) {
        T = thinks[i]
        a = have("pairs", "1", T, 2) ? sprintf("%.2f", v["pairs", "1", T, 2, 10] / v["pairs", "1", T, 1, 10]) : "-"
        b = have("pairs", "all", T, 2) ? sprintf("%.2f", v["pairs", "all", T, 2, 10] / v["pairs", "all", T, 1, 10]) : "-"
        m1 = m2 = "-"
        if (have("pairs", "all", T, 1) && (L = v["pairs", "all", T, 1, 19]) > 0) {
            R1 = v["pairs", "all", T, 1, 20]
            m1 = sprintf("%.2f", min(2, (L + T) / L)); m2 = sprintf("%.2f", min(2, R1 / L))
        }
        printf "| %s | %s | %s | %s | %s |\n", T, a, b, m1, m2
    }
    print ""
}
END {
    if (kmax >= 2) summary()
    for (t = 1; t <= nt; t++) { throughput_table(tests[t]); model_table(tests[t]) }
    for (t = 1; t <= nt; t++) stats_table(tests[t])
}
