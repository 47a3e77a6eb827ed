/* Paging structures below the PML4 (PDPT, page directory, page table):
 * linking them into a VSpace and out again. A PML4 gets its ASID at retype. */
#include "arch/vspace.h"
#include "kobj.h"
#include "smp.h"

static int level_of(unsigned type)
{
	return type == OBJ_PAGE_TABLE ? PT_LEVEL_PT : type == OBJ_PAGE_DIRECTORY ? PT_LEVEL_PD : PT_LEVEL_PDPT;
}

/* Unlink the structure (if it is still where its record says) and clear
 * it, linked or not: a table unlinked some other way (its parent was
 * unmapped, its address space deleted) may still hold entries, and they
 * must not come back when it is linked again. All capabilities to a
 * paging structure share one record (copies exist only of mapped ones),
 * so the caller holds the final one. A live link removed: the cluster's
 * other cores that may hold translations through it flush. */
void pagetable_unmap(struct cap *c)
{
	uint64_t *pml4 = asid_pml4(cap_map_asid(*c));

	if (pml4 && vspace_unmap_table(pml4, cap_map_asid(*c), cap_map_vaddr(*c), level_of(cap_type(*c)),
				       cap_paddr(*c)))
		smp_tlb_shootdown(dmap_to_phys(pml4));
	vspace_clear_table(cap_paddr(*c));
	c->w1 = 0;
}

static struct kerr pt_map(struct inv *iv)
{
	int level = level_of(cap_type(iv->cap));
	uint64_t span = 1ull << (12 + 9 * (level + 1));
	struct cte *vs;
	struct kerr e;
	int err;

	if (iv->len < 2)
		return kerr(E_TRUNCATED_MESSAGE, 0);
	if (cap_map_asid(iv->cap))
		return kerr(E_ILLEGAL_OPERATION, 0);
	if ((e = cspace_lookup_cap(iv->caller, iv->arg[0], OBJ_PML4, &vs)).err)
		return e;
	uint64_t va = iv->arg[1] & ~(span - 1);
	err = vspace_map_table(cap_obj(vs->cap), va, level, cap_paddr(iv->cap));
	if (err)
		return kerr((uint64_t)err, 1);
	iv->slot->cap.w1 = va | cap_map_asid(vs->cap);
	return KOK;
}

struct kerr pagetable_invoke(struct inv *iv)
{
	switch (iv->label) {
	case INV_PAGE_TABLE_MAP:
		return pt_map(iv);
	case INV_PAGE_TABLE_UNMAP:
		if (!cap_map_asid(iv->cap))
			return KOK;
		if (!cdt_is_final(iv->slot))
			return kerr(E_REVOKE_FIRST, 0); /* its copies record the same link */
		pagetable_unmap(&iv->slot->cap);
		return KOK;
	default:
		return kerr(E_ILLEGAL_OPERATION, 0);
	}
}
