/*
 * Invariants of address spaces (docs/invariants.md, group 3): the ASID
 * table names live PML4s and they name it back; every present entry of the
 * user half of every live PML4 links a paging structure of the next level
 * whose capabilities record exactly that place, or maps a frame of the
 * right size one of whose capabilities records exactly that mapping (and
 * has the write right if the entry is writable); nothing else is mapped,
 * except the root task's boot-time mappings, which have no capabilities.
 */
#include "arch/vspace.h"
#include "arch/vswalk.h"
#include "kc.h"
#include "printf.h"
#include "kobj.h"
#include "sched.h"
#include "smp.h"

struct walk {
	struct kc *k;
	const struct kc_index *x;
	uint32_t asid;
	paddr_t root;
};

uint64_t *kc_asid_root(uint32_t asid)
{
	uint64_t *pml4 = asid_pml4(asid);

	return pml4 && kc_kptr_ok(pml4, PAGE_SIZE) ? pml4 : NULL;
}

/* What lies at pa, for a report. */
static const char *describe(const struct kc_index *x, paddr_t pa, char *buf, size_t n)
{
	int o = kc_find_containing(x, pa);

	if (o >= 0)
		ksnprintf(buf, n, "%s %s object at %#llx", cap_type(kc_obj_slot(x, o)->cap) == CAP_ZOMBIE ? "a dying" : "a",
			  kc_type_name(kc_obj_kind(x, o)), (unsigned long long)x->ents[x->objs[o]].pa);
	else
		ksnprintf(buf, n, "%s", kc_mine(pa, 1) ? "the memory of no object" : "outside this cluster's partition");
	return buf;
}

/* The type a non-leaf entry of a table at `level` links. */
static unsigned linked_type(int level)
{
	return level == PT_LEVEL_PML4 ? OBJ_PDPT : level == PT_LEVEL_PDPT ? OBJ_PAGE_DIRECTORY : OBJ_PAGE_TABLE;
}

static bool check_link(struct walk *w, const struct vs_entry *e)
{
	int o = kc_find(w->x, e->target);
	char b[KC_STR];

	if (o >= 0 && kc_obj_type(w->x, o) == linked_type(e->level)) {
		struct cap c = kc_obj_slot(w->x, o)->cap; /* all its capabilities agree (inv_cdt.c) */
		if (cap_map_asid(c) == w->asid && cap_map_vaddr(c) == e->va)
			return true;
		/* Linked where its capability does not say: not walked further
		 * (what it maps is reported where it is recorded). */
		return kc_fail(w->k, KINV_VSPACE_TABLE,
				"ASID %u (PML4 %#llx) links %s %#llx at va %#llx (level %d), but its capability records "
				"ASID %u va %#llx",
				w->asid, (unsigned long long)w->root, kc_type_name(linked_type(e->level)),
				(unsigned long long)e->target, (unsigned long long)e->va, e->level, cap_map_asid(c),
				(unsigned long long)cap_map_vaddr(c));
	}
	if (kc_boot_mapping(w->root, e->va, e->level, e->target) && kc_mine(e->target, PAGE_SIZE))
		return true; /* a table the boot code made for the root task */
	kc_fail(w->k, KINV_VSPACE_TARGET, "ASID %u (PML4 %#llx) at va %#llx (level %d) links %#llx, which is %s",
		w->asid, (unsigned long long)w->root, (unsigned long long)e->va, e->level,
		(unsigned long long)e->target, describe(w->x, e->target, b, sizeof(b)));
	return false;
}

static void check_leaf(struct walk *w, const struct vs_entry *e)
{
	unsigned want = e->level == PT_LEVEL_PT ? OBJ_FRAME_4K : e->level == PT_LEVEL_PD ? OBJ_FRAME_2M : OBJ_NULL;
	int o = kc_find(w->x, e->target);
	uint32_t end;
	char b[KC_STR];

	if (want && o >= 0 && kc_obj_type(w->x, o) == want) {
		for (uint32_t i = kc_obj_caps(w->x, o, &end); i < end; i++) {
			struct cap c = w->x->nodes[w->x->ents[i].node]->cap;
			if (cap_map_asid(c) != w->asid || cap_map_vaddr(c) != e->va)
				continue;
			if (e->write && !(cap_rights(c) & RIGHT_WRITE))
				kc_fail(w->k, KINV_VSPACE_FRAME,
					"ASID %u va %#llx maps frame %#llx writable, but its capability has no write right",
					w->asid, (unsigned long long)e->va, (unsigned long long)e->target);
			return;
		}
		kc_fail(w->k, KINV_VSPACE_FRAME,
			"ASID %u (PML4 %#llx) va %#llx maps frame %#llx, but no capability to it records that mapping",
			w->asid, (unsigned long long)w->root, (unsigned long long)e->va, (unsigned long long)e->target);
		return;
	}
	if (want && kc_boot_mapping(w->root, e->va, e->level, e->target))
		return; /* a page the boot code mapped for the root task */
	kc_fail(w->k, KINV_VSPACE_TARGET, "ASID %u (PML4 %#llx) va %#llx (level %d) maps %#llx, which is %s",
		w->asid, (unsigned long long)w->root, (unsigned long long)e->va, e->level,
		(unsigned long long)e->target, describe(w->x, e->target, b, sizeof(b)));
}

static bool visit(void *ctx, const struct vs_entry *e)
{
	struct walk *w = ctx;

	if (e->leaf) {
		check_leaf(w, e);
		return false;
	}
	return check_link(w, e);
}

/* Whether a core of this cluster has pa in CR3: the kernel runs on its
 * kernel half then (a PML4 nobody has loaded is compared when one does). */
static bool loaded(paddr_t pa)
{
	for (uint32_t c = 0; c < cluster.ncores; c++)
		if (cluster_cores[c].cpu->loaded_root == pa)
			return true;
	return false;
}

/* ASID a names pml4 at pa: a live PML4 whose capabilities say a. */
static void one_asid(struct kc *k, const struct kc_index *x, uint32_t a, paddr_t pa)
{
	int o = kc_find_live(x, pa, OBJ_PML4);
	uint32_t end;
	unsigned bad;

	if (o < 0) {
		char b[KC_STR];
		kc_fail(k, KINV_VSPACE_ASID, "ASID %u names %#llx, which is %s, not a live PML4", a,
			(unsigned long long)pa, describe(x, pa, b, sizeof(b)));
		return;
	}
	for (uint32_t i = kc_obj_caps(x, o, &end); i < end; i++)
		if (x->nodes[x->ents[i].node]->cap.w1 != a) {
			kc_fail(k, KINV_VSPACE_ASID, "ASID %u names PML4 %#llx, whose capability says ASID %llu", a,
				(unsigned long long)pa, (unsigned long long)x->nodes[x->ents[i].node]->cap.w1);
			return;
		}
	if (loaded(pa) && !vspace_kernel_half_ok(phys_to_virt(pa), &bad)) {
		kc_fail(k, KINV_VSPACE_KERNEL, "PML4 %#llx (ASID %u): kernel entry %u differs from the kernel's",
			(unsigned long long)pa, a, bad);
		return;
	}
	struct walk w = { k, x, a, pa };
	vspace_walk_user(phys_to_virt(pa), visit, &w);
}

/* A paging structure its capabilities record as unmapped is linked
 * nowhere and maps nothing: unmapping clears it (docs/capabilities.md), so
 * nothing stays reachable through it if it is linked again. */
static bool unlinked_empty(struct kc *k, const struct cte *s)
{
	unsigned i;
	char b[KC_STR];

	if (!kc_is_paging(cap_type(s->cap)) || cap_map_asid(s->cap) || vspace_table_empty(cap_obj(s->cap), &i))
		return true;
	return kc_fail(k, KINV_VSPACE_TABLE, "%s is unmapped but its entry %u is present",
		       kc_slot_str(s, b, sizeof(b)), i);
}

void kc_vspace_full(struct kc *k, struct kc_index *x)
{
	struct asid_table *at = asid_table();

	for (uint32_t a = 1; a < ASID_MAX; a++)
		if (at->pml4[a])
			one_asid(k, x, a, at->pml4[a]);
	for (uint32_t o = 0; o < x->nobjs; o++) {
		if (kc_is_paging(kc_obj_type(x, (int)o)))
			unlinked_empty(k, kc_obj_slot(x, (int)o));
		if (kc_obj_type(x, (int)o) != OBJ_PML4)
			continue;
		struct cap c = kc_obj_slot(x, (int)o)->cap;
		if (at->pml4[cap_map_asid(c)] != cap_paddr(c))
			kc_fail(k, KINV_VSPACE_ASID, "PML4 %#llx has ASID %u, which the ASID table gives to %#llx",
				(unsigned long long)cap_paddr(c), cap_map_asid(c),
				(unsigned long long)at->pml4[cap_map_asid(c)]);
	}
}

/* --- entry check: the place a touched capability records --- */

static int map_level(unsigned type)
{
	switch (type) {
	case OBJ_FRAME_4K: return PT_LEVEL_PT;
	case OBJ_FRAME_2M:
	case OBJ_PAGE_TABLE: return PT_LEVEL_PD;
	case OBJ_PAGE_DIRECTORY: return PT_LEVEL_PDPT;
	default: return PT_LEVEL_PML4; /* PDPT */
	}
}

bool kc_recorded_entry(struct cap c, struct vs_entry *e)
{
	unsigned t = cap_type(c);
	uint64_t *pml4;

	if (!(kc_is_frame(t) || kc_is_paging(t)) || !cap_map_asid(c) || !(pml4 = kc_asid_root(cap_map_asid(c))))
		return false;
	return vspace_entry_at(pml4, cap_map_vaddr(c), map_level(t), e) && e->target == cap_paddr(c);
}

void kc_mapping_local(struct kc *k, const struct cte *s)
{
	struct vs_entry e;
	unsigned t = cap_type(s->cap);
	char b[KC_STR];

	if (!unlinked_empty(k, s) || !kc_recorded_entry(s->cap, &e))
		return; /* unmapped, or a stale record (allowed: see docs/capabilities.md) */
	if (e.leaf != kc_is_frame(t) || (t == OBJ_FRAME_2M) != (e.leaf && e.level == PT_LEVEL_PD))
		kc_fail(k, KINV_VSPACE_TARGET, "%s: the entry at its mapping (va %#llx) points at it as a %s",
			kc_slot_str(s, b, sizeof(b)), (unsigned long long)cap_map_vaddr(s->cap),
			e.leaf ? "page" : "table");
	else if (e.leaf && e.write && !(cap_rights(s->cap) & RIGHT_WRITE))
		kc_fail(k, KINV_VSPACE_FRAME, "%s: mapped writable at va %#llx without the write right",
			kc_slot_str(s, b, sizeof(b)), (unsigned long long)cap_map_vaddr(s->cap));
}
