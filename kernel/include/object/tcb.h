/*
 * Thread control block: a thread's saved user registers, scheduling state,
 * IPC state and the slots for its CSpace root, VSpace root and IPC buffer.
 * Retyped from untyped (2 KiB), in its cluster's partition. Every field is
 * under the cluster's kernel lock, except as marked below.
 */
#pragma once
#include "arch/regs.h"
#include "cap.h"
#include "readyq.h"

enum thread_state {
	TS_INACTIVE = 0,   /* never started or suspended */
	TS_RUNNABLE,       /* on a ready queue or running */
	TS_BLOCKED_SEND,   /* queued on an endpoint to send (or call) */
	TS_BLOCKED_RECV,   /* queued on an endpoint to receive */
	TS_BLOCKED_REPLY,  /* called; waits for the reply */
	TS_BLOCKED_NTFN,   /* waits on a notification */
	TS_BLOCKED_XNOTIF, /* waits on its cluster's cross-cluster notification */
};

enum tcb_slot { TCB_CSPACE, TCB_VSPACE, TCB_IPCBUF, TCB_SLOTS };

struct endpoint;
struct notification;
struct reply;

struct tcb {
	/* Written by the entry code of the core it runs on, before the lock is
	 * taken; other cores touch it (under the lock) only while the thread
	 * does not run: blocked, or stopped by KICK_STALL. */
	user_regs_t regs; /* first: kernel entry saves straight into it */
	/* Scheduling: the ready queue of `core` (sched.h). */
	struct rq_node rq;
	uint8_t state;    /* enum thread_state */
	uint8_t mcp;      /* maximum controlled priority */
	uint8_t core;     /* core this thread runs on, in its cluster */
	bool ipc_is_call;
	bool ipc_is_fault;          /* the pending message is fault_info, not registers */
	bool ipc_can_grant;
	bool ipc_can_grant_reply;
	uint32_t timeslice;         /* ticks left */
	/* IPC: the wait queue and objects it is linked to (ipc.h). */
	struct tcb *q_next, *q_prev; /* endpoint or notification wait queue */
	void *blocked_on;            /* the endpoint/notification/reply waited on */
	uint64_t ipc_badge;          /* badge of the capability used to send */
	uint64_t ipc_info;           /* message info of a pending send */
	cptr_t ipc_reply_cptr;       /* reply object given to Recv */
	struct reply *reply;         /* reply object bound while called/serving */
	struct notification *bound_ntfn;
	uint64_t ipcbuf_vaddr;
	cptr_t fault_ep;             /* looked up in the thread's CSpace on a fault */
	uint64_t fault_info[4];      /* last fault, for the fault message */
	struct cte slots[TCB_SLOTS];
	char name[16];
	/* FPU: saved and loaded only by the core it runs on, as it stops or
	 * starts running it (arch/x86_64/fpu.c). */
	struct tcb *fpu_self;        /* itself once it has run an FPU/SSE instruction (fpu
	                              * is then its state), else NULL */
	struct user_fpu fpu;         /* saved while it does not run (arch/x86_64/fpu.c) */
};
_Static_assert(sizeof(struct tcb) <= 2048, "TCB fits its 2 KiB object");
_Static_assert(__builtin_offsetof(struct tcb, regs) == 0, "the entry code saves at the TCB's start (TSS.rsp0 = its end)");

static inline struct tcb *tcb_of_rq(struct rq_node *n)
{
	return (struct tcb *)((char *)n - __builtin_offsetof(struct tcb, rq));
}
