/* Helpers shared by the object files: from capabilities to kernel pointers,
 * and the per-cluster ASID table. */
#pragma once
#include "cap.h"
#include "layout.h"

#define ASID_MAX 4096 /* ASID 0 is "unmapped"; also the PCID where the CPU has one */

static inline void *cap_obj(struct cap c)
{
	return phys_to_virt(cap_paddr(c));
}

/* The cluster's ASID table: ASID -> PML4 physical address (0 = free). */
struct asid_table {
	paddr_t pml4[ASID_MAX];
};
struct asid_table *asid_table(void);
void asid_table_init(struct asid_table *t);
/* A free ASID bound to pml4, or 0 if none is left. */
uint32_t asid_alloc(paddr_t pml4);
void asid_free(uint32_t asid);
/* Whether n ASIDs can be allocated now (retype checks before it changes anything). */
bool asid_available(uint64_t n);
/* The PML4 (kernel pointer) of a live ASID, or NULL. */
uint64_t *asid_pml4(uint32_t asid);
