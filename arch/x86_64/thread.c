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

extern char syscall_entry[], boot_stack_top[];
extern NORETURN void arch_return_to_user(void);

/* SYSCALL/SYSRET set-up for this core: selectors, entry point, the flags
 * masked on entry (IF, TF, DF, AC, NT). */
void arch_syscall_init(void)
{
	struct cpu *c = this_cpu();

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)(SEL_UCODE32 | 3) << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_FMASK, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14));
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

void arch_thread_activate(struct tcb *t)
{
	arch_thread_activate_inline(t);
}

void arch_idle_wait(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

NORETURN void arch_enter_user(void)
{
	arch_return_to_user();
}

void arch_syscall_restart(struct tcb *t)
{
	t->regs.rip -= 2; /* SYSCALL is two bytes; the frame keeps rax and the arguments */
}
