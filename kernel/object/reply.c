/* Reply objects: the one-shot link from a server back to its caller. */
#include "ipc.h"
#include "xnotif.h"
#include "sched.h"

bool reply_send(struct tcb *t, struct reply *r)
{
	struct tcb *caller = r->caller;

	if (!caller)
		return false;
	r->caller = NULL;
	caller->reply = NULL;
	if (caller->ipc_is_fault) /* resume the faulting thread with its own registers */
		caller->ipc_is_fault = false;
	else
		ipc_transfer(t, caller, t->regs.REG_INFO, 0, RIGHT_GRANT, NULL);
	ipc_wake(caller, false);
	return true;
}

void reply_cancel(struct reply *r)
{
	struct tcb *caller = r->caller;

	if (!caller)
		return;
	r->caller = NULL;
	caller->reply = NULL;
	ipc_abort(caller, E_INVALID_CAPABILITY); /* the call ends without an answer */
}

/* Take t out of whatever it waits on. */
void ipc_cancel(struct tcb *t)
{
	switch (t->state) {
	case TS_BLOCKED_RECV:
		if (t->reply)
			t->reply->server = NULL;
		t->reply = NULL;
		/* fall through */
	case TS_BLOCKED_SEND: {
		struct endpoint *ep = t->blocked_on;
		tqueue_remove(&ep->q, t);
		if (!ep->q.head)
			ep->state = EP_IDLE;
		break;
	}
	case TS_BLOCKED_NTFN:
		tqueue_remove(&((struct notification *)t->blocked_on)->q, t);
		break;
	case TS_BLOCKED_XNOTIF:
		xnotif_cancel(t);
		break;
	case TS_BLOCKED_REPLY:
		((struct reply *)t->blocked_on)->caller = NULL;
		t->reply = NULL;
		break;
	default:
		break;
	}
	t->blocked_on = NULL;
	t->ipc_is_fault = false; /* a cancelled fault message is not sent later */
}

/* The reply object goes away: its caller gets an error, its server forgets it. */
void reply_finalise(struct reply *r)
{
	reply_cancel(r);
	if (r->server && r->server->reply == r)
		r->server->reply = NULL;
	r->server = NULL;
}
