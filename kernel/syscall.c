/*
 * System-call dispatch. Entered from arch code with the caller's registers
 * saved in its TCB; every path ends by choosing the thread to resume.
 */
#include "abi/abi.h"
#include "arch/arch.h"
#include "debug.h"
#include "fastpath.h"
#include "ipc.h"
#include "smp.h"
#include "xnotif.h"
#include "kernel.h"
#include "sched.h"
#include "uaccess.h"

/* The ABI's layout as user code sees it (docs/abi.md): the IPC buffer and
 * the message-info word. */
#define IPCB_AT(f) __builtin_offsetof(struct ipc_buffer, f)
_Static_assert(IPCB_AT(mr) == 0 && IPCB_AT(caps) == MSG_MAX_WORDS * 8 &&
	       IPCB_AT(receive_cnode) == IPCB_AT(caps) + MSG_MAX_EXTRA_CAPS * 8 &&
	       IPCB_AT(receive_index) == IPCB_AT(receive_cnode) + 8 && IPCB_AT(user_data) == IPCB_AT(receive_index) + 8 &&
	       sizeof(struct ipc_buffer) == IPCB_AT(user_data) + 8,
	       "IPC buffer: mr[], caps[], receive_cnode, receive_index, user_data, packed 64-bit words");
_Static_assert(sizeof(struct ipc_buffer) <= PAGE_SIZE, "the IPC buffer is one page (TCB_CONFIGURE checks alignment)");
_Static_assert(MSG_REG_WORDS == 4 && MSG_REG_WORDS <= MSG_MAX_WORDS, "MR0-MR3 are r10, r8, r9, r12 (arch/regs.h)");
_Static_assert(MSGINFO_LENGTH(~0ull) >= MSG_MAX_WORDS, "message info: the length field holds MSG_MAX_WORDS");
_Static_assert(MSGINFO_EXTRA_CAPS(~0ull) >= MSG_MAX_EXTRA_CAPS && MSGINFO_UNWRAPPED(~0ull) >= MSG_MAX_EXTRA_CAPS,
	       "message info: the cap fields hold MSG_MAX_EXTRA_CAPS");
_Static_assert(MSGINFO_LENGTH(0x7Full) == 0x7F && MSGINFO_EXTRA_CAPS(3ull << 7) == 3 && MSGINFO_UNWRAPPED(7ull << 9) == 7 &&
	       MSGINFO_LABEL(1ull << 12) == 1 && MSGINFO_LENGTH(~0x7Full) == 0 && MSGINFO_EXTRA_CAPS(~(3ull << 7)) == 0 &&
	       MSGINFO_UNWRAPPED(~(7ull << 9)) == 0 && MSGINFO_LABEL(0xFFFull) == 0,
	       "message info: length 0-6, extra caps 7-8, unwrapped 9-11, label 12-63, disjoint (abi.h msginfo)");

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

	load_args(&iv, t->regs.REG_INFO); /* the entry's budget was reset by kernel_enter */
	e = obj_invoke(&iv);
	if (e.err == E_PREEMPTED) {
		arch_syscall_restart(t); /* state is kept in the objects */
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

/* DEBUG_PUTS, DEBUG_EXIT, DEBUG_STATS: each needs a debug capability (debug.c). */
static void handle_debug(struct tcb *t)
{
	struct kerr e = debug_syscall(t);

	if (e.err == E_PREEMPTED)
		arch_syscall_restart(t); /* the rest of a long print (debug.c) */
	else if (e.err)
		set_error(t, e);
	else
		t->regs.REG_ERR = E_OK;
}

bool fastpath_on = true; /* per cluster (copied .data): set at the cluster's boot (cluster_run) */

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
