/* Struct offsets and constants for the NASM files, generated at build time
 * (compiled with -S; the build turns each "->NAME value" into a %define). */
#include "arch/cpu.h"
#include "arch/pte.h"
#include "arch/regs.h"
#include "arch/tramp.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "abi/abi.h"
#include "bootinfo.h"

/* "n" and %0 print any 64-bit constant (as $value; %c takes only values
 * that sign-extend from 32 bits). */
#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %0\"" ::"n"((unsigned long long)(val)))
#define TF(f) __builtin_offsetof(struct trapframe, f)
/* Offsets from the frame's vector word: where rsp points once the general
 * registers are pushed or popped (the stubs' and the CPU's part). */
#define TFH(f) (TF(f) - TF(vector))

static void trapframe_offsets(void)
{
	DEFINE(TF_R15, TF(r15));
	DEFINE(TF_R14, TF(r14));
	DEFINE(TF_R13, TF(r13));
	DEFINE(TF_R12, TF(r12));
	DEFINE(TF_R11, TF(r11));
	DEFINE(TF_R10, TF(r10));
	DEFINE(TF_R9, TF(r9));
	DEFINE(TF_R8, TF(r8));
	DEFINE(TF_RBP, TF(rbp));
	DEFINE(TF_RDI, TF(rdi));
	DEFINE(TF_RSI, TF(rsi));
	DEFINE(TF_RDX, TF(rdx));
	DEFINE(TF_RCX, TF(rcx));
	DEFINE(TF_RBX, TF(rbx));
	DEFINE(TFH_VECTOR, TFH(vector));
	DEFINE(TFH_ERROR, TFH(error));
	DEFINE(TFH_RIP, TFH(rip));
	DEFINE(TFH_CS, TFH(cs));
	DEFINE(TFH_RFLAGS, TFH(rflags));
	DEFINE(TFH_RSP, TFH(rsp));
}

static void tramp_offsets(void)
{
	DEFINE(TRAMP_CR3, __builtin_offsetof(struct tramp_data, cr3));
	DEFINE(TRAMP_EFER, __builtin_offsetof(struct tramp_data, efer));
	DEFINE(TRAMP_STACK, __builtin_offsetof(struct tramp_data, stack));
	DEFINE(TRAMP_CPU, __builtin_offsetof(struct tramp_data, cpu));
	DEFINE(TRAMP_ENTRY, __builtin_offsetof(struct tramp_data, entry));
	DEFINE(TRAMP_GDTR, __builtin_offsetof(struct tramp_data, gdt_limit));
	DEFINE(TRAMP_IDTR, __builtin_offsetof(struct tramp_data, idt_limit));
	DEFINE(TRAMP_MODE, __builtin_offsetof(struct tramp_data, mode));
	DEFINE(TRAMP_ARRIVED, __builtin_offsetof(struct tramp_data, arrived));
	DEFINE(TRAMP_MODE_START, TRAMP_START);
	DEFINE(SEL_KERNEL_CODE, SEL_KCODE);
	DEFINE(SEL_KERNEL_DATA, SEL_KDATA);
	DEFINE(SEL_TSS_NO, SEL_TSS);
	DEFINE(MSR_GS_BASE, MSR_GS_BASE);
	DEFINE(TRAMP_SIZE, sizeof(struct tramp_data));
}

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
	DEFINE(TF_SS, __builtin_offsetof(struct trapframe, ss));
	DEFINE(USER_RFLAGS_KEEP, USER_RFLAGS_MASK);
	DEFINE(USER_RFLAGS_SET, USER_RFLAGS_DEFAULT);
	DEFINE(USER_RFLAGS_KEEP_IF, USER_RFLAGS_MASK | USER_RFLAGS_DEFAULT);
	DEFINE(VEC_UD_NO, VEC_UD);
	DEFINE(SYSCALL_INSN_LEN, SYSCALL_INSN_LEN);
	DEFINE(USER_TOP, USER_TOP);
	DEFINE(MB2_BOOT_MAGIC, MB2_BOOT_MAGIC);
	DEFINE(PTE_P, PTE_P);
	DEFINE(PTE_W, PTE_W);
	DEFINE(PTE_PS, PTE_PS);
	DEFINE(MSR_EFER, MSR_EFER);
	DEFINE(EFER_LME, EFER_LME);
	DEFINE(CR0_PE, CR0_PE);
	DEFINE(CR0_WP, CR0_WP);
	DEFINE(CR0_NW, CR0_NW);
	DEFINE(CR0_CD, CR0_CD);
	DEFINE(CR0_PG, CR0_PG);
	DEFINE(CR4_PAE, CR4_PAE);
	trapframe_offsets();
	tramp_offsets();
}
