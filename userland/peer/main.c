/*
 * The peer: a small server in an address space of its own, started by the
 * root task with process_spawn (protocol in atoll/process.h). It must never
 * return from main: crt0 would then end the whole run.
 */
#include "atoll/process.h"

struct answer {
	uint64_t label, len, mr[4];
};

int main(uint64_t arg);

static uint64_t spawn_arg;

static uint64_t current_rsp(void)
{
	uint64_t sp;

	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
	return sp;
}

/* PEER_SUM: every received word, from registers and the IPC buffer. */
static struct answer sum_words(const struct ipc_result *r)
{
	struct ipc_buffer *b = atoll_ipcbuf;
	uint64_t n = MSGINFO_LENGTH(r->info), sum = 0;

	for (uint64_t i = 0; i < n; i++)
		sum += i < MSG_REG_WORDS ? r->mr[i] : b->mr[i];
	for (unsigned i = MSG_REG_WORDS; i < 10; i++)
		b->mr[i] = PEER_SUM_FILL + i;
	return (struct answer){ 0, 10, { sum, n, PEER_SUM_FILL + 2, PEER_SUM_FILL + 3 } };
}

/* PEER_PUTS: a process prints only through a debug capability it was given. */
static uint64_t debug_line(cptr_t dbg)
{
	static const char line[] = "# peer: a line through its own copy of the debug capability\n";

	atoll_debug_cap = dbg;
	return puts_raw(line, sizeof(line) - 1);
}

static struct answer serve(const struct ipc_result *r)
{
	const uint64_t *m = r->mr;

	switch (MSGINFO_LABEL(r->info)) {
	case PEER_ECHO: return (struct answer){ 0, 4, { m[0], m[1], m[2], m[3] } };
	case PEER_ADD: return (struct answer){ 0, 1, { m[0] + m[1] } };
	case PEER_SUM: return sum_words(r);
	case PEER_READ_FAR: return (struct answer){ 0, 1, { *(volatile uint64_t *)PEER_FAR_ADDR } };
	case PEER_WHO:
		return (struct answer){ 0, 4, { r->badge, spawn_arg, current_rsp(), (uint64_t)(uintptr_t)atoll_ipcbuf } };
	case PEER_WRITE_TEXT:
		*(volatile uint8_t *)(uintptr_t)main = 0xC3; /* read-only code: faults */
		return (struct answer){ 0, 1, { 0 } };
	case PEER_SIGNAL: return (struct answer){ 0, 1, { atoll_ntfn_signal(PEER_SLOT_NTFN) } };
	case PEER_PUTS: return (struct answer){ 0, 1, { debug_line(m[0]) } };
	case PEER_EXIT: return (struct answer){ 0, 1, { atoll_debug_exit(m[0], 1) } };
	default: return (struct answer){ PEER_BAD_LABEL, 0, { 0 } };
	}
}

int main(uint64_t arg)
{
	struct ipc_result r;

	spawn_arg = arg;
	r = atoll_ipc_recv(PEER_SLOT_EP, PEER_SLOT_REPLY);
	for (;;) {
		while (r.err) { /* the endpoint or reply object is gone: stop here */
			atoll_tcb_suspend(PROC_SLOT_TCB);
			r = atoll_ipc_recv(PEER_SLOT_EP, PEER_SLOT_REPLY);
		}
		struct answer a = serve(&r);
		r = atoll_ipc_replyrecv(PEER_SLOT_EP, PEER_SLOT_REPLY, msginfo(a.label, 0, 0, (unsigned)a.len), a.mr[0],
				  a.mr[1], a.mr[2], a.mr[3]);
	}
}
