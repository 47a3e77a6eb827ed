/* Scheduling: one ready queue per core; threads run on the core of their
 * affinity within the cluster (see sched.h). */
#include "arch/arch.h"
#include "arch/regs.h"
#include "object.h"
#include "entry.h"
#include "sched.h"
#include "smp.h"

/* Per cluster (copied .bss): patched into each cluster's copy by the boot
 * core (smp_boot), read-only after. */
struct core *cluster_cores;

static struct core *core_of(const struct tcb *t)
{
	return &cluster_cores[t->core];
}

void sched_enqueue(struct tcb *t)
{
	struct core *c = core_of(t), *me = this_core();

	if (t->rq.queued)
		return;
	readyq_push_tail(&c->rq, &t->rq);
	if (c != me && (!c->current || t->rq.prio > c->current->rq.prio))
		smp_kick(c, KICK_RESCHED); /* it should run there now */
}

void sched_dequeue(struct tcb *t)
{
	readyq_remove(&core_of(t)->rq, &t->rq);
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
 * higher priority is ready (or it has moved to another core). */
static struct tcb *pick(struct core *c)
{
	struct tcb *cur = c->current;
	int top = readyq_top_prio(&c->rq);

	if (cur && cur->state == TS_RUNNABLE && &cluster_cores[cur->core] != c) {
		sched_enqueue(cur); /* its affinity changed: it runs there now */
		c->current = cur = NULL;
	}
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

	if (core_of(t) != c) { /* it runs elsewhere: queue it there */
		sched_enqueue(t);
		return;
	}
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

/* Whether an idle core should take the kernel lock and look: a thread was
 * queued here or another core has a request. Read without the lock: a
 * queue change is followed by an IPI, so a stale "no" only waits for it. */
static bool idle_has_work(struct core *c)
{
	return !cluster.lock_on || __atomic_load_n(&c->rq.group_bits, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&c->kick, __ATOMIC_ACQUIRE);
}

void sched_choose(void)
{
	struct core *c = this_core();
	struct tcb *t;

	asid_flush_others(); /* for the ASIDs this entry allocated (asid.c) */
	while (!(t = pick(c))) {
		c->current = NULL;
		arch_fpu_release(); /* its thread may run on another core next */
		kernel_exit(); /* the entry ends here: checked, the lock dropped */
		do { /* an interrupt may make a thread runnable */
			entry_stats_close(); /* halted time is no kernel entry */
			arch_idle_wait();
		} while (!idle_has_work(c));
		kernel_enter(ENTRY_WAKE);
	}
	if (t->timeslice == 0)
		t->timeslice = TIMESLICE_TICKS;
	if (c->current != t)
		c->switches++;
	c->current = t;
	arch_thread_activate(t);
}

void sched_stall(struct tcb *t)
{
	struct core *c = core_of(t);

	if (c == this_core() || c->current != t)
		return;
	smp_kick_sync(c, KICK_STALL);
	if (t->state == TS_RUNNABLE)
		sched_enqueue(t); /* it runs again there once the caller is done */
}

void sched_set_prio(struct tcb *t, unsigned prio)
{
	struct core *c = core_of(t);
	bool queued = t->rq.queued;

	if (queued)
		sched_dequeue(t);
	t->rq.prio = (uint8_t)prio;
	if (queued)
		sched_enqueue(t); /* kicks its core if it now beats what runs there */
	else if (c != this_core() && c->current == t)
		smp_kick(c, KICK_RESCHED); /* running there: it may no longer be the best */
}

void sched_set_affinity(struct tcb *t, uint32_t core)
{
	bool queued;

	sched_stall(t);
	queued = t->rq.queued;
	if (queued)
		sched_dequeue(t);
	t->core = (uint8_t)core;
	if (queued)
		sched_enqueue(t);
	/* The caller itself moves when this core next chooses (pick). */
}
