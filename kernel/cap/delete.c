/*
 * Deleting and revoking capabilities, preemptibly. The last capability to
 * a CNode or TCB (which hold slots) becomes a Zombie that remembers how far
 * clearing its slots has got; each call descends from the slot being
 * deleted to the first unfinished zombie and does one O(1) step, with a
 * preemption point after every step (kernel/preempt.c, docs/capabilities.md).
 */
#include "kcheck.h"
#include "kobj.h"
#include "kstring.h"

#define ZOMBIE_SKIP_MAX 256 /* empty slots passed over in one step */

static bool is_container(unsigned type)
{
	return type == OBJ_CNODE || type == OBJ_TCB;
}

/* Zombie encoding: w1 bits 0-7 original type, bits 8-63 next slot to clear. */
static struct cap zombie_of(struct cap c)
{
	return cap_make(CAP_ZOMBIE, 0, cap_size_bits(c), false, cap_paddr(c), cap_type(c));
}

static unsigned zombie_type(struct cap z) { return (unsigned)(z.w1 & 0xFF); }
static uint64_t zombie_next(struct cap z) { return z.w1 >> 8; }

/* The container's slot array and its length. */
static struct cte *zombie_slots(struct cap z, uint64_t *n)
{
	if (zombie_type(z) == OBJ_CNODE) {
		*n = 1ull << cap_size_bits(z);
		return cap_obj(z);
	}
	*n = TCB_SLOTS;
	return ((struct tcb *)cap_obj(z))->slots;
}

/* Delete a capability that needs no descent: not final, or final but not
 * a container. A frame capability takes its own mapping with it, final or
 * not: each frame capability records at most one mapping, and no page-table
 * entry may outlive the capability that made it. */
static void delete_simple(struct cte *s)
{
	if (cdt_is_final(s))
		obj_finalise(s->cap);
	else if ((cap_type(s->cap) == OBJ_FRAME_4K || cap_type(s->cap) == OBJ_FRAME_2M) && cap_map_asid(s->cap))
		frame_unmap(&s->cap);
	cdt_remove(s);
}

/* One O(1) step of clearing the zombie in z, as part of deleting slot
 * `top`: delete one capability, cancel one waiter, turn one container into
 * a zombie, or pass over up to ZOMBIE_SKIP_MAX empty slots. Returns z after
 * a step, the zombie to descend into (no step), or NULL when z itself was
 * finished and removed.
 *
 * A slot inside z's object that holds z itself, or `top` (the zombie this
 * descent started from), is skipped: that zombie is being cleared already.
 * This is how cycles end. Each zombie is the only capability to its
 * object and lies in exactly one slot, so a descent top -> Z1 -> Z2 ...
 * can only come back to top (CNode A holding the last capability to B
 * while B holds A's): the innermost object is finished without that slot,
 * then the outer ones, then top. Skipped slots lie in memory of objects
 * whose last capability is gone; nothing reuses that memory before the
 * untyped it came from is revoked, and revoke deletes top first. */
static struct cte *zombie_step(struct cte *z, const struct cte *top)
{
	uint64_t n, i = zombie_next(z->cap), skipped = 0;
	struct cte *slots = zombie_slots(z->cap, &n);

	while (i < n && cap_is_null(slots[i].cap)) {
		i++;
		if (++skipped == ZOMBIE_SKIP_MAX && i < n) { /* e.g. a CNode of 2^20 empty slots */
			z->cap.w1 = (z->cap.w1 & 0xFF) | i << 8;
			return z; /* a step */
		}
	}
	z->cap.w1 = (z->cap.w1 & 0xFF) | i << 8;
	if (i == n) {
		cdt_remove(z);
		return NULL;
	}
	struct cte *c = &slots[i];
	if (c == z || c == top) { /* already being cleared: skip it */
		z->cap.w1 = (z->cap.w1 & 0xFF) | (i + 1) << 8;
		return z;
	}
	if (cap_type(c->cap) == CAP_ZOMBIE)
		return c;
	if (is_container(cap_type(c->cap)) && cdt_is_final(c)) {
		obj_finalise(c->cap);
		c->cap = zombie_of(c->cap);
		return z; /* a step; the next descent goes into it */
	}
	if (cdt_is_final(c) && obj_cancel_one(c->cap))
		return z; /* one waiter cancelled: this step; the slot again next */
	delete_simple(c);
	return z;
}

struct kerr cap_delete(struct cte *s)
{
	kcheck_touch(s); /* kcheck=on: the entry check looks at it */
	if (cap_is_null(s->cap))
		return KOK;
	if (cap_type(s->cap) != CAP_ZOMBIE) {
		if (!is_container(cap_type(s->cap)) || !cdt_is_final(s)) {
			while (cdt_is_final(s) && obj_cancel_one(s->cap)) /* one waiter per unit */
				if (preempt_point())
					return kerr(E_PREEMPTED, 0);
			delete_simple(s);
			return KOK;
		}
		obj_finalise(s->cap); /* e.g. a TCB stops running first */
		s->cap = zombie_of(s->cap);
	}
	for (;;) {
		struct cte *z = s, *next;
		unsigned levels = 0;
		while ((next = zombie_step(z, s)) && next != z) {
			z = next; /* descend to the deepest unfinished zombie */
			levels++;
		}
		if (cap_is_null(s->cap))
			return KOK;
		/* Each level descended is work too: nested containers d deep cost
		 * one descent of d levels per step, so an entry ends after the
		 * first step whose descent spent the budget (docs/kernel.md). */
		if (preempt_work(1 + levels))
			return kerr(E_PREEMPTED, 0);
	}
}

struct kerr cap_revoke(struct cte *s)
{
	struct kerr e;

	while (cdt_has_children(s)) {
		if ((e = cap_delete(mdb_next(s))).err)
			return e;
		if (preempt_point())
			return kerr(E_PREEMPTED, 0);
	}
	return KOK;
}
