/*
 * The scheduler of one core: 256 priorities, round-robin within a
 * priority (timeslices from the local APIC timer), O(1) choice. The kernel
 * runs with interrupts off; a thread switch only takes effect on the way
 * back to user mode, where the current thread's frame is restored.
 */
#pragma once
#include "object/tcb.h"

#define TIMESLICE_TICKS 5 /* timer ticks per timeslice */

struct core {
	struct readyq rq;
	struct tcb *current; /* NULL while idle */
	uint64_t ticks;
	uint64_t switches;
};

/* This core's scheduler (one core per kernel instance for now). */
extern struct core boot_core;
static inline struct core *this_core(void) { return &boot_core; }
static inline struct tcb *sched_current(void) { return this_core()->current; }

/* Make t runnable: queue it (at the tail of its priority). */
void sched_enqueue(struct tcb *t);
/* Take t off its ready queue (it blocks or is suspended). */
void sched_dequeue(struct tcb *t);
/* The running thread gives up the rest of its slice. */
void sched_yield(void);
/* One timer tick: charge the running thread, rotate when its slice ends. */
void sched_tick(void);
/* Choose the thread to run next and make it current (idles while none is
 * runnable). Called on every way out of the kernel. */
void sched_choose(void);
/* Switch to t directly (IPC hand-off): t becomes current, the old current
 * stays runnable only if it is still TS_RUNNABLE. */
void sched_switch_to(struct tcb *t);
/* The same when the current thread has just blocked and t is on no ready
 * queue (the IPC fastpath's case): no queue work at all. */
void sched_switch_blocked(struct tcb *t);
