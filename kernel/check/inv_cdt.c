/*
 * Invariants of the derivation list, of each capability and of memory
 * (docs/invariants.md, groups 1 and 2). The full check walks the list from
 * its head, computes every node's parent and subtree as revoke sees them,
 * and sorts the capabilities that have memory by address: one sweep over
 * that order finds overlaps, objects outside the untyped they came from or
 * above its watermark, and objects outside this cluster's partition. The
 * result is the object index the other full checks look objects up in.
 */
#include "kc.h"
#include "printf.h"
#include "kobj.h"
#include "roottask.h"
#include "smp.h"

#define IRQ_LINES 64 /* IRQ_MAX (irq.h) */
#define CNODE_MAX_RADIX 20
#define USER_VA_LIMIT (1ull << 47)

static const char *const type_names[OBJ_COUNT] = {
#define X(name, num, bits) [num] = #name,
#include "abi/objects.def"
#undef X
};

const char *kc_type_name(unsigned t)
{
	if (t == CAP_ZOMBIE)
		return "ZOMBIE";
	return t < OBJ_COUNT ? type_names[t] : "BAD-TYPE";
}

static const char *type_name(struct cap c)
{
	return kc_type_name(cap_type(c));
}

bool kc_mine(paddr_t pa, uint64_t size)
{
	return size && pa + size > pa && mem_partition_contains(&cluster.part, pa, size);
}

bool kc_kptr_ok(const void *p, uint64_t size)
{
	return (uintptr_t)p >= DMAP_BASE && kc_mine(kc_pa(p), size);
}

const char *kc_cap_str(struct cap c, char *buf, size_t n)
{
	ksnprintf(buf, n, "%s at %#llx, w1 %#llx", type_name(c), (unsigned long long)cap_paddr(c),
		  (unsigned long long)c.w1);
	return buf;
}

const char *kc_slot_str(const struct cte *s, char *buf, size_t n)
{
	if (s == roottask_cdt_head())
		ksnprintf(buf, n, "the list head");
	else
		ksnprintf(buf, n, "slot %#llx (%s at %#llx)", (unsigned long long)kc_pa(s), type_name(s->cap),
			  (unsigned long long)cap_paddr(s->cap));
	return buf;
}

/* Where a slot pointer may lead: the head, or 8-byte aligned memory of ours. */
static bool slot_ptr_ok(const struct cte *s)
{
	return s == roottask_cdt_head() || (!((uintptr_t)s & 7) && kc_kptr_ok(s, sizeof(*s)));
}

/* --- one capability --- */

static bool cap_bad(struct kc *k, const struct cte *s, enum kcheck_inv inv, const char *fmt, ...)
	PRINTF_LIKE(4, 5);

static bool mapping_valid(struct kc *k, const struct cte *s, unsigned t)
{
	struct cap c = s->cap;
	uint64_t align = t == OBJ_FRAME_4K ? PAGE_SIZE : t == OBJ_FRAME_2M ? LARGE_PAGE_SIZE :
			 t == OBJ_PAGE_TABLE ? LARGE_PAGE_SIZE : t == OBJ_PAGE_DIRECTORY ? (1ull << 30) : (1ull << 39);
	if (!cap_map_asid(c))
		return true;
	if ((cap_map_vaddr(c) & (align - 1)) || cap_map_vaddr(c) >= USER_VA_LIMIT)
		return cap_bad(k, s, KINV_CAP_VALID, "records a mapping at va %#llx, not a user address aligned to %#llx",
			       (unsigned long long)cap_map_vaddr(c), (unsigned long long)align);
	return true;
}

/* A violation about slot s: "slot ... (TYPE at ...): <what>". */
static bool cap_bad(struct kc *k, const struct cte *s, enum kcheck_inv inv, const char *fmt, ...)
{
	char b[KC_STR], what[96];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return kc_fail(k, inv, "%s: %s", kc_slot_str(s, b, sizeof(b)), what);
}

/* Per-type fields; the region's alignment. Zombies count as what they were. */
bool kc_cap_valid(struct kc *k, const struct cte *s)
{
	struct cap c = s->cap;
	unsigned t = cap_type(c), kind = kc_kind(c), bits = cap_size_bits(c);
	uint64_t size;

	if (t == OBJ_NULL || (t >= OBJ_COUNT && t != CAP_ZOMBIE))
		return cap_bad(k, s, KINV_CAP_VALID, "no such capability type (%u)", t);
	if (t == CAP_ZOMBIE && kind != OBJ_CNODE && kind != OBJ_TCB)
		return cap_bad(k, s, KINV_CDT_ZOMBIE, "a zombie of type %u (only CNodes and TCBs become zombies)", kind);
	if (cap_is_device(c) && kind != OBJ_UNTYPED)
		return cap_bad(k, s, KINV_CAP_VALID, "device flag on a non-untyped capability");
	switch (kind) {
	case OBJ_UNTYPED:
		if (bits < 4 || bits > 47)
			return cap_bad(k, s, KINV_CAP_VALID, "untyped size 2^%u", bits);
		if (t == OBJ_UNTYPED && c.w1 > (1ull << bits))
			return cap_bad(k, s, KINV_UNTYPED_WATERMARK, "watermark %#llx beyond its size %#llx",
				       (unsigned long long)c.w1, 1ull << bits);
		break;
	case OBJ_CNODE:
		if (bits < 1 || bits > CNODE_MAX_RADIX || (t == OBJ_CNODE && cap_guard_size(c) + bits > 64))
			return cap_bad(k, s, KINV_CAP_VALID, "radix %u, guard size %u", bits, cap_guard_size(c));
		break;
	case OBJ_PML4:
		if (!c.w1 || c.w1 >= ASID_MAX)
			return cap_bad(k, s, KINV_VSPACE_ASID, "PML4 with ASID %llu", (unsigned long long)c.w1);
		break;
	case OBJ_FRAME_4K: case OBJ_FRAME_2M: case OBJ_PAGE_TABLE: case OBJ_PAGE_DIRECTORY: case OBJ_PDPT:
		if (!mapping_valid(k, s, kind))
			return false;
		break;
	case OBJ_IRQ_HANDLER:
		if (c.w1 >= IRQ_LINES)
			return cap_bad(k, s, KINV_CAP_VALID, "IRQ %llu", (unsigned long long)c.w1);
		break;
	case OBJ_IOPORT:
		if (cap_ioport_first(c) > cap_ioport_last(c))
			return cap_bad(k, s, KINV_CAP_VALID, "port range %llu-%llu", (unsigned long long)cap_ioport_first(c),
				       (unsigned long long)cap_ioport_last(c));
		break;
	case OBJ_XNOTIF:
		if (cap_paddr(c) >= cluster.count)
			return cap_bad(k, s, KINV_CAP_VALID, "names cluster %llu of %u", (unsigned long long)cap_paddr(c),
				       cluster.count);
		break;
	default:
		break;
	}
	size = cap_region_size(c);
	if (size && (cap_paddr(c) & (size - 1)))
		return cap_bad(k, s, KINV_CAP_VALID, "object not aligned to its size %#llx", (unsigned long long)size);
	return true;
}

/* --- the list, the tree, the flags --- */

/* Objects whose copies never introduce anything: a copy is not revocable. */
static bool plain_object(unsigned kind)
{
	return kind == OBJ_CNODE || kind == OBJ_TCB || kind == OBJ_REPLY || kc_is_frame(kind) ||
	       kc_is_paging(kind) || kind == OBJ_PML4;
}

static bool first_badged_ok(struct cap c)
{
	unsigned t = cap_type(c);

	return ((t == OBJ_ENDPOINT || t == OBJ_NOTIFICATION) && cap_badge(c)) || t == OBJ_IOPORT;
}

/* Flags of s given its parent p (NULL: a root of the list). */
static bool flags_ok(struct kc *k, const struct cte *s, const struct cte *p)
{
	unsigned fl = mdb_flags(s);
	char b[KC_STR], c[KC_STR];

	if ((fl & MDB_FIRST_BADGED) && !first_badged_ok(s->cap))
		return kc_fail(k, KINV_CDT_FLAGS, "%s: first-badged flag where there is no badge", kc_slot_str(s, b, sizeof(b)));
	if ((fl & MDB_REVOCABLE) && p && plain_object(kc_kind(s->cap)) && cap_same_object(p->cap, s->cap))
		return kc_fail(k, KINV_CDT_FLAGS, "%s: a revocable copy of %s", kc_slot_str(s, b, sizeof(b)),
			       kc_slot_str(p, c, sizeof(c)));
	return true;
}

/* The neighbours of one slot point back at it. */
static bool kc_slot_links_ok(struct kc *k, struct cte *s)
{
	struct cte *p = mdb_prev(s), *n = mdb_next(s);
	char b[KC_STR];

	if (!p || !slot_ptr_ok(p) || mdb_next(p) != s)
		return kc_fail(k, KINV_CDT_LINKS, "%s: predecessor %p does not link back to it",
			       kc_slot_str(s, b, sizeof(b)), (void *)p);
	if (n && (!slot_ptr_ok(n) || mdb_prev(n) != s))
		return kc_fail(k, KINV_CDT_LINKS, "%s: successor %p does not link back to it",
			       kc_slot_str(s, b, sizeof(b)), (void *)n);
	return true;
}

/* Pass 1: the list from its head. Symmetric links from the head make a
 * cycle impossible to miss: the node it comes back to has another
 * predecessor. Stops at the first broken link. */
static void collect_list(struct kc *k, struct kc_index *x)
{
	struct cte *head = roottask_cdt_head(), *prev = head, *s;
	char b[KC_STR];

	if (mdb_prev(head) || !cap_is_null(head->cap)) {
		kc_fail(k, KINV_CDT_LINKS, "the list head has a predecessor or a capability");
		return;
	}
	for (s = mdb_next(head); s; prev = s, s = mdb_next(s)) {
		if (s == head || !slot_ptr_ok(s)) {
			kc_fail(k, KINV_CDT_LINKS, "%s links to %p, not a slot of this cluster",
				kc_slot_str(prev, b, sizeof(b)), (void *)s);
			return;
		}
		if (mdb_prev(s) != prev) {
			kc_fail(k, KINV_CDT_LINKS, "%s: predecessor link %p, but %#llx links to it (a cycle or a lost node)",
				kc_slot_str(s, b, sizeof(b)), (void *)mdb_prev(s), (unsigned long long)kc_pa(prev));
			return;
		}
		if (cap_is_null(s->cap)) {
			kc_fail(k, KINV_CDT_LINKS, "empty slot %#llx is in the list", (unsigned long long)kc_pa(s));
			return;
		}
		if (x->n == x->cap) {
			x->incomplete = true;
			return;
		}
		x->nodes[x->n++] = s;
	}
}

/* Every ancestor's subtree (as revoke sees it: the run of nodes it is the
 * parent of) holds the subtree of each of its children. */
static bool laminar(struct kc *k, const struct kc_index *x, uint32_t i, uint32_t sp)
{
	char b[KC_STR], c[KC_STR];

	for (uint32_t j = 0; j + 1 < sp; j++)
		if (!cdt_is_parent_of(x->nodes[x->stack[j]], x->nodes[i]))
			return kc_fail(k, KINV_CDT_TREE, "%s is a descendant of %#llx but not of its ancestor %s",
				       kc_slot_str(x->nodes[i], b, sizeof(b)),
				       (unsigned long long)kc_pa(x->nodes[x->stack[sp - 1]]),
				       kc_slot_str(x->nodes[x->stack[j]], c, sizeof(c)));
	return true;
}

/* Pass 2: parent and subtree of every node, with a stack of the open
 * subtrees; each node's capability, flags and place in the tree. */
static void derive_tree(struct kc *k, struct kc_index *x)
{
	uint32_t sp = 0;

	for (uint32_t i = 0; i < x->n; i++) {
		struct cte *s = x->nodes[i];
		while (sp && !cdt_is_parent_of(x->nodes[x->stack[sp - 1]], s))
			x->send[x->stack[--sp]] = i - 1;
		x->parent[i] = sp ? x->stack[sp - 1] : KC_NONE;
		x->send[i] = i;
		if (kc_cap_valid(k, s) && laminar(k, x, i, sp))
			flags_ok(k, s, sp ? x->nodes[x->stack[sp - 1]] : NULL);
		x->stack[sp++] = i;
	}
	while (sp)
		x->send[x->stack[--sp]] = x->n ? x->n - 1 : 0;
}

/* --- memory: the sorted sweep --- */

/* Sort key of a capability with memory: address (objects are at least
 * 32-byte aligned), then larger first (the container before what it
 * holds), then list position (ancestors first). 43 + 6 + 15 bits. */
#define KEY_NODE_BITS 15
_Static_assert(INDEX_CAP_MAX <= 1u << KEY_NODE_BITS, "list positions fit the sort key");

static uint64_t ent_key(paddr_t pa, unsigned size_log2, uint32_t node)
{
	return (pa >> 5) << 21 | (uint64_t)(47 - size_log2) << KEY_NODE_BITS | node;
}

static void sift(uint64_t *e, uint32_t root, uint32_t n)
{
	for (;;) {
		uint32_t c = 2 * root + 1;
		if (c >= n)
			return;
		if (c + 1 < n && e[c] < e[c + 1])
			c++;
		if (e[root] >= e[c])
			return;
		uint64_t t = e[root];
		e[root] = e[c];
		e[c] = t;
		root = c;
	}
}

static void sort_keys(uint64_t *e, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		sift(e, i, n);
	for (uint32_t i = n; i-- > 1;) {
		uint64_t t = e[0];
		e[0] = e[i];
		e[i] = t;
		sift(e, 0, i);
	}
}

static bool quiet_valid(const struct cte *s)
{
	struct kcheck_report r = { 0 };
	struct kc q = { &r, true, 0 };

	return kc_cap_valid(&q, s);
}

static struct cte *ent_slot(const struct kc_index *x, uint32_t e)
{
	return x->nodes[x->ents[e].node];
}

/* e is another capability to the object of entry `first` (same memory,
 * same type): zombies are alone, the capabilities of one object are
 * contiguous in the list, and those of a paging structure or PML4 agree. */
static void same_object(struct kc *k, const struct kc_index *x, uint32_t first, uint32_t e)
{
	struct cte *a = ent_slot(x, first), *s = ent_slot(x, e);
	char b[KC_STR], c[KC_STR];

	if (cap_type(a->cap) == CAP_ZOMBIE || cap_type(s->cap) == CAP_ZOMBIE)
		kc_fail(k, KINV_CDT_ZOMBIE, "a zombie is not the only capability to its object: %s and %s",
			kc_slot_str(a, c, sizeof(c)), kc_slot_str(s, b, sizeof(b)));
	else if (x->ents[e].node != x->ents[e - 1].node + 1)
		kc_fail(k, KINV_CDT_TREE, "capabilities to one object are not contiguous in the list: %s, %s",
			kc_slot_str(a, c, sizeof(c)), kc_slot_str(s, b, sizeof(b)));
	else
		kc_records_agree(k, a, s);
}

/* Two capabilities to one paging structure (or PML4) record one mapping
 * (or ASID): a copy of a mapped one carries its record (docs/capabilities.md). */
bool kc_records_agree(struct kc *k, const struct cte *a, const struct cte *s)
{
	unsigned kind = kc_kind(s->cap);
	char b[KC_STR], c[KC_STR];

	if (!(kc_is_paging(kind) || kind == OBJ_PML4) || a->cap.w1 == s->cap.w1)
		return true;
	return kc_fail(k, kind == OBJ_PML4 ? KINV_VSPACE_ASID : KINV_VSPACE_TABLE,
		       "capabilities to one %s record different mappings: %s, %s", type_name(a->cap),
		       kc_slot_str(a, c, sizeof(c)), kc_slot_str(s, b, sizeof(b)));
}

/* Entry e inside every untyped open on the stack: each must be its
 * ancestor in the tree, and e must lie below each one's watermark. */
static void inside_untypeds(struct kc *k, const struct kc_index *x, uint32_t e, uint32_t sp)
{
	const struct kc_ent *E = &x->ents[e];
	char b[KC_STR], c[KC_STR];

	for (uint32_t j = 0; j < sp; j++) {
		const struct kc_ent *U = &x->ents[x->stack[j]];
		struct cte *us = x->nodes[U->node];
		if (!(U->node < E->node && E->node <= x->send[U->node]))
			kc_fail(k, KINV_OBJECT_OVERLAP, "%s lies inside untyped %s but does not derive from it",
				kc_slot_str(x->nodes[E->node], b, sizeof(b)), kc_slot_str(us, c, sizeof(c)));
		else if (E->end > U->pa + us->cap.w1)
			kc_fail(k, KINV_UNTYPED_WATERMARK, "%s ends at %#llx, above the watermark %#llx of untyped %s",
				kc_slot_str(x->nodes[E->node], b, sizeof(b)), (unsigned long long)E->end,
				(unsigned long long)(U->pa + us->cap.w1), kc_slot_str(us, c, sizeof(c)));
	}
}

/* Pass 3: in address order, a stack of the intervals that contain the
 * current one. Only untypeds may contain anything; what an untyped holds
 * must derive from it. Fills objs: the usable objects, sorted. */
static void sweep(struct kc *k, struct kc_index *x)
{
	uint32_t sp = 0;
	char b[KC_STR], c[KC_STR];

	x->nobjs = 0;
	for (uint32_t e = 0; e < x->nents; e++) {
		const struct kc_ent *E = &x->ents[e];
		struct cte *s = ent_slot(x, e);
		while (sp && x->ents[x->stack[sp - 1]].end <= E->pa)
			sp--;
		if (!quiet_valid(s))
			continue; /* reported by the tree pass */
		if (!kc_mine(E->pa, E->end - E->pa)) {
			kc_fail(k, KINV_CLUSTER_PARTITION, "%s: object outside this cluster's partition",
				kc_slot_str(s, b, sizeof(b)));
			continue;
		}
		if (sp) {
			const struct kc_ent *T = &x->ents[x->stack[sp - 1]];
			struct cte *ts = x->nodes[T->node];
			if (E->end > T->end) {
				kc_fail(k, KINV_OBJECT_OVERLAP, "%s overlaps %s", kc_slot_str(s, b, sizeof(b)),
					kc_slot_str(ts, c, sizeof(c)));
				continue;
			}
			if (kc_kind(ts->cap) != OBJ_UNTYPED) {
				if (E->pa == T->pa && E->end == T->end && kc_kind(ts->cap) == kc_kind(s->cap))
					same_object(k, x, x->stack[sp - 1], e);
				else
					kc_fail(k, KINV_OBJECT_OVERLAP, "%s lies inside %s", kc_slot_str(s, b, sizeof(b)),
						kc_slot_str(ts, c, sizeof(c)));
				continue;
			}
		}
		inside_untypeds(k, x, e, sp);
		if (kc_kind(s->cap) != OBJ_UNTYPED)
			x->objs[x->nobjs++] = e;
		x->stack[sp++] = e;
	}
}

static void collect_ents(struct kc_index *x)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < x->n; i++) {
		uint64_t size = cap_region_size(x->nodes[i]->cap);
		if (size)
			x->keys[n++] = ent_key(cap_paddr(x->nodes[i]->cap), 63 - (unsigned)__builtin_clzll(size), i);
	}
	sort_keys(x->keys, n);
	for (uint32_t e = 0; e < n; e++) {
		uint32_t i = (uint32_t)(x->keys[e] & ((1u << KEY_NODE_BITS) - 1));
		struct cap c = x->nodes[i]->cap;
		x->ents[e] = (struct kc_ent){ cap_paddr(c), cap_paddr(c) + cap_region_size(c), i, (uint8_t)cap_type(c),
					      (uint8_t)kc_kind(c), 0 };
	}
	x->nents = n;
}

/* --- lookups --- */

/* The last object starting at or below pa, or -1. */
static int floor_obj(const struct kc_index *x, paddr_t pa)
{
	int lo = 0, hi = (int)x->nobjs - 1, best = -1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (x->ents[x->objs[mid]].pa <= pa) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return best;
}

int kc_find(const struct kc_index *x, paddr_t pa)
{
	int o = floor_obj(x, pa);

	return o >= 0 && x->ents[x->objs[o]].pa == pa ? o : -1;
}

int kc_find_containing(const struct kc_index *x, paddr_t pa)
{
	int o = floor_obj(x, pa);

	return o >= 0 && pa < x->ents[x->objs[o]].end ? o : -1;
}

int kc_find_live(const struct kc_index *x, paddr_t pa, unsigned type)
{
	int o = kc_find(x, pa);

	return o >= 0 && kc_obj_type(x, o) == type ? o : -1;
}

uint32_t kc_obj_caps(const struct kc_index *x, int o, uint32_t *end)
{
	uint32_t first = x->objs[o], e = first + 1;
	unsigned kind = kc_obj_kind(x, o);

	while (e < x->nents && x->ents[e].pa == x->ents[first].pa && x->ents[e].end == x->ents[first].end &&
	       x->ents[e].kind == kind)
		e++;
	*end = e;
	return first;
}

/* --- every slot in a live CNode or TCB --- */

static bool in_container(const struct kc_index *x, const struct cte *s)
{
	paddr_t pa = kc_pa(s);
	int o = kc_find_containing(x, pa);

	if (o < 0)
		return false;
	paddr_t base = x->ents[x->objs[o]].pa;
	switch (kc_obj_kind(x, o)) {
	case OBJ_CNODE:
		return !((pa - base) % sizeof(struct cte));
	case OBJ_TCB: {
		uint64_t off = pa - base - __builtin_offsetof(struct tcb, slots);
		return pa - base >= __builtin_offsetof(struct tcb, slots) && !(off % sizeof(struct cte)) &&
		       off / sizeof(struct cte) < TCB_SLOTS;
	}
	default:
		return false;
	}
}

static void check_slots(struct kc *k, const struct kc_index *x)
{
	char b[KC_STR];

	for (uint32_t i = 0; i < x->n; i++)
		if (!in_container(x, x->nodes[i]))
			kc_fail(k, KINV_CDT_SLOT, "%s lies in no live CNode or TCB", kc_slot_str(x->nodes[i], b, sizeof(b)));
}

void kc_cdt_full(struct kc *k, struct kc_index *x)
{
	x->n = x->nents = x->nobjs = 0;
	x->incomplete = false;
	collect_list(k, x);
	if (k->r->mask & (1u << KINV_CDT_LINKS))
		return; /* nothing below can be trusted */
	derive_tree(k, x);
	if (x->incomplete)
		return; /* a prefix of the list: containers and overlaps may lie beyond it */
	collect_ents(x);
	sweep(k, x);
	check_slots(k, x);
}

/* --- one slot, for the entry check --- */

void kc_slot_local(struct kc *k, struct cte *s)
{
	struct cte *p = mdb_prev(s), *n = mdb_next(s);
	char b[KC_STR];

	if (!kc_slot_links_ok(k, s) || !kc_cap_valid(k, s) ||
	    !flags_ok(k, s, p && cdt_is_parent_of(p, s) ? p : NULL))
		return;
	if ((p != roottask_cdt_head() && cap_same_object(p->cap, s->cap) && !kc_records_agree(k, p, s)) ||
	    (n && cap_same_object(n->cap, s->cap) && !kc_records_agree(k, s, n)))
		return;
	if (cap_type(s->cap) == OBJ_UNTYPED && n && cdt_is_parent_of(s, n) &&
	    cap_paddr(n->cap) + cap_region_size(n->cap) > cap_paddr(s->cap) + s->cap.w1)
		kc_fail(k, KINV_UNTYPED_WATERMARK, "%s: its newest child %#llx lies above its watermark %#llx",
			kc_slot_str(s, b, sizeof(b)), (unsigned long long)cap_paddr(n->cap),
			(unsigned long long)(cap_paddr(s->cap) + s->cap.w1));
	if (!kc_mine(cap_paddr(s->cap), cap_region_size(s->cap))) {
		if (cap_region_size(s->cap))
			kc_fail(k, KINV_CLUSTER_PARTITION, "%s: object outside this cluster's partition",
				kc_slot_str(s, b, sizeof(b)));
		return; /* nothing to read there */
	}
	kc_object_local(k, s);
	kc_mapping_local(k, s);
}
