/* TAP reporting for in-kernel tests, and the test= modes. */
#include "arch/arch.h"
#include "console.h"
#include "kcheck.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "panic.h"
#include "sanitize.h"

/* Per cluster (copied .bss): the kernel self-tests, run at boot by one core. */
static struct {
	bool active;
	unsigned passed, failed;
	uint64_t expect_vector; /* test=fault:<kind>: the exception we cause */
	bool expect_fault;
	const char *panic_prefix, *panic_what; /* a panic a test causes on purpose */
} kt;

void ktest_begin(const char *suite)
{
	kt.active = true;
	kprintf("# test suite: %s\n", suite);
}

bool ktest_active(void)
{
	return kt.active;
}

bool ktest_result(bool ok, const char *fmt, ...)
{
	va_list ap;

	console_lock();
	kprintf("%s %u - ", ok ? "ok" : "not ok", kt.passed + kt.failed + 1);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	console_unlock();
	if (ok)
		kt.passed++;
	else
		kt.failed++;
	return ok;
}

void ktest_counts(uint32_t *passed, uint32_t *failed)
{
	*passed = kt.passed;
	*failed = kt.failed;
}

void ktest_expect_panic(const char *prefix, const char *what)
{
	kt.panic_prefix = prefix;
	kt.panic_what = what;
}

void ktest_panicked(const char *msg)
{
	if (kt.panic_prefix && strncmp(msg, kt.panic_prefix, strlen(kt.panic_prefix)) == 0)
		ktest_result(true, "%s", kt.panic_what);
	else
		ktest_result(false, "kernel panicked");
	kt.panic_prefix = NULL;
}

NORETURN void ktest_finish(void)
{
	kcheck_finish(); /* kcheck=on: the last full check and the counts */
	kprintf("%u passed, %u failed\n", kt.passed, kt.failed);
	arch_exit(kt.failed == 0 && kt.passed > 0, true);
}

/*
 * test=fault:<kind> deliberately faults in the kernel to show the exception
 * report; the report is followed by kernel_fatal_trap(), which checks that
 * the vector is the one caused and ends the run.
 */
struct fault_kind {
	const char *name;
	uint64_t vector;
	void (*cause)(void);
};

/* Addresses kept in volatiles so the compiler cannot reason about them. */
static volatile uintptr_t null_addr = 0x10, noncanonical_addr = 0x8000000000000000ull;
static volatile uint64_t recurse_limit = ~0ull;

static void cause_pf(void)
{
	*(volatile uint64_t *)null_addr = 1; /* page 0 is never mapped */
}

static void cause_ud(void)
{
	__builtin_trap();
}

static void cause_de(void)
{
	arch_divide_error(); /* a C division by zero would be undefined behaviour */
}

static void cause_gp(void)
{
	*(volatile uint64_t *)noncanonical_addr = 1;
}

static uint64_t cause_df_recurse(uint64_t depth)
{
	volatile uint8_t pad[512];

	pad[0] = (uint8_t)depth;
	if (depth < recurse_limit)
		return cause_df_recurse(depth + 1) + pad[0]; /* not a tail call */
	return pad[0];
}

static void cause_df(void)
{
	/* Run off the boot stack into its unmapped guard page: the #PF cannot
	 * push its frame there, so the CPU raises #DF, which runs on its own
	 * IST stack. */
	cause_df_recurse(0);
}

static const struct fault_kind faults[] = {
	{ "pf", 14, cause_pf }, { "ud", 6, cause_ud }, { "de", 0, cause_de },
	{ "gp", 13, cause_gp }, { "df", 8, cause_df }, { "mc", 18, arch_machine_check_test },
};

NORETURN void kernel_fatal_trap(uint64_t vector)
{
	if (!kt.active) {
		kprintf("Atoll halted after a fatal exception.\n");
		arch_exit(false, false);
	}
	if (kt.expect_fault)
		ktest_result(vector == kt.expect_vector,
			     "deliberate fault: vector %llu reported (expected %llu)",
			     (unsigned long long)vector, (unsigned long long)kt.expect_vector);
	else
		ktest_result(false, "unexpected exception, vector %llu", (unsigned long long)vector);
	ktest_finish();
}

static NORETURN void run_fault(const char *kind)
{
	ktest_begin("fault");
	IF_SANITIZE(sanitize_fault_run(kind)); /* ubsan, ubsan-fatal, stack; returns for others */
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (strcmp(kind, faults[i].name) == 0) {
			kt.expect_fault = true;
			kt.expect_vector = faults[i].vector;
			kprintf("# causing a deliberate kernel fault: %s\n", kind);
			faults[i].cause();
			ktest_result(false, "fault:%s did not fault", kind);
			ktest_finish();
		}
	}
	ktest_result(false, "unknown fault kind '%s' (pf, ud, de, gp, df" SANITIZE_FAULT_KINDS ")", kind);
	ktest_finish();
}

bool ktest_is_kernel_mode(const char *mode)
{
	return strcmp(mode, "boot") == 0 || strncmp(mode, "fault:", 6) == 0;
}

NORETURN void ktest_run_mode(const char *mode)
{
	if (strcmp(mode, "boot") == 0) {
		ktest_begin("boot");
		boot_suite_run();
		ktest_finish();
	}
	if (strncmp(mode, "fault:", 6) == 0)
		run_fault(mode + 6);
	ktest_begin(mode);
	ktest_result(false, "unknown kernel test mode '%s' (boot, fault:<kind>)", mode);
	ktest_finish();
}
