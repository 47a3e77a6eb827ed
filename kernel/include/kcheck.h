/*
 * Executable invariants (kcheck=on|full, docs/invariants.md): after every
 * kernel entry the kernel checks what the entry touched, and every N
 * entries everything, under its cluster's kernel lock and over this
 * cluster's objects only. A violation stops the run with a report naming
 * the invariant and the objects. Self-tests run the checker without
 * stopping (kcheck_run) on states they break on purpose.
 */
#pragma once
#include "cap.h"

struct kernel_boot;
struct tcb;

/* The invariants, in the order the checker reports them: X(id, name). */
#define KCHECK_INVARIANTS(X)                        \
	X(CDT_LINKS, "cdt.links")                   \
	X(CDT_SLOT, "cdt.slot")                     \
	X(CDT_FLAGS, "cdt.flags")                   \
	X(CDT_TREE, "cdt.tree")                     \
	X(CDT_ZOMBIE, "cdt.zombie")                 \
	X(CAP_VALID, "cap.valid")                   \
	X(UNTYPED_WATERMARK, "untyped.watermark")   \
	X(OBJECT_OVERLAP, "object.overlap")         \
	X(CLUSTER_PARTITION, "cluster.partition")   \
	X(VSPACE_ASID, "vspace.asid")               \
	X(VSPACE_KERNEL, "vspace.kernel")           \
	X(VSPACE_TARGET, "vspace.target")           \
	X(VSPACE_FRAME, "vspace.frame")             \
	X(VSPACE_TABLE, "vspace.table")             \
	X(TCB_STATE, "tcb.state")                   \
	X(EP_QUEUE, "ep.queue")                     \
	X(NTFN_QUEUE, "ntfn.queue")                 \
	X(REPLY_LINK, "reply.link")                 \
	X(SCHED_READYQ, "sched.readyq")             \
	X(NTFN_BOUND, "ntfn.bound")                 \
	X(IRQ_NTFN, "irq.ntfn")

enum kcheck_inv {
#define X(id, name) KINV_##id,
	KCHECK_INVARIANTS(X)
#undef X
	KINV_COUNT
};
_Static_assert(KINV_COUNT <= 32, "one bit per invariant in a report mask");

const char *kcheck_inv_name(enum kcheck_inv inv);

/* What one check found. */
struct kcheck_report {
	uint32_t violations; /* how many */
	uint32_t mask;       /* bit i: invariant i was violated */
	int first;           /* the first invariant violated, -1 if none */
	bool incomplete;     /* too many capabilities for the checker's index */
	char text[240];      /* the first violation, described */
};

enum kcheck_scope {
	KCHECK_ENTRY, /* what the last entry touched (cheap) */
	KCHECK_FULL,  /* everything */
};

/* Whether checks are on (read by the entry code on every exit to user). */
extern bool kcheck_on;

/* Boot, on a cluster's first core before boot memory closes: allocate the
 * checker's index if kcheck is on (or `force`), and remember the root
 * task's boot-time mappings (root PML4 at root_pml4, made without
 * capabilities) so that they are not taken for stale ones. */
void kcheck_init(struct kernel_boot *kb, paddr_t root_pml4, bool force);

/* With the kernel lock held: kcheck_after_entry on every way out of the
 * kernel to user mode (the entry code), kcheck_before_idle before a core
 * idles (sched_choose). */
void kcheck_after_entry(void);
void kcheck_before_idle(void);

/* The lookup path records the slots an entry looked up (cheap). */
void kcheck_touch_slow(struct cte *s);
static inline void kcheck_touch(struct cte *s)
{
	if (__builtin_expect(kcheck_on, 0))
		kcheck_touch_slow(s);
}
/* A TCB is being destroyed: forget it wherever the checker remembers it. */
void kcheck_forget_tcb(struct tcb *t);

/* Run one check now and return what it found; never stops the kernel.
 * True if nothing was violated. */
bool kcheck_run(enum kcheck_scope scope, struct kcheck_report *r);
/* End of a test run: a last full check, then the one summary line
 * "kcheck: N entry checks, M full checks, V violations" (all clusters). */
void kcheck_finish(void);
