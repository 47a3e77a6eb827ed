/* Struct offsets and constants for the NASM files, generated at build time
 * (compiled with -S; the build turns each "->NAME value" into a %define). */
#include "arch/cpu.h"
#include "arch/regs.h"
#include "arch/trap.h"
#include "abi/abi.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %c0\"" ::"i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(CPU_SELF, __builtin_offsetof(struct cpu, self));
	DEFINE(CPU_USER_RSP, __builtin_offsetof(struct cpu, user_rsp));
	DEFINE(CPU_CUR_REGS_END, __builtin_offsetof(struct cpu, cur_regs_end));
	DEFINE(CPU_KSTACK_TOP, __builtin_offsetof(struct cpu, kstack_top));
	DEFINE(CPU_ENTRY_TSC, __builtin_offsetof(struct cpu, entry_tsc));
	DEFINE(CPU_ENTRY_KIND, __builtin_offsetof(struct cpu, entry_kind));
	DEFINE(CPU_ENTRY_WHAT, __builtin_offsetof(struct cpu, entry_what));
	DEFINE(CPU_ENTRY_INFO, __builtin_offsetof(struct cpu, entry_info));
	DEFINE(CPU_ENTRY_OBJ, __builtin_offsetof(struct cpu, entry_obj));
	DEFINE(CPU_ENTRY_LOCKWAIT, __builtin_offsetof(struct cpu, entry_lockwait));
	DEFINE(CPU_ENTRY_MAX, __builtin_offsetof(struct cpu, entry_max));
	DEFINE(TF_VECTOR, __builtin_offsetof(struct trapframe, vector));
	DEFINE(TF_RAX, __builtin_offsetof(struct trapframe, rax));
	DEFINE(TF_ERROR, __builtin_offsetof(struct trapframe, error));
	DEFINE(TF_RIP, __builtin_offsetof(struct trapframe, rip));
	DEFINE(TF_CS, __builtin_offsetof(struct trapframe, cs));
	DEFINE(TF_RFLAGS, __builtin_offsetof(struct trapframe, rflags));
	DEFINE(TF_RSP, __builtin_offsetof(struct trapframe, rsp));
	DEFINE(TF_SIZE, sizeof(struct trapframe));
	DEFINE(VEC_SYSCALL_MARK, VEC_SYSCALL);
	DEFINE(SYS_NULL_NO, SYS_NULL);
	DEFINE(SEL_USER_CODE, SEL_UCODE | 3);
	DEFINE(SEL_USER_DATA, SEL_UDATA | 3);
	DEFINE(SEL_USER_CODE32, SEL_UCODE32 | 3);
	DEFINE(CPU_USER_RSP_HI, __builtin_offsetof(struct cpu, user_rsp) + 4);
	DEFINE(TF_ERROR, __builtin_offsetof(struct trapframe, error));
	DEFINE(TF_SS, __builtin_offsetof(struct trapframe, ss));
	DEFINE(USER_RFLAGS_KEEP, USER_RFLAGS_MASK);
	DEFINE(USER_RFLAGS_SET, USER_RFLAGS_DEFAULT);
	DEFINE(USER_RFLAGS_KEEP_IF, USER_RFLAGS_MASK | USER_RFLAGS_DEFAULT);
	DEFINE(VEC_UD_NO, VEC_UD);
}
