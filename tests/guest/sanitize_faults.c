/*
 * test=fault:<kind> cases of the sanitizer kernel (atoll-ubsan.elf only):
 *
 *   fault:ubsan        every UBSan handler: each case does one kind of
 *                      undefined behaviour with reports expected, and checks
 *                      that exactly one report came, of that check, naming
 *                      this file and the line; the last one
 *                      (__builtin_unreachable) ends the run
 *   fault:ubsan-fatal  one signed overflow with no report expected: the
 *                      run must fail with that report (the CTest case
 *                      wants the fail verdict and the "not ok" line)
 *   fault:stack        a buffer overrun over its function's canary: the
 *                      stack protector reports it and ends the run
 *
 * and two boot self-tests (sanitize_selftests): the guard was chosen, and
 * one expected report comes.
 *
 * Operands come from volatiles so that the compiler can neither fold the
 * undefined operation away nor warn about it.
 */
#include "arch/trap.h"
#include "console.h"
#include "kstring.h"
#include "ktest.h"
#include "sanitize.h"

#define THIS_FILE "tests/guest/sanitize_faults.c"
#define NO_TRAP (~0ull)
#define NOINLINE __attribute__((noinline))

static volatile int int_max = __INT_MAX__, int_min = -__INT_MAX__ - 1, zero, one = 1, minus_one = -1;
static volatile int big_shift = 40, negative = -1;
static volatile unsigned uzero;
static volatile uintptr_t null_ptr, near_top = ~(uintptr_t)0 - 8;
static volatile uintptr_t sink;
static volatile uint8_t not_a_bool = 2;
static struct {
	int a[4];
	int after;
} four;
static uint8_t two_bytes[2] __attribute__((aligned(8)));
static uint8_t eight_bytes[16] __attribute__((aligned(8)));
static uint32_t expect_line; /* the line of the undefined operation */

#define AT_NEXT_LINE() (expect_line = __LINE__ + 1)

static void add(void)
{
	AT_NEXT_LINE();
	sink = (uintptr_t)(int_max + one);
}

static void sub(void)
{
	AT_NEXT_LINE();
	sink = (uintptr_t)(int_min - one);
}

static void mul(void)
{
	AT_NEXT_LINE();
	sink = (uintptr_t)(int_max * 2);
}

static void negate(void)
{
	AT_NEXT_LINE();
	sink = (uintptr_t)-int_min;
}

/* After the report the division runs and raises #DE (caught). */
static void div_zero(void)
{
	AT_NEXT_LINE();
	sink = (uintptr_t)(one / zero);
}

static void div_overflow(void)
{
	AT_NEXT_LINE();
	sink = (uintptr_t)(int_min / minus_one);
}

static void shift_exponent(void)
{
	AT_NEXT_LINE();
	sink = (uintptr_t)(one << big_shift);
}

static void shift_negative_exponent(void)
{
	AT_NEXT_LINE();
	sink = (uintptr_t)(one << negative);
}

static void shift_base(void)
{
	AT_NEXT_LINE();
	sink = (uintptr_t)(negative << 1);
}

/* a[4] is still inside the struct: only the bounds check objects. */
static void bounds(void)
{
	int i = 4 * one;

	AT_NEXT_LINE();
	sink = (uintptr_t)four.a[i];
}

/* After the report the load runs and raises #PF (caught). */
static void null_load(void)
{
	AT_NEXT_LINE();
	sink = *(const volatile int *)null_ptr;
}

static void misaligned(void)
{
	const uint8_t *p = eight_bytes + one;

	AT_NEXT_LINE();
	sink = *(const uint32_t *)p;
}

/* The object-size check needs the compiler to know the object, so it
 * knows too and warns: the warning is the point here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
static void object_size(void)
{
	AT_NEXT_LINE();
	sink = *(const volatile uint64_t *)two_bytes;
}
#pragma GCC diagnostic pop

static void invalid_bool(void)
{
	bool b;

	memcpy(&b, (const void *)&not_a_bool, 1);
	AT_NEXT_LINE();
	sink = b ? 1 : 2;
}

static NOINLINE __attribute__((nonnull(1))) void takes_nonnull(const int *p)
{
	sink = (uintptr_t)p;
}

static void nonnull_arg(void)
{
	AT_NEXT_LINE();
	takes_nonnull((const int *)null_ptr);
}

static NOINLINE __attribute__((returns_nonnull)) int *gives_nonnull(void)
{
	AT_NEXT_LINE();
	return (int *)null_ptr;
}

static void nonnull_return(void)
{
	sink = (uintptr_t)gives_nonnull();
}

static void vla_bound(void)
{
	int n = zero;

	AT_NEXT_LINE();
	char vla[n];
	sink = (uintptr_t)vla;
}

static void pointer_wrap(void)
{
	const char *p = (const char *)near_top;

	AT_NEXT_LINE();
	sink = (uintptr_t)(p + 16 * one);
}

static void ctz_zero(void)
{
	AT_NEXT_LINE();
	sink = (uintptr_t)__builtin_ctz(uzero);
}

static void clz_zero(void)
{
	AT_NEXT_LINE();
	sink = (uintptr_t)__builtin_clzll(uzero);
}

static void unreachable(void)
{
	AT_NEXT_LINE();
	if (one)
		__builtin_unreachable();
}

struct ub_case {
	const char *name, *check;
	void (*cause)(void);
	uint64_t trap; /* what the operation itself raises after the report */
};

static const struct ub_case cases[] = {
	{ "int + int overflow", "signed-integer-overflow", add, NO_TRAP },
	{ "int - int overflow", "signed-integer-overflow", sub, NO_TRAP },
	{ "int * int overflow", "signed-integer-overflow", mul, NO_TRAP },
	{ "-INT_MIN", "signed-integer-overflow", negate, NO_TRAP },
	{ "division by zero", "integer-divide-by-zero", div_zero, VEC_DE },
	{ "INT_MIN / -1", "signed-integer-overflow", div_overflow, VEC_DE },
	{ "shift by 40 of an int", "shift-exponent", shift_exponent, NO_TRAP },
	{ "shift by -1", "shift-exponent", shift_negative_exponent, NO_TRAP },
	{ "left shift of -1", "shift-base", shift_base, NO_TRAP },
	{ "index 4 of int a[4]", "bounds", bounds, NO_TRAP },
	{ "load through NULL", "null", null_load, VEC_PF },
	{ "misaligned uint32_t load", "alignment", misaligned, NO_TRAP },
	{ "uint64_t load from a 2-byte object", "object-size", object_size, NO_TRAP },
	{ "bool holding 2", "bool", invalid_bool, NO_TRAP },
	{ "NULL for a nonnull argument", "nonnull-attribute", nonnull_arg, NO_TRAP },
	{ "NULL from a returns_nonnull function", "returns-nonnull-attribute", nonnull_return, NO_TRAP },
	{ "VLA of length 0", "vla-bound", vla_bound, NO_TRAP },
	{ "pointer arithmetic wrapping", "pointer-overflow", pointer_wrap, NO_TRAP },
	{ "__builtin_ctz(0)", "builtin", ctz_zero, NO_TRAP },
	{ "__builtin_clzll(0)", "builtin", clz_zero, NO_TRAP },
};

/* Run one case: exactly one report, of the expected check, here. */
static void run_case(const struct ub_case *c)
{
	uint32_t before = sanitize_last()->count;
	const struct sanitize_report *r;
	bool trapped = true;

	if (c->trap == NO_TRAP)
		c->cause();
	else
		trapped = trap_probe(c->trap, c->cause, NULL);
	r = sanitize_last();
	ktest_result(r->count == before + 1 && strcmp(r->check, c->check) == 0 && r->file &&
			     strcmp(r->file, THIS_FILE) == 0 && r->line == expect_line && r->column > 0 &&
			     trapped,
		     "UBSan reports %s as %s at %s:%u (got %u report%s: %s at %s:%u:%u%s)", c->name, c->check,
		     THIS_FILE, expect_line, r->count - before, r->count - before == 1 ? "" : "s",
		     r->count > before ? r->check : "-", r->file ? r->file : "-", r->line, r->column,
		     trapped ? "" : "; the trap after it was not taken");
}

static NORETURN void run_ubsan(void)
{
	sanitize_expect(true);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	/* builtin_unreachable never returns: its report ends the run. */
	kprintf("# __builtin_unreachable() reached: the report ends the run\n");
	unreachable();
	ktest_result(false, "__builtin_unreachable() returned");
	ktest_finish();
}

static NORETURN void run_ubsan_fatal(void)
{
	kprintf("# a signed overflow with no report expected: this run must fail\n");
	add();
	ktest_result(false, "the UBSan report did not stop the run");
	ktest_finish();
}

/* Words past buf to overwrite: GCC puts a protected function's arrays right
 * below its canary, so the first is the canary; the second is slack. */
static volatile size_t overrun = 16;

/* Write past buf: the pointer goes through an empty asm so that neither
 * the bounds nor the object-size check knows what it points into, and
 * only the stack protector can catch the overrun. */
static NOINLINE void smash(void)
{
	char buf[16];
	char *p = buf;

	__asm__("" : "+r"(p));
	for (size_t i = 0; i < sizeof(buf) + overrun; i++)
		p[i] = 0x5a;
	__asm__ volatile("" ::"r"(p) : "memory");
}

static NORETURN void run_stack(void)
{
	sanitize_expect(true);
	kprintf("# overrunning a stack buffer over its canary\n");
	smash();
	ktest_result(false, "the overrun canary was not noticed");
	ktest_finish();
}

void sanitize_selftests(void)
{
	const struct sanitize_report *r = sanitize_last();
	uint32_t before = r->count;

	ktest_result(__stack_chk_guard != 0 && (__stack_chk_guard & 0xff) == 0,
		     "stack-protector guard chosen at boot (%s), low byte zero", stack_guard_source());
	kprintf("# an expected UBSan report follows\n");
	sanitize_expect(true);
	add();
	sanitize_expect(false);
	ktest_result(r->count == before + 1 && strcmp(r->check, "signed-integer-overflow") == 0 &&
			     r->line == expect_line,
		     "UBSan is compiled in and reports (signed overflow at line %u)", expect_line);
}

void sanitize_fault_run(const char *kind)
{
	if (strcmp(kind, "ubsan") == 0)
		run_ubsan();
	if (strcmp(kind, "ubsan-fatal") == 0)
		run_ubsan_fatal();
	if (strcmp(kind, "stack") == 0)
		run_stack();
}
