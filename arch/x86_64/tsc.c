/*
 * TSC frequency (boot core, once). CPUID leaf 0x15 where it is complete
 * (ratio and crystal all non-zero); else calibrated against, in this
 * order, the ACPI PM timer, the HPET and PIT channel 2, each in several
 * short runs whose waits are bounded by TSC time and iteration counts
 * (kernel/boot/timecal.c): a timer that is absent or gated costs one bound
 * and the next is tried. CPUID 0x16's nominal MHz is only a cross-check,
 * and the rate of last resort when no timer answers. docs/boot.md "Time".
 */
#include "acpi.h"
#include "arch/arch.h"
#include "arch/x86.h"
#include "kstring.h"
#include "layout.h"
#include "printf.h"
#include "timecal.h"

#define PIT_HZ 1193182u
#define HPET_CAP 0x000
#define HPET_CONFIG 0x010
#define HPET_COUNTER 0x0F0
#define HPET_ENABLE 1u
#define HPET_CAP_64BIT (1u << 13)
#define HPET_MAX_PERIOD_FS 100000000u /* the HPET spec's bound: 100 ns */

static char tsc_text[200]; /* f->tsc_source; boot core, written once */

uint64_t arch_timestamp(void)
{
	return rdtsc_ordered();
}

static uint64_t read_tsc(void *ctx)
{
	(void)ctx;
	return rdtsc_ordered();
}

/* --- reference counters --- */

static uint64_t read_pm_timer(void *ctx)
{
	return inl((uint16_t)(uintptr_t)ctx);
}

/* HPET registers through the direct map, as the local APIC's are until
 * paging.c gives device memory its own uncached mapping. */
static volatile uint64_t *hpet_reg(paddr_t base, uint32_t off)
{
	return (volatile uint64_t *)phys_to_virt(base + off);
}

static uint64_t read_hpet(void *ctx)
{
	return *hpet_reg((paddr_t)(uintptr_t)ctx, HPET_COUNTER);
}

/* Channel 2 latched: a down-counter, returned inverted (an up-counter). */
static uint64_t read_pit(void *ctx)
{
	uint8_t lo, hi;

	(void)ctx;
	outb(0x43, 0x80); /* latch channel 2 */
	lo = inb(0x42);
	hi = inb(0x42);
	return (uint16_t)~((uint32_t)hi << 8 | lo);
}

/* Channel 2, mode 2 with count 65536: counts down and reloads forever,
 * with the gate high and the speaker off. */
static void pit_start(void)
{
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xB4); /* channel 2, lo/hi byte, mode 2, binary */
	outb(0x42, 0);
	outb(0x42, 0);
}

static void pit_stop(void)
{
	outb(0x61, (uint8_t)(inb(0x61) & ~0x03));
}

/* --- the methods --- */

static uint64_t from_cpuid15(const struct cpu_features *f)
{
	uint32_t r[4] = { 0, 0, 0, 0 };

	if (f->max_leaf >= 0x15)
		cpuid(0x15, 0, r);
	return timecal_hz_from_cpuid15(r[0], r[1], r[2]);
}

static uint32_t cpuid16_mhz(const struct cpu_features *f)
{
	uint32_t r[4] = { 0, 0, 0, 0 };

	if (f->max_leaf >= 0x16)
		cpuid(0x16, 0, r);
	return r[0] & 0xFFFF;
}

/* Sources that gave no rate, and why: "HPET: the counter does not tick; ..." */
static char tsc_failed[120];

static void note_failure(const char *name, const char *why)
{
	size_t n = strlen(tsc_failed);

	ksnprintf(tsc_failed + n, sizeof(tsc_failed) - n, "%s%s: %s", n ? "; " : "", name, why);
}

/* Run one source; on success describe it in tsc_text and return the rate. */
static uint64_t try_source(const struct timecal_source *src)
{
	struct timecal_result r = timecal_calibrate(src);

	if (r.status != TIMECAL_OK) {
		note_failure(src->name, timecal_status_name(r.status));
		return 0;
	}
	ksnprintf(tsc_text, sizeof(tsc_text), "calibrated against %s, %u runs, spread %u.%02u %%",
		  src->name, r.runs, r.spread_ppm / 10000, r.spread_ppm / 100 % 100);
	return r.hz;
}

static uint64_t try_pm_timer(const struct acpi_info *a)
{
	struct timecal_source s = { "ACPI PM timer", ACPI_PM_TIMER_HZ, 0, read_pm_timer, read_tsc, NULL };

	if (!a || !a->pm_timer.port)
		return 0;
	s.bits = a->pm_timer.bits;
	s.ctx = (void *)(uintptr_t)a->pm_timer.port;
	return try_source(&s);
}

static uint64_t try_hpet(const struct acpi_info *a)
{
	struct timecal_source s = { "HPET", 0, 0, read_hpet, read_tsc, NULL };
	uint64_t cap, config, hz;
	paddr_t base;

	if (!a || !a->hpet.base || a->hpet.base > DMAP_MIN_SIZE - 0x400)
		return 0;
	base = a->hpet.base;
	cap = *hpet_reg(base, HPET_CAP);
	if (cap == ~0ull || (cap >> 32) == 0 || (cap >> 32) > HPET_MAX_PERIOD_FS) {
		note_failure("HPET", "no valid counter period");
		return 0;
	}
	s.hz = 1000000000000000ull / (cap >> 32);
	s.bits = cap & HPET_CAP_64BIT ? 64 : 32;
	s.ctx = (void *)(uintptr_t)base;
	config = *hpet_reg(base, HPET_CONFIG);
	*hpet_reg(base, HPET_CONFIG) = config | HPET_ENABLE;
	hz = try_source(&s);
	*hpet_reg(base, HPET_CONFIG) = config; /* as the firmware left it */
	return hz;
}

static uint64_t try_pit(void)
{
	struct timecal_source s = { "PIT", PIT_HZ, 16, read_pit, read_tsc, NULL };
	uint64_t hz;

	pit_start();
	hz = try_source(&s);
	pit_stop();
	return hz;
}

/* Append the sources that failed and CPUID 0x16's figure to tsc_text. */
static void finish_text(uint32_t mhz16)
{
	size_t n = strlen(tsc_text);

	if (tsc_failed[0])
		n += ksnprintf(tsc_text + n, sizeof(tsc_text) - n, " (%s)", tsc_failed);
	if (mhz16 && n < sizeof(tsc_text))
		ksnprintf(tsc_text + n, sizeof(tsc_text) - n, "; CPUID 0x16 says %u MHz", mhz16);
}

void arch_tsc_calibrate(struct cpu_features *f, const struct acpi_info *acpi)
{
	uint32_t mhz16 = cpuid16_mhz(f);

	f->tsc_source = tsc_text;
	if ((f->tsc_hz = from_cpuid15(f))) {
		ksnprintf(tsc_text, sizeof(tsc_text), "from CPUID 0x15");
		return;
	}
	f->tsc_hz = try_pm_timer(acpi);
	if (!f->tsc_hz)
		f->tsc_hz = try_hpet(acpi);
	if (!f->tsc_hz)
		f->tsc_hz = try_pit();
	if (!f->tsc_hz) { /* the last resort: the nominal figure, said as such */
		f->tsc_hz = (uint64_t)mhz16 * 1000000u;
		ksnprintf(tsc_text, sizeof(tsc_text), "%s, no timer answered",
			  mhz16 ? "from CPUID 0x16 (nominal)" : "unknown");
		mhz16 = 0;
	}
	finish_text(mhz16);
}
