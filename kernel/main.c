/*
 * kmain: the boot core's path from the 64-bit entry to a running system.
 * Order matters: traps first (so every fault is reported), the screen from
 * the framebuffer tag (so every error is seen), then the boot information,
 * protection bits, boot memory and the final page tables (the screen and
 * the local APIC move to device mappings before they are loaded), and only
 * then the report of what was found.
 */
#include "arch/arch.h"
#include "console.h"
#include "entry.h"
#include "fastpath.h"
#include "kernel.h"
#include "ktest.h"
#include "layout.h"
#include "panic.h"
#include "printf.h"
#include "roottask.h"
#include "sanitize.h"
#include "sched.h"
#include "smp.h"
#include "kstring.h"

#ifndef ATOLL_VERSION
#define ATOLL_VERSION "dev"
#endif
#define TIMER_PERIOD_MS 10

/* Per cluster (copied .bss): filled by the boot core, each copy given its
 * own boot allocator by smp_boot; read-only once the root task runs. */
static struct kernel_boot kb;

const struct kernel_boot *kboot(void)
{
	return &kb;
}

/* The screen, from the framebuffer tag alone, before anything can fail:
 * a malformed tag list still gets its error on the screen if the tag came
 * before the fault. */
static void early_screen(uint32_t magic, paddr_t mbi)
{
	if (magic == MB2_BOOT_MAGIC && mbi && mbi < DMAP_MIN_SIZE)
		mb2_parse_screen(phys_to_virt(mbi), MIN(BI_MB2_MAX_SIZE, DMAP_MIN_SIZE - mbi), mbi,
				 &kb.bi);
	console_screen_init(&kb.bi);
}

static void parse_bootinfo(uint32_t magic, paddr_t mbi)
{
	const char *err;

	if (magic != MB2_BOOT_MAGIC)
		panic("boot: bad multiboot2 magic %#x", magic);
	if (mbi == 0 || mbi >= DMAP_MIN_SIZE)
		panic("boot: boot information at %#llx is outside the early map",
		      (unsigned long long)mbi);
	err = mb2_parse(phys_to_virt(mbi), MIN(BI_MB2_MAX_SIZE, DMAP_MIN_SIZE - mbi), mbi, &kb.bi);
	if (err)
		panic("boot: boot information rejected: %s", err);
}

/* The EBDA's base from the BIOS data area (its segment at 0x40E), 0 unless
 * it looks like one; without a BIOS (UEFI) the word is whatever is there:
 * bootmem_alloc_trampoline only takes it as a lower limit. */
static paddr_t ebda_base(void)
{
	return acpi_ebda_base(*(volatile uint16_t *)phys_to_virt(0x40E));
}

/* Keep boot memory away from everything the loader handed over. */
static void reserve_boot_memory(void)
{
	const struct bootinfo *bi = &kb.bi;

	bootmem_init(&kb.bm, bi);
	bootmem_reserve(&kb.bm, kb.image_start, kb.image_end - kb.image_start);
	bootmem_reserve(&kb.bm, bi->mb2_paddr, bi->mb2_size);
	for (uint32_t i = 0; i < bi->module_count; i++)
		bootmem_reserve(&kb.bm, bi->modules[i].start, bi->modules[i].end - bi->modules[i].start);
	if (bi->fb.type != BI_FB_NONE)
		bootmem_reserve(&kb.bm, bi->fb.addr, (uint64_t)bi->fb.pitch * bi->fb.height);
	/* The AP trampoline: free low memory by the map, none of the above. */
	kb.trampoline = bootmem_alloc_trampoline(&kb.bm, ebda_base());
	bootmem_reserve(&kb.bm, 0, 1ull << 20); /* BIOS data, EBDA, the rest of low memory */
}

/* ACPI tables (and the BIOS areas searched for the RSDP): through the
 * direct map where they lie in ACPI memory or the first MiB, else a
 * write-back mapping in the device window (firmware that keeps them in
 * reserved memory, or above the direct map's top). */
static const void *acpi_map(void *ctx, paddr_t pa, size_t len)
{
	(void)ctx;
	return pa ? arch_map_firmware(pa, len) : NULL;
}

static void acpi_warn(void *ctx, const char *msg)
{
	(void)ctx;
	kprintf("warning: %s\n", msg);
}

/* Where a BIOS leaves the RSDP (ACPI 5.2.5.1): on a 16-byte boundary in the
 * first KiB of the EBDA, else in 0xE0000-0xFFFFF. */
static const uint8_t *find_rsdp_bios(size_t *len)
{
	const uint8_t *seg = acpi_map(NULL, 0x40E, 2), *area;
	paddr_t ebda = seg ? acpi_ebda_base((uint16_t)(seg[0] | seg[1] << 8)) : 0;
	size_t off, n = ebda ? MIN(1024, 0xA0000 - ebda) : 0;

	if (n && (area = acpi_map(NULL, ebda, n)) && acpi_find_rsdp(area, n, &off)) {
		*len = n - off;
		return area + off;
	}
	if ((area = acpi_map(NULL, 0xE0000, 0x20000)) && acpi_find_rsdp(area, 0x20000, &off)) {
		*len = 0x20000 - off;
		return area + off;
	}
	return NULL;
}

/* The CPUs, I/O APICs and interrupt overrides from the ACPI MADT; the FADT
 * and \_S5 for ending a run. Problems are printed as they are found. */
/* The HPET's registers must be device memory: a table pointing into RAM
 * the memory map calls available or ACPI would have the calibration write
 * its configuration word into memory something else owns. */
static void check_hpet(void)
{
	struct acpi_hpet *h = &kb.acpi.hpet;

	for (uint32_t i = 0; h->base && i < kb.bi.mem_count; i++) {
		const struct bi_mem_region *m = &kb.bi.mem[i];

		if (m->type != BI_MEM_RESERVED && h->base < m->base + m->len && m->base < h->base + 0x400) {
			kprintf("warning: acpi: HPET registers at %#llx lie in memory the map calls "
				"usable or ACPI: HPET not used\n", (unsigned long long)h->base);
			h->base = 0;
			h->rejected = true;
		}
	}
}

static void read_acpi(void)
{
	const struct bootinfo *bi = &kb.bi;
	const uint8_t *rsdp;
	size_t len;

	rsdp = bi->efi64 ? NULL : find_rsdp_bios(&len); /* also when the loader gave one */
	if ((kb.bios_rsdp_found = rsdp != NULL))
		memcpy(kb.bios_rsdp, rsdp, sizeof(kb.bios_rsdp));
	if (bi->rsdp_revision)
		kb.acpi_error = acpi_parse_warn(bi->rsdp, bi->rsdp_len, acpi_map, acpi_warn, NULL, &kb.acpi);
	else if (rsdp)
		kb.acpi_error = acpi_parse_warn(rsdp, len, acpi_map, acpi_warn, NULL, &kb.acpi);
	else
		kb.acpi_error = "acpi: no RSDP from the loader, in the EBDA or in the BIOS area";
	if (!kb.acpi_error && !kb.acpi.has_madt)
		kb.acpi_error = "acpi: no usable MADT";
	check_hpet();
}

/* What the end of a run can use (arch/x86_64/power.c). */
static void print_fadt(void)
{
	const struct acpi_info *a = &kb.acpi;

	if (!a->has_fadt) {
		kprintf("  no usable FADT: no ACPI power-off or reset\n");
		return;
	}
	kprintf("  FADT rev %u: PM1a_CNT %#x, PM1b_CNT %#x, reset register %s %#llx = %#x%s; "
		"\\_S5 %s", a->fadt_revision, a->pm1a_cnt_port, a->pm1b_cnt_port,
		a->reset_reg.space == ACPI_GAS_IO ? "I/O" : "space",
		(unsigned long long)a->reset_reg.addr, a->reset_value,
		acpi_reset_port(a) ? "" : " (not used)", a->has_s5 ? "" : "none\n");
	if (a->has_s5)
		kprintf("SLP_TYPa %u SLP_TYPb %u\n", a->s5_typa, a->s5_typb);
}

static void print_acpi(void)
{
	const struct acpi_info *a = &kb.acpi;

	if (kb.acpi_error) {
		kprintf("ACPI: %s; assuming one CPU and the default I/O APIC\n", kb.acpi_error);
		print_fadt();
		return;
	}
	kprintf("ACPI %u (%s): %u CPU%s, APIC ids", a->revision, a->xsdt ? "XSDT" : "RSDT", a->cpu_count,
		a->cpu_count == 1 ? "" : "s");
	for (uint32_t i = 0; i < a->cpu_count && i < 16; i++)
		kprintf(" %u%s", a->cpus[i].apic_id, a->cpus[i].enabled ? "" : "(off)");
	kprintf("%s; local APIC %#llx\n", a->cpu_count > 16 ? " ..." : "", (unsigned long long)a->lapic_addr);
	for (uint32_t i = 0; i < a->ioapic_count; i++)
		kprintf("  I/O APIC %u at %#x, GSI base %u\n", a->ioapics[i].id, a->ioapics[i].addr,
			a->ioapics[i].gsi_base);
	for (uint32_t i = 0; i < a->override_count; i++)
		kprintf("  ISA IRQ %u -> GSI %u (%s, %s)\n", a->overrides[i].irq, a->overrides[i].gsi,
			a->overrides[i].mode.level ? "level" : "edge",
			a->overrides[i].mode.active_low ? "active low" : "active high");
	if (a->nmi_count)
		kprintf("  %u local APIC NMI entr%s\n", a->nmi_count, a->nmi_count == 1 ? "y" : "ies");
	if (a->warnings)
		kprintf("  %u ACPI warning%s above; entries left out: %u CPUs, %u I/O APICs, "
			"%u overrides, %u NMIs\n", a->warnings, a->warnings == 1 ? "" : "s",
			a->dropped.cpus, a->dropped.ioapics, a->dropped.overrides, a->dropped.nmis);
	print_fadt();
}

static void cmdline_warn(void *ctx, const char *msg)
{
	(void)ctx;
	kprintf("warning: %s\n", msg);
}

static void print_memory(void)
{
	const struct bootinfo *bi = &kb.bi;
	uint64_t avail = 0;

	kprintf("Memory map (%u regions):\n", bi->mem_count);
	if (bi->mem_dropped)
		kprintf("  warning: %u more regions ignored (the table holds %u; available ones dropped first)\n",
			bi->mem_dropped, (unsigned)BI_MAX_MEM);
	for (uint32_t i = 0; i < bi->mem_count; i++) {
		const struct bi_mem_region *r = &bi->mem[i];
		kprintf("  0x%012llx-0x%012llx %-13s %8llu KiB\n", (unsigned long long)r->base,
			(unsigned long long)(r->base + r->len - 1), bi_mem_type_name(r->type),
			(unsigned long long)(r->len >> 10));
		if (r->type == BI_MEM_AVAILABLE)
			avail += r->len;
	}
	kprintf("  usable RAM %llu MiB; kernel image %#llx-%#llx; boot memory free %llu MiB\n",
		(unsigned long long)(avail >> 20), (unsigned long long)kb.image_start,
		(unsigned long long)kb.image_end - 1,
		(unsigned long long)(bootmem_free_bytes(&kb.bm) >> 20));
	arch_paging_report();
	for (uint32_t i = 0; i < bi->module_count; i++)
		kprintf("  module %u: %#llx-%#llx '%s'\n", i, (unsigned long long)bi->modules[i].start,
			(unsigned long long)bi->modules[i].end, bi->modules[i].name);
}

static void print_cpu(void)
{
	const struct cpu_features *f = &kb.cpu;
	static const char *const yn[2] = { "-", "+" };

	kprintf("CPU: %s, family %#x model %#x stepping %u%s%s\n", f->vendor, f->family, f->model,
		f->stepping, f->brand[0] ? ", " : "", f->brand);
	kprintf("  features: %ssyscall %snx %ssmep %ssmap %sfsgsbase %spcid %sinvpcid %sx2apic\n",
		yn[f->syscall], yn[f->nx], yn[f->smep], yn[f->smap], yn[f->fsgsbase], yn[f->pcid],
		yn[f->invpcid], yn[f->x2apic]);
	kprintf("            %stsc-deadline %sinvariant-tsc %srdtscp %spage1g %spge\n",
		yn[f->tsc_deadline], yn[f->invariant_tsc], yn[f->rdtscp], yn[f->page1g], yn[f->pge]);
	kprintf("  TSC: %llu.%llu MHz %s\n", (unsigned long long)(f->tsc_hz / 1000000),
		(unsigned long long)(f->tsc_hz / 100000 % 10), f->tsc_source);
}

static const char *cluster_size_str(uint32_t n, char *buf, size_t len)
{
	if (n == CLUSTER_SIZE_ALL)
		return "all";
	ksnprintf(buf, len, "%u", n);
	return buf;
}

static void print_boot_report(void)
{
	const struct bootinfo *bi = &kb.bi;
	char csz[12];

	kprintf("Atoll " ATOLL_VERSION " - clustered capability microkernel, x86-64\n");
	kprintf("Loader: %s; firmware: %s; screen: %s\n", bi->loader[0] ? bi->loader : "unknown",
		bi->efi64 ? "UEFI" : "BIOS", console_screen_name());
	if (bi->fb.type != BI_FB_NONE)
		kprintf("Framebuffer: type %u at %#llx, %ux%u, %u bpp, pitch %u\n", bi->fb.type,
			(unsigned long long)bi->fb.addr, bi->fb.width, bi->fb.height, bi->fb.bpp,
			bi->fb.pitch);
	kprintf("Command line: '%s'\n", bi->has_cmdline ? bi->cmdline : "");
	kb.cmdline_warnings = cmdline_parse(bi->has_cmdline ? bi->cmdline : NULL, &kb.opts,
					    cmdline_warn, NULL);
	kprintf("  cluster_size=%s loglevel=%u fastpath=%s seed=%llu test=%s%s\n",
		cluster_size_str(kb.opts.cluster_size, csz, sizeof(csz)),
		kb.opts.loglevel, kb.opts.fastpath ? "on" : "off", (unsigned long long)kb.opts.seed,
		kb.opts.test[0] ? kb.opts.test : "none", kb.opts.compat32 ? " compat32=on" : "");
	print_cpu();
	arch_mce_boot_report();
	print_memory();
	print_acpi();
	IF_SANITIZE(sanitize_boot_report());
	kprintf("Boot took %llu TSC ticks to this line.\n",
		(unsigned long long)(arch_timestamp() - kb.boot_tsc));
}

/* The module named by init= (default "init"; else the first). */
static const struct bi_module *init_module(void)
{
	for (uint32_t i = 0; i < kb.bi.module_count; i++)
		if (strcmp(kb.bi.modules[i].name, kb.opts.init) == 0)
			return &kb.bi.modules[i];
	return kb.bi.module_count ? &kb.bi.modules[0] : NULL;
}

/* The rest of a cluster's boot on its first core, under its lock (kb is
 * the cluster's own copy): the root task, then run. */
static NORETURN void cluster_run(void)
{
	const struct bi_module *init = init_module();

	if (!init) {
		bootmem_close(&kb.bm);
		if (cluster.id == 0) {
			kprintf("No init module was loaded: nothing more to run. %s.\n",
				kb.opts.poweroff ? "Powering off" : "Halting");
			arch_exit(true, kb.opts.poweroff);
		}
	} else {
		fastpath_enable(kb.opts.fastpath);
		roottask_create(&kb, init);
	}
	entry_stats_enable(kb.opts.entry_stats); /* boot is over: entries are timed from here */
	sched_choose();
	arch_enter_user();
}

NORETURN void kmain(uint32_t magic, uint32_t mbi_paddr);

NORETURN void kmain(uint32_t magic, uint32_t mbi_paddr)
{
	kb.boot_tsc = arch_timestamp();
	console_early_init();
	arch_cpu_early_init();
	early_screen(magic, mbi_paddr);
	parse_bootinfo(magic, mbi_paddr);
	kb.image_start = kimage_to_phys(__text_start) - (uintptr_t)(__boot_end - __boot_start);
	kb.image_end = kimage_to_phys(__kernel_end);
	arch_cpu_detect(&kb.cpu);
	arch_cpu_protect(&kb.cpu);
	arch_fpu_cpu_init();
	reserve_boot_memory();
	arch_paging_init(&kb.bm, &kb.bi, &kb.cpu);
	console_screen_remap(&kb.bi); /* device mappings, before the early map goes */
	arch_apic_map();
	arch_paging_load();
	read_acpi();
	arch_tsc_calibrate(&kb.cpu, kb.acpi_error ? NULL : &kb.acpi);
	print_boot_report();
	arch_exit_init(&kb.acpi, kb.opts.exit);
	arch_apic_calibrate(kb.cpu.tsc_hz, TIMER_PERIOD_MS); /* the APIC mode the other cores follow */
	arch_irq_set_overrides(kb.acpi.overrides, kb.acpi.override_count);
	arch_syscall_init(kb.opts.compat32);
	smp_boot(&kb); /* from here on: cluster 0 */
	kernel_enter(ENTRY_FIRST); /* its lock, held while the boot core goes on booting */
	smp_start_cores(); /* on cluster 0's tables from here */
	kb.cores_online = smp_cores_online();
	if (ktest_is_kernel_mode(kb.opts.test))
		ktest_run_mode(kb.opts.test);
	if (strcmp(kb.opts.test, "kcheck") == 0)
		kcheck_suite_run(&kb);
	if (strcmp(kb.opts.test, "suite") == 0) { /* kernel self-tests, then the root task's */
		ktest_begin("boot");
		boot_suite_run();
	}
	arch_lapic_timer_start();
	arch_ioapics_init(kb.acpi.ioapics, kb.acpi.ioapic_count, arch_lapic_id());
	arch_ioapic_describe();
	cluster_run();
}

/* An application processor, on its cluster's tables (arch/x86_64/smpboot.c
 * calls it once the core runs): its first kernel entry, then the root task
 * if it is its cluster's first core, then threads. */
NORETURN void kernel_ap_main(struct cpu *c)
{
	struct core *core = c->sched_core;

	arch_pcid_enable_here();
	smp_core_lints(&kb);
	arch_syscall_init(kb.opts.compat32);
	arch_lapic_timer_start();
	kernel_enter(ENTRY_FIRST);
	if (core->index == 0)
		cluster_run();
	sched_choose();
	arch_enter_user();
}
