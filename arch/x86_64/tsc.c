/* TSC frequency: CPUID leaf 0x15 (crystal ratio) or 0x16 (base MHz) where the
 * CPU reports it, else measured against PIT channel 2 over 10 ms. */
#include "arch/arch.h"
#include "arch/x86.h"

#define PIT_HZ 1193182u
#define PIT_CAL_MS 10u

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

static uint64_t tsc_from_cpuid(struct cpu_features *f)
{
	uint32_t r[4];

	if (f->max_leaf >= 0x15) {
		cpuid(0x15, 0, r);
		if (r[0] && r[1] && r[2]) {
			f->tsc_source = "cpuid 0x15";
			return (uint64_t)r[2] * r[1] / r[0];
		}
	}
	if (f->max_leaf >= 0x16) {
		cpuid(0x16, 0, r);
		if (r[0] & 0xFFFF) {
			f->tsc_source = "cpuid 0x16";
			return (uint64_t)(r[0] & 0xFFFF) * 1000000u;
		}
	}
	return 0;
}

/* One-shot PIT channel 2 (mode 0) with the speaker off; count TSC ticks
 * until its output goes high. 0 if the PIT never answers. */
static uint64_t tsc_from_pit(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * PIT_CAL_MS / 1000);
	uint8_t gate = (inb(0x61) & ~0x02) & ~0x01;
	uint64_t t0, t1;
	uint32_t spins = 0;

	outb(0x61, gate);
	outb(0x43, 0xB0); /* channel 2, lo/hi byte, mode 0, binary */
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	t0 = rdtsc_ordered();
	outb(0x61, gate | 0x01); /* gate high: counting starts */
	while (!(inb(0x61) & 0x20)) {
		if (++spins > 50000000u)
			return 0;
		cpu_pause();
	}
	t1 = rdtsc_ordered();
	outb(0x61, gate);
	return (t1 - t0) * (1000 / PIT_CAL_MS);
}

void arch_tsc_calibrate(struct cpu_features *f)
{
	f->tsc_hz = tsc_from_cpuid(f);
	if (f->tsc_hz)
		return;
	f->tsc_source = "PIT calibration";
	f->tsc_hz = tsc_from_pit();
	if (!f->tsc_hz)
		f->tsc_source = "unknown (PIT did not answer)";
}
