/*
 * System-call dispatch. Entered from arch code with the caller's registers
 * saved in its TCB; every path ends by choosing the thread to resume.
 */
#include "abi/abi.h"
#include "arch/arch.h"
#include "console.h"
#include "kernel.h"
#include "sched.h"
#include "uaccess.h"

#define DEBUG_PUTS_MAX 4096

static uint64_t sys_debug_puts(struct tcb *t, vaddr_t va, uint64_t len)
{
	char buf[256];

	if (len > DEBUG_PUTS_MAX)
		return E_RANGE_ERROR;
	while (len) {
		size_t n = MIN(len, sizeof(buf));
		if (!uaccess_read(t, buf, va, n))
			return E_INVALID_ARGUMENT;
		console_write(buf, n);
		va += n;
		len -= n;
	}
	return E_OK;
}

void syscall_handler(void);
void syscall_handler(void)
{
	struct tcb *t = sched_current();
	user_regs_t *r = &t->regs;

	switch (r->REG_SYSNO) {
	case SYS_DEBUG_PUTS:
		r->REG_ERR = sys_debug_puts(t, r->rdi, r->rsi);
		break;
	case SYS_DEBUG_EXIT:
		kprintf("Atoll: root task ended the run (%s).\n", r->rdi == 0 ? "pass" : "fail");
		arch_exit(r->rdi == 0, kboot()->opts.poweroff);
	case SYS_YIELD:
		r->REG_ERR = E_OK;
		sched_yield();
		break;
	default:
		r->REG_ERR = E_ILLEGAL_OPERATION;
		break;
	}
	sched_choose();
}
