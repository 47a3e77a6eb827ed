/*
 * User FPU/SSE state, switched only for threads that use it
 * (arch/x86_64/fpu.c). Every function acts on this core; the kernel lock
 * (or a cluster of one core) keeps the TCBs stable.
 */
#pragma once
#include "arch/cpu.h"
#include "types.h"

struct tcb;

/* This core: enable SSE (OSFXSR), clean registers, CR0.TS set. */
void arch_fpu_cpu_init(void);
/* next is about to run here: save the live thread's state, load next's
 * (or set TS if next has none). */
void arch_fpu_switch(struct tcb *next);
/* This core stops running its thread (idle, stopped by another core):
 * its state goes to its TCB. */
void arch_fpu_release(void);
/* t is being destroyed: drop its state without saving it. */
void arch_fpu_forget(struct tcb *t);
/* #NM from user mode in thread t: give it FPU state (its first use, or
 * its saved state); false if the trap was not about that (a fault). */
bool arch_fpu_trap(struct tcb *t);
