/* CNodes: capability address resolution and the slot operations. */
#include "cptr.h"
#include "kcheck.h"
#include "kobj.h"
#include "kstring.h"

static struct cte *cnode_slots(struct cap c)
{
	return cap_obj(c);
}

struct kerr cspace_lookup(struct tcb *t, cptr_t cptr, struct cte **slot)
{
	struct cap c = t->slots[TCB_CSPACE].cap;
	unsigned left = 64, fault;
	uint64_t index;

	if (cap_type(c) != OBJ_CNODE)
		return kerr(E_FAILED_LOOKUP, LOOKUP_INVALID_ROOT);
	/* Common shape: one CNode whose zero guard covers the rest of the
	 * address, so a small cptr is the slot index itself. */
	if (!cap_guard(c) && cap_size_bits(c) + cap_guard_size(c) == 64 && !(cptr >> cap_size_bits(c)) &&
	    cap_type(cnode_slots(c)[cptr].cap) != OBJ_CNODE) {
		*slot = &cnode_slots(c)[cptr];
		return KOK;
	}
	for (;;) {
		if ((fault = cptr_step(c, cptr, &left, &index)))
			return (struct kerr){ E_FAILED_LOOKUP, fault, left };
		struct cte *s = &cnode_slots(c)[index];
		if (left == 0 || cap_type(s->cap) != OBJ_CNODE) {
			*slot = s;
			return KOK;
		}
		c = s->cap;
	}
}

struct kerr cspace_empty_slot(struct tcb *t, cptr_t cnode, uint64_t index, struct cte **slot)
{
	struct cte *node;
	struct kerr e = cspace_lookup_cap(t, cnode, OBJ_CNODE, &node);

	if (e.err)
		return e;
	if (index >> cap_size_bits(node->cap))
		return kerr(E_RANGE_ERROR, 0);
	*slot = cnode_slots(node->cap) + index;
	return cap_is_null((*slot)->cap) ? KOK : kerr(E_DELETE_FIRST, 0);
}

struct kerr cspace_lookup_cap(struct tcb *t, cptr_t cptr, unsigned type, struct cte **slot)
{
	struct kerr e = cspace_lookup(t, cptr, slot);

	if (e.err)
		return e;
	kcheck_touch(*slot); /* kcheck=on: the entry check looks at it */
	if (cap_is_null((*slot)->cap))
		return kerr(E_FAILED_LOOKUP, LOOKUP_MISSING_CAP);
	if (type && cap_type((*slot)->cap) != type)
		return kerr(E_INVALID_CAPABILITY, 0);
	return KOK;
}

/* The destination slot `index` of the invoked CNode, which must be empty. */
static struct kerr dest_slot(struct inv *iv, uint64_t index, struct cte **dst)
{
	if (index >> cap_size_bits(iv->cap))
		return kerr(E_RANGE_ERROR, 0);
	*dst = &cnode_slots(iv->cap)[index];
	if (!cap_is_null((*dst)->cap))
		return kerr(E_DELETE_FIRST, 0);
	return KOK;
}

static bool is_paging(unsigned t)
{
	return t == OBJ_PAGE_TABLE || t == OBJ_PAGE_DIRECTORY || t == OBJ_PDPT;
}

/* A new badge (Endpoint, Notification) or guard (CNode) for mint and mutate. */
static struct kerr set_badge_or_guard(struct cap src, uint64_t w1, struct cap *out)
{
	unsigned t = cap_type(src);

	if (w1 == 0 && t != OBJ_CNODE)
		return KOK; /* badge 0: no change, for any type */
	if (t == OBJ_ENDPOINT || t == OBJ_NOTIFICATION) {
		if (cap_badge(src))
			return kerr(E_ILLEGAL_OPERATION, 1); /* badged caps cannot be re-badged */
		out->w1 = w1;
	} else if (t == OBJ_CNODE) {
		unsigned gsize = (unsigned)(w1 & 63);
		if (gsize + cap_size_bits(src) > 64 || ((w1 >> 6) >> gsize))
			return kerr(E_INVALID_ARGUMENT, 3);
		out->w1 = w1;
	} else {
		return kerr(E_ILLEGAL_OPERATION, 2);
	}
	return KOK;
}

/*
 * The rules every derived copy obeys, whichever path makes it (copy, mint,
 * capability transfer over IPC, TCB configure): docs/capabilities.md.
 * - Zombies and empty slots are not copied.
 * - An Untyped is copied only while it has no children; the caller then
 *   marks the source full (cap_derive_commit), so the two never hand out
 *   the same memory.
 * - A frame copy starts unmapped (each capability records one mapping).
 * - A paging structure is copied only while mapped, and the copy carries
 *   the same record: it can never be linked a second time.
 * - IRQControl and IOPortControl are copied like any other capability: the
 *   copy is a non-revocable child of the original (delegation).
 * Nothing is changed here; *out and *flags are what to insert.
 */
struct kerr cap_derive(const struct cte *src, uint64_t rights, bool mint, uint64_t w1, struct cap *out,
		       unsigned *flags)
{
	struct cap c = src->cap;
	unsigned t = cap_type(c);
	struct kerr e;

	if (t == CAP_ZOMBIE || t == OBJ_NULL)
		return kerr(E_ILLEGAL_OPERATION, 0);
	if (t == OBJ_UNTYPED && cdt_has_children(src))
		return kerr(E_REVOKE_FIRST, 0);
	if (is_paging(t) && !cap_map_asid(c))
		return kerr(E_ILLEGAL_OPERATION, 0); /* only a mapped one: its copies share the record */
	*out = cap_with_rights(c, cap_rights(c) & (unsigned)rights);
	if (t == OBJ_FRAME_4K || t == OBJ_FRAME_2M)
		out->w1 = 0;
	if (mint && (e = set_badge_or_guard(c, w1, out)).err)
		return e;
	*flags = cdt_derived_revocable(*out, c) ? MDB_REVOCABLE : 0;
	if (mint && cap_badge(*out) && cap_badge(*out) != cap_badge(c) &&
	    (t == OBJ_ENDPOINT || t == OBJ_NOTIFICATION))
		*flags |= MDB_FIRST_BADGED;
	return KOK;
}

/* Insert a derived capability (from cap_derive) after its source; an
 * Untyped source then hands out nothing while the copy exists. */
void cap_derive_commit(struct cte *dst, struct cap nc, struct cte *src, unsigned flags)
{
	cdt_insert(dst, nc, src, flags);
	if (cap_type(nc) == OBJ_UNTYPED)
		src->cap.w1 = cap_region_size(src->cap); /* watermark at the top: full */
}

/* The empty destination (MR0, in the invoked CNode) and the source (MR1,
 * a cptr in the caller's CSpace) of copy, mint, move and mutate. */
static struct kerr dest_and_src(struct inv *iv, struct cte **dst, struct cte **src)
{
	struct kerr e = dest_slot(iv, iv->arg[0], dst);

	return e.err ? e : cspace_lookup_cap(iv->caller, iv->arg[1], 0, src);
}

static struct kerr do_copy(struct inv *iv, bool mint)
{
	struct cte *dst, *src;
	struct cap nc;
	unsigned fl;
	struct kerr e;

	if ((e = dest_and_src(iv, &dst, &src)).err)
		return e;
	if ((e = cap_derive(src, iv->arg[2], mint, iv->arg[3], &nc, &fl)).err)
		return e;
	cap_derive_commit(dst, nc, src, fl);
	return KOK;
}

/* Move and mutate keep the capability's place in the tree and its
 * mapping record or watermark; mutate may lower rights and set a badge or
 * guard, never on a capability with children (they would change with it). */
static struct kerr do_move(struct inv *iv, bool mutate)
{
	struct cte *dst, *src;
	struct cap nc;
	struct kerr e;

	if ((e = dest_and_src(iv, &dst, &src)).err)
		return e;
	if (cap_type(src->cap) == CAP_ZOMBIE)
		return kerr(E_ILLEGAL_OPERATION, 0);
	if (mutate && cdt_has_children(src))
		return kerr(E_REVOKE_FIRST, 0);
	nc = cap_with_rights(src->cap, cap_rights(src->cap) & (unsigned)(mutate ? iv->arg[2] : RIGHTS_ALL));
	if (mutate && (e = set_badge_or_guard(src->cap, iv->arg[3], &nc)).err)
		return e;
	cdt_move(dst, src, nc);
	return KOK;
}

static struct kerr index_slot(struct inv *iv, struct cte **s)
{
	if (iv->arg[0] >> cap_size_bits(iv->cap))
		return kerr(E_RANGE_ERROR, 0);
	*s = &cnode_slots(iv->cap)[iv->arg[0]];
	return KOK;
}

struct kerr cnode_invoke(struct inv *iv)
{
	struct cte *s;
	struct kerr e;

	if (iv->len < 1)
		return kerr(E_TRUNCATED_MESSAGE, 0);
	switch (iv->label) {
	case INV_CNODE_COPY:
		iv->arg[3] = 0;
		return iv->len < 3 ? kerr(E_TRUNCATED_MESSAGE, 0) : do_copy(iv, false);
	case INV_CNODE_MINT:
		return iv->len < 4 ? kerr(E_TRUNCATED_MESSAGE, 0) : do_copy(iv, true);
	case INV_CNODE_MOVE:
		return iv->len < 2 ? kerr(E_TRUNCATED_MESSAGE, 0) : do_move(iv, false);
	case INV_CNODE_MUTATE:
		iv->arg[3] = iv->arg[2];
		iv->arg[2] = RIGHTS_ALL;
		return iv->len < 3 ? kerr(E_TRUNCATED_MESSAGE, 0) : do_move(iv, true);
	case INV_CNODE_DELETE:
		if ((e = index_slot(iv, &s)).err)
			return e;
		return cap_delete(s);
	case INV_CNODE_REVOKE:
		if ((e = index_slot(iv, &s)).err)
			return e;
		return cap_revoke(s);
	default:
		return kerr(E_ILLEGAL_OPERATION, 0);
	}
}
