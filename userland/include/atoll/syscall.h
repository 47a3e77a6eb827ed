/*
 * System-call stubs (ABI: docs/abi.md). rax = number, rdi = capability
 * address, rsi = message info, rdx = reply object, MR0-3 in r10, r8, r9,
 * r12; SYSCALL clobbers rcx and r11.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/abi.h"

typedef uint64_t cptr_t;

struct ipc_result {
	uint64_t err;   /* rax */
	uint64_t badge; /* rdi */
	uint64_t info;  /* rsi */
	uint64_t mr[4];
};

/* The full register interface: every ABI register in and out. */
static inline struct ipc_result atoll_call6(uint64_t no, cptr_t cap, uint64_t info, cptr_t reply,
					  uint64_t mr0, uint64_t mr1, uint64_t mr2, uint64_t mr3)
{
	register uint64_t r10 __asm__("r10") = mr0;
	register uint64_t r8 __asm__("r8") = mr1;
	register uint64_t r9 __asm__("r9") = mr2;
	register uint64_t r12 __asm__("r12") = mr3;
	uint64_t rax = no, rdi = cap, rsi = info, rdx = reply;

	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9),
			   "+r"(r12)
			 :
			 : "rcx", "r11", "memory");
	return (struct ipc_result){ rax, rdi, rsi, { r10, r8, r9, r12 } };
}

/* The debug calls name a debug capability `dbg` (ROOT_DEBUG in a root
 * task; the runtime's own output uses atoll_debug_cap). Write right: print
 * len <= DEBUG_PUTS_MAX bytes at s (longer: E_RANGE_ERROR, nothing
 * printed; puts_raw splits). */
static inline uint64_t atoll_debug_puts(cptr_t dbg, const char *s, uint64_t len)
{
	return atoll_call6(SYS_DEBUG_PUTS, dbg, 0, 0, (uint64_t)(uintptr_t)s, len, 0, 0).err;
}

/* The same with DEBUG_PUTS flags (DEBUG_PUTS_SERIAL_ONLY: not on the screen). */
static inline uint64_t atoll_debug_puts_flags(cptr_t dbg, const char *s, uint64_t len, uint64_t flags)
{
	return atoll_call6(SYS_DEBUG_PUTS, dbg, 0, 0, (uint64_t)(uintptr_t)s, len, flags, 0).err;
}

/* Grant right: end the whole run with `verdict` (0 = pass). Returns only
 * if it could not (the error). */
static inline uint64_t atoll_debug_exit(cptr_t dbg, uint64_t verdict)
{
	return atoll_call6(SYS_DEBUG_EXIT, dbg, 0, 0, verdict, 0, 0, 0).err;
}

/* Read right: this cluster's core `core`: its counters into the IPC buffer:
 * words 0-3 kernel-lock acquisitions, contended ones, wait and hold cycles
 * (kept with lockstats=on), 4-5 IPIs sent and received, 6 timer ticks, 7
 * thread switches, 8-9 (entrystats=on) its longest kernel entry and longest
 * wait for the kernel lock in TSC ticks, 10-11 the cluster's preemptions of
 * long operations and those an interrupt caused; *here = the core the
 * caller runs on. With `reset` (needs the write right too) words 0-5
 * restart from 0 afterwards. */
static inline uint64_t atoll_debug_stats(cptr_t dbg, uint64_t core, bool reset, uint64_t *here)
{
	struct ipc_result r = atoll_call6(SYS_DEBUG_STATS, dbg, 0, 0, core, reset, 0, 0);
	if (here && r.err == E_OK)
		*here = r.badge;
	return r.err;
}

/* Read and write rights: have the kernel print this cluster's longest
 * kernel entry (entrystats=on) on its console, the line a test run ends
 * with. */
static inline uint64_t atoll_debug_entry_report(cptr_t dbg)
{
	return atoll_call6(SYS_DEBUG_STATS, dbg, 0, 0, 0, 2, 0, 0).err;
}

static inline uint64_t atoll_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void atoll_yield(void)
{
	atoll_call6(SYS_YIELD, 0, 0, 0, 0, 0, 0, 0);
}
