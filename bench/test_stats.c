/* Host test of bench/stats.c: integer statistics against a 128-bit
 * reference on random and edge-case sample sets. Prints one result line. */
#include <stdio.h>
#include <stdlib.h>
#include "stats.h"

static int failures;

static void expect(int ok, const char *what, unsigned long n)
{
	if (!ok && failures++ < 10)
		fprintf(stderr, "bench_stats: %s wrong (n=%lu)\n", what, n);
}

/* The largest r with r^2 <= num / den, by bisection on 128-bit values. */
static uint64_t ref_sqrt_ratio(unsigned __int128 num, unsigned __int128 den)
{
	uint64_t lo = 0, hi = UINT32_MAX;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;
		if ((unsigned __int128)mid * mid * den <= num)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void check_set(uint64_t *x, uint64_t n)
{
	uint64_t *y = malloc(n * sizeof(*y) + 1);
	unsigned __int128 sum = 0, sq = 0;
	struct bench_stats st;

	for (uint64_t i = 0; i < n; i++) {
		y[i] = x[i];
		sum += x[i];
		sq += (unsigned __int128)x[i] * x[i];
	}
	qsort(y, n, sizeof(*y), cmp_u64);
	bench_stats_compute(x, n, &st);
	for (uint64_t i = 0; i < n; i++)
		expect(x[i] == y[i], "sort", n);
	expect(st.samples == n, "samples", n);
	expect(st.min == y[0] && st.max == y[n - 1], "min/max", n);
	expect(st.mean == (uint64_t)((sum + n / 2) / n), "mean", n);
	expect(st.median == (n & 1 ? y[n / 2] : (y[n / 2 - 1] + y[n / 2]) / 2), "median", n);
	/* variance = (n * sum x^2 - (sum x)^2) / (n (n - 1)) */
	if (n > 1)
		expect(st.stddev == ref_sqrt_ratio(sq * n - sum * sum, (unsigned __int128)n * (n - 1)), "stddev", n);
	free(y);
}

int main(void)
{
	static uint64_t x[2000];

	srand(1);
	for (int t = 0; t < 3000; t++) {
		uint64_t n = 1 + (uint64_t)rand() % 1500, range = t % 3 ? 100000 : 7;
		for (uint64_t i = 0; i < n; i++)
			x[i] = 100 + (uint64_t)rand() % range;
		if (t % 5 == 0) /* a rare outlier, as a timer interrupt makes */
			x[(uint64_t)rand() % n] = 3000000;
		check_set(x, n);
	}
	for (uint64_t v = 0; v < 3000000; v += 3) {
		uint64_t r = bench_isqrt(v);
		expect(r * r <= v && (r + 1) * (r + 1) > v, "isqrt", v);
	}
	expect(bench_isqrt(UINT64_MAX) == UINT32_MAX, "isqrt(max)", 0);
	x[0] = 5, x[1] = 9, x[2] = 2;
	bench_subtract(x, 3, 4);
	expect(x[0] == 1 && x[1] == 5 && x[2] == 0, "subtract", 3);
	expect(bench_min(x, 3) == 0 && bench_min(x, 0) == 0, "min", 3);
	printf("bench_stats: %s\n", failures ? "FAIL" : "ok");
	return failures != 0;
}
