/* Stopping the kernel: panic and fatal traps. */
#include "arch/arch.h"
#include "console.h"
#include "ktest.h"
#include "panic.h"

NORETURN void panic(const char *fmt, ...)
{
	va_list ap;

	kprintf("\nPANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	if (ktest_active()) {
		ktest_result(false, "kernel panicked");
		ktest_finish();
	}
	kprintf("Atoll halted.\n");
	arch_exit(false, false);
}
