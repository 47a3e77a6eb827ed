/*
 * Starting application processors: the real-mode trampoline is copied to
 * 0x8000; each core comes with a struct cpu and a kernel stack from its
 * cluster's partition, and INIT-SIPI-SIPI sends it through the trampoline
 * to ap_entry(), where it switches to its cluster's kernel tables (and so
 * to its cluster's copy of .data/.bss), loads its own GDT/TSS/GS and the
 * IDT, turns on the protection bits and its local APIC, reports itself
 * online and enters its cluster (kernel_ap_main).
 */
#include "arch/arch.h"
#include "arch/cpu.h"
#include "arch/tramp.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "kstring.h"
#include "layout.h"
#include "kernel.h"
#include "smp.h"

#define ICR_INIT 0x4500
#define ICR_STARTUP 0x4600

extern const uint8_t ap_trampoline[], ap_trampoline_end[], ap_tramp_data[];
extern paddr_t kernel_pml4_paddr;

static struct {
	paddr_t pml4;                    /* identity 0-1 GiB + the kernel half */
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

void arch_smp_prepare(struct bootmem *bm, const struct cpu_features *f)
{
	paddr_t pdpt = page_below_4g(bm), pd = page_below_4g(bm);
	uint64_t *pml4, *pdpt_v = phys_to_virt(pdpt), *pd_v = phys_to_virt(pd);

	smp.f = f;
	smp.tsc_per_us = f->tsc_hz ? f->tsc_hz / 1000000 : 1000;
	smp.pml4 = page_below_4g(bm);
	if (!smp.pml4 || !pdpt || !pd) {
		smp.pml4 = 0;
		return;
	}
	pml4 = phys_to_virt(smp.pml4);
	memcpy(pml4 + 256, (uint64_t *)phys_to_virt(kernel_pml4_paddr) + 256, 256 * 8);
	pml4[0] = pdpt | 3;
	pdpt_v[0] = pd | 3;
	for (uint64_t i = 0; i < 512; i++)
		pd_v[i] = (i << 21) | 0x83; /* present, writable, 2 MiB */
	memcpy(phys_to_virt(AP_TRAMPOLINE), ap_trampoline, (size_t)(ap_trampoline_end - ap_trampoline));
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
	write_cr3(c->kernel_pml4);
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

static bool wait_online(struct cpu *c, uint64_t us)
{
	for (uint64_t t = 0; t < us; t += 100) {
		if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			return true;
		delay_us(100);
	}
	return false;
}

bool arch_start_core(struct cpu *c)
{
	struct tramp_data *d = phys_to_virt(AP_TRAMPOLINE + (paddr_t)(ap_tramp_data - ap_trampoline));
	uint32_t apic_id = c->apic_id;

	if (!smp.pml4)
		return false;
	*d = (struct tramp_data){ smp.pml4, EFER_LME | (smp.f->nx ? EFER_NXE : 0), c->kstack_top,
				  (uint64_t)(uintptr_t)c, (uint64_t)(uintptr_t)ap_entry };
	arch_lapic_ipi(apic_id, ICR_INIT);
	delay_us(10000);
	for (int i = 0; i < 2; i++) {
		arch_lapic_ipi(apic_id, ICR_STARTUP | (AP_TRAMPOLINE >> 12));
		if (wait_online(c, i ? 200000 : 1000))
			return true;
	}
	return false;
}
