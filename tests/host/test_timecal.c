/*
 * kernel/boot/timecal.c: the TSC rate from CPUID 0x15 values (complete
 * leaves only), counter deltas across a wrap (16/24/32/64 bits), the median
 * with outliers rejected, the calibration loop against simulated counters
 * (exact rates, a 24-bit PM timer wrapping mid-run, a counter that never
 * ticks or stops mid-run given up within the bound, one slow run rejected,
 * runs that disagree refused), and the TSC-deadline errata list.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "timecal.h"

/* --- CPUID 0x15 --- */

static void test_cpuid15(void)
{
	CHECK(timecal_hz_from_cpuid15(2, 242, 24000000) == 2904000000ull); /* 24 MHz crystal x 121 */
	CHECK(timecal_hz_from_cpuid15(2, 176, 38400000) == 3379200000ull);
	CHECK(timecal_hz_from_cpuid15(1, 0xffffffffu, 0xffffffffu) == 0xfffffffe00000001ull); /* no overflow */
	CHECK(timecal_hz_from_cpuid15(0, 242, 24000000) == 0);
	CHECK(timecal_hz_from_cpuid15(2, 0, 24000000) == 0);
	CHECK(timecal_hz_from_cpuid15(2, 242, 0) == 0); /* crystal not given: not a rate */
}

static void test_agrees(void)
{
	uint32_t ppm;

	CHECK(timecal_agrees(2904000000ull, 2903700000ull, &ppm) && ppm == 103);
	CHECK(timecal_agrees(2904000000ull, 2904000000ull + 29040000ull, &ppm) && ppm == 10000);
	CHECK(!timecal_agrees(2904000000ull, 2904000000ull + 29100000ull, &ppm));
	/* Bochs tigerlake: 0x15 says 2419.2 MHz, the TSC runs at 100 MHz */
	CHECK(!timecal_agrees(2419200000ull, 99990000ull, &ppm) && ppm > 900000);
	CHECK(!timecal_agrees(0, 1, &ppm));
}

/* --- counter deltas --- */

static void test_delta(void)
{
	CHECK(timecal_counter_delta(100, 250, 24) == 150);
	CHECK(timecal_counter_delta(0xfffff0, 0x10, 24) == 0x20);       /* 24-bit wrap */
	CHECK(timecal_counter_delta(0xfffffff0, 0x10, 32) == 0x20);     /* 32-bit wrap */
	CHECK(timecal_counter_delta(0xfff0, 0x0010, 16) == 0x20);       /* PIT */
	CHECK(timecal_counter_delta(~0ull - 1, 3, 64) == 5);            /* 64-bit HPET */
	CHECK(timecal_counter_delta(0x1fffff0, 0x1000010, 24) == 0x20); /* bits above the width ignored */
	CHECK(timecal_counter_delta(5, 5, 24) == 0);
}

/* --- median --- */

static void test_median(void)
{
	uint64_t a[5] = { 1002, 998, 1000, 1001, 999 };
	uint64_t b[5] = { 1000000000, 1000100000, 1300000000, 999900000, 1000000000 };
	uint64_t c[5] = { 100, 200, 300, 400, 500 };
	uint64_t d[4] = { 1000000000, 1000000002, 1000000004, 1000000006 };
	unsigned kept;
	uint32_t spread;

	CHECK(timecal_median(a, 5, &kept, &spread) == 1000 && kept == 5 && a[0] == 998 && a[4] == 1002);
	/* an SMI in one run: rejected, the spread of the others 200 ppm */
	CHECK(timecal_median(b, 5, &kept, &spread) == 1000000000 && kept == 4);
	CHECK(spread >= 190 && spread <= 200);
	CHECK(timecal_median(c, 5, &kept, &spread) == 300 && kept == 1 && spread == 0);
	CHECK(timecal_median(d, 4, &kept, &spread) == 1000000003 && kept == 4 && spread <= 6);
}

/* --- the calibration loop against a simulated machine --- */

/* A TSC at tsc_hz that advances by `step` ticks per read of either
 * counter, and a reference at ref_hz derived from it (from `offset`),
 * `bits` wide; frozen_at: the reference stops there (~0: never). */
struct sim {
	uint64_t tsc, step, tsc_hz, ref_hz, offset, frozen_at;
	unsigned bits;
	uint64_t reads;
	uint64_t slow_run_from, slow_run_to; /* TSC range in which the reference runs 1 % slow */
	/* Before wobble_until the reference runs 0 to 6 % slow, changing every
	 * wobble_block TSC ticks (runs disagree); eff: its TSC-equivalent time. */
	uint64_t wobble_until, wobble_block, eff, eff_tsc;
};

static uint64_t sim_tsc(void *ctx)
{
	struct sim *s = ctx;

	s->tsc += s->step;
	return s->tsc;
}

static uint64_t sim_ref(void *ctx)
{
	struct sim *s = ctx;
	uint64_t v;

	s->reads++;
	s->tsc += s->step;
	uint64_t lost = s->tsc < s->slow_run_from ? 0
			: (MIN(s->tsc, s->slow_run_to) - s->slow_run_from) / 100; /* TSC ticks not counted */

	uint64_t k = s->wobble_block ? s->tsc / s->wobble_block : 0;
	uint64_t pct = s->tsc < s->wobble_until ? (k * 2654435761u >> 7) % 7 : 0; /* 0..6 %, scrambled */

	s->eff += (s->tsc - s->eff_tsc) * (100 - pct) / 100;
	s->eff_tsc = s->tsc;
	if (s->wobble_block)
		lost = s->tsc - s->eff;
	v = s->offset + (uint64_t)((unsigned __int128)(s->tsc - lost) * s->ref_hz / s->tsc_hz);
	if (v > s->frozen_at)
		v = s->frozen_at;
	return s->bits >= 64 ? v : v & ((1ull << s->bits) - 1);
}

static struct timecal_result sim_run(struct sim *s, const char *name)
{
	struct timecal_source src = { name, s->ref_hz, s->bits, sim_ref, sim_tsc, s };

	return timecal_calibrate(&src);
}

static uint64_t bound(void)
{
	return TIMECAL_MAX_TSC_HZ / 1000000 * TIMECAL_RUN_US * 4;
}

static bool near_ppm(uint64_t got, uint64_t want, uint64_t ppm)
{
	uint64_t d = got > want ? got - want : want - got;

	return d * 1000000 <= want * ppm;
}

static void test_calibrate_exact(void)
{
	struct sim pm = { 0, 700, 2893400000ull, 3579545, 0, ~0ull, 24, 0, 0, 0, 0, 0, 0, 0 };
	struct sim hpet = { 0, 300, 1000000000ull, 100000000, 5, ~0ull, 64, 0, 0, 0, 0, 0, 0, 0 };
	struct sim pit = { 0, 2000, 3000000000ull, 1193182, 0, ~0ull, 16, 0, 0, 0, 0, 0, 0, 0 };
	struct timecal_result r;

	r = sim_run(&pm, "pm");
	CHECK(r.status == TIMECAL_OK && r.runs == 5 && r.kept == 5 && near_ppm(r.hz, 2893400000ull, 500));
	printf("  pm timer sim: %llu Hz, spread %u ppm, %llu TSC ticks\n", (unsigned long long)r.hz,
	       r.spread_ppm, (unsigned long long)r.tsc_spent);
	r = sim_run(&hpet, "hpet");
	CHECK(r.status == TIMECAL_OK && near_ppm(r.hz, 1000000000ull, 100));
	r = sim_run(&pit, "pit");
	CHECK(r.status == TIMECAL_OK && near_ppm(r.hz, 3000000000ull, 2000));
}

/* The 24-bit PM timer starts 1 ms before its wrap: every run crosses it or
 * follows it, and the rate is still right. */
static void test_calibrate_wrap(void)
{
	struct sim pm = { 0, 500, 2000000000ull, 3579545, 0xffffff - 3580, ~0ull, 24, 0, 0, 0, 0, 0, 0, 0 };
	struct sim pm32 = { 0, 500, 2000000000ull, 3579545, 0xffffffffull - 3580, ~0ull, 32, 0, 0, 0, 0, 0, 0, 0 };
	struct timecal_result r = sim_run(&pm, "pm24");

	CHECK(r.status == TIMECAL_OK && near_ppm(r.hz, 2000000000ull, 500));
	r = sim_run(&pm32, "pm32");
	CHECK(r.status == TIMECAL_OK && near_ppm(r.hz, 2000000000ull, 500));
}

/* A counter that never ticks: given up in the first run within the bound
 * (and within the read limit), so the next source is tried. */
static void test_calibrate_dead(void)
{
	struct sim dead = { 0, 50, 3000000000ull, 3579545, 777, 777, 24, 0, 0, 0, 0, 0, 0, 0 };
	struct sim stuck = { 0, 5, 3000000000ull, 3579545, 0, 3000, 24, 0, 0, 0, 0, 0, 0, 0 }; /* stops mid-run */
	struct timecal_result r = sim_run(&dead, "dead");

	CHECK(r.status == TIMECAL_NO_TICK && r.runs == 0 && r.hz == 0);
	CHECK(r.tsc_spent <= bound() + 1000 && dead.reads <= TIMECAL_SPIN_MAX + 1);
	/* a TSC that crawls: the read limit ends the wait instead */
	dead = (struct sim){ 0, 1, 3000000000ull, 3579545, 777, 777, 24, 0, 0, 0, 0, 0, 0, 0 };
	r = sim_run(&dead, "dead, slow reads");
	CHECK(r.status == TIMECAL_NO_TICK && dead.reads <= TIMECAL_SPIN_MAX + 1);
	r = sim_run(&stuck, "stuck");
	/* round 1 overran, round 2 saw no tick at all: given up */
	CHECK(r.status == TIMECAL_NO_TICK && r.hz == 0 && r.rounds == 2 && r.tsc_spent <= 3 * bound() + 1000);
}

/* One run disturbed (the reference counts 1 % slow for half of it, as if
 * reads were delayed: an SMI, a vCPU preempted): that run is rejected, the
 * median is right. */
static void test_calibrate_outlier(void)
{
	struct sim pm = { 0, 700, 2000000000ull, 3579545, 0, ~0ull, 24, 0, 0, 0, 0, 0, 0, 0 };
	struct timecal_result r;

	pm.slow_run_from = 4000000 * 2 + 100000; /* inside the third run */
	pm.slow_run_to = pm.slow_run_from + 2000000;
	r = sim_run(&pm, "pm with one disturbed run");
	printf("  one disturbed run: %llu Hz, %u of %u kept, spread %u ppm\n", (unsigned long long)r.hz,
	       r.kept, r.runs, r.spread_ppm);
	CHECK(r.status == TIMECAL_OK && r.kept == 4 && near_ppm(r.hz, 2000000000ull, 500));
}

/* Runs that disagree are measured again: a disturbance that lasts gives
 * up after TIMECAL_ROUNDS rounds; one that ends is outlasted. */
static void test_calibrate_rounds(void)
{
	struct sim s = { 0, 700, 2000000000ull, 3579545, 0, ~0ull, 24, 0, 0, 0, ~0ull, 1000000, 0, 0 };
	struct timecal_result r = sim_run(&s, "always disagreeing");

	CHECK(r.status == TIMECAL_SCATTERED && r.rounds == TIMECAL_ROUNDS && r.hz == 0);
	printf("  disagreeing runs: %u rounds, %u of %u kept in the last, %llu TSC ticks\n", r.rounds, r.kept,
	       r.runs, (unsigned long long)r.tsc_spent);
	s = (struct sim){ 0, 700, 2000000000ull, 3579545, 0, ~0ull, 24, 0, 0, 0, 25000000, 1000000, 0, 0 };
	r = sim_run(&s, "disagreeing, then calm");
	CHECK(r.status == TIMECAL_OK && r.rounds >= 2 && near_ppm(r.hz, 2000000000ull, 500));
	printf("  calm after a while: %u rounds, %llu Hz\n", r.rounds, (unsigned long long)r.hz);
}

static void test_calibrate_bad(void)
{
	struct sim s = { 0, 700, 2000000000ull, 3579545, 0, ~0ull, 8, 0, 0, 0, 0, 0, 0, 0 };

	CHECK(sim_run(&s, "8 bits").status == TIMECAL_BAD_SOURCE);
	s.bits = 24, s.ref_hz = 0;
	CHECK(sim_run(&s, "0 Hz").status == TIMECAL_BAD_SOURCE);
	s.bits = 16, s.ref_hz = 100000000; /* 2 ms is 200,000 ticks: past a 16-bit wrap */
	CHECK(sim_run(&s, "wraps within a run").status == TIMECAL_BAD_SOURCE);
	/* a TSC slower than 10 MHz is not believed */
	s = (struct sim){ 0, 1, 1000000ull, 3579545, 0, ~0ull, 24, 0, 0, 0, 0, 0, 0, 0 };
	CHECK(sim_run(&s, "1 MHz TSC").status == TIMECAL_IMPLAUSIBLE);
	CHECK(strcmp(timecal_status_name(TIMECAL_NO_TICK), "the counter does not tick") == 0);
}

/* --- TSC-deadline errata --- */

static void test_errata(void)
{
	const char *why = NULL;

	/* not listed: Tiger Lake (0x8C), AMD, another family */
	CHECK(timecal_deadline_safe(true, 6, 0x8C, 1, 0, false, &why) && why);
	CHECK(timecal_deadline_safe(false, 0x17, 0x31, 0, 0, false, &why));
	CHECK(timecal_deadline_safe(true, 15, 0x3C, 3, 0, false, &why));
	/* Haswell 0x3C: fixed from microcode 0x22 */
	CHECK(!timecal_deadline_safe(true, 6, 0x3C, 3, 0x16, true, &why));
	CHECK(strstr(why, "older") != NULL);
	CHECK(timecal_deadline_safe(true, 6, 0x3C, 3, 0x22, true, &why));
	CHECK(!timecal_deadline_safe(true, 6, 0x3C, 3, 0x40, false, &why)); /* revision unreadable */
	/* Skylake client 0x5E and Kaby Lake 0x9E */
	CHECK(!timecal_deadline_safe(true, 6, 0x5E, 3, 0xb0, true, &why));
	CHECK(timecal_deadline_safe(true, 6, 0x5E, 3, 0xb2, true, &why));
	CHECK(!timecal_deadline_safe(true, 6, 0x9E, 9, 0x48, true, &why));
	CHECK(timecal_deadline_safe(true, 6, 0x9E, 9, 0xf0, true, &why));
	/* Skylake-SP: per stepping; 5 and later fixed in silicon */
	CHECK(!timecal_deadline_safe(true, 6, 0x55, 4, 0x02000013, true, &why));
	CHECK(timecal_deadline_safe(true, 6, 0x55, 4, 0x02000014, true, &why));
	CHECK(timecal_deadline_safe(true, 6, 0x55, 7, 0, false, &why));
	CHECK(strstr(why, "silicon") != NULL);
	/* Haswell-X stepping 3 has no fixed revision listed: not trusted */
	CHECK(!timecal_deadline_safe(true, 6, 0x3F, 3, 0xffffffff, true, &why));
	CHECK(timecal_deadline_safe(true, 6, 0x3F, 2, 0x3a, true, &why));
	/* Broadwell-DE stepping 3 */
	CHECK(!timecal_deadline_safe(true, 6, 0x56, 3, 0x0700000d, true, &why));
	CHECK(timecal_deadline_safe(true, 6, 0x56, 3, 0x0700000e, true, &why));
}

int main(void)
{
	test_cpuid15();
	test_agrees();
	test_delta();
	test_median();
	test_calibrate_exact();
	test_calibrate_wrap();
	test_calibrate_dead();
	test_calibrate_outlier();
	test_calibrate_rounds();
	test_calibrate_bad();
	test_errata();
	return check_summary("test_timecal");
}
