/*
 * Cross-cluster notifications: the protocol of docs/xnotif.md, as proven by
 * tests/spin/xnotif.pml. Every access to the shared word is one __atomic
 * read-modify-write (or an acquire load in the IPI handler); the queue of
 * waiters is plain data of the owner cluster, under its kernel lock.
 */
#include "arch/arch.h"
#include "ipc.h"
#include "sched.h"
#include "smp.h"
#include "xnotif.h"

/* Per cluster (copied .bss), under the kernel lock. */
static struct {
	struct tqueue q; /* this cluster's threads waiting on its inbound word */
} xin;

static uint64_t *word_of(uint32_t owner)
{
	return &shared_region()->inbound[owner].word;
}

/* The logical core (machine-wide) that t runs on, for the IPI. */
static uint64_t core_field(const struct tcb *t)
{
	return (uint64_t)(cluster.first_core + t->core) << XN_CORE_SHIFT;
}

static void deliver(struct tcb *t, uint64_t bits)
{
	t->regs.REG_ERR = E_OK;
	t->regs.REG_BADGE = bits & XN_BADGES;
	t->regs.REG_INFO = 0;
}

void xnotif_signal(uint32_t owner, uint64_t badge)
{
	uint64_t old = __atomic_fetch_or(word_of(owner), badge & XN_BADGES, __ATOMIC_SEQ_CST);

	if ((old & XN_WAITING) && !(old & XN_BADGES)) { /* the first signal since arming */
		uint32_t core = (uint32_t)((old & XN_CORE_MASK) >> XN_CORE_SHIFT);
		if (cluster_cores) /* IPI counters are always kept */
			this_core()->ls.ipis_sent++;
		arch_lapic_ipi(cluster.core_apic[core % MAX_CORES], VEC_XNOTIF);
	}
}

static void block_on(struct tcb *t)
{
	tqueue_push(&xin.q, t);
	t->state = TS_BLOCKED_XNOTIF;
	t->blocked_on = &xin;
	sched_dequeue(t);
}

void xnotif_wait(struct tcb *t, bool block)
{
	uint64_t *w = word_of(cluster.id), zero = 0;

	if (!block) { /* poll: bits pending behind a queued waiter are the waiter's */
		deliver(t, xin.q.head || !__atomic_load_n(w, __ATOMIC_RELAXED) ? 0 :
			   __atomic_exchange_n(w, 0, __ATOMIC_SEQ_CST));
		return;
	}
	if (xin.q.head) { /* armed already, for the head */
		block_on(t);
		return;
	}
	if (__atomic_compare_exchange_n(w, &zero, XN_WAITING | core_field(t), false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST)) {
		block_on(t);
		return;
	}
	deliver(t, __atomic_exchange_n(w, 0, __ATOMIC_SEQ_CST)); /* bits were pending */
}

static void wake(uint64_t bits)
{
	struct tcb *t = xin.q.head;

	tqueue_remove(&xin.q, t);
	deliver(t, bits);
	ipc_wake(t, false);
}

void xnotif_ipi(void)
{
	uint64_t *w = word_of(cluster.id), zero;

	if (!xin.q.head)
		return; /* the waiter gave up; the bits stay */
	if (!(__atomic_load_n(w, __ATOMIC_ACQUIRE) & XN_BADGES))
		return; /* stale: stays armed */
	wake(__atomic_exchange_n(w, 0, __ATOMIC_SEQ_CST));
	while (xin.q.head) { /* re-arm for the next waiter */
		zero = 0;
		if (__atomic_compare_exchange_n(w, &zero, XN_WAITING | core_field(xin.q.head), false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
		wake(__atomic_exchange_n(w, 0, __ATOMIC_SEQ_CST)); /* bits came while disarmed */
	}
}

/* For the invariant checker (kernel/check/): the waiters of our inbound
 * notification; a waiter's blocked_on is this queue. */
struct tqueue *xnotif_waiters(void);
struct tqueue *xnotif_waiters(void)
{
	return &xin.q;
}

void xnotif_cancel(struct tcb *t)
{
	tqueue_remove(&xin.q, t);
	if (!xin.q.head)
		__atomic_fetch_and(word_of(cluster.id), ~(XN_WAITING | XN_CORE_MASK), __ATOMIC_SEQ_CST);
}

bool xnotif_cancel_one(void)
{
	struct tcb *t = xin.q.head;

	if (!t)
		return false;
	xnotif_cancel(t);
	t->regs.REG_ERR = E_INVALID_CAPABILITY;
	ipc_wake(t, false);
	return true;
}

void xnotif_cancel_all(void)
{
	while (xnotif_cancel_one())
		;
}
