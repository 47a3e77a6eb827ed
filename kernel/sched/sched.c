/* Scheduling on one core (see sched.h). */
#include "arch/arch.h"
#include "sched.h"

struct core boot_core;

void sched_enqueue(struct tcb *t)
{
	struct core *c = this_core();

	if (!t->rq.queued)
		readyq_push_tail(&c->rq, &t->rq);
}

void sched_dequeue(struct tcb *t)
{
	readyq_remove(&this_core()->rq, &t->rq);
}

void sched_yield(void)
{
	struct core *c = this_core();
	struct tcb *t = c->current;

	if (t && t->state == TS_RUNNABLE) {
		t->timeslice = TIMESLICE_TICKS;
		sched_enqueue(t);
	}
	c->current = NULL;
}

void sched_tick(void)
{
	struct core *c = this_core();
	struct tcb *t = c->current;

	c->ticks++;
	if (t && t->timeslice && --t->timeslice == 0)
		sched_yield();
}

/* Pick the best runnable thread; the current one keeps the CPU unless a
 * higher priority is ready. */
static struct tcb *pick(struct core *c)
{
	struct tcb *cur = c->current;
	int top = readyq_top_prio(&c->rq);

	if (cur && cur->state == TS_RUNNABLE && (top < 0 || cur->rq.prio >= (unsigned)top))
		return cur;
	if (cur && cur->state == TS_RUNNABLE)
		readyq_push_head(&c->rq, &cur->rq); /* preempted: keeps its turn */
	if (top < 0)
		return NULL;
	struct tcb *t = tcb_of_rq(readyq_peek(&c->rq));
	readyq_remove(&c->rq, &t->rq);
	return t;
}

void sched_switch_to(struct tcb *t)
{
	struct core *c = this_core();

	if (c->current && c->current != t && c->current->state == TS_RUNNABLE)
		readyq_push_head(&c->rq, &c->current->rq); /* preempted: keeps its turn */
	readyq_remove(&c->rq, &t->rq);
	if (c->current != t)
		c->switches++;
	if (!t->timeslice)
		t->timeslice = TIMESLICE_TICKS;
	c->current = t;
	arch_thread_activate(t);
}

void sched_switch_blocked(struct tcb *t)
{
	struct core *c = this_core();

	if (!t->timeslice)
		t->timeslice = TIMESLICE_TICKS;
	c->switches++;
	c->current = t;
	arch_thread_activate(t);
}

void sched_choose(void)
{
	struct core *c = this_core();
	struct tcb *t;

	while (!(t = pick(c))) {
		c->current = NULL;
		arch_idle_wait(); /* an interrupt may make a thread runnable */
	}
	if (t->timeslice == 0)
		t->timeslice = TIMESLICE_TICKS;
	if (c->current != t)
		c->switches++;
	c->current = t;
	arch_thread_activate(t);
}
