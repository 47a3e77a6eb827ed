/*
 * Per-core state, one struct per core, reached through GS (GS base = the
 * struct's address, first field points to itself), in its cluster's
 * partition (the boot core's is boot_cpu). The boot core fills in the
 * identity, stacks and tables at boot; after that the struct is its own
 * core's: other cores read only `index` and `apic_id`, and the boot core
 * `online`.
 */
#pragma once
#include "types.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE32 0x18 /* SYSRET layout: user data = +8, user code64 = +16; empty unless compat32=on */
#define SEL_UDATA 0x20
#define SEL_UCODE 0x28
#define SEL_TSS 0x30
#define GDT_ENTRIES 8
#define GDT_SLOT(sel) ((sel) >> 3)
#define PCID_COUNT 4096 /* CR3 bits 11:0 */

/* What SYSCALL and SYSRET require of the GDT (Intel SDM Vol. 2B SYSCALL,
 * SYSRET; thread.c writes STAR = SEL_UCODE32|3 << 48 | SEL_KCODE << 32):
 * SYSCALL loads CS = STAR[47:32] and SS = that + 8; 64-bit SYSRET loads
 * CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8, with RPL 3. */
_Static_assert(SEL_KDATA == SEL_KCODE + 8, "SYSCALL: kernel SS = kernel CS + 8");
_Static_assert(SEL_UDATA == SEL_UCODE32 + 8, "SYSRET: user SS = STAR base + 8");
_Static_assert(SEL_UCODE == SEL_UCODE32 + 16, "SYSRET: 64-bit user CS = STAR base + 16");
_Static_assert(((SEL_KCODE | SEL_KDATA | SEL_UCODE32 | SEL_UDATA | SEL_UCODE | SEL_TSS) & 7) == 0,
	       "selectors: GDT slots (TI = 0, RPL 0)");
_Static_assert(GDT_SLOT(SEL_TSS) + 1 < GDT_ENTRIES, "the 64-bit TSS descriptor takes two slots");

#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_STACK_SIZE 8192
#define IST_TOP_RESERVED 16 /* the struct cpu's address at the top of each IST stack (gdt.c) */

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS layout");

struct cpu {
	/* Set at boot; read-only after. */
	struct cpu *self;      /* GS:0 */
	/* This core's only: its SYSCALL entry, its thread switch (activate.h). */
	uint64_t user_rsp;     /* SYSCALL entry scratch: the user stack pointer */
	uint64_t cur_regs_end; /* end of the running thread's saved registers */
	/* Set at boot; read-only after. */
	uint64_t kstack_top;   /* this core's kernel stack */
	uint32_t index;        /* 0 = boot core */
	uint32_t apic_id;
	volatile uint32_t online; /* set by the core itself once it runs in the kernel */
	void *sched_core;      /* the scheduler's struct core of this core */
	paddr_t kernel_pml4;   /* its cluster's kernel tables */
	uint64_t kstack_bottom;
	/* This core's only (FPU switching, arch/x86_64/fpu.c). */
	void *fpu_live;        /* the struct tcb whose FPU state is in the registers, or NULL */
	bool fpu_ts;           /* CR0.TS is set: FPU instructions trap (#NM) */
	/* The kernel entry being timed (entrystats=on; kernel/entrystats.c),
	 * written by this core's entry and exit code (syscall.asm, trap.asm,
	 * entrystats.inc) and entrystats.c: */
	uint64_t entry_tsc;      /* TSC at its start; 0 = no entry open */
	uint64_t entry_kind;     /* trap-frame vector at entry (VEC_SYSCALL for SYSCALL) */
	uint64_t entry_what;     /* rax at a SYSCALL (the number), the error code of a trap */
	uint64_t entry_info;     /* rsi at a SYSCALL: the message info (label) */
	uint64_t entry_obj;      /* object type + 1 of an invocation; 0 = none */
	uint64_t entry_lockwait; /* TSC spent waiting for the kernel lock in it */
	uint64_t entry_max;      /* this core's longest entry so far (the exit's threshold) */
	uint64_t nmis;           /* NMIs this core took (mce.c) */
	uint64_t nmi_frame;      /* where the last one's frame was (the NMI self-test) */
	/* This core's TLB, written by this core only (vspace.c); other cores
	 * of its cluster read loaded_root under the kernel lock. */
	paddr_t loaded_root;     /* the page-table root in CR3 */
	uint64_t pcid_stale[PCID_COUNT / 64]; /* PCIDs whose old entries this core drops at their next load */
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	/* gdt, tss: set up at boot by this core (cpu_tables_init); after that
	 * it writes tss.rsp[0] at every thread switch (activate.h). */
	struct tss tss __attribute__((aligned(16)));
	uint8_t ist_stack[3][IST_STACK_SIZE] __attribute__((aligned(16)));
};

_Static_assert(__builtin_offsetof(struct cpu, self) == 0, "this_cpu() reads GS:0");
_Static_assert(__builtin_offsetof(struct cpu, user_rsp) % 8 == 0 && __builtin_offsetof(struct cpu, entry_max) % 8 == 0,
	       "the fields the entry assembly reads through GS are 8-byte aligned");

/* The boot core's struct; later cores get theirs from their cluster's partition. */
extern struct cpu boot_cpu;

/* Fill c's GDT and TSS (IST stacks) without loading them: for a core the
 * boot core is about to start, whose trampoline loads them. */
void cpu_tables_fill(struct cpu *c, uint32_t index);
/* Fill and load this core's GDT, TSS and GS base. */
void cpu_tables_init(struct cpu *c, uint32_t index);
/* Whether GDT slot 3 (SEL_UCODE32) is the 32-bit user code segment. */
void gdt_set_compat32(struct cpu *c, bool on);
/* This core's struct. */
static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}
/* This core's scheduler state (struct cpu's sched_core), in one GS load:
 * the scheduler's this_core() is on every hot path. */
static inline void *this_cpu_sched_core(void)
{
	void *p;
	__asm__("mov %%gs:%c1, %0" : "=r"(p) : "i"(__builtin_offsetof(struct cpu, sched_core)));
	return p;
}
/* Whether [lo, hi) lies in one of this core's known stacks; for stack walks. */
bool cpu_stack_contains(vaddr_t lo, vaddr_t hi);
