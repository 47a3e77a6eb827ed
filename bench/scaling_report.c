/*
 * bench_scaling's output: one `BENCH {...}` line per point (every core's
 * round trips and kernel-lock counters; the host script makes the CSV,
 * the markdown table, the model and the plot from them), and per test a
 * table small enough to stay on an 80x25 screen. Integer arithmetic only.
 */
#include "scaling.h"

const uint64_t sc_think[SC_THINKS] = { 0, 500, 4000, 32000 };
const char *const sc_test_name[SC_TESTS] = { "pairs", "shared" };

static char line[16384];
static size_t used;

static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void put(const char *fmt, ...)
{
	va_list ap;

	if (used >= sizeof(line))
		return;
	va_start(ap, fmt);
	used += (size_t)kvsnprintf(line + used, sizeof(line) - used, fmt, ap);
	va_end(ap);
	if (used >= sizeof(line))
		used = sizeof(line) - 1;
}

/* ,"name":[v0,v1,...] over the k cores, the field at byte offset off. */
static void put_array(const char *name, const struct sc_core_result *res, uint64_t k, size_t off)
{
	put(",\"%s\":[", name);
	for (uint64_t g = 0; g < k; g++)
		put("%s%llu", g ? "," : "",
		    (unsigned long long)*(const uint64_t *)((const char *)&res[g] + off));
	put("]");
}

static const char *mode_name(void)
{
	static char b[16];

	if (sc_lay.by[0])
		return sc_lay.by;
	if (sc_lay.clusters == 1)
		return "all";
	ksnprintf(b, sizeof(b), "%u", sc_lay.csize);
	return b;
}

void sc_print_point(const struct sc_point *p, uint64_t window, const struct sc_core_result *res)
{
	uint64_t total = 0;
	static const struct { const char *name; size_t off; } fields[] = {
		{ "rt", __builtin_offsetof(struct sc_core_result, rt) },
		{ "late", __builtin_offsetof(struct sc_core_result, late) },
		{ "spin", __builtin_offsetof(struct sc_core_result, spin) },
		{ "acq", __builtin_offsetof(struct sc_core_result, acq) },
		{ "cont", __builtin_offsetof(struct sc_core_result, cont) },
		{ "wait", __builtin_offsetof(struct sc_core_result, wait) },
		{ "hold", __builtin_offsetof(struct sc_core_result, hold) },
		{ "ipi_tx", __builtin_offsetof(struct sc_core_result, ipi_tx) },
		{ "ipi_rx", __builtin_offsetof(struct sc_core_result, ipi_rx) },
	};

	for (uint64_t g = 0; g < p->k; g++)
		total += res[g].rt;
	used = 0;
	put("BENCH {\"bench\":\"scaling\",\"test\":\"%s\",\"cluster_size\":\"%s\",\"clusters\":%u,"
	    "\"cores\":%u,\"think\":%llu,\"k\":%llu,\"window\":%llu,\"tsc_hz\":%llu,\"rt_total\":%llu,"
	    "\"per_s\":%llu,\"spin_per_kcycle\":%llu,\"unit\":\"tsc-cycles\"",
	    sc_test_name[p->test], mode_name(), sc_lay.clusters, sc_lay.cores,
	    (unsigned long long)p->think, (unsigned long long)p->k, (unsigned long long)window,
	    (unsigned long long)sc_lay.tsc_hz, (unsigned long long)total,
	    (unsigned long long)(total * sc_lay.tsc_hz / window),
	    (unsigned long long)sc_lay.spin_per_kcycle);
	for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		put_array(fields[i].name, res, p->k, fields[i].off);
	put("}\n");
	puts_serial(line, used); /* for the host script, not the screen */
}

/* x/y rounded, as "97". */
static const char *dec0(uint64_t x, uint64_t y)
{
	static char b[4][24];
	static unsigned next;
	char *s = b[next++ % 4];

	ksnprintf(s, 24, "%llu", (unsigned long long)(y ? (x + y / 2) / y : 0));
	return s;
}

/* x/y with one decimal, as "12.3". */
static const char *dec1(uint64_t x, uint64_t y)
{
	static char b[4][24];
	static unsigned next;
	char *s = b[next++ % 4];
	uint64_t q = y ? (x * 10 + y / 2) / y : 0;

	ksnprintf(s, 24, "%llu.%llu", (unsigned long long)(q / 10), (unsigned long long)(q % 10));
	return s;
}

/* The k shown on the screen: all of them up to 6 cores, else 1, 2, 4, ...
 * and the last (an 80-column line holds 6 cells). */
static bool shown(uint64_t k, uint64_t kmax)
{
	return kmax <= 6 || k == kmax || (k & (k - 1)) == 0;
}

/* One line per T: each shown k's throughput (thousand RT/s) and its
 * efficiency X(k)/(k*X(1)). rows[] holds T-major, k = 1..kmax. */
static void print_rows(const struct sc_row *rows, unsigned n, uint64_t kmax)
{
	for (unsigned i = 0; i + kmax <= n; i += (unsigned)kmax) {
		const struct sc_row *r = &rows[i];
		printf("%6llu |", (unsigned long long)r->think);
		for (uint64_t k = 1; k <= kmax; k++)
			if (shown(k, kmax))
				printf(" %6llu %3s%%", (unsigned long long)(r[k - 1].per_s / 1000),
				       dec0(r[k - 1].per_s * 100, k * r[0].per_s));
		printf("\n");
	}
}

/* The big-lock model (docs/bench.md): at most one core is in the kernel,
 * so k cores give at most (L + T) / L times one core's throughput, with L
 * the lock hold cycles per round trip measured at k = 1. */
static void print_model(const struct sc_row *rows, unsigned n, uint64_t kmax)
{
	printf("big-lock model: L = lock hold cycles/RT at k=1, X(k) <= X(1)*min(k,(L+T)/L)\n");
	for (unsigned i = 0; i + kmax <= n; i += (unsigned)kmax) {
		const struct sc_row *r = &rows[i];
		uint64_t L = r->hold_per_rt ? r->hold_per_rt : 1;
		uint64_t ceil100 = (L + r->think) * 100 / L, k100 = kmax * 100;
		uint64_t model = r->per_s * (ceil100 < k100 ? ceil100 : k100) / 100;
		printf("%6llu | L=%-5llu (L+T)/L=%-5s k=%llu: model %6llu, measured %6llu (%s%%)\n",
		       (unsigned long long)r->think, (unsigned long long)L, dec1(L + r->think, L),
		       (unsigned long long)kmax, (unsigned long long)(model / 1000),
		       (unsigned long long)(r[kmax - 1].per_s / 1000), dec0(r[kmax - 1].per_s * 100, model));
	}
}

void sc_print_table(enum sc_test t, const struct sc_row *rows, unsigned n)
{
	uint64_t kmax = sc_lay.cores < SC_MAX_CORES ? sc_lay.cores : SC_MAX_CORES;

	printf("%s, cluster_size=%s: %u kernel%s on %u cores; CPU %.32s\n", sc_test_name[t], mode_name(),
	       sc_lay.clusters, sc_lay.clusters == 1 ? "" : "s", sc_lay.cores, sc_lay.cpu);
	printf("TSC %llu MHz; T = think cycles; cells: thousand round trips/s, X(k)/(k*X(1))\n",
	       (unsigned long long)((sc_lay.tsc_hz + 500000) / 1000000));
	printf("     T |");
	for (uint64_t k = 1; k <= kmax; k++)
		if (shown(k, kmax))
			printf("      k=%-4llu", (unsigned long long)k);
	printf("\n");
	print_rows(rows, n, kmax);
	if (sc_lay.clusters == 1 && t == SC_PAIRS && kmax > 1)
		print_model(rows, n, kmax);
}
