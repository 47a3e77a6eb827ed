/*
 * The cluster's ASID table (see object.h). Boot-allocated, never grows.
 * Allocation takes the lowest free ASID in a bounded number of steps: a
 * bitmap of used ASIDs (64 words) under a summary word with one bit per
 * full word, so a search is two count-trailing-zeros, whatever the number
 * of address spaces (docs/kernel.md, "Bounded kernel entries").
 */
#include "arch/arch.h"
#include "arch/cpu.h"
#include "arch/vspace.h"
#include "smp.h"
#include "object.h"

_Static_assert(ASID_MAX == 64 * 64, "one summary word covers the bitmap");
_Static_assert(ASID_MAX <= PCID_COUNT, "an ASID is its address space's PCID (arch/x86_64/vspace.c)");

/* Per cluster (copied .bss): set once at the cluster's boot (roottask);
 * the table it points to (in the partition) is under the kernel lock. */
static struct asid_table *asids;
/* Per cluster (copied .bss), under the kernel lock. A new ASID needs the other cores of the cluster to flush their TLBs (they
 * may hold a previous owner's PCID-tagged entries): done once, when the
 * entry that allocated ends (asid_flush_others), not once per ASID. */
bool asid_flush_pending;

struct asid_table *asid_table(void)
{
	return asids;
}

void asid_table_init(struct asid_table *t)
{
	asids = t;
	for (uint32_t i = 0; i < ASID_MAX; i++)
		t->pml4[i] = 0;
	for (uint32_t i = 0; i < ASID_MAX / 64; i++)
		t->used[i] = 0;
	t->used[0] = 1; /* ASID 0 is "unmapped", never handed out */
	t->full = 0;
	t->in_use = 0;
}

uint32_t asid_alloc(paddr_t pml4)
{
	uint32_t w, i;

	if (asids->full == ~0ull)
		return 0;
	w = (uint32_t)__builtin_ctzll(~asids->full);
	i = w * 64 + (uint32_t)__builtin_ctzll(~asids->used[w]);
	asids->used[w] |= 1ull << (i % 64);
	asids->in_use++;
	if (asids->used[w] == ~0ull)
		asids->full |= 1ull << w;
	asids->pml4[i] = pml4;
	vspace_asid_flush(i); /* nothing of a previous owner survives */
	if (arch_tlb_tagged())
		asid_flush_pending = true; /* nor on the cluster's other cores (asid_flush_others) */
	return i;
}

void asid_flush_others_now(void)
{
	asid_flush_pending = false;
	smp_tlb_shootdown(0);
}

bool asid_available(uint64_t n)
{
	return n <= ASID_MAX - 1 - asids->in_use;
}

void asid_free(uint32_t asid)
{
	if (!asid || asid >= ASID_MAX || !(asids->used[asid / 64] >> (asid % 64) & 1))
		return;
	asids->in_use--;
	asids->pml4[asid] = 0;
	asids->used[asid / 64] &= ~(1ull << (asid % 64));
	asids->full &= ~(1ull << (asid / 64));
}

uint64_t *asid_pml4(uint32_t asid)
{
	if (!asid || asid >= ASID_MAX || !asids->pml4[asid])
		return NULL;
	return phys_to_virt(asids->pml4[asid]);
}
