/*
 * User FPU state: x87, MMX and SSE (the 512-byte FXSAVE image; no AVX, the
 * kernel does not enable XSAVE). The kernel itself never touches these
 * registers (it is built with -mgeneral-regs-only).
 *
 * A thread owns FPU state only once it has used it: it starts without
 * (fpu_self NULL) and with CR0.TS set, so its first FPU or SSE instruction
 * traps (#NM); the trap gives it a clean state (fpu_self = itself) and
 * lets the instruction run again. Threads that never use the FPU (the IPC
 * benchmarks, most servers) cost one compare on each switch: the core's
 * fpu_live against the next thread's fpu_self (equal when its state is
 * live here, or when neither it nor anyone else has state here).
 *
 * A core's registers hold the state of at most one thread, `fpu_live`, and
 * only while that thread is the one the core runs: whenever the core stops
 * running it (a switch to another thread, idle, a stop requested by
 * another core) the state is saved into its TCB and the registers are
 * reset to the clean state. So a thread's state is in its TCB whenever it
 * does not run, and it can move between cores freely; and no thread ever
 * runs (even speculatively, with TS set) with another thread's values in
 * the registers.
 */
#include "arch/arch.h"
#include "arch/cpu.h"
#include "arch/fpu.h"
#include "arch/x86.h"
#include "kstring.h"
#include "object/tcb.h"

/* FCW 0x037F (all x87 exceptions masked, extended precision), MXCSR 0x1F80
 * (all SSE exceptions masked, round to nearest), every register 0. */
static const struct user_fpu fpu_clean = { .area = { [0] = 0x7F, [1] = 0x03, [24] = 0x80, [25] = 0x1F } };

static inline void fxsave(struct user_fpu *f)
{
	fxsave64(f);
}

static inline void fxrstor(const struct user_fpu *f)
{
	fxrstor64(f);
}

static void ts_clear(struct cpu *c)
{
	if (c->fpu_ts) {
		clts();
		c->fpu_ts = false;
	}
}

static void ts_set(struct cpu *c)
{
	if (!c->fpu_ts) {
		write_cr0(read_cr0() | CR0_TS);
		c->fpu_ts = true;
	}
}

void arch_fpu_cpu_init(void)
{
	struct cpu *c = this_cpu();

	/* FXSAVE state only: XSAVE off, whatever the firmware left, so AVX
	 * instructions fault (#UD) instead of using registers no switch saves. */
	write_cr4((read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT) & ~CR4_OSXSAVE);
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	c->fpu_ts = false;
	fxrstor(&fpu_clean);
	c->fpu_live = NULL;
	ts_set(c); /* no thread's state is live */
}

/* The live thread's state goes to its TCB; the registers are reset. */
static void save_live(struct cpu *c)
{
	struct tcb *live = c->fpu_live;

	fxsave(&live->fpu);
	fxrstor(&fpu_clean);
	c->fpu_live = NULL;
}

void arch_fpu_switch(struct tcb *next)
{
	struct cpu *c = this_cpu();

	if (c->fpu_live == next)
		return;
	if (c->fpu_live)
		save_live(c);
	if (next->fpu_self) {
		ts_clear(c);
		fxrstor(&next->fpu);
		c->fpu_live = next;
	} else {
		ts_set(c);
	}
}

void arch_fpu_release(void)
{
	struct cpu *c = this_cpu();

	if (c->fpu_live)
		save_live(c);
	ts_set(c);
}

void arch_fpu_forget(struct tcb *t)
{
	struct cpu *c = this_cpu();

	t->fpu_self = NULL;
	if (c->fpu_live != t)
		return;
	fxrstor(&fpu_clean); /* its state goes nowhere: the thread is gone */
	c->fpu_live = NULL;
	ts_set(c);
}

bool arch_fpu_trap(struct tcb *t)
{
	struct cpu *c = this_cpu();

	if (c->fpu_live == t) /* TS is clear while t's state is live: not ours */
		return false;
	if (!t->fpu_self) {
		t->fpu = fpu_clean;
		t->fpu_self = t;
	}
	arch_fpu_switch(t);
	return true;
}
