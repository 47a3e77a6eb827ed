/*
 * The fuzzer's model of its capabilities (docs/fuzzing.md): objects,
 * capabilities in model CSpaces, the derivation tree (kept as the kernel
 * keeps it: one list in preorder, a new capability right after its source,
 * a capability's descendants the run of capabilities after it that it is
 * a parent of by the kernel's content rule, docs/capabilities.md) and the
 * paging structures of
 * the VSpaces it maps into. The model follows the capability rules the
 * kernel is meant to keep (untyped copies only without children; frame
 * copies start unmapped; paging-structure copies carry the mapping; unmap
 * and final delete clear a table), so a kernel that breaks them disagrees.
 */
#include "fuzz.h"
#include "kstring.h"

struct fz_model fz;

bool fz_is_frame(unsigned type)
{
	return type == OBJ_FRAME_4K || type == OBJ_FRAME_2M;
}

bool fz_is_paging(unsigned type)
{
	return type == OBJ_PAGE_TABLE || type == OBJ_PAGE_DIRECTORY || type == OBJ_PDPT;
}

static int paging_level(unsigned type)
{
	return type == OBJ_PAGE_TABLE ? 1 : type == OBJ_PAGE_DIRECTORY ? 2 : type == OBJ_PDPT ? 3 : 4;
}

int fz_obj_new(unsigned type, uint64_t bytes)
{
	for (int i = 0; i < FZ_MAX_OBJS; i++) {
		struct fz_obj *o = &fz.obj[i];
		if (o->live || o->ncaps)
			continue;
		memset(o, 0, sizeof(*o));
		o->type = (uint8_t)type;
		o->live = 1;
		o->bytes = bytes;
		o->root = o->cspace = o->link_vs = o->bound = FZ_NO;
		o->worker = -1;
		o->asid = -1;
		for (int j = 0; j < FZ_WIN_INDEX; j++)
			o->entry[j] = FZ_NO;
		return i;
	}
	return FZ_NO;
}

int fz_trace_obj = FZ_NO;

int fz_cap_new(int obj, int cs, int slot, unsigned rights, uint64_t badge)
{
	if (fz_trace_obj == obj)
		printf("fuzz:   model: new cap to object %d in cspace %d slot %d\n", obj, cs, slot);
	for (int i = 0; i < FZ_MAX_CAPS; i++) {
		struct fz_cap *c = &fz.cap[i];
		if (c->used)
			continue;
		memset(c, 0, sizeof(*c));
		c->used = 1;
		c->obj = (int16_t)obj;
		c->rights = (uint8_t)rights;
		c->badge = badge;
		c->prev = c->next = c->map_vs = FZ_NO;
		c->cs = (int16_t)cs;
		c->slot = (int16_t)slot;
		fz.cs[cs].slot[slot] = (int16_t)i;
		fz.obj[obj].ncaps++;
		return i;
	}
	return FZ_NO;
}

int fz_cs_new(int obj, unsigned radix, unsigned first_free, int worker)
{
	for (int i = 0; i < FZ_CSPACES; i++) {
		struct fz_cspace *s = &fz.cs[i];
		if (s->used)
			continue;
		s->used = 1;
		s->obj = (int16_t)obj;
		s->radix = (uint8_t)radix;
		s->first_free = (uint8_t)first_free;
		s->worker = (int8_t)worker;
		for (int j = 0; j < FZ_MAX_SLOTS; j++)
			s->slot[j] = FZ_NO;
		if (obj != FZ_NO)
			fz.obj[obj].cspace = (int16_t)i;
		return i;
	}
	return FZ_NO;
}

int fz_slot_cap(int cs, int slot)
{
	if (cs < 0 || !fz.cs[cs].used || slot < 0 || slot >= (1 << fz.cs[cs].radix))
		return FZ_NO;
	return fz.cs[cs].slot[slot];
}

/* ---- the derivation tree ---- */

/* Object o lies inside untyped object u: by address, as the kernel's
 * untyped_covers decides (not by who retyped it: the untyped it came
 * from may be gone and its model object reused meanwhile). */
static bool carved_from(int o, int u)
{
	const struct fz_obj *a = &fz.obj[o], *b = &fz.obj[u];

	return o != u && a->root != FZ_NO && a->root == b->root && a->offset >= b->offset &&
	       a->offset + a->bytes <= b->offset + b->bytes;
}

/* The kernel's is_parent_of: a revocable a covers b's region; badged
 * endpoint/notification caps cover only their own badge's copies. */
bool fz_cdt_is_parent(int a, int b)
{
	struct fz_cap *ca = &fz.cap[a], *cb = &fz.cap[b];
	unsigned t = fz.obj[ca->obj].type;

	if (!ca->revocable)
		return false;
	if (t == OBJ_UNTYPED) {
		if (ca->obj != cb->obj && !carved_from(cb->obj, ca->obj))
			return false;
	} else if (ca->obj != cb->obj) {
		return false;
	}
	if ((t == OBJ_ENDPOINT || t == OBJ_NOTIFICATION) && ca->badge)
		return ca->badge == cb->badge && !cb->first_badged;
	return true;
}

/* A capability made from another (copy, mint, retype, configure, IPC)
 * goes right after it, as cdt_insert puts it. */
void fz_cdt_insert_after(int c, int after)
{
	int n = fz.cap[after].next;

	fz.cap[c].prev = (int16_t)after;
	fz.cap[c].next = (int16_t)n;
	fz.cap[after].next = (int16_t)c;
	if (n != FZ_NO)
		fz.cap[n].prev = (int16_t)c;
	else
		fz.cdt_tail = (int16_t)c;
}

/* The fuzzer's starting capabilities: each at the end of the list. Their
 * order among themselves means nothing (none is a parent of another). */
void fz_cdt_append(int c)
{
	fz.cap[c].prev = fz.cdt_tail;
	fz.cap[c].next = FZ_NO;
	if (fz.cdt_tail != FZ_NO)
		fz.cap[fz.cdt_tail].next = (int16_t)c;
	else
		fz.cdt_head = (int16_t)c;
	fz.cdt_tail = (int16_t)c;
}

static void cdt_unlink(int c)
{
	struct fz_cap *cp = &fz.cap[c];

	if (cp->prev != FZ_NO)
		fz.cap[cp->prev].next = cp->next;
	else
		fz.cdt_head = cp->next;
	if (cp->next != FZ_NO)
		fz.cap[cp->next].prev = cp->prev;
	else
		fz.cdt_tail = cp->prev;
	cp->prev = cp->next = FZ_NO;
}

/* cdt_has_children: the next capability in the list is one it covers. */
bool fz_has_children(int c)
{
	int n = fz.cap[c].next;

	return n != FZ_NO && fz_cdt_is_parent(c, n);
}

/* ---- paging ---- */

unsigned fz_va_index(uint64_t va, int level)
{
	unsigned i = (unsigned)(va >> (12 + 9 * level)) & 511;

	return level == 3 ? i - 256 / 2 : i; /* the window starts at PML4 entry 128 */
}

bool fz_va_in_window(uint64_t va)
{
	for (int l = 0; l < 4; l++)
		if (fz_va_index(va, l) >= FZ_WIN_INDEX)
			return false;
	return true;
}

int fz_walk(int vs, uint64_t va, int level)
{
	int t = vs;

	if (vs < 0 || !fz.obj[vs].live || !fz_va_in_window(va)) /* FZ_NO or a stale record */
		return FZ_NO;
	for (int l = 3; l > level && t != FZ_NO; l--)
		t = fz.obj[t].entry[fz_va_index(va, l)];
	return t;
}

/* The frame mapped at va in vs (FZ_NO if none); *write: writable. */
int fz_translate(int vs, uint64_t va, bool *write)
{
	int pt = fz_walk(vs, va, 0);

	if (pt == FZ_NO)
		return FZ_NO;
	unsigned i = fz_va_index(va, 0);
	*write = (fz.obj[pt].word >> i) & 1; /* a PT keeps its entries' write bits in `word` */
	return fz.obj[pt].entry[i];
}

/* Unlink table or frame object o from where a record says it is linked,
 * if the entry there still names it (a record may be stale). */
static void unlink_at(int o, int vs, uint64_t va)
{
	int level = fz_is_frame(fz.obj[o].type) ? 0 : paging_level(fz.obj[o].type);
	int parent = fz_walk(vs, va, level);

	if (parent != FZ_NO && fz.obj[parent].entry[fz_va_index(va, level)] == o)
		fz.obj[parent].entry[fz_va_index(va, level)] = FZ_NO;
}

static void clear_entries(int o)
{
	for (int j = 0; j < FZ_WIN_INDEX; j++)
		fz.obj[o].entry[j] = FZ_NO;
	fz.obj[o].word = 0;
}

/* Remove capability c's mapping (FRAME_UNMAP, PAGE_TABLE_UNMAP, delete). */
void fz_unmap_cap(int c)
{
	struct fz_cap *cp = &fz.cap[c];
	int o = cp->obj;

	if (cp->map_vs == FZ_NO)
		return;
	unlink_at(o, cp->map_vs, cp->map_va);
	if (fz_is_paging(fz.obj[o].type)) {
		clear_entries(o);
		fz.obj[o].link_vs = FZ_NO;
		for (int i = 0; i < FZ_MAX_CAPS; i++) /* its copies share the record */
			if (fz.cap[i].used && fz.cap[i].obj == o)
				fz.cap[i].map_vs = FZ_NO;
	}
	cp->map_vs = FZ_NO;
}

/* Records naming PML4 `from` (an object, or a stale ASID) name `to`. */
static void rename_records(int from, int to)
{
	for (int i = 0; i < FZ_MAX_CAPS; i++)
		if (fz.cap[i].used && fz.cap[i].map_vs == from)
			fz.cap[i].map_vs = (int16_t)to;
	for (int i = 0; i < FZ_MAX_OBJS; i++)
		if (fz.obj[i].link_vs == from)
			fz.obj[i].link_vs = (int16_t)to;
}

/* A new fuzz-made PML4 gets the lowest free ASID (asid_alloc); stale
 * records of that ASID now lead into it (unmap through them checks the
 * entry, as the kernel's does). */
void fz_asid_new(int pml4)
{
	int rank = 0;

	for (bool taken = true; taken; rank += taken) {
		taken = false;
		for (int i = 0; i < FZ_MAX_OBJS && !taken; i++)
			taken = i != pml4 && fz.obj[i].live && fz.obj[i].type == OBJ_PML4 && fz.obj[i].asid == rank;
	}
	fz.obj[pml4].asid = (int8_t)rank;
	rename_records(FZ_STALE(rank), pml4);
}

/* ---- deletion ---- */

static void finalise(int o);

static void slot_clear(struct fz_cap *cp)
{
	fz.cs[cp->cs].slot[cp->slot] = FZ_NO;
}

void fz_cap_delete(int c)
{
	struct fz_cap *cp = &fz.cap[c];
	int o = cp->obj;

	if (!cp->used)
		return;
	if (fz_is_frame(fz.obj[o].type))
		fz_unmap_cap(c); /* any frame capability takes its own mapping with it */
	cdt_unlink(c); /* its descendants now follow its predecessor */
	slot_clear(cp);
	cp->used = 0;
	if (fz_trace_obj == o)
		printf("fuzz:   model: cap %d (cspace %d slot %d) to object %d deleted, %u left\n", c, cp->cs,
		       cp->slot, o, fz.obj[o].ncaps - 1);
	if (--fz.obj[o].ncaps == 0 && !fz.obj[o].external)
		finalise(o);
}

static void delete_cspace(int cs)
{
	if (cs == FZ_NO || !fz.cs[cs].used)
		return;
	for (int j = 0; j < (1 << fz.cs[cs].radix); j++)
		if (fz.cs[cs].slot[j] != FZ_NO)
			fz_cap_delete(fz.cs[cs].slot[j]);
	fz.cs[cs].used = 0;
}

/* The last capability went: what the kernel's obj_finalise does. */
static void finalise(int o)
{
	struct fz_obj *ob = &fz.obj[o];

	if (ob->dying)
		return;
	ob->dying = 1;
	switch (ob->type) {
	case OBJ_PAGE_TABLE:
	case OBJ_PAGE_DIRECTORY:
	case OBJ_PDPT:
		if (ob->link_vs != FZ_NO)
			unlink_at(o, ob->link_vs, ob->link_va);
		clear_entries(o);
		break;
	case OBJ_CNODE:
	case OBJ_TCB:
		delete_cspace(ob->cspace);
		if (ob->bound != FZ_NO)
			fz.obj[ob->bound].bound = FZ_NO;
		break;
	case OBJ_NOTIFICATION:
		if (ob->bound != FZ_NO)
			fz.obj[ob->bound].bound = FZ_NO;
		break;
	case OBJ_PML4: /* its ASID is free: records naming it go stale */
		if (ob->asid >= 0)
			rename_records(o, FZ_STALE(ob->asid));
		break;
	default:
		break;
	}
	ob->live = 0;
	ob->dying = 0;
}

/* cap_revoke: delete the next capability while c covers it. */
void fz_revoke(int c)
{
	for (int guard = 0; guard < FZ_MAX_CAPS * 4 && fz_has_children(c); guard++)
		fz_cap_delete(fz.cap[c].next);
}

void fz_move(int c, int cs, int slot)
{
	struct fz_cap *cp = &fz.cap[c];

	slot_clear(cp);
	cp->cs = (int16_t)cs;
	cp->slot = (int16_t)slot;
	fz.cs[cs].slot[slot] = (int16_t)c;
}
