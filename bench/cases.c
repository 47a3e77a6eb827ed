/*
 * The benchmark cases (docs/bench.md). Each case runs its timing threads at
 * BENCH_PRIO while the root task (priority 255) waits on `done`; one side
 * stores the start timestamp in the shared page, the other side takes the
 * end timestamp and records end - start. Samples after the warm-up runs,
 * less the timestamp overhead, make the result.
 */
#include "atoll/thread.h"
#include "ipc_bench.h"
#include "kstring.h"

#define BENCH_PRIO 100
#define BENCH_PRIO_HIGH 101

const char *const bench_case_name[CASE_COUNT] = {
	[CASE_NULL_SYSCALL] = "null_syscall",
	[CASE_CALL_INTRA] = "call_intra_as",
	[CASE_REPLYRECV_INTRA] = "replyrecv_intra_as",
	[CASE_CALL_INTER] = "call_inter_as",
	[CASE_REPLYRECV_INTER] = "replyrecv_inter_as",
	[CASE_CALL_INTER_4W] = "call_inter_as_4w",
	[CASE_CALL_INTER_10W] = "call_inter_as_10w",
	[CASE_REPLYRECV_INTER_10W] = "replyrecv_inter_as_10w",
	[CASE_SEND_LOW_TO_HIGH] = "send_low_to_high",
	[CASE_SIGNAL_WAIT] = "signal_wait",
	[CASE_YIELD] = "yield",
};

/* What the timing threads of the current case use (set by the root task
 * before it starts them; read-only while they run). */
static struct {
	cptr_t ep, reply, ntfn; /* fresh for each case */
	cptr_t done;            /* the root task waits here */
	unsigned words;
} C;

static cptr_t shm_frames[BENCH_SHM_PAGES];

static cptr_t new_obj(uint64_t type, const char *what)
{
	uint64_t e;
	cptr_t s = obj_alloc(type, 0, &e);

	if (!s)
		bench_fail(what, e);
	return s;
}

static void check(uint64_t e, const char *what)
{
	if (e)
		bench_fail(what, e);
}

/* --- the timing threads ---------------------------------------------------- */

static void fill_ipcbuf(unsigned words)
{
	for (unsigned i = MSG_REG_WORDS; i < words; i++)
		atoll_ipcbuf->mr[i] = i + 1;
}

/* b[i] = server's start (before its ReplyRecv) to here (after Call returned). */
static void client_call(uint64_t unused)
{
	struct bench_shm *s = BENCH_SHM;
	uint64_t info = msginfo(0, 0, 0, C.words), t;
	cptr_t ep = C.ep;

	fill_ipcbuf(C.words);
	for (unsigned i = 0; i < BENCH_RUNS; i++) {
		ts_start_to(&s->start);
		atoll_ipc_call(ep, info, 1, 2, 3, 4);
		t = ts_end();
		s->b[i] = t - s->start;
	}
	atoll_ntfn_signal(C.done);
}

static void client_send(uint64_t unused)
{
	struct bench_shm *s = BENCH_SHM;
	cptr_t ep = C.ep;

	for (unsigned i = 0; i < BENCH_RUNS; i++) {
		ts_start_to(&s->start);
		atoll_ipc_send(ep, msginfo(0, 0, 0, 0), 0, 0, 0, 0);
	}
	atoll_ntfn_signal(C.done);
}

static void server_thread(uint64_t mode)
{
	bench_serve(BENCH_SHM, C.ep, C.reply, (enum bench_mode)mode, C.words);
}

static void signaller(uint64_t unused)
{
	struct bench_shm *s = BENCH_SHM;
	cptr_t n = C.ntfn;

	for (unsigned i = 0; i < BENCH_RUNS; i++) {
		ts_start_to(&s->start);
		atoll_ntfn_signal(n);
	}
	atoll_ntfn_signal(C.done);
}

/* a[i] = signaller's start (before Signal) to here (after Wait returned). */
static void waiter(uint64_t unused)
{
	struct bench_shm *s = BENCH_SHM;
	cptr_t n = C.ntfn;
	uint64_t t;

	for (uint64_t i = 0;; i++) {
		atoll_ntfn_wait(n);
		t = ts_end();
		t -= s->start;
		if (i < BENCH_RUNS)
			s->a[i] = t;
	}
}

/* Two of these take turns: each sample is the other's start (before its
 * Yield) to here (after this one's Yield returned). */
static void yielder(uint64_t unused)
{
	struct bench_shm *s = BENCH_SHM;
	uint64_t t, k;

	for (;;) {
		ts_start_to(&s->start);
		atoll_yield();
		t = ts_end();
		t -= s->start;
		if ((k = s->count) < BENCH_RUNS) {
			s->a[k] = t;
			s->count = k + 1;
		} else {
			atoll_ntfn_signal(C.done);
		}
	}
}

/* --- the root task's side ------------------------------------------------------ */

static void spawn_thread(struct uthread *t, void (*fn)(uint64_t), uint64_t arg, uint64_t prio)
{
	check(thread_create(t, fn, arg, prio), "thread_create");
}

static void stop_thread(struct uthread *t)
{
	atoll_tcb_suspend(t->tcb);
	atoll_cnode_delete(ROOT_CNODE, t->tcb);
	slot_free(t->tcb);
}

/* The server program in an address space of its own, with the endpoint, the
 * reply object and the shared page (copies of the root's frame caps in
 * copies[]). */
static void spawn_server(struct process *p, cptr_t *copies, enum bench_mode mode, uint64_t prio)
{
	uint64_t e = process_spawn(p, "bench_server", BENCH_ARG(mode, C.words, bench_rdtscp), prio, 0);

	if (e) {
		printf("bench: %s\n", p->why);
		bench_fail("spawning bench_server", e);
	}
	check(process_give(p, BENCH_SLOT_EP, C.ep, RIGHT_READ, 0), "giving the endpoint");
	check(process_give(p, BENCH_SLOT_REPLY, C.reply, RIGHTS_ALL, 0), "giving the reply object");
	for (unsigned i = 0; i < BENCH_SHM_PAGES; i++) {
		if (!(copies[i] = slot_alloc()))
			bench_fail("slot_alloc", E_NOT_ENOUGH_MEMORY);
		check(atoll_cnode_copy(ROOT_CNODE, copies[i], shm_frames[i], RIGHTS_ALL), "copying a frame cap");
		check(process_map(p, copies[i], BENCH_SHM_VADDR + i * 4096ull, RIGHT_READ | RIGHT_WRITE, 1),
		      "mapping the shared page");
	}
}

static void stop_server(struct process *p, cptr_t *copies)
{
	process_destroy(p);
	for (unsigned i = 0; i < BENCH_SHM_PAGES; i++) {
		atoll_cnode_delete(ROOT_CNODE, copies[i]);
		slot_free(copies[i]);
	}
}

/* A fresh endpoint, reply object and notification, and a clean page. */
static void case_begin(unsigned words)
{
	C.ep = new_obj(OBJ_ENDPOINT, "endpoint");
	C.reply = new_obj(OBJ_REPLY, "reply object");
	C.ntfn = new_obj(OBJ_NOTIFICATION, "notification");
	C.words = words;
	memset(BENCH_SHM, 0, sizeof(struct bench_shm));
}

static void case_end(void)
{
	cptr_t objs[3] = { C.ep, C.reply, C.ntfn };

	for (unsigned i = 0; i < 3; i++) {
		atoll_cnode_delete(ROOT_CNODE, objs[i]);
		slot_free(objs[i]);
	}
}

/* Samples after the warm-up, less the overhead, summarised; then printed. */
static void finish(struct bench_run *run, enum bench_case c, uint64_t *x)
{
	bench_subtract(x + BENCH_WARMUP, BENCH_SAMPLES, run->overhead);
	bench_stats_compute(x + BENCH_WARMUP, BENCH_SAMPLES, &run->st[c]);
	bench_print_json(run, c);
}

/* Back-to-back timestamp pairs, exactly as each measurement takes them. */
uint64_t bench_timestamp_overhead(volatile uint64_t *slot, uint64_t x[BENCH_RUNS])
{
	uint64_t t;

	for (unsigned i = 0; i < BENCH_RUNS; i++) {
		ts_start_to(slot);
		t = ts_end();
		x[i] = t - *slot;
	}
	return bench_min(x + BENCH_WARMUP, BENCH_SAMPLES);
}

/* SYS_NULL from the root task itself. */
static void case_null(struct bench_run *run)
{
	struct bench_shm *s = BENCH_SHM;
	uint64_t t;

	for (unsigned i = 0; i < BENCH_RUNS; i++) {
		ts_start_to(&s->start);
		atoll_call6(SYS_NULL, 0, 0, 0, 0, 0, 0, 0);
		t = ts_end();
		s->a[i] = t - s->start;
	}
	finish(run, CASE_NULL_SYSCALL, s->a);
}

/* Call / ReplyRecv of `words` words; the server a thread (intra) or a
 * process (inter). Results go to cases call and rr (rr < 0: not kept). */
static void case_call(struct bench_run *run, bool inter, unsigned words, int call, int rr)
{
	struct uthread srv, cli;
	struct process p;
	cptr_t copies[BENCH_SHM_PAGES];

	case_begin(words);
	if (inter)
		spawn_server(&p, copies, BENCH_SERVE_CALL, BENCH_PRIO);
	else
		spawn_thread(&srv, server_thread, BENCH_SERVE_CALL, BENCH_PRIO);
	spawn_thread(&cli, client_call, 0, BENCH_PRIO);
	atoll_ntfn_wait(C.done);
	stop_thread(&cli);
	if (inter)
		stop_server(&p, copies);
	else
		stop_thread(&srv);
	case_end();
	finish(run, (enum bench_case)call, BENCH_SHM->a);
	if (rr >= 0)
		finish(run, (enum bench_case)rr, BENCH_SHM->b);
}

/* Send from BENCH_PRIO to a receiver of another address space at
 * BENCH_PRIO_HIGH, blocked in Recv. */
static void case_send(struct bench_run *run)
{
	struct uthread cli;
	struct process p;
	cptr_t copies[BENCH_SHM_PAGES];

	case_begin(0);
	spawn_server(&p, copies, BENCH_SERVE_RECV, BENCH_PRIO_HIGH);
	spawn_thread(&cli, client_send, 0, BENCH_PRIO);
	atoll_ntfn_wait(C.done);
	stop_thread(&cli);
	stop_server(&p, copies);
	case_end();
	finish(run, CASE_SEND_LOW_TO_HIGH, BENCH_SHM->a);
}

/* Signal from BENCH_PRIO to a thread of the same address space at
 * BENCH_PRIO_HIGH, blocked in Wait: Signal switches to it. */
static void case_signal(struct bench_run *run)
{
	struct uthread w, sig;

	case_begin(0);
	spawn_thread(&w, waiter, 0, BENCH_PRIO_HIGH);
	spawn_thread(&sig, signaller, 0, BENCH_PRIO);
	atoll_ntfn_wait(C.done);
	stop_thread(&sig);
	stop_thread(&w);
	case_end();
	finish(run, CASE_SIGNAL_WAIT, BENCH_SHM->a);
}

/* Two threads of equal priority in one address space yield to each other. */
static void case_yield(struct bench_run *run)
{
	struct uthread y1, y2;

	case_begin(0);
	spawn_thread(&y1, yielder, 0, BENCH_PRIO);
	spawn_thread(&y2, yielder, 0, BENCH_PRIO);
	atoll_ntfn_wait(C.done);
	stop_thread(&y1);
	stop_thread(&y2);
	case_end();
	finish(run, CASE_YIELD, BENCH_SHM->a);
}

/* The shared page(s), mapped in the root task; copies go to servers. */
static void shm_init(void)
{
	for (unsigned i = 0; i < BENCH_SHM_PAGES; i++)
		if (!(shm_frames[i] = page_alloc_at(BENCH_SHM_VADDR + i * 4096ull)))
			bench_fail("allocating the shared page", E_NOT_ENOUGH_MEMORY);
}

void bench_run_all(struct bench_run *run)
{
	shm_init();
	C.done = new_obj(OBJ_NOTIFICATION, "notification");
	run->overhead = bench_timestamp_overhead(&BENCH_SHM->start, BENCH_SHM->a);
	printf("bench: timestamp overhead %llu (least of %u back-to-back pairs), subtracted from every sample; "
	       "%u warm-up runs, then %u samples per case\n",
	       (unsigned long long)run->overhead, BENCH_SAMPLES, BENCH_WARMUP, BENCH_SAMPLES);
	case_null(run);
	case_call(run, false, 0, CASE_CALL_INTRA, CASE_REPLYRECV_INTRA);
	case_call(run, true, 0, CASE_CALL_INTER, CASE_REPLYRECV_INTER);
	case_call(run, true, 4, CASE_CALL_INTER_4W, -1);
	case_call(run, true, 10, CASE_CALL_INTER_10W, CASE_REPLYRECV_INTER_10W);
	case_send(run);
	case_signal(run);
	case_yield(run);
}
