/* Multicore start-up: which cores exist (ACPI MADT) and bringing them up. */
#pragma once
#include "kernel.h"

/* Start every enabled core of the MADT other than this one; returns how
 * many cores run the kernel now (this one included). */
uint32_t smp_start_cores(struct kernel_boot *kb);
