/*
 * The fuzzer's calls: for each kind, a generator that builds the call
 * from the model (mostly well formed, sometimes wrong in one known way),
 * a prediction (the set of errors the rules allow, in the kernel's order
 * of checks), and the change to the model when the call succeeded.
 * An actor is the executor (-1) or worker k, whose CSpace it names.
 */
#include "fuzz.h"
#include "kstring.h"

int fz_wcs[FZ_WORKERS];

/* ---- picking from the model ---- */

typedef bool (*cap_pred)(int cap);

static int actor_cs(int actor)
{
	return actor < 0 ? 0 : fz_wcs[actor];
}

static uint64_t self_cptr(int actor)
{
	return actor < 0 ? P_SELF : W_SELF;
}

static unsigned cap_type_of(int c)
{
	return c == FZ_NO ? OBJ_NULL : fz.obj[fz.cap[c].obj].type;
}

/* Slots whose objects drive the workers: never copied, signalled or polled. */
static bool infra_slot(int cs, int slot)
{
	if (cs == 0)
		return slot == P_DONE || slot == P_FREPLY || slot == P_DEBUG || (slot >= P_WGO && slot < P_WGO + 2 * FZ_WORKERS);
	return fz.cs[cs].worker >= 0 && (slot == W_GO || slot == W_FEP);
}

/* A random occupied slot of cs whose cap satisfies pred (FZ_NO if none). */
static int pick_slot(struct rand64 *r, int cs, cap_pred pred, bool unpinned)
{
	int n = 0, pick, lim = 1 << fz.cs[cs].radix;

	for (int s = 0; s < lim; s++) {
		int c = fz.cs[cs].slot[s];
		n += c != FZ_NO && !infra_slot(cs, s) && (!unpinned || s >= fz.cs[cs].first_free) &&
		     (!pred || pred(c));
	}
	if (!n)
		return FZ_NO;
	pick = (int)rand_below(r, (uint64_t)n);
	for (int s = 0; s < lim; s++) {
		int c = fz.cs[cs].slot[s];
		if (c != FZ_NO && !infra_slot(cs, s) && (!unpinned || s >= fz.cs[cs].first_free) &&
		    (!pred || pred(c)) && pick-- == 0)
			return s;
	}
	return FZ_NO;
}

static int pick_free(struct rand64 *r, int cs)
{
	int lim = 1 << fz.cs[cs].radix, first = fz.cs[cs].first_free;
	int start = first + (int)rand_below(r, (uint64_t)(lim - first));

	for (int i = 0; i < lim - first; i++) {
		int s = first + (start - first + i) % (lim - first);
		if (fz.cs[cs].slot[s] == FZ_NO)
			return s;
	}
	return FZ_NO;
}

static bool is_untyped(int c) { return cap_type_of(c) == OBJ_UNTYPED; }
static bool is_frame(int c) { return cap_type_of(c) == OBJ_FRAME_4K; }
static bool is_paging(int c) { return fz_is_paging(cap_type_of(c)); }
static bool is_pml4(int c) { return cap_type_of(c) == OBJ_PML4; }
static bool is_ntfn(int c) { return cap_type_of(c) == OBJ_NOTIFICATION; }
static bool is_ep(int c) { return cap_type_of(c) == OBJ_ENDPOINT; }
static bool is_reply(int c) { return cap_type_of(c) == OBJ_REPLY; }
static bool is_tcb(int c) { return cap_type_of(c) == OBJ_TCB; }
static bool is_xnotif(int c) { return cap_type_of(c) == OBJ_XNOTIF; }
static bool is_cnode_modelled(int c)
{
	return cap_type_of(c) == OBJ_CNODE && fz.obj[fz.cap[c].obj].cspace != FZ_NO;
}
static bool is_fuzz_tcb(int c)
{
	return is_tcb(c) && fz.obj[fz.cap[c].obj].worker < 0 && !fz.obj[fz.cap[c].obj].external;
}
static bool is_any(int c) { return c != FZ_NO; }
static bool is_unmapped_frame(int c)
{
	return is_frame(c) && fz.cap[c].map_vs == FZ_NO && (fz.cap[c].rights & RIGHT_READ);
}
static bool is_unmapped_paging(int c) { return is_paging(c) && fz.cap[c].map_vs == FZ_NO; }

/* Mostly a slot whose cap satisfies `likely` (a call that can succeed),
 * else any whose cap satisfies `pred`. */
static int pick_mostly(struct rand64 *r, int cs, cap_pred likely, cap_pred pred)
{
	int s = rand_chance(r, 85) ? pick_slot(r, cs, likely, false) : FZ_NO;

	return s != FZ_NO ? s : pick_slot(r, cs, pred, false);
}

/* What a cptr of the actor's CSpace names: E_OK and the cap, or the error. */
static uint64_t lookup(int cs, uint64_t cptr, unsigned want, int *cap)
{
	*cap = cptr < (1u << fz.cs[cs].radix) ? fz_slot_cap(cs, (int)cptr) : FZ_NO;
	if (*cap == FZ_NO)
		return E_FAILED_LOOKUP;
	return want && cap_type_of(*cap) != want ? E_INVALID_CAPABILITY : E_OK;
}

static void expect(struct fz_op *op, uint64_t err)
{
	op->ex.ok_errs |= EBIT(err);
}

static void set_call(struct fz_op *op, uint64_t no, uint64_t cap, uint64_t label, unsigned len)
{
	op->call.no = no;
	op->call.cap = cap;
	op->call.info = msginfo(label, 0, 0, len);
}

static void set_mr(struct fz_op *op, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	op->call.mr[0] = a, op->call.mr[1] = b, op->call.mr[2] = c, op->call.mr[3] = d;
}

/* A CNode the actor can name, and its model CSpace: mostly its own. */
static bool pick_cnode(struct rand64 *r, int actor, uint64_t *cptr, int *dcs)
{
	int cs = actor_cs(actor), s;

	if (rand_chance(r, 65)) {
		*cptr = self_cptr(actor);
		*dcs = cs;
		return true;
	}
	if ((s = pick_slot(r, cs, is_cnode_modelled, false)) == FZ_NO)
		return false;
	*cptr = (uint64_t)s;
	*dcs = fz.obj[fz.cap[fz_slot_cap(cs, s)].obj].cspace;
	return fz.cs[*dcs].used;
}

/* A destination index: mostly free; sometimes taken or out of range. */
static uint64_t pick_dest(struct rand64 *r, int dcs, uint64_t *err)
{
	int s, lim = 1 << fz.cs[dcs].radix;

	if (rand_chance(r, 4)) {
		*err = E_RANGE_ERROR;
		return (uint64_t)lim + rand_below(r, 100);
	}
	if (rand_chance(r, 6) || (s = pick_free(r, dcs)) == FZ_NO) {
		s = (int)rand_below(r, (uint64_t)lim);
		*err = fz.cs[dcs].slot[s] == FZ_NO ? E_OK : E_DELETE_FIRST;
		if (s < fz.cs[dcs].first_free && *err == E_OK)
			*err = E_DELETE_FIRST, s = P_SELF; /* never fill a pinned slot */
		return (uint64_t)s;
	}
	*err = E_OK;
	return (uint64_t)s;
}

/* ---- pressure valves ----
 * A full CSpace or a spent untyped makes most calls into it fail the same
 * way (E_DELETE_FIRST, E_NOT_ENOUGH_MEMORY), and nothing would free them:
 * retyped memory comes back only when its untyped has no children left.
 * So instead of such a call the generator mostly makes the one that frees
 * what is missing: a delete in that CNode, a revoke of that untyped. */

static unsigned free_slots(int cs)
{
	unsigned n = 0;

	for (int s = fz.cs[cs].first_free; s < (1 << fz.cs[cs].radix); s++)
		n += fz.cs[cs].slot[s] == FZ_NO;
	return n;
}

/* Room in the model for nobj more objects and ncap more capabilities. */
static bool model_room(int nobj, int ncap)
{
	for (int i = 0; i < FZ_MAX_OBJS && nobj > 0; i++)
		nobj -= !fz.obj[i].live && !fz.obj[i].ncaps;
	for (int i = 0; i < FZ_MAX_CAPS && ncap > 0; i++)
		ncap -= !fz.cap[i].used;
	return nobj <= 0 && ncap <= 0;
}

static void apply_delete(struct fz_op *op, const struct fz_result *res);
static int kind_of(fz_gen_fn gen);
static bool g_delete_(struct rand64 *r, struct fz_op *op);
static bool g_revoke_(struct rand64 *r, struct fz_op *op);
static bool g_retype(struct rand64 *r, struct fz_op *op);
static bool g_pt_map(struct rand64 *r, struct fz_op *op);
static bool make_retype(struct rand64 *r, struct fz_op *op, unsigned type);
static bool build_towards(struct rand64 *r, struct fz_op *op, uint64_t vcp, int vs);

/* Delete an unpinned capability of CNode cn (model CSpace dcs). */
static bool make_delete(struct rand64 *r, struct fz_op *op, uint64_t cn, int dcs)
{
	int s = pick_slot(r, dcs, is_any, true);

	if (s == FZ_NO)
		return false;
	memset(&op->call, 0, sizeof(op->call));
	memset(&op->ex, 0, sizeof(op->ex));
	op->name = "delete";
	op->kind = kind_of(g_delete_);
	set_call(op, SYS_CALL, cn, INV_CNODE_DELETE, 1);
	op->call.mr[0] = (uint64_t)s;
	expect(op, E_OK);
	op->apply = apply_delete;
	op->b = dcs, op->c = s, op->d = 0;
	return true;
}

/* Revoke the capability in slot s of the actor's own CSpace. */
static bool make_revoke(struct fz_op *op, int s)
{
	memset(&op->call, 0, sizeof(op->call));
	memset(&op->ex, 0, sizeof(op->ex));
	op->name = "revoke";
	op->kind = kind_of(g_revoke_);
	set_call(op, SYS_CALL, self_cptr(op->actor), INV_CNODE_REVOKE, 1);
	op->call.mr[0] = (uint64_t)s;
	expect(op, E_OK);
	op->apply = apply_delete;
	op->b = actor_cs(op->actor), op->c = s, op->d = 1;
	return true;
}

/* ---- retype ---- */

static const uint8_t retype_types[] = {
	OBJ_UNTYPED, OBJ_CNODE, OBJ_TCB, OBJ_ENDPOINT, OBJ_NOTIFICATION, OBJ_REPLY, OBJ_FRAME_4K,
	OBJ_FRAME_4K, OBJ_FRAME_4K, OBJ_PAGE_TABLE, OBJ_PAGE_TABLE, OBJ_PAGE_DIRECTORY, OBJ_PDPT,
	OBJ_PML4, OBJ_ENDPOINT, OBJ_NOTIFICATION, OBJ_FRAME_2M,
};

static uint64_t obj_bytes(uint64_t type, uint64_t bits)
{
	switch (type) {
	case OBJ_UNTYPED: return 1ull << bits;
	case OBJ_CNODE: return 32ull << bits;
	case OBJ_TCB: return 2048;
	case OBJ_ENDPOINT: case OBJ_REPLY: return 32;
	case OBJ_NOTIFICATION: return 64;
	case OBJ_FRAME_2M: return 2ull << 20;
	default: return 4096;
	}
}

static unsigned live_count(unsigned type)
{
	unsigned n = 0;

	for (int i = 0; i < FZ_MAX_OBJS; i++)
		n += fz.obj[i].live && fz.obj[i].type == type;
	return n;
}

static unsigned free_cspaces(void)
{
	unsigned n = 0;

	for (int i = 0; i < FZ_CSPACES; i++)
		n += !fz.cs[i].used;
	return n;
}

static void apply_retype(struct fz_op *op, const struct fz_result *res)
{
	struct fz_cap *u = &fz.cap[op->a];
	uint64_t type = op->x, bits = op->y, bytes = obj_bytes(type, bits);
	int dcs = op->b;

	if (res->err)
		return;
	if (!fz_has_children(op->a))
		u->wm = 0;
	uint64_t start = (u->wm + bytes - 1) & ~(bytes - 1);
	for (int i = 0; i < op->d; i++) {
		int o = fz_obj_new((unsigned)type, bytes);
		int c = fz_cap_new(o, dcs, op->c + i, RIGHTS_ALL, 0);
		struct fz_obj *ob = &fz.obj[o];
		ob->root = fz.obj[u->obj].root;
		ob->offset = fz.obj[u->obj].offset + start + (uint64_t)i * bytes;
		fz_cdt_insert_after(c, op->a); /* each right after the untyped: the last made comes first */
		fz.cap[c].revocable = 1;
		if (type == OBJ_CNODE) {
			fz_cs_new(o, (unsigned)bits, 0, -1);
			ob->region_bits = (uint8_t)bits; /* its radix: guard size + radix <= 64 */
		}
		if (type == OBJ_TCB) /* its slots: CSpace, VSpace, IPC buffer (copies made by configure) */
			ob->cspace = (int16_t)fz_cs_new(FZ_NO, 2, 0, -1);
		if (type == OBJ_UNTYPED) {
			ob->region_bits = (uint8_t)bits;
			fz.cap[c].wm = 0;
		}
		if (type == OBJ_PML4)
			fz_asid_new(o); /* in order, as make_cap allocates them */
	}
	u->wm = start + (uint64_t)op->d * bytes;
}

static uint64_t predict_retype(int ucap, uint64_t type, uint64_t bits, uint64_t count, uint64_t lerr,
			       uint64_t derr)
{
	struct fz_cap *u = &fz.cap[ucap];

	if (type == OBJ_UNTYPED && (bits < 4 || bits > 47))
		return E_RANGE_ERROR;
	if (type == OBJ_CNODE && (bits < 1 || bits > 20))
		return E_RANGE_ERROR;
	if (type < OBJ_UNTYPED || type > OBJ_PML4)
		return E_INVALID_ARGUMENT;
	if (count < 1 || count > 256)
		return E_RANGE_ERROR;
	if (lerr)
		return lerr;
	if (derr)
		return derr;
	uint64_t bytes = obj_bytes(type, bits), size = fz.obj[u->obj].bytes;
	uint64_t wm = fz_has_children(ucap) ? u->wm : 0;
	uint64_t start = (wm + bytes - 1) & ~(bytes - 1);
	if (bytes > size || start > size || count > (size - start) / bytes)
		return E_NOT_ENOUGH_MEMORY;
	return E_OK;
}

/* The destination slots [idx, idx + count) of a retype, in the kernel's
 * order (untyped.c): the whole range must lie inside the CNode
 * (E_RANGE_ERROR) before any slot is looked at (E_DELETE_FIRST). A count
 * outside 1..256 fails before the destination is looked up at all. */
static uint64_t retype_dest_err(int dcs, uint64_t idx, uint64_t count)
{
	uint64_t lim = 1ull << fz.cs[dcs].radix;

	if (count < 1 || count > 256)
		return E_OK; /* predict_retype: E_RANGE_ERROR first */
	if (idx >= lim || count > lim - idx)
		return E_RANGE_ERROR;
	for (uint64_t i = 0; i < count; i++)
		if (fz.cs[dcs].slot[idx + i] != FZ_NO)
			return E_DELETE_FIRST;
	return E_OK;
}

static bool g_retype(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor), us = pick_slot(r, cs, is_untyped, false), dcs, cnc;
	uint64_t type, bits = 0, count, cncptr, idx, lerr = E_OK, derr = E_OK;

	if (us == FZ_NO || !pick_cnode(r, op->actor, &cncptr, &dcs))
		return false;
	type = rand_chance(r, 92) ? retype_types[rand_below(r, sizeof(retype_types))]
				  : rand_chance(r, 50) ? 0 : rand_range(r, 13, 40);
	if (type == OBJ_UNTYPED)
		bits = rand_chance(r, 95) ? rand_range(r, 8, 13) : rand_chance(r, 50) ? 3 : 48;
	else if (type == OBJ_CNODE)
		bits = rand_chance(r, 95) ? rand_range(r, 1, 4) : rand_chance(r, 50) ? 0 : 21;
	count = rand_chance(r, 75) ? 1 : rand_chance(r, 90) ? rand_range(r, 2, 3) : rand_chance(r, 50) ? 0 : 300;
	if ((type == OBJ_CNODE || type == OBJ_TCB) && free_cspaces() < count + 2)
		return false; /* the model could not follow its slots */
	if (type == OBJ_PML4 && live_count(OBJ_PML4) > 24)
		return false;
	if (!model_room((int)(count < 3 ? count : 3), (int)(count < 3 ? count : 3)))
		return make_revoke(op, us); /* the model is full: free the untyped's objects */
	if (rand_chance(r, 3)) { /* a destination that is not a CNode */
		int s = pick_slot(r, cs, is_frame, false);
		if (s != FZ_NO)
			cncptr = (uint64_t)s, lerr = E_INVALID_CAPABILITY;
	}
	lookup(cs, cncptr, 0, &cnc);
	idx = pick_dest(r, dcs, &derr);
	derr = retype_dest_err(dcs, idx, count);
	op->name = "retype";
	set_call(op, SYS_CALL, (uint64_t)us, INV_UNTYPED_RETYPE, 5);
	set_mr(op, type, bits, cncptr, idx);
	op->call.buf[0] = count;
	op->call.nbuf = 1;
	uint64_t err = predict_retype(fz_slot_cap(cs, us), type, bits, count, lerr, derr);
	if (err == E_NOT_ENOUGH_MEMORY && rand_chance(r, 60))
		return make_revoke(op, us);
	if (err == E_DELETE_FIRST && !free_slots(dcs) && rand_chance(r, 60))
		return make_delete(r, op, cncptr, dcs);
	expect(op, err);
	op->apply = apply_retype;
	op->a = fz_slot_cap(cs, us), op->b = dcs, op->c = (int)idx, op->d = (int)count;
	op->x = type, op->y = bits;
	return true;
}

/* ---- copy, mint, move, mutate, delete, revoke ---- */

/* The badge/guard rules of derive (cnode.c) for a new w1 on src. */
static uint64_t derive_err(int src, bool set_w1, uint64_t w1)
{
	unsigned t = cap_type_of(src);

	if (!set_w1 || (w1 == 0 && t != OBJ_CNODE))
		return E_OK;
	if (t == OBJ_ENDPOINT || t == OBJ_NOTIFICATION)
		return fz.cap[src].badge ? E_ILLEGAL_OPERATION : E_OK;
	if (t == OBJ_CNODE) {
		unsigned gsize = (unsigned)(w1 & 63);
		return gsize + fz.obj[fz.cap[src].obj].region_bits > 64 || ((w1 >> 6) >> gsize) ? E_INVALID_ARGUMENT
												: E_OK;
	}
	return E_ILLEGAL_OPERATION;
}

/* The capability rules (rules of docs/capabilities.md) a derived copy must pass. */
static uint64_t copy_rule_err(int src)
{
	unsigned t = cap_type_of(src);

	if (t == OBJ_UNTYPED && fz_has_children(src))
		return E_REVOKE_FIRST;
	if (fz_is_paging(t) && fz.cap[src].map_vs == FZ_NO)
		return E_ILLEGAL_OPERATION;
	return E_OK;
}

static uint64_t new_badge(int src, bool set_w1, uint64_t w1)
{
	unsigned t = cap_type_of(src);

	if (set_w1 && (t == OBJ_CNODE || ((t == OBJ_ENDPOINT || t == OBJ_NOTIFICATION) && w1)))
		return w1;
	return fz.cap[src].badge;
}

static bool derived_revocable(int nc, int src)
{
	unsigned t = cap_type_of(nc);

	if (t == OBJ_ENDPOINT || t == OBJ_NOTIFICATION)
		return fz.cap[nc].badge != fz.cap[src].badge;
	return t == OBJ_UNTYPED;
}

/* A copy of src in (dcs, slot): the rules' derived copy. */
static int derive_copy(int src, int dcs, int slot, unsigned rights, bool mint, uint64_t w1)
{
	struct fz_cap *s = &fz.cap[src];
	int c = fz_cap_new(s->obj, dcs, slot, s->rights & rights, new_badge(src, mint, w1));
	struct fz_cap *n = &fz.cap[c];
	unsigned t = cap_type_of(src);

	if (fz_is_paging(t))
		n->map_vs = s->map_vs, n->map_va = s->map_va; /* carries the record: never mapped twice */
	if (t == OBJ_UNTYPED) {
		n->wm = s->wm;
		s->wm = fz.obj[s->obj].bytes; /* hands out nothing while the copy exists */
	}
	n->revocable = derived_revocable(c, src);
	n->first_badged = mint && n->badge != s->badge && (t == OBJ_ENDPOINT || t == OBJ_NOTIFICATION);
	fz_cdt_insert_after(c, src);
	return c;
}

static void apply_copy(struct fz_op *op, const struct fz_result *res)
{
	if (!res->err)
		derive_copy(op->a, op->b, op->c, (unsigned)op->x, op->d, op->y);
}

/* A w1 for mint or mutate: a badge, or a CNode guard word. */
static uint64_t gen_w1(struct rand64 *r, int src)
{
	unsigned t = cap_type_of(src);

	if (t == OBJ_CNODE) {
		unsigned radix = fz.obj[fz.cap[src].obj].region_bits;
		return rand_chance(r, 85) ? 64 - radix : rand_chance(r, 50) ? 1ull << 20 : 63;
	}
	if (t == OBJ_ENDPOINT || t == OBJ_NOTIFICATION)
		return rand_chance(r, 20) ? 0 : 1ull << rand_below(r, 12);
	return rand_chance(r, 85) ? 0 : rand_range(r, 1, 99);
}

static unsigned gen_rights(struct rand64 *r)
{
	return rand_chance(r, 60) ? RIGHTS_ALL : (unsigned)rand_below(r, 16);
}

/* Source and destination of copy/mint/move/mutate. */
static bool pick_src_dest(struct rand64 *r, struct fz_op *op, bool unpinned, int *src, int *dcs,
			  uint64_t *cn, uint64_t *dest, uint64_t *derr, uint64_t *serr)
{
	int cs = actor_cs(op->actor), s = pick_slot(r, cs, is_any, unpinned);

	if (s == FZ_NO || !pick_cnode(r, op->actor, cn, dcs))
		return false;
	*dest = pick_dest(r, *dcs, derr);
	*src = fz_slot_cap(cs, s);
	*serr = E_OK;
	op->call.mr[1] = (uint64_t)s;
	if (rand_chance(r, 4)) { /* an empty source */
		int e = pick_free(r, cs);
		if (e != FZ_NO)
			op->call.mr[1] = (uint64_t)e, *serr = E_FAILED_LOOKUP;
	}
	return true;
}

static bool g_copy(struct rand64 *r, struct fz_op *op, bool mint)
{
	int src, dcs;
	uint64_t cn, dest, derr, serr, w1;
	unsigned rights = gen_rights(r);

	if (!pick_src_dest(r, op, false, &src, &dcs, &cn, &dest, &derr, &serr))
		return false;
	w1 = mint ? gen_w1(r, src) : 0;
	op->name = mint ? "mint" : "copy";
	set_call(op, SYS_CALL, cn, mint ? INV_CNODE_MINT : INV_CNODE_COPY, mint ? 4 : 3);
	op->call.mr[0] = dest, op->call.mr[2] = rights, op->call.mr[3] = w1;
	if (derr == E_DELETE_FIRST && !free_slots(dcs) && rand_chance(r, 60))
		return make_delete(r, op, cn, dcs);
	if (!model_room(0, 1))
		return false;
	if (derr || serr) {
		expect(op, derr ? derr : serr);
		return true;
	}
	uint64_t de = derive_err(src, mint, w1), re = copy_rule_err(src);
	if (de)
		expect(op, de);
	if (re)
		expect(op, re);
	if (!de && !re)
		expect(op, E_OK);
	op->apply = apply_copy;
	op->a = src, op->b = dcs, op->c = (int)dest, op->d = mint, op->x = rights, op->y = w1;
	return true;
}

static void apply_move(struct fz_op *op, const struct fz_result *res)
{
	struct fz_cap *c = &fz.cap[op->a];

	if (res->err)
		return;
	fz_move(op->a, op->b, op->c);
	if (!op->d)
		return;
	c->badge = new_badge(op->a, true, op->y); /* the mapping, the watermark and the place stay */
}

static bool g_move(struct rand64 *r, struct fz_op *op, bool mutate)
{
	int src, dcs;
	uint64_t cn, dest, derr, serr, w1;

	if (!pick_src_dest(r, op, true, &src, &dcs, &cn, &dest, &derr, &serr))
		return false;
	w1 = mutate ? gen_w1(r, src) : 0;
	op->name = mutate ? "mutate" : "move";
	set_call(op, SYS_CALL, cn, mutate ? INV_CNODE_MUTATE : INV_CNODE_MOVE, mutate ? 3 : 2);
	op->call.mr[0] = dest, op->call.mr[2] = w1;
	if (derr == E_DELETE_FIRST && !free_slots(dcs) && rand_chance(r, 60))
		return make_delete(r, op, cn, dcs);
	if (derr || serr) {
		expect(op, derr ? derr : serr);
		return true;
	}
	if (mutate && fz_has_children(src))
		expect(op, E_REVOKE_FIRST);
	else if (mutate && derive_err(src, true, w1))
		expect(op, derive_err(src, true, w1));
	else
		expect(op, E_OK);
	op->apply = apply_move;
	op->a = src, op->b = dcs, op->c = (int)dest, op->d = mutate, op->y = w1;
	return true;
}

static void apply_delete(struct fz_op *op, const struct fz_result *res)
{
	int c = fz_slot_cap(op->b, op->c);

	if (res->err || c == FZ_NO)
		return;
	if (op->d)
		fz_revoke(c);
	else
		fz_cap_delete(c);
}

static bool g_delete(struct rand64 *r, struct fz_op *op, bool revoke)
{
	int dcs, s;
	uint64_t cn;

	if (!pick_cnode(r, op->actor, &cn, &dcs))
		return false;
	if (revoke && dcs != actor_cs(op->actor) && fz.cs[dcs].worker < 0)
		return false; /* revoke only where the tree cannot hold the slot itself */
	s = pick_slot(r, dcs, is_any, !revoke);
	if (s == FZ_NO || rand_chance(r, 8))
		s = pick_free(r, dcs);
	if (s == FZ_NO)
		return false;
	op->name = revoke ? "revoke" : "delete";
	set_call(op, SYS_CALL, cn, revoke ? INV_CNODE_REVOKE : INV_CNODE_DELETE, 1);
	op->call.mr[0] = (uint64_t)s;
	if (rand_chance(r, 3)) {
		op->call.mr[0] = 1ull << fz.cs[dcs].radix;
		expect(op, E_RANGE_ERROR);
		return true;
	}
	expect(op, E_OK);
	op->apply = apply_delete;
	op->b = dcs, op->c = s, op->d = revoke;
	return true;
}

/* ---- frames and paging structures ---- */

/* A virtual address in the window, aligned to the span of `level` (0: a page). */
static uint64_t gen_va(struct rand64 *r, int level)
{
	uint64_t va = FZ_WIN_BASE + (rand_below(r, 2) << 39);

	if (level < 3)
		va += rand_below(r, 2) << 30;
	if (level < 2)
		va += rand_below(r, 2) << 21;
	if (level < 1)
		va += rand_below(r, FZ_WIN_INDEX) << 12;
	return va;
}

/* A va for an entry in the table at `level` (0: a page in a PT) of vs:
 * mostly one whose table is there with that entry free, so maps reach deep. */
/* The vas (as gen_va makes them) of the free entries at `level` whose
 * table is linked in vs: where a map of that level can succeed. */
static unsigned free_entries(int vs, int level, uint64_t *out, unsigned max)
{
	unsigned n = 0, per = level < 1 ? FZ_WIN_INDEX : 1;

	for (unsigned a = 0; a < 2; a++)
		for (unsigned b = 0; b < (level < 3 ? 2u : 1u); b++)
			for (unsigned c = 0; c < (level < 2 ? 2u : 1u); c++)
				for (unsigned d = 0; d < per; d++) {
					uint64_t va = FZ_WIN_BASE + ((uint64_t)a << 39) + ((uint64_t)b << 30) +
						      ((uint64_t)c << 21) + ((uint64_t)d << 12);
					int t = fz_walk(vs, va, level);
					if (t != FZ_NO && fz.obj[t].entry[fz_va_index(va, level)] == FZ_NO && n < max)
						out[n++] = va;
				}
	return n;
}

static uint64_t gen_va_in(struct rand64 *r, int vs, int level)
{
	uint64_t va = gen_va(r, level), cand[64];
	unsigned n = vs == FZ_NO ? 0 : free_entries(vs, level, cand, 64);

	return n && rand_chance(r, 85) ? cand[rand_below(r, n)] : va;
}

/* A VSpace cptr of the actor: mostly a PML4; its object in *vs. */
static uint64_t pick_vspace(struct rand64 *r, int actor, int *vs, uint64_t *err)
{
	int cs = actor_cs(actor), s = pick_slot(r, cs, is_pml4, false), c;

	if (actor < 0 && rand_chance(r, 60))
		s = P_WVS + (int)rand_below(r, FZ_WORKERS); /* the VSpaces probes look at */
	if (s == FZ_NO || rand_chance(r, 4))
		s = (int)rand_below(r, 1u << fz.cs[cs].radix);
	*err = lookup(cs, (uint64_t)s, OBJ_PML4, &c);
	*vs = *err ? FZ_NO : fz.cap[c].obj;
	return (uint64_t)s;
}

static void apply_frame_map(struct fz_op *op, const struct fz_result *res)
{
	struct fz_cap *c = &fz.cap[op->a];
	int pt;

	if (res->err || (pt = fz_walk(op->b, op->x, 0)) == FZ_NO)
		return;
	unsigned i = fz_va_index(op->x, 0);
	fz.obj[pt].entry[i] = c->obj;
	fz.obj[pt].word = (fz.obj[pt].word & ~(1ull << i)) | (uint64_t)op->d << i;
	c->map_vs = (int16_t)op->b;
	c->map_va = op->x;
	c->map_write = (uint8_t)op->d;
}

static uint64_t predict_frame_map(int fc, int vs, uint64_t verr, unsigned rights, uint64_t va)
{
	int pt;

	if (fz.cap[fc].map_vs != FZ_NO)
		return E_ILLEGAL_OPERATION;
	if (verr)
		return verr;
	if (!(rights & RIGHT_READ))
		return E_INVALID_ARGUMENT;
	if (va & 0xFFF)
		return E_ALIGNMENT_ERROR;
	if (va >= 0x00007FFFFFFFF000ull)
		return E_INVALID_ARGUMENT;
	if ((pt = fz_walk(vs, va, 0)) == FZ_NO)
		return E_FAILED_LOOKUP;
	return fz.obj[pt].entry[fz_va_index(va, 0)] != FZ_NO ? E_DELETE_FIRST : E_OK;
}

static bool g_frame_map(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor), s = pick_mostly(r, cs, is_unmapped_frame, is_frame), vs;
	uint64_t verr, vcp, va, cand[1];
	unsigned rights = rand_chance(r, 60) ? RIGHT_READ | RIGHT_WRITE : rand_chance(r, 80) ? RIGHT_READ : RIGHT_WRITE;

	vcp = pick_vspace(r, op->actor, &vs, &verr);
	/* No page table with room there: mostly build towards one first. */
	if (vs != FZ_NO && !free_entries(vs, 0, cand, 1) && rand_chance(r, 70) && build_towards(r, op, vcp, vs))
		return true;
	if ((s == FZ_NO || !is_unmapped_frame(fz_slot_cap(cs, s))) && rand_chance(r, 50) &&
	    make_retype(r, op, OBJ_FRAME_4K))
		return true; /* no frame to map: make one */
	if (s == FZ_NO)
		return false;
	va = gen_va_in(r, vs, 0);
	if (rand_chance(r, 3))
		va = rand_chance(r, 50) ? va + 8 : 0xFFFF800000000000ull;
	int fc = fz_slot_cap(cs, s);
	rights &= RIGHTS_ALL;
	op->name = "atoll_frame_map";
	set_call(op, SYS_CALL, (uint64_t)s, INV_FRAME_MAP, 4);
	set_mr(op, vcp, va, rights, rand_below(r, 2));
	expect(op, predict_frame_map(fc, vs, verr, fz.cap[fc].rights & rights, va));
	op->apply = apply_frame_map;
	op->a = fc, op->b = vs, op->x = va;
	op->d = (fz.cap[fc].rights & rights & RIGHT_WRITE) != 0;
	return true;
}

static void apply_unmap(struct fz_op *op, const struct fz_result *res)
{
	if (!res->err)
		fz_unmap_cap(op->a);
}

static void apply_get_address(struct fz_op *op, const struct fz_result *res)
{
	struct fz_obj *o = &fz.obj[fz.cap[op->a].obj];

	if (res->err)
		return;
	if (res->mr[0] & 0xFFF)
		fz_violation(fz_cur_index, "frame-address", "frame address %#llx not page aligned",
			     (unsigned long long)res->mr[0]);
	if (o->paddr && o->paddr != res->mr[0])
		fz_violation(fz_cur_index, "frame-address", "one frame, two addresses: %#llx then %#llx",
			     (unsigned long long)o->paddr, (unsigned long long)res->mr[0]);
	o->paddr = res->mr[0];
}

static bool g_frame_other(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor), s = pick_slot(r, cs, is_frame, false);
	bool unmap = rand_chance(r, 60);

	if (s == FZ_NO)
		return false;
	op->name = unmap ? "atoll_frame_unmap" : "frame_address";
	set_call(op, SYS_CALL, (uint64_t)s, unmap ? INV_FRAME_UNMAP : INV_FRAME_GET_ADDRESS, 0);
	expect(op, E_OK);
	op->apply = unmap ? apply_unmap : apply_get_address;
	op->a = fz_slot_cap(cs, s);
	return true;
}

static int level_of(unsigned type)
{
	return type == OBJ_PAGE_TABLE ? 1 : type == OBJ_PAGE_DIRECTORY ? 2 : 3;
}

static void apply_pt_map(struct fz_op *op, const struct fz_result *res)
{
	int o = fz.cap[op->a].obj, level = level_of(fz.obj[o].type), parent;

	if (res->err || (parent = fz_walk(op->b, op->x, level)) == FZ_NO)
		return;
	fz.obj[parent].entry[fz_va_index(op->x, level)] = (int16_t)o;
	fz.obj[o].link_vs = (int16_t)op->b;
	fz.obj[o].link_va = op->x;
	for (int i = 0; i < FZ_MAX_CAPS; i++)
		if (fz.cap[i].used && fz.cap[i].obj == o)
			fz.cap[i].map_vs = (int16_t)op->b, fz.cap[i].map_va = op->x;
}

/* Levels (bit per level) where the chosen VSpace has a free entry. */
static unsigned fit_levels;
static bool is_fitting_table(int c)
{
	return is_unmapped_paging(c) && (fit_levels >> level_of(cap_type_of(c)) & 1);
}

/* PAGE_TABLE_MAP of the table in slot s at a va of vs (cptr vcp). */
static bool pt_map_op(struct rand64 *r, struct fz_op *op, int s, uint64_t vcp, int vs, uint64_t verr)
{
	int cs = actor_cs(op->actor), parent;
	uint64_t va, err;
	int pc = fz_slot_cap(cs, s), level = level_of(cap_type_of(pc));

	op->kind = kind_of(g_pt_map);
	va = gen_va_in(r, vs, level);
	if (rand_chance(r, 2))
		va = 0xFFFF800000000000ull;
	if (fz.cap[pc].map_vs != FZ_NO)
		err = E_ILLEGAL_OPERATION;
	else if (verr)
		err = verr;
	else if (va >= 0x00007FFFFFFFF000ull)
		err = E_INVALID_ARGUMENT;
	else if ((parent = fz_walk(vs, va, level)) == FZ_NO)
		err = E_FAILED_LOOKUP;
	else
		err = fz.obj[parent].entry[fz_va_index(va, level)] != FZ_NO ? E_DELETE_FIRST : E_OK;
	op->name = "table_map";
	set_call(op, SYS_CALL, (uint64_t)s, INV_PAGE_TABLE_MAP, 2);
	set_mr(op, vcp, va, 0, 0);
	expect(op, err);
	op->apply = apply_pt_map;
	op->a = pc, op->b = vs, op->x = va;
	return true;
}

/* A retype of one object of `type` that the model says succeeds: from an
 * untyped of the actor with room, into a free slot of its own CNode. */
static bool make_retype(struct rand64 *r, struct fz_op *op, unsigned type)
{
	int cs = actor_cs(op->actor), idx = pick_free(r, cs), cand[FZ_MAX_SLOTS], n = 0;

	if (idx == FZ_NO || !model_room(1, 1))
		return false;
	for (int s = 0; s < (1 << fz.cs[cs].radix); s++) {
		int c = fz.cs[cs].slot[s];
		if (c != FZ_NO && is_untyped(c) && predict_retype(c, type, 0, 1, E_OK, E_OK) == E_OK)
			cand[n++] = s;
	}
	if (!n)
		return false;
	int us = cand[rand_below(r, (uint64_t)n)];
	memset(&op->call, 0, sizeof(op->call));
	memset(&op->ex, 0, sizeof(op->ex));
	op->name = "retype";
	op->kind = kind_of(g_retype);
	set_call(op, SYS_CALL, (uint64_t)us, INV_UNTYPED_RETYPE, 5);
	set_mr(op, type, 0, self_cptr(op->actor), (uint64_t)idx);
	op->call.buf[0] = 1;
	op->call.nbuf = 1;
	expect(op, E_OK);
	op->apply = apply_retype;
	op->a = fz_slot_cap(cs, us), op->b = cs, op->c = idx, op->d = 1;
	op->x = type, op->y = 0;
	return true;
}

/* Towards a mapping in vs: a table for the deepest level that has a free
 * entry (one the actor holds, else a new one). */
static bool build_towards(struct rand64 *r, struct fz_op *op, uint64_t vcp, int vs)
{
	static const uint8_t type_at[4] = { 0, OBJ_PAGE_TABLE, OBJ_PAGE_DIRECTORY, OBJ_PDPT };
	uint64_t cand[8];

	for (int l = 1; l <= 3; l++) {
		if (!free_entries(vs, l, cand, 8))
			continue;
		fit_levels = 1u << l;
		int s = pick_slot(r, actor_cs(op->actor), is_fitting_table, false);
		if (s != FZ_NO)
			return pt_map_op(r, op, s, vcp, vs, E_OK);
		return make_retype(r, op, type_at[l]);
	}
	return false;
}

static bool g_pt_map(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor), s, vs;
	uint64_t verr, vcp, cand[8];

	vcp = pick_vspace(r, op->actor, &vs, &verr);
	fit_levels = 0;
	for (int l = 1; vs != FZ_NO && l <= 3; l++)
		fit_levels |= (free_entries(vs, l, cand, 8) != 0) << l;
	s = pick_mostly(r, cs, is_fitting_table, is_paging); /* mostly a table that fits there */
	if (s == FZ_NO && fit_levels && rand_chance(r, 60))
		return build_towards(r, op, vcp, vs);
	if (s == FZ_NO)
		return false;
	return pt_map_op(r, op, s, vcp, vs, verr);
}

static bool g_pt_unmap(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor), s = pick_slot(r, cs, is_paging, false);

	if (s == FZ_NO)
		return false;
	int pc = fz_slot_cap(cs, s);
	op->name = "table_unmap";
	set_call(op, SYS_CALL, (uint64_t)s, INV_PAGE_TABLE_UNMAP, 0);
	if (fz.obj[fz.cap[pc].obj].ncaps > 1)
		expect(op, E_REVOKE_FIRST); /* only the final capability unmaps */
	if (fz.cap[pc].map_vs == FZ_NO || fz.obj[fz.cap[pc].obj].ncaps == 1)
		expect(op, E_OK);
	op->apply = apply_unmap;
	op->a = pc;
	return true;
}

/* ---- TCBs ---- */

#define EXEC_MCP 150
#define WORKER_MIN_PRIO 101 /* workers stay above the executor (100) */

static unsigned caller_mcp(int actor)
{
	return actor < 0 ? EXEC_MCP : fz.obj[fz_w[actor].tcb_obj].mcp;
}

static void apply_tcb(struct fz_op *op, const struct fz_result *res)
{
	struct fz_obj *t = &fz.obj[fz.cap[op->a].obj];

	if (res->err)
		return;
	switch (op->d) {
	case INV_TCB_SET_PRIORITY: t->prio = (uint8_t)op->x; break;
	case INV_TCB_SET_MCP: t->mcp = (uint8_t)op->x; break;
	case INV_TCB_SUSPEND:
	case INV_TCB_RESUME:
		if (t->worker >= 0)
			fz_w[t->worker].suspended = op->d == INV_TCB_SUSPEND;
		break;
	case INV_TCB_BIND_NOTIFICATION:
		t->bound = (int16_t)op->b;
		fz.obj[op->b].bound = fz.cap[op->a].obj;
		break;
	case INV_TCB_UNBIND_NOTIFICATION:
		fz.obj[t->bound].bound = FZ_NO;
		t->bound = FZ_NO;
		break;
	default:
		break;
	}
}

static void gen_prio(struct rand64 *r, struct fz_op *op, int tcb)
{
	bool worker = fz.obj[fz.cap[tcb].obj].worker >= 0;
	uint64_t p = rand_chance(r, 80) ? rand_range(r, worker ? WORKER_MIN_PRIO : 0, EXEC_MCP)
					 : rand_chance(r, 80) ? rand_range(r, EXEC_MCP + 1, 255) : 256 + rand_below(r, 999);

	if (worker && p < WORKER_MIN_PRIO)
		p = WORKER_MIN_PRIO;
	op->call.mr[0] = op->x = p;
	expect(op, p > 255 || p > caller_mcp(op->actor) ? E_RANGE_ERROR : E_OK);
}

static void gen_bind(struct rand64 *r, struct fz_op *op, int tcb)
{
	int cs = actor_cs(op->actor), s = pick_slot(r, cs, is_ntfn, false), n;
	uint64_t err;

	if (s == FZ_NO)
		s = (int)rand_below(r, 1u << fz.cs[cs].radix);
	err = lookup(cs, (uint64_t)s, OBJ_NOTIFICATION, &n);
	op->call.mr[0] = (uint64_t)s;
	if (!err && (fz.obj[fz.cap[tcb].obj].bound != FZ_NO || fz.obj[fz.cap[n].obj].bound != FZ_NO))
		err = E_ILLEGAL_OPERATION;
	expect(op, err);
	op->b = n == FZ_NO ? 0 : fz.cap[n].obj;
}

/* WRITE_REGISTERS of a fuzz-made TCB (never resumed): a good or a bad rip. */
static void gen_write_regs(struct rand64 *r, struct fz_op *op)
{
	uint64_t n = rand_chance(r, 90) ? 3 : 19;
	bool bad = rand_chance(r, 20);

	op->call.info = msginfo(INV_TCB_WRITE_REGISTERS, 0, 0, (unsigned)(2 + (n > 6 ? 6 : n)));
	op->call.mr[0] = 0;
	op->call.mr[1] = n;
	op->call.mr[2] = bad ? 0xFFFF800000001000ull : 0x1000 + (rand_below(r, 256) << 4);
	op->call.mr[3] = 0x8000;
	op->call.buf[0] = 0x202;
	op->call.nbuf = 1;
	op->call.mr23_in_buf = 1;
	expect(op, n > 18 ? E_TRUNCATED_MESSAGE : bad ? E_INVALID_ARGUMENT : E_OK);
}

/* CONFIGURE of a fuzz-made TCB: its slot copies change, all or nothing.
 * Each new slot capability is a derived copy (cap_derive, as a CNode copy
 * makes): a frame copy starts unmapped; the old slot capability is
 * deleted first (CSpace, VSpace, then IPC buffer, as tcb.c installs). */
static void apply_configure(struct fz_op *op, const struct fz_result *res)
{
	int cs = actor_cs(op->actor), tcs = fz.obj[fz.cap[op->a].obj].cspace;
	int src[3] = { fz_slot_cap(cs, op->b), fz_slot_cap(cs, op->c), op->d ? fz_slot_cap(cs, op->d) : FZ_NO };

	if (res->err || tcs == FZ_NO)
		return;
	for (int i = 0; i < 3; i++) {
		if (src[i] == FZ_NO && i == 2)
			continue;
		if (fz.cs[tcs].slot[i] != FZ_NO)
			fz_cap_delete(fz.cs[tcs].slot[i]);
		derive_copy(src[i], tcs, i, RIGHTS_ALL, false, 0);
	}
}

static bool gen_configure(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor), cn = pick_slot(r, cs, is_cnode_modelled, false);
	int vs = pick_slot(r, cs, is_pml4, false), f = pick_slot(r, cs, is_frame, false), fc = FZ_NO, dummy;
	uint64_t e1, e2, e3 = E_OK;

	if (cn == FZ_NO || vs == FZ_NO || free_cspaces() < 2 || !model_room(0, 3))
		return false;
	if (rand_chance(r, 10))
		vs = cn; /* not a PML4 */
	if (f == FZ_NO || rand_chance(r, 50))
		f = 0;
	op->call.info = msginfo(INV_TCB_CONFIGURE, 0, 0, 5);
	set_mr(op, rand_below(r, 64), (uint64_t)cn, (uint64_t)vs, rand_chance(r, 95) ? 0x20000 : 0x20008);
	op->call.buf[0] = (uint64_t)f;
	op->call.nbuf = 1;
	e1 = lookup(cs, (uint64_t)cn, OBJ_CNODE, &dummy);
	e2 = lookup(cs, (uint64_t)vs, OBJ_PML4, &dummy);
	if (f && !(e3 = lookup(cs, (uint64_t)f, OBJ_FRAME_4K, &fc)) && !(fz.cap[fc].rights & RIGHT_WRITE))
		e3 = E_INVALID_CAPABILITY; /* the IPC buffer must be writable */
	expect(op, op->call.mr[3] & 0xFFF ? E_ALIGNMENT_ERROR : e1 ? e1 : e2 ? e2 : e3);
	op->apply = apply_configure;
	op->b = cn, op->c = vs, op->d = f;
	return true;
}

static bool g_tcb(struct rand64 *r, struct fz_op *op)
{
	static const uint8_t labels[] = {
		INV_TCB_SET_PRIORITY, INV_TCB_SET_PRIORITY, INV_TCB_SET_MCP, INV_TCB_SUSPEND, INV_TCB_RESUME,
		INV_TCB_READ_REGISTERS, INV_TCB_WRITE_REGISTERS, INV_TCB_BIND_NOTIFICATION,
		INV_TCB_UNBIND_NOTIFICATION, INV_TCB_SET_AFFINITY, INV_TCB_CONFIGURE, INV_DEBUG_NAME,
	};
	int cs = actor_cs(op->actor), s = pick_slot(r, cs, is_tcb, false);
	uint64_t label = labels[rand_below(r, sizeof(labels))];

	if (s == FZ_NO)
		return false;
	int tc = fz_slot_cap(cs, s);
	struct fz_obj *t = &fz.obj[fz.cap[tc].obj];
	bool fuzz_tcb = is_fuzz_tcb(tc), self = op->actor >= 0 && fz.cap[tc].obj == fz_w[op->actor].tcb_obj;
	if (!fuzz_tcb && (label == INV_TCB_WRITE_REGISTERS || label == INV_TCB_CONFIGURE))
		return false; /* the workers' registers and spaces are the fuzzer's own */
	if (label == INV_TCB_RESUME && fuzz_tcb)
		return false; /* a fuzz-made TCB has no code to run */
	if ((label == INV_TCB_SUSPEND || label == INV_TCB_RESUME) && (self || t->worker < 0))
		label = INV_TCB_READ_REGISTERS;
	op->name = "tcb";
	set_call(op, SYS_CALL, (uint64_t)s, label, 1);
	op->apply = apply_tcb;
	op->a = tc, op->d = (int)label;
	switch (label) {
	case INV_TCB_SET_PRIORITY:
	case INV_TCB_SET_MCP:
		gen_prio(r, op, tc);
		break;
	case INV_TCB_BIND_NOTIFICATION:
		gen_bind(r, op, tc);
		break;
	case INV_TCB_UNBIND_NOTIFICATION:
		expect(op, t->bound == FZ_NO ? E_ILLEGAL_OPERATION : E_OK);
		break;
	case INV_TCB_SET_AFFINITY:
		op->call.mr[0] = rand_chance(r, 90) ? rand_below(r, fz.ncores) : fz.ncores + rand_below(r, 4);
		expect(op, op->call.mr[0] < fz.ncores ? E_OK : E_RANGE_ERROR);
		break;
	case INV_TCB_READ_REGISTERS:
		op->call.info = msginfo(label, 0, 0, 0);
		expect(op, self ? E_ILLEGAL_OPERATION : E_OK);
		break;
	case INV_TCB_WRITE_REGISTERS:
		gen_write_regs(r, op);
		break;
	case INV_TCB_CONFIGURE:
		return gen_configure(r, op);
	case INV_DEBUG_NAME:
		op->call.info = msginfo(label, 0, 0, 6);
		op->call.buf[0] = 0x7a7a7566, op->call.buf[1] = 0;
		op->call.nbuf = 2;
		expect(op, E_OK);
		break;
	default:
		op->call.info = msginfo(label, 0, 0, 0);
		expect(op, E_OK);
		break;
	}
	return true;
}

/* ---- notifications, endpoints, reply objects, ports, cross-cluster ---- */

static void apply_signal(struct fz_op *op, const struct fz_result *res)
{
	struct fz_obj *n = &fz.obj[fz.cap[op->a].obj];

	if (res->err)
		return;
	if (op->d) { /* poll or wait: the word is taken */
		n->word = 0, n->active = 0;
		return;
	}
	n->word |= fz.cap[op->a].badge;
	n->active = 1;
}

/* Signal, Poll, or a Wait the model knows returns at once. */
static bool g_ntfn(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor), s = pick_slot(r, cs, is_ntfn, false);
	unsigned k = (unsigned)rand_below(r, 3);

	if (s == FZ_NO)
		return false;
	int nc = fz_slot_cap(cs, s);
	struct fz_obj *n = &fz.obj[fz.cap[nc].obj];
	if (k == 2 && (!n->active || op->actor < 0))
		k = 1; /* a Wait that would block: never the executor's */
	unsigned need = k ? RIGHT_READ : RIGHT_WRITE;
	op->name = k == 0 ? "signal" : k == 1 ? "poll" : "wait";
	set_call(op, k == 0 ? SYS_SIGNAL : k == 1 ? SYS_POLL : SYS_WAIT, (uint64_t)s, 0, 0);
	if (!(fz.cap[nc].rights & need)) {
		expect(op, E_INVALID_CAPABILITY);
		return true;
	}
	expect(op, E_OK);
	if (k) {
		op->ex.check_badge = true;
		op->ex.badge = n->word;
	}
	op->apply = apply_signal;
	op->a = nc, op->d = k != 0;
	return true;
}

static void apply_bound_taken(struct fz_op *op, const struct fz_result *res)
{
	if (!res->err)
		fz.obj[op->b].word = 0, fz.obj[op->b].active = 0;
}

/* Non-blocking endpoint calls with no partner: dropped, or nothing there. */
static bool g_ep(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor), s = pick_slot(r, cs, is_ep, false), rc;
	bool send = rand_chance(r, 50);
	uint64_t reply = 0, rerr = E_OK;

	if (s == FZ_NO)
		return false;
	int ec = fz_slot_cap(cs, s);
	if (!send && rand_chance(r, 70)) {
		int rs = pick_slot(r, cs, rand_chance(r, 85) ? is_reply : is_any, false);
		if (rs != FZ_NO) {
			reply = (uint64_t)rs;
			rerr = lookup(cs, reply, OBJ_REPLY, &rc);
		}
	}
	op->name = send ? "nbsend" : "nbrecv";
	set_call(op, send ? SYS_NBSEND : SYS_NBRECV, (uint64_t)s, rand_below(r, 64), (unsigned)rand_below(r, 5));
	op->call.reply = reply;
	if (send)
		expect(op, fz.cap[ec].rights & RIGHT_WRITE ? E_OK : E_INVALID_CAPABILITY);
	else if (rerr)
		expect(op, rerr);
	else
		expect(op, fz.cap[ec].rights & RIGHT_READ ? E_OK : E_INVALID_CAPABILITY);
	op->ex.check_badge = !send && op->ex.ok_errs == EBIT(E_OK);
	op->ex.badge = 0;
	if (op->ex.check_badge && op->actor >= 0) {
		/* A pending signal on the receiver's bound notification satisfies
		 * the receive (endpoint.c take_bound_signal): its word is the badge. */
		int n = fz.obj[fz_w[op->actor].tcb_obj].bound;
		if (n != FZ_NO && fz.obj[n].active) {
			op->ex.badge = fz.obj[n].word;
			op->apply = apply_bound_taken;
			op->b = n;
		}
	}
	return true;
}

/* Reply with a reply object that holds no caller. */
static bool g_reply(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor), s = pick_slot(r, cs, is_reply, false);
	unsigned k = (unsigned)rand_below(r, 3);

	if (s == FZ_NO)
		return false;
	op->name = "reply";
	if (k == 0) { /* Send on the reply capability */
		set_call(op, SYS_SEND, (uint64_t)s, 0, 1);
		expect(op, E_ILLEGAL_OPERATION);
	} else {
		set_call(op, SYS_REPLY, 0, 0, 1);
		op->call.reply = k == 1 ? (uint64_t)s : 0;
		expect(op, k == 1 ? E_ILLEGAL_OPERATION : E_INVALID_CAPABILITY);
	}
	return true;
}

static bool g_ioport(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor);
	uint64_t port = rand_chance(r, 70) ? 0x80 : rand_range(r, 0x7E, 0x82);
	unsigned size = rand_chance(r, 80) ? 1 : rand_chance(r, 50) ? 2 : 4;
	bool out = rand_chance(r, 50);

	if (!fz.devices || op->actor >= 0 || fz_slot_cap(cs, P_IOPORT) == FZ_NO)
		return false;
	op->name = "ioport";
	set_call(op, SYS_CALL, P_IOPORT,
		 (out ? INV_IOPORT_OUT8 : INV_IOPORT_IN8) + (size == 1 ? 0 : size == 2 ? 1 : 2), 2);
	set_mr(op, port, rand_below(r, 256), 0, 0);
	expect(op, port == 0x80 && size == 1 ? E_OK : E_RANGE_ERROR);
	return true;
}

extern uint64_t chan_pending;

static void apply_xnotif(struct fz_op *op, const struct fz_result *res)
{
	if (!res->err && op->d)
		__atomic_fetch_or(&chan_pending, res->badge, __ATOMIC_RELAXED); /* the rings' bits */
}

/* The cross-cluster notification capabilities: signal out, poll in, and
 * the wrong way round. */
static bool g_xnotif(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor), s = pick_slot(r, cs, is_xnotif, false);
	bool poll = rand_chance(r, 50);

	if (s == FZ_NO)
		return false;
	int xc = fz_slot_cap(cs, s);
	bool in = fz.obj[fz.cap[xc].obj].xn_in;
	op->name = poll ? "xnotif_poll" : "xnotif_signal";
	set_call(op, poll ? SYS_POLL : SYS_SIGNAL, (uint64_t)s, 0, 0);
	if (poll)
		expect(op, in && (fz.cap[xc].rights & RIGHT_READ) ? E_OK : E_INVALID_CAPABILITY);
	else
		expect(op, !in && (fz.cap[xc].rights & RIGHT_WRITE) ? E_OK : E_INVALID_CAPABILITY);
	op->apply = apply_xnotif;
	op->d = poll;
	return true;
}

/* Calls that are wrong in one known way. */
static bool g_bad(struct rand64 *r, struct fz_op *op)
{
	int cs = actor_cs(op->actor), s;
	unsigned k = (unsigned)rand_below(r, 5);

	op->name = "bad";
	switch (k) {
	case 0: /* an empty slot, or a cptr past the CNode's guard */
		s = pick_free(r, cs);
		set_call(op, SYS_CALL, s == FZ_NO || rand_chance(r, 30) ? 1ull << (40 + rand_below(r, 20)) : (uint64_t)s,
			 INV_CNODE_COPY, 3);
		expect(op, E_FAILED_LOOKUP);
		return true;
	case 1: /* a label of another object type */
		s = pick_slot(r, cs, rand_chance(r, 50) ? is_untyped : is_frame, false);
		if (s == FZ_NO)
			return false;
		set_call(op, SYS_CALL, (uint64_t)s, rand_chance(r, 50) ? INV_TCB_RESUME : INV_CNODE_DELETE, 1);
		expect(op, E_ILLEGAL_OPERATION);
		return true;
	case 2: /* no such system call */
		set_call(op, rand_chance(r, 50) ? 16 + rand_below(r, 16) : 0, 0, 0, 0);
		expect(op, E_ILLEGAL_OPERATION);
		return true;
	case 3: /* a CNode invocation with too short a message */
		set_call(op, SYS_CALL, self_cptr(op->actor), INV_CNODE_COPY, 0);
		expect(op, E_TRUNCATED_MESSAGE);
		return true;
	default: { /* debug output from memory that is not there; only the
		    * executor holds a debug capability (P_DEBUG) */
		bool has = op->actor < 0;
		uint64_t len = rand_chance(r, 80) ? rand_range(r, 1, DEBUG_PUTS_MAX)
						  : DEBUG_PUTS_MAX + 1 + rand_below(r, 4096);
		if (!has && fz_slot_cap(actor_cs(op->actor), 0) != FZ_NO)
			return false;
		set_call(op, SYS_DEBUG_PUTS, has ? P_DEBUG : 0, 0, 0);
		set_mr(op, 0x7000000000ull + (rand_below(r, 1024) << 12), len, 0, 0);
		expect(op, !has ? E_FAILED_LOOKUP : len > DEBUG_PUTS_MAX ? E_RANGE_ERROR : E_INVALID_ARGUMENT);
		return true;
	}
	}
}

/* ---- the mix ---- */

struct fz_kind {
	const char *name;
	uint8_t weight;
	bool worker_ok;
	bool (*gen)(struct rand64 *r, struct fz_op *op);
};

static bool g_copy_(struct rand64 *r, struct fz_op *op) { return g_copy(r, op, false); }
static bool g_mint_(struct rand64 *r, struct fz_op *op) { return g_copy(r, op, true); }
static bool g_move_(struct rand64 *r, struct fz_op *op) { return g_move(r, op, false); }
static bool g_mutate_(struct rand64 *r, struct fz_op *op) { return g_move(r, op, true); }
static bool g_delete_(struct rand64 *r, struct fz_op *op) { return g_delete(r, op, false); }
static bool g_revoke_(struct rand64 *r, struct fz_op *op) { return g_delete(r, op, true); }

static const struct fz_kind kinds[] = {
	{ "retype", 14, true, g_retype }, { "copy", 10, true, g_copy_ }, { "mint", 7, true, g_mint_ },
	{ "move", 5, true, g_move_ }, { "mutate", 4, true, g_mutate_ }, { "delete", 9, true, g_delete_ },
	{ "revoke", 2, true, g_revoke_ }, { "atoll_frame_map", 12, true, g_frame_map },
	{ "atoll_frame_unmap/addr", 8, true, g_frame_other }, { "table_map", 8, true, g_pt_map },
	{ "table_unmap", 3, true, g_pt_unmap }, { "tcb", 8, true, g_tcb }, { "notification", 6, true, g_ntfn },
	{ "endpoint", 3, true, g_ep }, { "reply", 1, true, g_reply }, { "ioport", 1, false, g_ioport },
	{ "xnotif", 2, false, g_xnotif }, { "bad", 3, true, g_bad },
};

static int kind_of(fz_gen_fn gen)
{
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].gen == gen)
			return (int)i;
	return 0;
}

const char *fz_kind_name(int kind)
{
	return kind >= 0 && (unsigned)kind < fz_kind_count() ? kinds[kind].name : "probe";
}

unsigned fz_kind_count(void)
{
	return sizeof(kinds) / sizeof(kinds[0]);
}

bool fz_generate(struct rand64 *r, struct fz_op *op)
{
	unsigned total = 0;

	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		total += kinds[i].weight;
	for (int tries = 0; tries < 16; tries++) {
		unsigned w = (unsigned)rand_below(r, total), i = 0;
		while (w >= kinds[i].weight)
			w -= kinds[i++].weight;
		memset(op, 0, sizeof(*op));
		op->actor = -1;
		if (kinds[i].worker_ok && rand_chance(r, 30)) {
			int k = (int)rand_below(r, FZ_WORKERS);
			if (fz_worker_usable((unsigned)k))
				op->actor = k;
		}
		op->kind = (int)i;
		if (kinds[i].gen(r, op))
			return true;
	}
	return false;
}
