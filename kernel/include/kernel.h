/* What the boot core learned while booting. Written by the boot core during
 * boot (kmain; smp_boot gives each cluster's copy its own `bm`); each
 * cluster's first core then allocates from its bm for the root task;
 * read-only once the root task runs. */
#pragma once
#include "arch/arch.h"
#include "bootinfo.h"
#include "bootmem.h"
#include "acpi.h"
#include "cmdline.h"

struct kernel_boot {
	struct bootinfo bi;
	struct kopts opts;
	unsigned cmdline_warnings;
	struct bootmem bm;
	struct cpu_features cpu;
	struct acpi_info acpi;       /* has_madt, has_fadt: which parts are usable */
	const char *acpi_error;      /* set if there is no usable MADT (one CPU then);
	                                the FADT part may still be there */
	bool bios_rsdp_found;        /* the BIOS-area search (EBDA, 0xE0000-0xFFFFF) found one */
	uint8_t bios_rsdp[20];       /* its first 20 bytes (checked by the boot suite) */
	uint32_t cores_online;       /* cores that reached the kernel, this one included */
	paddr_t image_start, image_end; /* physical extent of the kernel image */
	uint64_t boot_tsc;              /* TSC at kmain entry */
	paddr_t trampoline;             /* AP start-up page below 1 MiB, reserved; 0 if none */
};

const struct kernel_boot *kboot(void);

/* An application processor's kernel part, on its cluster's tables (called
 * by arch/x86_64/smpboot.c; never returns). */
struct cpu;
NORETURN void kernel_ap_main(struct cpu *c);
