/*
 * Kernel object operations shared across the object files: capability
 * lookup, deletion with finalisation, and the invocation context.
 */
#pragma once
#include "abi/ipcbuf.h"
#include "object.h"
#include "object/tcb.h"

/* Result of a lookup or decode step: an ABI error plus detail for MR0/MR1. */
struct kerr {
	uint64_t err, detail, extra;
};
#define KOK ((struct kerr){ E_OK, 0, 0 })
static inline struct kerr kerr(uint64_t e, uint64_t d) { return (struct kerr){ e, d, 0 }; }

/* Resolve cptr in t's CSpace (all 64 bits, stopping at a non-CNode). */
struct kerr cspace_lookup(struct tcb *t, cptr_t cptr, struct cte **slot);
/* Resolve to a non-empty slot holding a capability of `type` (0 = any). */
struct kerr cspace_lookup_cap(struct tcb *t, cptr_t cptr, unsigned type, struct cte **slot);

/* The empty slot `index` of the CNode at cptr `cnode` in t's CSpace
 * (E_RANGE_ERROR beyond it, E_DELETE_FIRST if occupied). */
struct kerr cspace_empty_slot(struct tcb *t, cptr_t cnode, uint64_t index, struct cte **slot);

/* A copy of the capability in src with rights masked by `rights` and, for
 * mint, a new badge or guard w1: the one derivation rule of copy, mint,
 * IPC capability transfer and TCB configure (kernel/object/cnode.c). Changes
 * nothing; cap_derive_commit inserts the result after src. */
struct kerr cap_derive(const struct cte *src, uint64_t rights, bool mint, uint64_t w1, struct cap *out,
		       unsigned *flags);
void cap_derive_commit(struct cte *dst, struct cap nc, struct cte *src, unsigned flags);

/* An invocation: the invoked slot, label, arguments, and the reply. */
struct inv {
	struct tcb *caller;
	struct cte *slot;
	struct cap cap;
	uint64_t label;
	uint32_t len;   /* argument words */
	uint64_t arg[8];
	uint32_t out_len;
	uint64_t out[20];
};

/* The caller's IPC buffer (kernel pointer) or NULL if none is set up. It
 * is user memory: the thread's other threads (on other cores) may rewrite
 * any word at any time, so read each word the kernel decides on once
 * (READ_ONCE) and check and use only that copy. */
struct ipc_buffer *tcb_ipc_buffer(struct tcb *t);

/* Per-type invocation handlers (one file each). */
struct kerr untyped_invoke(struct inv *iv);
struct kerr cnode_invoke(struct inv *iv);
struct kerr tcb_invoke(struct inv *iv);
struct kerr frame_invoke(struct inv *iv);
struct kerr pagetable_invoke(struct inv *iv);
struct kerr irq_invoke(struct inv *iv);
struct kerr ioport_invoke(struct inv *iv);
/* Dispatch an invocation by the capability's type (kernel/object/objtype.c). */
struct kerr obj_invoke(struct inv *iv);
/* Remove a frame's or paging structure's mapping (if any) and mark it unmapped. */
void frame_unmap(struct cap *c);
void pagetable_unmap(struct cap *c);

/* Deleting capabilities. cap_delete may stop with E_PREEMPTED; the system
 * call is then restarted and continues where it stopped. */
struct kerr cap_delete(struct cte *slot);
struct kerr cap_revoke(struct cte *slot);
/* Object-specific clean-up when the last capability goes (not containers). */
void obj_finalise(struct cap c);
/* Before that, for an object with a queue of waiters (endpoint,
 * notification, the owner's cross-cluster notification): take one waiter
 * off with an error, as obj_finalise would; false when none is left. There
 * may be as many waiters as TCBs fit in memory: deletion cancels them one
 * per preemption unit. */
bool obj_cancel_one(struct cap c);
/* Preemption points (kernel/preempt.c): after one unit of work (a few
 * hundred instructions at most), or n units, whether the current operation
 * must stop now with E_PREEMPTED (an interrupt is pending, or this entry's
 * budget is spent). preempt_reset starts an entry's budget: kernel_enter
 * calls it (entry.h). The budget is the cluster's, used under the lock. */
bool preempt_point(void);
bool preempt_work(unsigned units);
/* Bytes of memory cleared per unit of work (memset: 4 instructions per 8 bytes). */
#define PREEMPT_UNIT_CLEAR_BYTES 512
extern struct preempt_budget {
	uint32_t units, since_poll;
} preempt_budget;
static inline void preempt_reset(void)
{
	preempt_budget = (struct preempt_budget){ 0, 0 };
}
/* Preemptions so far in this cluster, and how many an interrupt caused. */
void preempt_counts(uint64_t *all, uint64_t *by_interrupt);
