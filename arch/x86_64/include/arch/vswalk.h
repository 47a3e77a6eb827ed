/*
 * Reading user page tables entry by entry, for the invariant checker
 * (kernel/check/, docs/invariants.md). Nothing here writes a page table.
 */
#pragma once
#include "types.h"

/* One present entry of a user address space. */
struct vs_entry {
	vaddr_t va;     /* first address it covers */
	int level;      /* PT_LEVEL_*: the level of the table it is in (PML4 = 3 ... PT = 0) */
	paddr_t target; /* the physical address it points at */
	bool leaf;      /* maps a page (a PT entry, or PS set above it); else links a table */
	bool write;     /* writable */
	bool user;      /* user-accessible */
};

/* Called for each present entry, in address order, a table's entry before
 * the entries of the table it links; a linked table is walked only if the
 * visitor returns true (the checker first makes sure it is one). */
typedef bool (*vs_visit_fn)(void *ctx, const struct vs_entry *e);

/* Walk the user half of the address space rooted at pml4. */
void vspace_walk_user(uint64_t *pml4, vs_visit_fn visit, void *ctx);
/* The present entry of level `level` covering va, reached through present
 * non-leaf entries only; false if there is none. */
bool vspace_entry_at(uint64_t *pml4, vaddr_t va, int level, struct vs_entry *e);
/* Whether no entry of a PDPT, directory or table is present; if one is,
 * *first is its index. */
bool vspace_table_empty(const uint64_t *table, unsigned *first);
/* Whether the kernel half of pml4 equals the kernel's own tables; if not,
 * *bad is the first index that differs. */
bool vspace_kernel_half_ok(const uint64_t *pml4, unsigned *bad);
/* Number of entries of one table, and of the user half of a PML4. */
#define VS_ENTRIES 512
#define VS_USER_ROOT_ENTRIES 256
