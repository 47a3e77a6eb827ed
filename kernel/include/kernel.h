/* What the boot core learned while booting. Written only by kmain before
 * boot ends; read-only afterwards (tests and, later, root-task set-up). */
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
	struct acpi_info acpi;       /* empty (cpu_count 0) if the tables were unusable */
	const char *acpi_error;
	uint32_t cores_online;       /* cores that reached the kernel, this one included */
	paddr_t image_start, image_end; /* physical extent of the kernel image */
	uint64_t boot_tsc;              /* TSC at kmain entry */
};

const struct kernel_boot *kboot(void);

/* An application processor's kernel part, on its cluster's tables (called
 * by arch/x86_64/smpboot.c; never returns). */
struct cpu;
NORETURN void kernel_ap_main(struct cpu *c);
