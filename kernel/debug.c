/*
 * The debug system calls. Each names a debug capability (OBJ_DEBUG: no
 * object behind it, one with every right in each root task's CNode at
 * boot, copied on like any capability) and needs one of its rights:
 * write to print, read to read this cluster's counters (and write too to
 * reset them), grant to end the run. The checks come before anything is
 * read or changed, so a thread without the right learns nothing and
 * changes nothing.
 */
#include "abi/abi.h"
#include "arch/arch.h"
#include "console.h"
#include "debug.h"
#include "kcheck.h"
#include "kernel.h"
#include "sched.h"
#include "smp.h"
#include "uaccess.h"

/* The debug capability in rdi, with every right in `need`. */
static struct kerr debug_cap(struct tcb *t, unsigned need)
{
	struct cte *s;
	struct kerr e = cspace_lookup_cap(t, t->regs.REG_CPTR, OBJ_DEBUG, &s);

	if (e.err)
		return e;
	if ((cap_rights(s->cap) & need) != need)
		return kerr(E_INVALID_CAPABILITY, 0);
	return KOK;
}

/* One line to the serial line only (DEBUG_PUTS_SERIAL_ONLY), under the
 * console lock so it does not cut into another core's line. */
static void debug_write_serial(const char *s, size_t n)
{
	console_lock();
	arch_serial_write(s, n);
	console_unlock();
}

/* MR1 bytes at MR0, read once into a kernel buffer and printed from there:
 * the user cannot change the text between a check and the print, and the
 * console (shared by every cluster) is locked per line of the copy, never
 * while user memory is read. MR2 DEBUG_PUTS_SERIAL_ONLY: the serial line
 * only, not the screen. Text with more console work than one kernel
 * entry may do (512 newlines scroll the screen 512 times) stops after a
 * line: MR0 and MR1 are advanced past what was printed and the call is
 * issued again for the rest (E_PREEMPTED, as for long invocations). */
static struct kerr debug_puts(struct tcb *t)
{
	char buf[DEBUG_PUTS_MAX];
	vaddr_t va = *regs_mr(&t->regs, 0);
	uint64_t len = *regs_mr(&t->regs, 1), flags = *regs_mr(&t->regs, 2);
	size_t done = 0;

	if (len > DEBUG_PUTS_MAX)
		return kerr(E_RANGE_ERROR, 1);
	if (flags & ~(uint64_t)DEBUG_PUTS_FLAGS)
		return kerr(E_INVALID_ARGUMENT, 2);
	if (!uaccess_read(t, buf, va, len))
		return kerr(E_INVALID_ARGUMENT, 0);
	while (done < len) {
		size_t n = 0;
		while (done + n < len && buf[done + n++] != '\n')
			;
		if (flags & DEBUG_PUTS_SERIAL_ONLY)
			debug_write_serial(buf + done, n);
		else
			console_write_lines(buf + done, n);
		done += n;
		if (done < len && preempt_work(console_units(n, buf[done - 1] == '\n'))) {
			*regs_mr(&t->regs, 0) = va + done;
			*regs_mr(&t->regs, 1) = len - done;
			return kerr(E_PREEMPTED, 0);
		}
	}
	return KOK;
}

/* Core MR0 of this cluster: its counters into IPC buffer words 0-11, then
 * (MR1 bit 0) reset words 0-5, and (bit 1) print the cluster's longest
 * kernel entry. Only this cluster's cores can be named: their state is in
 * this cluster's partition, which no other cluster maps. */
static struct kerr debug_stats(struct tcb *t, bool reset, bool report)
{
	struct ipc_buffer *b = tcb_ipc_buffer(t);
	uint64_t core = *regs_mr(&t->regs, 0);
	struct core *c;

	if (core >= cluster.ncores)
		return kerr(E_RANGE_ERROR, 0);
	if (!b)
		return kerr(E_TRUNCATED_MESSAGE, 0);
	c = &cluster_cores[core];
	b->mr[0] = c->ls.acquisitions;
	b->mr[1] = c->ls.contended;
	b->mr[2] = c->ls.wait_cycles;
	b->mr[3] = c->ls.hold_cycles;
	b->mr[4] = c->ls.ipis_sent;
	b->mr[5] = c->ls.ipis_received;
	b->mr[6] = c->ticks;
	b->mr[7] = c->switches;
	struct entry_record er;
	entry_stats_get((uint32_t)core, &er); /* kernel-entry timing (entrystats.h) */
	b->mr[8] = er.work;
	b->mr[9] = er.lockwait_max;
	preempt_counts(&b->mr[10], &b->mr[11]);
	if (report)
		entry_stats_report();
	if (reset)
		c->ls = (struct lock_stats){ .hold_start = c->ls.hold_start };
	t->regs.REG_BADGE = this_core()->index;
	return KOK;
}

struct kerr debug_syscall(struct tcb *t)
{
	bool reset = *regs_mr(&t->regs, 1) & 1, report = *regs_mr(&t->regs, 1) & 2;
	uint64_t verdict = *regs_mr(&t->regs, 0);
	struct kerr e;

	switch (t->regs.REG_SYSNO) {
	case SYS_DEBUG_PUTS:
		e = debug_cap(t, DEBUG_RIGHT_PUTS);
		return e.err ? e : debug_puts(t);
	case SYS_DEBUG_STATS:
		e = debug_cap(t, DEBUG_RIGHT_STATS | (reset || report ? RIGHT_WRITE : 0)); /* so do a reset, a print */
		return e.err ? e : debug_stats(t, reset, report);
	case SYS_DEBUG_EXIT:
		if ((e = debug_cap(t, DEBUG_RIGHT_EXIT)).err)
			return e;
		entry_stats_report(); /* this cluster's longest kernel entry */
		kcheck_finish(); /* kcheck=on: the last full check and the counts */
		kprintf("Atoll: cluster %u ended the run (%s).\n", cluster.id, verdict == 0 ? "pass" : "fail");
		arch_exit(verdict == 0, kboot()->opts.poweroff);
	default:
		return kerr(E_ILLEGAL_OPERATION, 0);
	}
}
