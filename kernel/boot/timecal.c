/*
 * TSC rate: CPUID 0x15, calibration runs against a reference counter, the
 * median with outliers rejected, the TSC-deadline errata list. Pure C
 * (kernel/include/timecal.h); boot-only, single-threaded.
 */
#include "timecal.h"

#define TIMECAL_BOUND_FACTOR 4u /* a wait may take 4x the run at the fastest TSC */

uint64_t timecal_hz_from_cpuid15(uint32_t eax, uint32_t ebx, uint32_t ecx)
{
	if (!eax || !ebx || !ecx)
		return 0;
	return (uint64_t)ecx * ebx / eax; /* < 2^64: both factors are 32 bits */
}

uint64_t timecal_counter_delta(uint64_t before, uint64_t after, unsigned bits)
{
	uint64_t mask = bits >= 64 ? ~0ull : (1ull << bits) - 1;

	return (after - before) & mask;
}

const char *timecal_status_name(enum timecal_status s)
{
	switch (s) {
	case TIMECAL_OK: return "ok";
	case TIMECAL_BAD_SOURCE: return "unusable rate or width";
	case TIMECAL_NO_TICK: return "the counter does not tick";
	case TIMECAL_TOO_SLOW: return "a run did not finish in time";
	case TIMECAL_SCATTERED: return "the runs disagree";
	case TIMECAL_IMPLAUSIBLE: return "implausible rate";
	}
	return "?";
}

/* --- median and outliers --- */

static void sort_u64(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* |a - b| in parts per million of `median` (saturating). */
static uint64_t ppm_from(uint64_t a, uint64_t b, uint64_t median)
{
	uint64_t d = a > b ? a - b : b - a;

	if (!median || d > ~0ull / 1000000)
		return ~0ull;
	return d * 1000000 / median;
}

uint64_t timecal_median(uint64_t *rates, unsigned n, unsigned *kept, uint32_t *spread_ppm)
{
	uint64_t med, lo = ~0ull, hi = 0;

	sort_u64(rates, n);
	med = n % 2 ? rates[n / 2] : rates[n / 2 - 1] / 2 + rates[n / 2] / 2;
	*kept = 0;
	for (unsigned i = 0; i < n; i++) {
		if (ppm_from(rates[i], med, med) > TIMECAL_OUTLIER_PPM)
			continue;
		(*kept)++;
		lo = MIN(lo, rates[i]);
		hi = MAX(hi, rates[i]);
	}
	*spread_ppm = *kept ? (uint32_t)MIN(ppm_from(hi, lo, med), 0xffffffffull) : 0xffffffffu;
	return med;
}

bool timecal_agrees(uint64_t reported, uint64_t measured, uint32_t *ppm)
{
	uint64_t d = ppm_from(reported, measured, reported);

	*ppm = (uint32_t)MIN(d, 0xffffffffull);
	return d <= TIMECAL_AGREE_PPM;
}

/* --- one run --- */

struct run {
	const struct timecal_source *src;
	uint64_t tsc_bound; /* TSC ticks any one wait may take */
	uint64_t last;      /* the counter at the last read */
};

/* Read until the counter has moved `ticks` past r->last, bounded; the TSC
 * at the read that saw it. Counts the ticks actually moved in *moved. */
static bool wait_ticks(struct run *r, uint64_t ticks, uint64_t *tsc_at, uint64_t *moved)
{
	const struct timecal_source *s = r->src;
	uint64_t start = s->tsc(s->ctx), done = 0;

	for (uint32_t spin = 0; spin < TIMECAL_SPIN_MAX; spin++) {
		uint64_t now = s->read(s->ctx), t = s->tsc(s->ctx);

		done += timecal_counter_delta(r->last, now, s->bits);
		r->last = now;
		if (done >= ticks) {
			*tsc_at = t;
			*moved = done;
			return true;
		}
		if (t - start > r->tsc_bound)
			return false;
	}
	return false;
}

/* One run: wait for an edge of the counter, then for `ticks` more; the
 * TSC rate over that interval, 0 if a wait ran out. */
static uint64_t one_run(struct run *r, uint64_t ticks, enum timecal_status *st)
{
	const struct timecal_source *s = r->src;
	uint64_t t0, t1, moved, edge, product;

	r->last = s->read(s->ctx);
	if (!wait_ticks(r, 1, &t0, &edge)) {
		*st = TIMECAL_NO_TICK;
		return 0;
	}
	if (!wait_ticks(r, ticks, &t1, &moved)) {
		*st = TIMECAL_TOO_SLOW;
		return 0;
	}
	if (__builtin_mul_overflow(t1 - t0, s->hz, &product)) {
		*st = TIMECAL_TOO_SLOW; /* far past the bound (or a TSC that went back) */
		return 0;
	}
	return product / moved;
}

/* One round of TIMECAL_RUNS runs into *res (status, rate, kept, spread). */
static void one_round(struct run *r, uint64_t ticks, struct timecal_result *res)
{
	uint64_t rates[TIMECAL_RUNS];

	for (res->runs = 0; res->runs < TIMECAL_RUNS; res->runs++) {
		enum timecal_status st = TIMECAL_OK;

		rates[res->runs] = one_run(r, ticks, &st);
		if (st != TIMECAL_OK) { /* a counter that fails once is not trusted */
			res->status = st;
			return;
		}
	}
	res->hz = timecal_median(rates, res->runs, &res->kept, &res->spread_ppm);
	res->status = res->kept * 2 <= res->runs   ? TIMECAL_SCATTERED
		      : res->hz < TIMECAL_MIN_TSC_HZ ? TIMECAL_IMPLAUSIBLE
						     : TIMECAL_OK;
}

struct timecal_result timecal_calibrate(const struct timecal_source *src)
{
	struct timecal_result res = { TIMECAL_BAD_SOURCE, 0, 0, 0, 0, 0, 0 };
	struct run r = { src, 0, 0 };
	uint64_t ticks, begin;

	/* A reference between 1 kHz and 1 GHz, a run well inside one wrap. */
	if (src->hz < 1000 || src->hz > 1000000000ull || src->bits < 16 || src->bits > 64)
		return res;
	ticks = src->hz * TIMECAL_RUN_US / 1000000;
	if (src->bits < 64 && ticks >= (1ull << src->bits) / 2)
		return res; /* a run must be well inside one wrap */
	r.tsc_bound = TIMECAL_MAX_TSC_HZ / 1000000 * TIMECAL_RUN_US * TIMECAL_BOUND_FACTOR;
	begin = src->tsc(src->ctx);
	do { /* runs that disagree or overran are measured again, a few times */
		res.rounds++;
		one_round(&r, ticks, &res);
	} while ((res.status == TIMECAL_SCATTERED || res.status == TIMECAL_TOO_SLOW) &&
		 res.rounds < TIMECAL_ROUNDS);
	res.tsc_spent = src->tsc(src->ctx) - begin;
	if (res.status != TIMECAL_OK)
		res.hz = 0;
	return res;
}

/* --- TSC-deadline errata --- */

/*
 * Intel CPUs (family 6) on which a TSC-deadline timer interrupt may not be
 * generated, or not at the programmed time, until a microcode update:
 * Intel's specification updates for the 4th to 7th generation Core and
 * Xeon E3/E5/E7 v3-v4, Xeon D and Xeon Scalable (Haswell, Broadwell,
 * Skylake, Kaby Lake) list it as the erratum "APIC Timer Interrupt May Not
 * be Generated at The Correct Time In TSC-Deadline Mode"; the fixed
 * revisions are those of Intel's microcode release of 2017-07-07 (Linux
 * Processor Microcode Data File 20170707) and later. An entry with
 * min_ucode 0 is a stepping fixed in silicon.
 */
struct deadline_erratum {
	uint8_t model;
	uint8_t step_lo, step_hi;
	uint32_t min_ucode;
};

static const struct deadline_erratum deadline_errata[] = {
	{ 0x3C, 0, 15, 0x22 },       /* Haswell (client, S) */
	{ 0x45, 0, 15, 0x20 },       /* Haswell ULT */
	{ 0x46, 0, 15, 0x17 },       /* Haswell with GT3e */
	{ 0x3F, 2, 2, 0x3a },        /* Haswell-EP */
	{ 0x3F, 4, 4, 0x0f },        /* Haswell-EX */
	{ 0x3D, 0, 15, 0x25 },       /* Broadwell (client, U/Y) */
	{ 0x47, 0, 15, 0x17 },       /* Broadwell with GT3e */
	{ 0x4F, 0, 15, 0x0b000020 }, /* Broadwell-EP/EX */
	{ 0x56, 2, 2, 0x00000011 },  /* Broadwell-DE */
	{ 0x56, 3, 3, 0x0700000e },
	{ 0x56, 4, 4, 0x0f00000c },
	{ 0x56, 5, 5, 0x0e000003 },
	{ 0x55, 3, 3, 0x01000136 },  /* Skylake-SP */
	{ 0x55, 4, 4, 0x02000014 },
	{ 0x55, 5, 15, 0 },          /* Cascade Lake and later steppings: fixed */
	{ 0x4E, 0, 15, 0xb2 },       /* Skylake U/Y */
	{ 0x5E, 0, 15, 0xb2 },       /* Skylake H/S */
	{ 0x8E, 0, 15, 0x52 },       /* Kaby Lake U/Y (and its successors on this model) */
	{ 0x9E, 0, 15, 0x52 },       /* Kaby Lake H/S (and its successors on this model) */
};

static bool model_listed(uint32_t model)
{
	for (size_t i = 0; i < sizeof(deadline_errata) / sizeof(deadline_errata[0]); i++)
		if (deadline_errata[i].model == model)
			return true;
	return false;
}

bool timecal_deadline_safe(bool intel, uint32_t family, uint32_t model, uint32_t stepping,
			   uint32_t microcode, bool microcode_known, const char **why)
{
	if (!intel || family != 6 || !model_listed(model)) {
		*why = "no TSC-deadline erratum listed for this CPU";
		return true;
	}
	for (size_t i = 0; i < sizeof(deadline_errata) / sizeof(deadline_errata[0]); i++) {
		const struct deadline_erratum *e = &deadline_errata[i];

		if (e->model != model || stepping < e->step_lo || stepping > e->step_hi)
			continue;
		if (e->min_ucode == 0) {
			*why = "this stepping is fixed in silicon";
			return true;
		}
		if (!microcode_known) {
			*why = "erratum listed, microcode revision unreadable";
			return false;
		}
		*why = microcode >= e->min_ucode ? "microcode has the erratum fix"
						 : "erratum: microcode older than the fix";
		return microcode >= e->min_ucode;
	}
	*why = "erratum listed for this model, no fixed revision known for its stepping";
	return false;
}
