/* Notifications: a word of signal bits with OR semantics (see ipc.h). */
#include "ipc.h"
#include "sched.h"

static void deliver(struct tcb *t, uint64_t word)
{
	t->regs.REG_ERR = E_OK;
	t->regs.REG_BADGE = word;
	t->regs.REG_INFO = 0;
}

void ntfn_signal(struct notification *n, uint64_t badge)
{
	struct tcb *t = n->q.head;

	if (t) {
		tqueue_remove(&n->q, t);
		deliver(t, n->word | badge);
		n->word = 0;
		ipc_wake(t, false);
		return;
	}
	n->word |= badge;
	n->active = true; /* also for badge 0: the next Wait returns at once */
	t = n->bound;
	if (t && t->state == TS_BLOCKED_RECV) {
		ipc_cancel(t); /* its endpoint receive ends with the signal */
		deliver(t, n->word);
		n->word = 0;
		n->active = false;
		ipc_wake(t, false);
	}
}

void ntfn_wait(struct tcb *t, struct notification *n, bool block)
{
	if (n->active || !block) {
		deliver(t, n->word);
		n->word = 0;
		n->active = false;
		return;
	}
	tqueue_push(&n->q, t);
	t->state = TS_BLOCKED_NTFN;
	t->blocked_on = n;
	sched_dequeue(t);
}

bool ntfn_cancel_one(struct notification *n)
{
	struct tcb *t = n->q.head;

	if (!t)
		return false;
	tqueue_remove(&n->q, t);
	t->regs.REG_ERR = E_INVALID_CAPABILITY;
	ipc_wake(t, false);
	return true;
}

void ntfn_cancel_all(struct notification *n)
{
	while (ntfn_cancel_one(n))
		;
	if (n->bound)
		n->bound->bound_ntfn = NULL;
	n->bound = NULL;
}
