/*
 * Cross-cluster benchmarks (issue 5; docs/bench.md "Cross-cluster"): the
 * bench ISO booted a second time with two clusters of one core each
 * (-smp 2, cluster_size=1, bench=xcluster-icount or xcluster-tsc). Both
 * root tasks run this program; cluster 0 measures, cluster 1 echoes.
 *
 *   xcluster_notif_rtt  signal cluster 1's inbound notification, wait on our
 *                       own: signal, IPI, wake, signal back, IPI, wake
 *   xcluster_ring_rtt   a 64-byte message over the ring and back, both
 *                       sides receiving with poll-once-then-block
 *   xcluster_ring_stream  9,920 messages one way in batches of 31 (half a
 *                       ring), the receiver polling before it blocks and
 *                       acknowledging each batch (credit flow control: the
 *                       sender blocks instead of spinning on a full ring);
 *                       cost and IPIs per message, acknowledgements included
 *
 * While one side waits its core halts, so under QEMU -icount (one clock
 * for both vCPUs) a round trip counts exactly the instructions both cores
 * retire for it. IPIs per message come from the kernel's counters of
 * cluster 0's core (IPIs sent to cluster 1 plus IPIs received from it);
 * cluster 1 reports its own counters at the end and they must agree.
 */
#include "atoll/chan.h"
#include "ipc_bench.h"

#define XB_BATCH (CHAN_SLOTS / 2)
#define XB_STREAM_MSGS (XB_BATCH * 320u)
#define XB_STREAM_SPINS 64u /* receiver polls before it blocks */
#define XB_PEER 1u

enum xb_op { XB_ECHO = 1, XB_DATA, XB_ACK, XB_REPORT };

enum xb_case { XB_NOTIF_RTT, XB_RING_RTT, XB_RING_STREAM, XB_CASES };
static const char *const xb_name[XB_CASES] = { "xcluster_notif_rtt", "xcluster_ring_rtt",
						"xcluster_ring_stream" };

/* IPI counters of this cluster's (only) core. */
struct xb_ipis {
	uint64_t sent, received;
};

struct xb_result {
	struct bench_stats st;  /* per round trip (stream: one sample, per message) */
	struct xb_ipis ipis;    /* during the case, cluster 0's core */
	uint64_t messages;      /* one-way messages in the case */
	uint64_t waits;         /* blocking waits of cluster 0 */
};

static uint64_t samples[BENCH_RUNS];
static volatile uint64_t start;

static struct xb_ipis ipis_now(void)
{
	uint64_t err = atoll_debug_stats(ROOT_DEBUG, 0, false, NULL);

	if (err != E_OK)
		bench_fail("reading the IPI counters (SYS_DEBUG_STATS)", err);
	return (struct xb_ipis){ atoll_ipcbuf->mr[4], atoll_ipcbuf->mr[5] };
}

static struct xb_ipis ipis_since(struct xb_ipis a)
{
	struct xb_ipis b = ipis_now();

	return (struct xb_ipis){ b.sent - a.sent, b.received - a.received };
}

/* ---- cluster 1: the echo side ---- */

static __attribute__((noreturn)) void echo_side(struct chan *c)
{
	struct xb_ipis base = ipis_now();
	uint64_t m[CHAN_MSG_WORDS];

	for (unsigned i = 0; i < BENCH_RUNS; i++) { /* notification round trips */
		atoll_ntfn_wait(ROOT_XNOTIF);
		atoll_ntfn_signal(c->signal);
	}
	for (unsigned i = 0; i < BENCH_RUNS; i++) { /* ring round trips */
		chan_recv(c, m, 0);
		chan_send(c, m);
	}
	for (unsigned i = 0; i < XB_STREAM_MSGS; i++) {
		chan_recv(c, m, XB_STREAM_SPINS);
		if (m[0] != XB_DATA || m[1] != i) { /* out of order or lost: report it */
			chan_send_words(c, XB_ACK, i, m[1], 1);
			break;
		}
		if ((i + 1) % XB_BATCH == 0)
			chan_send_words(c, XB_ACK, i + 1, 0, 0);
	}
	struct xb_ipis d = ipis_since(base);
	chan_send_words(c, XB_REPORT, d.sent, d.received, chan_stats.waits);
	for (;;) /* cluster 0 ends the run */
		atoll_ntfn_wait(ROOT_XNOTIF);
}

/* ---- cluster 0: the measuring side ---- */

static void finish(struct xb_result *r, uint64_t overhead)
{
	bench_subtract(samples + BENCH_WARMUP, BENCH_SAMPLES, overhead);
	bench_stats_compute(samples + BENCH_WARMUP, BENCH_SAMPLES, &r->st);
}

static void notif_rtt(struct chan *c, struct xb_result *r, uint64_t overhead)
{
	struct xb_ipis base = ipis_now();
	uint64_t t;

	for (unsigned i = 0; i < BENCH_RUNS; i++) {
		ts_start_to(&start);
		atoll_ntfn_signal(c->signal);
		atoll_ntfn_wait(ROOT_XNOTIF);
		t = ts_end();
		samples[i] = t - start;
	}
	r->ipis = ipis_since(base);
	r->messages = 2 * BENCH_RUNS;
	r->waits = BENCH_RUNS;
	finish(r, overhead);
}

static void ring_rtt(struct chan *c, struct xb_result *r, uint64_t overhead)
{
	struct xb_ipis base = ipis_now();
	uint64_t m[CHAN_MSG_WORDS] = { XB_ECHO }, waits = chan_stats.waits, t;

	for (unsigned i = 0; i < BENCH_RUNS; i++) {
		m[1] = i;
		ts_start_to(&start);
		chan_send(c, m);
		chan_recv(c, m, 0);
		t = ts_end();
		if (m[0] != XB_ECHO || m[1] != i)
			bench_fail("ring round trip: the echo does not match", E_INVALID_ARGUMENT);
		samples[i] = t - start;
	}
	r->ipis = ipis_since(base);
	r->messages = 2 * BENCH_RUNS;
	r->waits = chan_stats.waits - waits;
	finish(r, overhead);
}

static void ring_stream(struct chan *c, struct xb_result *r)
{
	struct xb_ipis base = ipis_now();
	uint64_t m[CHAN_MSG_WORDS] = { XB_DATA }, waits = chan_stats.waits, t0, t1;

	t0 = atoll_rdtsc();
	for (unsigned i = 0; i < XB_STREAM_MSGS; i++) {
		m[0] = XB_DATA;
		m[1] = i;
		chan_send(c, m);
		if ((i + 1) % XB_BATCH)
			continue;
		chan_recv(c, m, XB_STREAM_SPINS);
		if (m[0] != XB_ACK || m[1] != i + 1 || m[3] != 0)
			bench_fail("ring stream: cluster 1 saw a message out of order at", m[1]);
	}
	t1 = atoll_rdtsc();
	r->ipis = ipis_since(base);
	r->messages = XB_STREAM_MSGS + XB_STREAM_MSGS / XB_BATCH;
	r->waits = chan_stats.waits - waits;
	r->st = (struct bench_stats){ .mean = (t1 - t0) / XB_STREAM_MSGS, .samples = 1 };
	r->st.min = r->st.max = r->st.median = r->st.mean;
}

/* x / y as a decimal with two places, into buf (at least 32 bytes). */
static const char *ratio(char *buf, uint64_t x, uint64_t y)
{
	uint64_t h = y ? (x * 100 + y / 2) / y : 0;

	ksnprintf(buf, 32, "%llu.%02llu", (unsigned long long)(h / 100), (unsigned long long)(h % 100));
	return buf;
}

static void print_json(const struct xb_result *r, enum xb_case k, const char *unit)
{
	char ipm[32];

	printf_serial("BENCH {\"name\":\"%s\",\"mean\":%llu,\"stddev\":%llu,\"min\":%llu,\"max\":%llu,"
	       "\"median\":%llu,\"samples\":%llu,\"messages\":%llu,\"ipis_sent\":%llu,"
	       "\"ipis_received\":%llu,\"ipis_per_message\":%s,\"blocking_waits\":%llu,\"unit\":\"%s\"}\n",
	       xb_name[k], (unsigned long long)r->st.mean, (unsigned long long)r->st.stddev,
	       (unsigned long long)r->st.min, (unsigned long long)r->st.max, (unsigned long long)r->st.median,
	       (unsigned long long)r->st.samples, (unsigned long long)r->messages,
	       (unsigned long long)r->ipis.sent, (unsigned long long)r->ipis.received,
	       ratio(ipm, r->ipis.sent + r->ipis.received, r->messages), (unsigned long long)r->waits, unit);
}

/* An aligned table (and still markdown) of 77 columns, with what a reader
 * needs to compare machines: CPU, cores, TSC rate, unit. */
static void print_table(const struct xb_result *r, bool icount, const struct abi_bootinfo *bi)
{
	static const char *const what[XB_CASES] = {
		"notification round trip",
		"ring round trip (64 B a way)",
		"ring stream, per msg (x31)",
	};
	char ipm[32];

	printf("Cross-cluster (clusters 0 and 1, a core each), %s\n", icount ? "icount instructions" : "TSC cycles");
	printf("CPU %.40s, %u cores in %u clusters, TSC %llu MHz\n", atoll_cpu_brand(bi),
	       bi->core_count * bi->cluster_count, bi->cluster_count,
	       (unsigned long long)((bi->tsc_hz + 500000) / 1000000));
	printf("| %-28s | %8s | %8s | %8s | %9s |\n", "Case", "Median", "Mean", "Stddev", "IPIs/msg");
	printf("|------------------------------|----------|----------|----------|-----------|\n");
	for (unsigned k = 0; k < XB_CASES; k++)
		printf("| %-28s | %8llu | %8llu | %8llu | %9s |\n", what[k], (unsigned long long)r[k].st.median,
		       (unsigned long long)r[k].st.mean, (unsigned long long)r[k].st.stddev,
		       ratio(ipm, r[k].ipis.sent + r[k].ipis.received, r[k].messages));
}

static void measure_side(struct chan *c, bool icount, const struct abi_bootinfo *bi)
{
	static struct xb_result r[XB_CASES];
	const char *unit = icount ? "icount-instructions" : "tsc-cycles";
	uint64_t overhead = bench_timestamp_overhead(&start, samples), m[CHAN_MSG_WORDS];
	struct xb_ipis total = ipis_now();

	printf("bench: cross-cluster cases against cluster %u; timestamp overhead %llu subtracted; "
	       "%u warm-up runs, then %u samples per round-trip case\n",
	       XB_PEER, (unsigned long long)overhead, BENCH_WARMUP, BENCH_SAMPLES);
	notif_rtt(c, &r[XB_NOTIF_RTT], overhead);
	ring_rtt(c, &r[XB_RING_RTT], overhead);
	ring_stream(c, &r[XB_RING_STREAM]);
	total = ipis_since(total);

	/* Cluster 1's own count: every IPI one side sent, the other received. */
	chan_recv(c, m, XB_STREAM_SPINS);
	if (m[0] != XB_REPORT)
		bench_fail("cluster 1 sent no report", m[0]);
	printf("bench: IPIs: cluster 0 sent %llu, received %llu; cluster 1 sent %llu, received %llu "
	       "(%s); cluster 1 blocked %llu times\n",
	       (unsigned long long)total.sent, (unsigned long long)total.received, (unsigned long long)m[1],
	       (unsigned long long)m[2], total.sent == m[2] && total.received == m[1] ? "they agree" : "MISMATCH",
	       (unsigned long long)m[3]);
	if (total.sent != m[2] || total.received != m[1])
		bench_fail("the two clusters' IPI counts differ", 0);
	for (unsigned k = 0; k < XB_CASES; k++)
		print_json(&r[k], k, unit);
	print_table(r, icount, bi);
}

void bench_xcluster(const struct abi_bootinfo *bi, bool icount)
{
	static struct chan c;

	if (bi->cluster_count < 2)
		bench_fail("bench=xcluster wants at least two clusters (cluster_size=1 and 2 cores or more); "
			   "clusters",
			   bi->cluster_count);
	if (bi->cluster_id > XB_PEER) /* a PC with more cores: the others stay idle */
		for (;;)
			atoll_ntfn_wait(ROOT_XNOTIF);
	if (!chan_open(&c, bi, bi->cluster_id == 0 ? XB_PEER : 0))
		bench_fail("no boot channel to the other cluster", 0);
	if (bi->cluster_id != 0)
		echo_side(&c);
	measure_side(&c, icount, bi);
}
