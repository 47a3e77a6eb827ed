/* Frames (4 KiB, 2 MiB): map into a VSpace, unmap, physical address. */
#include "arch/vspace.h"
#include "kobj.h"
#include "smp.h"

#define ATTR_NX 1u

static bool is_large(struct cap c)
{
	return cap_type(c) == OBJ_FRAME_2M;
}

/* The primitive flushes this core; if it removed a live mapping, the
 * cluster's other cores that may hold it are asked to flush too. */
void frame_unmap(struct cap *c)
{
	uint64_t *pml4 = asid_pml4(cap_map_asid(*c));

	if (pml4 && vspace_unmap_frame(pml4, cap_map_asid(*c), cap_map_vaddr(*c), cap_paddr(*c), is_large(*c)))
		smp_tlb_shootdown(dmap_to_phys(pml4));
	c->w1 = 0;
}

static struct kerr frame_map(struct inv *iv)
{
	struct cte *vs;
	struct kerr e;
	unsigned rights = cap_rights(iv->cap) & (unsigned)iv->arg[2];
	int err;

	if (iv->len < 4)
		return kerr(E_TRUNCATED_MESSAGE, 0);
	if (cap_map_asid(iv->cap))
		return kerr(E_ILLEGAL_OPERATION, 0); /* already mapped */
	if ((e = cspace_lookup_cap(iv->caller, iv->arg[0], OBJ_PML4, &vs)).err)
		return e;
	if (!(rights & RIGHT_READ))
		return kerr(E_INVALID_ARGUMENT, 2);
	err = vspace_map_frame(cap_obj(vs->cap), iv->arg[1], cap_paddr(iv->cap), is_large(iv->cap),
			       rights & RIGHT_WRITE, iv->arg[3] & ATTR_NX);
	if (err)
		return kerr((uint64_t)err, 1);
	iv->slot->cap.w1 = iv->arg[1] | cap_map_asid(vs->cap);
	return KOK;
}

struct kerr frame_invoke(struct inv *iv)
{
	switch (iv->label) {
	case INV_FRAME_MAP:
		return frame_map(iv);
	case INV_FRAME_UNMAP:
		frame_unmap(&iv->slot->cap);
		return KOK;
	case INV_FRAME_GET_ADDRESS:
		iv->out[0] = cap_paddr(iv->cap);
		iv->out_len = 1;
		return KOK;
	default:
		return kerr(E_ILLEGAL_OPERATION, 0);
	}
}
