/*
 * User address spaces: 4-level x86-64 page tables whose upper half is the
 * kernel's (copied from the kernel PML4 when a PML4 object is made). User
 * space supplies every paging structure as an object; the kernel only links
 * them. Errors are ABI error codes.
 */
#pragma once
#include "types.h"

#define PT_LEVEL_PT 0   /* a page table maps 4 KiB pages */
#define PT_LEVEL_PD 1   /* a page directory maps page tables or 2 MiB pages */
#define PT_LEVEL_PDPT 2 /* a PDPT maps page directories */
#define PT_LEVEL_PML4 3 /* the root maps PDPTs */

/* Prepare a fresh PML4 page, which must be zero (retype hands out zeroed
 * memory; so does the root task's boot memory): the kernel's upper half. */
void vspace_pml4_init(uint64_t *pml4);
/* Link the table at `table` (physical) as the level-`level` structure
 * covering va (level PT_LEVEL_PDPT..PT_LEVEL_PT). */
int vspace_map_table(uint64_t *pml4, vaddr_t va, int level, paddr_t table);
/* Map a 4 KiB (large=false) or 2 MiB frame at va; writable if `write`,
 * no-execute if `nx`. */
int vspace_map_frame(uint64_t *pml4, vaddr_t va, paddr_t frame, bool large, bool write, bool nx);
/*
 * Unmapping. These primitives know one core: they flush this core's stale
 * translations of that address space (ASID `asid`) and return true if they
 * removed a live entry; the caller (the object layer) then asks the other
 * cores that may have the address space loaded to flush (smp_tlb_shootdown).
 */
/* Remove the mapping of the frame at va if it still maps `frame`. */
bool vspace_unmap_frame(uint64_t *pml4, uint32_t asid, vaddr_t va, paddr_t frame, bool large);
/* Remove the level-`level` table at va if it is still `table`. */
bool vspace_unmap_table(uint64_t *pml4, uint32_t asid, vaddr_t va, int level, paddr_t table);
/* Empty the paging structure at `table` (linked nowhere any more): nothing
 * it mapped stays reachable if it is linked again. */
void vspace_clear_table(paddr_t table);
/* This core's TLB may hold translations tagged with this ASID (its PCID)
 * that must not be used again: flush them now or before the ASID next runs
 * here. Other cores' TLBs are not touched (smp_tlb_shootdown does that). */
void vspace_asid_flush(uint32_t asid);
/* Turn PCIDs on where the CPU has them (boot, each core). */
void vspace_pcid_init(bool has_pcid, bool has_invpcid);
/* Load the address space root with its ASID (as PCID where enabled);
 * this_cpu()->loaded_root records it. */
void vspace_activate(paddr_t root, uint32_t asid);
/* If this core's CR3 holds `root` (page tables about to be destroyed),
 * load the kernel's tables instead. */
void vspace_drop(paddr_t root);

/* The common case inline: the CR3 value this space runs with is already
 * loaded, so nothing is written; every other case (a new root, with or
 * without PCIDs) goes to vspace_activate. */
extern struct vspace_tlb {
	bool pcid, invpcid; /* set at boot, read-only after (stale PCIDs: struct cpu) */
} vspace_tlb;

static inline __attribute__((always_inline)) void vspace_activate_inline(paddr_t root, uint32_t asid)
{
	uint64_t cur;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cur));
	if (cur == (vspace_tlb.pcid ? (root | asid) : root))
		return;
	vspace_activate(root, asid);
}
/* Whether the level-`level` table covering va is present. */
bool vspace_has_table(uint64_t *pml4, vaddr_t va, int level);
/* Physical address mapped at va (4K or 2M page), 0 if none; *writable set. */
paddr_t vspace_lookup(uint64_t *pml4, vaddr_t va, bool *writable);
/* Whether va is a user address the kernel lets user space map. */
bool vspace_user_addr_ok(vaddr_t va, uint64_t size);
/* The kernel's own PML4 (physical). */
paddr_t vspace_kernel_root(void);
