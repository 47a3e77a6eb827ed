/* Boot-time creation of a cluster's root task from the init module. */
#pragma once
#include "kernel.h"

/* Build the root task (address space from the ELF module `mod`, CNode with
 * the initial capabilities, untyped capabilities for all memory still free,
 * boot-information frame), close boot memory and make it runnable.
 * Panics with a clear message on a bad module. */
void roottask_create(struct kernel_boot *kb, const struct bi_module *mod);
/* The head of this cluster's derivation list: a slot without a capability
 * in no CNode, before the first boot capability (docs/capabilities.md). */
struct cte *roottask_cdt_head(void);
