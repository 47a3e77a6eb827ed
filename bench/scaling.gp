# bench/scaling.gp: the plot of `make bench-scaling` (bench/scaling.sh sets
# out, dir, layouts, kmax, where). Rows: the tests; columns: think time T.
# Each panel: X(k) of every layout (the shared test runs in all and 1);
# for the pairs, the big-lock model.
set terminal pngcairo size 1600,900 font ",10"
set output out
set datafile separator ","
set key top left font ",8" opaque
set xlabel "k (cores)"
set ylabel "thousand round trips/s"
set xrange [0.8:kmax + 0.2]
set xtics 1
set yrange [0:*]
set grid
thinks = "0 500 4000 32000"
tests = "pairs shared"
set multiplot layout 2,4 title "Atoll: big lock (cluster\\_size=all) vs multikernel; " . where
do for [ti = 1:2] {
    do for [i = 1:4] {
        T = word(thinks, i)
        t = word(tests, ti)
        set title sprintf("%s, T = %s cycles", t, T)
        model = dir . "/scaling-model.dat"
        if (ti == 1) {
            plot for [l in layouts] sprintf("%s/scaling-plot-%s-%s-%s.dat", dir, t, l, T) \
                     using 6:($10/1000) with linespoints lw 2 title "cluster\\_size=" . l, \
                 model using ($1 == T + 0 ? $2 : NaN):4 with lines dt 2 lw 2 lc rgb "black" title "big-lock model (L+T)/L", \
                 model using ($1 == T + 0 ? $2 : NaN):5 with lines dt 3 lw 2 lc rgb "gray40" title "big-lock model R1/L"
        } else {
            plot for [l in "all 1"] sprintf("%s/scaling-plot-%s-%s-%s.dat", dir, t, l, T) \
                     using 6:($10/1000) with linespoints lw 2 title "cluster\\_size=" . l
        }
    }
}
unset multiplot
