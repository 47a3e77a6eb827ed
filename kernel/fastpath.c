/*
 * The IPC fastpath: Call and ReplyRecv in the common case, straight from
 * system-call entry. Taken only when the message fits in the four register
 * words, no capability moves, the partner is already waiting, the partner's
 * priority allows a direct switch, and both threads run on this core.
 * Anything else returns false and the slowpath (kernel/syscall.c) handles
 * the call with exactly the same result. `fastpath=off` disables it.
 */
#include "arch/activate.h"
#include "fastpath.h"
#include "ipc.h"
#include "entry.h"
#include "sched.h"

/* Lookup of a capability of `type` for the common CSpace shape: one CNode
 * whose zero guard covers the rest of the address, so the cptr is the slot
 * index. The slowpath handles every other shape and every error. */
static inline __attribute__((always_inline)) struct cte *quick_lookup(struct tcb *t, cptr_t cptr, unsigned type)
{
	struct cap root = t->slots[TCB_CSPACE].cap;
	unsigned radix = cap_size_bits(root);
	struct cte *s;

	if (cap_type(root) != OBJ_CNODE || cap_guard(root) || radix + cap_guard_size(root) != 64 ||
	    (cptr >> radix))
		return NULL;
	s = (struct cte *)cap_obj(root) + cptr;
	return cap_type(s->cap) == type ? s : NULL;
}

/* No ready thread above priority p on this core (inline readyq_top_prio). */
static inline __attribute__((always_inline)) bool none_ready_above(unsigned p)
{
	const struct readyq *q = &this_core()->rq;

	return !q->group_bits || readyq_top_prio(q) <= (int)p;
}

static inline __attribute__((always_inline)) bool msg_ok(uint64_t info)
{
	return MSGINFO_LENGTH(info) <= MSG_REG_WORDS && MSGINFO_EXTRA_CAPS(info) == 0;
}

/* Deliver the register message of src to dst and make dst current. */
static inline __attribute__((always_inline)) void deliver_and_switch(struct tcb *src, struct tcb *dst, uint64_t info, uint64_t badge)
{
	dst->regs.REG_ERR = E_OK;
	dst->regs.REG_BADGE = badge;
	uint64_t len = MSGINFO_LENGTH(info);

	dst->regs.REG_INFO = msginfo(MSGINFO_LABEL(info), 0, 0, (unsigned)len);
	/* Zero beyond the length, as the slowpath (ipc_transfer) gives them. */
	dst->regs.REG_MR0 = len > 0 ? src->regs.REG_MR0 : 0;
	dst->regs.REG_MR1 = len > 1 ? src->regs.REG_MR1 : 0;
	dst->regs.REG_MR2 = len > 2 ? src->regs.REG_MR2 : 0;
	dst->regs.REG_MR3 = len > 3 ? src->regs.REG_MR3 : 0;
	dst->state = TS_RUNNABLE;
	dst->blocked_on = NULL;
	/* src has just blocked and dst was on no ready queue: switch directly. */
	struct core *c = this_core();
	if (!dst->timeslice)
		dst->timeslice = TIMESLICE_TICKS;
	c->switches++;
	c->current = dst;
	arch_thread_activate_inline(dst);
}

static inline __attribute__((always_inline)) bool fast_call(struct tcb *t)
{
	uint64_t info = t->regs.REG_INFO;
	struct cte *s;
	struct endpoint *ep;
	struct tcb *r;

	if (!msg_ok(info) || !(s = quick_lookup(t, t->regs.REG_CPTR, OBJ_ENDPOINT)) ||
	    !(cap_rights(s->cap) & RIGHT_WRITE))
		return false;
	ep = cap_obj(s->cap);
	r = ep->q.head;
	if (ep->state != EP_RECV || !r->reply || r->reply->caller || r->rq.prio < t->rq.prio ||
	    r->core != t->core)
		return false;
	tqueue_remove(&ep->q, r);
	if (!ep->q.head)
		ep->state = EP_IDLE;
	struct reply *rp = r->reply;
	r->reply = NULL;
	rp->server = NULL;
	rp->caller = t;
	t->reply = rp;
	t->state = TS_BLOCKED_REPLY;
	t->blocked_on = rp;
	deliver_and_switch(t, r, info, cap_badge(s->cap));
	return true;
}

static inline __attribute__((always_inline)) bool fast_replyrecv(struct tcb *t)
{
	uint64_t info = t->regs.REG_INFO;
	struct cte *es, *rs;
	struct endpoint *ep;
	struct reply *rp;
	struct tcb *caller;

	if (!msg_ok(info) || !(es = quick_lookup(t, t->regs.REG_CPTR, OBJ_ENDPOINT)) ||
	    !(rs = quick_lookup(t, t->regs.REG_REPLY, OBJ_REPLY)) || !(cap_rights(es->cap) & RIGHT_READ))
		return false;
	ep = cap_obj(es->cap);
	rp = cap_obj(rs->cap);
	caller = rp->caller;
	if (!caller || caller->ipc_is_fault || rp->server || ep->state == EP_SEND || caller->core != t->core ||
	    (t->bound_ntfn && t->bound_ntfn->active) || !none_ready_above(caller->rq.prio))
		return false;
	rp->caller = NULL;
	caller->reply = NULL;
	/* Block here as a receiver with the same reply object. */
	ep->state = EP_RECV;
	tqueue_push(&ep->q, t);
	t->state = TS_BLOCKED_RECV;
	t->blocked_on = ep;
	t->reply = rp;
	rp->server = t;
	deliver_and_switch(t, caller, info, 0);
	return true;
}

/* No frame pointer here: three instructions fewer on every IPC (a stack trace
 * through the fastpath skips its frame). And no callee-saved registers
 * either: kernel/CMakeLists.txt compiles this file with rbx and r12-r15
 * call-clobbered, which is right only because its one function is called
 * from the entry code alone, and that keeps nothing in them (the user's
 * values are in the TCB's frame). */
__attribute__((optimize("omit-frame-pointer"))) bool fastpath_syscall(void)
{
	struct tcb *t;

	if (__builtin_expect(!kernel_enter(ENTRY_SYSCALL), 0)) { /* for the slowpath too */
		sched_choose(); /* another core stopped this thread: its call is re-issued later */
		return true;
	}
	t = this_core()->current;
	if (!fastpath_on)
		return false;
	if (t->regs.REG_SYSNO == SYS_CALL)
		return fast_call(t);
	if (t->regs.REG_SYSNO == SYS_REPLYRECV)
		return fast_replyrecv(t);
	return false;
}
