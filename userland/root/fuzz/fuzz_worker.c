/*
 * The fuzzer's workers: threads with a CSpace and a VSpace of their own
 * that make system calls for the executor and touch memory as probes.
 *
 * A worker runs a few position-independent instructions copied into a
 * code page of its VSpace. It waits on its "go" notification; then it
 * takes the request from a mailbox in its IPC-buffer page (which the root
 * task also maps, so the executor reads and writes it directly), makes the
 * system call (or reads or writes the page at an address), stores what
 * came back and marks the request done. A probe of an unmapped address
 * page-faults: the fault goes to the worker's fault endpoint, where the
 * executor receives it and restarts the worker at the top of its loop.
 * Workers run above the executor's priority, so on the executor's core a
 * request is finished (or blocked) by the time the signal returns.
 */
#include "fuzz.h"
#include "kstring.h"

#define WK_CODE 0x30000ull
#define WK_IPCBUF 0x10000ull
#define WK_MBOX_OFF 0x800
#define WK_MBOX (WK_IPCBUF + WK_MBOX_OFF)
#define WK_ROOT_MAP 0x74000000ull /* + k * 0x2000: the mailbox page, code staging page in the root */
#define WK_PRIO 120
#define WK_WAIT_MS 4000

/* The mailbox: written by the executor, answered by the worker. */
struct wk_mbox {
	volatile uint64_t seq_req, seq_done, mode; /* mode 0: call, 1: read probe, 2: write probe */
	uint64_t pad;
	uint64_t in[8];  /* rax rdi rsi rdx r10 r8 r9 r12; probe: va in in[1], value in in[2] */
	uint64_t out[7]; /* rax rdi rsi r10 r8 r9 r12; probe: word 0, OR of the rest */
};

extern const char fz_wk_code[], fz_wk_code_end[];
__asm__(".pushsection .text\n"
	".globl fz_wk_code, fz_wk_code_end\n"
	"fz_wk_code:\n"
	"1:	mov $0x10800, %ebx\n"
	"	mov 0(%rbx), %rax\n"
	"	cmp 8(%rbx), %rax\n"
	"	jne 2f\n"
	"	mov $10, %eax\n"          /* SYS_WAIT on W_GO */
	"	mov $2, %edi\n"
	"	syscall\n"
	"	jmp 1b\n"
	"2:	mov 16(%rbx), %rcx\n"
	"	test %rcx, %rcx\n"
	"	jnz 3f\n"
	"	mov 32(%rbx), %rax\n	mov 40(%rbx), %rdi\n	mov 48(%rbx), %rsi\n"
	"	mov 56(%rbx), %rdx\n	mov 64(%rbx), %r10\n	mov 72(%rbx), %r8\n"
	"	mov 80(%rbx), %r9\n	mov 88(%rbx), %r12\n"
	"	syscall\n"
	"	mov $0x10800, %ebx\n"
	"	mov %rax, 96(%rbx)\n	mov %rdi, 104(%rbx)\n	mov %rsi, 112(%rbx)\n"
	"	mov %r10, 120(%rbx)\n	mov %r8, 128(%rbx)\n	mov %r9, 136(%rbx)\n"
	"	mov %r12, 144(%rbx)\n"
	"	jmp 5f\n"
	"3:	mov 40(%rbx), %rdi\n"
	"	cmp $2, %rcx\n"
	"	je 4f\n"
	"	mov (%rdi), %rax\n"
	"	mov %rax, 96(%rbx)\n"
	"	xor %edx, %edx\n"
	"	mov $1, %ecx\n"
	"6:	or (%rdi,%rcx,8), %rdx\n"
	"	inc %ecx\n"
	"	cmp $512, %ecx\n"
	"	jne 6b\n"
	"	mov %rdx, 104(%rbx)\n"
	"	jmp 5f\n"
	"4:	mov 48(%rbx), %rax\n"
	"	mov %rax, (%rdi)\n"
	"5:	mov 0(%rbx), %rax\n"
	"	mov %rax, 8(%rbx)\n"
	"	jmp 1b\n"
	"fz_wk_code_end:\n"
	".popsection\n");
_Static_assert(WK_MBOX == 0x10800, "the worker's code names its mailbox");

struct fz_worker_env fz_w[FZ_WORKERS];

static struct wk_mbox *mbox(unsigned k)
{
	return (struct wk_mbox *)(uintptr_t)(WK_ROOT_MAP + k * 0x2000 + WK_MBOX_OFF);
}

static struct ipc_buffer *wk_ipcbuf(unsigned k)
{
	return (struct ipc_buffer *)(uintptr_t)(WK_ROOT_MAP + k * 0x2000);
}

/* A page for the worker: mapped in the root (if root_va) and in its VSpace. */
static uint64_t wk_page(cptr_t vs, uint64_t va, uint64_t root_va, unsigned rights, cptr_t *frame)
{
	uint64_t err;
	cptr_t f = root_va ? page_alloc_at(root_va) : obj_alloc(OBJ_FRAME_4K, 0, &err);
	cptr_t copy = slot_alloc();

	if (!f || !copy)
		return E_NOT_ENOUGH_MEMORY;
	if ((err = atoll_cnode_copy(ROOT_CNODE, copy, f, RIGHTS_ALL)))
		return err;
	*frame = f;
	return map_frame_anywhere(copy, vs, va, rights);
}

static uint64_t wk_start(unsigned k)
{
	uint64_t regs[REG_COUNT] = { 0 };

	regs[REG_RIP] = WK_CODE;
	regs[REG_RFLAGS] = 0x202;
	return atoll_tcb_write_registers(fz_w[k].root_tcb, true, REG_RFLAGS + 1, regs);
}

/* Worker k: CNode, VSpace, code and mailbox pages, TCB; caps in the
 * executor's CNode fcnode (root-side cptr). */
uint64_t fz_worker_setup(unsigned k, cptr_t ut, cptr_t fcnode)
{
	struct fz_worker_env *w = &fz_w[k];
	cptr_t cn = slot_alloc(), vs = slot_alloc(), tcb = slot_alloc(), go = slot_alloc(), fep = slot_alloc();
	cptr_t code, ipcf;
	uint64_t err;

	if (!cn || !vs || !tcb || !go || !fep)
		return E_NOT_ENOUGH_MEMORY;
	if ((err = atoll_untyped_retype(ut, OBJ_CNODE, FZ_WORKER_RADIX, ROOT_CNODE, cn, 1)) ||
	    (err = atoll_untyped_retype(ut, OBJ_PML4, 0, ROOT_CNODE, vs, 1)) ||
	    (err = atoll_untyped_retype(ut, OBJ_TCB, 0, ROOT_CNODE, tcb, 1)) ||
	    (err = atoll_untyped_retype(ut, OBJ_NOTIFICATION, 0, ROOT_CNODE, go, 1)) ||
	    (err = atoll_untyped_retype(ut, OBJ_ENDPOINT, 0, ROOT_CNODE, fep, 1)))
		return err;
	if ((err = wk_page(vs, WK_CODE, WK_ROOT_MAP + k * 0x2000 + 0x1000, RIGHT_READ, &code)) ||
	    (err = wk_page(vs, WK_IPCBUF, WK_ROOT_MAP + k * 0x2000, RIGHT_READ | RIGHT_WRITE, &ipcf)))
		return err;
	memcpy((void *)(uintptr_t)(WK_ROOT_MAP + k * 0x2000 + 0x1000), fz_wk_code,
	       (size_t)(fz_wk_code_end - fz_wk_code));
	memset(mbox(k), 0, sizeof(struct wk_mbox));
	if ((err = atoll_cnode_copy(cn, W_SELF, cn, RIGHTS_ALL)) ||
	    (err = atoll_cnode_copy(cn, W_GO, go, RIGHT_READ)) ||
	    (err = atoll_cnode_copy(cn, W_FEP, fep, RIGHT_WRITE)) ||
	    (err = atoll_cnode_copy(fcnode, P_WCN + k, cn, RIGHTS_ALL)) ||
	    (err = atoll_cnode_copy(fcnode, P_WVS + k, vs, RIGHTS_ALL)) ||
	    (err = atoll_cnode_copy(fcnode, P_WTCB + k, tcb, RIGHTS_ALL)) ||
	    (err = atoll_cnode_copy(fcnode, P_WGO + k, go, RIGHT_WRITE)) ||
	    (err = atoll_cnode_copy(fcnode, P_WFEP + k, fep, RIGHT_READ)))
		return err;
	if ((err = atoll_tcb_configure(tcb, W_FEP, cn, vs, WK_IPCBUF, ipcf)) ||
	    (err = atoll_tcb_set_priority(tcb, WK_PRIO)) ||
	    (err = atoll_tcb_set_affinity(tcb, k % suite_bi->core_count)))
		return err;
	w->root_tcb = tcb;
	w->root_cnode = cn;
	w->root_vs = vs;
	w->seq = 0;
	return wk_start(k);
}

bool fz_worker_usable(unsigned k)
{
	return k < FZ_WORKERS && fz_w[k].root_tcb && !fz_w[k].suspended && !fz_w[k].faulted;
}

/* ---- talking to a worker (from the executor) ---- */

static bool elapsed(uint64_t t0, uint64_t ms)
{
	return atoll_rdtsc() - t0 > ms_ticks(ms);
}

/* Restart a worker that faulted: suspend (ends its wait for the fault's
 * reply), mark the request done, start again at the top. */
static void wk_restart(unsigned k)
{
	struct wk_mbox *m = mbox(k);

	atoll_call6(SYS_CALL, P_WTCB + k, msginfo(INV_TCB_SUSPEND, 0, 0, 0), 0, 0, 0, 0, 0);
	m->seq_done = m->seq_req;
	uint64_t *b = atoll_ipcbuf->mr;
	b[2] = WK_CODE, b[3] = 0, b[4] = 0x202;
	atoll_call6(SYS_CALL, P_WTCB + k, msginfo(INV_TCB_WRITE_REGISTERS, 0, 0, 5), 0, 1, 3, 0, 0);
}

/* Has the worker's fault arrived on its fault endpoint? */
static bool wk_fault(unsigned k, uint64_t *va)
{
	struct ipc_buffer *b = atoll_ipcbuf;
	uint64_t rc = b->receive_cnode;
	struct ipc_result r;

	b->receive_cnode = 0;
	r = atoll_call6(SYS_NBRECV, P_WFEP + k, 0, P_FREPLY, 0, 0, 0, 0);
	b->receive_cnode = rc;
	if (r.err != E_OK || MSGINFO_LABEL(r.info) == 0)
		return false;
	*va = r.mr[1];
	return true;
}

/* Post a request and signal the worker. */
static void wk_post(unsigned k, uint64_t mode)
{
	struct wk_mbox *m = mbox(k);

	m->mode = mode;
	__atomic_store_n(&m->seq_req, ++fz_w[k].seq, __ATOMIC_RELEASE);
	atoll_call6(SYS_SIGNAL, P_WGO + k, 0, 0, 0, 0, 0, 0);
}

/* Wait until the request is done (true) or the worker faulted (false). */
static bool wk_wait(unsigned k, uint64_t *fault_va, bool *timeout)
{
	struct wk_mbox *m = mbox(k);
	uint64_t t0 = atoll_rdtsc();

	*timeout = false;
	for (;;) {
		if (__atomic_load_n(&m->seq_done, __ATOMIC_ACQUIRE) == m->seq_req)
			return true;
		if (wk_fault(k, fault_va)) {
			wk_restart(k);
			return false;
		}
		if (elapsed(t0, WK_WAIT_MS)) {
			*timeout = true;
			return false;
		}
		atoll_yield();
	}
}

static void wk_stage(unsigned k, const struct fz_call *c)
{
	struct ipc_buffer *b = wk_ipcbuf(k);
	struct wk_mbox *m = mbox(k);

	m->in[0] = c->no, m->in[1] = c->cap, m->in[2] = c->info, m->in[3] = c->reply;
	for (int i = 0; i < 4; i++)
		m->in[4 + i] = c->mr[i];
	for (int i = 0; i < c->nbuf; i++)
		b->mr[4 + i] = c->buf[i];
	if (c->mr23_in_buf) /* as fz_raw_call does for the executor */
		b->mr[2] = c->mr[2], b->mr[3] = c->mr[3];
	for (int i = 0; i < MSG_MAX_EXTRA_CAPS; i++)
		b->caps[i] = c->caps[i];
	b->receive_cnode = c->set_recv ? c->recv_cnode : 0;
	b->receive_index = c->recv_index;
}

bool fz_worker_done(unsigned k);
bool fz_worker_collect(unsigned k, struct fz_result *res, uint64_t ms);

static void wk_result(unsigned k, struct fz_result *res)
{
	struct wk_mbox *m = mbox(k);

	res->err = m->out[0], res->badge = m->out[1], res->info = m->out[2];
	for (int i = 0; i < 4; i++)
		res->mr[i] = m->out[3 + i];
}

/* Post a call; true if it finished (result in *res), false if it blocked.
 * On one core the worker ran at once, above our priority; on several, a
 * call the model expects to block gets a short look only. */
bool fz_worker_call(unsigned k, const struct fz_call *c, struct fz_result *res, bool expect_block)
{
	uint64_t t0 = atoll_rdtsc();
	bool done = false;

	wk_stage(k, c);
	wk_post(k, 0);
	if (fz_worker_done(k) || suite_bi->core_count > 1)
		done = fz_worker_collect(k, res, expect_block ? 20 : WK_WAIT_MS);
	fz_stats.waits++;
	fz_stats.wait_ticks += atoll_rdtsc() - t0;
	return done;
}

/* A blocked request of worker k that the model expects to end now. */
bool fz_worker_collect(unsigned k, struct fz_result *res, uint64_t ms)
{
	struct wk_mbox *m = mbox(k);
	uint64_t t0 = atoll_rdtsc();

	while (__atomic_load_n(&m->seq_done, __ATOMIC_ACQUIRE) != m->seq_req) {
		if (elapsed(t0, ms))
			return false;
		atoll_yield();
	}
	wk_result(k, res);
	return true;
}

bool fz_worker_done(unsigned k)
{
	return __atomic_load_n(&mbox(k)->seq_done, __ATOMIC_ACQUIRE) == mbox(k)->seq_req;
}

/* A worker whose request the model says was ended by a suspend: forget it. */
void fz_worker_forget(unsigned k)
{
	mbox(k)->seq_done = mbox(k)->seq_req;
}

bool fz_worker_probe(unsigned k, uint64_t va, uint64_t write, uint64_t *word0, uint64_t *rest,
		     uint64_t *fault_va)
{
	struct wk_mbox *m = mbox(k);
	bool timeout;

	uint64_t t0 = atoll_rdtsc();
	bool done;

	m->in[1] = va;
	m->in[2] = write;
	wk_post(k, write ? 2 : 1);
	*fault_va = 0;
	done = wk_wait(k, fault_va, &timeout);
	fz_stats.waits++;
	fz_stats.wait_ticks += atoll_rdtsc() - t0;
	if (!done) {
		if (timeout)
			fz_violation(fz_cur_index, "worker", "worker %u did not answer a probe of %#llx", k,
				     (unsigned long long)va);
		return false;
	}
	*word0 = m->out[0];
	*rest = m->out[1];
	return true;
}
