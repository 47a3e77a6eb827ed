/*
 * IPC benchmarks (issue 4, docs/bench.md): what the root task `bench_ipc`
 * and the server program `bench_server` share. Methodology as sel4bench:
 * serialised timestamps, warm-up runs discarded, the timestamp overhead
 * measured with the very same instruction sequence and subtracted.
 */
#pragma once
#include "atoll/process.h"
#include "stats.h"

#define BENCH_WARMUP 32   /* runs discarded before the samples */
#define BENCH_SAMPLES 1000
#define BENCH_RUNS (BENCH_WARMUP + BENCH_SAMPLES)

/* Shared between the timing threads, mapped at the same address in the
 * root task and in every server process. `start` is written by the thread
 * that starts an operation and read by the one that ends it; the two never
 * run at once (one core, strict hand-over), so plain accesses suffice. */
#define BENCH_SHM_VADDR 0x0000000060000000ull
#define BENCH_SHM_PAGES 5
struct bench_shm {
	volatile uint64_t start; /* timestamp taken before the operation in flight */
	volatile uint64_t count; /* samples taken so far (yield) */
	uint64_t a[BENCH_RUNS];  /* Call one-way (server side), Send, Signal, Yield, null */
	uint64_t b[BENCH_RUNS];  /* ReplyRecv one-way (client side) */
};
_Static_assert(sizeof(struct bench_shm) <= BENCH_SHM_PAGES * 4096, "shm fits its pages");
#define BENCH_SHM ((struct bench_shm *)(uintptr_t)BENCH_SHM_VADDR)

/* What a server does (bench_serve): the spawn argument of bench_server is
 * mode | words << 8 | rdtscp << 16. */
enum bench_mode {
	BENCH_SERVE_CALL = 1, /* Recv, then ReplyRecv `words` words forever; a[i] = Call one-way */
	BENCH_SERVE_RECV = 2, /* Recv forever; a[i] = Send one-way */
};
#define BENCH_ARG(mode, words, rdtscp) ((uint64_t)(mode) | (uint64_t)(words) << 8 | (uint64_t)(rdtscp) << 16)
/* A server process's capabilities (given by the root task). */
#define BENCH_SLOT_EP PROC_SLOT_GIVEN
#define BENCH_SLOT_REPLY (PROC_SLOT_GIVEN + 1)

/* End timestamps with RDTSCP (else lfence; rdtsc). Set before timing. */
extern bool bench_rdtscp;

/* Start of an operation: `lfence; rdtsc` (earlier instructions are done
 * before the read), the value stored to *slot. One asm block, so every
 * measurement and the overhead loop run the same instructions. */
static inline void ts_start_to(volatile uint64_t *slot)
{
	__asm__ volatile("lfence\n\trdtsc\n\tshl $32, %%rdx\n\tor %%rdx, %%rax\n\tmov %%rax, (%0)"
			 :
			 : "r"(slot)
			 : "rax", "rdx", "memory");
}

/* End of an operation: `rdtscp; lfence` (the read waits for the operation,
 * later instructions wait for the read), else `lfence; rdtsc; lfence`. The
 * choice is made inside the asm block, so its code is the same at every
 * use (under icount each instruction counts). */
static inline uint64_t ts_end(void)
{
	uint64_t lo, hi;

	__asm__ volatile("cmpb $0, bench_rdtscp(%%rip)\n\t"
			 "je 1f\n\t"
			 "rdtscp\n\t"
			 "lfence\n\t"
			 "jmp 2f\n"
			 "1:\tlfence\n\t"
			 "rdtsc\n\t"
			 "lfence\n"
			 "2:"
			 : "=a"(lo), "=d"(hi)
			 :
			 : "rcx", "memory", "cc");
	return hi << 32 | lo;
}

/* The least of BENCH_SAMPLES back-to-back timestamp pairs (after the
 * warm-up), taken through *slot as every measurement does; x is scratch. */
uint64_t bench_timestamp_overhead(volatile uint64_t *slot, uint64_t x[BENCH_RUNS]);

/* The server side of a Call/ReplyRecv or Send case; never returns. */
__attribute__((noreturn)) void bench_serve(struct bench_shm *s, cptr_t ep, cptr_t reply,
					   enum bench_mode mode, unsigned words);
