/* Trap dispatch and the exception report. */
#include "arch/trap.h"
#include "arch/cpu.h"
#include "arch/fpu.h"
#include "arch/x86.h"
#include "console.h"
#include "entry.h"
#include "layout.h"
#include "fault.h"
#include "irq.h"
#include "panic.h"
#include "sched.h"

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization",
	"#CP control protection", "reserved 22", "reserved 23", "reserved 24",
	"reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

/* Expected-trap state of the boot core (self-tests run there; per cluster,
 * copied .bss, but only cluster 0's copy is used). */
static struct {
	uint64_t vector;
	bool armed;
	struct trap_record last;
} expect;

extern uint64_t trap_probe_call(void (*fn)(void));
extern char trap_probe_resume[];
extern uint64_t trap_probe_rsp;
extern NORETURN void trap_probe_unwind(void);
extern NORETURN void arch_return_to_user(void);

const char *trap_name(uint64_t vector)
{
	return vector < 32 ? exc_names[vector] : "interrupt";
}

bool trap_probe(uint64_t vector, void (*fn)(void), struct trap_record *rec)
{
	bool trapped;

	expect.vector = vector;
	expect.armed = true;
	expect.last = (struct trap_record){ ~0ull, ~0ull, ~0ull, 0, false };
	trapped = trap_probe_call(fn) != 0;
	expect.armed = false;
	if (rec)
		*rec = expect.last;
	return trapped;
}

static void report_pf_error(uint64_t err)
{
	kprintf("  page fault: %s, %s, %s%s%s\n", (err & 1) ? "protection violation" : "not present",
		(err & 2) ? "write" : "read", (err & 4) ? "user" : "kernel",
		(err & 16) ? ", instruction fetch" : "", (err & 8) ? ", reserved bit set" : "");
}

/* Walk the frame-pointer chain, trusting only frames inside known stacks. */
static void report_stack(const struct trapframe *tf)
{
	uint64_t rbp = tf->rbp;

	kprintf("  stack trace (frame pointers; addr2line -e build/kernel/atoll.elf):\n");
	kprintf("    #0  %#018llx\n", (unsigned long long)tf->rip);
	for (int depth = 1; depth < 16; depth++) {
		if (rbp & 7 || !cpu_stack_contains(rbp, rbp + 16))
			break;
		uint64_t ret = ((uint64_t *)(uintptr_t)rbp)[1];
		if (ret < (uint64_t)(uintptr_t)__text_start || ret >= (uint64_t)(uintptr_t)__text_end)
			break;
		kprintf("    #%-2d %#018llx\n", depth, (unsigned long long)ret);
		rbp = ((uint64_t *)(uintptr_t)rbp)[0];
	}
}

static void report(const struct trapframe *tf)
{
	typedef unsigned long long ull;

	kprintf("\n*** EXCEPTION %s (vector %llu), error code %#llx, in %s mode ***\n",
		trap_name(tf->vector), (ull)tf->vector, (ull)tf->error, (tf->cs & 3) ? "user" : "kernel");
	if (tf->vector == VEC_PF)
		report_pf_error(tf->error);
	kprintf("  RIP %016llx  CS %04llx  RFLAGS %016llx\n", (ull)tf->rip, (ull)tf->cs, (ull)tf->rflags);
	kprintf("  RSP %016llx  SS %04llx\n", (ull)tf->rsp, (ull)tf->ss);
	kprintf("  RAX %016llx  RBX %016llx  RCX %016llx\n", (ull)tf->rax, (ull)tf->rbx, (ull)tf->rcx);
	kprintf("  RDX %016llx  RSI %016llx  RDI %016llx\n", (ull)tf->rdx, (ull)tf->rsi, (ull)tf->rdi);
	kprintf("  RBP %016llx  R8  %016llx  R9  %016llx\n", (ull)tf->rbp, (ull)tf->r8, (ull)tf->r9);
	kprintf("  R10 %016llx  R11 %016llx  R12 %016llx\n", (ull)tf->r10, (ull)tf->r11, (ull)tf->r12);
	kprintf("  R13 %016llx  R14 %016llx  R15 %016llx\n", (ull)tf->r13, (ull)tf->r14, (ull)tf->r15);
	kprintf("  CR0 %016llx  CR2 %016llx\n", (ull)read_cr0(), (ull)read_cr2());
	kprintf("  CR3 %016llx  CR4 %016llx\n", (ull)read_cr3(), (ull)read_cr4());
	report_stack(tf);
}

static bool take_expected(struct trapframe *tf)
{
	if (!expect.armed || expect.vector != tf->vector)
		return false;
	expect.armed = false;
	expect.last = (struct trap_record){ tf->vector, tf->error, read_cr2(), tf->rip, true };
	tf->rip = (uint64_t)(uintptr_t)trap_probe_resume;
	tf->rsp = trap_probe_rsp;
	return true;
}

void trap_dispatch(struct trapframe *tf)
{
	if (take_expected(tf))
		return;
	if (tf->vector >= 32) { /* while idle: the idle loop looks again */
		entry_stats_open(tf->vector); /* the core works until it halts again */
		if (!irq_handle_idle(tf->vector)) {
			kernel_enter(ENTRY_IDLE_IRQ); /* the idle loop dropped the lock */
			irq_handle(tf->vector);
			kernel_exit();
		}
		return;
	}
	report(tf);
	kernel_fatal_trap(tf->vector);
}

/* A trap from user mode; the frame is the running thread's saved context.
 * Exceptions become faults of the thread; then the next thread is chosen. */
void trap_user(struct trapframe *tf);

/*
 * trap.asm: the IRETQ to user mode raised `vector` (the kernel's GS is back,
 * on a fresh kernel stack, the kernel lock not held). A #GP, #SS or #NP
 * there means the CPU would not load the thread's saved frame: no check at
 * entry (TCB_WriteRegisters, thread set-up) should let that happen, and it
 * is the thread's fault, not the kernel's. It becomes an exception fault
 * of the thread (MR0 its rip, MR1 its rsp, the vector and error code), as
 * if the thread had run that IRETQ itself; then the next thread runs.
 * NMIs and machine checks never come here: they have their own entry
 * (ist.asm); anything else is fatal.
 */
NORETURN void trap_return_fault(uint64_t vector, uint64_t error);
NORETURN void trap_return_fault(uint64_t vector, uint64_t error)
{
	struct trapframe *tf = (struct trapframe *)(uintptr_t)this_cpu()->cur_regs_end - 1;

	if (expect.armed && expect.vector == vector) { /* the boot self-test's probe */
		expect.armed = false;
		expect.last = (struct trap_record){ vector, error, 0, tf->rip, true };
		trap_probe_unwind();
	}
	if (vector != VEC_GP && vector != VEC_SS && vector != VEC_NP) {
		kprintf("\n*** EXCEPTION %s (vector %llu) at the IRETQ to user mode ***\n",
			trap_name(vector), (unsigned long long)vector);
		kernel_fatal_trap(vector);
	}
	tf->vector = vector; /* no longer a SYSCALL frame: IRETQ again next time */
	tf->error = error;
	entry_stats_open(vector); /* a kernel entry of its own (the last one had ended) */
	trap_user(tf);
	arch_return_to_user();
}
void trap_user(struct trapframe *tf)
{
	struct tcb *t = sched_current();

	if (!kernel_enter(ENTRY_TRAP)) {
		/* Another core stopped this thread: an exception will recur when
		 * it runs again; an interrupt is still served. */
		if (tf->vector >= 32)
			irq_handle(tf->vector);
		sched_choose();
		return;
	}
	if (tf->vector == VEC_NM && arch_fpu_trap(t)) {
		/* its first FPU/SSE instruction (or its state was saved): it
		 * runs again with its state loaded */
	} else if (tf->vector < 32) {
		bool pf = tf->vector == VEC_PF;
		uint64_t info[4] = { tf->rip, pf ? read_cr2() : tf->rsp, tf->vector, tf->error };
		fault_raise(t, pf ? FAULT_VM : FAULT_EXCEPTION, info);
	} else {
		irq_handle(tf->vector);
	}
	sched_choose();
}
