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
