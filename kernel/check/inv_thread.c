/*
 * Invariants of threads and the queues they wait on (docs/invariants.md,
 * group 4): thread states against endpoint, notification, cross-cluster
 * and ready queues, reply links, bound notifications, the priority bitmap,
 * and the IRQ table. The full check walks every queue once, marking each
 * thread with the queue it was found on, then checks every TCB against its
 * mark; the entry check follows the pointers of a few threads and objects,
 * with bounded walks.
 */
#include "kc.h"
#include "printf.h"
#include "irq.h"
#include "sched.h"
#include "smp.h"

#define WALK_MAX 4096 /* queue steps in an entry check */

enum { M_NONE, M_READY, M_CURRENT, M_EP, M_NTFN, M_XNOTIF };

static unsigned long long pa_of(const void *p)
{
	return (unsigned long long)kc_pa(p);
}

/* --- pointers the entry check may follow: aligned, in our memory --- */

static bool tcb_ptr_ok(const struct tcb *t)
{
	return !((uintptr_t)t & 2047) && kc_kptr_ok(t, sizeof(*t));
}

static bool obj_ptr_ok(const void *p, uint64_t size)
{
	return !((uintptr_t)p & (size - 1)) && kc_kptr_ok(p, size);
}

/* --- full check --- */

static int live_tcb(const struct kc_index *x, const struct tcb *t)
{
	return kc_find_live(x, kc_pa(t), OBJ_TCB);
}

static unsigned want_state(uint64_t ep_state)
{
	return ep_state == EP_SEND ? TS_BLOCKED_SEND : TS_BLOCKED_RECV;
}

/* One wait queue: every member a live TCB marked `mark` (on no other
 * queue), in state `state`, waiting on `owner`; links both ways. */
static void queue_full(struct kc *k, struct kc_index *x, const struct tqueue *q, const void *owner,
		       uint8_t mark, unsigned state, enum kcheck_inv inv, const char *what)
{
	struct tcb *prev = NULL, *t;

	for (t = q->head; t; prev = t, t = t->q_next) {
		int o = live_tcb(x, t);
		if (o < 0) {
			kc_fail(k, inv, "%s %#llx: queued %p is no live TCB", what, pa_of(owner), (void *)t);
			return;
		}
		if (t->q_prev != prev) {
			kc_fail(k, inv, "%s %#llx: TCB %#llx links back to %p, not to the one before it", what, pa_of(owner),
				pa_of(t), (void *)t->q_prev);
			return;
		}
		if (x->mark[o]) {
			kc_fail(k, inv, "%s %#llx: TCB %#llx is also on another queue (or twice on this one)", what,
				pa_of(owner), pa_of(t));
			return;
		}
		x->mark[o] = mark;
		if (t->state != state || t->blocked_on != owner)
			kc_fail(k, inv, "%s %#llx: queued TCB %#llx ('%s') is in state %u waiting on %p (want state %u on it)",
				what, pa_of(owner), pa_of(t), t->name, t->state, t->blocked_on, state);
	}
	if (q->tail != prev)
		kc_fail(k, inv, "%s %#llx: the tail is %p, the last queued TCB %p", what, pa_of(owner), (void *)q->tail,
			(void *)prev);
}

static void readyq_full(struct kc *k, struct kc_index *x, uint32_t c)
{
	const struct readyq *q = &cluster_cores[c].rq;

	for (unsigned g = 0; g < PRIO_GROUPS; g++)
		if (!!(q->group_bits >> g & 1) != !!q->prio_bits[g])
			kc_fail(k, KINV_SCHED_READYQ, "core %u: group bit %u disagrees with the priorities of group %u", c, g, g);
	for (unsigned p = 0; p < NUM_PRIOS; p++) {
		bool bit = q->prio_bits[p / 64] >> (p % 64) & 1;
		struct rq_node *n, *prev = NULL;
		if (bit != !!q->head[p])
			kc_fail(k, KINV_SCHED_READYQ, "core %u: priority %u has bitmap bit %u and %s queue", c, p, bit,
				q->head[p] ? "a non-empty" : "an empty");
		for (n = q->head[p]; n; prev = n, n = n->next) {
			struct tcb *t = tcb_of_rq(n);
			int o = live_tcb(x, t);
			if (o < 0 || n->prev != prev || x->mark[o]) {
				kc_fail(k, KINV_SCHED_READYQ, "core %u priority %u: queue node %p is %s", c, p, (void *)n,
					o < 0 ? "in no live TCB" : x->mark[o] ? "queued twice" : "badly linked");
				return;
			}
			x->mark[o] = M_READY;
			if (!n->queued || n->prio != p || t->core != c || t->state != TS_RUNNABLE)
				kc_fail(k, KINV_SCHED_READYQ,
					"core %u priority %u: TCB %#llx ('%s') is queued=%u prio %u core %u state %u",
					c, p, pa_of(t), t->name, n->queued, n->prio, t->core, t->state);
		}
		if (q->tail[p] != prev)
			kc_fail(k, KINV_SCHED_READYQ, "core %u priority %u: tail %p, last node %p", c, p,
				(void *)q->tail[p], (void *)prev);
	}
}

static void current_full(struct kc *k, struct kc_index *x, uint32_t c)
{
	struct tcb *t = cluster_cores[c].current;
	int o;

	if (!t)
		return;
	if ((o = live_tcb(x, t)) < 0) {
		kc_fail(k, KINV_SCHED_READYQ, "core %u runs %p, which is no live TCB", c, (void *)t);
		return;
	}
	if (x->mark[o] || t->state != TS_RUNNABLE || t->core != c || t->rq.queued)
		kc_fail(k, KINV_SCHED_READYQ, "core %u runs TCB %#llx ('%s'): state %u, core %u, %s", c, pa_of(t),
			t->name, t->state, t->core, x->mark[o] ? "also queued" : "queued flag set");
	x->mark[o] = M_CURRENT;
}

static void ntfn_full(struct kc *k, struct kc_index *x, struct notification *n)
{
	queue_full(k, x, &n->q, n, M_NTFN, TS_BLOCKED_NTFN, KINV_NTFN_QUEUE, "notification");
	if (n->q.head && (n->active || n->word))
		kc_fail(k, KINV_NTFN_QUEUE, "notification %#llx has waiters and pending signals (%#llx)", pa_of(n),
			(unsigned long long)n->word);
	if (n->bound && (live_tcb(x, n->bound) < 0 || n->bound->bound_ntfn != n))
		kc_fail(k, KINV_NTFN_BOUND, "notification %#llx is bound to %p, which is not bound to it", pa_of(n),
			(void *)n->bound);
}

static void reply_full(struct kc *k, struct kc_index *x, struct reply *r)
{
	struct tcb *c = r->caller, *s = r->server;

	if (c && (live_tcb(x, c) < 0 || c->state != TS_BLOCKED_REPLY || c->blocked_on != r || c->reply != r))
		kc_fail(k, KINV_REPLY_LINK, "reply %#llx: its caller %p does not wait on it", pa_of(r), (void *)c);
	if (s && (live_tcb(x, s) < 0 || s->state != TS_BLOCKED_RECV || s->reply != r))
		kc_fail(k, KINV_REPLY_LINK, "reply %#llx: its server %p is not receiving with it", pa_of(r), (void *)s);
}

/* One TCB against the mark its queues gave it. */
static void tcb_full(struct kc *k, struct kc_index *x, int o)
{
	struct tcb *t = cap_obj(kc_obj_slot(x, o)->cap);
	bool zombie = cap_type(kc_obj_slot(x, o)->cap) == CAP_ZOMBIE;
	uint8_t m = x->mark[o];
	unsigned long long pa = pa_of(t);

	if (t->state > TS_BLOCKED_XNOTIF || t->core >= cluster.ncores || (zombie && t->state != TS_INACTIVE)) {
		kc_fail(k, KINV_TCB_STATE, "TCB %#llx ('%s'): state %u, core %u%s", pa, t->name, t->state, t->core,
			zombie ? ", being destroyed" : "");
		return;
	}
	if (t->state == TS_RUNNABLE && m != M_READY && m != M_CURRENT)
		kc_fail(k, KINV_SCHED_READYQ, "TCB %#llx ('%s') is runnable but neither queued nor running", pa, t->name);
	if (t->rq.queued && m != M_READY)
		kc_fail(k, KINV_SCHED_READYQ, "TCB %#llx ('%s') is marked queued but is on no ready queue", pa, t->name);
	switch (t->state) {
	case TS_INACTIVE:
	case TS_RUNNABLE:
		if (t->blocked_on)
			kc_fail(k, KINV_TCB_STATE, "TCB %#llx ('%s') in state %u waits on %p", pa, t->name, t->state,
				t->blocked_on);
		break;
	case TS_BLOCKED_SEND:
	case TS_BLOCKED_RECV:
	case TS_BLOCKED_NTFN:
	case TS_BLOCKED_XNOTIF: {
		uint8_t want = t->state == TS_BLOCKED_NTFN ? M_NTFN : t->state == TS_BLOCKED_XNOTIF ? M_XNOTIF : M_EP;
		if (m != want)
			kc_fail(k, KINV_TCB_STATE, "TCB %#llx ('%s') in state %u waits on %p but is not on its queue", pa,
				t->name, t->state, t->blocked_on);
		break;
	}
	case TS_BLOCKED_REPLY:
		if (kc_find_live(x, kc_pa(t->blocked_on), OBJ_REPLY) < 0)
			kc_fail(k, KINV_TCB_STATE, "TCB %#llx ('%s') waits for a reply on %p, no live reply object", pa,
				t->name, t->blocked_on);
		else if (((struct reply *)t->blocked_on)->caller != t || t->reply != t->blocked_on)
			kc_fail(k, KINV_REPLY_LINK, "TCB %#llx ('%s') waits on reply %#llx, whose caller is %p", pa, t->name,
				pa_of(t->blocked_on), (void *)((struct reply *)t->blocked_on)->caller);
		break;
	}
	if (t->reply && t->state != TS_BLOCKED_REPLY &&
	    (kc_find_live(x, kc_pa(t->reply), OBJ_REPLY) < 0 || t->state != TS_BLOCKED_RECV || t->reply->server != t))
		kc_fail(k, KINV_REPLY_LINK, "TCB %#llx ('%s') in state %u holds reply link %p, whose server is not it", pa,
			t->name, t->state, (void *)t->reply);
	if (t->bound_ntfn && (zombie || kc_find_live(x, kc_pa(t->bound_ntfn), OBJ_NOTIFICATION) < 0 ||
			      t->bound_ntfn->bound != t))
		kc_fail(k, KINV_NTFN_BOUND, "TCB %#llx ('%s') is bound to notification %p, which is not bound to it", pa,
			t->name, (void *)t->bound_ntfn);
}

static void irq_full(struct kc *k, struct kc_index *x)
{
	for (uint64_t i = 0; i < IRQ_MAX; i++) {
		struct notification *n = *irq_notification_ref(i);
		if (n && kc_find_live(x, kc_pa(n), OBJ_NOTIFICATION) < 0)
			kc_fail(k, KINV_IRQ_NTFN, "IRQ %llu signals %p, which is no live notification",
				(unsigned long long)i, (void *)n);
	}
}

void kc_threads_full(struct kc *k, struct kc_index *x)
{
	for (uint32_t o = 0; o < x->nobjs; o++)
		x->mark[o] = M_NONE;
	for (uint32_t c = 0; c < cluster.ncores; c++)
		readyq_full(k, x, c);
	for (uint32_t c = 0; c < cluster.ncores; c++)
		current_full(k, x, c);
	queue_full(k, x, xnotif_waiters(), xnotif_waiters(), M_XNOTIF, TS_BLOCKED_XNOTIF, KINV_NTFN_QUEUE,
		   "cross-cluster notification");
	for (uint32_t o = 0; o < x->nobjs; o++) {
		unsigned type = kc_obj_type(x, (int)o);
		struct cte *s;
		if (type != OBJ_ENDPOINT && type != OBJ_NOTIFICATION && type != OBJ_REPLY)
			continue;
		s = kc_obj_slot(x, (int)o);
		if (type == OBJ_ENDPOINT) {
			struct endpoint *ep = cap_obj(s->cap);
			if (ep->state > EP_RECV || (ep->state == EP_IDLE) != !ep->q.head)
				kc_fail(k, KINV_EP_QUEUE, "endpoint %#llx: state %llu with %s queue", pa_of(ep),
					(unsigned long long)ep->state, ep->q.head ? "a non-empty" : "an empty");
			else
				queue_full(k, x, &ep->q, ep, M_EP, want_state(ep->state), KINV_EP_QUEUE, "endpoint");
		} else if (type == OBJ_NOTIFICATION) {
			ntfn_full(k, x, cap_obj(s->cap));
		} else {
			reply_full(k, x, cap_obj(s->cap));
		}
	}
	for (uint32_t o = 0; o < x->nobjs; o++)
		if (kc_obj_kind(x, (int)o) == OBJ_TCB)
			tcb_full(k, x, (int)o);
	irq_full(k, x);
}

/* --- entry check --- */

/* Whether t is on q, within WALK_MAX steps, with consistent back links. */
static bool on_queue(const struct tqueue *q, const struct tcb *t)
{
	const struct tcb *prev = NULL, *m = q->head;

	for (unsigned i = 0; m && i < WALK_MAX; i++, prev = m, m = m->q_next) {
		if (!tcb_ptr_ok(m) || m->q_prev != prev)
			return false;
		if (m == t)
			return true;
	}
	return false;
}

/* On its core's queue of its priority, and that priority's bit is set. */
static bool on_readyq(const struct tcb *t)
{
	const struct readyq *q = &cluster_cores[t->core].rq;
	const struct rq_node *n = q->head[t->rq.prio];

	if (!(q->prio_bits[t->rq.prio / 64] >> (t->rq.prio % 64) & 1))
		return false;
	for (unsigned i = 0; n && i < WALK_MAX; i++, n = n->next)
		if (n == &t->rq)
			return true;
	return false;
}

static void ep_queue_local(struct kc *k, struct endpoint *ep)
{
	struct tcb *prev = NULL, *t = ep->q.head;

	if (ep->state > EP_RECV || (ep->state == EP_IDLE) != !ep->q.head) {
		kc_fail(k, KINV_EP_QUEUE, "endpoint %#llx: state %llu with %s queue", pa_of(ep),
			(unsigned long long)ep->state, ep->q.head ? "a non-empty" : "an empty");
		return;
	}
	for (unsigned i = 0; t && i < WALK_MAX; i++, prev = t, t = t->q_next) {
		if (!tcb_ptr_ok(t) || t->q_prev != prev) {
			kc_fail(k, KINV_EP_QUEUE, "endpoint %#llx: queue entry %p is badly linked", pa_of(ep), (void *)t);
			return;
		}
		if (t->state != want_state(ep->state) || t->blocked_on != ep)
			kc_fail(k, KINV_EP_QUEUE, "endpoint %#llx: queued TCB %#llx ('%s') is in state %u waiting on %p",
				pa_of(ep), pa_of(t), t->name, t->state, t->blocked_on);
	}
	if (!t && ep->q.tail != prev)
		kc_fail(k, KINV_EP_QUEUE, "endpoint %#llx: tail %p, last queued %p", pa_of(ep), (void *)ep->q.tail,
			(void *)prev);
}

static void ntfn_local(struct kc *k, struct notification *n)
{
	const struct tcb *prev = NULL, *t = n->q.head;

	for (unsigned i = 0; t && i < WALK_MAX; i++, prev = t, t = t->q_next)
		if (!tcb_ptr_ok(t) || t->q_prev != prev || t->state != TS_BLOCKED_NTFN || t->blocked_on != n) {
			kc_fail(k, KINV_NTFN_QUEUE, "notification %#llx: queued %p is not a thread waiting on it", pa_of(n),
				(void *)t);
			return;
		}
	if (n->q.head && (n->active || n->word))
		kc_fail(k, KINV_NTFN_QUEUE, "notification %#llx has waiters and pending signals (%#llx)", pa_of(n),
			(unsigned long long)n->word);
	if (n->bound && (!tcb_ptr_ok(n->bound) || n->bound->bound_ntfn != n))
		kc_fail(k, KINV_NTFN_BOUND, "notification %#llx is bound to %p, which is not bound to it", pa_of(n),
			(void *)n->bound);
}

static void reply_local(struct kc *k, struct reply *r)
{
	if (r->caller && (!tcb_ptr_ok(r->caller) || r->caller->state != TS_BLOCKED_REPLY ||
			  r->caller->blocked_on != r || r->caller->reply != r))
		kc_fail(k, KINV_REPLY_LINK, "reply %#llx: its caller %p does not wait on it", pa_of(r), (void *)r->caller);
	if (r->server && (!tcb_ptr_ok(r->server) || r->server->state != TS_BLOCKED_RECV || r->server->reply != r))
		kc_fail(k, KINV_REPLY_LINK, "reply %#llx: its server %p is not receiving with it", pa_of(r),
			(void *)r->server);
}

/* The queue t says it waits on holds it. */
static void waiting_local(struct kc *k, struct tcb *t)
{
	const void *w = t->blocked_on;
	bool ok;

	switch (t->state) {
	case TS_BLOCKED_SEND:
	case TS_BLOCKED_RECV:
		ok = obj_ptr_ok(w, sizeof(struct endpoint)) && on_queue(&((const struct endpoint *)w)->q, t);
		break;
	case TS_BLOCKED_NTFN:
		ok = obj_ptr_ok(w, 64) && on_queue(&((const struct notification *)w)->q, t);
		break;
	case TS_BLOCKED_XNOTIF:
		ok = w == xnotif_waiters() && on_queue(xnotif_waiters(), t);
		break;
	default:
		ok = !w;
		break;
	}
	if (!ok)
		kc_fail(k, KINV_TCB_STATE, "TCB %#llx ('%s') in state %u waits on %p but is not on its queue", pa_of(t),
			t->name, t->state, w);
}

void kc_tcb_local(struct kc *k, struct tcb *t)
{
	if (!tcb_ptr_ok(t) || t->state > TS_BLOCKED_XNOTIF || t->core >= cluster.ncores) {
		kc_fail(k, KINV_TCB_STATE, "TCB %p: state %u, core %u", (void *)t, tcb_ptr_ok(t) ? t->state : 0,
			tcb_ptr_ok(t) ? t->core : 0);
		return;
	}
	if (t->state == TS_BLOCKED_REPLY) {
		if (!obj_ptr_ok(t->blocked_on, sizeof(struct reply)) || t->reply != t->blocked_on ||
		    ((struct reply *)t->blocked_on)->caller != t)
			kc_fail(k, KINV_REPLY_LINK, "TCB %#llx ('%s') waits for a reply on %p, whose caller is not it",
				pa_of(t), t->name, t->blocked_on);
	} else {
		waiting_local(k, t);
	}
	bool running = cluster_cores[t->core].current == t;
	if (t->state == TS_RUNNABLE ? t->rq.queued == running || (t->rq.queued && !on_readyq(t)) : t->rq.queued)
		kc_fail(k, KINV_SCHED_READYQ, "TCB %#llx ('%s') in state %u: queued=%u, running=%u", pa_of(t), t->name,
			t->state, t->rq.queued, running);
	if (t->reply && t->state != TS_BLOCKED_REPLY &&
	    (t->state != TS_BLOCKED_RECV || !obj_ptr_ok(t->reply, sizeof(struct reply)) || t->reply->server != t))
		kc_fail(k, KINV_REPLY_LINK, "TCB %#llx ('%s') in state %u holds reply link %p, whose server is not it",
			pa_of(t), t->name, t->state, (void *)t->reply);
	if (t->bound_ntfn && (!obj_ptr_ok(t->bound_ntfn, 64) || t->bound_ntfn->bound != t))
		kc_fail(k, KINV_NTFN_BOUND, "TCB %#llx ('%s') is bound to notification %p, which is not bound to it",
			pa_of(t), t->name, (void *)t->bound_ntfn);
}

static void readyq_one(struct kc *k, const struct readyq *q, uint32_t c, unsigned p)
{
	const struct rq_node *n = q->head[p], *prev = NULL;

	if (!n)
		kc_fail(k, KINV_SCHED_READYQ, "core %u: priority %u has its bitmap bit and an empty queue", c, p);
	for (unsigned i = 0; n && i < WALK_MAX; i++, prev = n, n = n->next) {
		const struct tcb *t = tcb_of_rq((struct rq_node *)n);
		if (!tcb_ptr_ok(t) || n->prev != prev) {
			kc_fail(k, KINV_SCHED_READYQ, "core %u priority %u: node %p is badly linked", c, p, (void *)n);
			return;
		}
		if (!n->queued || n->prio != p || t->core != c || t->state != TS_RUNNABLE || cluster_cores[c].current == t)
			kc_fail(k, KINV_SCHED_READYQ, "core %u priority %u: TCB %#llx ('%s') is queued=%u prio %u core %u state %u%s",
				c, p, pa_of(t), t->name, n->queued, n->prio, t->core, t->state,
				cluster_cores[c].current == t ? ", and running" : "");
	}
	if (!n && q->tail[p] != prev)
		kc_fail(k, KINV_SCHED_READYQ, "core %u priority %u: tail %p, last node %p", c, p, (void *)q->tail[p],
			(void *)prev);
}

/* The queues the bitmap says are non-empty (a queue the bitmap leaves
 * out is found by the full check, or here through a thread on it). */
static void readyq_local(struct kc *k, uint32_t c)
{
	const struct readyq *q = &cluster_cores[c].rq;

	for (unsigned g = 0; g < PRIO_GROUPS; g++)
		if (!!(q->group_bits >> g & 1) != !!q->prio_bits[g])
			kc_fail(k, KINV_SCHED_READYQ, "core %u: group bit %u disagrees with the priorities of group %u", c, g, g);
	for (unsigned g = 0; g < PRIO_GROUPS; g++)
		for (uint64_t bits = q->prio_bits[g]; bits; bits &= bits - 1)
			readyq_one(k, q, c, g * 64 + (unsigned)__builtin_ctzll(bits));
}

void kc_sched_local(struct kc *k)
{
	for (uint32_t c = 0; c < cluster.ncores; c++) {
		struct tcb *t = cluster_cores[c].current;
		readyq_local(k, c);
		if (t && (!tcb_ptr_ok(t) || t->state != TS_RUNNABLE || t->core != c))
			kc_fail(k, KINV_SCHED_READYQ, "core %u runs %p: state %u, core %u", c, (void *)t,
				tcb_ptr_ok(t) ? t->state : 0, tcb_ptr_ok(t) ? t->core : 0);
	}
}

void kc_object_local(struct kc *k, const struct cte *s)
{
	void *o = cap_obj(s->cap);

	switch (cap_type(s->cap)) {
	case OBJ_ENDPOINT: ep_queue_local(k, o); break;
	case OBJ_NOTIFICATION: ntfn_local(k, o); break;
	case OBJ_REPLY: reply_local(k, o); break;
	case OBJ_TCB: kc_tcb_local(k, o); break;
	default: break;
	}
}
