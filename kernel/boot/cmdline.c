/* Kernel command line: key=value options with defaults and clear warnings. */
#include "cmdline.h"
#include "kstring.h"

#define MSG_MAX 160
#define SHOW_MAX 40

struct msg {
	char buf[MSG_MAX];
	size_t len;
};

static void msg_add(struct msg *m, const char *s, size_t n)
{
	for (size_t i = 0; i < n && m->len + 1 < MSG_MAX; i++)
		m->buf[m->len++] = s[i];
	m->buf[m->len] = 0;
}

static void msg_str(struct msg *m, const char *s)
{
	msg_add(m, s, strlen(s));
}

/* A token (not NUL-terminated) shown safely: at most SHOW_MAX characters. */
static void msg_tok(struct msg *m, const char *s, size_t n)
{
	msg_add(m, "'", 1);
	msg_add(m, s, MIN(n, (size_t)SHOW_MAX));
	if (n > SHOW_MAX)
		msg_str(m, "...");
	msg_add(m, "'", 1);
}

struct ctx {
	kopt_warn_fn warn;
	void *wctx;
	unsigned count;
};

static void warn(struct ctx *c, struct msg *m)
{
	c->count++;
	if (c->warn)
		c->warn(c->wctx, m->buf);
}

static void warn_bad(struct ctx *c, const char *key, const char *v, size_t vn, const char *want,
		     const char *dflt)
{
	struct msg m = { { 0 }, 0 };

	msg_str(&m, "cmdline: ");
	msg_str(&m, key);
	msg_str(&m, "=");
	msg_tok(&m, v, vn);
	msg_str(&m, " is not ");
	msg_str(&m, want);
	msg_str(&m, "; using ");
	msg_str(&m, dflt);
	warn(c, &m);
}

static bool tok_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && strncmp(s, lit, n) == 0;
}

/* Decimal or 0x-hex u64; false on junk or overflow. */
static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2, n -= 2;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d;
		char ch = s[i];
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			return false;
		if (v > (~0ull - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static bool name_ok(const char *s, size_t n)
{
	if (n >= KOPT_STR_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == ':' ||
		      ch == ',' || ch == '.' || ch == '-'))
			return false;
	}
	return true;
}

static void set_name(struct ctx *c, char *dst, const char *key, const char *v, size_t n)
{
	if (!name_ok(v, n)) {
		warn_bad(c, key, v, n, "a name of [a-z0-9_:,.-] under 32 characters", "none");
		dst[0] = 0;
		return;
	}
	memcpy(dst, v, n);
	dst[n] = 0;
}

static void set_cluster_size(struct ctx *c, struct kopts *o, const char *v, size_t n)
{
	uint64_t x;

	if (tok_eq(v, n, "all"))
		o->cluster_size = CLUSTER_SIZE_ALL;
	else if (parse_u64(v, n, &x) && x >= 1 && x <= 256)
		o->cluster_size = (uint32_t)x;
	else {
		warn_bad(c, "cluster_size", v, n, "1..256 or all", "all");
		o->cluster_size = CLUSTER_SIZE_ALL;
	}
}

static void set_bool(struct ctx *c, bool *dst, const char *key, const char *v, size_t n,
		     const char *yes, const char *no, bool dflt)
{
	if (tok_eq(v, n, yes) || tok_eq(v, n, "1"))
		*dst = true;
	else if (tok_eq(v, n, no) || tok_eq(v, n, "0"))
		*dst = false;
	else {
		struct msg m = { { 0 }, 0 };
		msg_str(&m, yes);
		msg_str(&m, " or ");
		msg_str(&m, no);
		warn_bad(c, key, v, n, m.buf, dflt ? yes : no);
		*dst = dflt;
	}
}

static void set_u64(struct ctx *c, uint64_t *dst, const char *key, const char *v, size_t n,
		    uint64_t max, uint64_t dflt, const char *want, const char *dflt_s)
{
	uint64_t x;

	if (parse_u64(v, n, &x) && x <= max)
		*dst = x;
	else {
		warn_bad(c, key, v, n, want, dflt_s);
		*dst = dflt;
	}
}

static void apply(struct ctx *c, struct kopts *o, const char *k, size_t kn, const char *v, size_t vn)
{
	uint64_t x;

	if (tok_eq(k, kn, "cluster_size"))
		set_cluster_size(c, o, v, vn);
	else if (tok_eq(k, kn, "test"))
		set_name(c, o->test, "test", v, vn);
	else if (tok_eq(k, kn, "bench"))
		set_name(c, o->bench, "bench", v, vn);
	else if (tok_eq(k, kn, "loglevel")) {
		set_u64(c, &x, "loglevel", v, vn, 4, 2, "0..4", "2");
		o->loglevel = (uint32_t)x;
	} else if (tok_eq(k, kn, "fastpath"))
		set_bool(c, &o->fastpath, "fastpath", v, vn, "on", "off", true);
	else if (tok_eq(k, kn, "exit"))
		set_bool(c, &o->poweroff, "exit", v, vn, "poweroff", "halt", true);
	else if (tok_eq(k, kn, "seed"))
		set_u64(c, &o->seed, "seed", v, vn, ~0ull, 1, "a 64-bit number", "1");
	else if (tok_eq(k, kn, "stress"))
		set_u64(c, &o->stress, "stress", v, vn, ~0ull, 100000, "a 64-bit number", "100000");
	else {
		struct msg m = { { 0 }, 0 };
		msg_str(&m, "cmdline: unknown option ");
		msg_tok(&m, k, kn);
		msg_str(&m, " ignored");
		warn(c, &m);
	}
}

static const char *memchr_local(const char *s, char ch, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ch)
			return s + i;
	return NULL;
}

static void token(struct ctx *c, struct kopts *o, const char *s, size_t n)
{
	const char *eq = memchr_local(s, '=', n);

	if (!eq || eq == s) {
		struct msg m = { { 0 }, 0 };
		msg_str(&m, "cmdline: ");
		msg_tok(&m, s, n);
		msg_str(&m, " is not key=value, ignored");
		warn(c, &m);
		return;
	}
	apply(c, o, s, (size_t)(eq - s), eq + 1, n - (size_t)(eq - s) - 1);
}

unsigned cmdline_parse(const char *line, struct kopts *o, kopt_warn_fn warnfn, void *wctx)
{
	struct ctx c = { warnfn, wctx, 0 };

	memset(o, 0, sizeof(*o));
	o->cluster_size = CLUSTER_SIZE_ALL;
	o->loglevel = 2;
	o->fastpath = true;
	o->seed = 1;
	o->stress = 100000;
	o->poweroff = true;
	while (line && *line) {
		size_t n = 0;
		while (*line == ' ' || *line == '\t')
			line++;
		while (line[n] && line[n] != ' ' && line[n] != '\t')
			n++;
		if (n)
			token(&c, o, line, n);
		line += n;
	}
	return c.count;
}
