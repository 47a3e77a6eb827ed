/*
 * Boot-time physical memory allocator over the memory map. Used only while
 * the kernel boots; bootmem_close() ends it and later calls fail loudly.
 * What is still free at close becomes untyped memory for the root task(s).
 * Pure C, host-tested.
 */
#pragma once
#include "types.h"
#include "bootinfo.h"

#define BOOTMEM_MAX_RANGES 160

struct bootmem_range {
	paddr_t base, end; /* [base, end), page aligned */
};

struct bootmem {
	uint32_t count;                 /* free ranges, sorted, disjoint */
	struct bootmem_range free[BOOTMEM_MAX_RANGES];
	uint64_t allocated;             /* bytes handed out */
	bool closed;
	bool overflow;                  /* a range had to be dropped: too many */
};

/* Start from the available regions of `bi` (rounded inward to pages). */
void bootmem_init(struct bootmem *bm, const struct bootinfo *bi);
/* Remove [base, base+len) (rounded outward to pages) from the free ranges. */
void bootmem_reserve(struct bootmem *bm, paddr_t base, uint64_t len);
/* Allocate `size` bytes (page multiple) aligned to `align` (power of two,
 * >= PAGE_SIZE) below `limit`. Returns 0 on failure or after close. The
 * lowest suitable address is returned, so results are deterministic. */
paddr_t bootmem_alloc(struct bootmem *bm, uint64_t size, uint64_t align, paddr_t limit);
/*
 * The AP start-up (trampoline) page: a SIPI starts a core at a page below
 * 1 MiB. Taken from the free set (so call it after reserving what the
 * loader handed over, and before reserving low memory wholesale): the
 * lowest free page below BOOTMEM_TRAMPOLINE_LIMIT and below `ebda` (the
 * BIOS's extended data area, from the BDA; ignored unless it lies in
 * [BOOTMEM_EBDA_MIN, BOOTMEM_TRAMPOLINE_LIMIT)). 0 if there is none.
 */
#define BOOTMEM_TRAMPOLINE_LIMIT 0x9F000ull /* the usual EBDA is the KiB below 0xA0000 */
#define BOOTMEM_EBDA_MIN 0x80000ull         /* an EBDA is at most 128 KiB */
paddr_t bootmem_alloc_trampoline(struct bootmem *bm, paddr_t ebda);
/* Total free bytes. */
uint64_t bootmem_free_bytes(const struct bootmem *bm);
/* End boot-time allocation. */
void bootmem_close(struct bootmem *bm);
