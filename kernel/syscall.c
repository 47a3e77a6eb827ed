/*
 * System-call dispatch. Entered from arch code with the caller's registers
 * saved in its TCB; every path ends by choosing the thread to resume.
 */
#include "abi/abi.h"
#include "arch/arch.h"
#include "console.h"
#include "fastpath.h"
#include "ipc.h"
#include "smp.h"
#include "xnotif.h"
#include "kernel.h"
#include "roottask.h"
#include "sched.h"
#include "uaccess.h"

#define DEBUG_PUTS_MAX 4096
#define SYSCALL_INSN_LEN 2

/* Console work of one piece of a write (kernel/preempt.c units): a line
 * that ends costs a scroll of the screen (VGA text: about 4,000
 * instructions with the serial line), every 16 characters one unit more. */
static unsigned puts_units(const char *s, size_t n)
{
	return 1 + (unsigned)(n / 16) + (s[n - 1] == '\n' ? 16 : 0);
}

/* Write in pieces of one line (at most 256 bytes). A write that has more
 * console work than one kernel entry's budget stops after a piece: rdi and
 * rsi are advanced past what was written and *more is set, so that the
 * call is issued again for the rest (lines of up to 256 bytes stay whole
 * among the clusters' output). */
static uint64_t sys_debug_puts(struct tcb *t, vaddr_t va, uint64_t len, bool *more)
{
	char buf[256];
	uint64_t err = E_OK;

	*more = false;
	if (len > DEBUG_PUTS_MAX)
		return E_RANGE_ERROR;
	preempt_reset();
	console_lock();
	while (len && !*more) {
		size_t n = MIN(len, sizeof(buf)), done = 0;
		if (!uaccess_read(t, buf, va, n)) {
			err = E_INVALID_ARGUMENT;
			break;
		}
		while (done < n && !*more) {
			size_t k = 0;
			while (done + k < n && buf[done + k++] != '\n')
				;
			console_write(buf + done, k);
			done += k;
			va += k;
			len -= k;
			if (len && preempt_work(puts_units(buf + done - k, k))) {
				t->regs.rdi = va;
				t->regs.rsi = len;
				*more = true;
			}
		}
	}
	console_unlock();
	return err;
}

static void set_error(struct tcb *t, struct kerr e)
{
	t->regs.REG_ERR = e.err;
	t->regs.REG_INFO = msginfo(0, 0, 0, e.err ? 2 : 0);
	if (e.err) {
		*regs_mr(&t->regs, 0) = e.detail;
		*regs_mr(&t->regs, 1) = e.extra;
	}
}

/* Arguments from the message registers, then the IPC buffer. */
static void load_args(struct inv *iv, uint64_t info)
{
	struct ipc_buffer *b = tcb_ipc_buffer(iv->caller);

	iv->label = MSGINFO_LABEL(info);
	iv->len = (uint32_t)MIN(MSGINFO_LENGTH(info), (uint64_t)MSG_MAX_WORDS);
	if (iv->len > MSG_REG_WORDS && !b)
		iv->len = MSG_REG_WORDS;
	for (uint32_t i = 0; i < iv->len && i < ARRAY_SIZE(iv->arg); i++)
		iv->arg[i] = i < MSG_REG_WORDS ? *regs_mr(&iv->caller->regs, i) : b->mr[i];
}

static void store_results(struct inv *iv)
{
	struct tcb *t = iv->caller;
	struct ipc_buffer *b = tcb_ipc_buffer(t);
	uint32_t n = iv->out_len;

	if (n > MSG_REG_WORDS && !b)
		n = MSG_REG_WORDS;
	for (uint32_t i = 0; i < n; i++) {
		if (i < MSG_REG_WORDS)
			*regs_mr(&t->regs, i) = iv->out[i];
		else
			b->mr[i] = iv->out[i];
	}
	t->regs.REG_ERR = E_OK;
	t->regs.REG_INFO = msginfo(0, 0, 0, n);
}

static void do_invoke(struct tcb *t, struct cte *slot)
{
	struct inv iv = { .caller = t, .slot = slot, .cap = slot->cap };
	struct kerr e;

	load_args(&iv, t->regs.REG_INFO);
	preempt_reset();
	e = obj_invoke(&iv);
	if (e.err == E_PREEMPTED) {
		t->regs.rip -= SYSCALL_INSN_LEN; /* restart: state is kept in the objects */
		return;
	}
	if (e.err)
		set_error(t, e);
	else
		store_results(&iv);
}

/* Signal, Wait and Poll take a notification of either kind. */
static struct kerr lookup_for(struct tcb *t, unsigned want, struct cte **s)
{
	struct kerr e = cspace_lookup_cap(t, t->regs.REG_CPTR, want == OBJ_NOTIFICATION ? 0 : want, s);

	if (!e.err && want == OBJ_NOTIFICATION && cap_type((*s)->cap) != OBJ_NOTIFICATION &&
	    cap_type((*s)->cap) != OBJ_XNOTIF)
		return kerr(E_INVALID_CAPABILITY, 0);
	return e;
}

static void handle_send(struct tcb *t, bool block, bool call, unsigned want)
{
	struct cte *s;
	struct kerr e = lookup_for(t, want, &s);

	if (e.err) {
		set_error(t, e);
		return;
	}
	switch (cap_type(s->cap)) {
	case OBJ_ENDPOINT:
		ep_send(t, s, block, call);
		return;
	case OBJ_NOTIFICATION:
		if (!(cap_rights(s->cap) & RIGHT_WRITE)) {
			set_error(t, kerr(E_INVALID_CAPABILITY, 0));
			return;
		}
		ntfn_signal(cap_obj(s->cap), cap_badge(s->cap));
		t->regs.REG_ERR = E_OK;
		return;
	case OBJ_XNOTIF:
		if (!(cap_rights(s->cap) & RIGHT_WRITE) || !cap_badge(s->cap)) {
			set_error(t, kerr(E_INVALID_CAPABILITY, 0));
			return;
		}
		xnotif_signal((uint32_t)cap_paddr(s->cap), cap_badge(s->cap));
		t->regs.REG_ERR = E_OK;
		return;
	case OBJ_REPLY:
		t->regs.REG_ERR = reply_send(t, cap_obj(s->cap)) ? E_OK : E_ILLEGAL_OPERATION;
		return;
	default:
		do_invoke(t, s);
	}
}

/* The reply object named in rdx (0 = none). */
static struct kerr reply_arg(struct tcb *t, struct reply **r)
{
	struct cte *s;
	struct kerr e;

	*r = NULL;
	if (!t->regs.REG_REPLY)
		return KOK;
	if ((e = cspace_lookup_cap(t, t->regs.REG_REPLY, OBJ_REPLY, &s)).err)
		return e;
	*r = cap_obj(s->cap);
	return KOK;
}

static void handle_recv(struct tcb *t, bool block, unsigned want)
{
	struct cte *s;
	struct reply *r;
	struct kerr e = lookup_for(t, want, &s);

	if (!e.err && cap_type(s->cap) == OBJ_ENDPOINT)
		e = reply_arg(t, &r);
	if (e.err) {
		set_error(t, e);
		return;
	}
	if (cap_type(s->cap) == OBJ_ENDPOINT) {
		ep_recv(t, s, r, block);
	} else if (cap_type(s->cap) == OBJ_NOTIFICATION) {
		if (cap_rights(s->cap) & RIGHT_READ)
			ntfn_wait(t, cap_obj(s->cap), block);
		else
			set_error(t, kerr(E_INVALID_CAPABILITY, 0));
	} else if (cap_type(s->cap) == OBJ_XNOTIF) {
		if ((cap_rights(s->cap) & RIGHT_READ) && cap_paddr(s->cap) == cluster.id)
			xnotif_wait(t, block);
		else
			set_error(t, kerr(E_INVALID_CAPABILITY, 0));
	} else {
		set_error(t, kerr(E_INVALID_CAPABILITY, 0));
	}
}

static void handle_reply(struct tcb *t, bool then_recv)
{
	struct reply *r;
	struct kerr e = reply_arg(t, &r);

	if (!e.err && !r)
		e = kerr(E_INVALID_CAPABILITY, 0);
	if (e.err) {
		set_error(t, e);
		return;
	}
	bool sent = reply_send(t, r);
	if (then_recv)
		handle_recv(t, true, OBJ_ENDPOINT);
	else
		t->regs.REG_ERR = sent ? E_OK : E_ILLEGAL_OPERATION;
}

/* Kernel-lock and IPI statistics of one core of this cluster (smp.h). */
static void debug_stats(struct tcb *t)
{
	user_regs_t *r = &t->regs;
	struct ipc_buffer *b = tcb_ipc_buffer(t);
	uint64_t core = r->rdi, reset = r->rsi & 1, report = r->rsi & 2;
	struct core *c;

	r->REG_BADGE = this_core()->index;
	if (core >= cluster.ncores) {
		r->REG_ERR = E_RANGE_ERROR;
		return;
	}
	if (!b) {
		r->REG_ERR = E_TRUNCATED_MESSAGE;
		return;
	}
	c = &cluster_cores[core];
	b->mr[0] = c->ls.acquisitions;
	b->mr[1] = c->ls.contended;
	b->mr[2] = c->ls.wait_cycles;
	b->mr[3] = c->ls.hold_cycles;
	b->mr[4] = c->ls.ipis_sent;
	b->mr[5] = c->ls.ipis_received;
	b->mr[6] = c->ticks;
	b->mr[7] = c->switches;
	b->mr[8] = c->es.work; /* entry timing (entrystats.h) */
	b->mr[9] = c->es.lockwait_max;
	preempt_counts(&b->mr[10], &b->mr[11]);
	if (report)
		entry_stats_report();
	if (reset)
		c->ls = (struct lock_stats){ .hold_start = c->ls.hold_start };
	r->REG_ERR = E_OK;
}

static void handle_debug(struct tcb *t)
{
	user_regs_t *r = &t->regs;

	if (r->REG_SYSNO == SYS_DEBUG_STATS) {
		debug_stats(t);
		return;
	}
	if (r->REG_SYSNO == SYS_DEBUG_PUTS) {
		bool more;
		uint64_t err = sys_debug_puts(t, r->rdi, r->rsi, &more);
		if (more)
			r->rip -= SYSCALL_INSN_LEN; /* the rest: rdi and rsi say where it is */
		else
			r->REG_ERR = err;
		return;
	}
	if (t != roottask_tcb()) {
		r->REG_ERR = E_ILLEGAL_OPERATION; /* only the root task ends the run */
		return;
	}
	entry_stats_report(); /* this cluster's longest kernel entry */
	kprintf("Atoll: root task ended the run (%s).\n", r->rdi == 0 ? "pass" : "fail");
	arch_exit(r->rdi == 0, kboot()->opts.poweroff);
}

bool fastpath_on = true;

void fastpath_enable(bool on)
{
	fastpath_on = on;
}

void syscall_handler(void);
void syscall_handler(void)
{
	struct tcb *t = sched_current();

	switch (t->regs.REG_SYSNO) {
	case SYS_SEND: handle_send(t, true, false, 0); break;
	case SYS_NBSEND: handle_send(t, false, false, 0); break;
	case SYS_CALL: handle_send(t, true, true, 0); break;
	case SYS_RECV: handle_recv(t, true, 0); break;
	case SYS_NBRECV: handle_recv(t, false, 0); break;
	case SYS_REPLY: handle_reply(t, false); break;
	case SYS_REPLYRECV: handle_reply(t, true); break;
	case SYS_SIGNAL: handle_send(t, false, false, OBJ_NOTIFICATION); break;
	case SYS_WAIT: handle_recv(t, true, OBJ_NOTIFICATION); break;
	case SYS_POLL: handle_recv(t, false, OBJ_NOTIFICATION); break;
	case SYS_YIELD:
		t->regs.REG_ERR = E_OK;
		sched_yield();
		break;
	case SYS_NULL:
		t->regs.REG_ERR = E_OK;
		break;
	case SYS_DEBUG_PUTS:
	case SYS_DEBUG_EXIT:
	case SYS_DEBUG_STATS: handle_debug(t); break;
	default: set_error(t, kerr(E_ILLEGAL_OPERATION, 0)); break;
	}
	sched_choose();
}
