/*
 * The kernel's printf. One formatter (fmt_core) writes through a chunked
 * sink; kvsnprintf is that formatter with a bounded-buffer sink. Integers,
 * strings, characters and pointers only, matching glibc's output; anything
 * else (floating point, %n, wide characters) is printed verbatim.
 */
#include "printf.h"
#include "kstring.h"

#define FMT_INT_MAX __INT_MAX__

enum {
	FL_LEFT = 1 << 0,  /* '-' */
	FL_ZERO = 1 << 1,  /* '0' */
	FL_PLUS = 1 << 2,  /* '+' */
	FL_SPACE = 1 << 3, /* ' ' */
	FL_ALT = 1 << 4,   /* '#' */
};

enum fmt_len { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

/* One parsed conversion specification. prec < 0: none given. */
struct spec {
	unsigned flags;
	int width, prec;
	enum fmt_len len;
	char conv;
};

/* The sink and the count of bytes the whole output has (or would have). */
struct out {
	kputs_fn fn;
	void *ctx;
	size_t total;
};

static void out_put(struct out *o, const char *s, size_t n)
{
	if (n)
		o->fn(o->ctx, s, n);
	o->total += n;
}

static void out_pad(struct out *o, char c, long n)
{
	char run[16];

	if (n <= 0)
		return;
	memset(run, c, sizeof(run));
	for (; n > 0; n -= (long)sizeof(run))
		out_put(o, run, n < (long)sizeof(run) ? (size_t)n : sizeof(run));
}

static const char *parse_flags(const char *f, struct spec *s)
{
	for (;; f++) {
		switch (*f) {
		case '-': s->flags |= FL_LEFT; break;
		case '0': s->flags |= FL_ZERO; break;
		case '+': s->flags |= FL_PLUS; break;
		case ' ': s->flags |= FL_SPACE; break;
		case '#': s->flags |= FL_ALT; break;
		default: return f;
		}
	}
}

/* A decimal field, saturating at INT_MAX. */
static const char *parse_decimal(const char *f, int *v)
{
	int n = 0;

	for (; *f >= '0' && *f <= '9'; f++) {
		int d = *f - '0';

		n = n > (FMT_INT_MAX - d) / 10 ? FMT_INT_MAX : n * 10 + d;
	}
	*v = n;
	return f;
}

static const char *parse_width(const char *f, struct spec *s, va_list *ap)
{
	int w;

	if (*f != '*')
		return parse_decimal(f, &s->width);
	w = va_arg(*ap, int);
	if (w < 0) {
		s->flags |= FL_LEFT;
		w = w < -FMT_INT_MAX ? FMT_INT_MAX : -w;
	}
	s->width = w;
	return f + 1;
}

static const char *parse_prec(const char *f, struct spec *s, va_list *ap)
{
	s->prec = -1;
	if (*f != '.')
		return f;
	if (f[1] != '*')
		return parse_decimal(f + 1, &s->prec);
	s->prec = va_arg(*ap, int);
	if (s->prec < 0)
		s->prec = -1;
	return f + 2;
}

static const char *parse_len(const char *f, struct spec *s)
{
	switch (*f) {
	case 'h':
		s->len = f[1] == 'h' ? LEN_HH : LEN_H;
		return f + (f[1] == 'h' ? 2 : 1);
	case 'l':
		s->len = f[1] == 'l' ? LEN_LL : LEN_L;
		return f + (f[1] == 'l' ? 2 : 1);
	case 'z': s->len = LEN_Z; return f + 1;
	case 't': s->len = LEN_T; return f + 1;
	case 'j': s->len = LEN_J; return f + 1;
	default: s->len = LEN_NONE; return f;
	}
}

/* Parse what follows '%' (taking '*' arguments); returns the conversion. */
static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	s->flags = 0;
	s->width = 0;
	f = parse_flags(f, s);
	f = parse_width(f, s, ap);
	f = parse_prec(f, s, ap);
	f = parse_len(f, s);
	s->conv = *f;
	return f;
}

/* Integer conversions take any length modifier; the others take none. */
static bool spec_supported(const struct spec *s)
{
	switch (s->conv) {
	case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
		return true;
	case 'c': case 's': case 'p': case '%':
		return s->len == LEN_NONE;
	default:
		return false;
	}
}

/* Fetch a signed argument; returns its magnitude, *neg its sign. */
static unsigned long long arg_signed(const struct spec *s, va_list *ap, bool *neg)
{
	long long v;

	switch (s->len) {
	case LEN_HH: v = (signed char)va_arg(*ap, int); break;
	case LEN_H: v = (short)va_arg(*ap, int); break;
	case LEN_L: v = va_arg(*ap, long); break;
	case LEN_LL: v = va_arg(*ap, long long); break;
	case LEN_Z: v = (long long)va_arg(*ap, size_t); break;
	case LEN_T: v = va_arg(*ap, ptrdiff_t); break;
	case LEN_J: v = va_arg(*ap, intmax_t); break;
	default: v = va_arg(*ap, int); break;
	}
	*neg = v < 0;
	return *neg ? 0ull - (unsigned long long)v : (unsigned long long)v;
}

static unsigned long long arg_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	case LEN_T: return (unsigned long long)va_arg(*ap, ptrdiff_t);
	case LEN_J: return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned);
	}
}

/* Digits of v, written backwards to end at end; returns the first digit. */
static char *put_digits(char *end, unsigned long long v, unsigned base, bool upper)
{
	const char *digit = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		*--end = digit[v % base];
		v /= base;
	} while (v);
	return end;
}

/* Sign and radix prefix; %p keeps '+' and ' ' as glibc does. */
static const char *int_prefix(const struct spec *s, unsigned long long v, bool neg)
{
	bool alt = (s->flags & FL_ALT) && v;

	switch (s->conv) {
	case 'd': case 'i':
		if (neg)
			return "-";
		return s->flags & FL_PLUS ? "+" : s->flags & FL_SPACE ? " " : "";
	case 'p':
		return s->flags & FL_PLUS ? "+0x" : s->flags & FL_SPACE ? " 0x" : "0x";
	case 'x': return alt ? "0x" : "";
	case 'X': return alt ? "0X" : "";
	default: return "";
	}
}

static void pad_before(struct out *o, const struct spec *s, long pad)
{
	if (!(s->flags & FL_LEFT))
		out_pad(o, ' ', pad);
}

static void pad_after(struct out *o, const struct spec *s, long pad)
{
	if (s->flags & FL_LEFT)
		out_pad(o, ' ', pad);
}

/* [pad] prefix [zeros] digits [pad], as C99 7.19.6.1 lays an integer out. */
static void fmt_int(struct out *o, const struct spec *s, unsigned long long v, bool neg)
{
	char buf[24], *end = buf + sizeof(buf);
	unsigned base = s->conv == 'o' ? 8 : s->conv == 'u' || s->conv == 'd' || s->conv == 'i' ? 10 : 16;
	const char *digits = v == 0 && s->prec == 0 ? end : put_digits(end, v, base, s->conv == 'X');
	const char *prefix = int_prefix(s, v, neg);
	long nd = end - digits, zeros = s->prec > nd ? s->prec - nd : 0, pad;

	if (s->conv == 'o' && (s->flags & FL_ALT) && zeros == 0 && (nd == 0 || *digits != '0'))
		zeros = 1;
	pad = (long)s->width - (long)strlen(prefix) - zeros - nd;
	if ((s->flags & (FL_ZERO | FL_LEFT)) == FL_ZERO && s->prec < 0 && pad > 0) {
		zeros += pad;
		pad = 0;
	}
	pad_before(o, s, pad);
	out_put(o, prefix, strlen(prefix));
	out_pad(o, '0', zeros);
	out_put(o, digits, (size_t)nd);
	pad_after(o, s, pad);
}

static void fmt_text(struct out *o, const struct spec *s, const char *str, size_t n)
{
	long pad = (long)s->width - (long)n;

	pad_before(o, s, pad);
	out_put(o, str, n);
	pad_after(o, s, pad);
}

/* %s: a NULL string is "(null)", or nothing if the precision cuts it. */
static void fmt_string(struct out *o, const struct spec *s, const char *str)
{
	if (!str)
		str = s->prec >= 0 && s->prec < 6 ? "" : "(null)";
	fmt_text(o, s, str, s->prec >= 0 ? strnlen(str, (size_t)s->prec) : strlen(str));
}

static void fmt_pointer(struct out *o, const struct spec *s, const void *p)
{
	if (p)
		fmt_int(o, s, (uintptr_t)p, false);
	else
		fmt_text(o, s, "(nil)", 5);
}

static void fmt_conv(struct out *o, const struct spec *s, va_list *ap)
{
	unsigned long long v;
	bool neg;
	char c;

	switch (s->conv) {
	case 'd': case 'i':
		v = arg_signed(s, ap, &neg);
		fmt_int(o, s, v, neg);
		break;
	case 'u': case 'o': case 'x': case 'X':
		fmt_int(o, s, arg_unsigned(s, ap), false);
		break;
	case 'p': fmt_pointer(o, s, va_arg(*ap, void *)); break;
	case 's': fmt_string(o, s, va_arg(*ap, const char *)); break;
	case 'c':
		c = (char)va_arg(*ap, int);
		fmt_text(o, s, &c, 1);
		break;
	default: out_put(o, "%", 1); break; /* "%%": glibc ignores the width */
	}
}

/* One directive starting at '%'; returns where the text resumes. */
static const char *fmt_directive(struct out *o, const char *pct, va_list *ap)
{
	struct spec s;
	const char *conv = parse_spec(pct + 1, &s, ap);

	if (spec_supported(&s)) {
		fmt_conv(o, &s, ap);
		return conv + 1;
	}
	if (*conv)
		conv++;
	out_put(o, pct, (size_t)(conv - pct)); /* unsupported: verbatim */
	return conv;
}

static void fmt_core(struct out *o, const char *fmt, va_list *ap)
{
	while (*fmt) {
		const char *pct = fmt;

		while (*pct && *pct != '%')
			pct++;
		out_put(o, fmt, (size_t)(pct - fmt));
		fmt = *pct ? fmt_directive(o, pct, ap) : pct;
	}
}

/* Formats into out() in order, in chunks; returns the total length, or -1
 * if that exceeds INT_MAX. */
int kvprintf_sink(kputs_fn out, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { out, ctx, 0 };
	va_list aq;

	va_copy(aq, ap);
	fmt_core(&o, fmt, &aq);
	va_end(aq);
	return o.total > (size_t)FMT_INT_MAX ? -1 : (int)o.total;
}

/* Bounded buffer: room excludes the byte kept for the terminating NUL. */
struct bufsink {
	char *p;
	size_t room;
};

static void bufsink_put(void *ctx, const char *s, size_t n)
{
	struct bufsink *b = ctx;

	if (n > b->room)
		n = b->room;
	if (n == 0)
		return;
	memcpy(b->p, s, n);
	b->p += n;
	b->room -= n;
}

/* C99 vsnprintf: at most n bytes including the NUL (buf may be NULL when
 * n == 0); returns the length the full output has. */
int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct bufsink b = { buf, n ? n - 1 : 0 };
	int len = kvprintf_sink(bufsink_put, &b, fmt, ap);

	if (n)
		*b.p = '\0';
	return len;
}

/* C99 snprintf over kvsnprintf. */
int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = kvsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}
