/*
 * In-kernel test reporting in the harness's TAP form: "ok N - name" or
 * "not ok N - name" per test, then "N passed, M failed", then the verdict
 * to the emulator. Used by the boot self-tests and the test= modes.
 */
#pragma once
#include "types.h"

void ktest_begin(const char *suite);
bool ktest_active(void);
/* Record one result; returns ok. */
bool ktest_result(bool ok, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Results so far (handed to the root task, which continues the count). */
void ktest_counts(uint32_t *passed, uint32_t *failed);
/* The next panic whose message begins with `prefix` is what the running
 * test expects (it reports `what` as passed, and the run ends). */
void ktest_expect_panic(const char *prefix, const char *what);
/* A panic in a test run: expected (a pass) or not (a failure). */
void ktest_panicked(const char *msg);
/* Print the summary line and leave with the verdict. */
NORETURN void ktest_finish(void);

/* Whether test=<mode> is run by the kernel itself (boot, fault:<kind>);
 * other modes are for the root task. */
bool ktest_is_kernel_mode(const char *mode);
/* Run a kernel test mode (boot suite, fault:<kind>). */
NORETURN void ktest_run_mode(const char *mode);
/* The boot self-test suite (tests/guest/boot_suite.c). */
void boot_suite_run(void);
/* test=kcheck: the invariant checker's self-tests (tests/guest/kcheck_suite.c):
 * builds cluster 0's root task, breaks each invariant on purpose and sees
 * the checker report exactly that one. */
struct kernel_boot;
NORETURN void kcheck_suite_run(struct kernel_boot *kb);
