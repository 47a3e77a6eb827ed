/*
 * IPC: endpoints (rendezvous, FIFO queues of senders or receivers),
 * notifications (a word of signal bits, OR semantics) and reply objects
 * (one-shot: the caller a Call is waiting on). Per cluster, lock held.
 */
#pragma once
#include "kobj.h"

/* A FIFO of waiting threads, linked through tcb.q_next/q_prev; part of the
 * object that holds it, under the same lock. */
struct tqueue {
	struct tcb *head, *tail;
};

enum ep_state { EP_IDLE, EP_SEND, EP_RECV };

/* In its cluster's partition; every field under the kernel lock. */
struct endpoint {
	struct tqueue q;
	uint64_t state; /* enum ep_state: what the queued threads wait to do */
	uint64_t pad;
};
_Static_assert(sizeof(struct endpoint) <= 32, "endpoint object size");

/* In its cluster's partition; every field under the kernel lock (the
 * IRQ handler, which signals it, runs under it too). */
struct notification {
	uint64_t word;    /* badges signalled since the last Wait or Poll took them */
	bool active;      /* signalled since then (even by an unbadged capability: word 0) */
	struct tqueue q;
	struct tcb *bound;
};
_Static_assert(sizeof(struct notification) <= 64, "notification object size");

/* In its cluster's partition, under the kernel lock. At most one caller
 * and at most one receiving server refer to it at a time, and each names
 * it back in tcb.reply; no other TCB points to it (invariant reply.link). */
struct reply {
	struct tcb *caller; /* waiting for this reply, or NULL */
	struct tcb *server; /* blocked in a receive with this reply object, or NULL */
	uint64_t pad[2];
};
_Static_assert(sizeof(struct reply) <= 32, "reply object size");

/* Append t to a wait queue / take it out (inline: the IPC fastpath uses
 * both). */
static inline void tqueue_push(struct tqueue *q, struct tcb *t)
{
	t->q_next = NULL;
	t->q_prev = q->tail;
	if (q->tail)
		q->tail->q_next = t;
	else
		q->head = t;
	q->tail = t;
}

static inline void tqueue_remove(struct tqueue *q, struct tcb *t)
{
	if (t->q_prev)
		t->q_prev->q_next = t->q_next;
	else
		q->head = t->q_next;
	if (t->q_next)
		t->q_next->q_prev = t->q_prev;
	else
		q->tail = t->q_prev;
	t->q_next = t->q_prev = NULL;
}

/* Copy the message of `src` (described by info, sent through a capability
 * carrying badge and rights) to `dst`, and set dst's result registers. */
void ipc_transfer(struct tcb *src, struct tcb *dst, uint64_t info, uint64_t badge, unsigned rights,
		  struct endpoint *ep);

/* Send on an endpoint: blocking or not, as a Call or not. */
void ep_send(struct tcb *t, struct cte *slot, bool block, bool call);
/* Receive on an endpoint (with a reply object or NULL). */
void ep_recv(struct tcb *t, struct cte *slot, struct reply *reply, bool block);
/* Answer through a reply object; returns false if nobody waits on it. */
bool reply_send(struct tcb *t, struct reply *r);

void ntfn_signal(struct notification *n, uint64_t badge);
void ntfn_wait(struct tcb *t, struct notification *n, bool block);

/* Take t out of any IPC wait (suspend, delete, bound-notification wake-up). */
void ipc_cancel(struct tcb *t);
/* Release every thread waiting on an object that is being destroyed. */
void ep_cancel_all(struct endpoint *ep);
void ntfn_cancel_all(struct notification *n);
/* One waiter of each, as the above do to all (false: none waits): deletion
 * cancels them one per preemption unit (kernel/cap/delete.c). */
bool ep_cancel_one(struct endpoint *ep);
bool ntfn_cancel_one(struct notification *n);
void reply_cancel(struct reply *r);
void reply_finalise(struct reply *r);
/* Set up a freshly retyped TCB. */
void tcb_init(struct tcb *t);
/* Stop a thread: out of every queue, inactive. */
void tcb_suspend(struct tcb *t);
/* Make a woken thread runnable; `direct` switches to it now (the current
 * thread has just blocked). */
void ipc_wake(struct tcb *t, bool direct);
/* t's IPC ends without a partner (its endpoint or reply object went away):
 * a system call returns err; a thread that was sending a fault message
 * keeps its registers and runs its faulting instruction again (faulting
 * again: a new message to its fault handler, or suspension if it has
 * none). */
void ipc_abort(struct tcb *t, uint64_t err);
