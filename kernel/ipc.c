/* Message transfer and thread wait queues (see ipc.h). */
#include "ipc.h"
#include "kstring.h"
#include "sched.h"

struct ipc_buffer *tcb_ipc_buffer(struct tcb *t)
{
	struct cap f = t->slots[TCB_IPCBUF].cap;

	return cap_type(f) == OBJ_FRAME_4K ? cap_obj(f) : NULL;
}

/* Where the receiver takes a capability: its IPC-buffer words, read once
 * (the receiver's other threads may rewrite them at any time). */
struct recv_slot {
	cptr_t cnode;
	uint64_t index;
	bool used;
};

/* Transfer one extra capability: into dst's receive slot as a derived copy
 * under exactly the rules of CNode copy, or unwrapped to its badge when it
 * names the endpoint it travels through. */
static bool transfer_cap(struct tcb *src, struct tcb *dst, struct ipc_buffer *db, uint64_t cptr,
			 struct endpoint *ep, unsigned i, unsigned *unwrapped, struct recv_slot *rs)
{
	struct cte *s, *rnode, *d;
	struct cap c;
	unsigned flags;

	if (cspace_lookup_cap(src, cptr, 0, &s).err || cap_type(s->cap) == CAP_ZOMBIE)
		return false;
	c = s->cap;
	if (ep && cap_type(c) == OBJ_ENDPOINT && cap_obj(c) == (void *)ep && cap_badge(c)) {
		db->caps[i] = cap_badge(c);
		*unwrapped |= 1u << i;
		return true;
	}
	if (rs->used || !rs->cnode || cspace_lookup_cap(dst, rs->cnode, OBJ_CNODE, &rnode).err ||
	    rs->index >> cap_size_bits(rnode->cap))
		return false;
	d = (struct cte *)cap_obj(rnode->cap) + rs->index;
	if (!cap_is_null(d->cap) || cap_derive(s, RIGHTS_ALL, false, 0, &c, &flags).err)
		return false;
	cap_derive_commit(d, c, s, flags);
	rs->used = true;
	return true;
}

void ipc_transfer(struct tcb *src, struct tcb *dst, uint64_t info, uint64_t badge, unsigned rights,
		  struct endpoint *ep)
{
	uint64_t len = MIN(MSGINFO_LENGTH(info), (uint64_t)MSG_MAX_WORDS);
	unsigned ncaps = (unsigned)MSGINFO_EXTRA_CAPS(info), done = 0, unwrapped = 0;
	bool bufs = len > MSG_REG_WORDS || ncaps;
	/* The IPC buffers matter only for long messages and capabilities. */
	struct ipc_buffer *sb = bufs ? tcb_ipc_buffer(src) : NULL, *db = bufs ? tcb_ipc_buffer(dst) : NULL;
	struct recv_slot rs = { 0, 0, false };
	uint64_t caps[MSG_MAX_EXTRA_CAPS];

	if (src->ipc_is_fault) { /* a fault message: from fault_info, never registers */
		for (unsigned i = 0; i < MSG_REG_WORDS; i++)
			*regs_mr(&dst->regs, i) = src->fault_info[i];
		dst->regs.REG_ERR = E_OK;
		dst->regs.REG_BADGE = badge;
		dst->regs.REG_INFO = msginfo(MSGINFO_LABEL(info), 0, 0, MSG_REG_WORDS);
		return;
	}
	if (len > MSG_REG_WORDS && (!sb || !db))
		len = MSG_REG_WORDS;
	/* The four register words, zero beyond the length. */
	dst->regs.REG_MR0 = len > 0 ? src->regs.REG_MR0 : 0;
	dst->regs.REG_MR1 = len > 1 ? src->regs.REG_MR1 : 0;
	dst->regs.REG_MR2 = len > 2 ? src->regs.REG_MR2 : 0;
	dst->regs.REG_MR3 = len > 3 ? src->regs.REG_MR3 : 0;
	if (len > MSG_REG_WORDS)
		memcpy(&db->mr[MSG_REG_WORDS], &sb->mr[MSG_REG_WORDS], (len - MSG_REG_WORDS) * 8);
	if (!(rights & RIGHT_GRANT) || !sb || !db)
		ncaps = 0;
	ncaps = MIN(ncaps, (unsigned)MSG_MAX_EXTRA_CAPS);
	if (ncaps) { /* every user word read once, before any is used */
		rs.cnode = READ_ONCE(db->receive_cnode);
		rs.index = READ_ONCE(db->receive_index);
		for (unsigned i = 0; i < ncaps; i++)
			caps[i] = READ_ONCE(sb->caps[i]);
	}
	for (; done < ncaps; done++)
		if (!transfer_cap(src, dst, db, caps[done], ep, done, &unwrapped, &rs))
			break;
	dst->regs.REG_ERR = E_OK;
	dst->regs.REG_BADGE = badge;
	dst->regs.REG_INFO = msginfo(MSGINFO_LABEL(info), unwrapped, done, (unsigned)len);
}

void ipc_abort(struct tcb *t, uint64_t err)
{
	if (t->ipc_is_fault) /* no error in its registers: it faults again */
		t->ipc_is_fault = false;
	else
		t->regs.REG_ERR = err;
	ipc_wake(t, false);
}

void ipc_wake(struct tcb *t, bool direct)
{
	struct tcb *cur = sched_current();

	t->state = TS_RUNNABLE;
	t->blocked_on = NULL;
	if (direct || (cur && cur->state == TS_RUNNABLE && t->rq.prio > cur->rq.prio))
		sched_switch_to(t); /* it would preempt us at once: switch now */
	else
		sched_enqueue(t);
}
