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

/* One printf is one kernel write when it fits the buffer, so lines from
 * other threads and other clusters do not cut into it. */
struct outbuf {
	char b[512];
	size_t n;
};

static void sink(void *ctx, const char *s, size_t len)
{
	struct outbuf *o = ctx;

	if (o->n + len > sizeof(o->b)) {
		puts_raw(o->b, o->n);
		o->n = 0;
	}
	if (len > sizeof(o->b)) {
		puts_raw(s, len);
		return;
	}
	for (size_t i = 0; i < len; i++)
		o->b[o->n++] = s[i];
}

int vprintf(const char *fmt, va_list ap)
{
	struct outbuf o;
	int n;

	o.n = 0;
	n = kvprintf_sink(sink, &o, fmt, ap);
	if (o.n)
		puts_raw(o.b, o.n);
	return n;
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

const char *atoll_cpu_brand(const struct abi_bootinfo *bi)
{
	const char *b = bi->cpu_brand;

	while (*b == ' ')
		b++;
	return *b ? b : "unknown CPU";
}
