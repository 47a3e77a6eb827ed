/* Summary statistics of benchmark samples, in integer arithmetic only
 * (user programs are built without the FPU). Pure C, host-testable. */
#pragma once
#include <stdint.h>

struct bench_stats {
	uint64_t mean;   /* rounded to the nearest integer */
	uint64_t stddev; /* sample standard deviation (n - 1), rounded down */
	uint64_t min, max;
	uint64_t median; /* middle value; mean of the two middle ones, rounded down */
	uint64_t samples;
};

/* Integer square root: the largest r with r * r <= x. */
uint64_t bench_isqrt(uint64_t x);
/* Sorts x[0..n) in place and summarises it; n = 0 gives all zeros. */
void bench_stats_compute(uint64_t *x, uint64_t n, struct bench_stats *st);
/* x[i] - sub for each sample, at least 0 (the overhead subtraction). */
void bench_subtract(uint64_t *x, uint64_t n, uint64_t sub);
/* The smallest of x[0..n). */
uint64_t bench_min(const uint64_t *x, uint64_t n);
