/* Single-instruction helpers (and the few short sequences that must stay
 * together: lfence;rdtsc, sti;hlt;cli, the far return that reloads CS).
 * Outside the .asm files, x86 instructions are written here and in two
 * places that cannot be a helper here: the GS-relative loads of this
 * core's struct cpu (arch/cpu.h, which kernel/ includes: the offset is an
 * immediate) and the offset generator's .ascii lines (asm_offsets.c, no
 * instruction); plus, until their owners move them here, the mfence of
 * apic.c, the invpcid of vspace.c and the CR3 read of arch/vspace.h. */
#pragma once
#include "types.h"

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

#define DEFINE_CR(n)                                                                  \
	static inline uint64_t read_cr##n(void)                                       \
	{                                                                             \
		uint64_t v;                                                           \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                     \
		return v;                                                             \
	}                                                                             \
	static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

/* rdtsc, not ordered against other instructions (statistics). */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* rdtsc ordered after earlier instructions (lfence before). */
static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}
static inline uint64_t read_rbp(void)
{
	uint64_t v;
	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}
static inline void invlpg(vaddr_t va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }
static inline void cpu_pause(void) { __asm__ volatile("pause"); }
static inline void cpu_hlt(void) { __asm__ volatile("hlt"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
/* After an lgdt: CS = cs by a far return, then DS, ES and SS = ds. */
static inline void load_segments(uint64_t cs, uint32_t ds)
{
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %1, %%ds\n\t"
			 "mov %1, %%es\n\t"
			 "mov %1, %%ss\n\t"
			 :
			 : "r"(cs), "r"(ds)
			 : "rax", "memory");
}
static inline void lgdt(const void *p) { __asm__ volatile("lgdt (%0)" ::"r"(p) : "memory"); }
static inline void lidt(const void *p) { __asm__ volatile("lidt (%0)" ::"r"(p) : "memory"); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" ::"r"(sel)); }
static inline void stac(void) { __asm__ volatile("stac" ::: "memory"); }
static inline void clac(void) { __asm__ volatile("clac" ::: "memory"); }
/* Before a WRMSR to an x2APIC register, which is not serialising: earlier
 * stores become globally visible and earlier loads complete first (Intel SDM
 * Vol 3A 11.12.3), so an IPI cannot overtake the data it announces. */
static inline void x2apic_wrmsr_fence(void) { __asm__ volatile("mfence; lfence" ::: "memory"); }
static inline void mfence(void) { __asm__ volatile("mfence" ::: "memory"); }
/* Halt until an interrupt with interrupts on, then off again: the STI
 * shadow makes sti;hlt one step, so no interrupt slips in between. */
static inline void irq_enable_hlt_disable(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }
static inline void clts(void) { __asm__ volatile("clts" ::: "memory"); }
/* fxsave64 / fxrstor64 of a 512-byte, 16-byte aligned area. */
static inline void fxsave64(void *area) { __asm__ volatile("fxsave64 %0" : "=m"(*(char(*)[512])area)); }
static inline void fxrstor64(const void *area)
{
	__asm__ volatile("fxrstor64 %0" ::"m"(*(const char(*)[512])area));
}
/* One RDRAND: false if the DRNG had nothing (CF clear). */
static inline bool rdrand64(uint64_t *v)
{
	bool ok;
	__asm__ volatile("rdrand %0" : "=r"(*v), "=@ccc"(ok));
	return ok;
}
/* The task register's selector. */
static inline uint16_t str(void)
{
	uint16_t tr;
	__asm__ volatile("str %0" : "=r"(tr));
	return tr;
}
static inline void int3(void) { __asm__ volatile("int3"); }
static inline void ud2(void) { __asm__ volatile("ud2"); }
/* #DE from the instruction: in C a division by zero is undefined behaviour
 * (the compiler may drop it; UBSan reports it), not a trap. */
static inline void div_by_zero(void)
{
	uint64_t lo = 7, hi = 0;
	__asm__ volatile("div %2" : "+a"(lo), "+d"(hi) : "r"(0ull));
}

#define MSR_PAT 0x277
/* PA0 WB, PA1 WC (was WT), PA2 UC-, PA3 UC, PA4-7 the reset values: a PTE
 * selects WB with PWT = PCD = 0, WC with PWT, UC with PCD | PWT. No mapping
 * uses PA1 before it is set, so no cache flush is needed to change it. */
#define PAT_ATOLL 0x0007040600070106ull
#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_CSTAR 0xC0000083
#define MSR_FMASK 0xC0000084
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
/* RFLAGS bits SYSCALL clears on entry: TF, IF, DF, NT, AC. */
#define SYSCALL_FMASK ((1u << 8) | (1u << 9) | (1u << 10) | (1u << 14) | (1u << 18))
#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_APIC_BASE 0x1B
#define APIC_BASE_X2APIC (1ull << 10) /* EXTD: x2APIC mode */
#define APIC_BASE_ENABLE (1ull << 11) /* EN: global enable */
#define APIC_BASE_ADDR 0xFFFFFFFFFF000ull
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_NXE (1ull << 11)
#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_PGE (1ull << 7)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_PCIDE (1ull << 17)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_AC (1ull << 18)
