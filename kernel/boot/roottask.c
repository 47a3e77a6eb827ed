/*
 * The root task: the kernel's last act of boot-time allocation. Everything
 * it builds comes from bootmem; what remains free afterwards is handed over
 * as untyped capabilities, and boot memory is closed.
 */
#include "abi/bootinfo.h"
#include "arch/vspace.h"
#include "console.h"
#include "elf.h"
#include "kcheck.h"
#include "kstring.h"
#include "ktest.h"
#include "object.h"
#include "panic.h"
#include "roottask.h"
#include "sched.h"
#include "smp.h"
#include "xnotif.h"

#define RT_PRIO 255

_Static_assert(sizeof(struct abi_bootinfo) <= ABI_BOOTINFO_PAGES * 4096, "boot information fits its pages");

/* Per cluster (copied .bss), under the kernel lock: the derivation list starts here. */
static struct cte cdt_head;

struct cte *roottask_cdt_head(void)
{
	return &cdt_head;
}

/* A boot capability: an original, appended at the end of the one
 * derivation list of the cluster (after the children of the ones before). */
static void boot_cap(struct cte *dest, struct cap cap)
{
	struct cte *tail = &cdt_head;

	while (mdb_next(tail))
		tail = mdb_next(tail);
	cdt_insert(dest, cap, tail, MDB_REVOCABLE);
}

/* Boot only: the cluster's first core, while it builds the root task. */
static struct {
	struct bootmem *bm;
	uint64_t *pml4;
	paddr_t pml4_pa;
	struct cte *cnode;
	struct abi_bootinfo *bi;
	uint32_t next_slot;
} rt;

static paddr_t alloc(uint64_t size, uint64_t align)
{
	paddr_t pa = bootmem_alloc(rt.bm, size, align, ~0ull);

	if (!pa)
		panic("root task: out of boot memory");
	memset(phys_to_virt(pa), 0, size);
	return pa;
}

/* Map one 4 KiB page, making the missing paging structures on the way. */
static void map_page(vaddr_t va, paddr_t pa, bool write, bool nx)
{
	for (int level = PT_LEVEL_PDPT; level >= PT_LEVEL_PT; level--)
		if (!vspace_has_table(rt.pml4, va, level) &&
		    vspace_map_table(rt.pml4, va, level, alloc(PAGE_SIZE, PAGE_SIZE)) != E_OK)
			panic("root task: cannot map %#llx", (unsigned long long)va);
	if (vspace_map_frame(rt.pml4, va, pa, false, write, nx) != E_OK)
		panic("root task: page %#llx mapped twice", (unsigned long long)va);
}

/* Load the ELF image: fresh frames for every page of every segment. */
static uint64_t load_elf(const struct bi_module *mod)
{
	struct elf_info info;
	const uint8_t *img = phys_to_virt(mod->start);
	const char *err = elf_parse(img, mod->end - mod->start, ABI_MODULES_VADDR, &info);

	if (err)
		panic("root task module '%s': %s", mod->name, err);
	for (uint32_t i = 0; i < info.count; i++) {
		const struct elf_segment *s = &info.seg[i];
		for (vaddr_t va = ALIGN_DOWN(s->vaddr, PAGE_SIZE); va < s->vaddr + s->memsz; va += PAGE_SIZE) {
			paddr_t pa = alloc(PAGE_SIZE, PAGE_SIZE);
			uint64_t lo = MAX(va, s->vaddr), hi = MIN(va + PAGE_SIZE, s->vaddr + s->filesz);
			if (hi > lo)
				memcpy((uint8_t *)phys_to_virt(pa) + (lo - va), img + s->offset + (lo - s->vaddr), hi - lo);
			map_page(va, pa, s->flags & ELF_PF_W, !(s->flags & ELF_PF_X));
		}
	}
	return info.entry;
}

/* Map the other modules read-only, each at a 2 MiB boundary, and list them. */
static void map_modules(const struct bootinfo *bi)
{
	vaddr_t va = ABI_MODULES_VADDR;

	for (uint32_t i = 0; i < bi->module_count && i < ABI_MAX_MODULES; i++) {
		const struct bi_module *m = &bi->modules[i];
		struct abi_module *am = &rt.bi->modules[rt.bi->module_count++];
		am->vaddr = va + (m->start & (PAGE_SIZE - 1));
		am->size = m->end - m->start;
		memcpy(am->name, m->name, MIN(sizeof(am->name) - 1, strlen(m->name)));
		for (paddr_t pa = ALIGN_DOWN(m->start, PAGE_SIZE); pa < m->end; pa += PAGE_SIZE, va += PAGE_SIZE)
			map_page(va, pa, false, true);
		va = ALIGN_UP(va, LARGE_PAGE_SIZE);
	}
}

static struct cte *slot(uint32_t i)
{
	return &rt.cnode[i];
}

/* A frame of the root task's own, mapped at va, with a capability in `s`. */
static paddr_t mapped_frame(vaddr_t va, uint32_t s, uint32_t asid)
{
	paddr_t pa = alloc(PAGE_SIZE, PAGE_SIZE);

	map_page(va, pa, true, true);
	boot_cap(slot(s), cap_make(OBJ_FRAME_4K, RIGHTS_ALL, 0, false, pa, va | asid));
	return pa;
}

/* Carve [base, end) into maximal naturally aligned power-of-two blocks. */
static void add_untyped(paddr_t base, paddr_t end)
{
	while (base < end && rt.next_slot < (1u << ABI_ROOT_CNODE_RADIX) &&
	       rt.bi->untyped_count < ABI_MAX_UNTYPED) {
		unsigned bits = 12;
		while (bits < 47 && !(base & ((2ull << bits) - 1)) && base + (2ull << bits) <= end)
			bits++;
		/* Watermark at the top: the memory is not known to be zero, so
		 * the first retype clears it (preemptibly; untyped.c). */
		boot_cap(slot(rt.next_slot++), cap_make(OBJ_UNTYPED, RIGHTS_ALL, bits, false, base, 1ull << bits));
		rt.bi->untyped[rt.bi->untyped_count++] = (struct abi_untyped){ base, (uint8_t)bits, 0, { 0 } };
		base += 1ull << bits;
	}
}

static uint64_t untyped_bytes(void)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < rt.bi->untyped_count; i++)
		n += 1ull << rt.bi->untyped[i].size_bits;
	return n;
}

static void fill_bootinfo(const struct kernel_boot *kb)
{
	const struct cpu_features *f = &kb->cpu;

	rt.bi->magic = ABI_BOOTINFO_MAGIC;
	rt.bi->cluster_id = cluster.id;
	rt.bi->cluster_count = cluster.count;
	rt.bi->core_first = cluster.first_core;
	rt.bi->core_count = cluster.ncores;
	for (uint32_t i = 0; i < cluster.ncores && i < ARRAY_SIZE(rt.bi->core_apic); i++)
		rt.bi->core_apic[i] = cluster.core_apic[cluster.first_core + i];
	rt.bi->cnode_radix = ABI_ROOT_CNODE_RADIX;
	rt.bi->ipcbuf_vaddr = ABI_IPCBUF_VADDR;
	rt.bi->tsc_hz = f->tsc_hz;
	rt.bi->cpu_features = (f->pcid ? ABI_CPU_PCID : 0) | (f->x2apic ? ABI_CPU_X2APIC : 0) |
			      (f->tsc_deadline ? ABI_CPU_TSC_DEADLINE : 0) |
			      (f->invariant_tsc ? ABI_CPU_INVARIANT_TSC : 0) | (f->smep ? ABI_CPU_SMEP : 0) |
			      (f->smap ? ABI_CPU_SMAP : 0) | (f->fsgsbase ? ABI_CPU_FSGSBASE : 0) |
			      (f->rdtscp ? ABI_CPU_RDTSCP : 0);
	memcpy(rt.bi->cpu_brand, f->brand, sizeof(rt.bi->cpu_brand) - 1);
	ktest_counts(&rt.bi->ktests_passed, &rt.bi->ktests_failed);
	if (kb->bi.has_cmdline)
		memcpy(rt.bi->cmdline, kb->bi.cmdline, sizeof(rt.bi->cmdline) - 1);
}

/* The cross-cluster channels (DESIGN §2): our inbound notification, a
 * badged signal capability to every other cluster's, and both ring pages
 * of every pair we are in, from the shared region. */
static void make_channels(void)
{
	uint32_t me = cluster.id;

	if (cluster.count < 2)
		return;
	boot_cap(slot(ROOT_XNOTIF), cap_make(OBJ_XNOTIF, RIGHT_READ, 0, false, me, 0));
	for (uint32_t j = 0; j < cluster.count && j < ABI_MAX_CLUSTERS; j++) {
		struct abi_channel *ch = &rt.bi->chan[j];
		if (j == me)
			continue;
		ch->tx_vaddr = ABI_CHAN_VADDR + 2ull * j * ABI_CHAN_RING_BYTES;
		ch->rx_vaddr = ch->tx_vaddr + ABI_CHAN_RING_BYTES;
		ch->badge = xnotif_badge_of(j);
		ch->signal_slot = ROOT_CHAN_SIGNAL + j;
		ch->ring_bytes = ABI_CHAN_RING_BYTES;
		map_page(ch->tx_vaddr, chan_ring_pa(me, j), true, true);
		map_page(ch->rx_vaddr, chan_ring_pa(j, me), true, true);
		boot_cap(slot(ch->signal_slot),
			   cap_make(OBJ_XNOTIF, RIGHT_WRITE, 0, false, j, xnotif_badge_of(me)));
	}
}

static struct tcb *make_tcb(uint32_t asid)
{
	paddr_t pa = alloc(PAGE_SIZE, PAGE_SIZE);
	struct tcb *t = phys_to_virt(pa);

	boot_cap(slot(ROOT_TCB), cap_make(OBJ_TCB, RIGHTS_ALL, 0, false, pa, 0));
	cdt_insert(&t->slots[TCB_CSPACE], slot(ROOT_CNODE)->cap, slot(ROOT_CNODE), 0);
	cdt_insert(&t->slots[TCB_VSPACE], slot(ROOT_VSPACE)->cap, slot(ROOT_VSPACE), 0);
	cdt_insert(&t->slots[TCB_IPCBUF], slot(ROOT_IPCBUF)->cap, slot(ROOT_IPCBUF), 0);
	t->ipcbuf_vaddr = ABI_IPCBUF_VADDR;
	t->rq.prio = RT_PRIO;
	t->mcp = RT_PRIO;
	memcpy(t->name, "root", 5);
	(void)asid;
	return t;
}

void roottask_create(struct kernel_boot *kb, const struct bi_module *mod)
{
	uint64_t radix = ABI_ROOT_CNODE_RADIX, cnode_bytes = 32ull << ABI_ROOT_CNODE_RADIX;
	paddr_t cnode_pa, bi_pa;
	uint32_t asid;
	uint64_t entry;
	struct tcb *t;

	rt.bm = &kb->bm;
	asid_table_init(phys_to_virt(alloc(ALIGN_UP(sizeof(struct asid_table), PAGE_SIZE), PAGE_SIZE)));
	rt.pml4_pa = alloc(PAGE_SIZE, PAGE_SIZE);
	rt.pml4 = phys_to_virt(rt.pml4_pa);
	vspace_pml4_init(rt.pml4);
	asid = asid_alloc(rt.pml4_pa);
	cnode_pa = alloc(cnode_bytes, cnode_bytes);
	rt.cnode = phys_to_virt(cnode_pa);
	boot_cap(slot(ROOT_CNODE), cap_make(OBJ_CNODE, RIGHTS_ALL, radix, false, cnode_pa, 64 - radix));
	boot_cap(slot(ROOT_VSPACE), cap_make(OBJ_PML4, RIGHTS_ALL, 0, false, rt.pml4_pa, asid));
	/* Every root task may print, read its cluster's counters and end the
	 * run (a failing cluster must be able to say so); what it passes on
	 * is its choice, with fewer rights if it likes (docs/abi.md). */
	boot_cap(slot(ROOT_DEBUG), cap_make(OBJ_DEBUG, RIGHTS_ALL, 0, false, 0, 0));
	if (cluster.id == 0) { /* device interrupts and ports belong to cluster 0 */
		boot_cap(slot(ROOT_IRQ_CONTROL), cap_make(OBJ_IRQ_CONTROL, RIGHTS_ALL, 0, false, 0, 0));
		boot_cap(slot(ROOT_IOPORT_CONTROL),
			   cap_make(OBJ_IOPORT_CONTROL, RIGHTS_ALL, 0, false, 0, 0));
	}
	entry = load_elf(mod);
	bi_pa = alloc(ABI_BOOTINFO_PAGES * PAGE_SIZE, PAGE_SIZE);
	rt.bi = phys_to_virt(bi_pa);
	for (uint32_t i = 0; i < ABI_BOOTINFO_PAGES; i++)
		map_page(ABI_BOOTINFO_VADDR + i * PAGE_SIZE, bi_pa + i * PAGE_SIZE, false, true);
	boot_cap(slot(ROOT_BOOTINFO),
		   cap_make(OBJ_FRAME_4K, RIGHT_READ, 0, false, bi_pa, ABI_BOOTINFO_VADDR | asid));
	mapped_frame(ABI_IPCBUF_VADDR, ROOT_IPCBUF, asid);
	for (uint32_t i = 1; i <= ABI_STACK_PAGES; i++)
		map_page(ABI_STACK_TOP - i * PAGE_SIZE, alloc(PAGE_SIZE, PAGE_SIZE), true, true);
	map_modules(&kb->bi);
	t = make_tcb(asid);
	fill_bootinfo(kb);
	make_channels();
	kcheck_init(kb, rt.pml4_pa, strcmp(kb->opts.test, "kcheck") == 0);
	bootmem_close(&kb->bm);
	rt.next_slot = ROOT_FIRST_FREE_FIXED;
	rt.bi->untyped_first = rt.next_slot;
	for (uint32_t i = 0; i < kb->bm.count; i++)
		add_untyped(kb->bm.free[i].base, kb->bm.free[i].end);
	rt.bi->empty_first = rt.next_slot;
	rt.bi->empty_last = 1u << ABI_ROOT_CNODE_RADIX;
	arch_regs_init(&t->regs, entry, ABI_STACK_TOP - 8);
	t->regs.rdi = ABI_BOOTINFO_VADDR;
	t->state = TS_RUNNABLE;
	sched_enqueue(t);
	kprintf("Cluster %u: root task '%s', entry %#llx, %u untyped capabilities (%llu MiB), slots %u-%u free\n",
		cluster.id, mod->name, (unsigned long long)entry, rt.bi->untyped_count,
		(unsigned long long)(untyped_bytes() >> 20), rt.bi->empty_first, rt.bi->empty_last - 1);
}
