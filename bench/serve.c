/* The server side of the IPC cases, shared by the server threads of the
 * root task and the bench_server program (see bench.h). */
#include "bench.h"

bool bench_rdtscp;

/* Words 4.. of a long reply come from the IPC buffer: fill them once. */
static void fill_ipcbuf(unsigned words)
{
	struct ipc_buffer *b = atoll_ipcbuf;

	for (unsigned i = MSG_REG_WORDS; i < words; i++)
		b->mr[i] = 100 + i;
}

/* a[i] = client's start (before its Call) to here (after Recv/ReplyRecv
 * returned); then start the ReplyRecv the client times on its side. */
static __attribute__((noreturn)) void serve_call(struct bench_shm *s, cptr_t ep, cptr_t reply,
						 unsigned words)
{
	uint64_t info = msginfo(0, 0, 0, words), t;

	fill_ipcbuf(words);
	atoll_ipc_recv(ep, reply);
	for (uint64_t i = 0;; i++) {
		t = ts_end();
		t -= s->start;
		if (i < BENCH_RUNS)
			s->a[i] = t;
		ts_start_to(&s->start);
		atoll_ipc_replyrecv(ep, reply, info, 1, 2, 3, 4);
	}
}

/* a[i] = sender's start (before its Send) to here (after Recv returned). */
static __attribute__((noreturn)) void serve_recv(struct bench_shm *s, cptr_t ep, cptr_t reply)
{
	uint64_t t;

	for (uint64_t i = 0;; i++) {
		atoll_ipc_recv(ep, reply);
		t = ts_end();
		t -= s->start;
		if (i < BENCH_RUNS)
			s->a[i] = t;
	}
}

void bench_serve(struct bench_shm *s, cptr_t ep, cptr_t reply, enum bench_mode mode, unsigned words)
{
	if (mode == BENCH_SERVE_RECV)
		serve_recv(s, ep, reply);
	serve_call(s, ep, reply, words);
}
