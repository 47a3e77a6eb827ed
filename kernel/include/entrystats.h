/*
 * Timing of kernel entries (entrystats=on, the default in test runs).
 *
 * An entry runs from the first instruction of the SYSCALL, interrupt or
 * exception path (syscall.asm, trap.asm) to the return to user mode, or to
 * the moment the core goes idle (sched_choose); an interrupt that wakes an
 * idle core opens one that lasts until that core returns to user mode or
 * halts again. Halted time is not an entry. Time spent waiting for the
 * kernel lock (klock_acquire) is subtracted and kept apart: it is another
 * core's entry, not this one's. Each core keeps its longest entry and what
 * it was (system call and invocation, exception or interrupt vector).
 *
 * The unit is the TSC; under QEMU -icount shift=0 the TSC counts retired
 * instructions (of all vCPUs: exact per entry on one core only).
 */
#pragma once
#include "arch/cpu.h"
#include "types.h"

/* The longest entry one core has made. */
struct entry_record {
	uint64_t work;      /* its TSC ticks, kernel-lock waits excluded */
	uint64_t lockwait;  /* the kernel-lock waits it had */
	uint64_t kind, what, info, obj; /* as in struct cpu's entry_* at the time */
	uint64_t lockwait_max; /* the longest single wait for the kernel lock on this core */
};

/* Read by the entry code: time every entry. Set once per cluster before its
 * first thread runs (boot is not timed). */
extern bool entry_stats_on;
void entry_stats_enable(bool on);

/* The exit code found an entry longer than this core's longest. */
void entry_stats_record(uint64_t work);
/* The core goes idle: the open entry (if any) ends here. */
void entry_stats_close(void);
/* An interrupt or wake-up while idle: open an entry of `kind` (a vector,
 * or VEC_NONE) unless one is open. */
void entry_stats_open(uint64_t kind);
/* klock_acquire waited `ticks` for the lock. */
void entry_stats_lock_wait(uint64_t ticks);
/* obj_invoke: this entry invokes an object of `type`. */
static inline void entry_stats_invocation(unsigned type)
{
	this_cpu()->entry_obj = type + 1u;
}

/* Core `core` of this cluster's longest entry (false: no such core). */
bool entry_stats_get(uint32_t core, struct entry_record *out);
/* Print this cluster's longest entry: "longest kernel entry: N tsc ...". */
void entry_stats_report(void);
