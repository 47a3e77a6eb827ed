/* The cluster's ASID table (see object.h). Boot-allocated, never grows. */
#include "smp.h"
#include "arch/vspace.h"
#include "object.h"

static struct asid_table *asids;

struct asid_table *asid_table(void)
{
	return asids;
}

void asid_table_init(struct asid_table *t)
{
	asids = t;
	for (uint32_t i = 0; i < ASID_MAX; i++)
		t->pml4[i] = 0;
}

uint32_t asid_alloc(paddr_t pml4)
{
	for (uint32_t i = 1; i < ASID_MAX; i++) {
		if (!asids->pml4[i]) {
			asids->pml4[i] = pml4;
			vspace_asid_flush(i); /* nothing of a previous owner survives */
			if (arch_tlb_tagged())
				smp_tlb_shootdown(0); /* not on the cluster's other cores either */
			return i;
		}
	}
	return 0;
}

bool asid_available(uint64_t n)
{
	for (uint32_t i = 1; i < ASID_MAX && n; i++)
		if (!asids->pml4[i])
			n--;
	return n == 0;
}

void asid_free(uint32_t asid)
{
	if (asid && asid < ASID_MAX)
		asids->pml4[asid] = 0;
}

uint64_t *asid_pml4(uint32_t asid)
{
	if (!asid || asid >= ASID_MAX || !asids->pml4[asid])
		return NULL;
	return phys_to_virt(asids->pml4[asid]);
}
