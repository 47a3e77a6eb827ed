/*
 * bench_scaling's entry (the root task "init" of every cluster, or
 * init=bench_scaling on the bare-metal menu). Command line:
 * bench=scaling (400 ms per point) or bench=scaling:MS (MS ms per point),
 * with cluster_size=1|K|all and lockstats=on.
 */
#include "kstring.h"
#include "scaling.h"

#define SC_DEFAULT_MS 400

/* The value of cluster_size= in the command line when it names a resource
 * (smt, l2, llc, socket: the layout follows the topology), else "". */
static void cluster_word(const char *cmd, char *out, size_t size)
{
	static const char key[] = "cluster_size=";
	static const char *const words[] = { "smt", "l2", "llc", "socket" };

	out[0] = 0;
	for (const char *p = cmd; *p; p++) {
		if ((p != cmd && p[-1] != ' ') || strncmp(p, key, sizeof(key) - 1) != 0)
			continue;
		const char *v = p + sizeof(key) - 1;
		out[0] = 0; /* the last cluster_size= counts, as in the kernel */
		for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			size_t n = strlen(words[i]);
			if (strncmp(v, words[i], n) == 0 && (v[n] == ' ' || !v[n]) && n < size)
				memcpy(out, words[i], n + 1);
		}
	}
}

int main(struct abi_bootinfo *bi);

void sc_fail(const char *what, uint64_t err)
{
	printf("bench: %s: error %llu\n", what, (unsigned long long)err);
	atoll_exit(2);
}

/* The window from bench=scaling[:MS]; 0 if the command line has no such
 * option (or a bad one). */
static uint64_t window_ms(const char *cmd)
{
	static const char key[] = "bench=scaling";
	size_t n = sizeof(key) - 1;

	for (const char *p = cmd; *p; p++) {
		if ((p != cmd && p[-1] != ' ') || strncmp(p, key, n) != 0)
			continue;
		if (p[n] == ' ' || !p[n])
			return SC_DEFAULT_MS;
		if (p[n] != ':')
			return 0;
		uint64_t ms = 0;
		for (p += n + 1; *p >= '0' && *p <= '9' && ms < 100000; p++)
			ms = ms * 10 + (uint64_t)(*p - '0');
		return (*p == ' ' || !*p) && ms >= 1 && ms <= 10000 ? ms : 0;
	}
	return 0;
}

/* Cluster 0 waits until every other cluster has set up its threads. */
static void await_ready(void)
{
	uint64_t m[CHAN_MSG_WORDS];

	for (uint32_t c = 1; c < sc_lay.clusters; c++) {
		chan_recv(&xc[c], m, 64);
		if ((m[0] & 0xFF) != SC_READY)
			sc_fail("a cluster did not report ready", m[0]);
	}
}

int main(struct abi_bootinfo *bi)
{
	uint64_t ms;

	if (bi->magic != ABI_BOOTINFO_MAGIC) {
		printf("bench: bad boot information magic\n");
		return 1;
	}
	if (!(ms = window_ms(bi->cmdline))) {
		printf("bench: the command line needs bench=scaling or bench=scaling:MS (1..10000 ms)\n");
		return 1;
	}
	sc_lay = (struct sc_layout){ bi->cluster_id, bi->cluster_count, bi->core_count,
				     bi->cluster_count * bi->core_count, bi->tsc_hz, 0, "", NULL };
	cluster_word(bi->cmdline, sc_lay.by, sizeof(sc_lay.by));
	sc_lay.cpu = atoll_cpu_brand(bi);
	if (sc_lay.csize > SC_MAX_CORES || !sc_lay.tsc_hz)
		sc_fail("unsupported layout (cores per cluster, or no TSC rate)", sc_lay.csize);
	alloc_init(bi);
	for (uint32_t j = 0; j < bi->cluster_count && j < ABI_MAX_CLUSTERS; j++)
		chan_open(&xc[j], bi, j);
	sc_setup();
	if (bi->cluster_id != 0) {
		uint64_t m[CHAN_MSG_WORDS] = { SC_READY };
		chan_send(&xc[0], m);
		sc_serve();
	}
	printf("bench: scaling on %s, TSC %llu kHz, %u cores in %u cluster%s of %u, %llu ms per point\n",
	       atoll_cpu_brand(bi), (unsigned long long)(bi->tsc_hz / 1000), sc_lay.cores, sc_lay.clusters,
	       sc_lay.clusters == 1 ? "" : "s", sc_lay.csize, (unsigned long long)ms);
	await_ready();
	sc_drive(ms);
	printf("bench: scaling done\n");
	atoll_exit(0);
}
