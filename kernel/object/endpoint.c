/* Endpoints: synchronous rendezvous with FIFO queues (see ipc.h). */
#include "ipc.h"
#include "sched.h"

static struct endpoint *ep_of(struct cte *s)
{
	return cap_obj(s->cap);
}

static void ep_enqueue(struct endpoint *ep, struct tcb *t, enum ep_state st, enum thread_state ts)
{
	ep->state = st;
	tqueue_push(&ep->q, t);
	t->state = ts;
	t->blocked_on = ep;
	sched_dequeue(t);
}

static struct tcb *ep_dequeue(struct endpoint *ep)
{
	struct tcb *t = ep->q.head;

	tqueue_remove(&ep->q, t);
	if (!ep->q.head)
		ep->state = EP_IDLE;
	return t;
}

/* After a call is delivered: the caller waits on the receiver's reply object. */
static void link_reply(struct tcb *caller, struct reply *r)
{
	if (r->caller)
		reply_cancel(r); /* a reply object serves one call at a time */
	r->caller = caller;
	caller->reply = r;
	caller->state = TS_BLOCKED_REPLY;
	caller->blocked_on = r;
	sched_dequeue(caller);
}

void ep_send(struct tcb *t, struct cte *slot, bool block, bool call)
{
	struct endpoint *ep = ep_of(slot);
	unsigned rights = cap_rights(slot->cap);
	uint64_t info = t->ipc_is_fault ? t->ipc_info : t->regs.REG_INFO;
	struct tcb *r;

	if (!(rights & RIGHT_WRITE)) {
		t->regs.REG_ERR = E_INVALID_CAPABILITY;
		return;
	}
	if (!t->ipc_is_fault)
		t->regs.REG_ERR = E_OK;
	if (ep->state != EP_RECV) {
		if (!block)
			return; /* NBSend with no receiver: dropped */
		t->ipc_badge = cap_badge(slot->cap);
		t->ipc_info = info;
		t->ipc_is_call = call;
		t->ipc_can_grant = rights & RIGHT_GRANT;
		ep_enqueue(ep, t, EP_SEND, TS_BLOCKED_SEND);
		return;
	}
	r = ep_dequeue(ep);
	ipc_transfer(t, r, info, cap_badge(slot->cap), rights, ep);
	if (r->reply)
		r->reply->server = NULL;
	if (call && r->reply)
		link_reply(t, r->reply);
	else if (call)
		t->regs.REG_ERR = E_OK; /* receiver had no reply object: the call just returns */
	r->reply = NULL;
	ipc_wake(r, call);
}

/* A pending signal on the bound notification satisfies a receive. */
static bool take_bound_signal(struct tcb *t)
{
	struct notification *n = t->bound_ntfn;

	if (!n || !n->active)
		return false;
	t->regs.REG_ERR = E_OK;
	t->regs.REG_BADGE = n->word;
	t->regs.REG_INFO = 0;
	n->word = 0;
	n->active = false;
	return true;
}

void ep_recv(struct tcb *t, struct cte *slot, struct reply *reply, bool block)
{
	struct endpoint *ep = ep_of(slot);
	struct tcb *s;

	if (!(cap_rights(slot->cap) & RIGHT_READ)) {
		t->regs.REG_ERR = E_INVALID_CAPABILITY;
		return;
	}
	if (reply && reply->server) {
		/* Another receiver waits with this reply object: one at a time. */
		t->regs.REG_ERR = E_ILLEGAL_OPERATION;
		return;
	}
	if (take_bound_signal(t))
		return;
	if (ep->state != EP_SEND) {
		if (!block) {
			t->regs.REG_ERR = E_OK;
			t->regs.REG_BADGE = 0;
			t->regs.REG_INFO = 0;
			return;
		}
		t->reply = reply;
		if (reply)
			reply->server = t;
		ep_enqueue(ep, t, EP_RECV, TS_BLOCKED_RECV);
		return;
	}
	s = ep_dequeue(ep);
	ipc_transfer(s, t, s->ipc_info, s->ipc_badge, s->ipc_can_grant ? RIGHT_GRANT : 0, ep);
	if (s->ipc_is_call && reply) {
		link_reply(s, reply);
	} else {
		s->ipc_is_fault = false;
		ipc_wake(s, false);
	}
}

/* The endpoint goes away: every waiter gets an error, and a receiver lets
 * go of its reply object (no pointer to either may outlive the wait).
 * ep_cancel_one does it to one waiter (deletion takes them one per
 * preemption unit: kernel/cap/delete.c). */
bool ep_cancel_one(struct endpoint *ep)
{
	struct tcb *t;

	if (!ep->q.head)
		return false;
	t = ep_dequeue(ep);
	if (t->reply) {
		t->reply->server = NULL;
		t->reply = NULL;
	}
	ipc_abort(t, E_INVALID_CAPABILITY);
	return true;
}

void ep_cancel_all(struct endpoint *ep)
{
	while (ep_cancel_one(ep))
		;
}
