/* The debug system calls: console output, counters, the end of a run
 * (kernel/debug.c). None is ambient authority: each names a debug
 * capability (OBJ_DEBUG) in rdi. */
#pragma once
#include "kobj.h"

/* Serve DEBUG_PUTS, DEBUG_EXIT or DEBUG_STATS (t->regs.REG_SYSNO) for t.
 * On success the results are in t's registers and IPC buffer; an error is
 * returned for the caller to report (DEBUG_EXIT returns only then). */
struct kerr debug_syscall(struct tcb *t);
