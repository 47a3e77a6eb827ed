/*
 * The sanitizer kernel's stack protector (-fstack-protector-strong with
 * -mstack-protector-guard=global): the guard, chosen at boot, and
 * __stack_chk_fail.
 *
 * Every protected function copies __stack_chk_guard into its frame on entry
 * and compares on return; the guard must therefore not change while any
 * protected frame is live that will return. boot/entry.asm calls
 * stack_guard_init before kmain, on an empty stack, so the only frame
 * across the change is stack_guard_init's own, which has no canary. The
 * guard lives in .data, so each cluster has its own: smp_boot gives every
 * other cluster's copy a fresh guard before that cluster's first core
 * starts (its cores read the boot core's view only in ap_entry, which has
 * no canary, before they switch to their own tables).
 */
#include "arch/arch.h"
#include "console.h"
#include "sanitize.h"

#ifndef ATOLL_SANITIZE_CHECKS
#define ATOLL_SANITIZE_CHECKS "?"
#endif

/* Per cluster (copied .data/.bss): chosen at boot (the boot core patches
 * each cluster's copy before its cores run), read-only after. */
uintptr_t __stack_chk_guard;
static const char *guard_source = "none";

/* The low byte is zero (glibc's choice): a string overflow writes at most
 * the terminating NUL into the canary, and a string read stops at it. */
static uintptr_t guard_value(uint64_t r)
{
	return (uintptr_t)(r & ~0xffull);
}

NO_STACK_PROTECTOR void stack_guard_init(void)
{
	__stack_chk_guard = guard_value(arch_boot_random(&guard_source));
}

uintptr_t stack_guard_fresh(void)
{
	const char *source;

	return guard_value(arch_boot_random(&source));
}

const char *stack_guard_source(void)
{
	return guard_source;
}

void sanitize_boot_report(void)
{
	kprintf("Sanitizers: UBSan (-fsanitize=%s), stack protector (strong; guard from %s)\n",
		ATOLL_SANITIZE_CHECKS, guard_source);
}

void __stack_chk_fail(void);
NORETURN NO_STACK_PROTECTOR void __stack_chk_fail(void)
{
	uintptr_t at = (uintptr_t)__builtin_return_address(0);

	sanitize_report_begin();
	kprintf("\nSTACK PROTECTOR: stack smashing detected: the canary of the function that called "
		"__stack_chk_fail from %#llx was overwritten\n", (unsigned long long)at);
	sanitize_backtrace((uintptr_t)__builtin_frame_address(0));
	sanitize_report_end("stack-protector", NULL, 0, 0, false);
	__builtin_unreachable();
}
