/*
 * Untyped memory: retype carves new objects from the watermark upward.
 *
 * Invariant: the memory of a RAM untyped above its watermark is zero, so
 * new objects need no clearing. Memory below the watermark may hold old
 * objects' contents; when an untyped has no children left, the next retype
 * first clears [0, watermark) from the top down in 4 KiB steps, lowering
 * the watermark after each, with a preemption point between steps: a
 * preempted retype restarts and goes on where the watermark says. The
 * root task's untypeds start with the watermark at the top (boot memory
 * is not known to be zero).
 */
#include "arch/vspace.h"
#include "kobj.h"
#include "ipc.h"
#include "kstring.h"
#include "sched.h"

#define RETYPE_MAX_COUNT 256
#define CNODE_MAX_RADIX 20
#define UNTYPED_MIN_BITS 4
#define UNTYPED_MAX_BITS 47
#define RESET_CHUNK (4ull << 10) /* bytes cleared per preemption step (kernel/preempt.c) */

static const uint8_t obj_bits[OBJ_COUNT] = {
#define X(name, num, bits) [num] = bits,
#include "abi/objects.def"
#undef X
};

/* Size in bits of one object of `type` with the user's size_bits. */
static struct kerr object_bits(uint64_t type, uint64_t size_bits, unsigned *bits)
{
	switch (type) {
	case OBJ_UNTYPED:
		if (size_bits < UNTYPED_MIN_BITS || size_bits > UNTYPED_MAX_BITS)
			return kerr(E_RANGE_ERROR, 1);
		*bits = (unsigned)size_bits;
		return KOK;
	case OBJ_CNODE:
		if (size_bits < 1 || size_bits > CNODE_MAX_RADIX)
			return kerr(E_RANGE_ERROR, 1);
		*bits = (unsigned)size_bits + CTE_SIZE_BITS;
		return KOK;
	case OBJ_TCB: case OBJ_ENDPOINT: case OBJ_NOTIFICATION: case OBJ_REPLY: case OBJ_FRAME_4K:
	case OBJ_FRAME_2M: case OBJ_PAGE_TABLE: case OBJ_PAGE_DIRECTORY: case OBJ_PDPT: case OBJ_PML4:
		*bits = obj_bits[type];
		return KOK;
	default:
		return kerr(E_INVALID_ARGUMENT, 0);
	}
}

/* The capability for a new object at pa; PML4s get an ASID. */
static struct kerr make_cap(uint64_t type, unsigned bits, uint64_t size_bits, bool dev, paddr_t pa,
			    struct cap *out)
{
	uint64_t w1 = 0;

	if (type == OBJ_PML4) {
		w1 = asid_alloc(pa);
		if (!w1) /* before anything is written: the memory stays zero */
			return kerr(E_NOT_ENOUGH_MEMORY, 1); /* no ASID left */
		vspace_pml4_init(phys_to_virt(pa));
	}
	if (type == OBJ_CNODE)
		w1 = 64 - size_bits; /* guard size covering the rest of the address */
	if (type == OBJ_TCB)
		tcb_init(phys_to_virt(pa));
	*out = cap_make((unsigned)type, RIGHTS_ALL, type == OBJ_UNTYPED || type == OBJ_CNODE ? (unsigned)size_bits : 0,
			dev && type == OBJ_UNTYPED, pa, w1);
	(void)bits;
	return KOK;
}

struct kerr untyped_invoke(struct inv *iv)
{
	uint64_t type = iv->arg[0], size_bits = iv->arg[1], index = iv->arg[3], count = iv->arg[4];
	struct cap ut = iv->cap;
	struct cte *dnode, *dst;
	unsigned bits;
	struct kerr e;

	if (iv->label != INV_UNTYPED_RETYPE)
		return kerr(E_ILLEGAL_OPERATION, 0);
	if (iv->len < 5)
		return kerr(E_TRUNCATED_MESSAGE, 0);
	if ((e = object_bits(type, size_bits, &bits)).err)
		return e;
	if (cap_is_device(ut) && type != OBJ_FRAME_4K && type != OBJ_FRAME_2M && type != OBJ_UNTYPED)
		return kerr(E_INVALID_ARGUMENT, 0);
	if (count < 1 || count > RETYPE_MAX_COUNT)
		return kerr(E_RANGE_ERROR, 4);
	if ((e = cspace_lookup_cap(iv->caller, iv->arg[2], OBJ_CNODE, &dnode)).err)
		return e;
	if (index >= (1ull << cap_size_bits(dnode->cap)) || count > (1ull << cap_size_bits(dnode->cap)) - index)
		return kerr(E_RANGE_ERROR, 3);
	dst = (struct cte *)cap_obj(dnode->cap) + index;
	for (uint64_t i = 0; i < count; i++)
		if (!cap_is_null(dst[i].cap))
			return kerr(E_DELETE_FIRST, i);
	paddr_t base = cap_paddr(ut), top = base + (1ull << cap_size_bits(ut));
	/* Without children the whole untyped is free again. Every check is made
	 * against the watermark the retype will use before anything changes. */
	bool reset = !cdt_has_children(iv->slot);
	paddr_t start = ALIGN_UP(base + (reset ? 0 : ut.w1), 1ull << bits);
	if (bits > cap_size_bits(ut) || start > top || count > (top - start) >> bits)
		return kerr(E_NOT_ENOUGH_MEMORY, 0);
	if (type == OBJ_PML4 && !asid_available(count))
		return kerr(E_NOT_ENOUGH_MEMORY, 1); /* no ASID left */
	/* RAM is cleared first, from the watermark down, preemptibly. */
	if (reset) {
		uint64_t w = ut.w1;
		while (w && !cap_is_device(ut)) {
			uint64_t chunk = (w & (RESET_CHUNK - 1)) ? (w & (RESET_CHUNK - 1)) : RESET_CHUNK;
			memset(phys_to_virt(base + w - chunk), 0, chunk);
			w -= chunk;
			iv->slot->cap.w1 = w;
			/* Done, or the budget spent: the objects are made in a new
			 * entry, whose budget they need (256 TCBs: 70,000 instructions). */
			if (!w || preempt_work(RESET_CHUNK / PREEMPT_UNIT_CLEAR_BYTES))
				return kerr(E_PREEMPTED, 0);
		}
		iv->slot->cap.w1 = 0;
	}
	for (uint64_t i = 0; i < count; i++) {
		paddr_t pa = start + (i << bits);
		struct cap nc;
		if ((e = make_cap(type, bits, size_bits, cap_is_device(ut), pa, &nc)).err) {
			if (i) /* the objects made so far stay: the watermark covers them */
				iv->slot->cap.w1 = pa - base;
			return e;
		}
		cdt_insert(&dst[i], nc, iv->slot, MDB_REVOCABLE);
	}
	iv->slot->cap.w1 = start + (count << bits) - base;
	return KOK;
}
