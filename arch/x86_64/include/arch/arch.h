/*
 * What the portable kernel may ask of the x86-64 layer. kernel/ and smp/
 * reach the hardware only through these functions.
 */
#pragma once
#include "types.h"
#include "bootinfo.h"
#include "bootmem.h"
#include "cluster_plan.h"

struct cpu_features {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	uint32_t max_leaf, max_ext_leaf;
	bool syscall, nx, smep, smap, fsgsbase, pcid, invpcid, x2apic, tsc_deadline;
	bool invariant_tsc, rdtscp, pge, page1g, apic, xsave;
	uint64_t tsc_hz;        /* measured or reported TSC frequency */
	const char *tsc_source; /* "cpuid 0x15", "cpuid 0x16" or "PIT calibration" */
};

struct tcb;

/* Consoles. */
void arch_serial_init(void);
void arch_serial_write(const char *s, size_t len);
void arch_debugcon_write(const char *s, size_t len); /* port 0xE9 (Bochs, QEMU -debugcon) */
bool arch_vga_init(void *text_buffer, uint32_t cols, uint32_t rows);
void arch_vga_write(const char *s, size_t len);

/* CPU: descriptor tables, traps, features, protection bits. */
void arch_cpu_early_init(void);               /* GDT, TSS, IDT on the boot core */
void arch_pic_disable(void);                  /* remap and mask the legacy PICs */
void arch_cpu_detect(struct cpu_features *f); /* CPUID */
void arch_cpu_protect(const struct cpu_features *f); /* NX, WP, SMEP, SMAP, PGE */
void arch_tsc_calibrate(struct cpu_features *f);
uint64_t arch_timestamp(void);                /* serialised TSC read */

/* Kernel page tables: direct map of physical memory and the W^X image. */
void arch_paging_init(struct bootmem *bm, const struct bootinfo *bi, const struct cpu_features *f);
/* A cluster's own kernel tables (see paging.c), built from its partition. */
struct kmap_spec {
	const struct bootinfo *bi;
	paddr_t data_pa;                   /* the cluster's copy of .data/.bss */
	const struct mem_range *rw;        /* RAM it may use: partition, shared region */
	uint32_t n_rw;
	const struct mem_range *ro;        /* RAM it may read: boot modules */
	uint32_t n_ro;
};
paddr_t arch_cluster_tables(struct bootmem *bm, const struct kmap_spec *s);
/* Switch this core to a cluster's kernel tables for good (flushes globals). */
void arch_switch_kernel_tables(paddr_t pml4);
/* Flags of the leaf entry mapping va in the current tables, or 0 if none. */
uint64_t arch_pte_flags(vaddr_t va);

/* TLB: flush everything on this core; whether translations are tagged
 * (PCID), so that other address spaces' entries survive a CR3 switch;
 * turn on PCIDs on a core started after the boot core decided to use them. */
void arch_tlb_flush_all(void);
bool arch_tlb_tagged(void);
void arch_pcid_enable_here(void);
/* Make t issue its interrupted system call again when it next runs. */
void arch_syscall_restart(struct tcb *t);

/* Stop forever (interrupts off). */
NORETURN void arch_halt(void);
/* Leave the machine with a verdict: under QEMU through isa-debug-exit, under
 * Bochs through its shutdown port, else ACPI-less poweroff ports, then halt. */
NORETURN void arch_exit(bool pass, bool poweroff);

/* x86-specific boot self-tests (descriptor tables, traps, W^X, protection
 * bits, TSC); each reports through ktest_result(). */
void arch_boot_selftests(const struct cpu_features *f);

/* Threads: make t's saved frame the one restored on return to user mode,
 * with its address space; wait for an interrupt while nothing can run. */
struct tcb;
void arch_thread_activate(struct tcb *t);
void arch_idle_wait(void);
/* SYSCALL/SYSRET MSRs and the kernel stack for entries on this core. */
void arch_syscall_init(void);
/* Leave the kernel into the current thread (never returns). */
NORETURN void arch_enter_user(void);

/* Port I/O for IOPort capabilities: size 1, 2 or 4 bytes. */
uint32_t arch_port_in(uint16_t port, unsigned size);
void arch_port_out(uint16_t port, unsigned size, uint32_t value);

/* Interrupts: the local APIC timer (period in ms) and I/O APIC lines. */
#define VEC_TIMER 0x20
#define VEC_IRQ_BASE 0x30 /* GSI n arrives on vector VEC_IRQ_BASE + n */
#define VEC_KICK 0xF0    /* another core of the cluster has a request (smp.h) */
#define VEC_XNOTIF 0xF1  /* a cross-cluster notification has bits for a waiter */
#define VEC_SPURIOUS 0xFF
/* ioapic: the first I/O APIC's address from the MADT, 0 for the default. */
void arch_apic_init(uint64_t tsc_hz, uint32_t period_ms, paddr_t ioapic);
/* The same in parts: calibrate once on the boot core before the other cores
 * start; each core starts its own timer; the I/O APIC only where device
 * interrupts go (cluster 0's first core). */
void arch_apic_calibrate(uint64_t tsc_hz, uint32_t period_ms);
void arch_lapic_timer_start(void);
void arch_ioapic_init(paddr_t ioapic);
uint32_t arch_apic_timer_ticks_per_ms(void);
uint32_t arch_lapic_id(void);
void arch_lapic_ipi(uint32_t apic_id, uint32_t icr_lo);
void arch_lapic_enable(void);

/* Starting the other cores (INIT-SIPI-SIPI through the low-memory
 * trampoline). arch_smp_prepare runs once while boot memory is open;
 * arch_start_core returns whether the core reported itself online. */
void arch_smp_prepare(struct bootmem *bm, const struct cpu_features *f);
struct cpu;
/* c: zeroed but for index, apic_id, kernel_pml4, kstack_top/bottom. */
bool arch_start_core(struct cpu *c);
uint32_t arch_irq_count(void);
void arch_irq_mask(uint32_t irq, bool masked);
void arch_irq_eoi(void);
