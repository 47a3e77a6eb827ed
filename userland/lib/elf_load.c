/* Processes from boot modules: ELF loading into a new VSpace and CSpace
 * (see atoll/process.h). Root task only: uses the root allocators. */
#include "atoll/process.h"
#include "elf.h"
#include "kstring.h"

/* A root-VSpace page where each new frame is filled before it moves. */
#define SCRATCH_VADDR 0x68000000ull
#define ATTR_NX 1u

static struct abi_bootinfo *proc_bi;

void process_init(struct abi_bootinfo *bi)
{
	proc_bi = bi;
}

/* Without process_init: the root task's own boot-information frame. */
static const struct abi_module *module_find(const char *name)
{
	const struct abi_bootinfo *bi = proc_bi ? proc_bi : (const void *)(uintptr_t)ABI_BOOTINFO_VADDR;

	if (bi->magic != ABI_BOOTINFO_MAGIC)
		return NULL;
	for (uint32_t i = 0; i < bi->module_count && i < ABI_MAX_MODULES; i++)
		if (strncmp(bi->modules[i].name, name, sizeof(bi->modules[i].name)) == 0)
			return &bi->modules[i];
	return NULL;
}

/* --- the child's paging structures ---------------------------------------- */

static const uint64_t level_type[3] = { OBJ_PAGE_TABLE, OBJ_PAGE_DIRECTORY, OBJ_PDPT };

static bool has_table(const struct process *p, uint64_t key)
{
	for (unsigned i = 0; i < p->ntables; i++)
		if (p->table_va[i] == key)
			return true;
	return false;
}

/* Make the PDPT, page directory and page table covering va, where missing. */
static uint64_t ensure_tables(struct process *p, uint64_t va)
{
	for (int level = 2; level >= 0; level--) {
		uint64_t span = 1ull << (21 + 9 * level), key = (va & ~(span - 1)) | (uint64_t)level, e;
		cptr_t t;

		if (has_table(p, key))
			continue;
		if (p->ntables == PROC_MAX_TABLES)
			return E_RANGE_ERROR;
		if (!(t = obj_alloc(level_type[level], 0, &e)))
			return e;
		p->tables[p->ntables] = t;
		p->table_va[p->ntables++] = key;
		if ((e = atoll_page_table_map(t, p->vspace, va)))
			return e;
	}
	return E_OK;
}

uint64_t process_map(struct process *p, cptr_t frame, uint64_t vaddr, uint64_t rights, uint64_t attrs)
{
	uint64_t e = atoll_frame_map(frame, p->vspace, vaddr, rights, attrs);

	if (e != E_FAILED_LOOKUP)
		return e;
	if ((e = ensure_tables(p, vaddr)))
		return e;
	return atoll_frame_map(frame, p->vspace, vaddr, rights, attrs);
}

/* A fresh frame owned by the process, mapped at va in its space. With src,
 * it first holds `len` bytes from src at offset `off` and zeros elsewhere
 * (without, it is as retype left it: zero). */
static uint64_t child_page(struct process *p, uint64_t va, uint64_t rights, uint64_t attrs,
			   const uint8_t *src, uint64_t off, uint64_t len, cptr_t *out)
{
	uint64_t e;
	cptr_t f;

	if (p->nframes == PROC_MAX_FRAMES)
		return E_RANGE_ERROR;
	if (!(f = obj_alloc(OBJ_FRAME_4K, 0, &e)))
		return e;
	p->frames[p->nframes++] = f;
	if (src) {
		e = atoll_frame_map(f, ROOT_VSPACE, SCRATCH_VADDR, RIGHT_READ | RIGHT_WRITE, ATTR_NX);
		if (e == E_FAILED_LOOKUP) /* first use: make the root's tables there */
			e = map_frame_anywhere(f, ROOT_VSPACE, SCRATCH_VADDR, RIGHT_READ | RIGHT_WRITE);
		if (e)
			return e;
		memset((void *)(uintptr_t)SCRATCH_VADDR, 0, 4096);
		memcpy((uint8_t *)(uintptr_t)SCRATCH_VADDR + off, src, len);
		if ((e = atoll_frame_unmap(f)))
			return e;
	}
	if (out)
		*out = f;
	return process_map(p, f, va, rights, attrs);
}

/* --- loading ----------------------------------------------------------------- */

static uint64_t count_pages(const struct elf_info *info)
{
	uint64_t n = 1 + PROC_STACK_PAGES;

	for (uint32_t i = 0; i < info->count; i++) {
		const struct elf_segment *s = &info->seg[i];
		n += ((s->vaddr + s->memsz + 4095) >> 12) - (s->vaddr >> 12);
	}
	return n;
}

static uint64_t load_segment(struct process *p, const uint8_t *img, const struct elf_segment *s)
{
	uint64_t rights = RIGHT_READ | (s->flags & ELF_PF_W ? RIGHT_WRITE : 0);
	uint64_t attrs = s->flags & ELF_PF_X ? 0 : ATTR_NX, e;

	for (uint64_t va = s->vaddr & ~4095ull; va < s->vaddr + s->memsz; va += 4096) {
		uint64_t lo = va > s->vaddr ? va : s->vaddr, hi = va + 4096;
		if (hi > s->vaddr + s->filesz)
			hi = s->vaddr + s->filesz;
		if (hi < lo)
			hi = lo;
		e = child_page(p, va, rights, attrs, img + s->offset + (lo - s->vaddr), lo - va, hi - lo, NULL);
		if (e)
			return e;
	}
	return E_OK;
}

/* The thread area: IPC buffer page at its base, stack pages at its top. */
static uint64_t make_thread_area(struct process *p, cptr_t *ipcbuf)
{
	uint64_t e, rw = RIGHT_READ | RIGHT_WRITE;

	if ((e = child_page(p, PROC_IPCBUF_VADDR, rw, ATTR_NX, NULL, 0, 0, ipcbuf)))
		return e;
	for (uint64_t i = 1; i <= PROC_STACK_PAGES; i++)
		if ((e = child_page(p, PROC_THREAD_AREA + ABI_THREAD_AREA - i * 4096, rw, ATTR_NX, NULL, 0, 0, NULL)))
			return e;
	return E_OK;
}

/* The CNode's fixed slots (process.h). */
static uint64_t fill_cspace(struct process *p, cptr_t fault_ep)
{
	uint64_t e;

	if ((e = atoll_cnode_copy(p->cnode, PROC_SLOT_TCB, p->tcb, RIGHTS_ALL)) ||
	    (e = atoll_cnode_copy(p->cnode, PROC_SLOT_CNODE, p->cnode, RIGHTS_ALL)) ||
	    (e = atoll_cnode_copy(p->cnode, PROC_SLOT_VSPACE, p->vspace, RIGHTS_ALL)))
		return e;
	return fault_ep ? atoll_cnode_copy(p->cnode, PROC_SLOT_FAULT, fault_ep, RIGHTS_ALL) : E_OK;
}

static uint64_t start_thread(struct process *p, cptr_t fault_ep, cptr_t ipcbuf, uint64_t arg, uint64_t prio,
			     bool resume)
{
	uint64_t regs[REG_RDI + 1] = { 0 }, e;

	regs[REG_RIP] = p->entry;
	regs[REG_RSP] = PROC_THREAD_AREA + ABI_THREAD_AREA - 8;
	regs[REG_RFLAGS] = 0x202;
	regs[REG_RDI] = arg;
	if ((e = atoll_tcb_configure(p->tcb, fault_ep ? PROC_SLOT_FAULT : 0, p->cnode, p->vspace,
			       PROC_IPCBUF_VADDR, ipcbuf)) ||
	    (e = atoll_tcb_set_priority(p->tcb, prio)) ||
	    (e = atoll_tcb_write_registers(p->tcb, false, REG_RDI + 1, regs)))
		return e;
	return resume ? atoll_tcb_resume(p->tcb) : E_OK;
}

/* The thread's name in kernel messages (15 characters at most). */
static void name_thread(cptr_t tcb, const char *name)
{
	char buf[16] = { 0 };

	memcpy(buf, name, strnlen(name, sizeof(buf) - 1));
	memcpy(&atoll_ipcbuf->mr[4], buf, sizeof(buf));
	atoll_invoke(tcb, INV_DEBUG_NAME, 6, 0, 0, 0, 0);
}

static uint64_t build(struct process *p, const char *name, const uint8_t *img,
		      const struct elf_info *info, uint64_t arg, uint64_t prio, cptr_t fault_ep, bool resume)
{
	cptr_t ipcbuf = 0;
	uint64_t e;

	if (!(p->vspace = obj_alloc(OBJ_PML4, 0, &e)) ||
	    !(p->cnode = obj_alloc(OBJ_CNODE, PROC_CNODE_RADIX, &e)) ||
	    !(p->tcb = obj_alloc(OBJ_TCB, 0, &e))) {
		p->why = "process: out of memory for its objects";
		return e;
	}
	for (uint32_t i = 0; i < info->count; i++)
		if ((e = load_segment(p, img, &info->seg[i]))) {
			p->why = "process: cannot load a segment";
			return e;
		}
	if ((e = make_thread_area(p, &ipcbuf)) || (e = fill_cspace(p, fault_ep))) {
		p->why = "process: cannot make its thread area or CSpace";
		return e;
	}
	name_thread(p->tcb, name);
	if ((e = start_thread(p, fault_ep, ipcbuf, arg, prio, resume)))
		p->why = "process: cannot start its thread";
	return e;
}

static uint64_t spawn(struct process *p, const char *name, const void *img, uint64_t size, uint64_t arg,
		      uint64_t prio, cptr_t fault_ep, bool resume)
{
	struct elf_info info;
	uint64_t e;

	memset(p, 0, sizeof(*p));
	if ((p->why = elf_parse(img, size, PROC_VA_LIMIT, &info)))
		return E_INVALID_ARGUMENT;
	if (count_pages(&info) > PROC_MAX_FRAMES) {
		p->why = "process: image too large";
		return E_RANGE_ERROR;
	}
	p->entry = info.entry;
	if ((e = build(p, name, img, &info, arg, prio, fault_ep, resume)))
		process_destroy(p);
	return e;
}

uint64_t process_spawn_image(struct process *p, const void *img, uint64_t size, uint64_t arg,
			     uint64_t prio, cptr_t fault_ep)
{
	return spawn(p, "image", img, size, arg, prio, fault_ep, true);
}

static uint64_t spawn_module(struct process *p, const char *module_name, uint64_t arg, uint64_t prio,
			     cptr_t fault_ep, bool resume)
{
	const struct abi_module *m = module_find(module_name);

	if (!m) {
		memset(p, 0, sizeof(*p));
		p->why = "process: no such boot module";
		return E_FAILED_LOOKUP;
	}
	return spawn(p, module_name, (const void *)(uintptr_t)m->vaddr, m->size, arg, prio, fault_ep, resume);
}

uint64_t process_spawn(struct process *p, const char *module_name, uint64_t arg, uint64_t prio,
		       cptr_t fault_ep)
{
	return spawn_module(p, module_name, arg, prio, fault_ep, true);
}

uint64_t process_spawn_stopped(struct process *p, const char *module_name, uint64_t arg, uint64_t prio,
			       cptr_t fault_ep)
{
	return spawn_module(p, module_name, arg, prio, fault_ep, false);
}

uint64_t process_give(struct process *p, uint64_t slot, cptr_t src, uint64_t rights, uint64_t badge)
{
	if (!p->cnode)
		return E_INVALID_CAPABILITY;
	if (slot < PROC_SLOT_GIVEN || slot >= (1u << PROC_CNODE_RADIX))
		return E_RANGE_ERROR;
	if (!badge) /* a plain copy: works for every type, badged or not */
		return atoll_cnode_copy(p->cnode, slot, src, rights);
	return atoll_cnode_mint(p->cnode, slot, src, rights, badge);
}

/* --- destruction ------------------------------------------------------------- */

void slot_drop(cptr_t *s)
{
	if (!*s)
		return;
	while (atoll_cnode_revoke(ROOT_CNODE, *s) == E_PREEMPTED)
		;
	while (atoll_cnode_delete(ROOT_CNODE, *s) == E_PREEMPTED)
		;
	slot_free(*s);
	*s = 0;
}

void process_destroy(struct process *p)
{
	if (p->tcb)
		atoll_tcb_suspend(p->tcb);
	slot_drop(&p->tcb);
	slot_drop(&p->cnode);
	while (p->nframes)
		slot_drop(&p->frames[--p->nframes]);
	while (p->ntables) /* page tables before the directories above them */
		slot_drop(&p->tables[--p->ntables]);
	slot_drop(&p->vspace);
}
