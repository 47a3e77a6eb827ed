/*
 * TSC frequency (boot core, once). CPUID leaf 0x15 where it is complete
 * (ratio and crystal all non-zero) and a measurement does not contradict
 * it; else calibrated against, in this
 * order, the HPET, the ACPI PM timer and PIT channel 2, each in several
 * short runs whose waits are bounded by TSC time and iteration counts
 * (kernel/boot/timecal.c): a timer that is absent or gated costs one bound
 * and the next is tried. CPUID 0x16's nominal MHz is only a cross-check,
 * and the rate of last resort when no timer answers. docs/boot.md "Time".
 */
#include "acpi.h"
#include "arch/arch.h"
#include "arch/timer.h"
#include "arch/x86.h"
#include "kstring.h"
#include "layout.h"
#include "printf.h"
#include "timecal.h"

#define PIT_HZ 1193182u
#define HPET_REGS_LEN 0x400 /* one event timer block */
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

uint64_t arch_cycles(void)
{
	return rdtsc();
}

void arch_cpu_relax(void)
{
	cpu_pause();
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

/* HPET registers through an uncached device mapping of their 1 KiB (the
 * direct map holds RAM only), made once: boot core, at boot. */
static struct {
	paddr_t pa;
	uintptr_t va; /* 0: not mapped */
} hpet_map;

static uintptr_t hpet_regs(paddr_t base)
{
	if (hpet_map.pa != base || !hpet_map.va) {
		hpet_map.va = (uintptr_t)arch_map_device(base, HPET_REGS_LEN, MEM_UC);
		hpet_map.pa = base;
	}
	return hpet_map.va;
}

static volatile uint64_t *hpet_reg(uintptr_t regs, uint32_t off)
{
	return (volatile uint64_t *)(regs + off);
}

static uint64_t read_hpet(void *ctx)
{
	return *hpet_reg((uintptr_t)ctx, HPET_COUNTER);
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
static char tsc_failed[160];

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
	ksnprintf(tsc_text, sizeof(tsc_text), "calibrated against %s, %u runs, spread %u.%02u %%%s",
		  src->name, r.runs, r.spread_ppm / 10000, r.spread_ppm / 100 % 100,
		  r.rounds > 1 ? " (after runs that disagreed or overran)" : "");
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

/* The HPET as a source, its counter enabled (*config: the value to put
 * back); false if ACPI gives none or its period is not valid. */
static bool hpet_source(const struct acpi_info *a, struct timecal_source *s, uint64_t *config)
{
	uint64_t cap;
	uintptr_t base;

	if (!a || !a->hpet.base)
		return false;
	base = hpet_regs(a->hpet.base);
	if (!base) {
		note_failure("HPET", "registers cannot be mapped");
		return false;
	}
	cap = *hpet_reg(base, HPET_CAP);
	if (cap == ~0ull || (cap >> 32) == 0 || (cap >> 32) > HPET_MAX_PERIOD_FS) {
		note_failure("HPET", "no valid counter period");
		return false;
	}
	*s = (struct timecal_source){ "HPET", 1000000000000000ull / (cap >> 32), cap & HPET_CAP_64BIT ? 64 : 32,
				      read_hpet, read_tsc, (void *)base };
	*config = *hpet_reg(base, HPET_CONFIG);
	*hpet_reg(base, HPET_CONFIG) = *config | HPET_ENABLE;
	return true;
}

static uint64_t try_hpet(const struct acpi_info *a)
{
	struct timecal_source s;
	uint64_t config, hz;

	if (!hpet_source(a, &s, &config))
		return 0;
	hz = try_source(&s);
	*hpet_reg((uintptr_t)s.ctx, HPET_CONFIG) = config; /* as the firmware left it */
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

struct timecal_result arch_tsc_measure(enum tsc_ref ref, const struct acpi_info *acpi)
{
	struct timecal_result none = { .status = TIMECAL_BAD_SOURCE };
	struct timecal_source pm = { "ACPI PM timer", ACPI_PM_TIMER_HZ, 0, read_pm_timer, read_tsc, NULL };
	struct timecal_source pit = { "PIT", PIT_HZ, 16, read_pit, read_tsc, NULL };
	struct timecal_source hpet;
	uint64_t config;

	if (ref == TSC_REF_PM && acpi && acpi->pm_timer.port) {
		pm.bits = acpi->pm_timer.bits;
		pm.ctx = (void *)(uintptr_t)acpi->pm_timer.port;
		return timecal_calibrate(&pm);
	}
	if (ref == TSC_REF_HPET && hpet_source(acpi, &hpet, &config)) {
		none = timecal_calibrate(&hpet);
		*hpet_reg((uintptr_t)hpet.ctx, HPET_CONFIG) = config;
		return none;
	}
	if (ref == TSC_REF_PIT) {
		pit_start();
		none = timecal_calibrate(&pit);
		pit_stop();
	}
	return none;
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

/* The references in order (HPET: the finest and widest counter; QEMU's PM
 * timer is also not instruction-exact under -icount, docs/boot.md); the
 * first that gives a rate wins (tsc_text
 * then says which), the others' failures are in tsc_failed. */
static uint64_t calibrate(const struct acpi_info *acpi, const char **name)
{
	uint64_t hz;

	*name = "HPET";
	if ((hz = try_hpet(acpi)))
		return hz;
	*name = "ACPI PM timer";
	if ((hz = try_pm_timer(acpi)))
		return hz;
	*name = "PIT";
	return try_pit();
}

static void print_mhz(char *buf, size_t n, uint64_t hz)
{
	ksnprintf(buf, n, "%llu.%llu MHz", (unsigned long long)(hz / 1000000),
		  (unsigned long long)(hz / 100000 % 10));
}

/* CPUID 0x15 complete: its rate, checked against a measurement. On a PC
 * the two agree (0x15 is the TSC's own crystal ratio); an emulator may
 * report a model's figure that is not its TSC (Bochs tigerlake: 2419.2
 * MHz for a TSC of one tick per instruction), and then the measurement
 * is what the platform's time follows. */
static bool use_cpuid15(struct cpu_features *f, uint64_t hz15, uint64_t measured, const char *name)
{
	char mhz[32];
	uint32_t ppm;

	if (measured && !timecal_agrees(hz15, measured, &ppm)) {
		print_mhz(mhz, sizeof(mhz), hz15);
		note_failure("CPUID 0x15", "disagrees");
		ksnprintf(tsc_failed + strlen(tsc_failed), sizeof(tsc_failed) - strlen(tsc_failed),
			  " (%s)", mhz);
		return false;
	}
	f->tsc_hz = hz15;
	if (measured)
		ksnprintf(tsc_text, sizeof(tsc_text), "from CPUID 0x15 (%s agrees within %u.%02u %%)", name,
			  ppm / 10000, ppm / 100 % 100);
	else
		ksnprintf(tsc_text, sizeof(tsc_text), "from CPUID 0x15 (unchecked: %s)", tsc_failed);
	return true;
}

void arch_tsc_calibrate(struct cpu_features *f, const struct acpi_info *acpi)
{
	uint32_t mhz16 = cpuid16_mhz(f);
	uint64_t hz15 = from_cpuid15(f);
	const char *name;

	f->tsc_source = tsc_text;
	f->tsc_hz = calibrate(acpi, &name);
	if (hz15 && use_cpuid15(f, hz15, f->tsc_hz, name))
		return;
	if (!f->tsc_hz) { /* the last resort: the nominal figure, said as such */
		f->tsc_hz = (uint64_t)mhz16 * 1000000u;
		ksnprintf(tsc_text, sizeof(tsc_text), "%s, no timer answered",
			  mhz16 ? "from CPUID 0x16 (nominal)" : "unknown");
		mhz16 = 0;
	}
	finish_text(mhz16);
}
