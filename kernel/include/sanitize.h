/*
 * The sanitizer kernel (atoll-ubsan.elf, docs/sanitizers.md): its UBSan
 * handlers and stack protector (kernel/sanitize/), and what its test modes
 * need of them. None of these functions exists in the plain kernel.
 */
#pragma once
#include "types.h"

/* The one switch: IF_SANITIZE(x) is x in the sanitizer kernel (built with
 * ATOLL_SANITIZE) and nothing in the plain one, whose code stays exactly
 * what it is without this file. */
#ifdef ATOLL_SANITIZE
#define IF_SANITIZE(...) __VA_ARGS__
#define SANITIZE_FAULT_KINDS ", ubsan, ubsan-fatal, stack"
#else
#define IF_SANITIZE(...)
#define SANITIZE_FAULT_KINDS ""
#endif

/* Functions that must not get a canary: the one that sets the guard, and
 * any other that runs while the guard it would check changes. */
#define NO_STACK_PROTECTOR __attribute__((no_stack_protector))

/* The stack-protector guard every canary is compared with (GCC's
 * -mstack-protector-guard=global). One per cluster: it lives in .data. */
extern uintptr_t __stack_chk_guard;
/* Choose the guard; called by boot/entry.asm before kmain. */
void stack_guard_init(void);
/* A new guard for cluster c's copy of .data (smp_boot), chosen before any
 * of c's cores runs. */
uintptr_t stack_guard_fresh(void);
/* Where the guard came from ("RDRAND", ...). */
const char *stack_guard_source(void);
/* One boot line: the checks compiled in and where the guard came from. */
void sanitize_boot_report(void);

/* The last report (for the fault tests). */
struct sanitize_report {
	const char *check; /* "signed-integer-overflow", "stack-protector", ... */
	const char *file;  /* relative to the source tree; NULL if none */
	uint32_t line, column;
	uint32_t count;    /* reports so far */
};

/* Start a report: takes the report lock (one report at a time, machine
 * wide); a report inside a report ends the run at once. */
void sanitize_report_begin(void);
/*
 * End a report that kprintf has printed: unless reports are expected, the
 * run fails (as panic does: a "not ok" line and the verdict). Expected
 * reports are recorded; a recoverable one returns, any other passes the
 * run's test and ends it. file may be NULL.
 */
void sanitize_report_end(const char *check, const char *file, uint32_t line, uint32_t column,
			 bool recoverable);
/* Expect reports (test modes only): record them instead of failing. */
void sanitize_expect(bool on);
const struct sanitize_report *sanitize_last(void);
/* Print the chain of return addresses from frame pointer fp. */
void sanitize_backtrace(uintptr_t fp);

/* Boot self-tests of the sanitizer kernel (in test=boot and test=suite):
 * the guard was chosen, and UBSan is compiled in and reports. */
void sanitize_selftests(void);
/* test=fault:<kind> for the sanitizer's kinds (tests/guest/sanitize_faults.c):
 * runs the kind and ends the run if it is one, else returns. */
void sanitize_fault_run(const char *kind);
