/* Console output through the debug system call, and program exit. */
#include "atoll/atoll.h"
#include "atoll/app.h"
#include "printf.h"

cptr_t atoll_debug_cap = ROOT_DEBUG;

/* At most DEBUG_PUTS_MAX bytes a call, cut after the last whole line that
 * fits: the kernel keeps each line of a call whole among the clusters'
 * output, so only a line longer than a call can be cut into. */
static uint64_t puts_flags(const char *s, size_t len, uint64_t flags)
{
	uint64_t err = E_OK;

	while (len) {
		size_t n = len > DEBUG_PUTS_MAX ? DEBUG_PUTS_MAX : len;
		if (n < len) {
			size_t k = n;
			while (k && s[k - 1] != '\n')
				k--;
			if (k)
				n = k;
		}
		uint64_t e = atoll_debug_puts_flags(atoll_debug_cap, s, n, flags);
		if (e && !err)
			err = e;
		s += n;
		len -= n;
	}
	return err;
}

uint64_t puts_raw(const char *s, size_t len)
{
	return puts_flags(s, len, 0);
}

uint64_t puts_serial(const char *s, size_t len)
{
	return puts_flags(s, len, DEBUG_PUTS_SERIAL_ONLY);
}

/* One printf is one kernel write when it fits the buffer (the longest
 * write the kernel takes), so lines from other threads and other clusters
 * do not cut into it. */
struct outbuf {
	char b[DEBUG_PUTS_MAX];
	size_t n;
	uint64_t flags; /* DEBUG_PUTS flags */
};

static void sink(void *ctx, const char *s, size_t len)
{
	struct outbuf *o = ctx;

	if (o->n + len > sizeof(o->b)) {
		puts_flags(o->b, o->n, o->flags);
		o->n = 0;
	}
	if (len > sizeof(o->b)) {
		puts_flags(s, len, o->flags);
		return;
	}
	for (size_t i = 0; i < len; i++)
		o->b[o->n++] = s[i];
}

static int vprintf_flags(uint64_t flags, const char *fmt, va_list ap)
{
	struct outbuf o;
	int n;

	o.n = 0;
	o.flags = flags;
	n = kvprintf_sink(sink, &o, fmt, ap);
	if (o.n)
		puts_flags(o.b, o.n, flags);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	return vprintf_flags(0, fmt, ap);
}

int printf_serial(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf_flags(DEBUG_PUTS_SERIAL_ONLY, fmt, ap);
	va_end(ap);
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

/* A program's end: with the exit right it ends the run with its verdict.
 * Without, an application (atoll/app.h) sends the status to its parent
 * through slot APP_SLOT_EXIT (in a root task that slot holds no endpoint:
 * a harmless error), then it stops its thread (slot 1 is a program's own
 * TCB, in a root task and in a process alike) and never returns. */
void atoll_exit(long code)
{
	atoll_debug_exit(atoll_debug_cap, (uint64_t)code);
	atoll_ipc_send(APP_SLOT_EXIT, msginfo(APP_EXIT_LABEL, 0, 0, 1), (uint64_t)code, 0, 0, 0);
	atoll_tcb_suspend(ROOT_TCB);
	for (;;)
		atoll_yield();
}

const char *atoll_cpu_brand(const struct abi_bootinfo *bi)
{
	const char *b = bi->cpu_brand;

	while (*b == ' ')
		b++;
	return *b ? b : "unknown CPU";
}
