/* Console output through the debug system call, and program exit. */
#include "atoll/atoll.h"
#include "printf.h"

void puts_raw(const char *s, size_t len)
{
	while (len) {
		size_t n = len > 4096 ? 4096 : len;
		sys_debug_puts(s, n);
		s += n;
		len -= n;
	}
}

static void sink(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	puts_raw(s, len);
}

int vprintf(const char *fmt, va_list ap)
{
	return kvprintf_sink(sink, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* A program's end: the root task ends the run with its verdict. */
void atoll_exit(long code)
{
	sys_debug_exit((uint64_t)code);
}
