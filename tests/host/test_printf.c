/* kernel/lib/printf.c against glibc: a table of formats and edge values,
 * truncation at every buffer size, seeded random formats, and the sink. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "printf.h"

#define BIG 2048

static unsigned mismatches;

static void report(const char *fmt, size_t n, int re, int rg, const char *exp, const char *got)
{
	if (++mismatches > 20)
		return;
	fprintf(stderr, "mismatch fmt=\"%s\" n=%zu: libc %d \"%s\", kernel %d \"%s\"\n", fmt, n,
		re, exp, rg, got);
}

/* One call with an n-byte heap buffer (NULL when n == 0), so ASan sees any
 * write past it; compares with glibc's result for the same n. */
static void cmp_at(const char *fmt, size_t n, va_list ap)
{
	char *exp = n ? malloc(n) : NULL, *got = n ? malloc(n) : NULL;
	va_list a, b;
	int re, rg;

	if (n) {
		memset(exp, 'E', n);
		memset(got, 'G', n);
	}
	va_copy(a, ap);
	va_copy(b, ap);
	re = vsnprintf(exp, n, fmt, a);
	rg = kvsnprintf(got, n, fmt, b);
	va_end(a);
	va_end(b);
	CHECK(re == rg);
	CHECK(n == 0 || memcmp(exp, got, (size_t)(re < 0 ? 0 : MIN((size_t)re + 1, n))) == 0);
	if (re != rg || (n && memcmp(exp, got, MIN((size_t)re + 1, n)) != 0))
		report(fmt, n, re, rg, n ? exp : "", n ? got : "");
	free(exp);
	free(got);
}

/* Compare at full size and at every smaller size (truncation). */
static void vcmp(bool all_sizes, const char *fmt, va_list ap)
{
	va_list a;
	int len;

	va_copy(a, ap);
	len = vsnprintf(NULL, 0, fmt, a);
	va_end(a);
	CHECK(len >= 0 && len < BIG);
	cmp_at(fmt, BIG, ap);
	if (!all_sizes)
		return;
	for (size_t n = 0; n <= (size_t)len + 1; n++)
		cmp_at(fmt, n, ap);
}

static void PRINTF_LIKE(1, 2) cmp(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcmp(true, fmt, ap);
	va_end(ap);
}

/* Formats gcc calls undefined but glibc defines; the kernel matches glibc. */
static void cmp_glibc(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcmp(true, fmt, ap);
	va_end(ap);
}

static void test_integers(void)
{
	static const char *const ifmt[] = {
		"%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+5d", "%-+5d|", "% 05d", "%+05d",
		"%.0d", "%.1d", "%.3d", "%8.3d", "%-8.3d|", "%08.3d", "%+.3d", "% .0d", "%+.0d",
		"%1d", "%12d", "%-12d|", "%012d", "%.12d", "%0-7d|", "%- 7d|", "%+ d", "%40d",
		"%-40.30d|", "%0100d",
	};
	static const int ival[] = { 0, 1, -1, 7, -7, 42, -42, 100, 99999, -99999, INT_MAX, INT_MIN };
	static const char *const ufmt[] = {
		"%u", "%x", "%X", "%o", "%#x", "%#X", "%#o", "%5x", "%-5x|", "%05x", "%#05x",
		"%#8x", "%#-8x|", "%#08X", "%.0u", "%.0x", "%#.0x", "%#.0o", "%.0o", "%#.3o",
		"%#.3x", "%#10.4x", "%#010.4x", "%#o", "%#5o", "%#05o", "%.5u", "%08.5X", "%-#12o|",
		"%#.1o",
	};
	static const unsigned uval[] = { 0, 1, 7, 8, 9, 0xff, 0x100, 0777, 01000, 0xdeadbeef, UINT_MAX,
					 0x80000000u };

	for (size_t f = 0; f < ARRAY_SIZE(ifmt); f++)
		for (size_t v = 0; v < ARRAY_SIZE(ival); v++)
			cmp_glibc(ifmt[f], ival[v]);
	for (size_t f = 0; f < ARRAY_SIZE(ufmt); f++)
		for (size_t v = 0; v < ARRAY_SIZE(uval); v++)
			cmp_glibc(ufmt[f], uval[v]);
}

static void test_lengths(void)
{
	cmp("%hhd %hhd %hhd %hhu %hhx %hho", 127, 128, -129, 255, 256 + 0xab, 0777);
	cmp("%hd %hd %hu %hx %#ho", 32767, 70000, 65535, 0x1abcd, 0xffff);
	cmp("%ld %ld %lu %lx %lo", LONG_MAX, LONG_MIN, ULONG_MAX, ULONG_MAX, ULONG_MAX);
	cmp("%lld %lld %llu %llx %#llX %llo", LLONG_MAX, LLONG_MIN, ULLONG_MAX, ULLONG_MAX, ULLONG_MAX,
	    ULLONG_MAX);
	cmp("%lli %+lli % lli %30lld %-30lld| %030lld", LLONG_MIN, 0LL, 5LL, LLONG_MIN, LLONG_MIN,
	    LLONG_MIN);
	cmp("%zu %zx %zd %zi", SIZE_MAX, (size_t)0x1234, (size_t)-5, (size_t)77);
	cmp("%td %ti %tu %tx", PTRDIFF_MIN, (ptrdiff_t)-3, (ptrdiff_t)9, (ptrdiff_t)-1);
	cmp("%jd %ji %ju %jx %jo", INTMAX_MIN, INTMAX_MAX, UINTMAX_MAX, UINTMAX_MAX, (uintmax_t)8);
	cmp("%#.0llo %#.0llx %.0lld %#llo", 0ULL, 0ULL, 0LL, 0ULL);
	cmp("%.25lld %.25llu %#.25llo %#.25llx", LLONG_MIN, ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
}

static void test_strings_chars(void)
{
	const char *null = NULL;

	cmp("%s|%5s|%-5s|%.2s|%.0s|%8.3s|%-8.3s|", "abc", "abc", "abc", "abc", "abc", "abcdef",
	    "abcdef");
	cmp("%s%s%s", "", "x", "");
	cmp("[%10s][%-10s][%.10s]", "", "", "");
	cmp("%c%c%c|%3c|%-3c|", 'a', 'Z', '~', 'q', 'r');
	cmp("%c|%5c|", 0, 0); /* NUL bytes inside the output */
	cmp("%c", 200);
	cmp("%%|%d%%|%%%s", 5, "x");
	cmp("%*s|%-*s|%.*s|%*.*s|", 6, "ab", 6, "ab", 1, "ab", 7, 2, "abcdef");
	cmp("%*d|%*d|%.*d|%.*d|%*.*d", -6, 42, 6, 42, -1, 0, 0, 0, -9, 3, 17);
	cmp("%-*d|%*x|", -20, 3, -3, 0xabcu);
	cmp("%.*s|%.*x", -3, "hello", -1, 0u);
	cmp("no conversions at all");
	cmp("%s", "a string long enough that the truncation loop walks through many sizes "
		  "and then some more characters to be safe");
	cmp("%500d|%-300s|%0200x", 1, "pad", 0xabcu);
	cmp("%d %s %c %x %p %u %%", -1, "mid", 'c', 0xfeu, (void *)0x1000, 3u);
	cmp_glibc("%s|%.3s|%.5s|%.6s|%.7s|%10s|%-10s|%10.3s|", null, null, null, null, null,
		  null, null, null);
}

static void test_pointers(void)
{
	int x;
	void *null = NULL;

	cmp("%p|%20p|%-20p|", (void *)&x, (void *)&x, (void *)&x);
	cmp("%p|%p|%p", (void *)1, (void *)0xffffffffffffffffull, (void *)0xdeadbeef);
	cmp("%p|%10p|%-10p|%2p", null, null, null, null);
	/* Flags the C standard leaves undefined for %p; glibc's output. */
	cmp_glibc("%+p|% p|%020p|%.8p|%#p|%+020.3p|%-+12p|%.0p", (void *)0x1234, (void *)0x1234,
		  (void *)0x1234, (void *)0x1234, (void *)0x1234, (void *)0x1234, (void *)0x1234,
		  (void *)0x1234);
	cmp_glibc("%010p|%.2p|%+p|%.0p|% p|%-010p|", null, null, null, null, null, null);
	cmp_glibc("%05s|%05c|%.3c|", "ab", 'x', 'y');
}

/* Conversions the kernel does not support come out verbatim. */
static void test_unsupported(void)
{
	char buf[64];
	int n;

	n = ksnprintf(buf, sizeof(buf), "%s", "ok");
	CHECK(n == 2 && strcmp(buf, "ok") == 0);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
	n = ksnprintf(buf, sizeof(buf), "a%fb%5.2Fc%n|%d", 7);
	CHECK(n == 14 && strcmp(buf, "a%fb%5.2Fc%n|7") == 0);
	n = ksnprintf(buf, sizeof(buf), "%lc%ls%hs%lld|", 5LL);
	CHECK(strcmp(buf, "%lc%ls%hs5|") == 0 && n == 11);
	n = ksnprintf(buf, sizeof(buf), "x%q%y%");
	CHECK(strcmp(buf, "x%q%y%") == 0 && n == 6);
	n = ksnprintf(buf, sizeof(buf), "%5%|%-5%|%05%|");
	CHECK(strcmp(buf, "%|%|%|") == 0 && n == 6); /* glibc ignores the width of %% */
	n = ksnprintf(buf, sizeof(buf), "%-08.3");
	CHECK(strcmp(buf, "%-08.3") == 0 && n == 6);
#pragma GCC diagnostic pop
}

/* Edge behaviour of the buffer contract itself. */
static void test_buffer_contract(void)
{
	char buf[8];
	int n;

	n = ksnprintf(NULL, 0, "%d", 12345);
	CHECK(n == 5);
	memset(buf, 'X', sizeof(buf));
	n = ksnprintf(buf, 1, "%d", 12345);
	CHECK(n == 5 && buf[0] == 0 && buf[1] == 'X');
	n = ksnprintf(buf, 4, "%s", "truncated");
	CHECK(n == 9 && strcmp(buf, "tru") == 0 && buf[4] == 'X');
	n = ksnprintf(buf, sizeof(buf), "%s", "");
	CHECK(n == 0 && buf[0] == 0);
}

/* ---- seeded random formats from the supported grammar ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* A random 64-bit value of random magnitude, biased toward edges. */
static uint64_t rnd_value(void)
{
	static const uint64_t edge[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
					 0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffff,
					 0x8000000000000000, UINT64_MAX, UINT64_MAX - 1 };

	if (rnd_below(3) == 0)
		return edge[rnd_below(ARRAY_SIZE(edge))];
	return rnd() >> rnd_below(64);
}

enum kind { K_INT, K_LONG, K_LLONG, K_SIZE, K_PTRDIFF, K_INTMAX, K_PTR, K_STR };

struct rspec {
	char fmt[96];
	int nstar, star[2];
	enum kind kind;
	uint64_t v;
	const char *s;
};

static void add(char *f, const char *s)
{
	strcat(f, s);
}

static void rnd_literal(char *f)
{
	static const char lit[] = "ab <>|:-=_ 09xyzXYZ.";
	size_t at = strlen(f);

	for (unsigned n = rnd_below(4); n; n--)
		f[at++] = lit[rnd_below(sizeof(lit) - 1)];
	f[at] = 0;
}

/* Flags that are defined for the conversion (so glibc is a fair judge). */
static void rnd_flags(char *f, char conv)
{
	bool integer = strchr("diuoxX", conv) != NULL;

	for (unsigned n = rnd_below(4); n; n--) {
		switch (rnd_below(5)) {
		case 0: add(f, "-"); break;
		case 1: if (integer) add(f, "0"); break;
		case 2: if (conv == 'd' || conv == 'i') add(f, "+"); break;
		case 3: if (conv == 'd' || conv == 'i') add(f, " "); break;
		case 4: if (strchr("oxX", conv)) add(f, "#"); break;
		}
	}
}

static int rnd_star(void)
{
	static const int edge[] = { -40, -5, -1, 0, 1, 3, 17, 33 };

	return rnd_below(2) ? edge[rnd_below(ARRAY_SIZE(edge))] : (int)rnd_below(30);
}

static void rnd_width_prec(struct rspec *r, char conv)
{
	char num[16];

	if (rnd_below(3) == 0) {
		add(r->fmt, "*");
		r->star[r->nstar++] = rnd_star();
	} else if (rnd_below(2)) {
		snprintf(num, sizeof(num), "%u", 1 + rnd_below(30));
		add(r->fmt, num);
	}
	if (conv == 'c' || conv == 'p' || rnd_below(2))
		return;
	if (rnd_below(3) == 0) {
		add(r->fmt, ".*");
		r->star[r->nstar++] = rnd_star();
	} else {
		snprintf(num, sizeof(num), ".%u", rnd_below(4) ? rnd_below(30) : 0);
		add(r->fmt, rnd_below(8) ? num : ".");
	}
}

static void rnd_length(struct rspec *r)
{
	static const char *const len[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
	static const enum kind kind[] = { K_INT, K_INT, K_INT, K_LONG, K_LLONG, K_SIZE,
					  K_PTRDIFF, K_INTMAX };
	unsigned i = rnd_below(ARRAY_SIZE(len));

	add(r->fmt, len[i]);
	r->kind = kind[i];
}

static void rnd_spec(struct rspec *r)
{
	static const char conv[] = "diuoxXcsp";
	static const char *const strs[] = { "", "a", "hello", "with spaces and more", NULL };
	char c = conv[rnd_below(sizeof(conv) - 1)], cs[2] = { c, 0 };

	memset(r, 0, sizeof(*r));
	rnd_literal(r->fmt);
	add(r->fmt, "%");
	rnd_flags(r->fmt, c);
	rnd_width_prec(r, c);
	r->kind = c == 's' ? K_STR : c == 'p' ? K_PTR : K_INT;
	if (strchr("diuoxX", c))
		rnd_length(r);
	add(r->fmt, cs);
	rnd_literal(r->fmt);
	r->v = rnd_value();
	if (c == 'c')
		r->v = 1 + rnd_below(255);
	if (c == 'p' && rnd_below(5) == 0)
		r->v = 0;
	r->s = strs[rnd_below(ARRAY_SIZE(strs))];
}

static void call(bool all, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcmp(all, fmt, ap);
	va_end(ap);
}

#define CALL_STARS(r, all, val)                                                   \
	do {                                                                      \
		if ((r)->nstar == 0)                                              \
			call(all, (r)->fmt, val);                                 \
		else if ((r)->nstar == 1)                                         \
			call(all, (r)->fmt, (r)->star[0], val);                   \
		else                                                              \
			call(all, (r)->fmt, (r)->star[0], (r)->star[1], val);     \
	} while (0)

static void rnd_run(const struct rspec *r, bool all)
{
	switch (r->kind) {
	case K_INT: CALL_STARS(r, all, (int)(uint32_t)r->v); break;
	case K_LONG: CALL_STARS(r, all, (long)r->v); break;
	case K_LLONG: CALL_STARS(r, all, (long long)r->v); break;
	case K_SIZE: CALL_STARS(r, all, (size_t)r->v); break;
	case K_PTRDIFF: CALL_STARS(r, all, (ptrdiff_t)r->v); break;
	case K_INTMAX: CALL_STARS(r, all, (intmax_t)r->v); break;
	case K_PTR: CALL_STARS(r, all, (void *)(uintptr_t)r->v); break;
	case K_STR: CALL_STARS(r, all, r->s); break;
	}
}

static void test_random(unsigned count)
{
	struct rspec r;

	for (unsigned i = 0; i < count; i++) {
		rnd_spec(&r);
		rnd_run(&r, i % 16 == 0);
	}
}

/* ---- the sink gets everything, in order ---- */

struct capture {
	char buf[BIG];
	size_t len;
	unsigned calls;
	bool empty_chunk;
};

static void capture_put(void *ctx, const char *s, size_t n)
{
	struct capture *c = ctx;

	c->calls++;
	c->empty_chunk |= n == 0;
	if (c->len + n <= sizeof(c->buf))
		memcpy(c->buf + c->len, s, n);
	c->len += n;
}

static int PRINTF_LIKE(2, 3) sink_printf(struct capture *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf_sink(capture_put, c, fmt, ap);
	va_end(ap);
	return n;
}

static void test_sink(void)
{
	static struct capture c;
	char exp[BIG];
	int n, e;

	n = sink_printf(&c, "start %d, %s; %-40x|%c end%%", -12, "str", 0xabcu, '!');
	e = snprintf(exp, sizeof(exp), "start %d, %s; %-40x|%c end%%", -12, "str", 0xabcu, '!');
	CHECK(n == e && c.len == (size_t)e && memcmp(c.buf, exp, c.len) == 0);
	CHECK(c.calls > 1 && !c.empty_chunk);
	memset(&c, 0, sizeof(c));
	n = sink_printf(&c, "%s", "");
	CHECK(n == 0 && c.len == 0 && c.calls == 0);
	memset(&c, 0, sizeof(c));
	n = sink_printf(&c, "%1000d", 5);
	CHECK(n == 1000 && c.len == 1000 && c.buf[999] == '5' && c.buf[998] == ' ');
}

int main(void)
{
	test_integers();
	test_lengths();
	test_strings_chars();
	test_pointers();
	test_unsupported();
	test_buffer_contract();
	test_random(40000);
	test_sink();
	if (mismatches)
		fprintf(stderr, "%u mismatches against libc\n", mismatches);
	return check_summary("test_printf");
}
