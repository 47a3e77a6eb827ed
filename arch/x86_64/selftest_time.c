/*
 * Boot self-tests of time (docs/boot.md "Time"): a calibration source that
 * never ticks is given up within its bound, and a lost timer tick (an
 * arming the hardware never gets: the TSC-deadline erratum, simulated by
 * struct cpu's timer_drop) is re-armed by the watchdog, not by the timer's
 * own handler, in one-shot mode and, where it is used, TSC-deadline mode.
 * Boot core, cluster 0's lock held, interrupts off between the probes.
 */
#include "acpi.h"
#include "arch/arch.h"
#include "arch/cpu.h"
#include "arch/timer.h"
#include "arch/x86.h"
#include "console.h"
#include "kernel.h"
#include "ktest.h"
#include "timecal.h"

static uint64_t frozen_read(void *ctx)
{
	(void)ctx;
	return 0x123456;
}

static uint64_t tsc_read(void *ctx)
{
	(void)ctx;
	return rdtsc_ordered();
}

/* Given up within the bound; in the guest the last read may overrun it by
 * however long the host held the vCPU back, so the check allows one
 * second more (the host test checks the exact bound): not a minute. */
static void test_dead_source(const struct cpu_features *f)
{
	struct timecal_source s = { "frozen", ACPI_PM_TIMER_HZ, 24, frozen_read, tsc_read, NULL };
	uint64_t bound = TIMECAL_MAX_TSC_HZ / 1000000 * TIMECAL_RUN_US * 4;
	struct timecal_result r = timecal_calibrate(&s);

	ktest_result(r.status == TIMECAL_NO_TICK && r.runs == 0 &&
		     r.tsc_spent <= bound + (f->tsc_hz ? f->tsc_hz : bound),
		     "a calibration source that never ticks is given up after %llu TSC ticks (bound %llu)",
		     (unsigned long long)r.tsc_spent, (unsigned long long)bound);
}

/* Take interrupts (never halting: a lost tick would halt forever) until
 * this core has taken `want` ticks or `limit` TSC ticks passed; with the
 * watchdog between them if `watch`. */
static uint64_t take_ticks(uint64_t want, uint64_t limit, bool watch)
{
	struct cpu *c = this_cpu();
	uint64_t start = rdtsc_ordered();

	while (c->timer_fired < want && rdtsc_ordered() - start < limit) {
		if (watch)
			arch_lapic_timer_watchdog();
		__asm__ volatile("sti; nop; cli" ::: "memory");
	}
	return c->timer_fired;
}

static const char *mode_name(enum timer_mode m)
{
	return m == TIMER_MODE_DEADLINE ? "TSC-deadline" : "one-shot";
}

/* Start the timer in `m`, take two ticks, drop the next arming: without
 * the watchdog no tick for three periods; with it the tick resumes, after
 * at least one rescue (more only if the emulator delivered a tick more than
 * a period late: a loaded host can hold QEMU's timer thread back). Bounds
 * of 100 periods (1 s) where two are needed. */
static void test_lost_tick(enum timer_mode m)
{
	struct cpu *c = this_cpu();
	uint64_t p = timer_period_tsc(), base, rescued0 = c->timer_rescued;
	bool ran, silent, resumed;

	timer_start_in_mode(m);
	base = c->timer_fired;
	ran = take_ticks(base + 2, 100 * p, false) == base + 2;
	c->timer_drop = 1; /* the arming in the next handler never reaches the hardware */
	base = take_ticks(base + 3, 100 * p, false);
	silent = take_ticks(base + 1, 3 * p, false) == base && c->timer_drop == 0;
	resumed = take_ticks(base + 2, 100 * p, true) == base + 2;
	ktest_result(ran && silent && resumed && c->timer_rescued > rescued0,
		     "%s timer: a dropped arming stops the tick until the watchdog re-arms it "
		     "(ran %d, silent %d, resumed %d, rescues %llu)",
		     mode_name(m), ran, silent, resumed, (unsigned long long)(c->timer_rescued - rescued0));
	timer_stop();
	for (int i = 0; i < 4; i++) /* a tick that came while stopping */
		__asm__ volatile("sti; nop; cli" ::: "memory");
}

/* Each reference the machine has gives the boot rate within 0.5 %; one it
 * lacks is reported as absent (a note, not a result), one whose own runs
 * scatter as skipped. */
static void test_references(const struct cpu_features *f)
{
	static const char *const names[] = { "ACPI PM timer", "HPET", "PIT" };
	const struct kernel_boot *kb = kboot();

	for (unsigned ref = TSC_REF_PM; ref <= TSC_REF_PIT; ref++) {
		struct timecal_result r = arch_tsc_measure(ref, kb->acpi_error ? NULL : &kb->acpi);
		uint64_t d = r.hz > f->tsc_hz ? r.hz - f->tsc_hz : f->tsc_hz - r.hz;

		if (r.status == TIMECAL_BAD_SOURCE) {
			kprintf("# TSC against the %s: not on this machine\n", names[ref]);
			continue;
		}
		if (r.status == TIMECAL_SCATTERED) { /* noise, not a wrong rate */
			ktest_result(true, "TSC against the %s # SKIP its runs disagree (a loaded "
				     "emulator or a jittery timer): no rate to compare", names[ref]);
			continue;
		}
		/* The figures only when it fails: under -icount the PM timer's
		 * reading varies from boot to boot, and the run must print the same. */
		if (r.status == TIMECAL_OK && d <= f->tsc_hz / 200)
			ktest_result(true, "TSC against the %s: within 0.5 %% of the boot rate", names[ref]);
		else
			ktest_result(false, "TSC against the %s: %llu.%llu MHz, %u of %u runs kept, "
				     "spread %u ppm (%s)", names[ref], (unsigned long long)(r.hz / 1000000),
				     (unsigned long long)(r.hz / 100000 % 10), r.kept, r.runs, r.spread_ppm,
				     timecal_status_name(r.status));
	}
}

void arch_time_selftests(const struct cpu_features *f)
{
	test_dead_source(f);
	if (f->tsc_hz)
		test_references(f);
	if (!timer_period_tsc()) { /* no armed mode without a TSC rate */
		kprintf("# lost-tick watchdog not tested: TSC rate unknown\n");
		return;
	}
	test_lost_tick(TIMER_MODE_ONESHOT);
	if (timer_mode_chosen() == TIMER_MODE_DEADLINE)
		test_lost_tick(TIMER_MODE_DEADLINE);
	else
		kprintf("# TSC-deadline lost-tick watchdog not tested: the timer runs periodic (%s)\n",
			timer_mode_reason());
}
