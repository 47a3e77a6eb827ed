/*
 * A small seeded pseudo-random generator for tests: splitmix64 spreads the
 * seed, xorshift64* makes the stream. Header-only; the state belongs to the
 * caller (keep it on the stack of the thread that uses it). The same seed
 * gives the same sequence on every run.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct rand64 {
	uint64_t s; /* never 0 */
};

/* One splitmix64 step: advances *x and returns a well-mixed word. */
static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline void rand_seed(struct rand64 *r, uint64_t seed)
{
	uint64_t x = seed;

	r->s = splitmix64(&x);
	if (!r->s)
		r->s = 0x9E3779B97F4A7C15ull;
}

/* xorshift64* (Vigna): period 2^64 - 1. */
static inline uint64_t rand_next(struct rand64 *r)
{
	uint64_t s = r->s;

	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	r->s = s;
	return s * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [0, n) (0 when n is 0), by multiply-high: no division. */
static inline uint64_t rand_below(struct rand64 *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rand_next(r) * n) >> 64);
}

/* Uniform in [lo, hi]. */
static inline uint64_t rand_range(struct rand64 *r, uint64_t lo, uint64_t hi)
{
	return lo + rand_below(r, hi - lo + 1);
}

/* True with probability pct / 100. */
static inline bool rand_chance(struct rand64 *r, unsigned pct)
{
	return rand_below(r, 100) < pct;
}
