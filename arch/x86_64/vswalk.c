/* Reading user page tables for the invariant checker (see arch/vswalk.h). */
#include "arch/vspace.h"
#include "arch/vswalk.h"
#include "layout.h"

#include "arch/pte.h"

static struct vs_entry decode(uint64_t raw, vaddr_t va, int level)
{
	return (struct vs_entry){
		.va = va,
		.level = level,
		.target = raw & PTE_ADDR,
		.leaf = level == PT_LEVEL_PT || (raw & PTE_PS),
		.write = raw & PTE_W,
		.user = raw & PTE_U,
	};
}

static void walk(const uint64_t *table, int level, vaddr_t base, unsigned n, vs_visit_fn visit, void *ctx)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t raw = table[i];
		if (!(i & 7) && !((raw | table[i + 1] | table[i + 2] | table[i + 3] | table[i + 4] | table[i + 5] |
				   table[i + 6] | table[i + 7]) & PTE_P)) {
			i += 7; /* eight entries, none present: most of a fresh table */
			continue;
		}
		if (!(raw & PTE_P))
			continue;
		struct vs_entry e = decode(raw, base + ((uint64_t)i << (12 + 9 * level)), level);
		if (visit(ctx, &e) && !e.leaf)
			walk(phys_to_virt(e.target), level - 1, e.va, VS_ENTRIES, visit, ctx);
	}
}

void vspace_walk_user(uint64_t *pml4, vs_visit_fn visit, void *ctx)
{
	walk(pml4, PT_LEVEL_PML4, 0, VS_USER_ROOT_ENTRIES, visit, ctx);
}

bool vspace_entry_at(uint64_t *pml4, vaddr_t va, int level, struct vs_entry *e)
{
	const uint64_t *t = pml4;

	if (va >> 47)
		return false;
	for (int l = PT_LEVEL_PML4;; l--) {
		uint64_t raw = t[(va >> (12 + 9 * l)) & 511];
		if (!(raw & PTE_P))
			return false;
		*e = decode(raw, va & ~((1ull << (12 + 9 * l)) - 1), l);
		if (l == level)
			return true;
		if (e->leaf)
			return false;
		t = phys_to_virt(e->target);
	}
}

bool vspace_table_empty(const uint64_t *table, unsigned *first)
{
	for (unsigned i = 0; i < VS_ENTRIES; i += 8)
		if ((table[i] | table[i + 1] | table[i + 2] | table[i + 3] | table[i + 4] | table[i + 5] |
		     table[i + 6] | table[i + 7]) & PTE_P)
			for (unsigned j = i; j < i + 8; j++)
				if (table[j] & PTE_P) {
					*first = j;
					return false;
				}
	return true;
}

bool vspace_kernel_half_ok(const uint64_t *pml4, unsigned *bad)
{
	const uint64_t *k = phys_to_virt(vspace_kernel_root());

	for (unsigned i = VS_USER_ROOT_ENTRIES; i < VS_ENTRIES; i++)
		if (pml4[i] != k[i]) {
			*bad = i;
			return false;
		}
	return true;
}
