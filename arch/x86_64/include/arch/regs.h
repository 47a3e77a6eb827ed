/*
 * A user thread's saved registers, kept in its TCB. The layout is the trap
 * frame's (arch/trap.h): on entry from user mode the CPU and the entry code
 * push straight into the TCB (TSS.rsp0 and the SYSCALL path point at the
 * end of this struct), so no copy is made on kernel entry or exit.
 */
#pragma once
#include "abi/abi.h"
#include "arch/trap.h"

typedef struct trapframe user_regs_t;

/* A thread's x87/MMX/SSE state: the FXSAVE image (arch/x86_64/fpu.c). */
struct user_fpu {
	uint8_t area[512];
} __attribute__((aligned(16)));

/* SYSCALL (0F 05) is two bytes: a restarted call resumes this far back. */
#define SYSCALL_INSN_LEN 2
/* vector value that marks "entered by SYSCALL": exit may use SYSRET. */
#define VEC_SYSCALL 0x100
/* vector value for a fresh or rewritten context: exit by IRETQ. */
#define VEC_NONE 0x101

#define USER_RFLAGS_DEFAULT 0x202ull /* IF set */
/* The RFLAGS bits a user context keeps when the kernel loads it: those a
 * ring-3 POPF may change itself (CF PF AF ZF SF TF DF OF NT AC ID). IF is
 * always set; IOPL, RF, VM, VIF and VIP are always clear. */
#define USER_RFLAGS_MASK 0x244DD5ull
#define USER_TOP ABI_USER_TOP /* abi.h; last user page excluded: SYSRET safety */
_Static_assert((USER_TOP & 0xFFF) == 0 && USER_TOP <= (1ull << 47) - 4096,
	       "USER_TOP: page-aligned, the top page of the canonical lower half excluded (SYSRET)");

/* ABI registers: rax = syscall number / error, rdi = capability address /
 * badge, rsi = message info, rdx = reply capability address, message
 * registers MR0..MR3 in r10, r8, r9, r12. */
#define REG_SYSNO rax
#define REG_ERR rax
#define REG_CPTR rdi
#define REG_BADGE rdi
#define REG_INFO rsi
#define REG_REPLY rdx
#define REG_MR0 r10
#define REG_MR1 r8
#define REG_MR2 r9
#define REG_MR3 r12

static inline uint64_t *regs_mr(user_regs_t *r, unsigned i)
{
	switch (i) {
	case 0:
		return &r->r10;
	case 1:
		return &r->r8;
	case 2:
		return &r->r9;
	default:
		return &r->r12;
	}
}

/* Set up a fresh user context at entry `ip` with stack `sp`. */
void arch_regs_init(user_regs_t *r, uint64_t ip, uint64_t sp);
/* Whether `ip` may be loaded as a user instruction pointer. */
bool arch_user_ip_ok(uint64_t ip);
/* Whether `sp` may be loaded as a user stack pointer. */
bool arch_user_sp_ok(uint64_t sp);
/* After the kernel wrote r's registers (TCB_WriteRegisters): a 64-bit user
 * context (CS and SS the 64-bit user selectors, whatever mode it was in),
 * RFLAGS reduced to USER_RFLAGS_MASK with IF set, resumed by IRETQ. The
 * caller has checked rip and rsp. */
void arch_regs_rewritten(user_regs_t *r);
