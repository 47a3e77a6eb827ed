/*
 * Ready queues of one core: 256 priorities, FIFO (round-robin) within a
 * priority, and a two-level bitmap so that finding the highest non-empty
 * priority is O(1): one bit per 64-priority group, then one bit per
 * priority in the group. Pure C, host-tested. Owned by its core (under the
 * cluster lock).
 */
#pragma once
#include "types.h"

#define NUM_PRIOS 256
#define PRIO_GROUPS (NUM_PRIOS / 64)

/* In struct tcb: under the kernel lock, like the queue it is on. */
struct rq_node {
	struct rq_node *next, *prev;
	uint8_t prio;
	bool queued;
};

struct readyq {
	struct rq_node *head[NUM_PRIOS], *tail[NUM_PRIOS];
	uint64_t group_bits;            /* bit g: group g has a non-empty queue (its idle
	                                 * core reads it without the lock: sched.c) */
	uint64_t prio_bits[PRIO_GROUPS]; /* bit p%64 of group p/64: queue p non-empty */
};

void readyq_init(struct readyq *q);
/* Append n at the tail of its priority (n->prio); n must not be queued. */
void readyq_push_tail(struct readyq *q, struct rq_node *n);
/* Put n at the head of its priority (a preempted thread keeps its turn). */
void readyq_push_head(struct readyq *q, struct rq_node *n);
/* Unlink n; no-op if not queued. */
void readyq_remove(struct readyq *q, struct rq_node *n);
/* Highest-priority head, or NULL; not removed. */
struct rq_node *readyq_peek(const struct readyq *q);
/* Highest non-empty priority, or -1. */
int readyq_top_prio(const struct readyq *q);
