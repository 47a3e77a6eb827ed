/*
 * Capability address decoding, one CNode level at a time (seL4-style guarded
 * page table of CNodes). Pure: no memory is touched; host-tested.
 */
#pragma once
#include "cap.h"

/*
 * Resolve one level: with `left` address bits still unresolved in cptr,
 * check the CNode capability's guard and extract the slot index. Returns 0
 * and updates *left and *index, or a lookup_fault (abi.h) code.
 */
static inline unsigned cptr_step(struct cap cnode, uint64_t cptr, unsigned *left, uint64_t *index)
{
	unsigned radix = cap_size_bits(cnode), gsize = cap_guard_size(cnode);
	uint64_t gmask = gsize >= 64 ? ~0ull : (1ull << gsize) - 1;
	uint64_t rmask = radix >= 64 ? ~0ull : (1ull << radix) - 1;

	if (radix + gsize > *left || radix + gsize == 0)
		return LOOKUP_DEPTH_MISMATCH;
	if (gsize && ((cptr >> (*left - gsize)) & gmask) != (cap_guard(cnode) & gmask))
		return LOOKUP_GUARD_MISMATCH;
	*left -= gsize + radix;
	*index = radix ? (*left >= 64 ? 0 : (cptr >> *left) & rmask) : 0;
	return 0;
}
