/*
 * Root-task allocators: capability slots in the root CNode (a bump
 * allocator with a free list) and objects retyped from the untyped list.
 */
#pragma once
#include "atoll/atoll.h"

void alloc_init(struct abi_bootinfo *bi);
/* A free slot of the root CNode, or 0 if none is left. */
cptr_t slot_alloc(void);
void slot_free(cptr_t slot);
/* Retype one object into a fresh slot; returns the slot or 0 (error in *err). */
cptr_t obj_alloc(uint64_t type, uint64_t size_bits, uint64_t *err);
/* Hand obj_alloc an untyped the caller made and no longer needs whole (its
 * children revoked): objects are then retyped from it too, after the boot
 * untypeds. At most ALLOC_GIVEN_MAX; false when full (the caller keeps it). */
#define ALLOC_GIVEN_MAX 8
bool alloc_give_untyped(cptr_t ut);
/* Map a fresh 4 KiB frame read-write at vaddr in the root's VSpace,
 * making missing paging structures; returns the frame slot or 0. */
cptr_t page_alloc_at(uint64_t vaddr);
/* Map an existing frame at vaddr in vspace, making paging structures
 * (retyped and mapped into `vspace`) as needed; returns the ABI error. */
uint64_t map_frame_anywhere(cptr_t frame, cptr_t vspace, uint64_t vaddr, uint64_t rights);
