/* The bench root task (bench_ipc): its cases and its report. */
#pragma once
#include "bench.h"

/* The cases, in the order they run and are printed (docs/bench.md). */
enum bench_case {
	CASE_NULL_SYSCALL,
	CASE_CALL_INTRA,
	CASE_REPLYRECV_INTRA,
	CASE_CALL_INTER,
	CASE_REPLYRECV_INTER,
	CASE_CALL_INTER_4W,
	CASE_CALL_INTER_10W,
	CASE_REPLYRECV_INTER_10W,
	CASE_SEND_LOW_TO_HIGH,
	CASE_SIGNAL_WAIT,
	CASE_YIELD,
	CASE_COUNT,
};

extern const char *const bench_case_name[CASE_COUNT];

/* One run's facts, for the report. */
struct bench_run {
	bool icount;                 /* bench=ipc-icount: QEMU icount instructions */
	uint64_t tsc_hz;
	const char *cpu_brand;
	uint32_t cores;              /* in the (one) cluster */
	uint64_t overhead;           /* timestamp pair, subtracted from every sample */
	struct bench_stats st[CASE_COUNT];
};

/* Measure every case into run->st (root task, allocators ready); a setup
 * error ends the run with a message. */
void bench_run_all(struct bench_run *run);
/* Print one result as a `BENCH {...}` JSON line. */
void bench_print_json(const struct bench_run *run, enum bench_case c);
/* Print the L4 IPC table and the targets. */
void bench_print_report(const struct bench_run *run);
/* The cross-cluster cases (bench/xcluster.c): cluster 0 measures and
 * prints, cluster 1 echoes; never returns on cluster 1. */
void bench_xcluster(const struct abi_bootinfo *bi, bool icount);
/* Print "bench: <what>: error N" and end the run (verdict fail). */
__attribute__((noreturn)) void bench_fail(const char *what, uint64_t err);
