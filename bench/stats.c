/* Integer statistics for the benchmarks (see stats.h). */
#include "stats.h"

uint64_t bench_isqrt(uint64_t x)
{
	uint64_t r = 0, bit = 1ull << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* Heapsort: O(n log n), no recursion, no allocation. */
static void sift_down(uint64_t *x, uint64_t root, uint64_t n)
{
	for (uint64_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && x[child + 1] > x[child])
			child++;
		if (x[root] >= x[child])
			return;
		uint64_t t = x[root];
		x[root] = x[child];
		x[child] = t;
	}
}

static void sort_u64(uint64_t *x, uint64_t n)
{
	for (uint64_t i = n / 2; i-- > 0;)
		sift_down(x, i, n);
	for (uint64_t end = n; end-- > 1;) {
		uint64_t t = x[0];
		x[0] = x[end];
		x[end] = t;
		sift_down(x, 0, end);
	}
}

/* Sum of squared deviations from m, saturating at UINT64_MAX. */
static uint64_t sum_sq_dev(const uint64_t *x, uint64_t n, uint64_t m)
{
	uint64_t ss = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t d = x[i] > m ? x[i] - m : m - x[i];
		if (d > UINT32_MAX || ss > UINT64_MAX - d * d)
			return UINT64_MAX;
		ss += d * d;
	}
	return ss;
}

void bench_stats_compute(uint64_t *x, uint64_t n, struct bench_stats *st)
{
	uint64_t sum = 0;

	*st = (struct bench_stats){ 0, 0, 0, 0, 0, n };
	if (!n)
		return;
	sort_u64(x, n);
	for (uint64_t i = 0; i < n; i++)
		sum += x[i];
	st->mean = (sum + n / 2) / n;
	st->min = x[0];
	st->max = x[n - 1];
	st->median = n & 1 ? x[n / 2] : x[n / 2 - 1] + (x[n / 2] - x[n / 2 - 1]) / 2;
	if (n > 1) { /* about the exact mean: less n * (exact - rounded)^2 */
		uint64_t ss = sum_sq_dev(x, n, st->mean);
		int64_t d = (int64_t)(sum - n * st->mean);
		uint64_t corr = (uint64_t)(d < 0 ? -d : d);

		if (ss <= UINT64_MAX / n) /* exact: (ss * n - corr^2) / (n * (n - 1)) */
			st->stddev = bench_isqrt((ss * n - corr * corr) / n / (n - 1));
		else
			st->stddev = bench_isqrt(ss / (n - 1));
	}
}

void bench_subtract(uint64_t *x, uint64_t n, uint64_t sub)
{
	for (uint64_t i = 0; i < n; i++)
		x[i] = x[i] > sub ? x[i] - sub : 0;
}

uint64_t bench_min(const uint64_t *x, uint64_t n)
{
	uint64_t m = UINT64_MAX;

	for (uint64_t i = 0; i < n; i++)
		if (x[i] < m)
			m = x[i];
	return n ? m : 0;
}
