/*
 * What the portable kernel may ask of the x86-64 layer. kernel/ and smp/
 * reach the hardware only through these functions.
 */
#pragma once
#include "types.h"
#include "bootinfo.h"
#include "bootmem.h"
#include "cluster_plan.h"
#include "arch/fpu.h"

struct cpu_features {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	uint32_t max_leaf, max_ext_leaf;
	bool syscall, nx, smep, smap, fsgsbase, pcid, invpcid, x2apic, tsc_deadline;
	bool invariant_tsc, rdtscp, pge, page1g, apic, xsave, pat;
	uint64_t tsc_hz;        /* measured or reported TSC frequency; 0: unknown */
	const char *tsc_source; /* how: "from CPUID 0x15", "calibrated against ACPI PM
				   timer, 5 runs, spread 0.02 %"... (tsc.c) */
};

struct tcb;

/* Consoles. */
void arch_serial_init(void);
void arch_serial_write(const char *s, size_t len);
void arch_debugcon_write(const char *s, size_t len); /* port 0xE9 (Bochs, QEMU -debugcon) */
bool arch_vga_init(void *text_buffer, uint32_t cols, uint32_t rows);
void arch_vga_write(const char *s, size_t len);
void arch_vga_move(void *text_buffer); /* the same screen at a new mapping */

/* CPU: descriptor tables, traps, features, protection bits. */
void arch_cpu_early_init(void);               /* GDT, TSS, IDT on the boot core */
void arch_pic_disable(void);                  /* remap and mask the legacy PICs */
uint16_t arch_pic_masks(void);                /* their interrupt masks (slave << 8 | master) */
void arch_cpu_detect(struct cpu_features *f); /* CPUID */
/* The boot core's view of how APIC ids split into threads, cores, shared
 * caches and packages (CPUID 0x1F/0xB, AMD 0x80000008/0x8000001E, caches
 * from 4 or 0x8000001D); boot only. */
void arch_cpu_topology(const struct cpu_features *f, struct cpu_topology *t);
void arch_cpu_protect(const struct cpu_features *f); /* NX, WP, SMEP, SMAP, PGE */
struct acpi_info;
/* Boot core, once: the TSC rate from CPUID 0x15 where the leaf is
 * complete, else calibrated against the ACPI PM timer, the HPET or the PIT
 * (acpi: the tables parsed, or NULL), each bounded in time (tsc.c). */
void arch_tsc_calibrate(struct cpu_features *f, const struct acpi_info *acpi);
uint64_t arch_timestamp(void);                /* serialised TSC read */
uint64_t arch_cycles(void);                   /* plain TSC read: statistics, waits */
void arch_cpu_relax(void);                    /* in a spin-wait loop (PAUSE) */

/* Kernel page tables: a direct map of RAM and ACPI memory (write-back) and
 * the W^X image, built here and loaded by arch_paging_load; between the two,
 * device mappings may be made (they work under both tables). */
void arch_paging_init(struct bootmem *bm, const struct bootinfo *bi, const struct cpu_features *f);
void arch_paging_load(void);
/* Memory types of device mappings (PAT entries programmed at boot on every
 * core: docs/boot.md, "Memory types"). */
enum mem_type { MEM_WB, MEM_WC, MEM_UC };
/* Map [pa, pa + len) of device or firmware memory (APIC, I/O APIC, HPET,
 * framebuffer, firmware tables outside the direct map) in the device
 * window, shared by every kernel's tables: 4 KiB pages (2 MiB ones inside
 * a large range); returns its address, or NULL if the 1 GiB window or its
 * 16 page tables are used up. Mappings last for good; mapping a range
 * again with the same type returns the same address. Any core, any time. */
void *arch_map_device(paddr_t pa, uint64_t len, enum mem_type type);
/* Firmware data (ACPI tables, the EBDA): through the direct map where it
 * covers the range, else a write-back device mapping; NULL if neither. */
const void *arch_map_firmware(paddr_t pa, uint64_t len);
/* Boot self-tests: the PAT, the direct map's pages, the device window. */
void arch_paging_selftests(void);
void arch_paging_report(void); /* one line of the boot report */
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
/* Boot core, once, after the ACPI tables and the command line are read and
 * before any other core starts: how runs end (mode: KEXIT_*, cmdline.h);
 * prints what it found. */
struct acpi_info;
void arch_exit_init(const struct acpi_info *acpi, uint8_t mode);
/* Leave the machine with a verdict (docs/boot.md, "Ending a run"): under a
 * hypervisor (or exit=qemu) through the emulators' exit ports (QEMU
 * isa-debug-exit: pass/fail; Bochs' shutdown port); on a PC, if `poweroff`,
 * through ACPI S5; exit=reboot: the FADT reset register; exit=acpi: S5
 * even under a hypervisor; exit=halt: no port at all. What is left ends with
 * "Atoll has stopped; you may now switch off" and a halt. */
NORETURN void arch_exit(bool pass, bool poweroff);

/* 64 bits for a secret chosen at boot (the sanitizer kernel's stack guard,
 * arch/x86_64/random.c): RDRAND where the CPU has it and it answers, else a
 * mix of TSC readings and the CMOS clock; *source names which. Needs
 * nothing set up: callable before kmain. */
uint64_t arch_boot_random(const char **source);

/* Machine checks and NMIs (mce.c): CR4.MCE on this core where the CPU has
 * it (arch_cpu_protect does it); whether it is on; the boot core's report
 * of the banks at boot; NMIs this core took; test=fault:mc's `int $18`. */
void arch_mce_enable(void);
bool arch_mce_enabled(void);
void arch_mce_boot_report(void);
uint64_t arch_nmi_count(void);
void arch_machine_check_test(void);

/* Raise a divide error (#DE) with the instruction (test=fault:de). */
void arch_divide_error(void);

/* x86-specific boot self-tests (descriptor tables, traps, W^X, protection
 * bits, TSC); each reports through ktest_result(). */
void arch_boot_selftests(const struct cpu_features *f);

/* Threads: make t's saved frame the one restored on return to user mode,
 * with its address space; wait for an interrupt while nothing can run. */
struct tcb;
void arch_thread_activate(struct tcb *t);
void arch_idle_wait(void);
/* SYSCALL/SYSRET MSRs and the kernel stack for entries on this core;
 * compat32: give user code the 32-bit code segment (a test option). */
void arch_syscall_init(bool compat32);
/* Leave the kernel into the current thread (never returns). */
NORETURN void arch_enter_user(void);

/* Port I/O for IOPort capabilities: size 1, 2 or 4 bytes. */
uint32_t arch_port_in(uint16_t port, unsigned size);
void arch_port_out(uint16_t port, unsigned size, uint32_t value);

/*
 * Interrupts: the local APIC (timer, IPIs, EOI) and the I/O APIC (device
 * lines). The local APIC runs in x2APIC mode (MSR access, 32-bit ids) where
 * CPUID has x2APIC, else in xAPIC mode (MMIO); the boot core chooses the mode
 * in arch_apic_calibrate and every other core follows it in
 * arch_lapic_enable. The boot core calibrates before the other cores start;
 * each core that wants timeslices then starts its own timer.
 */
#define VEC_TIMER 0x20
#define VEC_IRQ_BASE 0x30 /* IRQ n arrives on vector VEC_IRQ_BASE + n */
#define VEC_PIC_BASE 0xE0 /* the masked 8259s' 16 vectors (pic.c): only spurious ones arrive */
#define VEC_KICK 0xF0    /* another core of the cluster has a request (smp.h) */
#define VEC_XNOTIF 0xF1  /* a cross-cluster notification has bits for a waiter */
#define VEC_SPURIOUS 0xFF

/* Boot core, once, before any other core starts: choose the mode, enable
 * this core's local APIC, measure the timer against the TSC (tsc_hz, 0 for
 * "assume 1 GHz") and keep the count for a period_ms period, read later by
 * every core. Prints the mode. Later calls do nothing. */
void arch_apic_calibrate(uint64_t tsc_hz, uint32_t period_ms);
/* Boot core, between arch_paging_init and arch_paging_load: the local
 * APIC moves to an uncached device mapping. */
void arch_apic_map(void);
/* Any core: turn its local APIC on in the boot core's mode (APs at start-up). */
void arch_lapic_enable(void);
/* Any core, after arch_lapic_enable and the boot core's calibration: start
 * this core's own timer on VEC_TIMER (TSC-deadline mode where the CPU has
 * it, else the periodic APIC timer). */
void arch_lapic_timer_start(void);
/* The timer interrupt came (its handler only): in an armed mode
 * (TSC-deadline, one-shot) set the next tick (periodic mode: nothing). */
void arch_lapic_timer_rearm(void);
/* Any core, interrupts off, outside the timer's handler (the scheduler,
 * the idle loop before it halts, other interrupts): a tick overdue by more
 * than a period was lost; arm it again. Nothing in periodic mode. */
void arch_lapic_timer_watchdog(void);
/* Whether the timer runs in TSC-deadline mode (CPUID has it, the TSC rate
 * is known and no erratum rules this CPU out). */
bool arch_lapic_timer_deadline(void);
/* Whether the local APICs run in x2APIC mode (as chosen by the boot core). */
bool arch_lapic_x2apic(void);
/* This core's local APIC id: 32 bits in x2APIC mode, 8 in xAPIC mode. */
uint32_t arch_lapic_id(void);
/* This core's LINT0 and LINT1 from local APIC NMI entries: an entry for
 * every core (ACPI_NMI_ALL_CPUS) or for `uid` (when have_uid) makes its
 * pin an NMI with the entry's polarity (always edge: the SDM's rule for
 * NMI delivery); a pin no entry names is masked. */
struct acpi_nmi;
void arch_lapic_lint_setup(const struct acpi_nmi *nmis, uint32_t count, bool have_uid, uint32_t uid);
/* This core's LVT LINT0 (pin 0) or LINT1 register, for the self-tests. */
uint32_t arch_lapic_lvt_lint(uint32_t pin);
/* Send an IPI; icr_lo is the ICR's low word (vector, delivery mode, level).
 * xAPIC: waits for delivery; x2APIC: one fenced WRMSR, no delivery status. */
void arch_lapic_ipi(uint32_t apic_id, uint32_t icr_lo);
uint32_t arch_apic_timer_ticks_per_ms(void);
void arch_irq_eoi(void);
/* Whether an interrupt waits at this core's local APIC (a bit of its
 * interrupt request register for a vector >= 32): what preemption points
 * look at, with interrupts off. */
bool arch_irq_pending(void);

/*
 * Device lines. IRQ n < 16 is ISA IRQ n: it goes to the GSI and trigger
 * mode of its MADT interrupt source override, else to GSI n, edge, active
 * high. IRQ n >= 16 is GSI n, level, active low (PCI). A GSI that an
 * override gives to another ISA IRQ cannot be reached under its own number.
 * One I/O APIC, GSI base 0; lines go to one local APIC id (0-255).
 */
struct acpi_override;
/* Boot core, before any line is unmasked: the MADT's overrides (copied). */
void arch_irq_set_overrides(const struct acpi_override *ov, uint32_t count);
/* Boot core: every I/O APIC of the MADT (none: the default one at
 * 0xFEC00000, GSI base 0), its pin count read from it; every line routed to
 * dest_apic_id, all masked. One that does not answer is skipped (warning). */
struct acpi_ioapic;
void arch_ioapics_init(const struct acpi_ioapic *io, uint32_t count, uint32_t dest_apic_id);
/* The same for one I/O APIC at `ioapic` (0: the default), GSI base 0. */
void arch_ioapic_init(paddr_t ioapic, uint32_t dest_apic_id);
/* Print the I/O APICs in use and their GSI ranges. */
void arch_ioapic_describe(void);
/* Whether `vector` is one to ignore without an EOI: the local APIC's
 * spurious vector, and the masked 8259s' (their spurious IRQ 7 and 15). */
bool arch_vector_spurious(uint64_t vector);
/* Boot core: arch_apic_calibrate (if not done yet), arch_ioapic_init to this
 * core and arch_lapic_timer_start. */
void arch_apic_init(uint64_t tsc_hz, uint32_t period_ms, paddr_t ioapic);
/* Number of IRQ numbers (GSIs up to the highest any I/O APIC serves). */
uint32_t arch_irq_count(void);
/* Mask or unmask IRQ `irq` (nothing for a line that cannot be reached). */
void arch_irq_mask(uint32_t irq, bool masked);

/*
 * Starting the other cores (INIT-SIPI-SIPI through the trampoline page
 * `tramp`, free low memory the boot core reserved: bootmem_alloc_trampoline).
 * arch_smp_prepare runs once while boot memory is open; false if no core
 * can be started (no trampoline page, no memory for its tables).
 * arch_probe_core: whether the core answers (runs the trampoline's first
 * instructions and checks in) within a bounded TSC time; answered or not
 * it is left parked (INIT). answer=false makes it halt silently instead
 * (test_ap_fail=). arch_start_core: start it for good; whether it reported
 * itself online in time (if not, it is parked again).
 */
bool arch_smp_prepare(struct bootmem *bm, const struct cpu_features *f, paddr_t tramp);
bool arch_probe_core(uint32_t apic_id, bool answer);
struct cpu;
/* c: zeroed but for index, apic_id, kernel_pml4, kstack_top/bottom. */
bool arch_start_core(struct cpu *c);

/* Application cores that came up with caching disabled (boot self-test). */
extern uint32_t smp_cores_uncached;
