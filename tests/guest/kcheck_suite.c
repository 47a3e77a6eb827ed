/*
 * test=kcheck: the invariant checker's self-tests (docs/invariants.md).
 * Builds cluster 0's root task as a normal boot does, makes real objects
 * through the kernel's own invocations and IPC paths (threads waiting on
 * endpoints, notifications and reply objects, a bound notification, a
 * runnable thread, mapped paging structures and frames), checks that all
 * of it satisfies every invariant, then breaks each invariant in turn on
 * purpose and sees the checker (full and, where it looks there, the entry
 * check) report exactly that invariant, restores it and sees it clean.
 * Finally it revokes the untyped everything came from and checks again.
 */
#include "abi/bootinfo.h"
#include "arch/vspace.h"
#include "console.h"
#include "ipc.h"
#include "irq.h"
#include "kcheck.h"
#include "kernel.h"
#include "kobj.h"
#include "kstring.h"
#include "ktest.h"
#include "printf.h"
#include "roottask.h"
#include "sched.h"
#include "smp.h"

#define TEST_VA 0x0000700000000000ull /* a PDPT, PD, PT of our own and frame F1 here */
#define FIRST_SLOT 64                  /* root CNode slots used from here (empty ones) */

struct notification **irq_notification_ref(uint64_t irq);

enum obj_id {
	T_RECV, T_CALLER, T_RECV2, T_SEND, T_NTFN, T_BOUND, T_READY, T_SPARE,
	EP_1, EP_2, NTFN_1, NTFN_2, REPLY_1, REPLY_2, CNODE_1,
	PDPT_1, PD_1, PT_1, PT_2, FRAME_1, FRAME_1C, FRAME_2, PML4_2, SCRATCH, SCRATCH2, N_OBJS
};

static struct {
	struct kernel_boot *kb;
	struct tcb *root;
	struct cte *cnode;      /* the root CNode's slots */
	cptr_t ut;              /* the untyped every test object comes from */
	cptr_t slot[N_OBJS];    /* cptr (= root CNode index) of each test object */
	uint64_t *pml4;         /* the root task's */
	uint32_t asid;
} w;

static struct cte *S(enum obj_id o) { return &w.cnode[w.slot[o]]; }
static void *OBJ(enum obj_id o) { return cap_obj(S(o)->cap); }
static paddr_t PA(enum obj_id o) { return cap_paddr(S(o)->cap); }

/* --- making things through the kernel's own paths --- */

static struct kerr invoke(cptr_t cptr, uint64_t label, unsigned n, const uint64_t *args)
{
	struct cte *s;
	struct kerr e = cspace_lookup_cap(w.root, cptr, 0, &s);
	struct inv iv = { .caller = w.root, .slot = s, .label = label, .len = n };

	if (e.err)
		return e;
	memcpy(iv.arg, args, n * sizeof(uint64_t));
	do { /* a preempted invocation is restarted, as the system call would be */
		iv.cap = s->cap;
		preempt_reset();
		e = obj_invoke(&iv);
	} while (e.err == E_PREEMPTED);
	return e;
}

static cptr_t free_slot(void)
{
	static cptr_t next = FIRST_SLOT;

	while (!cap_is_null(w.cnode[next].cap))
		next++;
	return next++;
}

static bool retype(enum obj_id o, uint64_t type, uint64_t size_bits)
{
	w.slot[o] = free_slot();
	uint64_t a[5] = { type, size_bits, ROOT_CNODE, w.slot[o], 1 };
	return invoke(w.ut, INV_UNTYPED_RETYPE, 5, a).err == E_OK;
}

static bool map_table(enum obj_id o)
{
	uint64_t a[2] = { ROOT_VSPACE, TEST_VA };
	return invoke(w.slot[o], INV_PAGE_TABLE_MAP, 2, a).err == E_OK;
}

/* The smallest root untyped of 128 KiB to 1 MiB. */
static bool pick_untyped(void)
{
	unsigned best = 64;

	for (cptr_t i = ROOT_FIRST_FREE_FIXED; i < (1u << ABI_ROOT_CNODE_RADIX); i++) {
		struct cap c = w.cnode[i].cap;
		if (cap_type(c) == OBJ_UNTYPED && cap_size_bits(c) >= 17 && cap_size_bits(c) <= 20 &&
		    cap_size_bits(c) < best) {
			best = cap_size_bits(c);
			w.ut = i;
		}
	}
	return best < 64;
}

static struct cte *lookup(enum obj_id o)
{
	struct cte *s = NULL;
	cspace_lookup_cap(w.root, w.slot[o], 0, &s);
	return s;
}

static void name(enum obj_id o, const char *n)
{
	struct tcb *t = OBJ(o);
	memcpy(t->name, n, strlen(n) + 1);
}

/* Threads in every waiting state, through the IPC paths themselves. */
static void make_waiters(void)
{
	struct reply *r1 = OBJ(REPLY_1), *r2 = OBJ(REPLY_2);

	ep_recv(OBJ(T_RECV), lookup(EP_1), r1, true);      /* receives on EP_1 with REPLY_1 */
	ep_send(OBJ(T_CALLER), lookup(EP_2), true, true);  /* calls EP_2 ... */
	ep_recv(OBJ(T_RECV2), lookup(EP_2), r2, true);     /* ... T_RECV2 takes it: T_CALLER waits on REPLY_2 */
	ep_send(OBJ(T_SEND), lookup(EP_2), true, false);   /* sends on EP_2, nobody receives */
	ntfn_wait(OBJ(T_NTFN), OBJ(NTFN_1), true);         /* waits on NTFN_1 */
	uint64_t bind[1] = { w.slot[NTFN_2] };
	invoke(w.slot[T_BOUND], INV_TCB_BIND_NOTIFICATION, 1, bind);
	invoke(w.slot[T_READY], INV_TCB_RESUME, 0, NULL);  /* runnable, queued on core 0 */
}

static bool make_world(void)
{
	static const struct { enum obj_id o; uint64_t type, bits; const char *name; } objs[] = {
		{ T_RECV, OBJ_TCB, 0, "recv" }, { T_CALLER, OBJ_TCB, 0, "caller" }, { T_RECV2, OBJ_TCB, 0, "recv2" },
		{ T_SEND, OBJ_TCB, 0, "send" }, { T_NTFN, OBJ_TCB, 0, "ntfn" }, { T_BOUND, OBJ_TCB, 0, "bound" },
		{ T_READY, OBJ_TCB, 0, "ready" }, { T_SPARE, OBJ_TCB, 0, "spare" },
		{ EP_1, OBJ_ENDPOINT, 0, 0 }, { EP_2, OBJ_ENDPOINT, 0, 0 }, { NTFN_1, OBJ_NOTIFICATION, 0, 0 },
		{ NTFN_2, OBJ_NOTIFICATION, 0, 0 }, { REPLY_1, OBJ_REPLY, 0, 0 }, { REPLY_2, OBJ_REPLY, 0, 0 },
		{ CNODE_1, OBJ_CNODE, 4, 0 }, { PDPT_1, OBJ_PDPT, 0, 0 }, { PD_1, OBJ_PAGE_DIRECTORY, 0, 0 },
		{ PT_1, OBJ_PAGE_TABLE, 0, 0 }, { PT_2, OBJ_PAGE_TABLE, 0, 0 }, { FRAME_1, OBJ_FRAME_4K, 0, 0 }, { FRAME_2, OBJ_FRAME_4K, 0, 0 },
		{ PML4_2, OBJ_PML4, 0, 0 },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++) {
		if (!retype(objs[i].o, objs[i].type, objs[i].bits))
			return false;
		if (objs[i].name)
			name(objs[i].o, objs[i].name);
	}
	w.slot[FRAME_1C] = free_slot();
	w.slot[SCRATCH] = free_slot();
	w.slot[SCRATCH2] = free_slot();
	uint64_t copy[3] = { w.slot[FRAME_1C], w.slot[FRAME_1], RIGHTS_ALL };
	uint64_t fmap[4] = { ROOT_VSPACE, TEST_VA, RIGHTS_ALL, 1 };
	if (invoke(ROOT_CNODE, INV_CNODE_COPY, 3, copy).err || !map_table(PDPT_1) || !map_table(PD_1) ||
	    !map_table(PT_1) || invoke(w.slot[FRAME_1], INV_FRAME_MAP, 4, fmap).err)
		return false;
	make_waiters();
	return true;
}

/* --- checking --- */

static bool clean(enum kcheck_scope scope)
{
	struct kcheck_report r;

	if (kcheck_run(scope, &r))
		return true;
	kprintf("# kcheck %s check: %u violation(s), first %s: %s\n", scope == KCHECK_FULL ? "full" : "entry",
		r.violations, kcheck_inv_name((enum kcheck_inv)r.first), r.text);
	return false;
}

/* One invariant broken on purpose: brk() breaks it (and touches the slots
 * the entry check should look at), fix() restores it. */
struct breaker {
	const char *what;
	enum kcheck_inv inv;
	bool entry; /* the entry check sees it too */
	void (*brk)(void);
	void (*fix)(void);
};

static void run_breaker(const struct breaker *b)
{
	struct kcheck_report full, entry;

	b->brk();
	kcheck_run(KCHECK_FULL, &full);
	kcheck_run(KCHECK_ENTRY, &entry);
	b->fix();
	bool restored = clean(KCHECK_FULL) && clean(KCHECK_ENTRY);
	if (full.violations)
		kprintf("# %s: %s\n", kcheck_inv_name((enum kcheck_inv)full.first), full.text);
	ktest_result(full.mask == 1u << b->inv && restored, "kcheck full check reports %s only: %s (mask %#x)",
		     kcheck_inv_name(b->inv), b->what, full.mask);
	if (b->entry)
		ktest_result(entry.mask == 1u << b->inv, "kcheck entry check reports %s only: %s (mask %#x)",
			     kcheck_inv_name(b->inv), b->what, entry.mask);
	else if (entry.violations)
		ktest_result(false, "kcheck entry check is silent where it does not look: %s (%s: %s)", b->what,
			     kcheck_inv_name((enum kcheck_inv)entry.first), entry.text);
}

/* --- the breakers (each a pair: break, restore) --- */

static uintptr_t saved;
static struct cap saved_cap;
static struct cte *fake;

static void links_brk(void)
{
	saved = S(FRAME_2)->mdb_next;
	S(FRAME_2)->mdb_next = (uintptr_t)S(FRAME_2); /* points at itself: a cycle */
	kcheck_touch_slow(S(FRAME_2));
}
static void links_fix(void) { S(FRAME_2)->mdb_next = saved; }

static void slot_brk(void)
{
	fake = OBJ(FRAME_2); /* a slot made in a frame's memory */
	cdt_insert(fake, S(EP_1)->cap, S(EP_1), 0);
}
static void slot_fix(void) { cdt_remove(fake); }

static void flags_brk(void)
{
	S(FRAME_1C)->mdb_prev |= MDB_REVOCABLE; /* a copy of a frame made revocable */
	kcheck_touch_slow(S(FRAME_1C));
}
static void flags_fix(void) { S(FRAME_1C)->mdb_prev &= ~(uintptr_t)MDB_REVOCABLE; }

static void tree_brk(void)
{
	cdt_insert(S(SCRATCH), S(EP_1)->cap, S(FRAME_1), 0); /* between FRAME_1 and its copy */
}
static void tree_fix(void) { cdt_remove(S(SCRATCH)); }

static void zombie_brk(void)
{
	saved_cap = S(CNODE_1)->cap; /* a zombie of a frame */
	S(CNODE_1)->cap = cap_make(CAP_ZOMBIE, 0, 4, false, PA(CNODE_1), OBJ_FRAME_4K);
	kcheck_touch_slow(S(CNODE_1));
}
static void zombie_fix(void) { S(CNODE_1)->cap = saved_cap; }

static void cap_brk(void)
{
	saved_cap = S(CNODE_1)->cap;
	S(CNODE_1)->cap.w1 = 63; /* a guard of 63 bits over a radix of 4 */
	kcheck_touch_slow(S(CNODE_1));
}
static void cap_fix(void) { S(CNODE_1)->cap = saved_cap; }

static void watermark_brk(void)
{
	saved = w.cnode[w.ut].cap.w1;
	w.cnode[w.ut].cap.w1 = 0; /* as if nothing had been carved from it */
	kcheck_touch_slow(&w.cnode[w.ut]);
}
static void watermark_fix(void) { w.cnode[w.ut].cap.w1 = saved; }

static void overlap_brk(void)
{
	/* An endpoint inside FRAME_1, derived from nothing. */
	cdt_insert(S(SCRATCH), cap_make(OBJ_ENDPOINT, RIGHTS_ALL, 0, false, PA(FRAME_1) + 0x40, 0),
		   roottask_cdt_head(), MDB_REVOCABLE);
}
static void overlap_fix(void) { cdt_remove(S(SCRATCH)); }

static void partition_brk(void)
{
	/* An endpoint in another cluster's partition, else in the kernel image. */
	paddr_t pa = cluster.count > 1 ? cluster.part_base[1] : w.kb->image_start;

	cdt_insert(S(SCRATCH), cap_make(OBJ_ENDPOINT, RIGHTS_ALL, 0, false, ALIGN_UP(pa, 64), 0),
		   roottask_cdt_head(), MDB_REVOCABLE);
	kcheck_touch_slow(S(SCRATCH));
}
static void partition_fix(void) { cdt_remove(S(SCRATCH)); }

static void asid_brk(void) { asid_table()->pml4[ASID_MAX - 1] = cap_paddr(w.cnode[ROOT_VSPACE].cap); }
static void asid_fix(void) { asid_table()->pml4[ASID_MAX - 1] = 0; }

static paddr_t saved_cr3;
static void kernel_brk(void)
{
	saved_cr3 = this_cpu()->loaded_root; /* as if this core had loaded PML4_2 */
	this_cpu()->loaded_root = PA(PML4_2);
	((uint64_t *)OBJ(PML4_2))[511] ^= 1ull << 11; /* an ignored bit */
}
static void kernel_fix(void)
{
	((uint64_t *)OBJ(PML4_2))[511] ^= 1ull << 11;
	this_cpu()->loaded_root = saved_cr3;
}

static void frame_brk(void)
{
	/* What a mutate that drops the mapping record leaves: the capability
	 * moves, the page-table entry stays, nothing records it. */
	struct cap c = S(FRAME_1)->cap;
	kcheck_touch_slow(S(FRAME_1));
	c.w1 = 0;
	cdt_move(S(SCRATCH), S(FRAME_1), c);
}
static void frame_fix(void)
{
	struct cap c = S(SCRATCH)->cap;
	c.w1 = TEST_VA | w.asid;
	cdt_move(S(FRAME_1), S(SCRATCH), c);
}

static void rights_brk(void)
{
	S(FRAME_1)->cap = cap_with_rights(S(FRAME_1)->cap, RIGHT_READ); /* the entry is writable */
	kcheck_touch_slow(S(FRAME_1));
}
static void rights_fix(void) { S(FRAME_1)->cap = cap_with_rights(S(FRAME_1)->cap, RIGHTS_ALL); }

static void table_brk(void)
{
	/* PT_1 linked a second time, 2 MiB further, in the same directory. */
	vspace_map_table(w.pml4, TEST_VA + LARGE_PAGE_SIZE, PT_LEVEL_PT, PA(PT_1));
}
static void table_fix(void) { vspace_unmap_table(w.pml4, w.asid, TEST_VA + LARGE_PAGE_SIZE, PT_LEVEL_PT, PA(PT_1)); }

static void unlinked_brk(void)
{
	((uint64_t *)OBJ(PT_2))[7] = PA(FRAME_2) | 7; /* present, user, writable: left by an unmap */
	kcheck_touch_slow(S(PT_2));
}
static void unlinked_fix(void) { ((uint64_t *)OBJ(PT_2))[7] = 0; }

static void target_brk(void)
{
	/* A TCB's memory mapped as if it were a frame. */
	vspace_map_frame(w.pml4, TEST_VA + PAGE_SIZE, ALIGN_DOWN(PA(T_SPARE), PAGE_SIZE), false, true, true);
}
static void target_fix(void)
{
	vspace_unmap_frame(w.pml4, w.asid, TEST_VA + PAGE_SIZE, ALIGN_DOWN(PA(T_SPARE), PAGE_SIZE), false);
}

static void tcb_brk(void)
{
	((struct tcb *)OBJ(T_SPARE))->blocked_on = OBJ(EP_1); /* inactive, yet waiting */
	kcheck_touch_slow(S(T_SPARE));
}
static void tcb_fix(void) { ((struct tcb *)OBJ(T_SPARE))->blocked_on = NULL; }

static void ep_brk(void)
{
	((struct endpoint *)OBJ(EP_1))->state = EP_SEND; /* its queue holds a receiver */
	kcheck_touch_slow(S(EP_1));
}
static void ep_fix(void) { ((struct endpoint *)OBJ(EP_1))->state = EP_RECV; }

static void ntfn_brk(void)
{
	((struct notification *)OBJ(NTFN_1))->active = true; /* signalled, yet a thread waits */
	kcheck_touch_slow(S(NTFN_1));
}
static void ntfn_fix(void) { ((struct notification *)OBJ(NTFN_1))->active = false; }

static void reply_brk(void)
{
	((struct reply *)OBJ(REPLY_1))->server = NULL; /* T_RECV still receives with it */
	kcheck_touch_slow(S(T_RECV));
}
static void reply_fix(void) { ((struct reply *)OBJ(REPLY_1))->server = OBJ(T_RECV); }

static void readyq_brk(void)
{
	this_core()->rq.prio_bits[0] &= ~1ull; /* T_READY is queued at priority 0 */
	kcheck_touch_slow(S(T_READY));
}
static void readyq_fix(void) { this_core()->rq.prio_bits[0] |= 1ull; }

static void bound_brk(void)
{
	((struct notification *)OBJ(NTFN_2))->bound = NULL; /* T_BOUND still says bound */
	kcheck_touch_slow(S(T_BOUND));
}
static void bound_fix(void) { ((struct notification *)OBJ(NTFN_2))->bound = OBJ(T_BOUND); }

static void irq_brk(void) { *irq_notification_ref(IRQ_MAX - 1) = OBJ(EP_1); /* an endpoint */ }
static void irq_fix(void) { *irq_notification_ref(IRQ_MAX - 1) = NULL; }

static const struct breaker breakers[] = {
	{ "a slot's successor link points at itself", KINV_CDT_LINKS, true, links_brk, links_fix },
	{ "a capability in a slot inside a frame", KINV_CDT_SLOT, false, slot_brk, slot_fix },
	{ "a frame's copy marked revocable", KINV_CDT_FLAGS, true, flags_brk, flags_fix },
	{ "an endpoint capability between a frame's two capabilities", KINV_CDT_TREE, false, tree_brk, tree_fix },
	{ "a zombie of a frame", KINV_CDT_ZOMBIE, true, zombie_brk, zombie_fix },
	{ "a CNode capability whose guard and radix exceed 64 bits", KINV_CAP_VALID, true, cap_brk, cap_fix },
	{ "an untyped's watermark below its children", KINV_UNTYPED_WATERMARK, true, watermark_brk, watermark_fix },
	{ "an endpoint inside a frame, from no untyped", KINV_OBJECT_OVERLAP, false, overlap_brk, overlap_fix },
	{ "an endpoint outside this cluster's memory", KINV_CLUSTER_PARTITION, true, partition_brk, partition_fix },
	{ "two ASIDs name one PML4", KINV_VSPACE_ASID, false, asid_brk, asid_fix },
	{ "the kernel half of a PML4 a core has loaded changed", KINV_VSPACE_KERNEL, false, kernel_brk, kernel_fix },
	{ "a mapped frame's capability moved without its mapping record", KINV_VSPACE_FRAME, true, frame_brk,
	  frame_fix },
	{ "a writable mapping of a read-only frame capability", KINV_VSPACE_FRAME, true, rights_brk, rights_fix },
	{ "a page table linked in two places", KINV_VSPACE_TABLE, false, table_brk, table_fix },
	{ "an unmapped page table that still maps a page", KINV_VSPACE_TABLE, true, unlinked_brk, unlinked_fix },
	{ "a TCB mapped as a page", KINV_VSPACE_TARGET, false, target_brk, target_fix },
	{ "an inactive thread that waits on an endpoint", KINV_TCB_STATE, true, tcb_brk, tcb_fix },
	{ "a receiver queued on an endpoint in the sending state", KINV_EP_QUEUE, true, ep_brk, ep_fix },
	{ "a signalled notification with a waiter", KINV_NTFN_QUEUE, true, ntfn_brk, ntfn_fix },
	{ "a receiver's reply object without its server link", KINV_REPLY_LINK, true, reply_brk, reply_fix },
	{ "a ready queue's priority bit cleared", KINV_SCHED_READYQ, true, readyq_brk, readyq_fix },
	{ "a notification unbound from its still-bound thread", KINV_NTFN_BOUND, true, bound_brk, bound_fix },
	{ "an IRQ line signalling an endpoint", KINV_IRQ_NTFN, false, irq_brk, irq_fix },
};

static const struct bi_module *init_module(const struct kernel_boot *kb)
{
	for (uint32_t i = 0; i < kb->bi.module_count; i++)
		if (strcmp(kb->bi.modules[i].name, kb->opts.init) == 0)
			return &kb->bi.modules[i];
	return kb->bi.module_count ? &kb->bi.modules[0] : NULL;
}

static void teardown(void)
{
	struct cte *ut = &w.cnode[w.ut];
	struct kerr e;

	do {
		preempt_reset();
		e = cap_revoke(ut);
	} while (e.err == E_PREEMPTED);
	ktest_result(e.err == E_OK && !cdt_has_children(ut) && clean(KCHECK_FULL),
		     "kcheck: revoking the untyped deletes every test object and leaves every invariant true");
}

NORETURN void kcheck_suite_run(struct kernel_boot *kb)
{
	const struct bi_module *mod = init_module(kb);

	ktest_begin("kcheck");
	if (!mod) {
		ktest_result(false, "kcheck self-tests need the init module (they build the root task)");
		ktest_finish();
	}
	w.kb = kb;
	roottask_create(kb, mod);
	w.cnode = cap_obj(mdb_next(roottask_cdt_head())->cap); /* the first boot capability: the root CNode */
	w.root = cap_obj(w.cnode[ROOT_TCB].cap);
	w.pml4 = cap_obj(w.cnode[ROOT_VSPACE].cap);
	w.asid = cap_map_asid(w.cnode[ROOT_VSPACE].cap);
	ktest_result(clean(KCHECK_FULL) && clean(KCHECK_ENTRY), "kcheck: the boot state satisfies every invariant");
	if (!ktest_result(pick_untyped() && make_world(), "kcheck: test objects made through the kernel's own paths")) {
		ktest_finish();
	}
	ktest_result(clean(KCHECK_FULL) && clean(KCHECK_ENTRY),
		     "kcheck: threads waiting in every way, a bound notification and mappings satisfy every invariant");
	for (unsigned i = 0; i < ARRAY_SIZE(breakers); i++)
		run_breaker(&breakers[i]);
	teardown();
	/* Last: a violation after an entry stops the run with its report. */
	this_core()->rq.prio_bits[255 / 64] &= ~(1ull << (255 % 64)); /* the root task is queued at 255 */
	ktest_expect_panic("kcheck: invariant sched.readyq violated",
			   "kcheck: a violation found after a kernel entry stops the run, naming the invariant");
	kcheck_after_entry();
	ktest_result(false, "kcheck: a violation found after a kernel entry stops the run (it did not)");
	ktest_finish();
}
