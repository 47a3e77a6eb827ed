/*
 * Watchdogs for the suite: a kernel that loops (through restarted calls, or
 * in a hostile case) fails a test instead of hanging the run.
 */
#include "suite.h"

/* Work that might not finish runs in a thread at BOUNDED_PRIO beside a
 * watchdog thread at the same priority; the root task waits on a notification. A
 * kernel that loops (even through preempted-and-restarted calls) still
 * loses the CPU at the end of each timeslice, so the watchdog gets to look. */
uint64_t ms_ticks(uint64_t ms)
{
	uint64_t hz = suite_bi->tsc_hz ? suite_bi->tsc_hz : 1000000000ull;

	return hz / 1000 * ms;
}

struct bounded {
	void (*fn)(uint64_t);
	uint64_t arg, limit;
	cptr_t worker, done_ntfn;
	volatile bool done, timed_out;
};

static void bounded_worker(uint64_t p)
{
	struct bounded *b = (struct bounded *)(uintptr_t)p;

	b->fn(b->arg);
	b->done = true;
}

static void bounded_watch(uint64_t p)
{
	struct bounded *b = (struct bounded *)(uintptr_t)p;
	uint64_t t0 = atoll_rdtsc();

	while (!b->done && atoll_rdtsc() - t0 < b->limit)
		atoll_yield();
	if (!b->done) {
		atoll_tcb_suspend(b->worker); /* stopped mid-call; its state stays in the objects */
		b->timed_out = true;
	}
	atoll_ntfn_signal(b->done_ntfn);
}

/* fn(arg) to completion within ms milliseconds; false if it did not finish. */
bool run_bounded(void (*fn)(uint64_t), uint64_t arg, uint64_t ms)
{
	struct bounded b = { .fn = fn, .arg = arg, .limit = ms_ticks(ms) };
	struct uthread w, d;

	b.done_ntfn = new_obj(OBJ_NOTIFICATION, 0);
	if (!b.done_ntfn || thread_create_suspended(&w, bounded_worker, (uintptr_t)&b, BOUNDED_PRIO) ||
	    thread_create_suspended(&d, bounded_watch, (uintptr_t)&b, BOUNDED_PRIO))
		return false;
	b.worker = w.tcb;
	atoll_tcb_resume(w.tcb);
	atoll_tcb_resume(d.tcb);
	atoll_ntfn_wait(b.done_ntfn);
	return b.done && !b.timed_out;
}
