/* Threads in the root task's address space: each gets a TCB, a 64 KiB
 * thread area (IPC buffer page at its base, stack pages at its top). */
#pragma once
#include "atoll/alloc.h"

#define THREAD_STACK_PAGES 4

struct uthread {
	cptr_t tcb;
	uint64_t area;
};

/* Create and start fn(arg) at priority prio; returns the ABI error. A
 * thread whose function returns suspends itself. */
uint64_t thread_create(struct uthread *t, void (*fn)(uint64_t), uint64_t arg, uint64_t prio);
/* Create but do not start (resume with atoll_tcb_resume). */
uint64_t thread_create_suspended(struct uthread *t, void (*fn)(uint64_t), uint64_t arg, uint64_t prio);
/* The general form: with a fault endpoint (0 = none), started or not. */
uint64_t thread_create_ex(struct uthread *t, void (*fn)(uint64_t), uint64_t arg, uint64_t prio,
			  cptr_t fault_ep, bool start);
