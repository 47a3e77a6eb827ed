/*
 * Secrets chosen at boot (the stack-protector guard of the sanitizer
 * kernel): RDRAND where CPUID has it and it answers, else a mix of TSC
 * readings and the CMOS clock. Runs before kmain, with nothing set up:
 * only CPUID, RDRAND, RDTSC and two I/O ports.
 */
#include "arch/arch.h"
#include "arch/x86.h"

#define CPUID1_ECX_RDRAND (1u << 30)
#define RDRAND_TRIES 10 /* Intel's advice: a healthy DRNG fails ten in a row practically never */
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

/* RDRAND with retries; all zeros or all ones count as a failure (some AMD
 * parts return ~0 with CF set after a resume). */
static bool rdrand_value(uint64_t *v)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (!(r[2] & CPUID1_ECX_RDRAND))
		return false;
	for (int i = 0; i < RDRAND_TRIES; i++)
		if (rdrand64(v) && *v != 0 && *v != ~0ull)
			return true;
	return false;
}

/* splitmix64's finaliser: every input bit moves about half the output bits. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg); /* bit 7 clear: NMIs stay enabled */
	return inb(CMOS_DATA);
}

/*
 * Without RDRAND: the TSC at this point (how long firmware and loader took),
 * the wall clock (seconds to year), and the TSC around each slow port access
 * (jitter on real hardware), folded together. Guessable by someone who knows
 * the boot time and the machine closely; documented as the weaker source.
 */
static uint64_t tsc_mix(void)
{
	uint64_t h = mix64(rdtsc());

	for (uint8_t reg = 0; reg <= 9; reg++) {
		h = mix64(h ^ cmos_read(reg));
		h = mix64(h ^ rdtsc());
	}
	return h;
}

uint64_t arch_boot_random(const char **source)
{
	uint64_t v;

	if (rdrand_value(&v)) {
		*source = "RDRAND";
		return v;
	}
	*source = "TSC and RTC mix (no RDRAND)";
	return tsc_mix();
}
