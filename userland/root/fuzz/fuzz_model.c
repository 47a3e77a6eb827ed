/*
 * The fuzzer's model of its capabilities (docs/fuzzing.md): objects,
 * capabilities in model CSpaces, the derivation tree (the same parenthood
 * rule as the kernel's, docs/capabilities.md) and the paging structures of
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
		o->ut_region = o->cspace = o->link_vs = o->bound = FZ_NO;
		o->worker = -1;
		for (int j = 0; j < FZ_WIN_INDEX; j++)
			o->entry[j] = FZ_NO;
		return i;
	}
	return FZ_NO;
}

int fz_cap_new(int obj, int cs, int slot, unsigned rights, uint64_t badge)
{
	for (int i = 0; i < FZ_MAX_CAPS; i++) {
		struct fz_cap *c = &fz.cap[i];
		if (c->used)
			continue;
		memset(c, 0, sizeof(*c));
		c->used = 1;
		c->obj = (int16_t)obj;
		c->rights = (uint8_t)rights;
		c->badge = badge;
		c->parent = c->map_vs = FZ_NO;
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

/* Object o was carved, directly or through smaller untypeds, from untyped object u. */
static bool carved_from(int o, int u)
{
	for (int r = fz.obj[o].ut_region; r != FZ_NO; r = fz.obj[r].ut_region)
		if (r == u)
			return true;
	return false;
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

/* A new capability nc derived from src sits right after src in the kernel's
 * list: its parent is the nearest of src and src's ancestors covering it. */
int fz_cdt_parent_for(int src, int nc)
{
	for (int p = src; p != FZ_NO; p = fz.cap[p].parent)
		if (p != nc && fz_cdt_is_parent(p, nc))
			return p;
	return FZ_NO;
}

bool fz_has_children(int c)
{
	for (int i = 0; i < FZ_MAX_CAPS; i++)
		if (fz.cap[i].used && fz.cap[i].parent == c)
			return true;
	return false;
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

	if (vs == FZ_NO || !fz.obj[vs].live || !fz_va_in_window(va))
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
		for (int i = 0; i < FZ_MAX_CAPS; i++) /* its copies share the record */
			if (fz.cap[i].used && fz.cap[i].obj == o)
				fz.cap[i].map_vs = FZ_NO;
	}
	cp->map_vs = FZ_NO;
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
	for (int i = 0; i < FZ_MAX_CAPS; i++) /* its children move up to its parent */
		if (fz.cap[i].used && fz.cap[i].parent == c)
			fz.cap[i].parent = (int16_t)fz_cdt_parent_for(cp->parent, i);
	slot_clear(cp);
	cp->used = 0;
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
	default:
		break;
	}
	ob->live = 0;
	ob->dying = 0;
}

void fz_revoke(int c)
{
	for (int guard = 0; guard < FZ_MAX_CAPS * 4; guard++) {
		int child = FZ_NO;
		for (int i = 0; i < FZ_MAX_CAPS && child == FZ_NO; i++)
			if (fz.cap[i].used && fz.cap[i].parent == c)
				child = i;
		if (child == FZ_NO)
			return;
		fz_cap_delete(child);
	}
}

void fz_move(int c, int cs, int slot)
{
	struct fz_cap *cp = &fz.cap[c];

	slot_clear(cp);
	cp->cs = (int16_t)cs;
	cp->slot = (int16_t)slot;
	fz.cs[cs].slot[slot] = (int16_t)c;
}
