/*
 * bench_scaling (issue 6, docs/bench.md): lock versus multikernel scaling.
 * The same program is the root task of every cluster. Cluster 0 drives:
 * for every point (test, think time T, k cores) it picks a TSC window,
 * tells the clusters that take part over the boot channels, runs its own
 * share, collects round-trip counts and kernel-lock statistics, and prints
 * one `BENCH {...}` line per point, then a table that fits a screen.
 */
#pragma once
#include "atoll/chan.h"
#include "atoll/thread.h"

#define SC_MAX_CORES 64
#define SC_THINKS 4
extern const uint64_t sc_think[SC_THINKS]; /* user think time between calls, cycles */

enum sc_test {
	SC_PAIRS,  /* k independent client/server pairs, one per core, own endpoint each */
	SC_SHARED, /* k clients (one per core) of one server on core 0 */
	SC_TESTS,
};
extern const char *const sc_test_name[SC_TESTS];

/* One point, as cluster 0 sends it to the others (SC_RUN). */
struct sc_point {
	uint64_t test, k, think;
	uint64_t t_start, t_end; /* TSC window; TSCs agree across cores */
};

/* What one core did in a point: round trips completed inside the window,
 * how late its client started, and its kernel-lock counters over the run. */
struct sc_core_result {
	uint64_t rt, late, spin; /* spin: think-loop iterations per 1000 cycles (0: no think) */
	uint64_t acq, cont, wait, hold, ipi_tx, ipi_rx;
};

/* Messages over the boot channels: word 0 is op | local core << 8. */
enum sc_op {
	SC_RUN = 1, /* 0 -> c: w1..w5 = struct sc_point */
	SC_RESULT,  /* c -> 0: one per local core that took part (spin << 32 in w0):
		     * w1 rt, w2 late, then acq, cont, wait, hold, ipi_tx + ipi_rx << 32 */
	SC_REQ,     /* c -> 0 (test shared): a request */
	SC_REP,     /* 0 -> c: its reply */
	SC_QUIT,    /* 0 -> c: the run is over */
	SC_READY,   /* c -> 0: its threads are set up */
};

/* The layout this boot runs: clusters of `csize` cores. */
struct sc_layout {
	uint32_t cluster, clusters, csize, cores;
	uint64_t tsc_hz;
	uint64_t spin_per_kcycle; /* think-loop iterations per 1000 TSC cycles at set-up */
	char by[8];               /* cluster_size=smt|l2|llc|socket from the command line, else "" */
	const char *cpu;          /* the CPU's brand string */
};
extern struct sc_layout sc_lay;
/* The boot channels to every other cluster (index = cluster id). */
extern struct chan xc[ABI_MAX_CLUSTERS];

/* Per-core counters, one cache line each, written only by that core's
 * client thread. */
struct sc_counter {
	volatile uint64_t rt;
	volatile uint64_t late;
	volatile uint64_t spin;
	uint8_t pad[40];
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct sc_counter) == 64, "one counter per cache line");

/* Set up this cluster's threads (clients, servers; the shared server in
 * cluster 0). Ends the run with a message on failure. */
void sc_setup(void);
/* Run this cluster's share of point p: cores [first, first + n) of the
 * cluster; fills res[0..n). Cluster 0 with other clusters in a shared test
 * also serves their requests (`remote` clusters, each sending its results). */
void sc_run_local(const struct sc_point *p, uint32_t n, struct sc_core_result *res);
/* Clusters other than 0: run points until SC_QUIT. */
__attribute__((noreturn)) void sc_serve(void);
/* Cluster 0: run the whole series and report. */
void sc_drive(uint64_t window_ms);

/* Report (scaling_report.c). */
struct sc_row {
	uint64_t think, k;
	uint64_t rt_total, per_s;     /* round trips in the window; per second */
	uint64_t hold_per_rt;         /* big-lock hold cycles per round trip (sum over cores) */
	uint64_t cycles_per_rt;       /* window / round trips of one core (k = 1) */
};
void sc_print_point(const struct sc_point *p, uint64_t window, const struct sc_core_result *res);
void sc_print_table(enum sc_test t, const struct sc_row *rows, unsigned n);
void sc_fail(const char *what, uint64_t err) __attribute__((noreturn));
