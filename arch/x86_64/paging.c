/*
 * Kernel page tables built at boot: a direct map of physical memory (large
 * pages, read-write, never executable) and the kernel image at -2 GiB with
 * 4 KiB pages and W^X permissions per section. Tables come from bootmem
 * below 4 GiB, where the early direct map reaches.
 */
#include "arch/arch.h"
#include "arch/vspace.h"
#include "arch/x86.h"
#include "kstring.h"
#include "layout.h"
#include "panic.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull

/* Per cluster (copied .bss): its kernel tables; each of its cores stores
 * the same value as it starts (smpboot.c), read-only after. */
paddr_t kernel_pml4_paddr;

/* Boot only: the boot core, while it builds the kernel's tables. */
static struct {
	struct bootmem *bm;
	paddr_t limit; /* tables lie below: the early map's 4 GiB, later anywhere */
	uint64_t nx, global;
	bool page1g;
	uint64_t tables; /* page-table pages used */
} pg;

static uint64_t *table_alloc(void)
{
	paddr_t pa = bootmem_alloc(pg.bm, PAGE_SIZE, PAGE_SIZE, pg.limit);

	if (!pa)
		panic("paging: out of boot memory for page tables");
	pg.tables++;
	return memset(phys_to_virt(pa), 0, PAGE_SIZE);
}

/* The table that entry `idx` of `t` points to, made if absent. */
static uint64_t *table_next(uint64_t *t, unsigned idx)
{
	if (!(t[idx] & PTE_P)) {
		uint64_t *n = table_alloc();
		t[idx] = ((paddr_t)(uintptr_t)n - DMAP_BASE) | PTE_P | PTE_W;
	}
	return phys_to_virt(t[idx] & PTE_ADDR);
}

static unsigned idx(vaddr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

/* Map one page of size 4 KiB (level 0), 2 MiB (1) or 1 GiB (2). */
static void map_page(uint64_t *pml4, vaddr_t va, paddr_t pa, int level, uint64_t flags)
{
	uint64_t *t = pml4;

	for (int l = 3; l > level; l--)
		t = table_next(t, idx(va, l));
	t[idx(va, level)] = pa | flags | (level ? PTE_PS : 0);
}

static uint64_t dmap_size(const struct bootinfo *bi)
{
	uint64_t top = DMAP_MIN_SIZE;

	for (uint32_t i = 0; i < bi->mem_count; i++)
		top = MAX(top, bi->mem[i].base + bi->mem[i].len);
	if (bi->fb.type != BI_FB_NONE)
		top = MAX(top, bi->fb.addr + (uint64_t)bi->fb.pitch * bi->fb.height);
	return MIN(ALIGN_UP(top, 1ull << 30), DMAP_MAX_SIZE);
}

static void map_direct(uint64_t *pml4, const struct bootinfo *bi, bool page1g)
{
	uint64_t size = dmap_size(bi), step = page1g ? (1ull << 30) : LARGE_PAGE_SIZE;

	for (paddr_t pa = 0; pa < size; pa += step)
		map_page(pml4, DMAP_BASE + pa, pa, page1g ? 2 : 1, PTE_P | PTE_W | pg.nx | pg.global);
}

extern char boot_stack_guard[];

/* Map [start, end) of the image at physical `pa` (its own place, or a
 * cluster's copy); the boot stack's guard page stays unmapped. */
static void map_image_at(uint64_t *pml4, const char *start, const char *end, paddr_t pa, uint64_t flags)
{
	for (vaddr_t va = (vaddr_t)(uintptr_t)start; va < (vaddr_t)(uintptr_t)end; va += PAGE_SIZE, pa += PAGE_SIZE)
		if (va != (vaddr_t)(uintptr_t)boot_stack_guard)
			map_page(pml4, va, pa, 0, flags | PTE_P | pg.global);
}

static void map_image(uint64_t *pml4, const char *start, const char *end, uint64_t flags)
{
	map_image_at(pml4, start, end, kimage_to_phys(start), flags);
}

void arch_paging_init(struct bootmem *bm, const struct bootinfo *bi, const struct cpu_features *f)
{
	uint64_t *pml4;

	pg.bm = bm;
	pg.limit = DMAP_MIN_SIZE;
	pg.nx = f->nx ? PTE_NX : 0;
	pg.global = f->pge ? PTE_G : 0;
	pg.page1g = f->page1g;
	pml4 = table_alloc();
	map_direct(pml4, bi, f->page1g);
	map_image(pml4, __text_start, __text_end, 0);
	map_image(pml4, __rodata_start, __rodata_end, pg.nx);
	map_image(pml4, __shared_start, __shared_end, PTE_W | pg.nx);
	map_image(pml4, __data_start, __data_end, PTE_W | pg.nx);
	kernel_pml4_paddr = (paddr_t)(uintptr_t)pml4 - DMAP_BASE;
	write_cr3(kernel_pml4_paddr);
	vspace_pcid_init(f->pcid, f->invpcid);
}

uint64_t arch_pte_flags(vaddr_t va)
{
	uint64_t *t = phys_to_virt(read_cr3() & PTE_ADDR);

	for (int l = 3; l >= 0; l--) {
		uint64_t e = t[idx(va, l)];
		if (!(e & PTE_P))
			return 0;
		if (l == 0 || (e & PTE_PS))
			return e & ~PTE_ADDR;
		t = phys_to_virt(e & PTE_ADDR);
	}
	return 0;
}

/* The CPU's physical address width (CPUID 0x80000008), 36 if not given. */
static unsigned phys_addr_bits(void)
{
	uint32_t r[4];

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000008)
		return 36;
	cpuid(0x80000008, 0, r);
	return (r[0] & 0xff) ? (r[0] & 0xff) : 36;
}

bool arch_dmap_reach(paddr_t pa, uint64_t len)
{
	uint64_t *pml4 = phys_to_virt(read_cr3() & PTE_ADDR);
	paddr_t end;

	if (!pg.bm || len == 0 || pa > ~0ull - len - PAGE_SIZE)
		return false;
	end = ALIGN_UP(pa + len, PAGE_SIZE);
	if (end > DMAP_MAX_SIZE || end > (1ull << phys_addr_bits()))
		return false;
	for (paddr_t p = ALIGN_DOWN(pa, PAGE_SIZE); p < end; p += PAGE_SIZE) {
		vaddr_t va = DMAP_BASE + p;

		if (arch_pte_flags(va) & PTE_P)
			continue;
		map_page(pml4, va, p, 0, PTE_P | pg.nx); /* read-only, not global */
		invlpg(va);
	}
	return true;
}

/*
 * A cluster's kernel tables (DESIGN §2): the image (text, rodata, the shared
 * section) and this cluster's own copy of .data/.bss at the same virtual
 * addresses; in the direct map, only the RAM the cluster may use (its
 * partition and the shared region, read-write; the boot modules, read-only)
 * and all that is not RAM (device and firmware memory). Another cluster's
 * RAM is not mapped at all. Kernel pages stay global: a core uses one
 * cluster's tables from the switch on, and the switch flushes globals.
 */
static bool in_ranges(const struct mem_range *r, uint32_t n, paddr_t pa, uint64_t len)
{
	for (uint32_t i = 0; i < n; i++)
		if (pa >= r[i].base && pa < r[i].end && len <= r[i].end - pa)
			return true;
	return false;
}

static bool touches_ram(const struct bootinfo *bi, paddr_t pa, uint64_t len)
{
	for (uint32_t i = 0; i < bi->mem_count; i++) {
		const struct bi_mem_region *m = &bi->mem[i];
		if (m->type == BI_MEM_AVAILABLE && m->base < pa + len && pa < m->base + m->len)
			return true;
	}
	return false;
}

/* PTE flags for [pa, pa + len) in the cluster's direct map, 0 = unmapped;
 * ~0 = mixed (look closer). */
static uint64_t dmap_flags(const struct kmap_spec *s, paddr_t pa, uint64_t len)
{
	if (in_ranges(s->rw, s->n_rw, pa, len))
		return PTE_P | PTE_W | pg.nx;
	if (!touches_ram(s->bi, pa, len))
		return PTE_P | PTE_W | pg.nx;
	if (in_ranges(s->ro, s->n_ro, pa, len))
		return PTE_P | pg.nx;
	if (len == PAGE_SIZE)
		return 0;
	for (uint32_t i = 0; i < s->n_rw; i++)
		if (s->rw[i].base < pa + len && pa < s->rw[i].end)
			return ~0ull;
	for (uint32_t i = 0; i < s->n_ro; i++)
		if (s->ro[i].base < pa + len && pa < s->ro[i].end)
			return ~0ull;
	for (uint32_t i = 0; i < s->bi->mem_count; i++) {
		const struct bi_mem_region *m = &s->bi->mem[i];
		if (m->type == BI_MEM_AVAILABLE && m->base <= pa && pa + len <= m->base + m->len)
			return 0; /* all RAM, none of it ours */
	}
	return ~0ull;
}

paddr_t arch_cluster_tables(struct bootmem *bm, const struct kmap_spec *s)
{
	uint64_t *pml4, size = dmap_size(s->bi);

	pg.bm = bm;
	pg.limit = ~0ull;
	pml4 = table_alloc();
	for (paddr_t pa = 0; pa < size; pa += LARGE_PAGE_SIZE) {
		uint64_t f = dmap_flags(s, pa, LARGE_PAGE_SIZE);
		if (f != ~0ull) {
			if (f)
				map_page(pml4, DMAP_BASE + pa, pa, 1, f);
			continue;
		}
		for (paddr_t p = pa; p < pa + LARGE_PAGE_SIZE; p += PAGE_SIZE)
			if ((f = dmap_flags(s, p, PAGE_SIZE)))
				map_page(pml4, DMAP_BASE + p, p, 0, f);
	}
	map_image(pml4, __text_start, __text_end, 0);
	map_image(pml4, __rodata_start, __rodata_end, pg.nx);
	map_image(pml4, __shared_start, __shared_end, PTE_W | pg.nx);
	map_image_at(pml4, __data_start, __data_end, s->data_pa, PTE_W | pg.nx);
	return (paddr_t)(uintptr_t)pml4 - DMAP_BASE;
}

/* Leave the boot tables for a cluster's own (the boot core, once the other
 * clusters are set up). Global entries of the boot tables go with a
 * CR4.PGE toggle. */
void arch_switch_kernel_tables(paddr_t pml4)
{
	uint64_t cr4 = read_cr4();

	kernel_pml4_paddr = pml4;
	write_cr3(pml4);
	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	}
}
