/*
 * The scheduler of one core: 256 priorities, round-robin within a
 * priority (timeslices from the local APIC timer), O(1) choice. The kernel
 * runs with interrupts off; a thread switch only takes effect on the way
 * back to user mode, where the current thread's frame is restored.
 */
#pragma once
#include "arch/cpu.h"
#include "entrystats.h" /* entry timing: the idle loop and the kernel lock call it */
#include "object/tcb.h"

#define TIMESLICE_TICKS 5 /* timer ticks per timeslice */

/* Kernel-lock statistics of one core: the lock counters are kept when the
 * cluster's lock_stats is on (lockstats=on; see smp.h), the IPI counters
 * always. */
struct lock_stats {
	uint64_t acquisitions, contended;
	uint64_t wait_cycles, hold_cycles;
	uint64_t ipis_sent, ipis_received;
	uint64_t hold_start;
};

/* One core's scheduler state. A cluster's struct cores lie in its own
 * partition; other cores of the cluster touch them only under the kernel
 * lock, except `kick`, which is atomic. */
struct core {
	/* Under the kernel lock: any core of the cluster queues threads here. */
	struct readyq rq;
	struct tcb *current; /* NULL while idle */
	/* This and the fields after kick: written only by this core (in idle
	 * without the lock); others read them under the lock (DEBUG_STATS,
	 * which may reset ls; TLB shootdown). */
	uint64_t ticks;
	uint64_t switches;
	/* Set by the boot core at boot; read-only after. */
	uint32_t index;        /* within the cluster */
	uint32_t apic_id;
	uint32_t kick;         /* KICK_* requests from other cores (atomic) */
	bool syscall_waiting;  /* a system-call entry waits for the kernel lock: a
	                          KICK_STALL then restarts the call (kernel_enter) */
	struct cpu *cpu;       /* its arch record (set at boot, read-only after):
	                          cpu->loaded_root is the root in its CR3 */
	struct lock_stats ls;
} __attribute__((aligned(64)));

/* Every core of this cluster (index = core within the cluster). */
extern struct core *cluster_cores;

/* This core's scheduler, through GS. */
static inline struct core *this_core(void)
{
	return this_cpu_sched_core();
}
static inline struct tcb *sched_current(void) { return this_core()->current; }

/* Make t runnable: queue it (at the tail of its priority) on its core; a
 * core that should switch to it at once gets a reschedule IPI. */
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
/* If t runs on another core of the cluster right now, stop it there (its
 * registers are saved in its TCB) before the caller changes it. */
void sched_stall(struct tcb *t);
/* Move t to core `core` of this cluster. */
void sched_set_affinity(struct tcb *t, uint32_t core);
/* Give t priority prio, wherever it is (queued, running here or on another
 * core of the cluster, blocked); its core chooses again if that matters. */
void sched_set_prio(struct tcb *t, unsigned prio);
