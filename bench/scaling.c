/*
 * bench_scaling: the threads of one cluster and the protocol between the
 * clusters (see scaling.h). Every core of a cluster has a client thread and
 * a server thread, both bound to it at priority 100; cluster 0 also has the
 * shared server (priority 101, core 0). A client sleeps on its core's `go`
 * notification, runs one point, adds itself to `done` and sleeps again.
 */
#include "scaling.h"

#define SC_PRIO 100
#define SC_SHARED_PRIO 101  /* the shared server preempts a client of its core */
#define SC_CLIENT_SPINS 100000 /* a remote client polls its reply ring this often before it blocks */
#define SC_SERVER_SPINS 8   /* the channel server shares core 0: it blocks soon */

struct sc_layout sc_lay;

static struct sc_counter counter[SC_MAX_CORES];
static struct sc_point pt;         /* the point being run, written before `go` */
static cptr_t ep[SC_MAX_CORES], reply[SC_MAX_CORES];
static cptr_t go[SC_MAX_CORES], go_sig[SC_MAX_CORES];
static cptr_t done_ntfn, done_sig, shared_ep, shared_reply;
static volatile uint64_t done_count;
struct chan xc[ABI_MAX_CLUSTERS];

static cptr_t sc_obj(uint64_t type)
{
	uint64_t err = E_OK;
	cptr_t s = obj_alloc(type, 0, &err);

	if (!s)
		sc_fail("cannot make an object", err);
	return s;
}

/* A capability to notification n that signals badge 1. */
static cptr_t sc_badged(cptr_t n)
{
	cptr_t s = slot_alloc();
	uint64_t e = s ? atoll_cnode_mint(ROOT_CNODE, s, n, RIGHTS_ALL, 1) : E_NOT_ENOUGH_MEMORY;

	if (e)
		sc_fail("cannot mint a notification capability", e);
	return s;
}

static void spin_until(uint64_t t)
{
	while (atoll_rdtsc() < t)
		__asm__ volatile("pause");
}

/* Recv, then answer every call with an empty reply. */
static void server_loop(cptr_t e, cptr_t r)
{
	atoll_ipc_recv(e, r);
	for (;;)
		atoll_ipc_replyrecv(e, r, msginfo(0, 0, 0, 0), 0, 0, 0, 0);
}

static void server_main(uint64_t l)
{
	server_loop(ep[l], reply[l]);
}

static void shared_server_main(uint64_t unused)
{
	server_loop(shared_ep, shared_reply);
}

/* One round trip of the current point from local core l. */
static void round_trip(uint64_t test, uint64_t l)
{
	uint64_t m[CHAN_MSG_WORDS] = { SC_REQ };

	if (test == SC_PAIRS)
		atoll_ipc_call(ep[l], msginfo(0, 0, 0, 0), 0, 0, 0, 0);
	else if (sc_lay.cluster == 0)
		atoll_ipc_call(shared_ep, msginfo(0, 0, 0, 0), 0, 0, 0, 0);
	else {
		chan_send(&xc[0], m);
		chan_recv(&xc[0], m, SC_CLIENT_SPINS);
	}
}

/* Spin n iterations of the think loop, which does not read the TSC: under
 * QEMU's multi-threaded TCG every guest rdtsc takes one lock shared by all
 * vCPUs, so a think time that polled the TSC would be a shared resource. */
static void spin_loop(uint64_t n)
{
	for (uint64_t i = n; i; i--)
		__asm__ volatile("" ::: "memory");
}

/* Think-loop iterations per 1000 TSC cycles on this core, now: the
 * fastest of five timed runs of 200,000 iterations (about 0.5 ms). */
static uint64_t calibrate(void)
{
	uint64_t best = ~0ull, n = 200000;

	for (int r = 0; r < 5; r++) {
		uint64_t t0 = atoll_rdtsc(), dt;
		spin_loop(n);
		dt = atoll_rdtsc() - t0;
		best = dt < best ? dt : best;
	}
	return best ? n * 1000 / best : 1000;
}

/* Round trips from t_start until t_end, then think T cycles after each.
 * The window's end is read every `every` round trips (about every 64,000
 * cycles, for the reason above), so up to every - 1 round trips that end
 * after it may count: at most 63, against hundreds of thousands. */
static void client_run(uint64_t l)
{
	uint64_t test = pt.test, t = pt.think, end = pt.t_end, n = 0, iters = 0;
	uint64_t every = 64000 / (t + 1000);

	every = every < 1 ? 1 : every > 64 ? 64 : every;
	if (t) { /* calibrated for this point, in the lead time before the window */
		counter[l].spin = calibrate();
		iters = t * counter[l].spin / 1000;
	}
	spin_until(pt.t_start);
	counter[l].late = atoll_rdtsc() - pt.t_start;
	for (;;) {
		round_trip(test, l);
		if ((n + 1) % every == 0 && atoll_rdtsc() > end)
			break;
		counter[l].rt = ++n;
		if (t)
			spin_loop(iters);
	}
}

static void client_main(uint64_t l)
{
	for (;;) {
		atoll_ntfn_wait(go[l]);
		client_run(l);
		__atomic_add_fetch(&done_count, 1, __ATOMIC_SEQ_CST);
		atoll_ntfn_signal(done_sig);
	}
}

static void start_thread(void (*fn)(uint64_t), uint64_t arg, uint64_t prio, uint64_t core)
{
	struct uthread t;
	uint64_t e;

	if ((e = thread_create_suspended(&t, fn, arg, prio)) || (e = atoll_tcb_set_affinity(t.tcb, core)) ||
	    (e = atoll_tcb_resume(t.tcb)))
		sc_fail("cannot start a thread", e);
}

void sc_setup(void)
{
	sc_lay.spin_per_kcycle = calibrate();
	done_ntfn = sc_obj(OBJ_NOTIFICATION);
	done_sig = sc_badged(done_ntfn);
	for (uint32_t l = 0; l < sc_lay.csize; l++) {
		ep[l] = sc_obj(OBJ_ENDPOINT);
		reply[l] = sc_obj(OBJ_REPLY);
		go[l] = sc_obj(OBJ_NOTIFICATION);
		go_sig[l] = sc_badged(go[l]);
		start_thread(server_main, l, SC_PRIO, l);
		start_thread(client_main, l, SC_PRIO, l);
	}
	if (sc_lay.cluster == 0) {
		shared_ep = sc_obj(OBJ_ENDPOINT);
		shared_reply = sc_obj(OBJ_REPLY);
		start_thread(shared_server_main, 0, SC_SHARED_PRIO, 0);
	}
}

/* Zero the counters of local cores [0, n) and wake their clients. */
static void start_local(const struct sc_point *p, uint32_t n)
{
	pt = *p;
	done_count = 0;
	for (uint32_t l = 0; l < n; l++) {
		counter[l].rt = counter[l].late = counter[l].spin = 0;
		atoll_debug_stats(ROOT_DEBUG, l, true, NULL);
	}
	for (uint32_t l = 0; l < n; l++)
		atoll_ntfn_signal(go_sig[l]);
}

/* Wait for the n clients, then read their counters and the lock stats. */
static void finish_local(uint32_t n, struct sc_core_result *res)
{
	while (__atomic_load_n(&done_count, __ATOMIC_SEQ_CST) < n)
		atoll_ntfn_wait(done_ntfn);
	for (uint32_t l = 0; l < n; l++) {
		const uint64_t *mr = atoll_ipcbuf->mr;
		uint64_t e = atoll_debug_stats(ROOT_DEBUG, l, false, NULL);
		if (e)
			sc_fail("DEBUG_STATS", e);
		res[l] = (struct sc_core_result){ counter[l].rt, counter[l].late, counter[l].spin,
						  mr[0], mr[1], mr[2], mr[3], mr[4], mr[5] };
	}
}

/* How many cores of cluster c take part in a point over k cores. */
static uint32_t cores_in(uint32_t c, uint64_t k)
{
	uint64_t first = (uint64_t)c * sc_lay.csize;

	if (first >= k)
		return 0;
	return k - first < sc_lay.csize ? (uint32_t)(k - first) : sc_lay.csize;
}

static void send_result(uint32_t l, const struct sc_core_result *r)
{
	uint64_t m[CHAN_MSG_WORDS] = { SC_RESULT | (uint64_t)l << 8 | r->spin << 32, r->rt, r->late, r->acq,
				       r->cont, r->wait, r->hold, r->ipi_tx | r->ipi_rx << 32 };

	chan_send(&xc[0], m);
}

void sc_run_local(const struct sc_point *p, uint32_t n, struct sc_core_result *res)
{
	start_local(p, n);
	finish_local(n, res);
}

__attribute__((noreturn)) void sc_serve(void)
{
	uint64_t m[CHAN_MSG_WORDS];
	struct sc_core_result res[SC_MAX_CORES];

	for (;;) {
		chan_recv(&xc[0], m, 64);
		if ((m[0] & 0xFF) == SC_QUIT)
			for (;;)
				atoll_ntfn_wait(done_ntfn);
		if ((m[0] & 0xFF) != SC_RUN)
			continue;
		struct sc_point p = { m[1], m[2], m[3], m[4], m[5] };
		uint32_t n = cores_in(sc_lay.cluster, p.k);
		sc_run_local(&p, n, res);
		for (uint32_t l = 0; l < n; l++)
			send_result(l, &res[l]);
	}
}

/* ---- cluster 0: the driver ---- */

/* Receive `need` results from the other clusters into res (indexed by
 * global core); answer requests of the shared test meanwhile. */
static void collect(struct sc_core_result *res, uint32_t need)
{
	uint64_t m[CHAN_MSG_WORDS];

	while (need) {
		unsigned j = chan_recv_any(xc, sc_lay.clusters, m, SC_SERVER_SPINS);
		uint64_t op = m[0] & 0xFF, l = m[0] >> 8 & 0xFFFFFF;
		if (op == SC_REQ) {
			uint64_t r[CHAN_MSG_WORDS] = { SC_REP };
			chan_send(&xc[j], r);
		} else if (op == SC_RESULT && l < sc_lay.csize) {
			res[j * sc_lay.csize + l] = (struct sc_core_result){
				m[1], m[2], m[0] >> 32, m[3], m[4], m[5], m[6], m[7] & 0xFFFFFFFF, m[7] >> 32 };
			need--;
		} else {
			printf("bench: cluster %u sent message %llu\n", j, (unsigned long long)op);
		}
	}
}

/* Run point p (its window set here) over clusters and cores; res[g] for
 * global core g < p->k. */
static void run_point(struct sc_point *p, uint64_t window, struct sc_core_result *res)
{
	uint32_t remote = 0, n0 = cores_in(0, p->k);

	/* 50 ms for every client to wake: under TCG a halted vCPU may wait for
	 * a host scheduler tick or more */
	p->t_start = atoll_rdtsc() + sc_lay.tsc_hz / 20;
	p->t_end = p->t_start + window;
	for (uint32_t c = 1; c < sc_lay.clusters; c++) {
		uint32_t n = cores_in(c, p->k);
		uint64_t m[CHAN_MSG_WORDS] = { SC_RUN, p->test, p->k, p->think, p->t_start, p->t_end };
		if (!n)
			continue;
		chan_send(&xc[c], m);
		remote += n;
	}
	start_local(p, n0);
	if (p->test == SC_SHARED && remote) { /* serve the others' requests meanwhile */
		atoll_tcb_set_priority(ROOT_TCB, SC_SHARED_PRIO);
		collect(res, remote);
		atoll_tcb_set_priority(ROOT_TCB, 255);
		finish_local(n0, res);
	} else {
		finish_local(n0, res);
		collect(res, remote);
	}
}

/* The shared test in a multikernel needs one client per cluster (a ring
 * has one producer); clusters of several cores run the pairs only. */
static bool shared_possible(void)
{
	return sc_lay.clusters == 1 || sc_lay.csize == 1;
}

static void fill_row(struct sc_row *row, const struct sc_point *p, uint64_t window,
		     const struct sc_core_result *res)
{
	uint64_t hold = 0;

	row->think = p->think;
	row->k = p->k;
	row->rt_total = 0;
	for (uint64_t g = 0; g < p->k; g++) {
		row->rt_total += res[g].rt;
		hold += res[g].hold;
	}
	row->per_s = row->rt_total * sc_lay.tsc_hz / window;
	row->hold_per_rt = row->rt_total ? hold / row->rt_total : 0;
	row->cycles_per_rt = res[0].rt ? window / res[0].rt : 0;
}

void sc_drive(uint64_t window_ms)
{
	static struct sc_row rows[SC_TESTS][SC_THINKS * SC_MAX_CORES];
	static struct sc_core_result res[SC_MAX_CORES];
	uint64_t window = sc_lay.tsc_hz * window_ms / 1000;
	struct sc_point warm = { SC_PAIRS, sc_lay.cores, 0, 0, 0 };
	uint32_t kmax = sc_lay.cores < SC_MAX_CORES ? sc_lay.cores : SC_MAX_CORES;
	unsigned n[SC_TESTS] = { 0 };

	run_point(&warm, window / 4 + 1, res); /* warm-up: caches, TLBs, first faults */
	for (unsigned t = 0; t < SC_TESTS; t++) {
		if (t == SC_SHARED && !shared_possible()) {
			printf("bench: %s: skipped (clusters of %u cores: one client per cluster only)\n",
			       sc_test_name[t], sc_lay.csize);
			continue;
		}
		for (unsigned ti = 0; ti < SC_THINKS; ti++)
			for (uint64_t k = 1; k <= kmax; k++) {
				struct sc_point p = { t, k, sc_think[ti], 0, 0 };
				run_point(&p, window, res);
				sc_print_point(&p, window, res);
				fill_row(&rows[t][n[t]++], &p, window, res);
			}
	}
	for (uint32_t c = 1; c < sc_lay.clusters; c++) {
		uint64_t m[CHAN_MSG_WORDS] = { SC_QUIT };
		chan_send(&xc[c], m);
	}
	for (unsigned t = 0; t < SC_TESTS; t++) /* last, so that they stay on a 25-line screen */
		if (n[t])
			sc_print_table(t, rows[t], n[t]);
}
