/* Applications: a process with a fixed capability set and a boot
 * information page of its own (see atoll/app.h). */
#include "atoll/app.h"
#include "kstring.h"

/* A spawner-VSpace page where each copied frame is filled before it moves. */
#define APP_SCRATCH_VADDR 0x69000000ull
#define ATTR_NX 1u

_Static_assert(sizeof(struct abi_bootinfo) <= ABI_BOOTINFO_PAGES * 4096, "boot information fits its pages");
_Static_assert(ABI_BOOTINFO_PAGES < APP_MAX_COPIED, "room for an image after the boot information");

/* The boot information being built for the next application: one spawn at
 * a time (a program spawns from one thread; app_spawn is not reentrant). */
static struct abi_bootinfo app_bi;

/* Copy len bytes at src into fresh frames mapped read-only at va in the
 * application's space; the frames are listed in a->copied. */
static uint64_t copy_in(struct app *a, uint64_t va, const void *src, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += 4096) {
		uint64_t n = len - off < 4096 ? len - off : 4096, e;
		cptr_t f;

		if (a->ncopied == APP_MAX_COPIED)
			return E_RANGE_ERROR;
		if (!(f = obj_alloc(OBJ_FRAME_4K, 0, &e)))
			return e;
		a->copied[a->ncopied++] = f;
		if ((e = map_frame_anywhere(f, ROOT_VSPACE, APP_SCRATCH_VADDR, RIGHT_READ | RIGHT_WRITE)))
			return e;
		memset((void *)(uintptr_t)APP_SCRATCH_VADDR, 0, 4096);
		memcpy((void *)(uintptr_t)APP_SCRATCH_VADDR, (const uint8_t *)src + off, n);
		if ((e = atoll_frame_unmap(f)) || (e = process_map(&a->p, f, va + off, RIGHT_READ, ATTR_NX)))
			return e;
	}
	return E_OK;
}

static const struct abi_module *find_module(const char *name)
{
	const struct abi_bootinfo *bi = (const void *)(uintptr_t)ABI_BOOTINFO_VADDR;

	for (uint32_t i = 0; i < bi->module_count && i < ABI_MAX_MODULES; i++)
		if (strncmp(bi->modules[i].name, name, sizeof(bi->modules[i].name)) == 0)
			return &bi->modules[i];
	return NULL;
}

/* The application's boot information: the spawner's machine facts, its
 * own CNode layout, its untyped, its image and its command line. */
static void app_fill_bootinfo(const struct app_params *prm, const struct abi_module *m)
{
	const struct abi_bootinfo *mine = (const void *)(uintptr_t)ABI_BOOTINFO_VADDR;
	struct abi_bootinfo *bi = &app_bi;

	memset(bi, 0, sizeof(*bi));
	bi->magic = ABI_BOOTINFO_MAGIC;
	bi->cluster_id = mine->cluster_id;
	bi->cluster_count = 1; /* it has no cross-cluster channels */
	bi->core_first = mine->core_first;
	bi->core_count = mine->core_count;
	memcpy(bi->core_apic, mine->core_apic, sizeof(bi->core_apic));
	bi->tsc_hz = mine->tsc_hz;
	bi->cpu_features = mine->cpu_features;
	memcpy(bi->cpu_brand, mine->cpu_brand, sizeof(bi->cpu_brand));
	bi->cnode_radix = PROC_CNODE_RADIX;
	bi->empty_first = APP_SLOT_FREE;
	bi->empty_last = 1u << PROC_CNODE_RADIX;
	bi->ipcbuf_vaddr = PROC_IPCBUF_VADDR;
	if (prm->untyped_bits) {
		bi->untyped_first = APP_SLOT_UNTYPED;
		bi->untyped_count = 1;
		bi->untyped[0].size_bits = (uint8_t)prm->untyped_bits;
	}
	if (prm->give_image) {
		bi->module_count = 1;
		bi->modules[0].vaddr = ABI_MODULES_VADDR + (m->vaddr & 4095);
		bi->modules[0].size = m->size;
		memcpy(bi->modules[0].name, m->name, sizeof(bi->modules[0].name));
	}
	if (prm->cmdline)
		memcpy(bi->cmdline, prm->cmdline, strnlen(prm->cmdline, sizeof(bi->cmdline) - 1));
}

/* Its fixed slots beyond those process_spawn fills: exit, debug, untyped. */
static uint64_t app_fill_slots(struct app *a, const struct app_params *prm)
{
	cptr_t c = a->p.cnode;
	uint64_t e;

	if ((e = atoll_cnode_mint(c, APP_SLOT_EXIT, prm->ep, RIGHT_WRITE, prm->exit_badge)) ||
	    (e = atoll_cnode_copy(c, APP_SLOT_DEBUG, atoll_debug_cap, DEBUG_RIGHT_PUTS)))
		return e;
	if (!prm->untyped_bits)
		return E_OK;
	if (!(a->untyped = obj_alloc(OBJ_UNTYPED, prm->untyped_bits, &e)))
		return e;
	return atoll_cnode_copy(c, APP_SLOT_UNTYPED, a->untyped, RIGHTS_ALL);
}

static uint64_t fail(struct app *a, const char *why, uint64_t e)
{
	a->why = why;
	app_destroy(a);
	return e;
}

uint64_t app_spawn(struct app *a, const struct app_params *prm)
{
	const struct abi_module *m = find_module(prm->module);
	uint64_t e;

	memset(a, 0, sizeof(*a));
	if (!m)
		return fail(a, "app: no such boot module", E_FAILED_LOOKUP);
	if (!prm->fault_badge || !prm->exit_badge || (prm->untyped_bits && (prm->untyped_bits < 12 || prm->untyped_bits > 40)))
		return fail(a, "app: bad parameters (badges must be nonzero, untyped 12..40 bits)", E_INVALID_ARGUMENT);
	if (!(a->fault_cap = slot_alloc()))
		return fail(a, "app: no free slot", E_NOT_ENOUGH_MEMORY);
	if ((e = atoll_cnode_mint(ROOT_CNODE, a->fault_cap, prm->ep, RIGHT_WRITE, prm->fault_badge))) {
		slot_free(a->fault_cap);
		a->fault_cap = 0;
		return fail(a, "app: cannot mint the fault endpoint", e);
	}
	/* Stopped until its boot information and capabilities are in place. */
	if ((e = process_spawn_stopped(&a->p, prm->module, ABI_BOOTINFO_VADDR, prm->prio, a->fault_cap)))
		return fail(a, a->p.why, e);
	/* Its MCP = its priority: it may run its own children up to that. */
	if ((e = atoll_tcb_set_mcp(a->p.tcb, prm->prio)))
		return fail(a, "app: cannot set its maximum priority", e);
	app_fill_bootinfo(prm, m);
	if ((e = app_fill_slots(a, prm)))
		return fail(a, "app: cannot fill its CNode", e);
	if ((e = copy_in(a, ABI_BOOTINFO_VADDR, &app_bi, sizeof(app_bi))))
		return fail(a, "app: cannot map its boot information", e);
	if (prm->give_image && (e = copy_in(a, ABI_MODULES_VADDR, (const void *)(uintptr_t)(m->vaddr & ~4095ull),
					     m->size + (m->vaddr & 4095))))
		return fail(a, "app: cannot map a copy of its image", e);
	if ((e = atoll_tcb_resume(a->p.tcb)))
		return fail(a, "app: cannot start its thread", e);
	return E_OK;
}

uint64_t app_give(struct app *a, uint64_t slot, cptr_t src, uint64_t rights, uint64_t badge)
{
	if (slot < APP_SLOT_GIVEN || slot >= APP_SLOT_GIVEN_END)
		return E_RANGE_ERROR;
	return process_give(&a->p, slot, src, rights, badge);
}

void app_destroy(struct app *a)
{
	if (a->p.tcb)
		atoll_tcb_suspend(a->p.tcb);
	slot_drop(&a->untyped); /* every object it made, its own children's too */
	process_destroy(&a->p);
	while (a->ncopied)
		slot_drop(&a->copied[--a->ncopied]);
	slot_drop(&a->fault_cap);
}
