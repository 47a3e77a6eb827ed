/*
 * The local APIC timer's modes and the hooks the boot self-tests use
 * (apic.c). The boot core chooses the mode in arch_apic_calibrate; each
 * core records the mode its own timer runs in (struct cpu's timer_mode).
 */
#pragma once
#include "types.h"
#include "arch/cpu.h"

enum timer_mode {
	TIMER_MODE_PERIODIC = 0, /* the APIC reloads itself: nothing to re-arm */
	TIMER_MODE_ONESHOT,      /* initial count written once per tick */
	TIMER_MODE_DEADLINE,     /* IA32_TSC_DEADLINE written once per tick */
};

/* arch_lapic_timer_watchdog for hot paths (the scheduler): in periodic
 * mode, which needs no watching, one byte compare and a branch not taken. */
void arch_lapic_timer_watchdog(void);
static inline void arch_lapic_timer_watch(void)
{
	uint8_t mode;

	__asm__("movb %%gs:%c1, %0" : "=q"(mode) : "i"(__builtin_offsetof(struct cpu, timer_mode)));
	if (mode != TIMER_MODE_PERIODIC)
		arch_lapic_timer_watchdog();
}

/* The mode the boot core chose for every core, and the rule that chose it. */
enum timer_mode timer_mode_chosen(void);
const char *timer_mode_reason(void);
/* TSC ticks of one timer period (0 if the TSC rate is unknown). */
uint64_t timer_period_tsc(void);
/* This core: (re)start its timer in mode m (an armed mode needs a known
 * TSC rate); stop it, masked, back to periodic bookkeeping. Self-tests. */
void timer_start_in_mode(enum timer_mode m);
void timer_stop(void);
/* Measure the TSC against one reference (the boot self-tests compare each
 * with the rate chosen at boot): BAD_SOURCE if the machine has none. */
enum tsc_ref { TSC_REF_PM, TSC_REF_HPET, TSC_REF_PIT };
struct acpi_info;
#include "timecal.h"
struct timecal_result arch_tsc_measure(enum tsc_ref ref, const struct acpi_info *acpi);

/* The boot self-tests of time (selftest_time.c). */
struct cpu_features;
void arch_time_selftests(const struct cpu_features *f);
