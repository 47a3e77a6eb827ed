/* O(1) ready queues with a two-level bitmap (see readyq.h). */
#include "readyq.h"
#include "kstring.h"

void readyq_init(struct readyq *q)
{
	memset(q, 0, sizeof(*q));
}

static void mark(struct readyq *q, unsigned p)
{
	q->prio_bits[p / 64] |= 1ull << (p % 64);
	q->group_bits |= 1ull << (p / 64);
}

static void unmark(struct readyq *q, unsigned p)
{
	q->prio_bits[p / 64] &= ~(1ull << (p % 64));
	if (!q->prio_bits[p / 64])
		q->group_bits &= ~(1ull << (p / 64));
}

void readyq_push_tail(struct readyq *q, struct rq_node *n)
{
	unsigned p = n->prio;

	n->next = NULL;
	n->prev = q->tail[p];
	if (q->tail[p])
		q->tail[p]->next = n;
	else
		q->head[p] = n;
	q->tail[p] = n;
	n->queued = true;
	mark(q, p);
}

void readyq_push_head(struct readyq *q, struct rq_node *n)
{
	unsigned p = n->prio;

	n->prev = NULL;
	n->next = q->head[p];
	if (q->head[p])
		q->head[p]->prev = n;
	else
		q->tail[p] = n;
	q->head[p] = n;
	n->queued = true;
	mark(q, p);
}

void readyq_remove(struct readyq *q, struct rq_node *n)
{
	unsigned p = n->prio;

	if (!n->queued)
		return;
	if (n->prev)
		n->prev->next = n->next;
	else
		q->head[p] = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		q->tail[p] = n->prev;
	n->next = n->prev = NULL;
	n->queued = false;
	if (!q->head[p])
		unmark(q, p);
}

int readyq_top_prio(const struct readyq *q)
{
	unsigned g;

	if (!q->group_bits)
		return -1;
	g = 63 - (unsigned)__builtin_clzll(q->group_bits);
	return (int)(g * 64 + 63 - (unsigned)__builtin_clzll(q->prio_bits[g]));
}

struct rq_node *readyq_peek(const struct readyq *q)
{
	int p = readyq_top_prio(q);

	return p < 0 ? NULL : q->head[p];
}
