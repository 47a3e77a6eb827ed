/* Starting the cores the firmware lists (portable part; the INIT-SIPI-SIPI
 * mechanics are in arch/x86_64/smpboot.c). */
#include "arch/arch.h"
#include "console.h"
#include "smp.h"

uint32_t smp_start_cores(struct kernel_boot *kb)
{
	uint32_t self = arch_lapic_id(), online = 1, index = 1;

	if (kb->acpi_error || kb->acpi.cpu_count < 2)
		return 1;
	arch_smp_prepare(&kb->bm, &kb->cpu);
	for (uint32_t i = 0; i < kb->acpi.cpu_count; i++) {
		const struct acpi_cpu *cpu = &kb->acpi.cpus[i];
		if (!cpu->enabled || cpu->apic_id == self)
			continue;
		if (arch_start_core(&kb->bm, cpu->apic_id, index++))
			online++;
		else
			kprintf("SMP: core with APIC id %u did not start\n", cpu->apic_id);
	}
	kprintf("SMP: %u of %u cores online (the others halt until clusters exist)\n", online,
		kb->acpi.cpu_count);
	return online;
}
