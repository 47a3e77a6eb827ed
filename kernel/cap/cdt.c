/*
 * The capability derivation tree, kept as seL4 keeps its mapping database:
 * one preorder doubly-linked list, parenthood computed from contents
 * (docs/capabilities.md). Every operation here is O(1).
 */
#include "cap.h"
#include "kstring.h"

static const uint8_t obj_bits[OBJ_COUNT] = {
#define X(name, num, bits) [num] = bits,
#include "abi/objects.def"
#undef X
};

uint64_t cap_region_size(struct cap c)
{
	unsigned t = cap_type(c);

	if (t == CAP_ZOMBIE) /* w1 bits 0-7: the type it was (see cap/delete.c) */
		t = (unsigned)(c.w1 & 0xFF);
	if (t == OBJ_UNTYPED)
		return 1ull << cap_size_bits(c);
	if (t == OBJ_CNODE)
		return 1ull << (cap_size_bits(c) + CTE_SIZE_BITS);
	if (t < OBJ_COUNT && obj_bits[t])
		return 1ull << obj_bits[t];
	return 0;
}

bool cap_same_object(struct cap a, struct cap b)
{
	unsigned t = cap_type(a);

	if (t != cap_type(b) || t == OBJ_NULL)
		return false;
	switch (t) {
	case OBJ_IRQ_CONTROL:
	case OBJ_IOPORT_CONTROL:
		return true;
	case OBJ_IRQ_HANDLER:
		return a.w1 == b.w1;
	case OBJ_IOPORT:
		return cap_ioport_first(a) == cap_ioport_first(b) &&
		       cap_ioport_last(a) == cap_ioport_last(b);
	case OBJ_UNTYPED:
	case OBJ_CNODE:
		return cap_paddr(a) == cap_paddr(b) && cap_size_bits(a) == cap_size_bits(b);
	default:
		return cap_paddr(a) == cap_paddr(b);
	}
}

static bool untyped_covers(struct cap ut, struct cap b)
{
	uint64_t base = cap_paddr(ut), end = base + cap_region_size(ut);
	uint64_t bb = cap_paddr(b), bsize = cap_region_size(b);

	if (bsize == 0)
		return false;
	return bb >= base && bb + bsize <= end && bb + bsize > bb;
}

bool cap_same_region(struct cap a, struct cap b)
{
	switch (cap_type(a)) {
	case OBJ_UNTYPED:
		return untyped_covers(a, b);
	case OBJ_IRQ_CONTROL:
		return cap_type(b) == OBJ_IRQ_HANDLER || cap_type(b) == OBJ_IRQ_CONTROL;
	case OBJ_IOPORT_CONTROL:
		return cap_type(b) == OBJ_IOPORT || cap_type(b) == OBJ_IOPORT_CONTROL;
	case OBJ_IOPORT:
		return cap_type(b) == OBJ_IOPORT && cap_ioport_first(b) >= cap_ioport_first(a) &&
		       cap_ioport_last(b) <= cap_ioport_last(a);
	default:
		return cap_same_object(a, b);
	}
}

bool cdt_is_parent_of(const struct cte *a, const struct cte *b)
{
	unsigned t = cap_type(a->cap);

	if (!(mdb_flags(a) & MDB_REVOCABLE) || !cap_same_region(a->cap, b->cap))
		return false;
	if (t == OBJ_IOPORT && (mdb_flags(b) & MDB_FIRST_BADGED))
		return false; /* an issued range is a sibling of other issued ranges */
	if ((t == OBJ_ENDPOINT || t == OBJ_NOTIFICATION) && cap_badge(a->cap))
		return cap_badge(a->cap) == cap_badge(b->cap) && !(mdb_flags(b) & MDB_FIRST_BADGED);
	return true;
}

bool cdt_derived_revocable(struct cap derived, struct cap src)
{
	switch (cap_type(derived)) {
	case OBJ_ENDPOINT:
	case OBJ_NOTIFICATION:
		return cap_badge(derived) != cap_badge(src);
	case OBJ_IRQ_HANDLER:
		return cap_type(src) == OBJ_IRQ_CONTROL;
	case OBJ_IOPORT:
		return cap_type(src) == OBJ_IOPORT_CONTROL ||
		       cap_ioport_first(derived) != cap_ioport_first(src) ||
		       cap_ioport_last(derived) != cap_ioport_last(src);
	case OBJ_UNTYPED:
		return true;
	default:
		return false;
	}
}

static void set_prev(struct cte *s, struct cte *prev)
{
	s->mdb_prev = (uintptr_t)prev | (s->mdb_prev & MDB_FLAGS);
}

void cdt_insert(struct cte *dest, struct cap cap, struct cte *parent, unsigned flags)
{
	struct cte *next = parent ? mdb_next(parent) : NULL;

	dest->cap = cap;
	dest->mdb_prev = (uintptr_t)parent | (flags & MDB_FLAGS);
	dest->mdb_next = (uintptr_t)next;
	if (parent)
		parent->mdb_next = (uintptr_t)dest;
	if (next)
		set_prev(next, dest);
}

void cdt_move(struct cte *dest, struct cte *src, struct cap newcap)
{
	struct cte *prev = mdb_prev(src), *next = mdb_next(src);

	dest->cap = newcap;
	dest->mdb_prev = src->mdb_prev;
	dest->mdb_next = src->mdb_next;
	if (prev)
		prev->mdb_next = (uintptr_t)dest;
	if (next)
		set_prev(next, dest);
	memset(src, 0, sizeof(*src));
}

void cdt_remove(struct cte *s)
{
	struct cte *prev = mdb_prev(s), *next = mdb_next(s);

	if (prev)
		prev->mdb_next = (uintptr_t)next;
	if (next)
		set_prev(next, prev);
	memset(s, 0, sizeof(*s));
}

bool cdt_is_final(const struct cte *s)
{
	const struct cte *p = mdb_prev(s), *n = mdb_next(s);

	return !(p && cap_same_object(p->cap, s->cap)) && !(n && cap_same_object(n->cap, s->cap));
}

bool cdt_has_children(const struct cte *s)
{
	const struct cte *n = mdb_next(s);

	return n && cdt_is_parent_of(s, n);
}

/* Swap the list positions of two distinct slots, then their contents. */
void cdt_swap(struct cte *a, struct cte *b)
{
	struct cte tmp;
	struct cte *ap = mdb_prev(a), *an = mdb_next(a), *bp = mdb_prev(b), *bn = mdb_next(b);
	unsigned af = mdb_flags(a), bf = mdb_flags(b);

	if (a == b)
		return;
	/* Re-point the neighbours first; adjacent slots point at each other. */
	if (ap && ap != b)
		ap->mdb_next = (uintptr_t)b;
	if (an && an != b)
		set_prev(an, b);
	if (bp && bp != a)
		bp->mdb_next = (uintptr_t)a;
	if (bn && bn != a)
		set_prev(bn, a);
	tmp = *a;
	a->cap = b->cap;
	b->cap = tmp.cap;
	a->mdb_prev = (uintptr_t)(bp == a ? b : bp) | bf;
	a->mdb_next = (uintptr_t)(bn == a ? b : bn);
	b->mdb_prev = (uintptr_t)(ap == b ? a : ap) | af;
	b->mdb_next = (uintptr_t)(an == b ? a : an);
}
