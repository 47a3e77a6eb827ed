/*
 * Making a thread the one that runs on return to user mode: its saved
 * frame, its kernel-entry stack pointer, its address space. Inline for the
 * IPC fastpath; arch_thread_activate() is the out-of-line form.
 */
#pragma once
#include "arch/cpu.h"
#include "arch/fpu.h"
#include "arch/vspace.h"
#include "arch/x86.h"
#include "cap.h"
#include "object/tcb.h"

static inline __attribute__((always_inline)) void arch_thread_activate_inline(struct tcb *t)
{
	struct cpu *c = this_cpu();
	uint64_t end = (uint64_t)(uintptr_t)(&t->regs + 1);
	struct cap vs = t->slots[TCB_VSPACE].cap;

	c->cur_regs_end = end;
	c->tss.rsp[0] = end;
	/* FPU state only moves for threads that use it: equal when t's state
	 * is live here, or neither t nor anyone else has state here. */
	if (__builtin_expect(c->fpu_live != t->fpu_self, 0))
		arch_fpu_switch(t);
	if (cap_type(vs) == OBJ_PML4)
		vspace_activate_inline(cap_paddr(vs), cap_map_asid(vs));
	else
		vspace_activate(vspace_kernel_root(), 0);
}
