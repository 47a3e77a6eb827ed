/*
 * Preemption points of long kernel operations (revoke, delete, clearing
 * untyped memory, cancelling many waiters): each calls preempt_point()
 * (one unit of work, a few hundred instructions at most) or preempt_work(n)
 * after a step, and stops with E_PREEMPTED when it returns true; the system
 * call is then restarted from user mode and goes on where the objects say
 * it stopped (docs/kernel.md, "Bounded kernel entries").
 *
 * It returns true when an interrupt is pending at this core's local APIC
 * (looked at every PREEMPT_POLL_UNITS units: the interrupt is then taken
 * on the way back to user mode, before the call is issued again), and in
 * any case after PREEMPT_UNITS units in one entry: that bound keeps every
 * run deterministic (tests, -icount) and keeps the kernel lock of a
 * cluster from being held long while other cores wait for it, which no
 * interrupt of this core would show.
 */
#include "arch/arch.h"
#include "kobj.h"

#define PREEMPT_UNITS 64      /* units of work per kernel entry at most */
#define PREEMPT_POLL_UNITS 8  /* units between looks at the local APIC */

/* Per cluster (copied .bss), under the kernel lock: reset by kernel_enter,
 * spent by the entry that holds the lock. */
struct preempt_budget preempt_budget;
static struct {
	uint64_t preemptions, by_interrupt;
} pre;
#define budget preempt_budget

bool preempt_work(unsigned units)
{
	budget.units += units;
	budget.since_poll += units;
	if (budget.units >= PREEMPT_UNITS) {
		pre.preemptions++;
		return true;
	}
	if (budget.since_poll >= PREEMPT_POLL_UNITS) {
		budget.since_poll = 0;
		if (arch_irq_pending()) {
			pre.preemptions++;
			pre.by_interrupt++;
			return true;
		}
	}
	return false;
}

bool preempt_point(void)
{
	return preempt_work(1);
}

void preempt_counts(uint64_t *all, uint64_t *by_interrupt)
{
	*all = pre.preemptions;
	*by_interrupt = pre.by_interrupt;
}
