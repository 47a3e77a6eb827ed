/* TCB invocations: configure, priorities, suspend/resume, registers,
 * notification binding. */
#include "arch/arch.h"
#include "ipc.h"
#include "kstring.h"
#include "sched.h"
#include "smp.h"

#define REG_COUNT 18 /* rip rsp rflags rax rbx rcx rdx rsi rdi rbp r8-r15 */

static uint64_t *reg_ptr(user_regs_t *r, unsigned i)
{
	uint64_t *map[REG_COUNT] = { &r->rip, &r->rsp, &r->rflags, &r->rax, &r->rbx, &r->rcx,
				     &r->rdx, &r->rsi, &r->rdi, &r->rbp, &r->r8, &r->r9,
				     &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
	return map[i];
}

/* A freshly retyped TCB (zeroed memory): inactive, priority 0, a user
 * context that starts nowhere until its registers are written. */
void tcb_init(struct tcb *t)
{
	arch_regs_init(&t->regs, 0, 0);
	t->state = TS_INACTIVE;
}

void tcb_suspend(struct tcb *t)
{
	sched_stall(t);
	ipc_cancel(t);
	if (t->reply)
		reply_cancel(t->reply);
	sched_dequeue(t);
	t->state = TS_INACTIVE;
	if (this_core()->current == t)
		this_core()->current = NULL;
}

static void tcb_resume(struct tcb *t)
{
	if (t->state != TS_INACTIVE)
		return;
	t->state = TS_RUNNABLE;
	sched_enqueue(t);
}

/* A derived copy of the capability at cptr for one of a TCB's slots. */
struct slot_src {
	struct cte *src;
	struct cap cap;
	unsigned flags;
};

static struct kerr slot_source(struct inv *iv, cptr_t cptr, unsigned type, struct slot_src *out)
{
	struct kerr e;

	if ((e = cspace_lookup_cap(iv->caller, cptr, type, &out->src)).err)
		return e;
	return cap_derive(out->src, RIGHTS_ALL, false, 0, &out->cap, &out->flags);
}

/* Replace slot `which` of t (deleting may be preempted: the call restarts). */
static struct kerr install(struct tcb *t, unsigned which, struct slot_src *ss)
{
	struct kerr e = cap_delete(&t->slots[which]);

	if (e.err)
		return e;
	cap_derive_commit(&t->slots[which], ss->cap, ss->src, ss->flags);
	return KOK;
}

/* Decode everything first, then change: nothing is changed by a configure
 * that fails (a restarted one may have replaced slots before it stopped). */
static struct kerr configure(struct inv *iv, struct tcb *t)
{
	struct slot_src cs, vs, buf;
	struct kerr e;

	if (iv->len < 5)
		return kerr(E_TRUNCATED_MESSAGE, 0);
	if (iv->arg[3] & (PAGE_SIZE - 1))
		return kerr(E_ALIGNMENT_ERROR, 3);
	if (t == iv->caller)
		return kerr(E_ILLEGAL_OPERATION, 0); /* reconfigure a thread that is not running */
	if ((e = slot_source(iv, iv->arg[1], OBJ_CNODE, &cs)).err ||
	    (e = slot_source(iv, iv->arg[2], OBJ_PML4, &vs)).err)
		return e;
	if (iv->arg[4]) {
		if ((e = slot_source(iv, iv->arg[4], OBJ_FRAME_4K, &buf)).err)
			return e;
		if (!(cap_rights(buf.cap) & RIGHT_WRITE))
			return kerr(E_INVALID_CAPABILITY, 4); /* the kernel writes replies there */
	}
	if ((e = install(t, TCB_CSPACE, &cs)).err || (e = install(t, TCB_VSPACE, &vs)).err)
		return e;
	if (iv->arg[4] && (e = install(t, TCB_IPCBUF, &buf)).err)
		return e;
	t->fault_ep = iv->arg[0];
	t->ipcbuf_vaddr = iv->arg[3];
	return KOK;
}

static struct kerr set_prio(struct inv *iv, struct tcb *t, bool mcp)
{
	uint64_t p = iv->arg[0];

	if (iv->len < 1)
		return kerr(E_TRUNCATED_MESSAGE, 0);
	if (p >= NUM_PRIOS || p > iv->caller->mcp)
		return kerr(E_RANGE_ERROR, 0);
	if (mcp) {
		t->mcp = (uint8_t)p;
		return KOK;
	}
	sched_set_prio(t, (unsigned)p);
	return KOK;
}

static struct kerr read_regs(struct inv *iv, struct tcb *t)
{
	if (t == iv->caller)
		return kerr(E_ILLEGAL_OPERATION, 0);
	for (unsigned i = 0; i < REG_COUNT; i++)
		iv->out[i] = *reg_ptr(&t->regs, i);
	iv->out_len = REG_COUNT;
	return KOK;
}

/* The first n registers in READ order from message words 2.., read once
 * from the caller's IPC buffer (another core of the cluster may rewrite it
 * meanwhile: only the copy is checked and used). rip and rsp must be user
 * addresses (else E_INVALID_ARGUMENT naming the word, nothing written);
 * RFLAGS keeps only what user mode may set, with IF; the thread resumes as
 * a 64-bit context (arch_regs_rewritten). */
static struct kerr write_regs(struct inv *iv, struct tcb *t)
{
	struct ipc_buffer *b = tcb_ipc_buffer(iv->caller);
	uint64_t n = iv->arg[1], v[REG_COUNT];

	if (t == iv->caller)
		return kerr(E_ILLEGAL_OPERATION, 0);
	if (iv->len < 2 || n > REG_COUNT || !b || iv->len < 2 + n)
		return kerr(E_TRUNCATED_MESSAGE, 0);
	for (unsigned i = 0; i < n; i++)
		v[i] = __atomic_load_n(&b->mr[2 + i], __ATOMIC_RELAXED); /* one load each */
	if (n > 0 && !arch_user_ip_ok(v[0]))
		return kerr(E_INVALID_ARGUMENT, 2);
	if (n > 1 && !arch_user_sp_ok(v[1]))
		return kerr(E_INVALID_ARGUMENT, 3);
	for (unsigned i = 0; i < n; i++)
		*reg_ptr(&t->regs, i) = v[i];
	arch_regs_rewritten(&t->regs);
	if (iv->arg[0])
		tcb_resume(t);
	return KOK;
}

static struct kerr bind(struct inv *iv, struct tcb *t)
{
	struct cte *s;
	struct kerr e;
	struct notification *n;

	if ((e = cspace_lookup_cap(iv->caller, iv->arg[0], OBJ_NOTIFICATION, &s)).err)
		return e;
	n = cap_obj(s->cap);
	if (t->bound_ntfn || n->bound)
		return kerr(E_ILLEGAL_OPERATION, 0);
	n->bound = t;
	t->bound_ntfn = n;
	return KOK;
}

struct kerr tcb_invoke(struct inv *iv)
{
	struct tcb *t = cap_obj(iv->cap);

	if (t != iv->caller)
		sched_stall(t); /* running on another core: stop it there first */
	switch (iv->label) {
	case INV_TCB_CONFIGURE: return configure(iv, t);
	case INV_TCB_SET_PRIORITY: return set_prio(iv, t, false);
	case INV_TCB_SET_MCP: return set_prio(iv, t, true);
	case INV_TCB_RESUME: tcb_resume(t); return KOK;
	case INV_TCB_SUSPEND: tcb_suspend(t); return KOK;
	case INV_TCB_READ_REGISTERS: return read_regs(iv, t);
	case INV_TCB_WRITE_REGISTERS: return write_regs(iv, t);
	case INV_TCB_BIND_NOTIFICATION: return iv->len < 1 ? kerr(E_TRUNCATED_MESSAGE, 0) : bind(iv, t);
	case INV_TCB_UNBIND_NOTIFICATION:
		if (!t->bound_ntfn)
			return kerr(E_ILLEGAL_OPERATION, 0);
		t->bound_ntfn->bound = NULL;
		t->bound_ntfn = NULL;
		return KOK;
	case INV_TCB_SET_AFFINITY:
		if (iv->len < 1)
			return kerr(E_TRUNCATED_MESSAGE, 0);
		if (iv->arg[0] >= cluster.ncores)
			return kerr(E_RANGE_ERROR, 0); /* cores of this cluster only */
		sched_set_affinity(t, (uint32_t)iv->arg[0]);
		return KOK;
	case INV_DEBUG_NAME: {
		struct ipc_buffer *b = tcb_ipc_buffer(iv->caller);
		if (!b || iv->len < 6) /* the name is message words 4 and 5 */
			return kerr(E_TRUNCATED_MESSAGE, 0);
		memcpy(t->name, &b->mr[4], sizeof(t->name) - 1);
		t->name[sizeof(t->name) - 1] = 0;
		return KOK;
	}
	default:
		return kerr(E_ILLEGAL_OPERATION, 0);
	}
}
