/* Entering and leaving user threads on x86-64. */
#include "arch/arch.h"
#include "arch/cpu.h"
#include "arch/regs.h"
#include "arch/vspace.h"
#include "arch/x86.h"
#include "cap.h"
#include "layout.h"
#include "object/tcb.h"
#include "arch/activate.h"

extern char syscall_entry[], syscall_entry_compat[], boot_stack_top[];
extern NORETURN void arch_return_to_user(void);

/* SYSCALL/SYSRET set-up for this core: selectors, entry points, the flags
 * masked on entry (IF, TF, DF, AC, NT). A SYSCALL from 32-bit
 * compatibility mode (AMD CPUs, Bochs and QEMU enter at CSTAR; Intel CPUs
 * raise #UD) becomes a #UD fault of the thread. SYSENTER_CS = 0 makes
 * SYSENTER raise #GP in user mode (Intel; AMD raises #UD in long mode),
 * whatever the firmware left there. The 32-bit user code segment exists
 * only with compat32=on (gdt.c). */
void arch_syscall_init(bool compat32)
{
	struct cpu *c = this_cpu();

	gdt_set_compat32(c, compat32);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)(SEL_UCODE32 | 3) << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_CSTAR, (uint64_t)(uintptr_t)syscall_entry_compat);
	wrmsr(MSR_FMASK, SYSCALL_FMASK);
	wrmsr(MSR_SYSENTER_CS, 0);
	wrmsr(MSR_SYSENTER_ESP, 0);
	wrmsr(MSR_SYSENTER_EIP, 0);
	if (!c->kstack_top) /* the boot core keeps its boot stack */
		c->kstack_top = (uint64_t)(uintptr_t)boot_stack_top;
}

void arch_regs_init(user_regs_t *r, uint64_t ip, uint64_t sp)
{
	*r = (user_regs_t){ 0 };
	r->rip = ip;
	r->rsp = sp;
	r->cs = SEL_UCODE | 3;
	r->ss = SEL_UDATA | 3;
	r->rflags = USER_RFLAGS_DEFAULT;
	r->vector = VEC_NONE;
}

bool arch_user_ip_ok(uint64_t ip)
{
	return ip < USER_TOP;
}

bool arch_user_sp_ok(uint64_t sp)
{
	return sp < USER_TOP;
}

void arch_regs_rewritten(user_regs_t *r)
{
	r->cs = SEL_UCODE | 3;
	r->ss = SEL_UDATA | 3;
	r->rflags = (r->rflags & USER_RFLAGS_MASK) | USER_RFLAGS_DEFAULT;
	r->vector = VEC_NONE; /* every register restored exactly: IRETQ */
}

void arch_thread_activate(struct tcb *t)
{
	arch_thread_activate_inline(t);
}

void arch_idle_wait(void)
{
	irq_enable_hlt_disable();
}

NORETURN void arch_enter_user(void)
{
	arch_return_to_user();
}

void arch_syscall_restart(struct tcb *t)
{
	t->regs.rip -= SYSCALL_INSN_LEN; /* the frame keeps rax and the arguments */
}
