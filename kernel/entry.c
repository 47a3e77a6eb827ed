/*
 * Kernel entry and exit hooks (entry.h). Both run with interrupts off;
 * kernel_enter takes the kernel lock and kernel_exit drops it, so between
 * them this core owns every object of its cluster.
 */
#include "entry.h"
#include "entrystats.h"
#include "kcheck.h"
#include "sched.h"

/* Whether kernel_exit has work: the kernel lock is on or kcheck is.
 * Per cluster; written under the lock at each core's first entry and by
 * kcheck_init, before any thread runs. One flag, so that the exit of a
 * one-core cluster without checks is one test. */
static bool exit_work;

bool kernel_enter_locked(enum entry_kind kind)
{
	struct core *me = this_core();
	struct tcb *t = me->current;
	uint64_t waited;

	if (kind == ENTRY_WAKE)
		entry_stats_open(VEC_NONE); /* unless the interrupt that woke it opened one */
	me->syscall_waiting = kind == ENTRY_SYSCALL;
	waited = klock_acquire();
	if (waited && entry_stats_on) /* another core's entry: not counted in this one */
		entry_stats_lock_wait(waited);
	smp_poll_kicks();
	me->syscall_waiting = false;
	preempt_reset(); /* the budget is the cluster's: reset under the lock */
	if (kind == ENTRY_FIRST)
		exit_work |= cluster.lock_on;
	return me->current == t;
}

void kernel_exit_checks_on(void)
{
	exit_work = true;
}

static __attribute__((noinline)) void kernel_exit_slow(void)
{
	if (kcheck_on) {
		if (this_core()->current)
			kcheck_after_entry();
		else
			kcheck_before_idle();
	}
	klock_release();
}

/* No frame pointer: on every return to user mode. */
__attribute__((optimize("omit-frame-pointer"))) void kernel_exit(void)
{
	if (__builtin_expect(exit_work, 0))
		kernel_exit_slow();
}
