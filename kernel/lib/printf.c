/* The kernel's printf: one formatter (fmt_run) behind a chunked sink. */
#include "printf.h"
#include "kstring.h"

struct spec {
	bool left, zero, plus, space, alt, has_prec;
	int width, prec;
	char len; /* 'H' hh, 'h', 'l', 'L' ll, 'z', 't', 'j', 0 */
	char conv;
};

struct out {
	kputs_fn fn;
	void *ctx;
	size_t total;
};

static void emit(struct out *o, const char *s, size_t n)
{
	if (n)
		o->fn(o->ctx, s, n);
	o->total += n;
}

static void emit_pad(struct out *o, char c, int n)
{
	char buf[16];

	memset(buf, c, sizeof(buf));
	while (n > 0) {
		emit(o, buf, n > 16 ? 16 : (size_t)n);
		n -= 16;
	}
}

/* Parse flags, width, precision and length after '%'; returns the end. */
static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	memset(s, 0, sizeof(*s));
	for (;; f++) {
		if (*f == '-') s->left = true;
		else if (*f == '0') s->zero = true;
		else if (*f == '+') s->plus = true;
		else if (*f == ' ') s->space = true;
		else if (*f == '#') s->alt = true;
		else break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->left = true;
			s->width = -s->width;
		}
		f++;
	} else {
		while (*f >= '0' && *f <= '9')
			s->width = s->width * 10 + (*f++ - '0');
	}
	if (*f == '.') {
		s->has_prec = true;
		f++;
		if (*f == '*') {
			s->prec = va_arg(*ap, int);
			s->has_prec = s->prec >= 0;
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				s->prec = s->prec * 10 + (*f++ - '0');
		}
	}
	if (*f == 'h') s->len = (f[1] == 'h') ? (f++, 'H') : 'h', f++;
	else if (*f == 'l') s->len = (f[1] == 'l') ? (f++, 'L') : 'l', f++;
	else if (*f == 'z' || *f == 't' || *f == 'j') s->len = *f++;
	s->conv = *f;
	return f;
}

static unsigned long long arg_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 't': return (unsigned long long)va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned);
	}
}

static long long arg_signed(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (long long)va_arg(*ap, size_t);
	case 't': return va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}

/* Digits of v in base, into the end of buf; returns the count. */
static int to_digits(char *end, unsigned long long v, unsigned base, bool upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	while (v) {
		*--end = dig[v % base];
		v /= base;
		n++;
	}
	return n;
}

/* Print an integer: sign/prefix, precision zeros, width padding. */
static void fmt_int(struct out *o, const struct spec *s, unsigned long long v, bool neg)
{
	char buf[24], *end = buf + sizeof(buf);
	unsigned base = (s->conv == 'o') ? 8 : (s->conv == 'x' || s->conv == 'X' || s->conv == 'p') ? 16 : 10;
	int nd = to_digits(end, v, base, s->conv == 'X');
	const char *prefix = neg ? "-" : s->plus ? "+" : s->space ? " " : "";
	int zeros = 0, pad;

	if ((s->conv == 'x' || s->conv == 'X') && s->alt && v)
		prefix = s->conv == 'x' ? "0x" : "0X";
	if (s->conv == 'p')
		prefix = "0x";
	if (s->has_prec)
		zeros = s->prec > nd ? s->prec - nd : 0;
	else if (nd == 0)
		zeros = 1;
	if (s->conv == 'o' && s->alt && zeros == 0 && (nd == 0 || end[-nd] != '0'))
		zeros = 1;
	pad = s->width - (int)strlen(prefix) - zeros - nd;
	if (!s->left && s->zero && !s->has_prec && pad > 0) {
		zeros += pad;
		pad = 0;
	}
	if (!s->left)
		emit_pad(o, ' ', pad);
	emit(o, prefix, strlen(prefix));
	emit_pad(o, '0', zeros);
	emit(o, end - nd, (size_t)nd);
	if (s->left)
		emit_pad(o, ' ', pad);
}

static void fmt_str(struct out *o, const struct spec *s, const char *str)
{
	size_t n = s->has_prec ? strnlen(str, (size_t)s->prec) : strlen(str);
	int pad = s->width - (int)n;

	if (!s->left)
		emit_pad(o, ' ', pad);
	emit(o, str, n);
	if (s->left)
		emit_pad(o, ' ', pad);
}

static void fmt_one(struct out *o, struct spec *s, va_list *ap)
{
	char c;
	long long sv;
	void *p;

	switch (s->conv) {
	case 'd':
	case 'i':
		sv = arg_signed(s, ap);
		fmt_int(o, s, sv < 0 ? 0ull - (unsigned long long)sv : (unsigned long long)sv, sv < 0);
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		s->plus = s->space = false;
		fmt_int(o, s, arg_unsigned(s, ap), false);
		break;
	case 'p':
		p = va_arg(*ap, void *);
		s->plus = s->space = false;
		if (p) {
			fmt_int(o, s, (uintptr_t)p, false);
		} else {
			s->has_prec = false;
			fmt_str(o, s, "(nil)");
		}
		break;
	case 's':
		p = va_arg(*ap, char *);
		if (!p && s->has_prec && s->prec < 6)
			s->prec = 0;
		fmt_str(o, s, p ? (const char *)p : "(null)");
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		s->has_prec = false;
		if (!s->left)
			emit_pad(o, ' ', s->width - 1);
		emit(o, &c, 1);
		if (s->left)
			emit_pad(o, ' ', s->width - 1);
		break;
	case '%':
		emit(o, "%", 1);
		break;
	default:
		break;
	}
}

static bool strchr_conv(char c)
{
	for (const char *p = "diuxXopsc%"; *p; p++)
		if (*p == c)
			return true;
	return false;
}

static int fmt_run(struct out *o, const char *fmt, va_list ap0)
{
	va_list ap;
	struct spec s;

	va_copy(ap, ap0);
	while (*fmt) {
		const char *pct = fmt;
		while (*pct && *pct != '%')
			pct++;
		emit(o, fmt, (size_t)(pct - fmt));
		if (!*pct)
			break;
		const char *end = parse_spec(pct + 1, &s, &ap);
		if (!*end || !strchr_conv(end[0])) {
			/* Unsupported conversion: print it verbatim. */
			emit(o, pct, (size_t)(end - pct) + (*end ? 1 : 0));
			fmt = *end ? end + 1 : end;
			continue;
		}
		fmt_one(o, &s, &ap);
		fmt = end + 1;
	}
	va_end(ap);
	return (int)o->total;
}

int kvprintf_sink(kputs_fn fn, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { fn, ctx, 0 };

	return fmt_run(&o, fmt, ap);
}

struct bufsink {
	char *buf;
	size_t cap, used; /* cap excludes the NUL */
};

static void buf_put(void *ctx, const char *s, size_t n)
{
	struct bufsink *b = ctx;
	size_t room = b->cap - b->used;

	if (n > room)
		n = room;
	memcpy(b->buf + b->used, s, n);
	b->used += n;
}

int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct bufsink b = { buf, n ? n - 1 : 0, 0 };
	int len = kvprintf_sink(buf_put, &b, fmt, ap);

	if (n)
		buf[b.used] = 0;
	return len;
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = kvsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}
