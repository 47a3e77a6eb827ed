/*
 * The sanitizer kernel's UBSan runtime: one handler for every
 * __ubsan_handle_* that GCC 12 emits for C with -fsanitize=undefined, in
 * both its recoverable and its _abort form. Each prints one report (the
 * check, file:line:column, the values involved, the return addresses) and
 * fails the run as panic does; the test modes may instead expect reports
 * (sanitize_expect), which are then recorded and the handler returns.
 *
 * The descriptor layouts are the ABI GCC shares with LLVM's compiler-rt.
 * This file is compiled without instrumentation (a report inside a report).
 */
#include "arch/arch.h"
#include "arch/cpu.h"
#include "console.h"
#include "ktest.h"
#include "kstring.h"
#include "layout.h"
#include "sanitize.h"

#ifndef ATOLL_SRC_ROOT
#define ATOLL_SRC_ROOT ""
#endif

struct source_location {
	const char *file;
	uint32_t line, column;
};

/* kind 0: integer, info bit 0 = signed, info >> 1 = log2(width in bits). */
struct type_descriptor {
	uint16_t kind, info;
	char name[];
};
#define TK_INTEGER 0

struct overflow_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

struct shift_data {
	struct source_location loc;
	const struct type_descriptor *lhs_type, *rhs_type;
};

struct out_of_bounds_data {
	struct source_location loc;
	const struct type_descriptor *array_type, *index_type;
};

struct type_mismatch_data {
	struct source_location loc;
	const struct type_descriptor *type;
	uint8_t log_alignment, type_check_kind;
};

struct invalid_value_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

struct nonnull_arg_data {
	struct source_location loc, attr_loc;
	int arg_index;
};

struct nonnull_return_data {
	struct source_location attr_loc;
};

struct vla_bound_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

struct pointer_overflow_data {
	struct source_location loc;
};

struct invalid_builtin_data {
	struct source_location loc;
	uint8_t kind; /* 0: ctz, 1: clz */
};

struct unreachable_data {
	struct source_location loc;
};

/* --- reports: one at a time, machine wide --- */

/* 1 + APIC id of the core printing a report, 0 = none: shared by every
 * cluster, so that two reports never interleave. */
static uint32_t report_owner KSHARED;

/* Per cluster (copied .bss): written by the holder of report_owner. */
static struct {
	bool expect;
	struct sanitize_report last;
} san;

void sanitize_report_begin(void)
{
	static const char nested[] = "\nSANITIZER: a report inside a report; stopping\n";
	uint32_t me = arch_lapic_id() + 1, free = 0;

	if (__atomic_load_n(&report_owner, __ATOMIC_RELAXED) == me) {
		arch_serial_write(nested, sizeof(nested) - 1);
		arch_exit(false, false);
	}
	while (!__atomic_compare_exchange_n(&report_owner, &free, me, false, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		/* Another core is reporting, and will end the run. */
		free = 0;
		__builtin_ia32_pause();
	}
	console_lock();
}

static const char *relative(const char *file)
{
	size_t n = strlen(ATOLL_SRC_ROOT);

	if (file && n && strncmp(file, ATOLL_SRC_ROOT, n) == 0)
		return file + n;
	return file;
}

void sanitize_report_end(const char *check, const char *file, uint32_t line, uint32_t column,
			 bool recoverable)
{
	file = relative(file);
	san.last = (struct sanitize_report){ check, file, line, column, san.last.count + 1 };
	console_unlock();
	if (san.expect) {
		__atomic_store_n(&report_owner, 0, __ATOMIC_RELEASE);
		if (recoverable)
			return;
		ktest_result(true, "%s report ends the run", check);
		ktest_finish();
	}
	if (ktest_active()) {
		if (file)
			ktest_result(false, "UBSan: %s at %s:%u:%u", check, file, line, column);
		else
			ktest_result(false, "sanitizer: %s", check);
		ktest_finish();
	}
	kprintf("Atoll halted: the sanitizer found a bug (%s).\n", check);
	arch_exit(false, false);
}

void sanitize_expect(bool on)
{
	san.expect = on;
}

const struct sanitize_report *sanitize_last(void)
{
	return &san.last;
}

void sanitize_backtrace(uintptr_t fp)
{
	kprintf("  return addresses (addr2line -e build/kernel/atoll-ubsan.elf):");
	/* Before the boot core has a struct cpu, stack bounds are unknown. */
	for (int depth = 0; depth < 12 && boot_cpu.self; depth++) {
		if (fp & 7 || !cpu_stack_contains(fp, fp + 16))
			break;
		uintptr_t ret = ((const uintptr_t *)fp)[1];
		if (ret < (uintptr_t)__text_start || ret >= (uintptr_t)__text_end)
			break;
		kprintf(" %#llx", (unsigned long long)ret);
		fp = ((const uintptr_t *)fp)[0];
	}
	kprintf("\n");
}

/* --- values --- */

static unsigned int_width(const struct type_descriptor *t)
{
	return 1u << (t->info >> 1);
}

static bool is_signed(const struct type_descriptor *t)
{
	return t->kind == TK_INTEGER && (t->info & 1);
}

/* Integers up to 64 bits travel in the handle itself; wider ones by pointer. */
static bool inline_int(const struct type_descriptor *t)
{
	return t->kind == TK_INTEGER && int_width(t) <= 64;
}

static int64_t sval(const struct type_descriptor *t, uintptr_t v)
{
	unsigned extra = 64 - int_width(t);

	return (int64_t)((uint64_t)v << extra) >> extra;
}

static bool is_negative(const struct type_descriptor *t, uintptr_t v)
{
	return inline_int(t) && is_signed(t) && sval(t, v) < 0;
}

static void print_value(const struct type_descriptor *t, uintptr_t v)
{
	if (!inline_int(t))
		kprintf("<%s value>", t->kind == TK_INTEGER ? "wide integer" : "non-integer");
	else if (is_signed(t))
		kprintf("%lld", (long long)sval(t, v));
	else
		kprintf("%llu", (unsigned long long)v);
}

/* The handler's frame pointer: its return addresses are the report's
 * (per cluster, copied .bss; set by the report lock's holder only). */
static uintptr_t report_fp;

/* The header line: "UBSAN: <check> at <file>:<line>:<col>". */
static void header(const char *check, const struct source_location *loc, uintptr_t fp)
{
	sanitize_report_begin();
	report_fp = fp;
	kprintf("\nUBSAN: %s at %s:%u:%u\n  ", check, loc->file ? relative(loc->file) : "?", loc->line,
		loc->column);
}

static void finish(const char *check, const struct source_location *loc, bool recoverable)
{
	kprintf("\n");
	sanitize_backtrace(report_fp);
	sanitize_report_end(check, loc->file, loc->line, loc->column, recoverable);
}

/* --- the handlers --- */

static void overflow(const struct overflow_data *d, uintptr_t lhs, uintptr_t rhs, char op, bool recover, uintptr_t fp)
{
	const char *check = is_signed(d->type) ? "signed-integer-overflow" : "unsigned-integer-overflow";

	header(check, &d->loc, fp);
	print_value(d->type, lhs);
	kprintf(" %c ", op);
	print_value(d->type, rhs);
	kprintf(" cannot be represented in type %s", d->type->name);
	finish(check, &d->loc, recover);
}

static void negate(const struct overflow_data *d, uintptr_t old, bool recover, uintptr_t fp)
{
	header("signed-integer-overflow", &d->loc, fp);
	kprintf("negation of ");
	print_value(d->type, old);
	kprintf(" cannot be represented in type %s", d->type->name);
	finish("signed-integer-overflow", &d->loc, recover);
}

static void divrem(const struct overflow_data *d, uintptr_t lhs, uintptr_t rhs, bool recover, uintptr_t fp)
{
	bool by_zero = inline_int(d->type) && (is_signed(d->type) ? sval(d->type, rhs) == 0 : rhs == 0);
	const char *check = by_zero ? "integer-divide-by-zero" : "signed-integer-overflow";

	header(check, &d->loc, fp);
	if (by_zero) {
		kprintf("division of ");
		print_value(d->type, lhs);
		kprintf(" by zero");
	} else {
		kprintf("division of ");
		print_value(d->type, lhs);
		kprintf(" by ");
		print_value(d->type, rhs);
		kprintf(" cannot be represented in type %s", d->type->name);
	}
	finish(check, &d->loc, recover);
}

static void shift(const struct shift_data *d, uintptr_t lhs, uintptr_t rhs, bool recover, uintptr_t fp)
{
	bool exponent = is_negative(d->rhs_type, rhs) ||
			(inline_int(d->rhs_type) && rhs >= int_width(d->lhs_type));
	const char *check = exponent ? "shift-exponent" : "shift-base";

	header(check, &d->loc, fp);
	if (is_negative(d->rhs_type, rhs)) {
		kprintf("shift exponent ");
		print_value(d->rhs_type, rhs);
		kprintf(" is negative");
	} else if (exponent) {
		kprintf("shift exponent ");
		print_value(d->rhs_type, rhs);
		kprintf(" is too large for %u-bit type %s", int_width(d->lhs_type), d->lhs_type->name);
	} else if (is_negative(d->lhs_type, lhs)) {
		kprintf("left shift of negative value ");
		print_value(d->lhs_type, lhs);
	} else {
		kprintf("left shift of ");
		print_value(d->lhs_type, lhs);
		kprintf(" by ");
		print_value(d->rhs_type, rhs);
		kprintf(" places cannot be represented in type %s", d->lhs_type->name);
	}
	finish(check, &d->loc, recover);
}

static void out_of_bounds(const struct out_of_bounds_data *d, uintptr_t index, bool recover, uintptr_t fp)
{
	header("bounds", &d->loc, fp);
	kprintf("index ");
	print_value(d->index_type, index);
	kprintf(" out of bounds for type %s", d->array_type->name);
	finish("bounds", &d->loc, recover);
}

static const char *const check_kinds[] = {
	"load of", "store to", "reference binding to", "member access within",
	"member call on", "constructor call on", "downcast of", "downcast of",
	"upcast of", "cast to virtual base of", "_Nonnull binding to", "dynamic operation on",
};

static void type_mismatch(const struct type_mismatch_data *d, uintptr_t ptr, bool recover, uintptr_t fp)
{
	uintptr_t align = (uintptr_t)1 << d->log_alignment;
	const char *what = d->type_check_kind < ARRAY_SIZE(check_kinds) ? check_kinds[d->type_check_kind]
									 : "access to";
	const char *check = !ptr ? "null" : ptr & (align - 1) ? "alignment" : "object-size";

	header(check, &d->loc, fp);
	if (!ptr)
		kprintf("%s null pointer of type %s", what, d->type->name);
	else if (ptr & (align - 1))
		kprintf("%s misaligned address %#llx for type %s, which requires %llu-byte alignment", what,
			(unsigned long long)ptr, d->type->name, (unsigned long long)align);
	else
		kprintf("%s address %#llx with insufficient space for an object of type %s", what,
			(unsigned long long)ptr, d->type->name);
	finish(check, &d->loc, recover);
}

static void invalid_value(const struct invalid_value_data *d, uintptr_t v, bool recover, uintptr_t fp)
{
	header("bool", &d->loc, fp);
	kprintf("load of value ");
	print_value(d->type, v);
	kprintf(", which is not a valid value for type %s", d->type->name);
	finish("bool", &d->loc, recover);
}

static void nonnull_arg(const struct nonnull_arg_data *d, bool recover, uintptr_t fp)
{
	header("nonnull-attribute", &d->loc, fp);
	kprintf("null pointer passed as argument %d, which is declared to never be null", d->arg_index);
	finish("nonnull-attribute", &d->loc, recover);
}

static void nonnull_return(const struct source_location *loc, bool recover, uintptr_t fp)
{
	header("returns-nonnull-attribute", loc, fp);
	kprintf("null pointer returned from a function declared to never return null");
	finish("returns-nonnull-attribute", loc, recover);
}

static void vla_bound(const struct vla_bound_data *d, uintptr_t bound, bool recover, uintptr_t fp)
{
	header("vla-bound", &d->loc, fp);
	kprintf("variable length array bound evaluates to non-positive value ");
	print_value(d->type, bound);
	finish("vla-bound", &d->loc, recover);
}

static void pointer_overflow(const struct pointer_overflow_data *d, uintptr_t base, uintptr_t result,
			     bool recover, uintptr_t fp)
{
	header("pointer-overflow", &d->loc, fp);
	if (!base)
		kprintf("applying an offset to a null pointer gave %#llx", (unsigned long long)result);
	else
		kprintf("pointer arithmetic on %#llx wrapped around to %#llx", (unsigned long long)base,
			(unsigned long long)result);
	finish("pointer-overflow", &d->loc, recover);
}

static void invalid_builtin(const struct invalid_builtin_data *d, bool recover, uintptr_t fp)
{
	header("builtin", &d->loc, fp);
	kprintf("passing zero to %s, which is not a valid argument", d->kind ? "clz()" : "ctz()");
	finish("builtin", &d->loc, recover);
}

/*
 * The entry points, recoverable and _abort (-fno-sanitize-recover). The
 * compiler treats an _abort handler as noreturn, so it never returns, not
 * even in the test modes; nor does builtin_unreachable.
 */
#define HANDLER_FP ((uintptr_t)__builtin_frame_address(0))
#define HANDLERS(name, params, call)                                          \
	void __ubsan_handle_##name params;                                    \
	NORETURN void __ubsan_handle_##name##_abort params;                   \
	void __ubsan_handle_##name params { call(true, HANDLER_FP); }         \
	NORETURN void __ubsan_handle_##name##_abort params                    \
	{                                                                     \
		call(false, HANDLER_FP);                                      \
		__builtin_unreachable();                                      \
	}

#define CALL_ADD(r, fp) overflow(d, a, b, '+', r, fp)
#define CALL_SUB(r, fp) overflow(d, a, b, '-', r, fp)
#define CALL_MUL(r, fp) overflow(d, a, b, '*', r, fp)
#define CALL_NEG(r, fp) negate(d, a, r, fp)
#define CALL_DIVREM(r, fp) divrem(d, a, b, r, fp)
#define CALL_SHIFT(r, fp) shift(d, a, b, r, fp)
#define CALL_OOB(r, fp) out_of_bounds(d, a, r, fp)
#define CALL_MISMATCH(r, fp) type_mismatch(d, a, r, fp)
#define CALL_INVALID(r, fp) invalid_value(d, a, r, fp)
#define CALL_NONNULL_ARG(r, fp) nonnull_arg(d, r, fp)
#define CALL_NONNULL_RET(r, fp) nonnull_return(loc, r, fp)
#define CALL_VLA(r, fp) vla_bound(d, a, r, fp)
#define CALL_PTR(r, fp) pointer_overflow(d, a, b, r, fp)
#define CALL_BUILTIN(r, fp) invalid_builtin(d, r, fp)

HANDLERS(add_overflow, (const struct overflow_data *d, uintptr_t a, uintptr_t b), CALL_ADD)
HANDLERS(sub_overflow, (const struct overflow_data *d, uintptr_t a, uintptr_t b), CALL_SUB)
HANDLERS(mul_overflow, (const struct overflow_data *d, uintptr_t a, uintptr_t b), CALL_MUL)
HANDLERS(negate_overflow, (const struct overflow_data *d, uintptr_t a), CALL_NEG)
HANDLERS(divrem_overflow, (const struct overflow_data *d, uintptr_t a, uintptr_t b), CALL_DIVREM)
HANDLERS(shift_out_of_bounds, (const struct shift_data *d, uintptr_t a, uintptr_t b), CALL_SHIFT)
HANDLERS(out_of_bounds, (const struct out_of_bounds_data *d, uintptr_t a), CALL_OOB)
HANDLERS(type_mismatch_v1, (const struct type_mismatch_data *d, uintptr_t a), CALL_MISMATCH)
HANDLERS(load_invalid_value, (const struct invalid_value_data *d, uintptr_t a), CALL_INVALID)
HANDLERS(nonnull_arg, (const struct nonnull_arg_data *d), CALL_NONNULL_ARG)
HANDLERS(nonnull_return_v1, (const struct nonnull_return_data *d, const struct source_location *loc),
	 CALL_NONNULL_RET)
HANDLERS(vla_bound_not_positive, (const struct vla_bound_data *d, uintptr_t a), CALL_VLA)
HANDLERS(pointer_overflow, (const struct pointer_overflow_data *d, uintptr_t a, uintptr_t b), CALL_PTR)
HANDLERS(invalid_builtin, (const struct invalid_builtin_data *d), CALL_BUILTIN)

void __ubsan_handle_builtin_unreachable(const struct unreachable_data *d);
NORETURN void __ubsan_handle_builtin_unreachable(const struct unreachable_data *d)
{
	header("unreachable", &d->loc, HANDLER_FP);
	kprintf("execution reached __builtin_unreachable()");
	finish("unreachable", &d->loc, false);
	__builtin_unreachable();
}
