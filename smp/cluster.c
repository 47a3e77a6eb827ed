/*
 * Inside a cluster: the kernel lock and requests between its cores
 * (reschedule, stall, TLB shootdown). The kernel entry and exit that take
 * and drop the lock are kernel/entry.c's.
 *
 * The lock is a ticket lock: FIFO, so no core starves. While a core waits
 * for it, interrupts are off, so it polls its requests (`kick`) in the spin
 * loop: the lock holder may be waiting for it to stall a thread or flush
 * its TLB, and must not wait forever.
 */
#include "arch/arch.h"
#include "arch/vspace.h"
#include "panic.h"
#include "sched.h"
#include "smp.h"

/* Per cluster (copied .bss): each copy written by the boot core in
 * smp_boot, read-only after. */
struct cluster cluster;

/* Per cluster (copied .bss): next and owner are atomics; holder is written
 * by the core that holds the lock. */
static struct {
	uint32_t next;  /* next ticket to hand out */
	uint32_t owner; /* ticket now served */
	struct core *holder;
} klock;

/* Spin for ticket `ticket`, serving this core's requests; the TSC ticks waited. */
static uint64_t klock_wait(uint32_t ticket)
{
	uint64_t w0 = arch_cycles();

	while (__atomic_load_n(&klock.owner, __ATOMIC_ACQUIRE) != ticket) {
		arch_cpu_relax();
		smp_poll_kicks();
	}
	return arch_cycles() - w0;
}

uint64_t klock_acquire(void)
{
	struct core *me;
	uint32_t ticket;
	uint64_t t0 = 0, waited = 0;

	if (!cluster.lock_on)
		return 0;
	me = this_core();
	if (klock.holder == me)
		panic("kernel lock: core %u takes it twice", me->index);
	ticket = __atomic_fetch_add(&klock.next, 1, __ATOMIC_RELAXED);
	if (cluster.lock_stats)
		t0 = arch_cycles();
	if (__atomic_load_n(&klock.owner, __ATOMIC_ACQUIRE) != ticket) {
		me->ls.contended += cluster.lock_stats;
		waited = klock_wait(ticket);
	}
	klock.holder = me;
	if (cluster.lock_stats) {
		me->ls.hold_start = arch_cycles();
		me->ls.wait_cycles += me->ls.hold_start - t0;
		me->ls.acquisitions++;
	}
	return waited;
}

void klock_release(void)
{
	struct core *me;

	if (!cluster.lock_on)
		return;
	me = this_core();
	if (klock.holder != me)
		panic("kernel lock: core %u releases it without holding it", me->index);
	klock.holder = NULL;
	if (cluster.lock_stats)
		me->ls.hold_cycles += arch_cycles() - me->ls.hold_start;
	__atomic_store_n(&klock.owner, klock.owner + 1, __ATOMIC_RELEASE);
}

static void send_ipi(struct core *c)
{
	this_core()->ls.ipis_sent++;
	arch_lapic_ipi(c->apic_id, VEC_KICK);
}

void smp_kick(struct core *c, uint32_t what)
{
	if (c == this_core())
		return;
	__atomic_fetch_or(&c->kick, what, __ATOMIC_SEQ_CST);
	send_ipi(c);
}

void smp_kick_sync(struct core *c, uint32_t what)
{
	if (c == this_core())
		return;
	__atomic_fetch_or(&c->kick, what, __ATOMIC_SEQ_CST);
	send_ipi(c);
	while (__atomic_load_n(&c->kick, __ATOMIC_ACQUIRE) & what) {
		arch_cpu_relax();
		smp_poll_kicks(); /* never needed under the lock, but cheap */
	}
}

/* The root smp_forget_root is destroying (written under the kernel lock,
 * read by the cores it kicks while it waits for them). */
static paddr_t dying_root;

/* Ask every core of `targets` (bits of core indices) for `what` at once,
 * then wait for all of them: one IPI round trip however many cores, not
 * one per core in turn. */
static void kick_all_sync(uint64_t targets, uint32_t what)
{
	for (uint64_t t = targets; t; t &= t - 1) {
		struct core *c = &cluster_cores[__builtin_ctzll(t)];
		__atomic_fetch_or(&c->kick, what, __ATOMIC_SEQ_CST);
		send_ipi(c);
	}
	for (uint64_t t = targets; t; t &= t - 1) {
		struct core *c = &cluster_cores[__builtin_ctzll(t)];
		while (__atomic_load_n(&c->kick, __ATOMIC_ACQUIRE) & what) {
			arch_cpu_relax();
			smp_poll_kicks(); /* never needed under the lock, but cheap */
		}
	}
}
_Static_assert(MAX_CORES <= 64, "a cluster's cores fit in one 64-bit set");

void smp_forget_root(paddr_t root)
{
	uint64_t targets = 0;

	vspace_drop(root);
	if (!cluster.lock_on) /* one core (or boot): no other core to ask */
		return;
	dying_root = root;
	for (uint32_t i = 0; i < cluster.ncores; i++) {
		struct core *c = &cluster_cores[i];
		if (c != this_core() && c->cpu->loaded_root == root)
			targets |= 1ull << i;
	}
	kick_all_sync(targets, KICK_ROOT);
}

void smp_poll_kicks(void)
{
	struct core *me = this_core();
	uint32_t what = __atomic_load_n(&me->kick, __ATOMIC_ACQUIRE);

	if (!what)
		return;
	if (what & KICK_TLB)
		arch_tlb_flush_all();
	if (what & KICK_ROOT)
		vspace_drop(dying_root);
	if ((what & KICK_STALL) && me->current) {
		/* Its registers are in its TCB (saved at this entry). A system
		 * call not yet served is re-issued when the thread next runs. */
		if (me->syscall_waiting)
			arch_syscall_restart(me->current);
		me->current = NULL;
		arch_fpu_release(); /* its FPU state too */
	}
	/* KICK_RESCHED needs nothing here: the entry ends in sched_choose. */
	__atomic_fetch_and(&me->kick, ~what, __ATOMIC_RELEASE);
}

void smp_tlb_shootdown(paddr_t root)
{
	uint64_t targets = 0;
	struct core *me;

	if (!cluster.lock_on)
		return;
	me = this_core();
	for (uint32_t i = 0; i < cluster.ncores; i++) {
		struct core *c = &cluster_cores[i];
		if (c != me && (arch_tlb_tagged() || c->cpu->loaded_root == root || !root))
			targets |= 1ull << i;
	}
	kick_all_sync(targets, KICK_TLB);
}
