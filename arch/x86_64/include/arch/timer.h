/*
 * The local APIC timer's modes and the hooks the boot self-tests use
 * (apic.c). The boot core chooses the mode in arch_apic_calibrate; each
 * core records the mode its own timer runs in (struct cpu's timer_mode).
 */
#pragma once
#include "types.h"

enum timer_mode {
	TIMER_MODE_PERIODIC = 0, /* the APIC reloads itself: nothing to re-arm */
	TIMER_MODE_ONESHOT,      /* initial count written once per tick */
	TIMER_MODE_DEADLINE,     /* IA32_TSC_DEADLINE written once per tick */
};

/* The mode the boot core chose for every core, and the rule that chose it. */
enum timer_mode timer_mode_chosen(void);
const char *timer_mode_reason(void);
/* TSC ticks of one timer period (0 if the TSC rate is unknown). */
uint64_t timer_period_tsc(void);
/* This core: (re)start its timer in mode m (an armed mode needs a known
 * TSC rate); stop it, masked, back to periodic bookkeeping. Self-tests. */
void timer_start_in_mode(enum timer_mode m);
void timer_stop(void);
/* The boot self-tests of time (selftest_time.c). */
struct cpu_features;
void arch_time_selftests(const struct cpu_features *f);
