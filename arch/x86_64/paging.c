/*
 * Kernel page tables built at boot: a direct map of RAM and firmware memory
 * (large pages where one memory type allows, read-write, never executable),
 * the device window (arch_map_device: uncached or write-combining 4 KiB
 * pages) and the kernel image at -2 GiB with 4 KiB pages and W^X
 * permissions per section. Tables come from bootmem below 4 GiB, where the
 * early direct map reaches.
 */
#include "arch/arch.h"
#include "arch/pte.h"
#include "arch/vspace.h"
#include "arch/x86.h"
#include "kstring.h"
#include "ktest.h"
#include "console.h"
#include "layout.h"
#include "panic.h"

#define LOW_MEM (1ull << 20)   /* the first MiB: BIOS data, EBDA, VGA, ROMs */
#define MIXED (~0ull)          /* a block to map in smaller pages */

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
	uint64_t *pml4;  /* the boot tables, until arch_paging_load */
	const struct cpu_features *f;
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

static uint64_t level_size(int level)
{
	return PAGE_SIZE << (9 * level);
}

/* Map one page of size 4 KiB (level 0), 2 MiB (1) or 1 GiB (2). */
static void map_page(uint64_t *pml4, vaddr_t va, paddr_t pa, int level, uint64_t flags)
{
	uint64_t *t = pml4;

	for (int l = 3; l > level; l--)
		t = table_next(t, idx(va, l));
	t[idx(va, level)] = pa | flags | (level ? PTE_PS : 0);
}

/*
 * The direct map (docs/boot.md, "Memory types"): RAM and ACPI memory from
 * the loader's memory map, and the whole first MiB, write-back; nothing
 * else (device memory goes through arch_map_device). A large page only
 * where the whole page lies in regions of one type, since the firmware's
 * MTRRs follow the memory map and a large page over two memory types is
 * undefined (SDM 11.11.9); the first 2 MiB (fixed-range MTRRs) always in
 * 4 KiB pages.
 */
static bool dmap_type(uint32_t type)
{
	return type == BI_MEM_AVAILABLE || type == BI_MEM_ACPI_RECLAIM || type == BI_MEM_ACPI_NVS;
}

static bool overlaps(paddr_t a, uint64_t alen, paddr_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Is [pa, pa + len) covered by regions of type `type` only, end to end? */
static bool covered_by(const struct bootinfo *bi, paddr_t pa, uint64_t len, uint32_t type)
{
	paddr_t at = pa;

	for (uint32_t i = 0; i < bi->mem_count && at < pa + len; i++) {
		const struct bi_mem_region *m = &bi->mem[i];
		if (!overlaps(m->base, m->len, pa, len))
			continue;
		if (m->type != type || m->base > at)
			return false;
		at = MAX(at, m->base + m->len);
	}
	return at >= pa + len;
}

/* The framebuffer (even in RAM, as with QEMU's ramfb) and the legacy VGA
 * window are mapped only in the device window (write-combining, uncached):
 * never also write-back here, since two mappings of one page with
 * different memory types are undefined (SDM 11.12.4). */
#define VGA_WINDOW 0xA0000
#define VGA_WINDOW_SIZE 0x20000

static bool device_only(const struct bootinfo *bi, paddr_t pa, uint64_t len)
{
	const struct bi_framebuffer *f = &bi->fb;
	paddr_t base = ALIGN_DOWN(f->addr, PAGE_SIZE);

	if (overlaps(VGA_WINDOW, VGA_WINDOW_SIZE, pa, len))
		return true;
	return f->type != BI_FB_NONE &&
	       overlaps(base, ALIGN_UP(f->addr + (uint64_t)f->pitch * f->height, PAGE_SIZE) - base, pa, len);
}

/* How the direct map treats [pa, pa + len) of the boot tables' view
 * (`ram`: available memory counts) : 0 = unmapped, 1 = one type all
 * through (a leaf may cover it), MIXED = look at smaller pages. A 4 KiB
 * page is mapped if any of it is in a mapped region. */
static uint64_t dmap_kind(const struct bootinfo *bi, paddr_t pa, uint64_t len, bool ram)
{
	bool any = pa < LOW_MEM;

	if (pa < LARGE_PAGE_SIZE && len > PAGE_SIZE)
		return MIXED;
	if (device_only(bi, pa, len))
		return len == PAGE_SIZE ? 0 : MIXED;
	if (pa + len <= LOW_MEM)
		return 1;
	for (uint32_t i = 0; i < bi->mem_count && !any; i++) {
		const struct bi_mem_region *m = &bi->mem[i];
		any = (ram || m->type != BI_MEM_AVAILABLE) && dmap_type(m->type) &&
		      overlaps(m->base, m->len, pa, len);
	}
	if (!any)
		return 0;
	if (len == PAGE_SIZE)
		return 1;
	for (uint32_t i = 0; i < bi->mem_count; i++) {
		const struct bi_mem_region *m = &bi->mem[i];
		if (overlaps(m->base, m->len, pa, len))
			return dmap_type(m->type) && (ram || m->type != BI_MEM_AVAILABLE) &&
					       covered_by(bi, pa, len, m->type)
				       ? 1
				       : MIXED;
	}
	return MIXED;
}

/* The end of what the direct map may cover. */
static uint64_t dmap_size(const struct bootinfo *bi)
{
	uint64_t top = LOW_MEM;

	for (uint32_t i = 0; i < bi->mem_count; i++)
		if (dmap_type(bi->mem[i].type))
			top = MAX(top, bi->mem[i].base + bi->mem[i].len);
	return MIN(ALIGN_UP(top, 1ull << 30), DMAP_MAX_SIZE);
}

/* Map the block at pa of the given level with flags(pa, size): a leaf, or
 * (MIXED) the blocks one level down. */
typedef uint64_t (*dmap_flags_fn)(const void *ctx, paddr_t pa, uint64_t len);

static void map_block(uint64_t *pml4, paddr_t pa, int level, dmap_flags_fn flags, const void *ctx)
{
	uint64_t size = level_size(level), f = flags(ctx, pa, size);

	if (level > 0 && (f == MIXED || (level == 2 && f && !pg.page1g))) {
		for (paddr_t p = pa; p < pa + size; p += level_size(level - 1))
			map_block(pml4, p, level - 1, flags, ctx);
	} else if (f) {
		map_page(pml4, DMAP_BASE + pa, pa, level, f);
	}
}

static void map_dmap(uint64_t *pml4, const struct bootinfo *bi, dmap_flags_fn flags, const void *ctx)
{
	uint64_t size = dmap_size(bi);

	for (paddr_t pa = 0; pa < size; pa += level_size(2))
		map_block(pml4, pa, 2, flags, ctx);
}

static uint64_t boot_flags(const void *ctx, paddr_t pa, uint64_t len)
{
	uint64_t k = dmap_kind(ctx, pa, len, true);

	return k == 1 ? PTE_P | PTE_W | pg.nx | pg.global : k;
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

/*
 * The device window: one PML4 slot whose tables every kernel's tables share
 * (the boot tables, the early ones until the switch, each cluster's), so a
 * mapping made on any core at any time is seen everywhere. All its tables
 * are here, in the shared image section (reachable from every cluster;
 * boot memory is not): one directory for the window's 1 GiB and a pool of
 * page tables, given out as needed. Ranges under 2 MiB are packed in 4 KiB
 * pages from the start of the window; larger ones (framebuffers) go above
 * DEV_SMALL, aligned so that 2 MiB pages line up with the physical ones.
 * Mappings are never removed, so no TLB shootdown is ever needed
 * (non-present entries are not cached).
 */
#define DEV_WINDOW (1ull << 30)
#define DEV_SMALL (16 * LARGE_PAGE_SIZE)
#define DEV_PTS 16
#define DEV_RECORDS 64

struct dev_map {
	paddr_t pa;
	uint64_t len;
	vaddr_t va;
	enum mem_type type;
};

static struct {
	uint64_t pdpt[512], pd[512];     /* the window, its 1 GiB */
	uint64_t pt[DEV_PTS][512];       /* page tables, given out in order */
	uint32_t pts_used;
	const struct bootinfo *bi;
	uint64_t nx;
	uint64_t small_next, large_next; /* window offsets in use up to */
	uint32_t lock, n;
	struct dev_map map[DEV_RECORDS];
} dev KSHARED __attribute__((aligned(PAGE_SIZE)));

static paddr_t dev_table_pa(const uint64_t *t)
{
	return kimage_to_phys(t);
}

static uint64_t type_bits(enum mem_type t)
{
	return t == MEM_WC ? PTE_PWT : t == MEM_UC ? PTE_PCD | PTE_PWT : 0;
}

static void dev_lock(void)
{
	while (__atomic_exchange_n(&dev.lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

static void dev_unlock(void)
{
	__atomic_store_n(&dev.lock, 0, __ATOMIC_RELEASE);
}

/* The page table under directory entry i, taken from the pool if absent;
 * NULL when the pool is used up (or a 2 MiB page is there). */
static uint64_t *dev_pt(unsigned i)
{
	uint64_t *t;

	if (dev.pd[i] & PTE_P)
		return dev.pd[i] & PTE_PS ? NULL
					  : dev.pt[((dev.pd[i] & PTE_ADDR) - dev_table_pa(dev.pt[0])) >> 12];
	if (dev.pts_used == DEV_PTS)
		return NULL;
	t = dev.pt[dev.pts_used++];
	dev.pd[i] = dev_table_pa(t) | PTE_P | PTE_W;
	return t;
}

/* One leaf of the window at offset off, level 0 or 1; false if out of tables. */
static bool dev_leaf(uint64_t off, paddr_t pa, int level, uint64_t flags)
{
	uint64_t *t = level ? dev.pd : dev_pt(idx(off, 1));

	if (!t)
		return false;
	t[idx(off, level)] = pa | flags | (level ? PTE_PS : 0);
	return true;
}

/* Map [pa, pa + len) (page aligned) at window offset off: 2 MiB pages
 * where both sides are aligned and the whole page is inside the range. */
static bool dev_map_at(uint64_t off, paddr_t pa, uint64_t len, uint64_t flags)
{
	for (uint64_t done = 0; done < len;) {
		bool big = ((off + done) | (pa + done)) % LARGE_PAGE_SIZE == 0 &&
			   len - done >= LARGE_PAGE_SIZE;

		if (!dev_leaf(off + done, pa + done, big, flags))
			return false;
		done += big ? LARGE_PAGE_SIZE : PAGE_SIZE;
	}
	return true;
}

static const struct dev_map *dev_find(paddr_t pa, uint64_t len, enum mem_type type)
{
	for (uint32_t i = 0; i < dev.n; i++) {
		const struct dev_map *m = &dev.map[i];
		if (m->type == type && pa >= m->pa && pa + len <= m->pa + m->len)
			return m;
	}
	return NULL;
}

/* Window offset for `bytes` from physical page pa, or ~0 if there is no
 * room (a failed mapping leaves its window space unused). */
static uint64_t dev_place(paddr_t pa, uint64_t bytes)
{
	uint64_t off;

	if (bytes < LARGE_PAGE_SIZE && dev.small_next + bytes <= DEV_SMALL) {
		off = dev.small_next;
		dev.small_next += bytes;
		return off;
	}
	off = ALIGN_UP(MAX(dev.large_next, DEV_SMALL), LARGE_PAGE_SIZE) + pa % LARGE_PAGE_SIZE;
	if (bytes > DEV_WINDOW || off > DEV_WINDOW - bytes)
		return ~0ull;
	dev.large_next = off + bytes;
	return off;
}

static void dev_record(paddr_t pa, uint64_t len, vaddr_t va, enum mem_type type)
{
	if (dev.n < DEV_RECORDS)
		dev.map[dev.n++] = (struct dev_map){ pa, len, va, type };
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

void *arch_map_device(paddr_t pa, uint64_t len, enum mem_type type)
{
	paddr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	uint64_t bytes, off;
	const struct dev_map *m;
	void *va = NULL;

	if (len == 0 || pa + len < pa || pa + len > (1ull << phys_addr_bits()))
		return NULL;
	bytes = ALIGN_UP(pa + len, PAGE_SIZE) - base;
	dev_lock();
	if ((m = dev_find(pa, len, type))) {
		va = (void *)(uintptr_t)(m->va + (pa - m->pa));
	} else if ((off = dev_place(base, bytes)) != ~0ull &&
		   dev_map_at(off, base, bytes, PTE_P | PTE_W | dev.nx | type_bits(type))) {
		dev_record(base, bytes, DEVMAP_BASE + off, type);
		va = (void *)(uintptr_t)(DEVMAP_BASE + off + (pa - base));
	}
	dev_unlock();
	return va;
}

/* Firmware data the direct map covers in every kernel's tables: the first
 * MiB and the ACPI regions (available RAM is not mapped in every cluster). */
static bool firmware_mapped(paddr_t pa, uint64_t len)
{
	if (!dev.bi || len == 0 || pa + len < pa)
		return false;
	for (paddr_t p = ALIGN_DOWN(pa, PAGE_SIZE); p < pa + len; p += PAGE_SIZE)
		if (p >= LOW_MEM && dmap_kind(dev.bi, p, PAGE_SIZE, false) != 1)
			return false;
	return true;
}

const void *arch_map_firmware(paddr_t pa, uint64_t len)
{
	if (firmware_mapped(pa, len))
		return phys_to_virt(pa);
	return arch_map_device(pa, len, MEM_WB);
}

/* The device window in the tables at pml4 (and so in all that copy it). */
static void dev_install(uint64_t *pml4)
{
	pml4[idx(DEVMAP_BASE, 3)] = dev_table_pa(dev.pdpt) | PTE_P | PTE_W;
}

static void dev_init(const struct bootinfo *bi)
{
	dev.bi = bi;
	dev.nx = pg.nx;
	dev.pdpt[0] = dev_table_pa(dev.pd) | PTE_P | PTE_W;
	/* The early tables too: the screen moves to the window before the
	 * switch (console_screen_remap). */
	dev_install(phys_to_virt(read_cr3() & PTE_ADDR));
}

void arch_paging_init(struct bootmem *bm, const struct bootinfo *bi, const struct cpu_features *f)
{
	uint64_t *pml4;

	pg.bm = bm;
	pg.limit = DMAP_MIN_SIZE;
	pg.nx = f->nx ? PTE_NX : 0;
	pg.global = f->pge ? PTE_G : 0;
	pg.page1g = f->page1g;
	pg.f = f;
	dev_init(bi);
	pml4 = table_alloc();
	map_dmap(pml4, bi, boot_flags, bi);
	dev_install(pml4);
	map_image(pml4, __text_start, __text_end, 0);
	map_image(pml4, __rodata_start, __rodata_end, pg.nx);
	map_image(pml4, __shared_start, __shared_end, PTE_W | pg.nx);
	map_image(pml4, __data_start, __data_end, PTE_W | pg.nx);
	pg.pml4 = pml4;
}

void arch_paging_load(void)
{
	kernel_pml4_paddr = (paddr_t)(uintptr_t)pg.pml4 - DMAP_BASE;
	write_cr3(kernel_pml4_paddr);
	vspace_pcid_init(pg.f->pcid, pg.f->invpcid);
}

/* A kernel page table's address: the device window's own tables lie in
 * the image (not in every direct map), all others are reached directly. */
static const uint64_t *table_va(paddr_t pa)
{
	paddr_t d = kimage_to_phys(&dev);

	if (pa >= d && pa < d + sizeof(dev))
		return (const uint64_t *)(uintptr_t)((uintptr_t)&dev + (pa - d));
	return phys_to_virt(pa);
}

uint64_t arch_pte_flags(vaddr_t va)
{
	const uint64_t *t = phys_to_virt(read_cr3() & PTE_ADDR);

	for (int l = 3; l >= 0; l--) {
		uint64_t e = t[idx(va, l)];
		if (!(e & PTE_P))
			return 0;
		if (l == 0 || (e & PTE_PS))
			return e & ~PTE_ADDR;
		t = table_va(e & PTE_ADDR);
	}
	return 0;
}

/*
 * A cluster's kernel tables (DESIGN §2): the image (text, rodata, the shared
 * section) and this cluster's own copy of .data/.bss at the same virtual
 * addresses; in the direct map, only the RAM the cluster may use (its
 * partition and the shared region, read-write; the boot modules, read-only)
 * and the firmware memory of the boot tables' direct map (the first MiB,
 * ACPI regions); devices through the shared device window. Another cluster's
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

/* PTE flags for [pa, pa + len) in the cluster's direct map, 0 = unmapped,
 * MIXED = look closer. Memory that is not RAM is mapped as in the boot
 * tables' direct map (the first MiB, ACPI regions), by the same rules. */
static uint64_t cluster_flags(const void *ctx, paddr_t pa, uint64_t len)
{
	const struct kmap_spec *s = ctx;

	if (pa < LARGE_PAGE_SIZE && len > PAGE_SIZE)
		return MIXED;
	if (in_ranges(s->rw, s->n_rw, pa, len))
		return PTE_P | PTE_W | pg.nx;
	if (!touches_ram(s->bi, pa, len)) {
		uint64_t k = dmap_kind(s->bi, pa, len, false);
		return k == 1 ? PTE_P | PTE_W | pg.nx : k;
	}
	if (in_ranges(s->ro, s->n_ro, pa, len))
		return PTE_P | pg.nx;
	if (len == PAGE_SIZE)
		return 0;
	for (uint32_t i = 0; i < s->n_rw; i++)
		if (s->rw[i].base < pa + len && pa < s->rw[i].end)
			return MIXED;
	for (uint32_t i = 0; i < s->n_ro; i++)
		if (s->ro[i].base < pa + len && pa < s->ro[i].end)
			return MIXED;
	for (uint32_t i = 0; i < s->bi->mem_count; i++) {
		const struct bi_mem_region *m = &s->bi->mem[i];
		if (m->type == BI_MEM_AVAILABLE && m->base <= pa && pa + len <= m->base + m->len)
			return 0; /* all RAM, none of it ours */
	}
	return MIXED;
}

paddr_t arch_cluster_tables(struct bootmem *bm, const struct kmap_spec *s)
{
	uint64_t *pml4;

	pg.bm = bm;
	pg.limit = ~0ull;
	pml4 = table_alloc();
	map_dmap(pml4, s->bi, cluster_flags, s);
	dev_install(pml4);
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

/* --- boot self-tests of the memory types (test=suite) --- */

struct dmap_audit {
	const struct bootinfo *bi;
	uint64_t leaves[3], bad_type, bad_region;
};

/* Every leaf of the direct map in the tables at t (level l, covering
 * physical pa onwards): within regions the direct map may cover, a large
 * one within one memory type. */
static void audit_dmap(struct dmap_audit *a, const uint64_t *t, int l, paddr_t pa)
{
	for (unsigned i = 0; i < 512; i++) {
		paddr_t p = pa + i * level_size(l);
		uint64_t e = t[i];

		if (!(e & PTE_P))
			continue;
		if (l > 0 && !(e & PTE_PS)) {
			audit_dmap(a, phys_to_virt(e & PTE_ADDR), l - 1, p);
			continue;
		}
		a->leaves[l]++;
		if ((e & PTE_ADDR & ~(level_size(l) - 1)) != p || (e & (PTE_PCD | PTE_PWT)))
			a->bad_type++;
		if (dmap_kind(a->bi, p, level_size(l), true) != 1)
			a->bad_region++;
	}
}

static bool dev_type_ok(const struct dev_map *m)
{
	uint64_t f = arch_pte_flags(m->va);

	return (f & PTE_P) && (f & (PTE_PCD | PTE_PWT)) == type_bits(m->type) && (f & PTE_W);
}

/* Leaves of the direct map in the current tables. */
static struct dmap_audit audit_current(void)
{
	const uint64_t *pml4 = phys_to_virt(read_cr3() & PTE_ADDR);
	struct dmap_audit a = { dev.bi, { 0 }, 0, 0 };

	for (unsigned i = idx(DMAP_BASE, 3); i < idx(DMAP_BASE, 3) + DMAP_MAX_SIZE / level_size(3); i++)
		if (pml4[i] & PTE_P)
			audit_dmap(&a, phys_to_virt(pml4[i] & PTE_ADDR), 2,
				   (paddr_t)(i - idx(DMAP_BASE, 3)) * level_size(3));
	return a;
}

void arch_paging_report(void)
{
	struct dmap_audit a = audit_current();

	kprintf("  direct map: %llu/%llu/%llu pages of 4K/2M/1G; PAT %s; %u device mappings\n",
		(unsigned long long)a.leaves[0], (unsigned long long)a.leaves[1],
		(unsigned long long)a.leaves[2], pg.f->pat ? "PA1 write-combining" : "absent (WC is WT)",
		dev.n);
}

void arch_paging_selftests(void)
{
	struct dmap_audit a = audit_current();
	uint32_t wc = 0, uc = 0, typed = 0, hidden = 0;

	ktest_result(!pg.f->pat || rdmsr(MSR_PAT) == PAT_ATOLL, "PAT programmed: PA1 write-combining (%#llx)",
		     (unsigned long long)rdmsr(MSR_PAT));
	ktest_result(a.bad_type == 0 && a.bad_region == 0 && a.leaves[0] + a.leaves[1] + a.leaves[2],
		     "direct map: %llu/%llu/%llu pages of 4K/2M/1G, all write-back RAM/ACPI/first MiB, "
		     "none over two memory types (%llu, %llu wrong)",
		     (unsigned long long)a.leaves[0], (unsigned long long)a.leaves[1],
		     (unsigned long long)a.leaves[2], (unsigned long long)a.bad_type,
		     (unsigned long long)a.bad_region);
	for (uint32_t i = 0; i < dev.n; i++) {
		const struct dev_map *m = &dev.map[i];
		wc += m->type == MEM_WC;
		uc += m->type == MEM_UC;
		typed += dev_type_ok(m);
		hidden += m->type == MEM_WB || !arch_pte_flags(DMAP_BASE + m->pa);
	}
	ktest_result(dev.n && typed == dev.n && hidden == dev.n && uc >= 1,
		     "device window: %u mappings (%u uncached, %u write-combining), each with its "
		     "PAT type, none also in the direct map", dev.n, uc, wc);
	ktest_result(!arch_pte_flags(DMAP_BASE + 0xFEC00000ull) && !arch_pte_flags(DMAP_BASE + 0xFEE00000ull) &&
			     !arch_pte_flags(DMAP_BASE + VGA_WINDOW),
		     "I/O APIC, local APIC and VGA pages are not in the direct map");
}
