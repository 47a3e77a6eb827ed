/*
 * TSC rate: the pure parts, also built and tested on the host
 * (tests/host/test_timecal.c). The rate from CPUID leaf 0x15's values; the
 * calibration of the TSC against a reference counter (ACPI PM timer, HPET,
 * PIT) in several short runs, every wait bounded by TSC time and by an
 * iteration count; the median of the runs with outliers rejected; and the
 * list of CPUs whose TSC-deadline timer has a published erratum. The
 * hardware is reached only through the caller's read functions
 * (arch/x86_64/tsc.c). docs/boot.md "Time" gives each rule and why.
 */
#pragma once
#include "types.h"

#define TIMECAL_RUNS 5
#define TIMECAL_ROUNDS 3             /* rounds of runs tried while the runs disagree */
#define TIMECAL_RUN_US 2000u         /* one run: 2 ms of reference time */
#define TIMECAL_MAX_TSC_HZ 20000000000ull /* waits assume the TSC runs at most this fast */
#define TIMECAL_MIN_TSC_HZ 10000000ull    /* a result below this is rejected */
#define TIMECAL_OUTLIER_PPM 2000u    /* a run this far from the median is rejected */
#define TIMECAL_SPIN_MAX 4000000u    /* reference reads per wait at most */
#define TIMECAL_AGREE_PPM 10000u     /* CPUID 0x15 and a measurement agree within 1 % */

/* TSC Hz from CPUID.15H: EAX = denominator, EBX = numerator of the
 * TSC/crystal ratio, ECX = crystal Hz. 0 unless all three are non-zero
 * (an incomplete leaf is not a rate). */
uint64_t timecal_hz_from_cpuid15(uint32_t eax, uint32_t ebx, uint32_t ecx);

/* Whether a reported rate (CPUID 0x15) and a measured one agree within
 * TIMECAL_AGREE_PPM; *ppm: their difference in ppm of the reported one. */
bool timecal_agrees(uint64_t reported, uint64_t measured, uint32_t *ppm);

/* Ticks from `before` to `after` of a counter `bits` wide (16, 24, 32 or
 * 64) that counts up and wraps: the delta modulo 2^bits. Correct while the
 * two reads are less than one wrap apart. */
uint64_t timecal_counter_delta(uint64_t before, uint64_t after, unsigned bits);

/* A reference counter: an up-counter `bits` wide at `hz`. read() returns
 * its value (the caller inverts a down-counter); tsc() the TSC. */
struct timecal_source {
	const char *name;
	uint64_t hz;
	unsigned bits;
	uint64_t (*read)(void *ctx);
	uint64_t (*tsc)(void *ctx);
	void *ctx;
};

/* Why a calibration gave no rate. */
enum timecal_status {
	TIMECAL_OK,
	TIMECAL_BAD_SOURCE, /* hz or bits out of range */
	TIMECAL_NO_TICK,    /* the counter did not move within the bound */
	TIMECAL_TOO_SLOW,   /* a run did not finish within the bound */
	TIMECAL_SCATTERED,  /* fewer than a majority of runs agree */
	TIMECAL_IMPLAUSIBLE /* the median is below TIMECAL_MIN_TSC_HZ */
};

struct timecal_result {
	enum timecal_status status;
	uint64_t hz;          /* the median of the runs kept; 0 unless status is TIMECAL_OK */
	unsigned runs, kept;  /* of the last round: runs measured, runs within TIMECAL_OUTLIER_PPM */
	uint32_t spread_ppm;  /* (max - min) / median of the runs kept */
	uint64_t tsc_spent;   /* TSC ticks the whole calibration took */
	unsigned rounds;      /* rounds of TIMECAL_RUNS runs measured (1..TIMECAL_ROUNDS) */
};

/* Measure the TSC against `src` in TIMECAL_RUNS runs of TIMECAL_RUN_US
 * each (again, up to TIMECAL_ROUNDS rounds in all, while fewer than a
 * majority agree or a run overran its bound: a vCPU descheduled, an SMI
 * storm; a counter that never ticks at all is given up at once). Every wait ends after the TSC time the run would take at
 * TIMECAL_MAX_TSC_HZ times four, or TIMECAL_SPIN_MAX reads, whichever is
 * first: a counter that never ticks costs at most one such bound, one that
 * stops mid-run at most 2 x TIMECAL_ROUNDS. */
struct timecal_result timecal_calibrate(const struct timecal_source *src);

/* The median of rates[0..n) (sorted in place; n >= 1), how many are
 * within TIMECAL_OUTLIER_PPM of it, and their spread in ppm. */
uint64_t timecal_median(uint64_t *rates, unsigned n, unsigned *kept, uint32_t *spread_ppm);

/* The result of a status, for the boot log. */
const char *timecal_status_name(enum timecal_status s);

/*
 * Whether the local APIC timer's TSC-deadline mode can be trusted on this
 * CPU: false for the Intel models with the published erratum that a
 * deadline may not fire, below the microcode revision that fixes it
 * (microcode_known false: the revision could not be read). *why says
 * which rule decided, for the boot log.
 */
bool timecal_deadline_safe(bool intel, uint32_t family, uint32_t model, uint32_t stepping,
			   uint32_t microcode, bool microcode_known, const char **why);
