/*
 * User FPU/SSE state (arch/x86_64/fpu.c): every thread that uses x87 or SSE
 * registers keeps its own values across switches, yields, preemption and
 * moves between cores; a thread's first use finds a clean state, never
 * another thread's values; an unmasked SSE exception is a fault message.
 * The suite is built without FPU code, so the registers are reached here
 * only through inline assembly.
 */
#include "suite.h"

#define FPU_ROUNDS 200

/* What a thread puts into its registers: xmm0-15, one x87 value, MXCSR. */
struct fpu_image {
	uint64_t xmm[32];
	int64_t x87;
	uint32_t mxcsr;
};

static void image_of(struct fpu_image *im, uint64_t seed)
{
	for (unsigned i = 0; i < 32; i++)
		im->xmm[i] = (seed + 1) * 0x9E3779B97F4A7C15ull + i * 0x0101010101010101ull;
	im->x87 = (int64_t)(seed * 1000003 + 17);
	im->mxcsr = (seed & 1) ? 0x7F80 : 0x3F80; /* round toward zero / down: not the default */
}

static void fpu_put(const struct fpu_image *im)
{
	__asm__ volatile("movdqu 0(%0), %%xmm0\n\tmovdqu 16(%0), %%xmm1\n\t"
			 "movdqu 32(%0), %%xmm2\n\tmovdqu 48(%0), %%xmm3\n\t"
			 "movdqu 64(%0), %%xmm4\n\tmovdqu 80(%0), %%xmm5\n\t"
			 "movdqu 96(%0), %%xmm6\n\tmovdqu 112(%0), %%xmm7\n\t"
			 "movdqu 128(%0), %%xmm8\n\tmovdqu 144(%0), %%xmm9\n\t"
			 "movdqu 160(%0), %%xmm10\n\tmovdqu 176(%0), %%xmm11\n\t"
			 "movdqu 192(%0), %%xmm12\n\tmovdqu 208(%0), %%xmm13\n\t"
			 "movdqu 224(%0), %%xmm14\n\tmovdqu 240(%0), %%xmm15\n\t"
			 "fninit\n\tfildq %1\n\tldmxcsr %2"
			 :
			 : "r"(im->xmm), "m"(im->x87), "m"(im->mxcsr)
			 : "memory");
}

/* xmm0-15 into x[0..32). */
static void xmm_get(uint64_t x[32])
{
	__asm__ volatile("movdqu %%xmm0, 0(%0)\n\tmovdqu %%xmm1, 16(%0)\n\t"
			 "movdqu %%xmm2, 32(%0)\n\tmovdqu %%xmm3, 48(%0)\n\t"
			 "movdqu %%xmm4, 64(%0)\n\tmovdqu %%xmm5, 80(%0)\n\t"
			 "movdqu %%xmm6, 96(%0)\n\tmovdqu %%xmm7, 112(%0)\n\t"
			 "movdqu %%xmm8, 128(%0)\n\tmovdqu %%xmm9, 144(%0)\n\t"
			 "movdqu %%xmm10, 160(%0)\n\tmovdqu %%xmm11, 176(%0)\n\t"
			 "movdqu %%xmm12, 192(%0)\n\tmovdqu %%xmm13, 208(%0)\n\t"
			 "movdqu %%xmm14, 224(%0)\n\tmovdqu %%xmm15, 240(%0)"
			 :
			 : "r"(x)
			 : "memory");
}

static void fpu_get(struct fpu_image *im)
{
	xmm_get(im->xmm);
	__asm__ volatile("fistpq %0\n\tstmxcsr %1" : "=m"(im->x87), "=m"(im->mxcsr)::"memory");
}

static bool image_eq(const struct fpu_image *a, const struct fpu_image *b)
{
	for (unsigned i = 0; i < 32; i++)
		if (a->xmm[i] != b->xmm[i])
			return false;
	return a->x87 == b->x87 && a->mxcsr == b->mxcsr;
}

/* Per thread: rounds survived, first round that found its values changed. */
static volatile uint64_t fpu_ok[4], fpu_bad[4];

/* Put its values in, then yield many times (and let other threads run),
 * checking after each that they are still there; the x87 value is popped
 * by the check, so it is pushed again. */
static void keeper_fn(uint64_t id)
{
	struct fpu_image want, got;

	image_of(&want, id);
	for (unsigned r = 0; r < FPU_ROUNDS; r++) {
		fpu_put(&want);
		atoll_yield();
		fpu_get(&got);
		if (!image_eq(&want, &got)) {
			fpu_bad[id] = r + 1;
			return;
		}
		fpu_ok[id] = r + 1;
	}
}

/* A thread that never touches the FPU, yielding among them. */
static volatile uint64_t plain_rounds;
static void plain_fn(uint64_t unused)
{
	for (unsigned r = 0; r < FPU_ROUNDS; r++) {
		plain_rounds = r + 1;
		atoll_yield();
	}
}

static void let_run(void)
{
	atoll_tcb_set_priority(ROOT_TCB, 5);
	atoll_tcb_set_priority(ROOT_TCB, 255);
}

static void t_fpu_private(void)
{
	struct uthread th[3], plain;

	plain_rounds = 0;
	for (unsigned i = 0; i < 3; i++) {
		fpu_ok[i] = fpu_bad[i] = 0;
		REQUIRE_OK(thread_create(&th[i], keeper_fn, i, 50));
	}
	REQUIRE_OK(thread_create(&plain, plain_fn, 0, 50));
	let_run();
	for (unsigned i = 0; i < 3; i++) {
		EXPECT_EQ(fpu_bad[i], 0);
		EXPECT_EQ(fpu_ok[i], FPU_ROUNDS);
	}
	EXPECT_EQ(plain_rounds, FPU_ROUNDS);
}

/* The first FPU use of a thread: all registers zero, MXCSR and the x87
 * control word at their defaults, whatever the thread before it left. */
static volatile uint64_t fresh_nonzero, fresh_mxcsr, fresh_fcw, fresh_done;
static void fresh_fn(uint64_t unused)
{
	uint64_t x[32];
	uint32_t mxcsr;
	uint16_t fcw;

	xmm_get(x);
	__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr), "=m"(fcw)::"memory");
	for (unsigned i = 0; i < 32; i++)
		fresh_nonzero |= x[i];
	fresh_mxcsr = mxcsr;
	fresh_fcw = fcw;
	fresh_done = 1;
}

static volatile uint64_t dirty_done;
static void dirty_fn(uint64_t id)
{
	struct fpu_image im;

	image_of(&im, id + 7);
	fpu_put(&im);
	dirty_done = 1;
	atoll_yield(); /* the fresh thread runs while our values are live */
}

static void t_fpu_fresh_state(void)
{
	struct uthread a, b;

	fresh_nonzero = fresh_mxcsr = fresh_fcw = fresh_done = dirty_done = 0;
	REQUIRE_OK(thread_create(&a, dirty_fn, 0, 50));
	REQUIRE_OK(thread_create(&b, fresh_fn, 0, 50));
	let_run();
	EXPECT_EQ(dirty_done, 1);
	EXPECT_EQ(fresh_done, 1);
	EXPECT_EQ(fresh_nonzero, 0);
	EXPECT_EQ(fresh_mxcsr, 0x1F80);
	EXPECT_EQ(fresh_fcw, 0x037F);
}

/* A thread with FPU state moves from core to core of its cluster between
 * checks, while another FPU thread runs on each of the first two cores.
 * The root task (same priority, round robin) moves it and waits for it. */
static cptr_t mover_go;
static volatile uint64_t mover_round, mover_bad;
static void mover_fn(uint64_t unused)
{
	struct fpu_image want, got;

	image_of(&want, 3);
	for (unsigned r = 0; r < 40; r++) {
		fpu_put(&want);
		atoll_ntfn_wait(mover_go); /* meanwhile the root task moves us */
		fpu_get(&got);
		if (!image_eq(&want, &got))
			mover_bad = r + 1;
		__atomic_store_n(&mover_round, r + 1, __ATOMIC_RELEASE);
		if (mover_bad)
			return;
	}
}

static void t_fpu_moves_between_cores(void)
{
	uint32_t n = suite_bi->core_count;
	/* 30 s of TSC time: under TCG the guest TSC follows the host, and a
	 * loaded 2-core host once left only 3 rounds in 10 s. */
	uint64_t limit = (suite_bi->tsc_hz ? suite_bi->tsc_hz : 1000000000ull) * 30;
	struct uthread mover, keep[2];

	if (n < 2) {
		ut_skip("one core in this cluster");
		return;
	}
	mover_round = mover_bad = 0;
	if (!(mover_go = new_obj(OBJ_NOTIFICATION, 0)))
		return;
	for (unsigned i = 0; i < 2; i++) { /* FPU users on cores 0 and 1 meanwhile */
		fpu_ok[i] = fpu_bad[i] = 0;
		REQUIRE_OK(thread_create_suspended(&keep[i], keeper_fn, i, 40));
		REQUIRE_OK(atoll_tcb_set_affinity(keep[i].tcb, i));
		REQUIRE_OK(atoll_tcb_resume(keep[i].tcb));
	}
	REQUIRE_OK(thread_create(&mover, mover_fn, 0, 40));
	atoll_tcb_set_priority(ROOT_TCB, 40); /* round robin with them on core 0 */
	uint64_t t0 = atoll_rdtsc();
	for (unsigned r = 0; r < 40 && !mover_bad && atoll_rdtsc() - t0 < limit; r++) {
		EXPECT_EQ(atoll_tcb_set_affinity(mover.tcb, (r + 1) % n), E_OK);
		atoll_ntfn_signal(mover_go);
		while (__atomic_load_n(&mover_round, __ATOMIC_ACQUIRE) <= r && atoll_rdtsc() - t0 < limit)
			atoll_yield();
	}
	atoll_tcb_set_priority(ROOT_TCB, 255);
	EXPECT_EQ(mover_bad, 0);
	EXPECT_EQ(mover_round, 40);
	atoll_tcb_suspend(mover.tcb);
	for (unsigned i = 0; i < 2; i++) {
		atoll_tcb_suspend(keep[i].tcb);
		EXPECT_EQ(fpu_bad[i], 0);
	}
}

const struct utest fpu_tests[] = {
	{ "FPU/SSE registers are private to each thread across switches", t_fpu_private },
	{ "a thread's first FPU use finds clean registers, not another thread's", t_fpu_fresh_state },
	{ "FPU state follows a thread that moves between cores", t_fpu_moves_between_cores },
};
const unsigned fpu_tests_count = sizeof(fpu_tests) / sizeof(fpu_tests[0]);
