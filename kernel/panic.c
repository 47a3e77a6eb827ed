/* Stopping the kernel: panic and fatal traps. */
#include "arch/arch.h"
#include "console.h"
#include "ktest.h"
#include "panic.h"
#include "printf.h"

NORETURN void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	console_set_alert(true); /* white on red on a framebuffer: easy to spot */
	kprintf("\nPANIC: %s\n", msg);
	console_set_alert(false);
	if (ktest_active()) {
		ktest_panicked(msg);
		ktest_finish();
	}
	kprintf("Atoll halted.\n");
	arch_exit(false, false);
}
