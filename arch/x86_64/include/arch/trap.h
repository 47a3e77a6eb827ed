/* Trap frame, as built by trap.asm: general registers pushed by the common
 * entry (r15 lowest), then the vector and error code, then the CPU's frame. */
#pragma once
#include "types.h"

struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trapframe) == 22 * 8, "trap frame layout (trap.asm)");
_Static_assert(__builtin_offsetof(struct trapframe, vector) == 15 * 8, "trap.asm pushes 15 GPRs");
/* gprs.inc pushes rax first and r15 last (r15 at the lowest address). */
_Static_assert(__builtin_offsetof(struct trapframe, r15) == 0 && __builtin_offsetof(struct trapframe, rax) == 14 * 8,
	       "PUSH_GPRS order (gprs.inc)");
/* The stubs push error then vector below the CPU's frame: rip, cs, rflags,
 * rsp, ss at increasing addresses (Intel SDM Vol. 3A 6.14.1). */
_Static_assert(__builtin_offsetof(struct trapframe, error) == __builtin_offsetof(struct trapframe, vector) + 8 &&
	       __builtin_offsetof(struct trapframe, rip) == __builtin_offsetof(struct trapframe, error) + 8 &&
	       __builtin_offsetof(struct trapframe, cs) == __builtin_offsetof(struct trapframe, rip) + 8 &&
	       __builtin_offsetof(struct trapframe, rflags) == __builtin_offsetof(struct trapframe, cs) + 8 &&
	       __builtin_offsetof(struct trapframe, rsp) == __builtin_offsetof(struct trapframe, rflags) + 8 &&
	       __builtin_offsetof(struct trapframe, ss) == __builtin_offsetof(struct trapframe, rsp) + 8,
	       "the CPU's interrupt frame order (trap.asm, syscall.asm)");
/* The CPU aligns RSP down to 16 bytes before it pushes an interrupt frame
 * (SDM Vol. 3A 6.14.2): TSS.rsp0, the end of a frame that starts a TCB
 * (object/tcb.h), must be 16-aligned, or the frame would miss the TCB. */
_Static_assert(sizeof(struct trapframe) % 16 == 0, "a frame at a 16-aligned start ends 16-aligned");

#define VEC_DE 0
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_UD 6
#define VEC_NM 7 /* device not available: CR0.TS and an FPU/SSE instruction */
#define VEC_DF 8
#define VEC_NP 11
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MC 18

void idt_init(void);
/* The IDT's address and limit, for a core's trampoline (filled by idt_init
 * on the boot core before any other core starts). */
uint64_t idt_base(void);
uint16_t idt_limit(void);
void trap_dispatch(struct trapframe *tf);
const char *trap_name(uint64_t vector);

struct trap_record {
	uint64_t vector, error, cr2, rip;
	bool taken;
};

/*
 * Self-test probe: call fn(); if it raises exception `vector`, unwind back
 * here and return true with what was recorded. Other exceptions are fatal
 * as usual. Boot core only.
 */
bool trap_probe(uint64_t vector, void (*fn)(void), struct trap_record *rec);
