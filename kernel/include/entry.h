/*
 * The one way into and out of the kernel (docs/kernel.md, "Entry and
 * exit"). Every path that starts kernel work calls kernel_enter first and
 * every path that ends it calls kernel_exit last: they own the kernel lock
 * (clusters of several cores) and the per-entry bookkeeping (the
 * preemption budget, the lock wait in the entry's timing, the requests of
 * other cores, the invariant checks). The timing stamps themselves stay in
 * the entry assembly (entrystats.inc), which must read the TSC at the first
 * and last instruction.
 */
#pragma once
#include "arch/trap.h"
#include "entrystats.h"
#include "kobj.h"
#include "smp.h"

enum entry_kind {
	ENTRY_SYSCALL,  /* SYSCALL from user mode (fastpath_syscall; SYS_NULL does no kernel work) */
	ENTRY_TRAP,     /* an exception or interrupt from user mode (trap_user) */
	ENTRY_IDLE_IRQ, /* an interrupt while idle that needs kernel state (trap_dispatch) */
	ENTRY_WAKE,     /* the idle loop found work (sched_choose) */
	ENTRY_FIRST,    /* a core's first entry, at boot (kmain, kernel_ap_main) */
};

/* Out of line: the kernel lock is on. */
bool kernel_enter_locked(enum entry_kind kind);

/* Begin kernel work of `kind` on this core. Returns false if, while this
 * core waited for the kernel lock, another core stopped its thread
 * (sched_stall): the entry's work for that thread is then void, and the
 * caller only chooses the next thread. Inline (`kind` is a constant at
 * every call): in a cluster of one core, a system call's entry is one
 * test and one store (the IPC fastpath). */
static inline __attribute__((always_inline)) bool kernel_enter(enum entry_kind kind)
{
	if (kind == ENTRY_FIRST || __builtin_expect(cluster.lock_on, 0))
		return kernel_enter_locked(kind);
	if (kind == ENTRY_WAKE)
		entry_stats_open(VEC_NONE); /* unless the interrupt that woke it opened one */
	preempt_reset();
	return true;
}

/* End kernel work on this core: before the return to user mode (the entry
 * assembly, arch_return_to_user), before the core halts (sched_choose,
 * then this_core()->current is NULL) and after an interrupt served while
 * idle. Runs the invariant checks (kcheck) and drops the kernel lock. */
void kernel_exit(void);
/* kcheck_init: checks are on in this cluster; kernel_exit runs them. */
void kernel_exit_checks_on(void);
