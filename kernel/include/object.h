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

/* The cluster's ASID table: ASID -> PML4 physical address (0 = free), and
 * which ASIDs are taken (bit i of used[i / 64]; bit w of full: used[w] is
 * all ones), for a search in constant time. */
struct asid_table {
	paddr_t pml4[ASID_MAX];
	uint64_t used[ASID_MAX / 64];
	uint64_t full;
	uint32_t in_use; /* ASIDs handed out */
};
struct asid_table *asid_table(void);
void asid_table_init(struct asid_table *t);
/* A free ASID bound to pml4, or 0 if none is left. */
uint32_t asid_alloc(paddr_t pml4);
void asid_free(uint32_t asid);
/* Where the CPU tags TLB entries (PCID): the cluster's other cores flush
 * once for every ASID allocated since the last call. Called on every way
 * out of the kernel (sched_choose), before another core can run a thread
 * of the new address space. Inline: one test of a flag on every exit. */
extern bool asid_flush_pending;
void asid_flush_others_now(void);
static inline void asid_flush_others(void)
{
	if (asid_flush_pending)
		asid_flush_others_now();
}
/* Whether n ASIDs can be allocated now (retype checks before it changes anything). */
bool asid_available(uint64_t n);
/* The PML4 (kernel pointer) of a live ASID, or NULL. */
uint64_t *asid_pml4(uint32_t asid);
