/* Threads in the root task's address space (see atoll/thread.h). */
#include "atoll/thread.h"

#define THREAD_AREA_BASE 0x40000000ull

static uint64_t next_area = THREAD_AREA_BASE;

static void thread_trampoline(void (*fn)(uint64_t), uint64_t arg, cptr_t self)
{
	fn(arg);
	atoll_tcb_suspend(self);
}

uint64_t thread_create_ex(struct uthread *t, void (*fn)(uint64_t), uint64_t arg, uint64_t prio,
			  cptr_t fault_ep, bool start)
{
	uint64_t e, area = next_area;
	cptr_t ipcf;
	uint64_t regs[REG_COUNT] = { 0 };

	next_area += ABI_THREAD_AREA;
	if (!(ipcf = page_alloc_at(area)))
		return E_NOT_ENOUGH_MEMORY;
	for (uint64_t i = 1; i <= THREAD_STACK_PAGES; i++)
		if (!page_alloc_at(area + ABI_THREAD_AREA - i * 4096))
			return E_NOT_ENOUGH_MEMORY;
	if (!(t->tcb = obj_alloc(OBJ_TCB, 0, &e)))
		return e;
	t->area = area;
	if ((e = atoll_tcb_configure(t->tcb, fault_ep, ROOT_CNODE, ROOT_VSPACE, area, ipcf)) ||
	    (e = atoll_tcb_set_priority(t->tcb, prio)))
		return e;
	regs[REG_RIP] = (uint64_t)(uintptr_t)thread_trampoline;
	regs[REG_RSP] = area + ABI_THREAD_AREA - 8;
	regs[REG_RFLAGS] = 0x202;
	regs[REG_RDI] = (uint64_t)(uintptr_t)fn;
	regs[REG_RSI] = arg;
	regs[REG_RDX] = t->tcb;
	return atoll_tcb_write_registers(t->tcb, start, REG_RDI + 1, regs);
}

uint64_t thread_create(struct uthread *t, void (*fn)(uint64_t), uint64_t arg, uint64_t prio)
{
	return thread_create_ex(t, fn, arg, prio, 0, true);
}

uint64_t thread_create_suspended(struct uthread *t, void (*fn)(uint64_t), uint64_t arg, uint64_t prio)
{
	return thread_create_ex(t, fn, arg, prio, 0, false);
}
