/* The root tasks of the clusters working together (suite and demo). */
#pragma once
#include "atoll/chan.h"
#include "atoll/utest.h"

/* Messages over the boot channels: word 0 is the operation. */
enum xc_op {
	XC_RESULT = 1, /* c -> 0: w1 passed, w2 failed (its suite is done) */
	XC_PING,       /* 0 -> c: w1 = n; c answers XC_PONG n + 1 */
	XC_PONG,
	XC_BURST,      /* 0 -> c: send w1 XC_DATA messages, spinning w2 cycles between */
	XC_DATA,       /* c -> 0: w1 = sequence number, w2 = sender cluster */
	XC_DONE,       /* 0 -> c: stop serving */
	XC_RESET_STATS, /* 0 -> c: reset every counter it can name through its debug
			 * capability, then try w1 core numbers past its own and ~0;
			 * c answers XC_RESET_DONE w1 = resets done, w2 = refused */
	XC_RESET_DONE,
};

/* Channels to every other cluster (index = cluster id; ours is not ok). */
extern struct chan xc[ABI_MAX_CLUSTERS];
void xc_open(const struct abi_bootinfo *bi);
/* Clusters other than 0: answer cluster 0's requests until XC_DONE. */
void xc_serve(void);
/* Cluster 0: receive one XC_RESULT from every other cluster; sums them. */
void xc_collect(unsigned *passed, unsigned *failed);
/* Cluster 0: tell every other cluster to stop. */
void xc_done(void);
/* Cluster 0, for make run: a timed ping-pong with every other cluster. */
void xc_demo(void);

/* Tests of one cluster (SMP inside it, capabilities), run by every cluster;
 * and the cross-cluster ones, run by cluster 0 against xc_serve. */
extern const struct utest smp_tests[];
extern const unsigned smp_tests_count;
extern const struct utest xc_tests[];
extern const unsigned xc_tests_count;
