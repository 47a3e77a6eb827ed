/*
 * The boot self-test suite (test=boot): checks what the boot foundation
 * promises, from inside the running kernel. Portable checks here; the x86
 * ones (traps, W^X, protection bits, TSC, APIC mode) in arch_boot_selftests().
 */
#include "arch/arch.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "smp.h"
#include "kernel.h"
#include "kobj.h"
#include "kstring.h"
#include "ktest.h"
#include "layout.h"
#include "printf.h"
#include "sanitize.h"

static bool overlaps(paddr_t a, paddr_t a_end, paddr_t b, paddr_t b_end)
{
	return a < b_end && b < a_end;
}

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return true;
	return false;
}

static void test_printf(void)
{
	char buf[64];
	int n = ksnprintf(buf, sizeof(buf), "%d|%5u|%-4x|%s|%c|%#llx", -42, 7u, 0xabu, "ok", 'z',
			  0xFFFFFFFF80000000ull);

	ktest_result(n == (int)strlen(buf) && strcmp(buf, "-42|    7|ab  |ok|z|0xffffffff80000000") == 0,
		     "ksnprintf formats integers, strings and padding");
	n = ksnprintf(buf, 4, "%s", "truncated");
	ktest_result(n == 9 && strcmp(buf, "tru") == 0, "ksnprintf truncates and reports full length");
}

/* The probe for ACPI: an RSDP from the loader (multiboot2 tag) or found in
 * the EBDA or BIOS area. A machine without one (QEMU -M pc,acpi=off, an old
 * PC) skips the ACPI tests; a present but broken RSDP or MADT still fails. */
static bool machine_has_acpi(const struct kernel_boot *kb)
{
	return kb->bi.rsdp_revision != 0 || kb->bios_rsdp_found || kb->acpi.root_paddr != 0;
}

static void test_bootinfo(const struct kernel_boot *kb)
{
	const struct bootinfo *bi = &kb->bi;
	uint64_t avail = 0;
	bool sorted = true, image_in_ram = false;

	for (uint32_t i = 0; i < bi->mem_count; i++) {
		const struct bi_mem_region *r = &bi->mem[i];
		if (r->type == BI_MEM_AVAILABLE) {
			avail += r->len;
			image_in_ram |= r->base <= kb->image_start && kb->image_end <= r->base + r->len;
		}
		if (i && bi->mem[i - 1].base > r->base)
			sorted = false;
	}
	ktest_result(bi->mem_count > 0 && sorted, "memory map present and sorted (%u regions)",
		     bi->mem_count);
	ktest_result(avail >= (32ull << 20), "at least 32 MiB usable RAM (%llu MiB)",
		     (unsigned long long)(avail >> 20));
	ktest_result(image_in_ram, "kernel image lies in usable RAM");
	ktest_result(bi->has_cmdline && contains(bi->cmdline, "test=") && contains(bi->cmdline, kb->opts.test),
		     "command line from grub.cfg reached the kernel");
	ktest_result(bi->fb.type != BI_FB_NONE || !bi->efi64, "UEFI boots hand over a framebuffer");
	if (!machine_has_acpi(kb))
		ktest_result(true, "ACPI RSDP handed over # SKIP no ACPI on this machine (no RSDP from the "
			     "loader, in the EBDA or in the BIOS area)");
	else
		ktest_result(bi->rsdp_revision == 1 || bi->rsdp_revision == 2,
			     "ACPI RSDP handed over (revision %u)", bi->rsdp_revision);
}

static void test_cmdline(const struct kernel_boot *kb)
{
	struct kopts o;
	unsigned warnings = cmdline_parse("cluster_size=0 bogus=1 loglevel=3", &o, NULL, NULL);

	ktest_result(strcmp(kb->opts.test, "boot") == 0 || strcmp(kb->opts.test, "suite") == 0,
		     "test=%s parsed from the command line", kb->opts.test);
	ktest_result(warnings == 2 && o.cluster_size == CLUSTER_SIZE_ALL && o.loglevel == 3,
		     "bad and unknown options warn and fall back (%u warnings)", warnings);
}

/* Allocations from a copy of the boot allocator avoid everything reserved. */
static bool alloc_is_clean(const struct kernel_boot *kb, paddr_t p, uint64_t size)
{
	const struct bootinfo *bi = &kb->bi;
	bool in_ram = false;

	if (overlaps(p, p + size, 0, 1ull << 20) ||
	    overlaps(p, p + size, kb->image_start, kb->image_end) ||
	    overlaps(p, p + size, bi->mb2_paddr, bi->mb2_paddr + bi->mb2_size))
		return false;
	for (uint32_t i = 0; i < bi->module_count; i++)
		if (overlaps(p, p + size, bi->modules[i].start, bi->modules[i].end))
			return false;
	for (uint32_t i = 0; i < bi->mem_count; i++)
		in_ram |= bi->mem[i].type == BI_MEM_AVAILABLE && bi->mem[i].base <= p &&
			  p + size <= bi->mem[i].base + bi->mem[i].len;
	return in_ram;
}

static void test_bootmem(const struct kernel_boot *kb)
{
	static struct bootmem copy;
	bool clean = true;
	paddr_t big, p;

	copy = kb->bm;
	for (int i = 0; i < 64; i++) {
		p = bootmem_alloc(&copy, PAGE_SIZE, PAGE_SIZE, ~0ull);
		clean &= p && (p & (PAGE_SIZE - 1)) == 0 && alloc_is_clean(kb, p, PAGE_SIZE);
	}
	ktest_result(clean, "64 boot allocations avoid low memory, image, boot info, modules");
	big = bootmem_alloc(&copy, LARGE_PAGE_SIZE, LARGE_PAGE_SIZE, ~0ull);
	ktest_result(big && (big & (LARGE_PAGE_SIZE - 1)) == 0 && alloc_is_clean(kb, big, LARGE_PAGE_SIZE),
		     "2 MiB aligned boot allocation at %#llx", (unsigned long long)big);
	memset(phys_to_virt(big), 0xA5, LARGE_PAGE_SIZE);
	ktest_result(((volatile uint8_t *)phys_to_virt(big))[LARGE_PAGE_SIZE - 1] == 0xA5,
		     "allocated memory is reachable through the direct map");
	bootmem_close(&copy);
	ktest_result(bootmem_alloc(&copy, PAGE_SIZE, PAGE_SIZE, ~0ull) == 0,
		     "boot allocator refuses after close");
}

/* Whether [pa, pa + 4 KiB) is available RAM in the map that no other
 * region claims and that holds nothing the loader handed over. */
static bool page_is_free_ram(const struct kernel_boot *kb, paddr_t pa)
{
	const struct bootinfo *bi = &kb->bi;
	paddr_t end = pa + PAGE_SIZE;
	bool in_ram = false;

	for (uint32_t i = 0; i < bi->mem_count; i++) {
		const struct bi_mem_region *r = &bi->mem[i];
		if (r->type == BI_MEM_AVAILABLE)
			in_ram |= r->base <= pa && end <= r->base + r->len;
		else if (overlaps(pa, end, r->base, r->base + r->len))
			return false;
	}
	for (uint32_t i = 0; i < bi->module_count; i++)
		if (overlaps(pa, end, bi->modules[i].start, bi->modules[i].end))
			return false;
	return in_ram && !overlaps(pa, end, bi->mb2_paddr, bi->mb2_paddr + bi->mb2_size) &&
	       !overlaps(pa, end, kb->image_start, kb->image_end);
}

/* The boot core's LINT0/LINT1 as its MADT NMI entries say: an NMI pin
 * (delivery mode 4, unmasked) where an entry names it or every core, else
 * masked; without ACPI, LINT1 the NMI. */
static void test_lints(const struct kernel_boot *kb)
{
	bool want[2] = { false, kb->acpi_error != NULL };
	uint32_t uid = ~0u;

	for (uint32_t i = 0; i < kb->acpi.cpu_count; i++)
		if (kb->acpi.cpus[i].apic_id == arch_lapic_id())
			uid = kb->acpi.cpus[i].uid;
	for (uint32_t i = 0; i < kb->acpi.nmi_count; i++)
		if (kb->acpi.nmis[i].lint < 2 && (kb->acpi.nmis[i].uid == ACPI_NMI_ALL_CPUS || kb->acpi.nmis[i].uid == uid))
			want[kb->acpi.nmis[i].lint] = true;
	for (uint32_t pin = 0; pin < 2; pin++) {
		uint32_t lvt = arch_lapic_lvt_lint(pin);
		bool nmi = !(lvt & (1u << 16)) && (lvt >> 8 & 7) == 4;
		ktest_result(nmi == want[pin] && (nmi || (lvt & (1u << 16))),
			     "LINT%u %s, as the MADT says (%u NMI entr%s; LVT %#x)", pin, want[pin] ? "an NMI" : "masked",
			     kb->acpi.nmi_count, kb->acpi.nmi_count == 1 ? "y" : "ies", lvt);
	}
}

static void test_cores(const struct kernel_boot *kb)
{
	uint32_t enabled = 0, want, silenced;

	for (uint32_t i = 0; i < kb->acpi.cpu_count; i++)
		enabled += kb->acpi.cpus[i].enabled;
	want = MIN(enabled ? enabled : 1, (uint32_t)MAX_CORES);
	silenced = kb->opts.test_ap_fail && kb->opts.test_ap_fail < want; /* test_ap_fail=N */
	if (!machine_has_acpi(kb))
		ktest_result(true, "ACPI MADT parsed # SKIP no ACPI on this machine: one core (%s)",
			     kb->acpi_error ? kb->acpi_error : "no error");
	else
		ktest_result(!kb->acpi_error, "ACPI MADT parsed (%s)", kb->acpi_error ? kb->acpi_error : "ok");
	if (kb->bi.efi64 || !kb->bi.rsdp_revision)
		ktest_result(true, "ACPI RSDP search of the EBDA and 0xE0000-0xFFFFF # SKIP %s",
			     kb->bi.efi64 ? "UEFI: no BIOS area" : "no RSDP from the loader to compare");
	else
		ktest_result(kb->bios_rsdp_found && memcmp(kb->bios_rsdp, kb->bi.rsdp, 20) == 0,
			     "ACPI RSDP search of the EBDA and 0xE0000-0xFFFFF finds the loader's RSDP");
	ktest_result(kb->cores_online == want - silenced,
		     "every enabled core of the MADT started%s (%u of %u online)",
		     silenced ? " but the one test_ap_fail= silenced" : "", kb->cores_online, enabled);
	ktest_result(cluster.total_cores <= kb->cores_online &&
			     cluster.count * cluster.ncores == cluster.total_cores,
		     "clusters planned over the cores that came up (%u cores in %u clusters, %u online)",
		     cluster.total_cores, cluster.count, kb->cores_online);
	ktest_result(kb->trampoline && kb->trampoline % PAGE_SIZE == 0 &&
			     kb->trampoline < BOOTMEM_TRAMPOLINE_LIMIT &&
			     page_is_free_ram(kb, kb->trampoline),
		     "AP trampoline page %#llx: free low memory, below the EBDA, nothing the loader gave",
		     (unsigned long long)kb->trampoline);
	ktest_result(smp_cores_uncached == 0 && !(read_cr0() & (CR0_CD | CR0_NW)),
		     "every core runs with caches on (CR0.CD and NW clear; %u without)", smp_cores_uncached);
}

static uintptr_t probe_at;
static void probe_read(void) { (void)*(volatile uint64_t *)probe_at; }
static void probe_write(void) { *(volatile uint64_t *)probe_at = 0xDEAD; }

/* DESIGN §2: another cluster's memory is not mapped in this cluster's
 * kernel tables; a touch is a page fault (caught here by the probe). */
static void test_partition(const struct kernel_boot *kb)
{
	struct trap_record r;
	bool ours;

	ktest_result(cluster.count == 1 || cluster.count * cluster.ncores == cluster.total_cores,
		     "cluster %u of %u: %u core%s", cluster.id, cluster.count, cluster.ncores,
		     cluster.ncores == 1 ? "" : "s");
	ours = cluster.part.n && arch_pte_flags((vaddr_t)(uintptr_t)phys_to_virt(cluster.part.r[0].base)) &&
	       arch_pte_flags((vaddr_t)(uintptr_t)phys_to_virt(cluster.part.r[cluster.part.n - 1].end - PAGE_SIZE));
	ktest_result(ours, "own partition (%llu MiB) mapped", (unsigned long long)(cluster.part.bytes >> 20));
	probe_at = (uintptr_t)phys_to_virt(kb->image_start + PAGE_SIZE);
	ktest_result(cluster.count == 1 || (trap_probe(VEC_PF, probe_read, &r) && !(r.error & 1)),
		     "kernel image is not in the direct map");
	if (cluster.count == 1) {
		ktest_result(true, "another cluster's partition faults # SKIP one cluster");
		return;
	}
	probe_at = (uintptr_t)phys_to_virt(cluster.shared_pa);
	ktest_result(!trap_probe(VEC_PF, probe_read, NULL), "shared region mapped");
	for (uint32_t c = 0; c < cluster.count; c++) {
		if (c == cluster.id)
			continue;
		probe_at = (uintptr_t)phys_to_virt(cluster.part_base[c] + 0x1000);
		bool rd = trap_probe(VEC_PF, probe_read, &r) && !(r.error & 1) && r.cr2 == probe_at;
		bool wr = trap_probe(VEC_PF, probe_write, &r) && !(r.error & 1) && (r.error & 2);
		ktest_result(rd && wr, "cluster %u's partition at %#llx: read and write fault (not mapped)", c,
			     (unsigned long long)cluster.part_base[c]);
		if (c >= 3)
			break; /* a few are enough */
	}
}

/* The local APIC id, read in the active mode (x2APIC: MSR, all 32 bits), is
 * the boot core's: the first enabled core of the MADT (ACPI lists it first). */
static void test_apic_id(const struct kernel_boot *kb)
{
	const char *mode = arch_lapic_x2apic() ? "x2APIC" : "xAPIC";
	uint32_t id = arch_lapic_id();

	for (uint32_t i = 0; i < kb->acpi.cpu_count; i++)
		if (kb->acpi.cpus[i].enabled) {
			ktest_result(kb->acpi.cpus[i].apic_id == id,
				     "local APIC id %u (read in %s mode) is the boot core's MADT id %u", id, mode,
				     kb->acpi.cpus[i].apic_id);
			return;
		}
	ktest_result(true, "local APIC id is the boot core's MADT id # SKIP no MADT");
}

/* memmove by words both ways over an overlap, with odd ends. */
static void test_memmove(void)
{
	static uint8_t b[128];
	bool ok = true;

	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)i;
	memmove(b, b + 8, 100); /* down by one word: b[i] = i + 8 */
	for (unsigned i = 0; i < 100; i++)
		ok &= b[i] == (uint8_t)(i + 8);
	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)i;
	memmove(b + 16, b, 101); /* up by two words: b[16 + i] = i */
	for (unsigned i = 0; i < 101; i++)
		ok &= b[16 + i] == (uint8_t)i;
	ok &= b[15] == 15 && b[117] == 117;
	ktest_result(ok, "memmove copies overlapping ranges by words, down and up");
}

/* Preemption points stop a long operation when an interrupt is pending at
 * this core's local APIC, well before the fixed budget (kernel/preempt.c):
 * a self-IPI with interrupts off stays pending in the IRR until taken. */
static void test_preempt_pending(void)
{
	unsigned quiet = 1, pending_units = 1;
	bool none = !arch_irq_pending(), seen;

	preempt_reset();
	while (!preempt_point())
		quiet++;
	arch_lapic_ipi(arch_lapic_id(), VEC_KICK);
	seen = arch_irq_pending();
	preempt_reset();
	while (!preempt_point())
		pending_units++;
	if (seen)
		arch_idle_wait(); /* take it (the kick handler of an idle core) */
	ktest_result(none && seen && pending_units < quiet && !arch_irq_pending(),
		     "a pending interrupt stops a long operation after %u units (else after %u)", pending_units,
		     quiet);
}

void boot_suite_run(void)
{
	const struct kernel_boot *kb = kboot();

	test_printf();
	test_bootinfo(kb);
	test_cmdline(kb);
	test_bootmem(kb);
	test_cores(kb);
	test_lints(kb);
	test_partition(kb);
	test_apic_id(kb);
	test_memmove();
	test_preempt_pending();
	arch_boot_selftests(&kb->cpu);
	IF_SANITIZE(sanitize_selftests());
}
