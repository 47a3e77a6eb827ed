/*
 * Starting application processors. The real-mode trampoline goes to a free
 * page below 1 MiB that the boot core chose from the memory map and
 * reserved (bootmem_alloc_trampoline). First every core is probed: it runs
 * the trampoline's first instructions, checks in and halts, and INIT parks
 * it again; a core that does not check in within a bounded TSC time is left
 * out. Then the clusters are planned over the cores that answered, and each
 * is started for good: it comes with a struct cpu and a kernel stack from
 * its cluster's partition; the trampoline loads its own GDT, TSS and GS and
 * the IDT before any C code runs, then ap_entry() switches to its cluster's
 * kernel tables (and so to its cluster's copy of .data/.bss), turns on the
 * protection bits and its local APIC, reports itself online and enters its
 * cluster (kernel_ap_main).
 */
#include "arch/arch.h"
#include "arch/cpu.h"
#include "arch/tramp.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "kernel.h"
#include "kstring.h"
#include "layout.h"
#include "smp.h"

#define ICR_INIT 0x4500
#define ICR_STARTUP 0x4600
#define INIT_SETTLE_US 10000   /* INIT to the first SIPI (Intel MP start-up) */
#define SIPI1_WAIT_US 1000     /* after the first SIPI */
#define SIPI2_WAIT_US 1000000  /* after the second: generous for emulators on a busy host */

extern const uint8_t ap_trampoline[], ap_trampoline_end[], ap_tramp_data[];
extern paddr_t kernel_pml4_paddr;

/* Written by the boot core in arch_smp_prepare before any core starts,
 * read-only after (an AP reads its own cluster's copy in ap_entry). */
static struct {
	paddr_t pml4;                    /* identity 0-1 GiB + the kernel half */
	paddr_t tramp;                   /* the trampoline page, below 1 MiB */
	const struct cpu_features *f;
	uint64_t tsc_per_us;
} smp;

static paddr_t page_below_4g(struct bootmem *bm)
{
	paddr_t pa = bootmem_alloc(bm, PAGE_SIZE, PAGE_SIZE, 1ull << 32);

	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static struct tramp_data *tramp_data(void)
{
	return phys_to_virt(smp.tramp + (paddr_t)(ap_tramp_data - ap_trampoline));
}

bool arch_smp_prepare(struct bootmem *bm, const struct cpu_features *f, paddr_t tramp)
{
	paddr_t pdpt = page_below_4g(bm), pd = page_below_4g(bm);
	uint64_t *pml4, *pdpt_v = phys_to_virt(pdpt), *pd_v = phys_to_virt(pd);

	smp.f = f;
	smp.tsc_per_us = f->tsc_hz ? f->tsc_hz / 1000000 : 1000;
	smp.pml4 = page_below_4g(bm);
	smp.tramp = tramp;
	if (!smp.pml4 || !pdpt || !pd || !tramp || tramp % PAGE_SIZE || tramp >= (1u << 20) ||
	    (size_t)(ap_trampoline_end - ap_trampoline) > PAGE_SIZE) {
		smp.pml4 = 0;
		return false;
	}
	pml4 = phys_to_virt(smp.pml4);
	memcpy(pml4 + 256, (uint64_t *)phys_to_virt(kernel_pml4_paddr) + 256, 256 * 8);
	pml4[0] = pdpt | 3;
	pdpt_v[0] = pd | 3;
	for (uint64_t i = 0; i < 512; i++)
		pd_v[i] = (i << 21) | 0x83; /* present, writable, 2 MiB */
	memcpy(phys_to_virt(tramp), ap_trampoline, (size_t)(ap_trampoline_end - ap_trampoline));
	return true;
}

static void delay_us(uint64_t us)
{
	uint64_t start = rdtsc_ordered();

	while (rdtsc_ordered() - start < us * smp.tsc_per_us)
		cpu_pause();
}

/* Application cores that came up with caching disabled (CR0.CD or NW):
 * shared by every cluster, read by the boot self-tests. */
uint32_t smp_cores_uncached KSHARED;

/* First code of an AP in the higher half, on its own stack. Until the
 * CR3 switch, .data/.bss are the boot core's: touch none of it. No canary
 * (sanitizer kernel): the CR3 switch changes the stack guard under it. */
static NORETURN __attribute__((no_stack_protector)) void ap_entry(struct cpu *c)
{
	write_cr3(c->kernel_pml4); /* the trampoline loaded c's GDT/TSS/GS and the IDT */
	kernel_pml4_paddr = c->kernel_pml4;
	cpu_tables_init(c, c->index);
	idt_init();
	if (read_cr0() & (CR0_CD | CR0_NW)) /* the trampoline turns caches on */
		__atomic_fetch_add(&smp_cores_uncached, 1, __ATOMIC_RELAXED);
	arch_cpu_protect(smp.f);
	arch_fpu_cpu_init();
	arch_lapic_enable();
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	kernel_ap_main(c);
}

static bool wait_flag(volatile const uint32_t *flag, uint64_t us)
{
	for (uint64_t t = 0; t < us; t += 100) {
		if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
			return true;
		delay_us(100);
	}
	return false;
}

/* INIT, then up to two SIPIs, each followed by a bounded wait for *flag. */
static bool init_sipi_sipi(uint32_t apic_id, volatile const uint32_t *flag)
{
	arch_lapic_ipi(apic_id, ICR_INIT);
	delay_us(INIT_SETTLE_US);
	for (int i = 0; i < 2; i++) {
		arch_lapic_ipi(apic_id, ICR_STARTUP | (uint32_t)(smp.tramp >> 12));
		if (wait_flag(flag, i ? SIPI2_WAIT_US : SIPI1_WAIT_US))
			return true;
	}
	return false;
}

bool arch_probe_core(uint32_t apic_id, bool answer)
{
	struct tramp_data *d = tramp_data();
	bool ok;

	if (!smp.pml4)
		return false;
	d->mode = answer ? TRAMP_CHECK_IN : TRAMP_SILENT;
	d->arrived = 0;
	ok = init_sipi_sipi(apic_id, &d->arrived);
	/* Answered or not, INIT parks it in wait-for-SIPI: a late core cannot
	 * run the trampoline later with another core's data. */
	arch_lapic_ipi(apic_id, ICR_INIT);
	return ok;
}

bool arch_start_core(struct cpu *c)
{
	struct tramp_data *d = tramp_data();

	if (!smp.pml4)
		return false;
	cpu_tables_fill(c, c->index);
	*d = (struct tramp_data){
		.cr3 = smp.pml4, .efer = EFER_LME | (smp.f->nx ? EFER_NXE : 0), .stack = c->kstack_top,
		.cpu = (uint64_t)(uintptr_t)c, .entry = (uint64_t)(uintptr_t)ap_entry,
		.gdt_limit = sizeof(c->gdt) - 1, .gdt_base = (uint64_t)(uintptr_t)c->gdt,
		.idt_limit = idt_limit(), .idt_base = idt_base(), .mode = TRAMP_START,
	};
	if (init_sipi_sipi(c->apic_id, &c->online))
		return true;
	arch_lapic_ipi(c->apic_id, ICR_INIT); /* parked, as after a failed probe */
	return false;
}
