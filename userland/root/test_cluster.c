/*
 * Tests of the clustered multikernel, run by every cluster's root task:
 * inside a cluster of several cores (affinity, IPC between cores, stopping
 * a thread that runs on another core, TLB shootdown), and across clusters
 * (cluster 0 against the others' xc_serve: ping-pong over the rings, many
 * clusters signalling one, a receiver that polls or sleeps, 100,000
 * signals with no lost wake-up) and the rules of the capabilities.
 */
#include "cluster.h"
#include "suite.h"

#define FAULT_VM 1

struct chan xc[ABI_MAX_CLUSTERS];

static uint64_t seconds(uint64_t s)
{
	return (suite_bi->tsc_hz ? suite_bi->tsc_hz : 1000000000ull) * s;
}

void xc_open(const struct abi_bootinfo *bi)
{
	for (uint32_t j = 0; j < bi->cluster_count && j < ABI_MAX_CLUSTERS; j++)
		chan_open(&xc[j], bi, j);
}

static void spin_cycles(uint64_t n)
{
	uint64_t t0 = atoll_rdtsc();

	while (atoll_rdtsc() - t0 < n)
		__asm__ volatile("pause");
}

/* XC_RESET_STATS: reset what this cluster's debug capability reaches (its
 * own cores), and try `beyond` core numbers past them and ~0: cluster 0's
 * cores are not among the numbers any other cluster can name. */
static void reset_all_stats(struct chan *c0, uint64_t beyond)
{
	uint32_t n = suite_bi->core_count;
	uint64_t done = 0, refused = 0;

	for (uint64_t k = 0; k < n; k++)
		done += atoll_debug_stats(ROOT_DEBUG, k, true, NULL) == E_OK;
	for (uint64_t k = n; k < n + beyond; k++)
		refused += atoll_debug_stats(ROOT_DEBUG, k, true, NULL) == E_RANGE_ERROR;
	refused += atoll_debug_stats(ROOT_DEBUG, ~0ull, true, NULL) == E_RANGE_ERROR;
	chan_send_words(c0, XC_RESET_DONE, done, refused, 0);
}

void xc_serve(void)
{
	struct chan *c0 = &xc[0];
	uint64_t m[CHAN_MSG_WORDS];

	for (;;) {
		chan_recv(c0, m, 64);
		switch (m[0]) {
		case XC_PING:
			chan_send_words(c0, XC_PONG, m[1] + 1, 0, 0);
			break;
		case XC_BURST:
			for (uint64_t i = 0; i < m[1]; i++) {
				chan_send_words(c0, XC_DATA, i, suite_bi->cluster_id, 0);
				if (m[2])
					spin_cycles(m[2]);
			}
			break;
		case XC_RESET_STATS:
			reset_all_stats(c0, m[1]);
			break;
		case XC_DONE:
			return;
		default:
			printf("root[%u]: unknown request %llu\n", suite_bi->cluster_id, (unsigned long long)m[0]);
		}
	}
}

void xc_collect(unsigned *passed, unsigned *failed)
{
	uint64_t m[CHAN_MSG_WORDS];

	for (uint32_t j = 1; j < suite_bi->cluster_count; j++) {
		chan_recv(&xc[j], m, 64);
		if (m[0] != XC_RESULT) {
			printf("# cluster %u sent %llu instead of its result\n", j, (unsigned long long)m[0]);
			*failed += 1;
			continue;
		}
		*passed += (unsigned)m[1];
		*failed += (unsigned)m[2];
	}
}

void xc_done(void)
{
	for (uint32_t j = 1; j < suite_bi->cluster_count; j++)
		chan_send_words(&xc[j], XC_DONE, 0, 0, 0);
}

/* ---- inside one cluster: several cores under one kernel lock ---- */

static bool smp_cluster(void)
{
	return suite_bi->core_count > 1;
}

static volatile uint64_t seen_core[64], counter;
static volatile bool go;

static void where_fn(uint64_t slot)
{
	uint64_t here = ~0ull;

	atoll_debug_stats(ROOT_DEBUG, 0, false, &here);
	seen_core[slot] = here + 1;
}

/* Wait until *flag != 0 or `limit` TSC cycles pass, at a priority low
 * enough for the test's threads on this core to run. */
static bool await(volatile uint64_t *flag, uint64_t limit)
{
	uint64_t t0 = atoll_rdtsc();
	bool ok = true;

	atoll_tcb_set_priority(ROOT_TCB, 1);
	while (!*flag)
		if (atoll_rdtsc() - t0 > limit) {
			ok = false;
			break;
		}
	atoll_tcb_set_priority(ROOT_TCB, 255);
	return ok;
}

static void t_affinity(void)
{
	uint32_t n = suite_bi->core_count < 64 ? suite_bi->core_count : 64;
	struct uthread th[64];

	if (!smp_cluster())
		return;
	for (uint32_t k = 0; k < n; k++) {
		seen_core[k] = 0;
		REQUIRE_OK(thread_create_suspended(&th[k], where_fn, k, 100));
		EXPECT_EQ(atoll_tcb_set_affinity(th[k].tcb, k), E_OK);
		EXPECT_EQ(atoll_tcb_resume(th[k].tcb), E_OK);
	}
	for (uint32_t k = 0; k < n; k++) {
		EXPECT(await(&seen_core[k], seconds(5)));
		EXPECT_EQ(seen_core[k], k + 1); /* it ran on the core it was given */
	}
	EXPECT_EQ(atoll_tcb_set_affinity(th[0].tcb, n), E_RANGE_ERROR); /* only this cluster's cores */
	EXPECT_EQ(atoll_tcb_set_affinity(th[0].tcb, ~0ull), E_RANGE_ERROR);
}

static cptr_t echo_ep, echo_reply;

static void echo_fn(uint64_t unused)
{
	struct ipc_result r = atoll_ipc_recv(echo_ep, echo_reply);

	for (;;)
		r = atoll_ipc_replyrecv(echo_ep, echo_reply, msginfo(0, 0, 0, 1), r.mr[0] + 1, 0, 0, 0);
}

static void t_cross_core_ipc(void)
{
	struct uthread th;
	uint64_t here = 0;

	if (!smp_cluster())
		return;
	echo_ep = new_obj(OBJ_ENDPOINT, 0);
	echo_reply = new_obj(OBJ_REPLY, 0);
	REQUIRE_OK(thread_create_suspended(&th, echo_fn, 0, 200));
	REQUIRE_OK(atoll_tcb_set_affinity(th.tcb, 1));
	REQUIRE_OK(atoll_tcb_resume(th.tcb));
	for (uint64_t i = 0; i < 2000; i++) {
		struct ipc_result r = atoll_ipc_call(echo_ep, msginfo(0, 0, 0, 1), i, 0, 0, 0);
		if (r.err != E_OK || r.mr[0] != i + 1) {
			EXPECT_EQ(r.err, E_OK);
			EXPECT_EQ(r.mr[0], i + 1);
			break;
		}
	}
	atoll_debug_stats(ROOT_DEBUG, 0, false, &here);
	EXPECT_EQ(here, 0); /* the caller stayed on its core throughout */
	EXPECT_EQ(atoll_tcb_suspend(th.tcb), E_OK);
}

static void spin_fn(uint64_t unused)
{
	for (;;)
		counter++;
}

static void t_stop_remote_thread(void)
{
	struct uthread th;
	uint64_t a, b, regs[REG_COUNT];

	if (!smp_cluster())
		return;
	counter = 0;
	REQUIRE_OK(thread_create_suspended(&th, spin_fn, 0, 100));
	REQUIRE_OK(atoll_tcb_set_affinity(th.tcb, 1));
	REQUIRE_OK(atoll_tcb_resume(th.tcb));
	EXPECT(await(&counter, seconds(5)));
	EXPECT_EQ(atoll_tcb_suspend(th.tcb), E_OK); /* it runs on core 1 right now */
	a = counter;
	spin_cycles(seconds(1) / 20);
	b = counter;
	EXPECT_EQ(a, b); /* stopped, not just descheduled later */
	EXPECT_EQ(atoll_tcb_read_registers(th.tcb, regs), E_OK);
	EXPECT_EQ(atoll_tcb_resume(th.tcb), E_OK);
	for (uint64_t t0 = atoll_rdtsc(); counter == b && atoll_rdtsc() - t0 < seconds(5);)
		__asm__ volatile("pause"); /* a loaded host may not run core 1 at once */
	EXPECT(counter != b); /* runs again */
	EXPECT_EQ(atoll_tcb_set_affinity(th.tcb, 0), E_OK); /* moved while running */
	EXPECT_EQ(atoll_tcb_suspend(th.tcb), E_OK);
	a = counter;
	spin_cycles(seconds(1) / 20);
	EXPECT_EQ(counter, a);
}

#define TLB_VA 0x64000000ull
static volatile uint64_t tlb_reads;

static void tlb_reader_fn(uint64_t va)
{
	for (;;) {
		if (*(volatile uint64_t *)va != 0x7157)
			return;
		tlb_reads++;
	}
}

static void t_tlb_shootdown(void)
{
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0), reply = new_obj(OBJ_REPLY, 0), f;
	struct uthread th;
	struct ipc_result r = { 0 };
	uint64_t t0;

	if (!smp_cluster())
		return;
	REQUIRE_OK((f = page_alloc_at(TLB_VA)) ? E_OK : E_NOT_ENOUGH_MEMORY);
	*(volatile uint64_t *)TLB_VA = 0x7157;
	tlb_reads = 0;
	REQUIRE_OK(thread_create_ex(&th, tlb_reader_fn, TLB_VA, 100, ep, false));
	REQUIRE_OK(atoll_tcb_set_affinity(th.tcb, 1));
	REQUIRE_OK(atoll_tcb_resume(th.tcb));
	EXPECT(await(&tlb_reads, seconds(5))); /* core 1 has the page in its TLB */
	EXPECT_EQ(atoll_frame_unmap(f), E_OK);      /* core 1 must lose it now */
	t0 = atoll_rdtsc();
	do /* an empty non-blocking receive returns E_OK and label 0 */
		r = atoll_ipc_nbrecv(ep, reply);
	while (r.err == E_OK && MSGINFO_LABEL(r.info) == 0 && atoll_rdtsc() - t0 < seconds(5));
	EXPECT_EQ(r.err, E_OK); /* without a shootdown core 1 would read on forever */
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_VM);
	EXPECT_EQ(r.mr[1], TLB_VA);
	EXPECT_EQ(atoll_tcb_suspend(th.tcb), E_OK);
}

/* ---- the cross-cluster notification capabilities ---- */

static void t_xnotif_caps(void)
{
	struct abi_bootinfo *bi = suite_bi;
	uint32_t peer = bi->cluster_id == 0 ? 1 : 0;
	cptr_t s = slot_alloc();
	struct ipc_result r;

	if (bi->cluster_count < 2)
		return;
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, s, bi->chan[peer].signal_slot, RIGHTS_ALL, 0x40), E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, s, ROOT_XNOTIF, RIGHTS_ALL, 0x40), E_ILLEGAL_OPERATION);
	r = atoll_ntfn_wait(bi->chan[peer].signal_slot); /* a signal-only capability */
	EXPECT_EQ(r.err, E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_ntfn_signal(ROOT_XNOTIF), E_INVALID_CAPABILITY); /* a wait-only one */
	EXPECT_EQ(atoll_ipc_call(ROOT_XNOTIF, 0, 0, 0, 0, 0).err, E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, s, ROOT_XNOTIF, RIGHTS_ALL), E_OK); /* copies are fine */
	r = atoll_ntfn_poll(s);
	EXPECT_EQ(r.err, E_OK);
	chan_pending |= r.badge; /* a signal that came meanwhile belongs to the rings */
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, s), E_OK);
	slot_free(s);
}

/* ---- across clusters (cluster 0 drives, the others serve) ---- */

static bool xc_driver(void)
{
	return suite_bi->cluster_id == 0 && suite_bi->cluster_count > 1;
}

static void t_xc_pingpong(void)
{
	uint64_t m[CHAN_MSG_WORDS];

	if (!xc_driver())
		return;
	for (uint32_t j = 1; j < suite_bi->cluster_count; j++)
		for (uint64_t i = 0; i < 500; i++) {
			chan_send_words(&xc[j], XC_PING, i * 7, 0, 0);
			chan_recv(&xc[j], m, 64);
			if (m[0] != XC_PONG || m[1] != i * 7 + 1) {
				EXPECT_EQ(m[0], XC_PONG);
				EXPECT_EQ(m[1], i * 7 + 1);
				return;
			}
		}
}

/* Ask `who` (a bit per cluster) for `count` messages each, `gap` cycles
 * apart; receive them all, polling only if `poll_only`. */
static void burst(uint64_t who, uint64_t count, uint64_t gap, bool poll_only)
{
	uint64_t next[ABI_MAX_CLUSTERS] = { 0 }, m[CHAN_MSG_WORDS], left = 0;
	uint64_t waits = chan_stats.waits;
	uint32_t n = suite_bi->cluster_count;

	for (uint32_t j = 1; j < n; j++)
		if (who & (1ull << j)) {
			chan_send_words(&xc[j], XC_BURST, count, gap, 0);
			left += count;
		}
	while (left) {
		uint32_t j;
		if (poll_only) {
			for (j = 1; j < n && !((who >> j & 1) && chan_poll(&xc[j], m)); j++)
				;
			if (j == n)
				continue;
		} else {
			j = chan_recv_any(xc, n, m, 0);
		}
		if (m[0] != XC_DATA || m[2] != j || m[1] != next[j]) {
			EXPECT_EQ(m[0], XC_DATA);
			EXPECT_EQ(m[2], j);
			EXPECT_EQ(m[1], next[j]); /* in order, none lost, none twice */
			return;
		}
		next[j]++;
		left--;
	}
	if (poll_only)
		EXPECT_EQ(chan_stats.waits, waits);
}

static void t_xc_many_to_one(void)
{
	if (xc_driver())
		burst(((1ull << suite_bi->cluster_count) - 1) & ~1ull, 2000, 0, false);
}

static void t_xc_receiver_runs(void)
{
	if (xc_driver())
		burst(2, 1000, 0, true);
}

static void t_xc_receiver_sleeps(void)
{
	uint64_t waits = chan_stats.waits;

	if (!xc_driver())
		return;
	burst(2, 200, seconds(1) / 2000, false); /* 0.5 ms apart: we block between them */
	EXPECT(chan_stats.waits > waits);
}

/* Words 0-5 of core 0's counters (kernel lock, IPIs): only a reset lowers them. */
static void stats_core0(uint64_t *w)
{
	EXPECT_EQ(atoll_debug_stats(ROOT_DEBUG, 0, false, NULL), E_OK);
	for (unsigned i = 0; i < 6; i++)
		w[i] = atoll_ipcbuf->mr[i];
}

static void t_xc_stats_reset(void)
{
	uint64_t before[6], after[6], m[CHAN_MSG_WORDS];
	const uint64_t beyond = 2 * ABI_MAX_CLUSTERS;

	if (!xc_driver())
		return;
	burst(2, 50, seconds(1) / 2000, false); /* we block: cluster 1's signals IPI us */
	stats_core0(before);
	EXPECT(before[5] > 0);
	for (uint32_t j = 1; j < suite_bi->cluster_count; j++) {
		chan_send_words(&xc[j], XC_RESET_STATS, beyond, 0, 0);
		chan_recv(&xc[j], m, 64);
		EXPECT_EQ(m[0], XC_RESET_DONE);
		EXPECT_EQ(m[1], suite_bi->core_count); /* its own cores: reset */
		EXPECT_EQ(m[2], beyond + 1);           /* every other number: refused */
	}
	stats_core0(after);
	for (unsigned i = 0; i < 6; i++)
		EXPECT(after[i] >= before[i]); /* ours survived every other cluster's resets */
}

static void t_xc_100k(void)
{
	uint64_t waits = chan_stats.waits;

	if (!xc_driver())
		return;
	burst(2, 100000, 0, false);
	printf("# 100000 signals from cluster 1: %llu blocking waits, no lost wake-up\n",
	       (unsigned long long)(chan_stats.waits - waits));
}

const struct utest smp_tests[] = {
	{ "threads run on the core of their affinity (SMP cluster)", t_affinity },
	{ "2000 calls to a server on another core of the cluster", t_cross_core_ipc },
	{ "a thread running on another core is stopped by suspend and moved", t_stop_remote_thread },
	{ "unmap reaches another core's TLB (shootdown)", t_tlb_shootdown },
	{ "cross-cluster notification capabilities: no mint, signal-only, wait-only", t_xnotif_caps },
};
const unsigned smp_tests_count = sizeof(smp_tests) / sizeof(smp_tests[0]);

const struct utest xc_tests[] = {
	{ "cross-cluster ping-pong over the rings with every cluster", t_xc_pingpong },
	{ "every cluster signals cluster 0 at once (2000 messages each)", t_xc_many_to_one },
	{ "signals while the receiver runs: no wait, nothing lost", t_xc_receiver_runs },
	{ "signals while the receiver sleeps: woken every time", t_xc_receiver_sleeps },
	{ "100,000 signals with no lost wake-up", t_xc_100k },
	{ "no other cluster can reset cluster 0's counters", t_xc_stats_reset },
};
const unsigned xc_tests_count = sizeof(xc_tests) / sizeof(xc_tests[0]);

void xc_demo(void)
{
	uint64_t m[CHAN_MSG_WORDS];

	for (uint32_t j = 1; j < suite_bi->cluster_count; j++) {
		uint64_t sig = chan_stats.signals, waits = chan_stats.waits, t0 = atoll_rdtsc();
		for (uint64_t i = 0; i < 1000; i++) {
			chan_send_words(&xc[j], XC_PING, i, 0, 0);
			chan_recv(&xc[j], m, 1000);
		}
		uint64_t dt = atoll_rdtsc() - t0;
		printf("demo: cluster 0 <-> cluster %u: 1000 ring round trips, %llu TSC cycles each, "
		       "%llu signals, %llu blocking waits\n", j, (unsigned long long)(dt / 1000),
		       (unsigned long long)(chan_stats.signals - sig), (unsigned long long)(chan_stats.waits - waits));
	}
}
