/* User page tables (see arch/vspace.h). */
#include "abi/abi.h"
#include "arch/arch.h"
#include "arch/cpu.h"
#include "arch/pte.h"
#include "arch/regs.h"
#include "arch/vspace.h"
#include "arch/x86.h"
#include "kstring.h"
#include "layout.h"

#define ASID_LIMIT PCID_COUNT

static unsigned idx(vaddr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

static uint64_t *tab(uint64_t e)
{
	return phys_to_virt(e & PTE_ADDR);
}

paddr_t vspace_kernel_root(void)
{
	extern paddr_t kernel_pml4_paddr;
	return kernel_pml4_paddr;
}

/* The kernel half's entries in use (a handful of the 256): the kernel's
 * tables are complete once its cluster has booted and never change after
 * (paging.c), so the list is made once per kernel root. Per cluster
 * (copied .bss), under the kernel lock. */
static struct {
	paddr_t root;
	uint32_t n;
	uint16_t idx[256];
} kernel_half;

void vspace_pml4_init(uint64_t *pml4)
{
	paddr_t root = vspace_kernel_root();
	const uint64_t *k = phys_to_virt(root);

	if (kernel_half.root != root) {
		kernel_half.n = 0;
		for (uint16_t i = 256; i < 512; i++)
			if (k[i])
				kernel_half.idx[kernel_half.n++] = i;
		kernel_half.root = root;
	}
	for (uint32_t j = 0; j < kernel_half.n; j++)
		pml4[kernel_half.idx[j]] = k[kernel_half.idx[j]];
}

bool vspace_user_addr_ok(vaddr_t va, uint64_t size)
{
	return va < USER_TOP && size <= USER_TOP - va;
}

/* Walk from the PML4 down to the table at `level`; NULL if a level is missing. */
static uint64_t *walk(uint64_t *pml4, vaddr_t va, int level)
{
	uint64_t *t = pml4;

	for (int l = PT_LEVEL_PML4; l > level; l--) {
		uint64_t e = t[idx(va, l)];
		if (!(e & PTE_P) || (e & PTE_PS))
			return NULL;
		t = tab(e);
	}
	return t;
}

bool vspace_has_table(uint64_t *pml4, vaddr_t va, int level)
{
	return walk(pml4, va, level) != NULL;
}

int vspace_map_table(uint64_t *pml4, vaddr_t va, int level, paddr_t table)
{
	uint64_t *parent;

	if (level < PT_LEVEL_PT || level > PT_LEVEL_PDPT || !vspace_user_addr_ok(va, 1))
		return E_INVALID_ARGUMENT;
	parent = walk(pml4, va, level + 1);
	if (!parent)
		return E_FAILED_LOOKUP;
	if (parent[idx(va, level + 1)] & PTE_P)
		return E_DELETE_FIRST;
	parent[idx(va, level + 1)] = table | PTE_P | PTE_W | PTE_U;
	return E_OK;
}

int vspace_map_frame(uint64_t *pml4, vaddr_t va, paddr_t frame, bool large, bool write, bool nx)
{
	int level = large ? PT_LEVEL_PD : PT_LEVEL_PT;
	uint64_t *t;

	if (va & ((large ? LARGE_PAGE_SIZE : PAGE_SIZE) - 1))
		return E_ALIGNMENT_ERROR;
	if (!vspace_user_addr_ok(va, large ? LARGE_PAGE_SIZE : PAGE_SIZE))
		return E_INVALID_ARGUMENT;
	t = walk(pml4, va, level);
	if (!t)
		return E_FAILED_LOOKUP;
	if (t[idx(va, level)] & PTE_P)
		return E_DELETE_FIRST;
	t[idx(va, level)] = frame | PTE_P | PTE_U | (write ? PTE_W : 0) | (nx ? PTE_NX : 0) |
			    (large ? PTE_PS : 0);
	return E_OK;
}

#define CR3_NOFLUSH (1ull << 63)

struct vspace_tlb vspace_tlb;
#define tlb vspace_tlb

void vspace_pcid_init(bool has_pcid, bool has_invpcid)
{
	tlb.pcid = has_pcid;
	tlb.invpcid = has_invpcid;
	if (has_pcid) {
		write_cr3(read_cr3() & PTE_ADDR); /* PCID 0 before enabling */
		write_cr4(read_cr4() | CR4_PCIDE);
	}
}

/* Every translation on this core, global and every PCID's: a change of
 * CR4.PGE flushes them all (Intel SDM Vol. 3A 4.10.4.1). */
void arch_tlb_flush_all(void)
{
	uint64_t cr4 = read_cr4();

	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3() & ~CR3_NOFLUSH);
	}
}

bool arch_tlb_tagged(void)
{
	return tlb.pcid;
}

void arch_pcid_enable_here(void)
{
	if (tlb.pcid)
		write_cr4(read_cr4() | CR4_PCIDE);
}

/* This core only: other cores are the caller's business (arch/vspace.h). */
void vspace_asid_flush(uint32_t asid)
{
	if (!tlb.pcid || asid >= ASID_LIMIT)
		return;
	if (tlb.invpcid) {
		struct { uint64_t pcid, addr; } d = { asid, 0 };
		__asm__ volatile("invpcid %0, %1" ::"m"(d), "r"(1ull) : "memory"); /* single context */
	} else {
		this_cpu()->pcid_stale[asid / 64] |= 1ull << (asid % 64);
	}
}

void vspace_drop(paddr_t root)
{
	if ((read_cr3() & PTE_ADDR) == root)
		vspace_activate(vspace_kernel_root(), 0);
}

void vspace_activate(paddr_t root, uint32_t asid)
{
	uint64_t cur = read_cr3();
	struct cpu *c = this_cpu();

	c->loaded_root = root;
	if (!tlb.pcid) {
		if ((cur & PTE_ADDR) != root)
			write_cr3(root);
		return;
	}
	asid &= ASID_LIMIT - 1;
	if (c->pcid_stale[asid / 64] & (1ull << (asid % 64))) {
		c->pcid_stale[asid / 64] &= ~(1ull << (asid % 64));
		write_cr3(root | asid); /* this load flushes the PCID's old entries */
	} else if (cur != (root | asid)) {
		write_cr3(root | asid | CR3_NOFLUSH);
	}
}

static bool loaded_here(const uint64_t *pml4)
{
	return (read_cr3() & PTE_ADDR) == ((paddr_t)(uintptr_t)pml4 - DMAP_BASE);
}

bool vspace_unmap_frame(uint64_t *pml4, uint32_t asid, vaddr_t va, paddr_t frame, bool large)
{
	int level = large ? PT_LEVEL_PD : PT_LEVEL_PT;
	uint64_t *t = walk(pml4, va, level);

	if (!t)
		return false;
	uint64_t e = t[idx(va, level)];
	if (!(e & PTE_P) || (e & PTE_ADDR) != frame || !!(e & PTE_PS) != large)
		return false;
	t[idx(va, level)] = 0;
	if (loaded_here(pml4))
		invlpg(va);
	vspace_asid_flush(asid); /* other PCIDs' copies, and this one's if not current */
	return true;
}

bool vspace_unmap_table(uint64_t *pml4, uint32_t asid, vaddr_t va, int level, paddr_t table)
{
	uint64_t *parent = walk(pml4, va, level + 1);

	if (!parent || (parent[idx(va, level + 1)] & PTE_ADDR) != table || (parent[idx(va, level + 1)] & PTE_PS))
		return false;
	parent[idx(va, level + 1)] = 0;
	if (loaded_here(pml4))
		write_cr3(read_cr3() & ~CR3_NOFLUSH); /* the whole subtree goes */
	vspace_asid_flush(asid);
	return true;
}

void vspace_clear_table(paddr_t table)
{
	memset(phys_to_virt(table), 0, PAGE_SIZE);
}

paddr_t vspace_lookup(uint64_t *pml4, vaddr_t va, bool *writable)
{
	uint64_t *t = pml4;

	for (int l = PT_LEVEL_PML4; l >= 0; l--) {
		uint64_t e = t[idx(va, l)];
		if (!(e & PTE_P))
			return 0;
		if (l == 0 || (e & PTE_PS)) {
			uint64_t off = va & ((1ull << (12 + 9 * l)) - 1);
			if (writable)
				*writable = e & PTE_W;
			return (e & PTE_ADDR & ~((1ull << (12 + 9 * l)) - 1)) + off;
		}
		t = tab(e);
	}
	return 0;
}
