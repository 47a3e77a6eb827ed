/* The in-guest test suite run by the root task under test=suite. */
#pragma once
#include "atoll/thread.h"
#include "atoll/utest.h"

extern struct abi_bootinfo *suite_bi;

/* Each file contributes a table. */
extern const struct utest caps_tests[];
extern const unsigned caps_tests_count;
extern const struct utest ipc_tests[];
extern const unsigned ipc_tests_count;
extern const struct utest irq_tests[];
extern const unsigned irq_tests_count;
extern const struct utest fault_tests[];
extern const unsigned fault_tests_count;
extern const struct utest sys_tests[];
extern const unsigned sys_tests_count;
extern const struct utest fuzz_tests[];
extern const unsigned fuzz_tests_count;
extern const struct utest process_tests[];
extern const unsigned process_tests_count;
extern const struct utest fpu_tests[];
extern const unsigned fpu_tests_count;
extern const struct utest isolation_tests[];
extern const unsigned isolation_tests_count;
extern const struct utest hostile_tests[];
extern const unsigned hostile_tests_count;
extern const struct utest entry_tests[];
extern const unsigned entry_tests_count;
extern const struct utest long_tests[];
extern const unsigned long_tests_count;

/* Helpers: a new object (test fails and returns 0 on error). */
cptr_t new_obj(uint64_t type, uint64_t size_bits);
/* Whether the space-separated list cmd holds the word (main.c). */
bool cmdline_has(const char *cmd, const char *word);

/* Device capabilities (IRQ control, I/O ports) belong to cluster 0 only. */
static inline bool suite_has_devices(void)
{
	return suite_bi->cluster_id == 0;
}

/* Watchdogs (bounded.c): fn(arg) runs in a thread at BOUNDED_PRIO beside a
 * watchdog at the same priority while the root task waits; true if it
 * finished within ms milliseconds (else the worker is suspended where it
 * was). ms_ticks: TSC ticks in ms milliseconds. */
#define BOUNDED_PRIO 250
bool run_bounded(void (*fn)(uint64_t), uint64_t arg, uint64_t ms);
uint64_t ms_ticks(uint64_t ms);
